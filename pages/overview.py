"""总览: both programmes at a glance, with the published-figure reconciliation."""
from datetime import date

import streamlit as st

from civic import domain, measures, stages
from civic.app import crossfilter, memo, overview_tools, shell
from civic.app import widgets as ui
from civic.app.briefing_button import briefing_button
from civic.app.export import Col
from civic.figures import overview as of
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_text

PROVENANCE = [Col("table_name", "overview.col_table"), Col("kind", "overview.col_kind", "value", domain="provenance_kind"),
              Col("source", "overview.col_origin")]

f = shell.filters()
lang = shell.lang()
m = shell.meta()
as_of = date.fromisoformat(m["as_of"])
shell.page_header("overview.title", "overview.caption")
briefing_button()
# one comparison for every tile: 同比, with 环比 in the tooltip (civic/measures.py)
cmp = measures.compare(f.date_from, f.date_to, date.fromisoformat(m["data_start"]))


def state(kpi_id: str, label_key: str, value, caption=None, value_text=None) -> ui.Kpi:
    """A tile of the renovation's current state (no period, so no delta); its tooltip is the one the
    renovation page's tile of the same measure shows (measures.kpi.<kpi_id>)."""
    return ui.Kpi(t(label_key), measures.state_tile(kpi_id, value, as_of, lang, value_text), caption)


def scope_note(county_code: str) -> None:
    """Say so when the township filter holds only the other county's towns: this part then shows the
    whole county (a filter never changes a figure silently)."""
    if f.towns and not f.town_codes(county_code):
        other = domain.HANYUAN if county_code == domain.XIANGYUAN else domain.XIANGYUAN
        st.info(t("measures.scope_other_county", picked=tv("county", other), county=tv("county", county_code)))


if f.shows_county(domain.XIANGYUAN):
    st.subheader(t("overview.practice_heading"))
    scope_note(domain.XIANGYUAN)
    overview_tools.reporting_alert(f, as_of)
    P = f.params(domain.XIANGYUAN)
    cov = queries.run("overview_practice_kpis", towns=P["towns"]).iloc[0]
    act = measures.activity_figures(P, cmp)
    wishes = measures.wish_figures(P, cmp)
    towns = queries.run("volunteer_towns", **measures.activity_params(P, cmp))
    selected = set(P["towns"])
    active = measures.active_stations(towns, selected)
    ui.kpi_row([ui.Kpi(t("overview.stations"),
                       measures.state_tile("stations_built", cov.stations, as_of, lang,
                                           value_text=f"{int(cov.stations)}/{int(cov.villages)}"),
                       t("overview.active_stations", n=active)),
                *ui.activity_kpis(act, ("activities", "volunteers", "beneficiaries"), cmp, lang),   # as 志愿服务
                *ui.activity_kpis({"wishes_done": wishes}, ("wishes_done",), cmp, lang)])
    st.caption(measures.delta_help(cmp, lang))

    left, right = st.columns([3, 2])
    with left:
        if measures.trend_grain(f.date_from, f.date_to) == "day":
            daily = queries.run("activity_daily", **measures.activity_params(P, cmp))
            if ui.chart(not daily.empty and daily.activities.sum() > 0, lambda: memo.fig(of.daily_activities, daily, lang),
                        key="ov_trend_daily", title=t("measures.daily_title"), height=300) is not None:
                st.caption(t("measures.daily_note"))
        else:
            trend = queries.run("overview_activity_trend", **P)
            if ui.chart(not trend.empty, lambda: memo.fig(of.monthly_activities, trend, f.date_from, f.date_to, lang),
                        key="ov_trend", title=t("overview.trend_title"), height=300) is not None and \
                    any(measures.month_coverage(mo.date(), f.date_from, f.date_to)[2] for mo in trend.month):
                st.caption(t("measures.partial_note"))
    with right:
        # a click on a township's bar sets the township filter for the whole app (civic/app/crossfilter.py)
        if ui.chart(not towns.empty and towns.per_station.sum() > 0, lambda: memo.fig(of.station_ranking, towns, selected),
                    key=crossfilter.key("ov_rank"), title=t("measures.kpi.per_station.label"),
                    **crossfilter.town_select("ov_rank", shell.town_index())) is not None:
            st.caption(t("measures.kpi.per_station.counts") + ("。" if lang == "zh" else ". ") +
                       (t("measures.ranking_all_towns") if selected else ""))
        crossfilter.chip(shell.town_index())

if f.shows_county(domain.HANYUAN):
    st.subheader(t("overview.renovation_heading"))
    scope_note(domain.HANYUAN)
    r = stages.headline(as_of, towns=f.town_codes(domain.HANYUAN))     # the renovation page's figures
    ui.kpi_row([state("completed", "overview.compounds_done", r.completed, t("overview.of_total", n=int(r.compounds))),
                state("in_progress", "overview.compounds_progress", r.in_progress),
                state("not_started", "overview.compounds_planned", r.not_started),
                state("area_done", "overview.area_done", r.area_done_m2, value_text=f"{fmt.num(r.area_done_m2, lang)} m²",
                      caption=t("overview.households", b=fmt.integer(r.buildings), h=fmt.integer(r.households)))])

    left, right = st.columns([3, 2])
    works = queries.run("overview_works", towns=f.town_codes(domain.HANYUAN))
    with left:
        st.markdown(f"**{t('overview.works_heading')}**")
        cols = st.columns(2)
        for i, w in enumerate(works.itertuples()):
            share = 0 if w.planned == 0 else min(1.0, w.done / w.planned)
            with cols[i % 2]:
                st.progress(share, text=f"{md_text(tv('work_category', w.category))}：{fmt.integer(w.done)} / "
                                         f"{fmt.integer(w.planned)} {md_text(tv('unit', w.unit))}")
    gov = queries.run("overview_governance", towns=f.town_codes(domain.HANYUAN))
    with right:
        scope = int(gov.scope.iloc[0]) if not gov.empty else 0
        st.markdown(f"**{t('overview.governance_heading', n=scope)}**")
        for g in gov.itertuples():
            st.progress(0 if scope == 0 else g.covered / scope,
                        text=f"{tv('body_type', g.body_type)}：{g.covered}/{scope}")

st.divider()
st.subheader(t("overview.reconcile_heading"))
facts = ui.published_facts("all", lang)
ok = int(facts.ok.sum())
if ok == len(facts):
    st.success(t("overview.reconcile_summary", ok=ok, n=len(facts)))
else:
    st.error(t("overview.reconcile_summary", ok=ok, n=len(facts)) + " " +
             t("overview.reconcile_fail", bad=len(facts) - ok))
st.caption(t("overview.reconcile_caption"))
st.caption(t("overview.reconcile_period"))
ui.table(facts, ui.FACT_GRID_COLS, lang, height=420)
ui.downloads(lambda: facts, ui.FACT_GRID_COLS, lang, t("overview.export_name"), key="ov_dl")

# collapsed, built only when opened (as the map's table): its st.table is Markdown per cell for the browser
provenance = st.expander(t("overview.provenance_heading"), key="ov_provenance_open", on_change="rerun")
with provenance:
    if provenance.open:
        st.markdown(t("overview.provenance_text"))
        # st.table, not st.dataframe: a grid inside a collapsed expander never draws its canvas
        ui.static_table(queries.run("provenance"), PROVENANCE, lang)
