"""文明实践阵地地图: the map_* named queries against independent SQL, the pure layer builders in civic/map/maps.py,
and the page through AppTest (deck spec, town filter, `site=` drill-down, injected selection, payload)."""
from __future__ import annotations

import base64
import io
import json
import os
import re
from datetime import date, timedelta

import pandas as pd
import pytest

from civic.app import export
from civic.map import atlas as atlas_mod
from civic.map import maps
from civic.store import queries
from tests.conftest import AS_OF, ROOT

PAGE = "pages/stations.py"
XIADIAN = "140423103"          # 夏店镇
XIADIAN_INSTITUTE = "I-140423103"
STATION = "S-140423100252"
WINDOW = dict(date_from=date(AS_OF.year, 1, 1), date_to=AS_OF, as_of=AS_OF)
MAP_FILES = [ROOT / "civic" / "map" / "maps.py", ROOT / PAGE, ROOT / "civic" / "text" / "catalog" / "map.toml",
             *sorted((ROOT / "queries").glob("map_*.sql"))]


def towns_of(p: dict) -> pd.DataFrame:
    """map_towns rows with their areas, as the page reads them."""
    return maps.with_areas(queries.execute("map_towns", **p), queries.execute("map_town_areas"))


def params(towns=()):
    return dict(towns=list(towns), **WINDOW)


# ── page helpers ─────────────────────────────────────────────────────────────────────────────
def open_map(make_app, query: dict | None = None, state: dict | None = None):
    """Run the router once, switch to the map page, then set the URL (switching drops the query string)."""
    at = make_app()
    at.run()
    at.switch_page(PAGE)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def map_shown(rendered, query: dict | None = None):
    """The map page's shared run for this URL (conftest `rendered`), for the tests that only read it."""
    at = rendered(PAGE, query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def deck_spec(at) -> dict:
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    return json.loads(decks[0].proto.json)


def layer(spec: dict, layer_id: str) -> list:
    data = maps.layer_data(spec, layer_id)
    assert data is not None, f"no layer {layer_id}: {[lyr['id'] for lyr in spec['layers']]}"
    return data


def sites_of(spec: dict, level: str) -> list:
    layer(spec, "sites")
    return maps.site_rows(spec, level)


def ring(spec: dict) -> list:
    """The selection ring's rows (in the labels layer)."""
    return [r for r in layer(spec, "map_labels") if r["kind"] == "selected"]


def url(at, key: str):
    """A URL parameter as the page left it (AppTest gives a str or a list)."""
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) and len(v) == 1 else v


def texts(at) -> str:
    parts = [*(x.value for x in at.markdown), *(x.value for x in at.caption), *(x.value for x in at.subheader),
             *(x.value for x in at.title), *(x.value for x in at.info), *(x.value for x in at.warning)]
    return "\n".join(str(p) for p in parts)


# ── queries against independent SQL ────────────────────────────────────────────────────────────
def test_map_queries_bind_only_known_parameters():
    allowed = {"towns", "date_from", "date_to", "as_of", "site"}
    names = [n for n in queries.names() if n.startswith("map_")]
    assert {"map_sites", "map_towns", "map_context", "map_site", "map_summary"} <= set(names)
    for n in names:
        assert queries.params_of(n) <= allowed, n
        sql = queries.sql_of(n)
        assert "{" not in re.sub(r"--[^\n]*", "", sql), f"{n} must not be a format template"


def test_map_sites_matches_independent_sql(data_dir, con):
    df = queries.execute("map_sites", **params())
    assert len(df) == con.execute("SELECT count(*) FROM sites WHERE county_code = '140423'").fetchone()[0]
    assert df.site_id.is_unique
    assert (df.level == "站").sum() == 238
    assert df.groupby("level").size().to_dict() == dict(
        con.execute("SELECT level, count(*) FROM sites GROUP BY level").fetchall())
    # activities and beneficiaries in the window, per site
    exp = con.execute("""SELECT site_id, count(*), sum(beneficiaries) FROM activities
                         WHERE activity_date BETWEEN ? AND ? GROUP BY site_id""",
                      [WINDOW["date_from"], WINDOW["date_to"]]).fetchall()
    got = df.set_index("site_id")
    for sid, n, b in exp:
        assert got.at[sid, "activities"] == n and got.at[sid, "beneficiaries"] == b, sid
    assert got.activities.sum() == sum(n for _, n, _ in exp)
    # idle: no activity in the 30 days up to as_of (as_of - 29 … as_of)
    active = {r[0] for r in con.execute("SELECT DISTINCT site_id FROM activities WHERE activity_date > ? "
                                        "AND activity_date <= ?", [AS_OF - timedelta(days=30), AS_OF]).fetchall()}
    assert set(df.site_id[~df.idle]) == active & set(df.site_id)
    last = dict(con.execute("SELECT site_id, max(activity_date) FROM activities GROUP BY 1").fetchall())
    for r in df.head(60).itertuples():
        assert (pd.Timestamp(r.last_activity).date() if pd.notna(r.last_activity) else None) == last.get(r.site_id)
    teams = dict(con.execute("SELECT site_id, count(*) FROM teams WHERE site_id IS NOT NULL GROUP BY 1").fetchall())
    assert all(int(r.teams) == teams.get(r.site_id, 0) for r in df.itertuples())
    # every station carries its real 12-digit village code and the S-<code> id
    st = df[df.level == "站"]
    assert st.village_code.str.fullmatch(r"\d{12}").all()
    assert (st.site_id == "S-" + st.village_code).all()


