"""文明实践阵地地图: the offline map of the practice network, with drill-down and a sortable table.

URL: /stations?town=夏店镇&site=S-140423103200&metric=beneficiaries. Layers come from civic/map/maps.py; data
from queries/map_*.sql. The selected site lives in session state (key "map_site") and the URL (`site=`);
the map, the table, the ranking and the idle list all set it. Each of those widgets is reset (new layer-id
suffix or widget key) when the site is chosen elsewhere, so no stale highlight contradicts the detail panel.
"""
import re
from functools import partial
from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from civic import measures
from civic.app import export, plot, shell
from civic.app.filters import UrlParam, load_page_params
from civic.figures import charts
from civic.map import maps
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_text

COUNTY = "140423"
SITE_KEY = "map_site"
MAP_KEY = "stations_map"
TABLE_KEY = "map_table"
TABLE_IDLE_KEY = "map_table_idle"
SOURCES = ("map", "table", "rank", "idle")
# generated ids (S-140423100200) and the importer's (ingest._new_site_id: I-IMP-0123456789)
SITE_ID_RE = re.compile(r"[SICB]-(?:[0-9]{6}[0-9-]{0,10}|IMP-[0-9a-f]{10})")
MAP_HEIGHT = 600

ss = st.session_state
f = shell.filters()
lang = shell.lang()
params = f.params(COUNTY)
focused = bool(params["towns"])


# ── selection state ─────────────────────────────────────────────────────────────────────────
def _epochs() -> dict:
    return ss.setdefault("_map_epochs", {s: 0 for s in SOURCES})


def _set_site(site_id, source: str) -> None:
    """Choose the site shown in the detail panel; reset the other pickers' own highlights."""
    ss[SITE_KEY] = site_id
    ep = _epochs()
    for s in SOURCES:
        if s != source:
            ep[s] += 1


def _on_map() -> None:
    p = maps.picked(ss.get(MAP_KEY))
    if p is not None and p.site_id:        # a click on empty ground or a town bubble keeps the detail
        _set_site(p.site_id, "map")


def _on_frame(key: str, ids_key: str, source: str) -> None:
    state = ss.get(key)
    rows = list(getattr(getattr(state, "selection", None), "rows", None) or [])
    ids = ss.get(ids_key) or []
    if rows and 0 <= rows[0] < len(ids):
        _set_site(ids[rows[0]], source)


def _site_ok(value: str) -> bool:
    return bool(SITE_ID_RE.fullmatch(value)) and not queries.run("map_site", site=value, **params).empty


# the scope changed (another town): widgets drop their old picks; a site outside the new scope closes
scope = tuple(params["towns"])
if ss.get("_map_scope", scope) != scope:
    ep = _epochs()
    for s in SOURCES:
        ep[s] += 1
    current = ss.get(SITE_KEY)
    if current and scope:
        row = queries.run("map_site", site=current, **params)
        if row.empty or row.town_code.iloc[0] not in scope:
            ss[SITE_KEY] = None
ss["_map_scope"] = scope

site_param = UrlParam("site", SITE_KEY, allowed=_site_ok)
metric_param = UrlParam("metric", "map_metric", allowed=maps.METRICS, default="activities")
load_page_params(site_param, metric_param)

# ── data ────────────────────────────────────────────────────────────────────────────────────
summary = queries.run("map_summary", **params).iloc[0]
shell.page_header("map.title", "map.caption", approx=int(summary.approximate_sites) > 0)

sites = queries.run("map_sites", **params)
towns = queries.run("map_towns", **params)
context = queries.run("map_context", **params) if focused else None
outline = maps.outlines(towns.county_code.unique())
site_id = ss.get(SITE_KEY)
site = queries.run("map_site", site=site_id, **params) if site_id else None
site_row = site.iloc[0].to_dict() if site is not None and not site.empty else None

