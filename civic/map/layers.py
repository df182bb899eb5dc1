"""The pydeck layers (all IconLayers but the optional density and link layers), each with a stable id."""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import pandas as pd
import pydeck as pdk

from civic.map.atlas import (
    BASE_MAX_PIXELS,
    BASE_MAX_SIDE,
    BASE_OVERSAMPLE,
    DECK_EARTH_RADIUS,
    ICON_OF_LEVEL,
    LABEL_OVERSAMPLE,
    N_CLASSES,
    RING_KEY,
    SELECTED_SIZE,
    SITE_ICONS,
    LabelStyle,
    base_image,
    icon_atlas,
    label_atlas,
    town_area_rows,
    town_mask_atlas,
)
from civic.map.geometry import bounds, inv_merc_y, merc_y, parse_area, round_coord, town_label_points
from civic.map.legend import class_breaks, is_missing, site_lines, site_subtitle, station_style
from civic.map.style import IDS, MAX_TOWN_LABELS, Theme, rgba, theme
from civic.text import fmt
from civic.text.i18n import current_lang, t, tv


# ── layers ──────────────────────────────────────────────────────────────────────────────────
def _lit(s: str) -> str:
    """A literal string prop for pydeck (plain strings are turned into accessor expressions)."""
    assert '"' not in s
    return f'"{s}"'


def _layer(kind: str, data, layer_id: str, **kw) -> pdk.Layer:
    return pdk.Layer(kind, data, id=layer_id, **kw)


def stable_id(key: str, suffix: str = "") -> str:
    return IDS[key] + (f"-{suffix}" if suffix else "")


# Every IconLayer of the map is fed the same way (ICON_LAYER_FEED): position, icon and size per row, colour,
# angle and pixel offset left at their defaults. In a GPU-less browser (SwiftShader) each distinct vertex
# layout is compiled into its own pipeline on first draw, ~0.25 s apiece; with one layout the first frame
# compiles once and later layers cost ~50 ms. So no layer sets getColor (a constant colour is a different
# layout from per-row colours, and once a site is picked Streamlit fades every object of every layer that
# has one) and labels shift under their station through their atlas anchor, not getPixelOffset.
ICON_LAYER_FEED = {"get_position": "p", "get_icon": "i", "get_size": "s"}


def base_layer(towns: pd.DataFrame, outline_rings: pd.DataFrame, view: pdk.ViewState, *, focused: bool = False,
               dark: bool = False, line_scale: float = 1.0, suffix: str = "") -> pdk.Layer | None:
    """County outlines and town areas (approximate, 示意) as one pre-drawn image. With `focused`, unselected
    towns fade and selected ones are outlined. None when there is nothing to draw.

    Why an image: in a browser without a GPU (exhibition PCs, thin clients, this project's CI) deck.gl's
    path and polygon layers took ~1 s each to compile and rasterise before the first frame. Why an icon
    rather than a BitmapLayer: the IconLayer program is compiled for the sites anyway; a BitmapLayer cost
    its own compilation, ~0.3 s more."""
    th = theme(dark)
    areas = tuple(town_area_rows(towns, th, focused))
    rings = tuple(tuple(tuple(p) for p in r) for r in outline_rings["ring"]) if len(outline_rings) else ()
    pts = [p for r in rings for p in r] + [p for a in areas for r in a[0] for p in r]
    b = bounds(pts)
    if b is None:
        return None
    zoom = float(view.zoom)
    per_lon = 512.0 * 2 ** zoom / 360.0            # screen px per degree of longitude at the initial view
    per_y = 512.0 * 2 ** zoom / (2 * math.pi)      # screen px per unit of mercator y
    pad = 10 * line_scale                           # screen px around the outline: room for the shadow
    lon0, lon1 = b[0] - pad / per_lon, b[2] + pad / per_lon
    y0, y1 = merc_y(b[1]) - pad / per_y, merc_y(b[3]) + pad / per_y
    w, h = (lon1 - lon0) * per_lon * BASE_OVERSAMPLE, (y1 - y0) * per_y * BASE_OVERSAMPLE
    shrink = min(1.0, BASE_MAX_SIDE / max(w, h), math.sqrt(BASE_MAX_PIXELS / max(w * h, 1.0)))
    size = (max(16, round(w * shrink)), max(16, round(h * shrink)))
    url = base_image(areas, rings, th, (lon0, y0, lon1, y1), size, BASE_OVERSAMPLE * shrink * line_scale)
    # the image as one flat icon sized in metres at its centre: exactly its mercator extent (deck.gl sizes
    # metres at the icon's own latitude), and drawn by the IconLayer program the sites compile anyway
    p, s = _flat_icon(lon0, y0, lon1, y1)
    row = {"p": p, "i": "base", "s": s}
    return _layer("IconLayer", [row], stable_id("base", suffix), **ICON_LAYER_FEED, icon_atlas=_lit(url),
                  icon_mapping={"base": {"x": 0, "y": 0, "width": size[0], "height": size[1]}},
                  size_units=_lit("meters"), billboard=False, pickable=False)


