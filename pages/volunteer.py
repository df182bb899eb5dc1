"""志愿服务活动趋势: monthly trend, year on year, 天天有活动, service mix, towns, stations and teams,
idle stations, micro-wishes, trainings and the filtered activity list (襄垣县).

Every figure comes from a named query (queries/volunteer_*.sql), every chart from civic/figures/volunteer.py.
The headline tiles sit above a section bar (`?view=`); only the chosen section runs its queries and builds its
figures (a click reruns the script: issue 21). A hidden section's parameters (year=, idle=, metric= …) stay in
the URL. Time series show the whole window; a click on a month bar focuses the breakdowns (KPIs, towns, stations,
wishes, trainings, list) on that month; a click on a town bar sets the shared township filter.
"""
from datetime import date

import streamlit as st

from civic import domain, measures
from civic.app import crossfilter, memo, plot, shell
from civic.app import volunteer_parts as parts
from civic.app import volunteer_sections as sections
from civic.app import widgets as ui
from civic.app.briefing_button import briefing_button
from civic.app.filters import UrlParam, load_page_params, month_param, read_month
from civic.figures import volunteer as vf
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t

COUNTY = domain.XIANGYUAN

ss = st.session_state
f, lang, m = shell.filters(), shell.lang(), shell.meta()
as_of, data_start = date.fromisoformat(m["as_of"]), date.fromisoformat(m["data_start"])
shell.page_header("volunteer.title", "volunteer.caption")
briefing_button(small=True)


# ── page parameters (URL ⇄ widgets) ───────────────────────────────────────────────────────────
stype_opts, ttype_opts, year_opts, default_year = parts.options(as_of, f.date_to)


def _month_ok(v: str) -> bool:
    return read_month(v, data_start, as_of) == (v, None)


page_params = (UrlParam("stype", "vol_stype", allowed=stype_opts, multi=True, default=[]),
               UrlParam("ttype", "vol_ttype", allowed=ttype_opts, multi=True, default=[]),
               UrlParam("metric", "vol_metric", allowed=vf.METRICS, default="activities"),
               UrlParam("year", "vol_year", allowed=year_opts, default=default_year),
               UrlParam("idle", "vol_idle", allowed=parts.IDLE_CHOICES, default="30"),
               UrlParam("month", "vol_month", allowed=_month_ok, default=None, clean=month_param(data_start, as_of)),
               ui.section_param("view", "vol_view", parts.SECTIONS))     # the open section (below the tiles)
load_page_params(*page_params)

stypes, ttypes = parts.type_filters(stype_opts, ttype_opts)
focus, eff_from, eff_to = parts.month_focus(f.date_from, f.date_to)
P = dict(f.params(COUNTY), stypes=stypes, ttypes=ttypes)            # the window (time series)
# the breakdowns' window and its comparisons: 同比 on the tiles, 环比 in their tooltips (civic/measures.py)
cmp = measures.compare(eff_from, eff_to, data_start)
E = measures.activity_params(P, cmp, stypes, ttypes)                         # the breakdowns

# the month and town charts: a click is applied to the focus / the township filter, then dropped
trend_sel, towns_sel = ui.Selectable("vol_trend", "vol_sel_gen"), ui.Selectable("vol_towns", "vol_sel_gen")


def _pick_month(points: list[dict]) -> None:
    picked = str(points[0].get("x", ""))[:7]
    if _month_ok(picked):
        ss["vol_month"] = None if ss.get("vol_month") == picked else picked


def _clear_focus() -> None:
    ss["vol_month"] = None
    trend_sel.reset()


if focus:
    fc1, fc2 = st.columns([4, 1], vertical_alignment="center")
    fc1.info(t("volunteer.focus", month=fmt.month(eff_from, lang)))
    fc2.button(t("volunteer.clear_focus"), key="vol_clear_focus", on_click=_clear_focus, width="stretch")
crossfilter.chip(shell.town_index())          # a town bar's click (below) set the township filter


# ── headline figures ──────────────────────────────────────────────────────────────────────────
k = queries.run("volunteer_kpis", **E).iloc[0]
towns = queries.run("volunteer_towns", **E)
selected_towns = set(f.town_codes(COUNTY))
active = measures.active_stations(towns, selected_towns)
ui.kpi_row(ui.activity_kpis(measures.activity_figures(P, cmp, stypes, ttypes), vf.METRICS, cmp, lang) + [   # as the overview
    ui.Kpi(t("measures.kpi.active_stations.label"), measures.tile("active_stations", None, cmp, lang=lang,
                                                               value_text=f"{active}/{int(k.stations)}"))],
        per_row=3)