# ── headline numbers ────────────────────────────────────────────────────────────────────────
def _kpis() -> None:
    """Headline numbers as a wrapping strip (values never truncate in a narrow column)."""
    share = (lambda n: fmt.pct(n / summary.stations)) if summary.stations else (lambda n: "—")
    items = [
        (t("map.kpi_stations"), fmt.integer(summary.stations), "", t("map.kpi_stations_help"), None),
        (t("map.kpi_active"), fmt.integer(summary.active_stations), t("map.kpi_active_share",
                                                                      pct=share(summary.active_stations)),
         t("map.kpi_active_help"), None),
        (t("map.kpi_idle"), fmt.integer(summary.idle_stations), t("map.kpi_idle_share",
                                                                  pct=share(summary.idle_stations)),
         t("map.kpi_idle_help"), charts.BAD if summary.idle_stations else None),
        (t("map.kpi_activities"), fmt.num(summary.activities, lang), "", t("map.kpi_activities_help"), None),
        (t("map.kpi_beneficiaries"), fmt.num(summary.beneficiaries, lang), "", "", None),
        (t("map.kpi_network"), f"{int(summary.institutes)} / {int(summary.bases)}", "",
         t("map.kpi_network_help", c=int(summary.centres), i=int(summary.institutes), b=int(summary.bases)), None),
    ]
    cells = []
    for label, value, sub, tip, colour in items:
        sub_html = f'<span style="font-size:12px;color:{colour or charts.MUTED};margin-left:6px">{escape(sub)}</span>' \
            if sub else ""
        cells.append(
            f'<div title="{escape(tip)}" style="flex:1 1 118px;min-width:118px;padding:6px 10px;'
            f'border:1px solid #E3E8EE;border-radius:8px;background:#FFFFFF">'
            f'<div style="font-size:12.5px;color:#5B6B7B;white-space:nowrap">{escape(label)}</div>'
            f'<div style="font-size:24px;font-weight:700;line-height:1.25;color:{colour or "#1D2733"};'
            f'white-space:nowrap">{escape(value)}{sub_html}</div></div>')
    st.html(f'<div style="display:flex;flex-wrap:wrap;gap:8px;font-family:{maps.FONT_FAMILY}">{"".join(cells)}</div>')


left, right = st.columns([3, 2], gap="medium")

# ── controls ────────────────────────────────────────────────────────────────────────────────
with left:
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium", key="map_controls"):
        st.segmented_control(t("map.metric_label"), list(maps.METRICS), key="map_metric", required=True,
                             format_func=lambda m: t(f"map.metric.{m}"))
        density = st.toggle(t("map.layer_density"), key="map_density", help=t("map.layer_density_help"))
        links = st.toggle(t("map.layer_links"), key="map_links", help=t("map.layer_links_help"))
        show_context = st.toggle(t("map.layer_context"), key="map_context", value=True, disabled=not focused,
                                 help=t("map.layer_context_help"))
metric_param.store()
metric = ss.get("map_metric") or "activities"

if sites.empty:
    shell.no_data()
    site_param.store()
    st.stop()

# ── map and detail ──────────────────────────────────────────────────────────────────────────
ep = _epochs()
sm = maps.station_map(sites, towns, context, outline, metric=metric, focused=focused, selected=site_row,
                      density=density, links=links, show_context=show_context,
                      suffix=str(ep["map"]) if ep["map"] else "")
with left:
    st.pydeck_chart(sm.deck, on_select=_on_map, selection_mode="single-object", key=MAP_KEY, height=MAP_HEIGHT)
    st.html(maps.legend_html(metric, sm.breaks, aggregated=sm.aggregated, lang=lang))
    if int(summary.approximate_sites) > 0:
        st.caption(t("map.approx_notice", n=fmt.integer(summary.approximate_sites)))
    else:
        st.caption(t("map.imported_notice"))
    if sm.aggregated:
        st.caption(t("map.aggregated_notice", n=fmt.integer(sm.n_sites), max=fmt.integer(maps.MAX_POINTS)))


def _text_px(words) -> int:
    """A grid column just wide enough for the longest of `words` at the grid's 14 px font (CJK ~14 px, Latin
    ~7.6 px a character) plus its padding, so a narrow panel's columns are not cut."""
    longest = max((sum(14 if ord(ch) >= 0x2E80 else 7.6 for ch in str(w)) for w in words), default=40)
    return int(longest) + 26