def test_town_filter_and_context(data_dir, con):
    df = queries.execute("map_sites", **params([XIADIAN]))
    assert (df.town_code == XIADIAN).all()
    assert (df.level == "站").sum() == 40
    assert list(df.site_id[df.level == "所"]) == [XIADIAN_INSTITUTE]
    ctx = queries.execute("map_context", **params([XIADIAN]))
    others = con.execute("SELECT count(*) FROM sites WHERE county_code = '140423' "
                         "AND coalesce(town_code, '') <> ?", [XIADIAN]).fetchone()[0]
    assert len(ctx) == others and not set(ctx.site_id) & set(df.site_id)
    assert queries.execute("map_context", **params()).empty


def test_summary_towns_and_idle_agree(data_dir, con):
    s = queries.execute("map_summary", **params()).iloc[0]
    sites = queries.execute("map_sites", **params())
    st = sites[sites.level == "站"]
    assert (s.stations, s.institutes, s.centres) == (238, 9, 1)
    assert s.idle_stations == int(st.idle.sum())
    assert s.active_stations == int((st.activities > 0).sum())
    assert s.activities == int(sites.activities.sum())
    idle = queries.execute("map_idle_stations", **params())
    assert set(idle.site_id) == set(st.site_id[st.idle])
    towns = towns_of(params())
    assert towns.stations.sum() == 238
    assert towns.set_index("town_code").at[XIADIAN, "stations"] == 40
    assert towns.idle_stations.sum() == s.idle_stations
    assert towns.activities.sum() == con.execute(
        "SELECT count(*) FROM v_activities WHERE county_code = '140423' AND activity_date BETWEEN ? AND ?",
        [WINDOW["date_from"], WINDOW["date_to"]]).fetchone()[0]
    assert towns.selected.all()
    sel = towns_of(params([XIADIAN]))
    assert list(sel.town_code[sel.selected]) == [XIADIAN]


def test_site_detail_queries(data_dir, con):
    one = queries.execute("map_site", site=STATION, **params()).iloc[0]
    name, vc = con.execute("SELECT name, village_code FROM sites WHERE site_id = ?", [STATION]).fetchone()
    assert (one["name"], one.village_code, one.level) == (name, vc, "站")
    n = con.execute("SELECT count(*) FROM activities WHERE site_id = ? AND activity_date BETWEEN ? AND ?",
                    [STATION, WINDOW["date_from"], WINDOW["date_to"]]).fetchone()[0]
    assert one.activities == n
    monthly = queries.execute("map_site_monthly", site=STATION, **params())
    assert monthly.activities[monthly.in_window].sum() == n
    assert len(monthly) >= 12 and monthly.month.is_monotonic_increasing
    mix = queries.execute("map_site_mix", site=STATION, **params())
    assert mix.activities.sum() == n
    recent = queries.execute("map_site_recent", site=STATION, **params())
    assert len(recent) == min(10, n) and recent.activity_date.is_monotonic_decreasing
    teams = queries.execute("map_site_teams", site=STATION, **params())
    assert len(teams) == con.execute("SELECT count(*) FROM teams WHERE site_id = ?", [STATION]).fetchone()[0]
    assert queries.execute("map_site", site="S-000000000000", **params()).empty


def test_institute_and_centre_rankings(data_dir, con):
    rank = queries.execute("map_site_ranking", site=XIADIAN_INSTITUTE, **params())
    assert len(rank) == 40 and (rank.level == "站").all()
    assert rank.activities.is_monotonic_decreasing
    total = con.execute("""SELECT count(*) FROM activities a JOIN sites s USING (site_id)
                           WHERE s.parent_site_id = ? AND s.level = '站' AND a.activity_date BETWEEN ? AND ?""",
                        [XIADIAN_INSTITUTE, WINDOW["date_from"], WINDOW["date_to"]]).fetchone()[0]
    assert rank.activities.sum() == total
    centre = queries.execute("map_site_ranking", site="C-140423", **params())
    assert len(centre) == 9 and (centre.level == "所").all()
    xd = centre.set_index("site_id").at[XIADIAN_INSTITUTE, "activities"]
    own = con.execute("SELECT count(*) FROM activities WHERE site_id = ? AND activity_date BETWEEN ? AND ?",
                      [XIADIAN_INSTITUTE, WINDOW["date_from"], WINDOW["date_to"]]).fetchone()[0]
    assert xd == total + own   # an institute counts with its stations