def _flat_icon(lon0: float, y0: float, lon1: float, y1: float) -> tuple[list[float], float]:
    """(position, size in metres) of a flat icon covering this mercator extent exactly: deck.gl sizes
    metres at the icon's own latitude, and the width follows from the image's aspect."""
    lat_c = inv_merc_y((y0 + y1) / 2)
    height_m = (y1 - y0) * DECK_EARTH_RADIUS * math.cos(math.radians(lat_c))
    return [round((lon0 + lon1) / 2, 7), round(lat_c, 7)], round(height_m, 2)


def town_areas_layer(towns: pd.DataFrame, *, focused: bool = False, dark: bool = False,
                     suffix: str = "") -> pdk.Layer | None:
    """The town areas again, pickable (issue 18: a click on empty ground inside a township filters the
    whole app by it), drawn under the sites: one nearly transparent icon per town, shaped by its area.
    Rows carry town_code and the tooltip lines. In a town view only the other towns are offered (a miss of
    a station inside the chosen town must not drop the filter). None when no area is known, or for a view
    of more towns than MAX_TOWN_LABELS (many counties: the town bubbles are pickable there).

    Why icons, not a PolygonLayer: the base_layer reason (one IconLayer program for the whole map); the
    icon's transparent pixels are discarded when picking, so only the town's own shape is hit."""
    rows_in = [r for r in towns.itertuples(index=False)
               if isinstance(getattr(r, "area_geojson", None), str) and r.area_geojson
               and not (focused and bool(getattr(r, "selected", False)))]
    if not rows_in or len(towns) > MAX_TOWN_LABELS:
        return None
    areas = tuple((str(r.town_code), parse_area(r.area_geojson)[0]) for r in rows_in)
    url, mapping, extents = town_mask_atlas(areas)
    rows = []
    for r in rows_in:
        code = str(r.town_code)
        p, s = _flat_icon(*extents[code])
        rows.append({"town_code": code, "p": p, "i": code, "s": s, "t1": str(r.name),
                     "t2": t("map.tip_town_area"), "t3": t("map.tip_town_area_click")})
    th = theme(dark)
    return _layer("IconLayer", rows, stable_id("town_areas", suffix), **ICON_LAYER_FEED, icon_atlas=_lit(url),
                  icon_mapping=mapping, size_units=_lit("meters"), billboard=False, pickable=True,
                  alpha_cutoff=0.02, auto_highlight=True, highlight_color=[*th.focus_line[:3], 60])