st.caption(measures.delta_help(cmp, lang))


# ── one analysis section at a time (widgets.section_bar): only the chosen one runs its queries ──────
view = ui.section_bar("vol_view", parts.SECTIONS, "volunteer.sections")
grain = measures.trend_grain(f.date_from, f.date_to)
if view == "trend":
    st.subheader(t("volunteer.trend.heading") if grain == "month" else t("measures.daily_heading"))
    metric = sections.metric_choice()
    metric_words = dict(metric=vf.metric_label(metric), unit=vf.unit(metric))
    totals, _ = parts.window(P, f.date_from, f.date_to)
    daily = queries.run("activity_daily", **P) if grain == "day" else None
    if grain == "day" and vf.has_activity(daily):
        plot.show(memo.fig(vf.daily_trend, daily, metric, lang), key="vol_trend_daily", height=360,
                  title=t("measures.daily_metric_title", **metric_words))
        st.caption(t("measures.daily_note"))
    elif not vf.has_activity(totals):
        shell.no_data()
    else:
        partial = measures.partial_label(min(as_of, f.date_to), lang) if bool(totals.partial.iloc[-1]) else ""
        plot.show(memo.fig(vf.monthly_trend, totals, metric, queries.run("volunteer_marks", **P), lang, focus, partial),
                  key=trend_sel.key, title=t("volunteer.trend.title", **metric_words), height=360,
                  on_select=trend_sel.on_select(_pick_month), selection_mode="points")
        st.caption(parts.trend_caption(totals, f.date_from, f.date_to, as_of))

elif view == "yoy":
    sections.year_section(P, year_opts, default_year, as_of, lang)

elif view == "mix":          # service mix and 一月一主题
    st.subheader(t("volunteer.mix.heading"))
    totals, mix = parts.window(P, f.date_from, f.date_to)
    left, right = st.columns(2)
    with left:
        ui.chart(vf.has_activity(mix), lambda: memo.fig(vf.service_mix, mix, stype_opts, lang), key="vol_mix",
                 title=t("volunteer.mix.title"), height=340)
    with right:
        st.markdown(f"**{t('volunteer.themes.title')}**")
        if not vf.has_activity(totals):
            shell.no_data()
        else:
            ui.table(totals.iloc[::-1], parts.THEMES, lang, height=310)     # the latest month first
            st.caption(t("volunteer.themes.caption"))

elif view == "towns":
    sections.towns_section(towns, selected_towns, towns_sel, crossfilter.pick_town, lang)

elif view == "top":          # stations and teams, idle stations
    st.subheader(t("volunteer.top.heading"))
    left, right = st.columns(2)
    for col, title, query, cols in ((left, "volunteer.top.stations_title", "volunteer_top_stations", parts.TOP_STATIONS),
                                    (right, "volunteer.top.teams_title", "volunteer_top_teams", parts.TOP_TEAMS)):
        with col:
            st.markdown(f"**{t(title)}**")
            ui.table_or_empty(queries.run(query, **E), cols, lang)
    parts.idle_stations(E, int(k.stations), eff_to, lang, page_params[4].store)     # a fragment; [4]: idle=

elif view == "wishes":
    sections.wishes_section(E, cmp, lang)

elif view == "trainings":
    sections.trainings_section(E, P, cmp, grain, lang)

elif view == "list":         # the activity list and its export
    st.subheader(t("volunteer.list.heading"))
    if int(k.activities) == 0:
        shell.no_data()
    else:
        parts.activity_list(E, int(k.activities), f"volunteer_activities_{eff_from:%Y%m%d}_{eff_to:%Y%m%d}", lang)

# ── published figures and definitions ─────────────────────────────────────────────────────────
# collapsed, built only when opened (as the activity list): its st.table is Markdown per cell for the browser
reconcile = st.expander(t("volunteer.reconcile.heading"), key="vol_reconcile_open", on_change="rerun")
with reconcile:
    if reconcile.open:
        st.caption(t("volunteer.reconcile.caption"))
        ui.facts_table("volunteer", lang)
        st.markdown(t("volunteer.reconcile.definitions"))

for p in page_params:
    p.store()