# ── pure builders ────────────────────────────────────────────────────────────────────────────
@pytest.fixture()
def frames(data_dir):
    p = params()
    return (queries.execute("map_sites", **p), towns_of(p), maps.outlines(["140423"]))


def _mask_alpha(layer_: dict, code: str, lon: float, lat: float) -> int:
    """The town mask's alpha at (lon, lat), read from the layer's atlas through its row's metre footprint."""
    from PIL import Image
    row = next(r for r in layer_["data"] if r["town_code"] == code)
    m = layer_["iconMapping"][code]
    atlas = Image.open(io.BytesIO(base64.b64decode(layer_["iconAtlas"].strip('"').split(",", 1)[1]))).convert("RGBA")
    lon0, lat0, lon1, lat1 = maps.icon_bounds({"data": [row], "iconMapping": layer_["iconMapping"]})
    fx = (lon - lon0) / (lon1 - lon0)
    fy = (maps.merc_y(lat1) - maps.merc_y(lat)) / (maps.merc_y(lat1) - maps.merc_y(lat0))
    if not (0 <= fx < 1 and 0 <= fy < 1):
        return 0
    return atlas.getpixel((m["x"] + int(fx * m["width"]), m["y"] + int(fy * m["height"])))[3]


def test_town_areas_are_pickable_in_their_own_shape(frames):
    """Issue 18: each township's area is a pickable, nearly transparent icon over exactly its cell (a click
    on empty ground inside it picks the township; outside its shape the icon is transparent, so not hit)."""
    sites, towns, outline = frames
    spec = json.loads(maps.station_map(sites, towns, None, outline).deck.to_json())
    areas = next(lyr for lyr in spec["layers"] if lyr["id"] == "town_areas")
    assert areas["pickable"] and not areas["billboard"] and areas["sizeUnits"] == "meters"
    assert {r["town_code"] for r in areas["data"]} == set(towns.town_code)
    assert 0 < areas["alphaCutoff"] < atlas_mod.MASK_ALPHA / 255
    for r in maps.town_label_points(towns).itertuples():
        assert _mask_alpha(areas, r.town_code, r.label_lon, r.label_lat) == atlas_mod.MASK_ALPHA, r.name
        rings, _ = maps.parse_area(r.area_geojson)
        # the cell's bounding-box corner lies outside the (non-rectangular) cell: transparent there
        lon0 = min(p[0] for ring_ in rings for p in ring_)
        lat1 = max(p[1] for ring_ in rings for p in ring_)
        inside = [p for ring_ in rings for p in ring_ if abs(p[0] - lon0) < 1e-9 and abs(p[1] - lat1) < 1e-9]
        if not inside:
            assert _mask_alpha(areas, r.town_code, lon0 + 1e-5, lat1 - 1e-5) == 0, r.name
    row = next(r for r in areas["data"] if r["town_code"] == XIADIAN)
    assert row["t1"] == "夏店镇" and row["t2"] and row["t3"]
    # the site layers draw above it: a click on a station still picks the station
    ids = [lyr["id"] for lyr in spec["layers"]]
    assert ids.index("town_areas") < ids.index("sites")


def test_town_view_offers_only_the_other_towns(data_dir):
    p = params(towns=[XIADIAN])
    sites, towns = queries.execute("map_sites", **p), towns_of(p)
    spec = json.loads(maps.station_map(sites, towns, None, maps.outlines(["140423"]), focused=True).deck.to_json())
    codes = {r["town_code"] for r in maps.layer_data(spec, "town_areas") or []}
    assert XIADIAN not in codes and codes == set(towns.town_code) - {XIADIAN}
    kiosk = maps.station_map(sites, towns, None, maps.outlines(["140423"]), focused=True, town_areas=False)
    assert maps.layer_data(kiosk.deck.to_json(), "town_areas") is None       # the screen: nobody clicks