def icon_bounds(layer: Mapping) -> tuple[float, float, float, float]:
    """(lon0, lat0, lon1, lat1) covered by the base image of a serialised `base_layer` (tests, checks)."""
    row = layer["data"][0]
    (lon_c, lat_c), m = row["p"], layer["iconMapping"][row["i"]]
    dy = float(row["s"]) / (DECK_EARTH_RADIUS * math.cos(math.radians(lat_c)))
    dlon = math.degrees(dy * m["width"] / m["height"])
    yc = merc_y(lat_c)
    return lon_c - dlon / 2, inv_merc_y(yc - dy / 2), lon_c + dlon / 2, inv_merc_y(yc + dy / 2)


def _town_labels(towns: pd.DataFrame, th: Theme, focused: bool, scale: float) -> list[tuple[list, str, LabelStyle]]:
    """(position, text, style) of town names at their area's centre."""
    # a view of more towns than MAX_TOWN_LABELS (many counties) is too small to read names: tooltips only
    if len(towns) > MAX_TOWN_LABELS:
        return []
    out = []
    for r in town_label_points(towns).itertuples(index=False):
        if pd.isna(r.label_lon) or pd.isna(r.label_lat):
            continue
        faded = focused and not bool(getattr(r, "selected", True))
        style = LabelStyle(px=(13 if faded else (20 if focused else 16)) * scale,
                           colour=tuple(rgba(th.label_faded if faded else th.label)),
                           halo=tuple(rgba(th.label_outline)), halo_px=2.2 * scale)
        out.append(([round_coord(r.label_lon), round_coord(r.label_lat)], str(r.name), style))
    return out


def _site_labels(sites: pd.DataFrame, th: Theme, scale: float) -> list[tuple[list, str, LabelStyle]]:
    """(position, text, style) of short names (village, institute) to go under each station."""
    style = LabelStyle(px=12 * scale, colour=tuple(rgba(th.site_label)), halo=tuple(rgba(th.label_outline)),
                       halo_px=1.8 * scale, bold=False)
    return [([round_coord(r.lon), round_coord(r.lat)], str(r.label), style)
            for r in sites.itertuples(index=False) if r.level in ("站", "所")]


def labels_layer(towns: pd.DataFrame, label_sites: pd.DataFrame | None = None, selected: Mapping | None = None,
                 *, dark: bool = False, focused: bool = False, suffix: str = "", label_scale: float = 1.0,
                 mark_scale: float = 1.0) -> pdk.Layer:
    """Everything drawn over the sites and not pickable, in one IconLayer over one atlas: the ring around
    the site shown in the detail panel, town names at their area's centre, and (`label_sites`) village
    names under their stations. Rows carry "kind" ("selected", "town" or "site"), "p", "i", "s"."""
    th = theme(dark)
    rows: list[dict] = []
    if selected is not None and not is_missing(selected.get("lon")) and not is_missing(selected.get("lat")):
        rows.append({"kind": "selected", "p": [round_coord(selected["lon"]), round_coord(selected["lat"])], "i": RING_KEY,
                     "s": round(SELECTED_SIZE * mark_scale, 1)})
    texts = [("town", x) for x in _town_labels(towns, th, focused, label_scale)]
    if label_sites is not None and len(label_sites):
        texts += [("site", x) for x in _site_labels(label_sites, th, label_scale)]
    atlas, mapping = label_atlas(tuple((text, style) for _, (_, text, style) in texts), tuple(rgba(th.selected)))
    mapping = dict(mapping)                       # the atlas is cached: anchor a copy
    for i, (kind, (pos, text, style)) in enumerate(texts):
        h = mapping[str(i)]["height"] / LABEL_OVERSAMPLE
        if kind == "site":
            # the name's top edge 9 px (× mark_scale) below the station's centre
            mapping[str(i)] = {**mapping[str(i)], "anchorY": round(-9 * mark_scale * LABEL_OVERSAMPLE, 1)}
        rows.append({"kind": kind, "text": text, "p": pos, "i": str(i), "s": round(h, 1)})
    return _layer("IconLayer", rows, stable_id("labels", suffix), **ICON_LAYER_FEED, size_units=_lit("pixels"),
                  icon_atlas=_lit(atlas), icon_mapping=mapping, billboard=True, pickable=False)