def _own_title(title: str, site_name: str) -> str:
    """A title or team name without the leading place name of the site the panel is about
    ("永安社区·书香阅读分享会" → "书香阅读分享会", "永安社区文艺志愿服务队" → "文艺志愿服务队")."""
    title = str(title)
    head, sep, rest = title.partition("·")
    if sep and rest and site_name.startswith(head):
        return rest
    place = site_name.split("新时代")[0]
    return title[len(place):] if place and title.startswith(place) and len(title) > len(place) + 1 else title


def _detail(s: dict) -> None:
    st.subheader(md_text(s["name"]))
    bits = [tv("level", s["level"])]
    if isinstance(s.get("town_name"), str):
        bits.append(md_text(s["town_name"]))
    if isinstance(s.get("village_code"), str):
        bits.append(t("map.detail_village_code", code=md_text(s["village_code"])))
    if isinstance(s.get("base_kind"), str):
        bits.append(t(f"map.base_kind.{s['base_kind']}"))
    if isinstance(s.get("parent_name"), str):
        bits.append(t("map.detail_parent", name=md_text(s["parent_name"])))
    st.caption(" · ".join(bits))
    if focused and s.get("town_code") not in params["towns"]:
        st.info(t("map.outside_scope"))
    if s.get("idle"):
        st.warning(t("map.detail_idle", date=fmt.day(s.get("last_activity"), lang)
                     if s.get("last_activity") is not None and str(s.get("last_activity")) != "NaT" else t("map.none")))
    m = st.columns(3)
    window = measures.Window(f.date_from, f.date_to)     # tooltips: what is counted, over which days
    m[0].metric(t("map.detail_activities"), fmt.num(s["activities"], lang),
                help=measures.window_tile("site_activities", s["activities"], window, lang).help)
    m[1].metric(t("map.detail_beneficiaries"), fmt.num(s["beneficiaries"], lang),
                help=measures.window_tile("site_beneficiaries", s["beneficiaries"], window, lang).help)
    m[2].metric(t("map.detail_teams"), fmt.integer(s["teams"]),
                help=measures.state_tile("site_teams", s["teams"], f.anchor, lang,
                                         n=fmt.integer(s["team_members"])).help)

    q = dict(site=s["site_id"], **params)
    monthly = queries.run("map_site_monthly", **q)
    if not monthly.empty:
        fig = go.Figure(go.Scatter(
            x=monthly.month, y=monthly[metric], mode="lines+markers", line=dict(color=charts.PALETTE[0], width=2),
            marker=dict(size=5, color=[charts.PALETTE[0] if w else charts.MUTED for w in monthly.in_window]),
            fill="tozeroy", fillcolor="rgba(31,111,178,0.10)",
            hovertemplate="%{x|%Y-%m}<br>%{y:,}<extra></extra>"))
        fig.update_xaxes(tickformat="%Y-%m", nticks=6)
        fig.update_yaxes(rangemode="tozero", nticks=4)
        fig.update_layout(margin=dict(l=4, r=4, t=32, b=4), showlegend=False)
        plot.show(fig, key="map_spark", title=t(f"map.spark_title_{metric}"), height=170)

    mix = queries.run("map_site_mix", **q)
    if not mix.empty:
        fig = go.Figure(go.Bar(
            x=mix[metric], y=[tv("service_type", x) for x in mix.service_type], orientation="h",
            marker_color=[charts.SERVICE_COLORS.get(x, charts.MUTED) for x in mix.service_type],
            text=mix[metric], textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x:,}<extra></extra>"))
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(range=[0, float(mix[metric].max()) * 1.2], showticklabels=False)
        fig.update_layout(margin=dict(l=4, r=4, t=32, b=4))
        plot.show(fig, key="map_mix", title=t("map.mix_title"), height=60 + 30 * len(mix))

    if s["level"] in ("所", "中心"):
        rank = queries.run("map_site_ranking", **q)
        if not rank.empty:
            title = "map.ranking_title_institute" if s["level"] == "所" else "map.ranking_title_centre"
            st.markdown(f"**{t(title)}**")
            ss["_map_rank_ids"] = list(rank.site_id)
            key = f"map_rank_{_epochs()['rank']}"
            st.dataframe(
                rank.assign(last_activity=[fmt.iso_day(d) for d in rank.last_activity])[
                    ["label", "activities", "beneficiaries", "last_activity", "idle"]], hide_index=True,
                width="stretch", height=min(36 + 35 * len(rank), 320), key=key, selection_mode="single-row",
                on_select=partial(_on_frame, key, "_map_rank_ids", "rank"),
                column_config={
                    "label": st.column_config.TextColumn(t("map.col_name")),
                    "activities": st.column_config.ProgressColumn(
                        t("map.col_activities"), format="%d", min_value=0,
                        max_value=int(max(rank.activities.max(), 1))),
                    "beneficiaries": st.column_config.NumberColumn(t("map.col_beneficiaries"), format="%d"),
                    "last_activity": st.column_config.TextColumn(t("map.col_last")),
                    "idle": st.column_config.CheckboxColumn(t("map.col_idle"), width="small"),
                })
            st.caption(t("map.ranking_hint"))

    st.markdown(f"**{t('map.recent_title')}**")
    recent = queries.run("map_site_recent", **q)
    if recent.empty:
        st.caption(t("map.recent_none"))
    else:
        # the panel is ~320 px wide at 1366×768, so its tables keep what fits without a cut: the date drops
        # the year inside one calendar year, titles drop the site's own name ("永安社区·"), the type column is
        # as wide as its longest word, and per-activity beneficiaries are left to the site list and the
        # volunteer page (the panel's headline gives the site's total)
        one_year = f.date_from.year == f.date_to.year
        types = [tv("service_type", x) for x in recent.service_type]
        st.dataframe(
            recent.assign(service_type=types, title=[_own_title(x, s["name"]) for x in recent.title])[
                ["activity_date", "title", "service_type"]],
            hide_index=True, width="stretch", height=min(36 + 35 * len(recent), 250),
            column_config={
                "activity_date": st.column_config.DateColumn(t("map.col_date"), format="MM-DD" if one_year else
                                                             "YYYY-MM-DD", width=58 if one_year else 96),
                "title": st.column_config.TextColumn(t("map.col_title")),
                "service_type": st.column_config.TextColumn(t("map.col_service_type"), width=_text_px(types)),
            })

    st.markdown(f"**{t('map.teams_title')}**")
    teams = queries.run("map_site_teams", **q)
    if teams.empty:
        st.caption(t("map.teams_none"))
    else:
        # no type column: the name says it (小队 / 服务队), and English types would push the numbers out
        st.dataframe(
            teams.assign(name=[_own_title(x, s["name"]) for x in teams.name])[["name", "members", "activities"]],
            hide_index=True, width="stretch", height=min(36 + 35 * len(teams), 250),
            column_config={
                "name": st.column_config.TextColumn(t("map.col_team")),
                "members": st.column_config.NumberColumn(t("map.col_members"), format="%d",
                                                         width=_text_px([t("map.col_members")])),
                "activities": st.column_config.NumberColumn(t("map.short.col_activities"), format="%d",
                                                            width=_text_px([t("map.short.col_activities")])),
            })
    st.button(t("map.clear"), key="map_clear", on_click=_set_site, args=(None, "button"))


def _on_idle(key: str) -> None:
    if ss.get(key):
        _set_site(ss[key], "idle")


def _open_idle_table() -> None:
    ss[TABLE_KEY] = True
    ss[TABLE_IDLE_KEY] = True


def _idle_chips(idle_all: pd.DataFrame) -> None:
    """The stations idle longest as chips (a click opens one); no grid here: a data grid on the first
    paint costs a GPU-less browser ~0.5 s (docs/map.md), and the whole list is one click away in the table."""
    chips = idle_all.head(maps.IDLE_CHIPS)
    labels = dict(zip(chips.site_id, maps.idle_chip_labels(chips)))
    key = f"map_idle_{_epochs()['idle']}"
    st.pills(t("map.idle_pick"), list(labels), format_func=labels.get, key=key, on_change=_on_idle,
             args=(key,), label_visibility="collapsed")
    if len(chips) < len(idle_all):
        st.caption(t("map.idle_truncated", shown=fmt.integer(len(chips)), n=fmt.integer(len(idle_all))))
    st.button(t("map.idle_open_table", n=fmt.integer(len(idle_all))), key="map_idle_all", type="tertiary",
              on_click=_open_idle_table)


with right:
    _kpis()
    with st.container(border=True, key="map_detail"):
        if site_row is not None:
            _detail(site_row)
        else:
            st.markdown(f"**{t('map.detail_heading')}**")
            st.caption(t("map.detail_empty"))
            idle_all = queries.run("map_idle_stations", **params)
            st.markdown(f"**{t('map.idle_heading', n=fmt.integer(len(idle_all)))}**")
            if idle_all.empty:
                st.caption(t("map.idle_none"))
            else:
                _idle_chips(idle_all)

site_param.store()

# ── table (on demand) ───────────────────────────────────────────────────────────────────────
# Collapsed by default and built only when open (on_change="rerun"): the map is the page's first paint,
# and a data grid there costs a GPU-less browser ~0.5 s (docs/map.md "First paint").
# The table's columns and headers, on screen and in its downloads alike (idle reads 是/否 in a file).
TABLE_COLS = [
    export.Col("name", "map.col_name", width="medium"),
    export.Col("level", "map.col_level", width="small"),
    export.Col("town_name", "map.col_town", width="small"),
    export.Col("village_code", "map.col_village_code"),
    export.Col("activities", "map.col_activities", "int"),
    export.Col("beneficiaries", "map.col_beneficiaries", "int"),
    export.Col("last_activity", "map.col_last"),
    export.Col("idle", "map.col_idle", "bool", width="small"),
    export.Col("teams", "map.col_teams", "int", width="small"),
    export.Col("site_id", "map.col_site_id"),
]
TABLE_COLUMNS = [c.name for c in TABLE_COLS]
table_box = st.expander(t("map.table_open", n=fmt.integer(len(sites))), key=TABLE_KEY, on_change="rerun")
idle_only = False                  # the table's switch; the export below follows it
with table_box:
    if table_box.open:
        st.caption(t("map.table_caption"))
        idle_only = st.toggle(t("map.table_idle_only"), key=TABLE_IDLE_KEY)
        in_table = maps.table_sites(sites, idle_only=idle_only)
        shown = maps.top_rows(in_table, maps.TABLE_ROWS, by=metric)
        if len(shown) < len(in_table):
            st.caption(t("map.table_truncated", total=fmt.integer(len(in_table)), shown=fmt.integer(len(shown)),
                         metric=t(f"map.metric.{metric}")))
        table = shown.assign(level=[tv("level", x) for x in shown.level], village_code=shown.village_code.fillna("—"),
                             last_activity=[fmt.iso_day(d) for d in shown.last_activity])[TABLE_COLUMNS]
        ss["_map_table_ids"] = list(shown.site_id)
        key = f"stations_table_{_epochs()['table']}"
        st.dataframe(
            table, hide_index=True, width="stretch", height=min(36 + 35 * len(table), 420), key=key,
            selection_mode="single-row", on_select=partial(_on_frame, key, "_map_table_ids", "table"),
            column_config=export.column_config(TABLE_COLS))


def _export_frame(idle_only: bool):
    """Every site in scope (not only the rows shown; idle stations only while the table says so), built when
    a download button is clicked."""
    full = maps.table_sites(sites, idle_only=idle_only)
    return full.assign(level=[tv("level", x, lang) for x in full.level])


export.download_buttons(partial(_export_frame, idle_only),
                        f"stations{'_idle' if idle_only else ''}_{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}",
                        key="map_export", columns=TABLE_COLS)