def test_deck_is_offline_with_stable_ids_and_chinese_labels(frames):
    sites, towns, outline = frames
    sm = maps.station_map(sites, towns, None, outline, density=True, links=True)
    spec = json.loads(sm.deck.to_json())
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__") and not spec.get("mapProvider")
    text = sm.deck.to_json()
    assert "http://" not in text and "https://" not in text
    ids = [layer_["id"] for layer_ in spec["layers"]]
    assert len(ids) == len(set(ids))
    assert ids == ["base_map", "town_areas", "density_hex", "institute_links", "sites", "map_labels"]
    base = spec["layers"][0]
    assert base["@@type"] == "IconLayer" and not base["billboard"] and base["sizeUnits"] == "meters"
    lon0, lat0, lon1, lat1 = maps.icon_bounds(base)
    for ring_ in outline.ring:                          # the drawn base covers the county outline
        assert all(lon0 < x < lon1 and lat0 < y < lat1 for x, y in ring_)
    labels = next(layer_ for layer_ in spec["layers"] if layer_["id"] == "map_labels")
    assert {row["text"] for row in labels["data"] if row["kind"] == "town"} >= {"古韩镇", "夏店镇", "虒亭镇"}
    assert set(labels["iconMapping"]) >= {row["i"] for row in labels["data"]}
    # every IconLayer is fed alike (one vertex layout: one pipeline compiled in a GPU-less browser, not one
    # per layer), and none has a getColor (Streamlit fades every layer that has one once a site is picked)
    icon_layers = [lyr for lyr in spec["layers"] if lyr["@@type"] == "IconLayer"]
    assert [lyr["id"] for lyr in icon_layers] == ["base_map", "town_areas", "sites", "map_labels"]
    for lyr in icon_layers:
        accessors = {k: v for k, v in lyr.items() if k.startswith("get")}
        assert accessors == {"getPosition": "@@=p", "getIcon": "@@=i", "getSize": "@@=s"}, lyr["id"]
        assert all("s" in row for row in lyr["data"])
    sites_layer = next(layer_ for layer_ in spec["layers"] if layer_["id"] == "sites")
    for lyr in (labels, sites_layer):
        assert lyr["@@type"] == "IconLayer" and lyr["iconAtlas"].strip('"').startswith("data:image/png;base64,")
        base64.b64decode(lyr["iconAtlas"].strip('"').split(",", 1)[1])
    stations = sites_of(spec, "站")
    assert len(stations) == 238
    assert all({"site_id", "village_code", "t1", "t2", "t3"} <= set(r) and "name" not in r for r in stations)
    links = layer(spec, "institute_links")
    assert len(links) == 238 + 9
    assert maps.payload_bytes(sm.deck) == len(text.encode("utf-8")) < 1_000_000