def _site_row(r: Mapping, lang: str) -> dict:
    vc = r.get("village_code")
    # the name is the tooltip's title (t1), not sent twice: a town view at ×100 resends ~50 rows per change
    return {"site_id": r["site_id"], "level": r["level"],
            "village_code": vc if isinstance(vc, str) and vc else None,
            "p": [round_coord(r["lon"]), round_coord(r["lat"])],
            "t1": r["name"], "t2": site_subtitle(r), "t3": site_lines(r, lang)}


def _icon_layer(rows: list[dict], layer_id: str, dark: bool, icons: tuple[str, ...], *, pickable: bool = True,
                highlight: int = 140, **kw) -> pdk.Layer:
    """Marks from the theme's icon atlas (only `icons`); rows carry "p" and the icon name "i"."""
    atlas, mapping = icon_atlas(dark, icons)
    if pickable:
        kw.update(auto_highlight=True, highlight_color=[255, 200, 0, highlight])
    return _layer("IconLayer", rows, layer_id, **ICON_LAYER_FEED, icon_atlas=_lit(atlas), icon_mapping=mapping,
                  billboard=True, pickable=pickable, **kw)


SYMBOL_SIZES = {"中心": 34, "所": 24, "基地": 17}   # px


def site_layer(sites: pd.DataFrame, metric: str = "activities", dark: bool = False, suffix: str = "",
               breaks: Sequence[float] | None = None, zoomed_out: bool = False, scale: float = 1.0) -> pdk.Layer:
    """Every site in one layer, bottom to top: bases (▲), village stations (●, colour and size by the
    metric, idle ones white with a red ring), institutes (◆), the county centre (★). Each row carries
    site_id, level and, for stations, village_code, plus the tooltip lines (t1 is the name). `zoomed_out` sizes the
    symbols in metres (capped in pixels) so a view of many counties does not drown in symbols.

    One layer rather than one per level: in a GPU-less browser every layer costs ~0.1 s more before the
    first frame, whatever it holds."""
    lang = current_lang()
    recs = sites.to_dict("records") if len(sites) else []
    stations = [r for r in recs if r["level"] == "站"]
    if breaks is None:
        breaks = class_breaks([r.get(metric, 0) for r in stations])
    vmax = max([float(r.get(metric, 0) or 0) for r in stations] or [0.0])
    rows = []
    for level in ("基地", "站", "所", "中心"):
        for r in recs:
            if r["level"] != level:
                continue
            row = _site_row(r, lang)
            if level == "站":
                row["i"], row["s"] = station_style(float(r.get(metric, 0) or 0), bool(r.get("idle")), breaks, vmax)
            else:
                row["i"] = ICON_OF_LEVEL[level]
                row["s"] = SYMBOL_SIZES[level] * (160 if zoomed_out else 1)
            rows.append(row)
    size_kw: dict[str, Any] = ({"size_units": _lit("meters"), "size_min_pixels": 5, "size_max_pixels": 34 * scale} if zoomed_out
               else {"size_units": _lit("pixels"), "size_scale": scale})
    return _icon_layer(rows, stable_id("sites", suffix), dark, SITE_ICONS, **size_kw)


def context_layer(context: pd.DataFrame, dark: bool = False, suffix: str = "", scale: float = 1.0) -> pdk.Layer:
    """Other towns' sites, faint, with their own id (pickable: a click opens their detail too)."""
    rows = []
    for r in (context.to_dict("records") if len(context) else []):
        # site_id (a click opens its detail) and the tooltip: no name or village code, which nothing reads
        # here (the tooltip's t1 is the name) — a town view at ×100 sends ~300 of these rows per change
        rows.append({"site_id": r["site_id"],
                     "p": [round_coord(r["lon"]), round_coord(r["lat"])], "i": "ctx", "t1": r["name"],
                     "t2": " · ".join([tv("level", r["level"]), str(r.get("town_name") or "")]),
                     "t3": t("map.tip_context"), "s": 6})
    return _icon_layer(rows, stable_id("context", suffix), dark, ("ctx",), size_units=_lit("pixels"), size_scale=scale)


