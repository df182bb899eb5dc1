"""The volunteer page's larger analysis sections (pages/volunteer.py shows one at a time, chosen on its
section bar): each runs its own queries and builds its own figures, so a hidden section costs nothing.

Each function draws one section below the bar; the page keeps the headline tiles, the bar, the smaller
sections and the cross-filter callbacks (a month bar → the focus, a town bar → the township filter).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from civic import measures
from civic.app import memo, plot, shell
from civic.app import volunteer_parts as parts
from civic.app import widgets as ui
from civic.figures import volunteer as vf
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t


def metric_choice() -> str:
    """The measure the trend and year-on-year charts draw (activities, participants …): one control, shown
    in whichever of those two sections is open; its value lives on (in the URL, `metric=`) while hidden."""
    st.segmented_control(t("volunteer.trend.metric"), vf.METRICS, key="vol_metric", required=True,
                         format_func=vf.metric_label, label_visibility="collapsed", persist_state="page")
    return str(st.session_state.get("vol_metric") or "activities")


def published(section: str = "volunteer") -> dict[str, Any]:
    """The published figures (fact_id → row) the towns and trainings sections set beside their own."""
    return {r.fact_id: r for r in queries.run("published_facts", section=section).itertuples()}


def year_section(params: dict[str, Any], year_opts: Sequence[str], default_year: str, as_of: date,
                 lang: str) -> None:
    """The chosen year against the year before, in the chosen measure, and 天天有活动 (the share of days with
    an activity, per town, and the calendar)."""
    st.subheader(t("volunteer.yoy.heading"))
    metric = metric_choice()             # under the heading, as in the trend section
    with st.columns([1, 4])[0]:
        st.selectbox(t("volunteer.yoy.year"), year_opts, key="vol_year", persist_state="page",
                     format_func=lambda y: f"{y}年" if lang == "zh" else y)
    year = int(st.session_state.get("vol_year") or default_year)
    by_year = dict(params, year=year)
    left, right = st.columns([3, 2])
    yoy = queries.run("volunteer_yoy", **by_year)
    with left:
        if not (vf.has_activity(yoy, metric) or vf.has_activity(yoy, f"{metric}_prev")):
            shell.no_data()
        else:
            plot.show(memo.fig(vf.year_on_year, yoy, metric, year), key="vol_yoy", height=330,
                      title=t("volunteer.yoy.title", year=year, prev=year - 1, metric=vf.metric_label(metric)))
            st.caption(parts.ytd_caption(yoy, metric, lang))
    overall, towns_share = parts.active_days(by_year)
    with right:
        if overall is None or int(overall.active_days) == 0 or towns_share.empty:
            shell.no_data()
        else:
            parts.active_days_tile(overall, year, as_of, lang)
            plot.show(memo.fig(vf.active_days_by_town, towns_share), key="vol_days_town",
                      height=max(130, 84 + 26 * len(towns_share)), title=t("volunteer.daily.per_town_title", year=year))
    cal = queries.run("volunteer_calendar", **by_year)
    ui.chart(vf.has_activity(cal), lambda: memo.fig(vf.calendar, cal, lang), key="vol_calendar",
             title=t("volunteer.daily.title", year=year), height=250)


def towns_section(towns: pd.DataFrame, selected: set[str], selectable: ui.Selectable,
                  pick_town: Callable[[list[dict]], None], lang: str) -> None:
    """Activities per village station by township (a bar's click sets the shared township filter) and the
    古韩镇 linkage group's figures beside the published ones."""
    st.subheader(t("volunteer.towns.heading"))
    rec = published()
    left, right = st.columns([3, 2])
    with left:
        if towns.empty or towns.per_station.sum() == 0:
            shell.no_data()
        else:
            shown = towns.head(vf.TOWN_CHART_MAX).iloc[::-1]
            plot.show(memo.fig(vf.towns_per_station, shown, selected), key=selectable.key,
                      title=t("volunteer.towns.title"), height=max(260, 70 + 30 * len(shown)),
                      on_select=selectable.on_select(pick_town), selection_mode="points")
            more = len(towns) > vf.TOWN_CHART_MAX
            st.caption(t("volunteer.town_hint") +
                       (" " + t("volunteer.towns.more", n=vf.TOWN_CHART_MAX, total=len(towns)) if more else ""))
    with right:
        st.markdown(f"**{t('volunteer.towns.linkage_heading')}**")
        if "X17" in rec and "X18" in rec:
            st.markdown(t("volunteer.towns.linkage_text", sites=int(rec["X17"].linkage_sites)))
            st.markdown(parts.linkage_lines(rec, lang))
        gh = vf.linkage_town(towns)
        if gh is not None:
            st.caption(t("volunteer.towns.linkage_town", acts=fmt.integer(gh.activities), stations=int(gh.stations)))


def wishes_section(params: dict[str, Any], cmp: measures.Comparison, lang: str) -> None:
    """Micro-wishes: the tiles, the funnel, the days to done and the branches' table."""
    st.subheader(t("volunteer.wishes.heading"))
    wf = queries.run("volunteer_wish_funnel", **params).iloc[0]
    ui.kpi_row(parts.wish_kpis(wf, measures.wish_figures(params, cmp), cmp, lang))   # wishes done: as the overview
    left, right = st.columns(2)
    with left:
        ui.chart(int(wf.published) > 0, lambda: memo.fig(vf.wish_funnel, int(wf.published), int(wf.claimed),
                                                          int(wf.done)),
                 key="vol_wish_funnel", title=t("volunteer.wishes.funnel_title"), height=280)
    wd = queries.run("volunteer_wish_days", **params)
    with right:
        ui.chart(vf.has_activity(wd, "wishes"), lambda: memo.fig(vf.wish_days, wd), key="vol_wish_days",
                 title=t("volunteer.wishes.days_title"), height=280)
    st.markdown(f"**{t('volunteer.wishes.branches_title')}**")
    branches = queries.run("volunteer_wish_branches", **params)
    if branches.empty:
        shell.no_data()
    else:
        ui.table(branches, parts.BRANCHES, lang)
        st.caption(t("volunteer.wishes.branches_caption"))


def trainings_section(params: dict[str, Any], window_params: dict[str, Any], cmp: measures.Comparison,
                      grain: str, lang: str) -> None:
    """Free trainings: the tiles, the bases' published figures, the monthly chart (over the whole window,
    `window_params`) and the hosts' table (the breakdowns' window, `params`)."""
    st.subheader(t("volunteer.trainings.heading"))
    tk = queries.run("volunteer_training_kpis", **params).iloc[0]
    ui.kpi_row(parts.training_kpis(tk, cmp, lang))
    if notes := parts.training_notes(published()):
        st.caption(notes)
    left, right = st.columns(2)
    with left:
        if grain == "day":
            st.caption(t("measures.monthly_skipped"))       # a monthly chart of one or two months is one dot
        else:
            tm = queries.run("volunteer_trainings_monthly", **window_params)
            ui.chart(not tm.empty, lambda: memo.fig(vf.trainings, tm, lang), key="vol_trainings",
                     title=t("volunteer.trainings.title"), height=330)
    with right:
        st.markdown(f"**{t('volunteer.trainings.bases_title')}**")
        ui.table_or_empty(queries.run("volunteer_training_bases", **params), parts.BASES, lang)
