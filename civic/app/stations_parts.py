"""The map page's selection, headline strip, detail panel, idle chips and site table (pages/stations.py lays
them out).

The selected site lives in session state (key "map_site") and the URL (`site=`); the map, the table, the
ranking and the idle chips all set it. Each of them is a widgets.Selectable: when the site is chosen
elsewhere, the others get a fresh key (the map a fresh layer-id suffix), so no stale highlight contradicts
the detail panel.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from html import escape
from typing import Any

import pandas as pd
import streamlit as st

from civic import measures
from civic.app import export, memo, plot
from civic.app.export import Col
from civic.app.widgets import Selectable, present
from civic.figures import charts
from civic.figures import stations as sf
from civic.map import maps
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_text

SITE_KEY = "map_site"
TABLE_KEY = "map_table"
TABLE_IDLE_KEY = "map_table_idle"

# The site table's columns and headers, on screen and in its downloads alike (idle reads 是/否 in a file).
TABLE_COLS = [Col("name", "map.col_name", width="medium"), Col("level", "map.col_level", "value", width="small",
                                                               domain="level"),
              Col("town_name", "map.col_town", width="small"), Col("village_code", "map.col_village_code", missing="—"),
              Col("activities", "map.col_activities", "int"), Col("beneficiaries", "map.col_beneficiaries", "int"),
              Col("last_activity", "map.col_last"), Col("idle", "map.col_idle", "bool", width="small"),
              Col("teams", "map.col_teams", "int", width="small"), Col("site_id", "map.col_site_id")]


class SiteSelection:
    """The four pickers of the selected site; choosing in one resets the others."""

    def __init__(self) -> None:
        self.pickers = {"map": Selectable("map_layer", "_map_epoch_map"),
                        "table": Selectable("stations_table", "_map_epoch_table"),
                        "rank": Selectable("map_rank", "_map_epoch_rank"),
                        "idle": Selectable("map_idle", "_map_epoch_idle")}

    def map_suffix(self) -> str:
        n = self.pickers["map"].generation
        return str(n) if n else ""

    def set_site(self, site_id: str | None, source: str) -> None:
        st.session_state[SITE_KEY] = site_id
        for name, picker in self.pickers.items():
            if name != source:
                picker.reset()

    def reset_all(self) -> None:
        for picker in self.pickers.values():
            picker.reset()

    def on_rows(self, source: str, ids_key: str) -> Callable[[], None]:
        """on_select of a table whose row `i` is the site st.session_state[ids_key][i]."""
        def callback() -> None:
            rows = [p["row"] for p in self.pickers[source].points() if "row" in p]
            ids = st.session_state.get(ids_key) or []
            if rows and 0 <= rows[0] < len(ids):
                self.set_site(ids[rows[0]], source)
        return callback


MAP_PARAMS = ("towns", "date_from", "date_to", "as_of")     # what the map's queries read


def station_map(params: dict[str, Any], **options: Any) -> maps.StationMap:
    """The page's map (maps.station_map, `options` its keywords), built once per (filters, options, language,
    data version) for every session (civic/app/memo.py), its deck serialised once (maps.FrozenDeck). Keyed
    by the queries' parameters, which is all the builder reads besides the data version in the key: a key
    over the frames themselves pickled ~1 MB of town areas on every rerun at ×100."""
    return memo.shared_sized(_build_map, maps.map_bytes, {k: params[k] for k in MAP_PARAMS}, **options)


def _build_map(params: dict[str, Any], **options: Any) -> maps.StationMap:
    focused = bool(params["towns"])
    sites = queries.run("map_sites", **params)
    towns = maps.with_areas(queries.run("map_towns", **params), queries.run("map_town_areas"))
    context = queries.run("map_context", **params) if focused else None
    outline = maps.outlines(towns.county_code.unique())
    return maps.frozen_station_map(sites, towns, context, outline, focused=focused, **options)


def kpi_strip(summary: Any, lang: str) -> None:
    """Headline numbers as a wrapping strip (values never truncate in a narrow column)."""
    def share(n: Any) -> str:
        return fmt.pct(n / summary.stations) if summary.stations else "—"
    items = [
        (t("map.kpi_stations"), fmt.integer(summary.stations), "", t("map.kpi_stations_help"), None),
        (t("map.kpi_active"), fmt.integer(summary.active_stations),
         t("map.kpi_active_share", pct=share(summary.active_stations)), t("map.kpi_active_help"), None),
        (t("map.kpi_idle"), fmt.integer(summary.idle_stations), t("map.kpi_idle_share", pct=share(summary.idle_stations)),
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


def text_px(words: Iterable[Any]) -> int:
    """A grid column just wide enough for the longest of `words` at the grid's 14 px font (CJK ~14 px, Latin
    ~7.6 px a character) plus its padding, so a narrow panel's columns are not cut."""
    longest = max((sum(14 if ord(ch) >= 0x2E80 else 7.6 for ch in str(w)) for w in words), default=40)
    return int(longest) + 26


