"""The volunteer page's tiles and table specs (pages/volunteer.py lays them out).

Tables are lists of export.Col (the screen's and the download's headers and formats in one place); tiles are
widgets.Kpi built from one query row each.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from civic import measures
from civic.app import memo
from civic.app.export import Col
from civic.app.widgets import PAGE_SIZE, Kpi, activity_kpis, downloads, paged_table
from civic.figures import volunteer as vf
from civic.store import db, queries
from civic.text import fmt
from civic.text.i18n import t, tv

IDLE_CHOICES = ("7", "14", "30", "60", "90", "180")
EXPORT_MAX = 100_000
LIST_OPEN = "vol_list_open"      # the activity list's expander (built only while open)
# the page's analysis sections, in the bar's order (`?view=`; the first is the default): one is built at a time
SECTIONS = ("trend", "yoy", "mix", "towns", "top", "wishes", "trainings", "list")

THEMES = [Col("month", "volunteer.themes.col_month", "month", width=95),
          Col("theme", "volunteer.themes.col_theme", width=150),
          Col("themed", "volunteer.themes.col_themed", "count", width=90),
          Col("themed_share", "volunteer.themes.col_share", "pct", width=70)]
TOP_STATIONS = [Col("short_name", "volunteer.top.col_station", width=90),
                Col("town_name", "volunteer.top.col_town", width=70),
                Col("activities", "volunteer.top.col_activities", "count", width=75),
                Col("beneficiaries", "volunteer.top.col_beneficiaries", "count", width=85),
                Col("last_date", "volunteer.top.col_last", "day", width=110)]
TOP_TEAMS = [Col("name", "volunteer.top.col_team", width=170),
             Col("team_type", "volunteer.top.col_team_type", "value", width=100, domain="team_type"),
             Col("activities", "volunteer.top.col_activities", "count", width=70),
             Col("volunteers", "volunteer.top.col_volunteers", "count", width=85)]
IDLE = [Col("short_name", "volunteer.top.col_station", width=150),
        Col("town_name", "volunteer.top.col_town", width=100),
        Col("last_date", "volunteer.top.col_last", "day", width=140, missing="volunteer.idle.never"),
        Col("days_idle", "volunteer.idle.col_days", "count", width=100),
        # relative link: opens the map page's detail of the station (/stations?site=…)
        Col("map_url", "volunteer.idle.col_map", "link", width=130, display="volunteer.idle.map_link")]
BRANCHES = [Col("name", "volunteer.wishes.col_branch"),
            Col("town_name", "volunteer.wishes.col_town", width="small", missing="volunteer.wishes.county_dept"),
            Col("members", "volunteer.wishes.col_members", "int", width="small"),
            Col("claimed", "volunteer.wishes.col_claimed", "int", width="small"),
            Col("done", "volunteer.wishes.col_done", "int", width="small"),
            Col("done_rate", "volunteer.wishes.col_rate", "pct", width="small"),
            Col("open", "volunteer.wishes.col_open", "int", width="small"),
            Col("overdue", "volunteer.wishes.col_overdue", "int"),
            Col("oldest_open_days", "volunteer.wishes.col_oldest", "int")]
BASES = [Col("name", "volunteer.trainings.col_host", width=180),
         Col("sessions", "volunteer.trainings.col_sessions", "int", width=60),
         Col("trainees", "volunteer.trainings.col_trainees", "count", width=65),
         Col("trainees_to_date", "volunteer.trainings.col_to_date", "count", width=80)]
ACTIVITIES = [Col("activity_id", "volunteer.list.col_id"), Col("activity_date", "volunteer.list.col_date", "date"),
              Col("title", "volunteer.list.col_title"), Col("site_name", "volunteer.list.col_site"),
              Col("town_name", "volunteer.list.col_town"),
              Col("service_type", "volunteer.list.col_stype", "value", domain="service_type"),
              Col("team_name", "volunteer.list.col_team"),
              Col("team_type", "volunteer.list.col_team_type", "value", domain="team_type"),
              Col("theme", "volunteer.list.col_theme", missing=""),
              Col("campaign", "volunteer.list.col_campaign", missing=""),
              Col("participants", "volunteer.list.col_participants", "int"),
              Col("volunteers", "volunteer.list.col_volunteers", "int"),
              Col("beneficiaries", "volunteer.list.col_beneficiaries", "int"),
              Col("hours", "volunteer.list.col_hours", "num", format="%g")]


def _days(v: Any) -> str | None:
    return None if v is None or pd.isna(v) else f"{float(v):g}"


def _mark(ok: Any) -> str:
    return "✓" if bool(ok) else "×"


def wish_kpis(wf: Any, wishes: dict, cmp: measures.Comparison, lang: str) -> list[Kpi]:
    """Wishes done (as the overview's tile), the median days to done, the overdue wishes on the last day."""
    window_line = t("measures.window_line", span=measures.span_text(cmp.window, lang))
    med = _days(wf.median_days)
    median = Kpi(t("volunteer.wishes.median"),
                 measures.Tile(t("volunteer.wishes.median_value", days=med) if med else "—", None, None,
                               t("measures.help.wish_median") + " " + window_line),
                 t("volunteer.wishes.median_caption", p90=_days(wf.p90_days), claim=_days(wf.median_claim_days))
                 if med else None)
    overdue = Kpi(t("volunteer.wishes.overdue"),
                  measures.Tile(fmt.integer(wf.overdue), None, None,
                                t("measures.help.wishes_overdue", date=fmt.day(cmp.window.end, lang))))
    return [*activity_kpis({"wishes_done": wishes}, ["wishes_done"], cmp, lang), median, overdue]


def training_kpis(tk: Any, cmp: measures.Comparison, lang: str) -> list[Kpi]:
    """Training sessions and trainees with their 同比, and the hosts that trained in the window."""
    delta_help = measures.delta_help(cmp, lang)

    def delta(cur: Any, prev: Any) -> str | None:
        return measures.change(cur, prev) if cmp.yoy_ok else None
    return [Kpi(t("volunteer.trainings.sessions"),
                measures.Tile(fmt.integer(tk.sessions), delta(tk.sessions, tk.sessions_prev), None,
                              t("measures.help.training_sessions") + " " + delta_help),
                t("volunteer.trainings.sessions_caption", n=fmt.integer(tk.free_sessions))),
            Kpi(t("volunteer.trainings.trainees"),
                measures.Tile(fmt.num(tk.trainees, lang), delta(tk.trainees, tk.trainees_prev), None,
                              t("measures.help.training_trainees") + " " + delta_help)),
            Kpi(t("volunteer.trainings.hosts"),
                measures.Tile(fmt.integer(tk.hosts), None, None, t("measures.help.training_hosts") + " " +
                              t("measures.window_line", span=measures.span_text(cmp.window, lang))))]


def linkage_lines(rec: dict[str, Any], lang: str) -> str:
    """The 古韩镇整体联动 teams and activities (X17, X18): computed beside published, as a Markdown list."""
    return "\n".join(
        "- " + t(f"volunteer.towns.linkage_{kind}", computed=fmt.integer(r.computed), ok=_mark(r.ok),
                 published=fmt.published(r.published, r.qualifier, r.unit if lang == "zh" else "", lang))
        for kind, r in (("teams", rec["X17"]), ("acts", rec["X18"])))


def training_notes(rec: dict[str, Any]) -> str:
    """The farmers' and makers' bases against their published figures (X20, X19)."""
    return " · ".join(t(f"volunteer.trainings.{name}_note", computed=fmt.integer(rec[fid].computed),
                        ok=_mark(rec[fid].ok))
                      for fid, name in (("X20", "farmer"), ("X19", "maker")) if fid in rec)


def ytd_caption(yoy: pd.DataFrame, metric: str, lang: str) -> str:
    """This year to the data's last day against the same days of last year."""
    r0 = yoy.iloc[0]
    cur, prev = r0[f"{metric}_ytd"], r0[f"{metric}_ytd_prev"]
    return t("volunteer.yoy.ytd", date=fmt.day(r0.last_day, lang), cur=fmt.num(cur, lang), prev=fmt.num(prev, lang),
             unit=vf.unit(metric), delta=measures.change(cur, prev) or t("volunteer.yoy.no_base"))


def active_days_tile(overall: Any, year: int, as_of: date, lang: str) -> None:
    """天天有活动: the share of the year's days so far with an activity somewhere in the county."""
    period = t("measures.help.year_to_date", year=year, date=fmt.day(min(as_of, date(year, 12, 31)), lang))
    st.metric(t("volunteer.daily.share"), fmt.pct(overall.share), border=True,
              help=t("volunteer.daily.share_help") + " " + period)
    st.caption(t("volunteer.daily.share_caption", year=year, days=int(overall.elapsed_days),
                 active=int(overall.active_days)))


@st.fragment
def idle_stations(params: dict[str, Any], total_stations: int, day: date, lang: str,
                  store: Callable[[], None]) -> None:
    """Stations without an activity for the chosen number of days up to `day`, with links to the map. A
    fragment: the day count is this section's own choice, so changing it reruns the section, not the page;
    `store` writes it to the URL (the page's `idle=` UrlParam), which the page's end does not reach then."""
    st.markdown(f"**{t('volunteer.idle.title')}**")
    ic1, ic2 = st.columns([1, 3], vertical_alignment="bottom")
    ic1.selectbox(t("volunteer.idle.days"), IDLE_CHOICES, key="vol_idle", persist_state="page",
                  format_func=lambda n: t("volunteer.idle.days_option", n=n))
    store()
    days = int(st.session_state.get("vol_idle") or 30)
    with db.pinned():       # a fragment rerun runs outside the script run's pin
        idle = queries.run("volunteer_idle", **dict(params, idle_days=days))
    with ic2:
        if idle.empty:
            st.success(t("volunteer.idle.none", date=fmt.day(day, lang), days=days))
            return
        n = int(idle.idle_total.iloc[0])
        st.warning(t("volunteer.idle.summary", date=fmt.day(day, lang), n=n, total=total_stations, days=days))
        if n > len(idle):
            st.caption(t("volunteer.idle.longest", n=len(idle)))
    with st.container(key="vol_idle_box"):       # up to 200 rows: a page of them on screen
        paged_table("vol_idle_list", len(idle), lambda limit, offset: idle.iloc[offset:offset + limit], IDLE, lang,
                    scope=(params, days), height=min(400, 38 + 35 * len(idle)))


@st.fragment
def activity_list(params: dict[str, Any], total: int, basename: str, lang: str) -> None:
    """The window's activities on demand, a page at a time, and their download (every row, up to EXPORT_MAX).

    The list is the page's last section: it is built only while its expander is open (as the map's table),
    so a filter change does not pay its query (~130 ms at ×100) nor send its grid. Open, it shows one page
    (volunteer_activities' $limit / $offset; `total` is the KPI query's count of the same rows). A fragment:
    opening it or paging reruns this section, not the page."""
    # a fixed label: Streamlit 1.67 identifies an expander by its label too, so a count in it would close
    # the list on every filter change
    box = st.expander(t("volunteer.list.open"), key=LIST_OPEN, on_change="rerun")
    with box:
        if box.open:
            st.caption(t("volunteer.list.caption", total=fmt.integer(total), size=PAGE_SIZE))
            paged_table("vol_list", total, lambda limit, offset: queries.run(
                "volunteer_activities", **dict(params, limit=limit, offset=offset)), ACTIVITIES, lang,
                scope=params, height=360)
    if total > EXPORT_MAX:
        st.warning(t("volunteer.list.export_capped", total=f"{total:,}", max=f"{EXPORT_MAX:,}"))
    st.caption(t("volunteer.list.export_caption", max=f"{EXPORT_MAX:,}"))
    export_params = dict(params, limit=EXPORT_MAX, offset=0)
    with st.columns([2, 3])[0]:
        # runs on the download thread: the same named query, every row; no Streamlit calls
        downloads(lambda: queries.execute("volunteer_activities", **export_params), ACTIVITIES, lang, basename,
                  key="vol_export")


def options(as_of: date, date_to: date) -> tuple[list[str], list[str], list[str], str]:
    """The service types, team types and years the data has (volunteer_options), and the year the 同比
    chart opens on: the window's last year when the data has it. Read once per data version (memo.shared);
    the lists are copies, a page may change its own."""
    stypes, ttypes, years, year = memo.shared(_options, as_of, date_to)
    return list(stypes), list(ttypes), list(years), year


def _options(as_of: date, date_to: date) -> tuple[list[str], list[str], list[str], str]:
    opts = queries.run("volunteer_options")
    stypes, ttypes = opts.value[opts.kind == "stype"].tolist(), opts.value[opts.kind == "ttype"].tolist()
    years = opts.value[opts.kind == "year"].tolist() or [str(as_of.year)]
    return stypes, ttypes, years, (str(date_to.year) if str(date_to.year) in years else years[-1])


def window(params: dict, lo: date, hi: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """vf.window_months of volunteer_monthly for `params`, cut once per (params, window, data version) and
    shared between sessions (memo.shared, keyed by the parameters: no frame to digest)."""
    return memo.shared(_window, params, lo, hi)


def _window(params: dict, lo: date, hi: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    return vf.window_months(queries.run("volunteer_monthly", **params), lo, hi)


def active_days(params: dict) -> tuple[pd.Series | None, pd.DataFrame]:
    """vf.active_days of volunteer_active_days for `params`, shared between sessions like `window`."""
    return memo.shared(_active_days, params)


def _active_days(params: dict) -> tuple[pd.Series | None, pd.DataFrame]:
    return vf.active_days(queries.run("volunteer_active_days", **params))


def type_filters(stype_opts: list[str], ttype_opts: list[str]) -> tuple[list[str], list[str]]:
    """The service-type and team-type pickers; no choice means every type."""
    # value → label, looked up once (tv() per option on every rerun would cost a session-state read each)
    names = {s: tv("service_type", s) for s in stype_opts} | {s: tv("team_type", s) for s in ttype_opts}
    c1, c2 = st.columns(2)
    # select_all=False: Streamlit's "Select all" is English only, and no choice already means all types
    c1.multiselect(t("volunteer.stype"), stype_opts, key="vol_stype", placeholder=t("volunteer.stype_placeholder"),
                   format_func=lambda v: names.get(v, v), select_all=False)
    c2.multiselect(t("volunteer.ttype"), ttype_opts, key="vol_ttype", placeholder=t("volunteer.ttype_placeholder"),
                   format_func=lambda v: names.get(v, v), select_all=False)
    stypes, ttypes = list(st.session_state.get("vol_stype") or []), list(st.session_state.get("vol_ttype") or [])
    if stypes or ttypes:
        st.caption(t("volunteer.scope_note"))
    return stypes, ttypes


def month_focus(lo: date, hi: date) -> tuple[str | None, date, date]:
    """The focused month (a click on a month bar, "2025-03"), kept only while it lies in lo..hi, and the
    days the breakdowns then count: the month's days in the window, or the whole window."""
    focus = st.session_state.get("vol_month")
    if focus:
        first, last, _ = measures.month_coverage(date.fromisoformat(f"{focus}-01"), lo, hi)
        if first <= last:
            return focus, first, last
        st.session_state["vol_month"] = None
    return None, lo, hi


def trend_caption(totals: pd.DataFrame, lo: date, hi: date, as_of: date) -> str:
    """How to use the month chart, and what its bars count when the window cuts months."""
    whole_months = lo.day != 1 or hi not in (measures.month_end(hi), as_of)
    notes = (("volunteer.trend.themes_on_bars", len(totals) <= 13), ("volunteer.trend.whole_months", whole_months),
             ("measures.partial_note", bool(totals.partial.any())))
    return " ".join([t("volunteer.month_hint")] + [t(key) for key, on in notes if on])