def test_symbols_differ_by_level_and_idle_stations_stand_out(frames):
    sites, towns, outline = frames
    spec = json.loads(maps.station_map(sites, towns, None, outline).deck.to_json())
    by_level = {lv: sites_of(spec, lv) for lv in maps.LEVELS}
    assert {lv: {r["i"] for r in by_level[lv]} for lv in ("中心", "所", "基地")} == \
        {"中心": {"star"}, "所": {"diamond"}, "基地": {"triangle"}}
    assert by_level["中心"][0]["s"] > by_level["所"][0]["s"] > by_level["基地"][0]["s"]
    # drawn bottom to top: bases, stations, institutes, the centre
    assert [r["level"] for r in maps.site_rows(spec)] == sorted((r["level"] for r in maps.site_rows(spec)),
                                                                  key=["基地", "站", "所", "中心"].index)
    idle_ids = set(sites.site_id[(sites.level == "站") & sites.idle])
    rows = by_level["站"]
    assert idle_ids and {r["i"] for r in rows if r["site_id"] in idle_ids} == {"idle"}
    assert {r["i"] for r in rows if r["site_id"] not in idle_ids} <= {f"c{i}" for i in range(5)}
    assert all("近30天无活动" in r["t3"] for r in rows if r["site_id"] in idle_ids)
    # every mark is in the atlas, and idle stations look unlike any busy class (white with a red ring)
    atlas, mapping = maps.icon_atlas(False, maps.SITE_ICONS)
    assert {r["i"] for r in maps.site_rows(spec)} <= set(mapping)
    from PIL import Image
    img = Image.open(io.BytesIO(base64.b64decode(atlas.split(",", 1)[1]))).convert("RGBA")

    def pixel(name, dx):   # a pixel on the horizontal through the icon's centre, dx from its left edge
        m = mapping[name]
        return img.getpixel((m["x"] + dx, m["y"] + m["height"] // 2))[:3]
    assert pixel("idle", 4)[0] > 180 > pixel("idle", 4)[1]                      # the red ring
    assert min(pixel("idle", maps.ICON_CELL // 2)) >= 252                        # white inside (palette)
    for i in range(5):   # the colour classes, low → high (resampling and the atlas's 256-colour palette
        # move a channel by two at most: invisible, and the atlas is a quarter of the bytes)
        assert max(abs(a - b) for a, b in zip(pixel(f"c{i}", maps.ICON_CELL // 2), maps.LIGHT.ramp[i])) <= 3


def test_base_image_lines_up_with_the_sites(frames):
    """Each station, placed on the base image by the layer's own geometry, lands on its own town's fill."""
    from PIL import Image
    sites, towns, outline = frames
    spec = json.loads(maps.station_map(sites, towns, None, outline).deck.to_json())
    base = next(layer_ for layer_ in spec["layers"] if layer_["id"] == "base_map")
    img = Image.open(io.BytesIO(base64.b64decode(base["iconAtlas"].strip('"').split(",", 1)[1]))).convert("RGBA").convert("RGB")
    lon0, lat0, lon1, lat1 = maps.icon_bounds(base)
    y0, y1 = maps.merc_y(lat0), maps.merc_y(lat1)
    fills = {code: tuple(maps.LIGHT.town_fills[int(code[-2:]) % len(maps.LIGHT.town_fills)])
             for code in towns.town_code}
    stations = sites[sites.level == "站"]
    hits = 0
    for r in stations.itertuples(index=False):
        x = (r.lon - lon0) / (lon1 - lon0) * img.width
        y = (y1 - maps.merc_y(r.lat)) / (y1 - y0) * img.height
        hits += img.getpixel((int(x), int(y))) == fills[r.town_code]
    assert hits >= 0.95 * len(stations), f"{hits} of {len(stations)} stations on their town's colour"


def test_station_colour_follows_the_metric(frames):
    sites, towns, outline = frames
    a = maps.station_map(sites, towns, None, outline, metric="activities")
    b = maps.station_map(sites, towns, None, outline, metric="beneficiaries")
    assert a.breaks != b.breaks
    ra = {r["site_id"]: (r["i"], r["s"]) for r in maps.site_rows(a.deck.to_json(), "站")}
    rb = {r["site_id"]: (r["i"], r["s"]) for r in maps.site_rows(b.deck.to_json(), "站")}
    assert ra != rb


def test_dark_theme_changes_colours_not_structure(frames):
    sites, towns, outline = frames
    light = json.loads(maps.station_map(sites, towns, None, outline).deck.to_json())
    dark = json.loads(maps.station_map(sites, towns, None, outline, dark=True).deck.to_json())
    assert [l_["id"] for l_ in light["layers"]] == [l_["id"] for l_ in dark["layers"]]
    assert maps.icon_atlas(True)[0] != maps.icon_atlas(False)[0]
    assert "civic-map-legend" in maps.legend_html(dark=True)


def test_view_fits_the_focus(frames):
    sites, towns, outline = frames
    view = maps.map_view(towns, outline, sites, focused=False)
    for ring in outline.ring:
        for lon, lat in ring:
            x, y = maps.screen_xy(view, lon, lat, 560, 600)
            assert -1 <= x <= 561 and -1 <= y <= 601
    sel = towns_of(params([XIADIAN]))
    town_view = maps.map_view(sel, outline, sites, focused=True)
    assert town_view.zoom > view.zoom + 0.5


def test_picked_reads_streamlit_selection_state():
    state = {"selection": {"indices": {"sites-2": [4]},
                           "objects": {"sites-2": [{"site_id": STATION, "name": "x"}]}}}
    p = maps.picked(state)
    assert (p.layer, p.index, p.site_id) == ("sites-2", 4, STATION)
    assert maps.base_layer_id("sites-2") == "sites"
    assert maps.base_layer_id("sites_context-1") == "sites_context"
    ctx = {"selection": {"indices": {"sites_context": [0]}, "objects": {"sites_context": [{"site_id": STATION}]}}}
    assert maps.picked(ctx).site_id == STATION
    assert maps.picked({"selection": {"indices": {}, "objects": {}}}) is None
    assert maps.picked(None) is None
    town = {"selection": {"indices": {"town_totals": [0]}, "objects": {"town_totals": [{"town_code": "1"}]}}}
    assert maps.picked(town).site_id is None


def test_class_breaks_and_legend():
    assert maps.class_breaks([0, 0, 0]) == []
    br = maps.class_breaks(range(1, 101))
    assert br == sorted(br) and len(br) == 4
    html = maps.legend_html("activities", br, lang="zh")
    for word in ("县级实践中心", "乡镇实践所", "村（社区）实践站", "实践基地", "近30天无活动"):
        assert word in html
    assert "<svg" not in html and html.count("<img") >= 5


def test_map_files_use_no_remote_icons_or_urls():
    for f in MAP_FILES:
        text = f.read_text(encoding="utf-8")
        assert ":material/" not in text, f
        text = text.replace("http://www.w3.org/2000/svg", "")   # an SVG namespace, not a request
        assert "https://" not in text and "http://" not in text, f


# ── the page (AppTest) ───────────────────────────────────────────────────────────────────────
def test_page_without_filter_holds_all_238_stations(rendered, con):
    at = map_shown(rendered)
    spec = deck_spec(at)
    stations = sites_of(spec, "站")
    assert len(stations) == 238
    codes = {r[0] for r in con.execute("SELECT village_code FROM villages v JOIN towns t USING (town_code) "
                                       "WHERE t.county_code = '140423' AND v.kind <> '虚拟社区'").fetchall()}
    assert {r["village_code"] for r in stations} == codes
    assert all(r["site_id"] == f"S-{r['village_code']}" and r["t1"].endswith("实践站") for r in stations)
    assert len(sites_of(spec, "所")) == 9
    assert len(sites_of(spec, "中心")) == 1
    assert len(sites_of(spec, "基地")) == con.execute("SELECT count(*) FROM sites WHERE level = '基地'").fetchone()[0]
    assert not ring(spec)
    assert "sites_context" not in [l_["id"] for l_ in spec["layers"]]
    assert "示意位置" in texts(at)
    assert at.title[0].value == "新时代文明实践阵地地图"


def test_page_town_filter_zooms_to_that_town(rendered):
    at = map_shown(rendered, {"town": "夏店镇"})
    spec = deck_spec(at)
    stations = sites_of(spec, "站")
    assert len(stations) == 40
    assert all(r["village_code"].startswith(XIADIAN) for r in stations)
    assert [r["site_id"] for r in sites_of(spec, "所")] == [XIADIAN_INSTITUTE]
    assert not sites_of(spec, "中心")          # the centre is in 古韩镇
    assert {r["site_id"] for r in layer(spec, "sites")} == {r["site_id"] for r in stations} | \
        {XIADIAN_INSTITUTE} | {r["site_id"] for r in sites_of(spec, "基地")}
    village_labels = [r["text"] for r in layer(spec, "map_labels") if r["kind"] == "site"]
    assert len(village_labels) == 41 and "夏店村" in village_labels
    # village names sit under their station through the atlas anchor (no per-row pixel offset)
    labels = next(lyr for lyr in spec["layers"] if lyr["id"] == "map_labels")
    anchors = {r["kind"]: labels["iconMapping"][r["i"]].get("anchorY") for r in labels["data"]}
    assert anchors["site"] < 0 and anchors["town"] is None
    context = layer(spec, "sites_context")
    assert context and not {r["site_id"] for r in context} & {r["site_id"] for r in stations}
    county = deck_spec(map_shown(rendered))
    assert spec["initialViewState"]["zoom"] > county["initialViewState"]["zoom"] + 0.5
    lons = [r["p"][0] for r in stations]
    assert min(lons) <= spec["initialViewState"]["longitude"] <= max(lons)


@pytest.mark.parametrize("site", [STATION, XIADIAN_INSTITUTE])
def test_site_param_opens_the_detail(rendered, con, site):
    name, level = con.execute("SELECT name, level FROM sites WHERE site_id = ?", [site]).fetchone()
    at = map_shown(rendered, {"site": site})
    assert [s.value for s in at.subheader][0] == name
    assert url(at, "site") == site
    spec = deck_spec(at)
    rows = ring(spec)
    lon, lat = con.execute("SELECT lon, lat FROM sites WHERE site_id = ?", [site]).fetchone()
    assert rows and rows[0]["p"] == [round(lon, 5), round(lat, 5)]
    frames = [d.value for d in at.dataframe]
    if level == "所":   # a ranking of its 40 stations
        assert any(len(f) == 40 and "label" in f.columns for f in frames)
    assert any("title" in f.columns for f in frames)          # recent activities
    assert any("members" in f.columns for f in frames)        # teams (no type column: the narrow panel)


def test_injected_selection_shows_that_site(make_app, con):
    at = open_map(make_app)
    assert not ring(deck_spec(at))
    at.session_state["map_site"] = STATION
    at.run()
    name = con.execute("SELECT name FROM sites WHERE site_id = ?", [STATION]).fetchone()[0]
    assert at.subheader[0].value == name
    assert url(at, "site") == STATION
    at.button(key="map_clear").click().run()
    assert "site" not in at.query_params
    assert not ring(deck_spec(at))


def test_changing_town_closes_a_site_outside_it(make_app, con):
    at = open_map(make_app, {"site": STATION})                       # a 古韩镇 station
    at.multiselect(key="f_towns").set_value([XIADIAN]).run()
    assert not at.exception
    assert "site" not in at.query_params
    assert not ring(deck_spec(at))
    inside = "S-140423103232"
    at.session_state["map_site"] = inside
    at.run()
    at.multiselect(key="f_towns").set_value([XIADIAN, "140423100"]).run()
    assert url(at, "site") == inside                                  # still inside the new scope
    assert at.subheader[0].value == con.execute("SELECT name FROM sites WHERE site_id = ?", [inside]).fetchone()[0]


def test_county_carried_from_another_page_still_offers_xiangyuan_towns(rendered):
    at = map_shown(rendered, {"county": "511823"})
    towns = at.multiselect(key="f_towns")
    assert "夏店镇" in towns.options and "富林镇" not in towns.options
    assert len(sites_of(deck_spec(at), "站")) == 238


def test_bad_site_param_falls_back_with_a_notice(rendered):
    at = map_shown(rendered, {"site": "S-999999999999"})
    assert any("S-999999999999" in w.value for w in at.warning)
    assert "site" not in at.query_params
    assert not ring(deck_spec(at))


def test_metric_param_and_english(rendered):
    at = map_shown(rendered, {"metric": "beneficiaries", "lang": "en"})
    assert url(at, "metric") == "beneficiaries"
    assert at.title[0].value == "Civilization-practice network map"
    body = texts(at)
    assert not re.search(r"\bmap\.[a-z_]+", body), "untranslated catalog key"
    html = "".join(h.proto.body for h in at.get("html"))
    assert "Station colour and size: Beneficiaries in the window" in html
    assert "Idle 30 days" in html
    stations = sites_of(deck_spec(at), "站")
    assert all(r["t3"].startswith("In the window:") for r in stations)


def open_table(at, idle_only: bool | None = None):
    at.session_state["map_table"] = True
    if idle_only is not None:
        at.session_state["map_table_idle"] = idle_only
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return next(d.value for d in at.dataframe if "village_code" in d.value.columns)


def test_first_paint_holds_no_data_grid(rendered):
    """A data grid costs a GPU-less browser ~0.5 s before the map draws: the table opens on demand and the
    idle stations are chips."""
    at = map_shown(rendered, {"town": "夏店镇"})
    assert len(at.dataframe) == 0
    assert at.expander[0].label.startswith("阵地列表（53 个阵地）")
    assert {b.label for b in at.get("download_button")} >= {"下载 CSV", "下载 Excel"}


def test_table_lists_the_same_sites_and_exports(make_app, monkeypatch):
    exports = record_exports(monkeypatch)
    at = open_map(make_app, {"town": "夏店镇"})
    table = open_table(at)
    spec = deck_spec(at)
    shown = {r["site_id"] for r in layer(spec, "sites")}
    assert set(table.site_id) == shown
    assert {b.label for b in at.get("download_button")} >= {"下载 CSV", "下载 Excel"}
    build = exports["map_export"]
    assert len(build()) == len(shown)
    # "only idle stations": the table and the export both narrow to them
    idle = queries.execute("map_idle_stations", **params(towns=[XIADIAN]))
    table = open_table(at, idle_only=True)
    assert set(table.site_id) == set(idle.site_id) and len(idle) > 0
    assert set(exports["map_export"]().iloc[:, -1]) == set(idle.site_id)


def test_idle_chips_open_a_station_and_lead_to_the_full_list(make_app, con):
    at = open_map(make_app)
    idle = queries.execute("map_idle_stations", **params())
    chips = at.pills[0]
    assert chips.options == maps.idle_chip_labels(idle.head(maps.IDLE_CHIPS))
    assert chips.options[0].startswith(idle.short_label.iloc[0] + " · ")
    assert f"近30天无活动的实践站（{len(idle)} 个）" in texts(at)
    # a village name that repeats in the county carries its town
    repeated = idle[idle.short_label != idle.label]
    assert all(r.short_label == f"{r.label}（{r.town_name}）" for r in repeated.itertuples())
    chips.set_value(idle.site_id.iloc[1]).run()
    assert url(at, "site") == idle.site_id.iloc[1]
    assert at.subheader[0].value == idle.name.iloc[1]
    at.button(key="map_clear").click().run()
    at.button(key="map_idle_all").click().run()
    table = next(d.value for d in at.dataframe if "village_code" in d.value.columns)
    assert list(table.site_id) == list(idle.site_id)             # longest idle first, as the chips
    assert at.toggle(key="map_table_idle").value is True


# ── payload at scale ─────────────────────────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def scale5(scale5_db, built_db):
    """The map's frames of the session's --scale 5 database (5 counties' networks), for the payload budget."""
    from civic.store import db
    try:
        os.environ["CIVIC_DATA_DIR"] = str(scale5_db.parent.parent)
        db.close_all()
        queries.clear_cache()
        p = params()
        yield (queries.execute("map_sites", **p), towns_of(p))
    finally:
        os.environ["CIVIC_DATA_DIR"] = str(built_db)
        db.close_all()
        queries.clear_cache()


def image_bytes(deck) -> int:
    """Bytes of the images inlined in a deck (base map, atlases)."""
    spec = json.loads(deck.to_json())
    return sum(len((layer_.get(k) or "").encode()) for layer_ in spec["layers"] for k in ("image", "iconAtlas"))


def data_bytes(deck) -> int:
    return maps.payload_bytes(deck) - image_bytes(deck)


def test_payload_stays_bounded_at_scale(scale5):
    sites, towns = scale5
    assert (sites.level == "站").sum() == 5 * 238
    outline = maps.outlines(towns.county_code.unique())
    full = maps.station_map(sites, towns, None, outline)
    assert not full.aggregated and maps.payload_bytes(full.deck) < maps.PAYLOAD_LIMIT
    # above the point limit the map shows town bubbles: the payload grows with towns, not with sites
    agg = maps.station_map(sites, towns, None, outline, max_points=500)
    spec = json.loads(agg.deck.to_json())
    assert agg.aggregated and {r["level"] for r in layer(spec, "sites")} == {"中心", "所"}
    assert len(layer(spec, "town_totals")) == towns.sites.gt(0).sum()
    # images are bounded whatever the number of counties (the base has a pixel budget, the symbol atlas is
    # fixed, labels stop above MAX_TOWN_LABELS towns); the rest grows with towns
    assert image_bytes(agg.deck) < 1_500_000
    per_county = data_bytes(agg.deck) / 5
    both = maps.station_map(sites, towns, None, outline, max_points=500, density=True, links=True)
    assert layer(json.loads(both.deck.to_json()), "density_hex")
    assert per_county * 100 < maps.PAYLOAD_LIMIT, f"{per_county:.0f} bytes per county would exceed at ×100"
    assert data_bytes(agg.deck) < data_bytes(full.deck) / 2
    # a town view stays small whatever the scale
    sel = towns.assign(selected=towns.town_code == XIADIAN)
    town = maps.station_map(sites[sites.town_code == XIADIAN], sel, None, outline, focused=True)
    assert maps.payload_bytes(town.deck) < 400_000, (image_bytes(town.deck), data_bytes(town.deck))


def record_exports(monkeypatch) -> dict:
    """key → a callable building the frame a download writes (headers and yes/no words as in the file)."""
    from civic.app import export
    seen, original = {}, export.download_buttons

    def spy(df, basename, key, columns=None):
        convert = export._exporter(columns) if columns else (lambda frame: frame)
        seen[key] = lambda: convert(df() if callable(df) else df)
        return original(df, basename, key, columns=columns)

    monkeypatch.setattr(export, "download_buttons", spy)
    return seen


def test_large_scope_sends_the_top_rows_and_exports_all(make_app, monkeypatch, con):
    """Above maps.TABLE_ROWS the table holds the sites with the most activity (the ×100 page would otherwise
    ship ~36k rows); the caption says so and the export still has every site."""
    monkeypatch.setattr(maps, "TABLE_ROWS", 50)
    monkeypatch.setattr(maps, "IDLE_CHIPS", 3)
    exports = record_exports(monkeypatch)
    at = open_map(make_app)
    table = open_table(at)
    every = queries.execute("map_sites", **params())
    assert len(table) == 50
    top = every.sort_values(["activities", "site_id"], ascending=[False, True]).head(50)
    assert list(table.site_id) == list(top.site_id)
    assert any(f"共 {len(every):,} 个阵地，表格显示活动场次最多的 50 个" in c.value for c in at.caption)
    assert all(b.proto.HasField("deferred_file_id") for b in at.get("download_button")), "built on click only"
    build = exports["map_export"]
    csv = export.to_csv_bytes(build() if callable(build) else build).decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0].startswith("名称,") and lines[0].endswith(",阵地编号")
    assert len(lines) == len(every) + 1
    assert {ln.rsplit(",", 1)[1] for ln in lines[1:]} == set(every.site_id)
    idle_all = queries.execute("map_idle_stations", **params())
    assert len(idle_all) > 3, "the default data has more than three idle stations"
    assert at.pills[0].options == maps.idle_chip_labels(idle_all.head(3))
    # no bare None/NaT in what a leader reads: institutes have no village code
    assert not table.isna().any().any()
    assert (table.village_code[table.level != "村（社区）实践站"] == "—").all()
    assert f"近30天无活动的实践站（{len(idle_all)} 个）" in texts(at)
    assert f"这里列出未活动最久的 3 个，共 {len(idle_all)} 个。" in texts(at)
    assert at.button(key="map_idle_all").label == f"在阵地列表中查看全部 {len(idle_all)} 个 ↓"


def test_label_atlases_drawn_from_many_threads_at_once():
    """Sessions run in threads; the cached font faces are shared, so atlas drawing is serialised."""
    from concurrent.futures import ThreadPoolExecutor
    style = maps.LabelStyle(px=15, colour=(0, 0, 0, 255), halo=(255, 255, 255, 255), halo_px=2)
    jobs = [tuple((f"{name}{i}", style) for name in ("夏店镇", "古韩镇", "西营镇")) for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        atlases = list(pool.map(maps.label_atlas, jobs))
    assert all(len(mapping) == 3 and url.startswith("data:image/png;base64,") for url, mapping in atlases)
    assert atlases[3] == maps.label_atlas(jobs[3])


def test_town_areas_join_their_towns_and_a_frozen_deck_serialises_once():
    """maps.with_areas puts each town's area on its row (None where none is known), order kept; a
    FrozenDeck hands Streamlit the deck's JSON as built."""
    towns = pd.DataFrame({"town_code": ["2", "1", "3"], "name": ["b", "a", "c"]})
    areas = pd.DataFrame({"town_code": ["1", "2"], "area_geojson": ["{\"a\":1}", "{\"b\":2}"]})
    out = maps.with_areas(towns, areas)
    assert out["town_code"].tolist() == ["2", "1", "3"]
    assert out["area_geojson"].tolist() == ["{\"b\":2}", "{\"a\":1}", None]
    d = maps.deck([], maps.fit_view((112.0, 36.0, 113.0, 37.0), 560, 600))
    frozen = maps.FrozenDeck(d)
    assert frozen.to_json() == d.to_json() and frozen.layers == d.layers
    assert maps.payload_bytes(frozen) == maps.payload_bytes(d)