def own_title(title: Any, site_name: str) -> str:
    """A title or team name without the leading place name of the site the panel is about
    ("永安社区·书香阅读分享会" → "书香阅读分享会", "永安社区文艺志愿服务队" → "文艺志愿服务队")."""
    title = str(title)
    head, sep, rest = title.partition("·")
    if sep and rest and site_name.startswith(head):
        return rest
    place = site_name.split("新时代")[0]
    return title[len(place):] if place and title.startswith(place) and len(title) > len(place) + 1 else title


# ── the detail panel ────────────────────────────────────────────────────────────────────────────
def _detail_head(s: dict, outside: bool, window: measures.Window, anchor: date, lang: str) -> None:
    st.subheader(md_text(s["name"]))
    bits = [tv("level", s["level"])]
    for key, text in (("town_name", lambda v: md_text(v)),
                      ("village_code", lambda v: t("map.detail_village_code", code=md_text(v))),
                      ("base_kind", lambda v: t(f"map.base_kind.{v}")),
                      ("parent_name", lambda v: t("map.detail_parent", name=md_text(v)))):
        if isinstance(s.get(key), str):
            bits.append(text(s[key]))
    st.caption(" · ".join(bits))
    if outside:
        st.info(t("map.outside_scope"))
    if s.get("idle"):
        last = s.get("last_activity")
        st.warning(t("map.detail_idle", date=fmt.day(last, lang) if last is not None and str(last) != "NaT"
                     else t("map.none")))
    m = st.columns(3)      # tooltips: what is counted, over which days
    m[0].metric(t("map.detail_activities"), fmt.num(s["activities"], lang),
                help=measures.window_tile("site_activities", s["activities"], window, lang).help)
    m[1].metric(t("map.detail_beneficiaries"), fmt.num(s["beneficiaries"], lang),
                help=measures.window_tile("site_beneficiaries", s["beneficiaries"], window, lang).help)
    m[2].metric(t("map.detail_teams"), fmt.integer(s["teams"]),
                help=measures.state_tile("site_teams", s["teams"], anchor, lang, n=fmt.integer(s["team_members"])).help)


def _ranking(s: dict, q: dict[str, Any], selection: SiteSelection) -> None:
    """A centre's or institute's sites below it, ranked; a click opens one."""
    rank = queries.run("map_site_ranking", **q)
    if rank.empty:
        return
    st.markdown(f"**{t('map.ranking_title_institute' if s['level'] == '所' else 'map.ranking_title_centre')}**")
    st.session_state["_map_rank_ids"] = list(rank.site_id)
    st.dataframe(rank.assign(last_activity=[fmt.iso_day(d) for d in rank.last_activity])[
                     ["label", "activities", "beneficiaries", "last_activity", "idle"]], hide_index=True,
                 width="stretch", height=min(36 + 35 * len(rank), 320), key=selection.pickers["rank"].key,
                 selection_mode="single-row", on_select=selection.on_rows("rank", "_map_rank_ids"),
                 column_config={
                     "label": st.column_config.TextColumn(t("map.col_name")),
                     "activities": st.column_config.ProgressColumn(
                         t("map.col_activities"), format="%d", min_value=0, max_value=int(max(rank.activities.max(), 1))),
                     "beneficiaries": st.column_config.NumberColumn(t("map.col_beneficiaries"), format="%d"),
                     "last_activity": st.column_config.TextColumn(t("map.col_last")),
                     "idle": st.column_config.CheckboxColumn(t("map.col_idle"), width="small")})
    st.caption(t("map.ranking_hint"))


def _recent_and_teams(s: dict, q: dict[str, Any], one_year: bool) -> None:
    # the panel is ~320 px wide at 1366×768, so its tables keep what fits without a cut: the date drops
    # the year inside one calendar year, titles drop the site's own name ("永安社区·"), the type column is
    # as wide as its longest word, and per-activity beneficiaries are left to the site list and the
    # volunteer page (the panel's headline gives the site's total)
    st.markdown(f"**{t('map.recent_title')}**")
    recent = queries.run("map_site_recent", **q)
    if recent.empty:
        st.caption(t("map.recent_none"))
    else:
        types = [tv("service_type", x) for x in recent.service_type]
        st.dataframe(
            recent.assign(service_type=types, title=[own_title(x, s["name"]) for x in recent.title])[
                ["activity_date", "title", "service_type"]],
            hide_index=True, width="stretch", height=min(36 + 35 * len(recent), 250),
            column_config={"activity_date": st.column_config.DateColumn(
                               t("map.col_date"), format="MM-DD" if one_year else "YYYY-MM-DD",
                               width=58 if one_year else 96),
                           "title": st.column_config.TextColumn(t("map.col_title")),
                           "service_type": st.column_config.TextColumn(t("map.col_service_type"), width=text_px(types))})
    st.markdown(f"**{t('map.teams_title')}**")
    teams = queries.run("map_site_teams", **q)
    if teams.empty:
        st.caption(t("map.teams_none"))
        return
    # no type column: the name says it (小队 / 服务队), and English types would push the numbers out
    st.dataframe(
        teams.assign(name=[own_title(x, s["name"]) for x in teams.name])[["name", "members", "activities"]],
        hide_index=True, width="stretch", height=min(36 + 35 * len(teams), 250),
        column_config={"name": st.column_config.TextColumn(t("map.col_team")),
                       "members": st.column_config.NumberColumn(t("map.col_members"), format="%d",
                                                                width=text_px([t("map.col_members")])),
                       "activities": st.column_config.NumberColumn(t("map.short.col_activities"), format="%d",
                                                                   width=text_px([t("map.short.col_activities")]))})


