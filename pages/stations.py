"""文明实践阵地地图: the offline map of the practice network, with drill-down and a sortable table.

URL: /stations?town=夏店镇&site=S-140423103200&metric=beneficiaries. Layers come from civic/map/maps.py; data
from queries/map_*.sql. The selected site lives in session state (key "map_site") and the URL (`site=`);
the map, the table, the ranking and the idle list all set it. Each of those widgets is reset (new layer-id
suffix or widget key) when the site is chosen elsewhere, so no stale highlight contradicts the detail panel.
"""
import re

import streamlit as st

from civic import domain
from civic.app import crossfilter, head, shell
from civic.app import stations_parts as parts
from civic.app.briefing_button import briefing_button
from civic.app.filters import UrlParam, load_page_params
from civic.map import maps
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t

COUNTY = domain.XIANGYUAN
SITE_KEY = parts.SITE_KEY
MAP_KEY = "stations_map"
# generated ids (S-140423100200) and the importer's (civic/importer/write.py _new_site_id: I-IMP-0123456789)
SITE_ID_RE = re.compile(r"[SICB]-(?:[0-9]{6}[0-9-]{0,10}|IMP-[0-9a-f]{10})")
MAP_HEIGHT = 600
# a phone (390 px wide, .75rem margins: civic/app/head.py) gets a view fitted to its width, and a shorter map
# (the county is wider than tall) so the detail panel below it starts on the first screen
PHONE_MAP = (360, 380)

ss = st.session_state
f = shell.filters()
lang = shell.lang()
params = f.params(COUNTY)
focused = bool(params["towns"])
selection = parts.SiteSelection()
map_size = PHONE_MAP if head.is_phone() else (560, MAP_HEIGHT)


def _on_map() -> None:
    p = maps.picked(ss.get(MAP_KEY))
    if p is not None and p.site_id:        # a click on empty ground keeps the detail
        selection.set_site(p.site_id, "map")
    elif p is not None:                    # a township's bubble: the township filter, app-wide
        crossfilter.town_click(str((p.obj or {}).get("town_code") or "") or None)


def _site_ok(value: str) -> bool:
    return bool(SITE_ID_RE.fullmatch(value)) and not queries.run("map_site", site=value, **params).empty


# the scope changed (another town): widgets drop their old picks; a site outside the new scope closes
scope = tuple(params["towns"])
if ss.get("_map_scope", scope) != scope:
    selection.reset_all()
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
briefing_button(small=True)

sites = queries.run("map_sites", **params)
site_id = ss.get(SITE_KEY)
site = queries.run("map_site", site=site_id, **params) if site_id else None
site_row = site.iloc[0].to_dict() if site is not None and not site.empty else None

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
# built once per (data version, filters, layers, selection, size) for every session (civic/app/memo.py)
sm = parts.station_map(params, metric=metric, selected=site_row, density=density, links=links,
                       show_context=show_context, suffix=selection.map_suffix(), viewport=map_size)
with left:
    st.pydeck_chart(sm.deck, on_select=_on_map, selection_mode="single-object", key=MAP_KEY, height=map_size[1])
    crossfilter.chip(shell.town_index())
    st.html(maps.legend_html(metric, sm.breaks, aggregated=sm.aggregated, lang=lang))
    if int(summary.approximate_sites) > 0:
        st.caption(t("map.approx_notice", n=fmt.integer(summary.approximate_sites)))
    else:
        st.caption(t("map.imported_notice"))
    if sm.aggregated:
        st.caption(t("map.aggregated_notice", n=fmt.integer(sm.n_sites), max=fmt.integer(maps.MAX_POINTS)))


with right:
    parts.kpi_strip(summary, lang)
    with st.container(border=True, key="map_detail"):
        if site_row is not None:
            parts.detail(site_row, params, metric, selection, f.date_from, f.date_to, f.anchor, lang)
        else:
            st.markdown(f"**{t('map.detail_heading')}**")
            st.caption(t("map.detail_empty"))
            idle_all = queries.run("map_idle_stations", **params)
            st.markdown(f"**{t('map.idle_heading', n=fmt.integer(len(idle_all)))}**")
            if idle_all.empty:
                st.caption(t("map.idle_none"))
            else:
                parts.idle_chips(idle_all, selection)

site_param.store()

# ── table (on demand) ───────────────────────────────────────────────────────────────────────
# Collapsed by default and built only when open (on_change="rerun"): the map is the page's first paint,
# and a data grid there costs a GPU-less browser ~0.5 s (docs/map.md "First paint").
table_box = st.expander(t("map.table_open", n=fmt.integer(len(sites))), key=parts.TABLE_KEY, on_change="rerun")
idle_only = False                  # the table's switch; the export below follows it
with table_box:
    if table_box.open:
        idle_only = parts.site_table(sites, metric, selection, lang)
parts.table_downloads(sites, idle_only, f"stations{'_idle' if idle_only else ''}_{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}",
                      lang)