def town_totals_layer(towns: pd.DataFrame, metric: str = "activities", dark: bool = False,
                      suffix: str = "", scale: float = 1.0) -> pdk.Layer:
    """One bubble per town (the zoomed-out view of a large network): size by the metric, colour by the
    share of idle stations."""
    lang = current_lang()
    tw = town_label_points(towns)
    tw = tw[tw["sites"] > 0] if "sites" in tw else tw
    vmax = float(tw[metric].max()) if len(tw) else 0.0
    rows = []
    for r in tw.to_dict("records"):
        share = (r["idle_stations"] / r["stations"]) if r.get("stations") else 0.0
        cls = min(int(share * 5), 4)
        radius = 700 + 2600 * math.sqrt(float(r[metric]) / vmax) if vmax > 0 else 700   # metres
        rows.append({"town_code": r["town_code"], "p": [round_coord(r["label_lon"]), round_coord(r["label_lat"])],
                     "i": f"t{4 - cls}", "s": round(2 * radius, 1), "t1": str(r["name"]), "t2": t("map.tip_town_totals"),
                     "t3": t("map.tip_town_lines", stations=int(r["stations"]), idle=int(r["idle_stations"]),
                             activities=fmt.num(r["activities"], lang),
                             beneficiaries=fmt.num(r["beneficiaries"], lang))})
    return _icon_layer(rows, stable_id("town_totals", suffix), dark, tuple(f"t{i}" for i in range(N_CLASSES)),
                       size_units=_lit("meters"), size_min_pixels=4, size_max_pixels=52 * scale)


def density_layer(points: pd.DataFrame, metric: str = "activities", dark: bool = False, suffix: str = "",
                  radius_m: int = 1600) -> pdk.Layer:
    """Hexagon density of the metric (sum per cell), aggregated in the browser from compact points."""
    th = theme(dark)
    rows = [{"p": [round_coord(x), round_coord(y)], "w": float(w)}
            for x, y, w in zip(points["lon"], points["lat"], points[metric])
            if w and w > 0 and not (pd.isna(x) or pd.isna(y))] if len(points) else []
    return _layer("HexagonLayer", rows, stable_id("density", suffix), get_position="p", get_color_weight="w",
                  color_aggregation=_lit("SUM"), get_elevation_weight="w", elevation_aggregation=_lit("SUM"),
                  radius=radius_m, coverage=0.94, extruded=False, opacity=0.8,
                  color_range=[list(c) for c in th.hex_range], pickable=False)


def link_layer(sites: pd.DataFrame, dark: bool = False, suffix: str = "", scale: float = 1.0) -> pdk.Layer:
    """Lines from each institute to its village stations (and from the centre to the institutes)."""
    th = theme(dark)
    pos = {r.site_id: (r.lon, r.lat, r.level) for r in sites.itertuples(index=False)}
    rows = []
    for r in sites.itertuples(index=False):
        parent = pos.get(r.parent_site_id) if isinstance(r.parent_site_id, str) else None
        if parent is None:
            continue
        if (r.level == "站" and parent[2] == "所") or (r.level == "所" and parent[2] == "中心"):
            rows.append({"s": [round_coord(parent[0]), round_coord(parent[1])], "t": [round_coord(r.lon), round_coord(r.lat)],
                         "w": 1.0 if r.level == "站" else 2.2})
    return _layer("LineLayer", rows, stable_id("links", suffix), get_source_position="s", get_target_position="t",
                  get_color=list(th.links), get_width="w", width_units=_lit("pixels"), width_scale=scale,
                  pickable=False)