def detail(s: dict, params: dict[str, Any], metric: str, selection: SiteSelection, lo: date, hi: date,
           anchor: date, lang: str) -> None:
    """The selected site: what and where it is, its window's figures, months, service mix, the sites below
    it, its recent activities and teams, and a button closing it."""
    outside = bool(params["towns"]) and s.get("town_code") not in params["towns"]
    _detail_head(s, outside, measures.Window(lo, hi), anchor, lang)
    q = dict(site=s["site_id"], **params)
    monthly = queries.run("map_site_monthly", **q)
    if not monthly.empty:
        plot.show(memo.fig(sf.site_spark, monthly, metric), key="map_spark", title=t(f"map.spark_title_{metric}"), height=170)
    mix = queries.run("map_site_mix", **q)
    if not mix.empty:
        plot.show(memo.fig(sf.site_mix, mix, metric), key="map_mix", title=t("map.mix_title"))
    if s["level"] in ("所", "中心"):
        _ranking(s, q, selection)
    _recent_and_teams(s, q, lo.year == hi.year)
    st.button(t("map.clear"), key="map_clear", on_click=selection.set_site, args=(None, "button"))


def _open_idle_table() -> None:
    st.session_state[TABLE_KEY] = True
    st.session_state[TABLE_IDLE_KEY] = True


def idle_chips(idle_all: pd.DataFrame, selection: SiteSelection) -> None:
    """The stations idle longest as chips (a click opens one); no grid here: a data grid on the first
    paint costs a GPU-less browser ~0.5 s (docs/map.md), and the whole list is one click away in the table."""
    chips = idle_all.head(maps.IDLE_CHIPS)
    labels = dict(zip(chips.site_id, maps.idle_chip_labels(chips)))
    key = selection.pickers["idle"].key

    def picked() -> None:
        if st.session_state.get(key):
            selection.set_site(st.session_state[key], "idle")
    st.pills(t("map.idle_pick"), list(labels), format_func=lambda v: labels.get(v, v), key=key, on_change=picked,
             label_visibility="collapsed")
    if len(chips) < len(idle_all):
        st.caption(t("map.idle_truncated", shown=fmt.integer(len(chips)), n=fmt.integer(len(idle_all))))
    st.button(t("map.idle_open_table", n=fmt.integer(len(idle_all))), key="map_idle_all", type="tertiary",
              on_click=_open_idle_table)


def site_table(sites: pd.DataFrame, metric: str, selection: SiteSelection, lang: str) -> bool:
    """The sites in scope (the top rows by `metric`), a click opening one; returns the idle-only switch."""
    st.caption(t("map.table_caption"))
    idle_only = bool(st.toggle(t("map.table_idle_only"), key=TABLE_IDLE_KEY))
    in_table = maps.table_sites(sites, idle_only=idle_only)
    shown = maps.top_rows(in_table, maps.TABLE_ROWS, by=metric)
    if len(shown) < len(in_table):
        st.caption(t("map.table_truncated", total=fmt.integer(len(in_table)), shown=fmt.integer(len(shown)),
                     metric=t(f"map.metric.{metric}")))
    st.session_state["_map_table_ids"] = list(shown.site_id)
    rows = present(shown.assign(last_activity=[fmt.iso_day(d) for d in shown.last_activity]), TABLE_COLS, lang)
    st.dataframe(rows, hide_index=True, width="stretch", height=min(36 + 35 * len(rows), 420),
                 key=selection.pickers["table"].key, selection_mode="single-row",
                 on_select=selection.on_rows("table", "_map_table_ids"), column_config=export.column_config(TABLE_COLS))
    return idle_only


def table_downloads(sites: pd.DataFrame, idle_only: bool, basename: str, lang: str) -> None:
    """Every site in scope (not only the rows shown; idle stations only while the table says so), built when
    a download button is clicked."""
    def fetch() -> pd.DataFrame:
        return present(maps.table_sites(sites, idle_only=idle_only), TABLE_COLS, lang)
    export.download_buttons(fetch, basename, key="map_export", columns=TABLE_COLS)
