"""总览: both programmes at a glance, with the published-figure reconciliation."""
from datetime import date

import plotly.graph_objects as go
import streamlit as st

from civic import measures, stages
from civic.app import plot, shell
from civic.app.widgets import FACT_GRID_COLS, published_facts, table
from civic.figures import charts
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_frame, md_text

f = shell.filters()
lang = shell.lang()
m = shell.meta()
as_of = date.fromisoformat(m["as_of"])
shell.page_header("overview.title", "overview.caption")
# one comparison for every tile: 同比, with 环比 in the tooltip (civic/measures.py)
cmp = measures.compare(f.date_from, f.date_to, date.fromisoformat(m["data_start"]))


def kpi(col, kpi_id, label_key, value, caption=None, value_text=None):
    """A tile of the renovation's current state (no period, so no delta); its tooltip is the one the
    renovation page's tile of the same measure shows (measures.kpi.<kpi_id>)."""
    with col:
        measures.metric(t(label_key), measures.state_tile(kpi_id, value, as_of, lang, value_text))
        if caption:
            st.caption(caption)


def scope_note(county_code: str) -> None:
    """Say so when the township filter holds only the other county's towns: this part then shows the
    whole county (a filter never changes a figure silently)."""
    if f.towns and not f.town_codes(county_code):
        other = "511823" if county_code == "140423" else "140423"
        st.info(t("measures.scope_other_county", picked=tv("county", other), county=tv("county", county_code)))


if f.shows_county("140423"):
    st.subheader(t("overview.practice_heading"))
    scope_note("140423")
    P = f.params("140423")
    cov = queries.run("overview_practice_kpis", towns=P["towns"]).iloc[0]
    act = measures.activity_figures(P, cmp)
    wishes = measures.wish_figures(P, cmp)
    towns = queries.run("volunteer_towns", **measures.activity_params(P, cmp))
    selected = set(P["towns"])
    active = measures.active_stations(towns, selected)
    c = st.columns(5)
    with c[0]:
        measures.metric(t("overview.stations"), measures.state_tile(
            "stations_built", cov.stations, as_of, lang, value_text=f"{int(cov.stations)}/{int(cov.villages)}"))
        st.caption(t("overview.active_stations", n=active))
    for col, key in zip(c[1:4], ("activities", "volunteers", "beneficiaries")):
        a = act[key]
        with col:
            measures.metric(t(f"measures.kpi.{key}.label"),
                            measures.tile(key, a["value"], cmp, a["yoy"], a["mom"], lang))
    with c[4]:
        measures.metric(t("measures.kpi.wishes_done.label"),
                        measures.tile("wishes_done", wishes["value"], cmp, wishes["yoy"], wishes["mom"], lang))
    st.caption(measures.delta_help(cmp, lang))

    left, right = st.columns([3, 2])
    with left:
        if measures.trend_grain(f.date_from, f.date_to) == "day":
            # a window of one or two months: by day (a monthly chart of it would be one dot)
            daily = queries.run("activity_daily", **measures.activity_params(P, cmp))
            if daily.empty or daily.activities.sum() == 0:
                shell.no_data()
            else:
                fig = go.Figure(go.Bar(x=daily.day, y=daily.activities, marker_color=charts.PALETTE[0],
                                       name=t("overview.activities"),
                                       hovertemplate="%{x|%Y-%m-%d}<br>%{y:,} " + t("app.unit_times") +
                                                     "<extra></extra>"))
                charts.daily_axis(fig, len(daily), lang, t("measures.axis_day"))
                fig.update_yaxes(title_text=t("overview.axis_activities"), rangemode="tozero")
                plot.show(fig, key="ov_trend_daily", title=t("measures.daily_title"), height=300)
                st.caption(t("measures.daily_note"))
        else:
            trend = queries.run("overview_activity_trend", **P)
            if trend.empty:
                shell.no_data()
            else:
                cover = [measures.month_coverage(mo.date(), f.date_from, f.date_to) for mo in trend.month]
                partial = [cv[2] for cv in cover]
                fig = go.Figure(go.Bar(
                    x=trend.month, y=trend.activities, marker=charts.partial_marker(charts.PALETTE[0], partial),
                    name=t("overview.activities"),
                    customdata=[measures.span_text(measures.Window(a, b), lang) for a, b, _ in cover],
                    hovertemplate="%{customdata}<br>%{y:,} " + t("app.unit_times") + "<extra></extra>"))
                if partial[-1]:
                    charts.label_partial(fig, trend.month.iloc[-1], float(trend.activities.iloc[-1]),
                                         measures.partial_label(cover[-1][1], lang))
                fig.update_xaxes(title_text=t("overview.axis_month"), tickformat="%Y-%m",
                                 dtick="M1" if len(trend) <= 13 else None)
                fig.update_yaxes(title_text=t("overview.axis_activities"), rangemode="tozero",
                                 range=[0, float(trend.activities.max()) * 1.15])
                plot.show(fig, key="ov_trend", title=t("overview.trend_title"), height=300)
                if any(partial):
                    st.caption(t("measures.partial_note"))
    with right:
        if towns.empty or towns.per_station.sum() == 0:
            shell.no_data()
        else:
            # the volunteer page's ranking (volunteer_towns): activities at village stations ÷ stations
            rank = towns.sort_values(["per_station", "town_code"], ascending=[True, False])
            fig = go.Figure(go.Bar(x=rank.per_station, y=rank.town_name, orientation="h",
                                   marker_color=[charts.PALETTE[1] if tc in selected else charts.PALETTE[0]
                                                 for tc in rank.town_code] if selected else charts.PALETTE[1],
                                   text=[f"{v:.1f}" for v in rank.per_station], textposition="outside",
                                   cliponaxis=False,
                                   customdata=rank[["station_activities", "stations"]],
                                   hovertemplate="%{y}<br>%{x} / " + t("values.level.站") +
                                                 "<br>%{customdata[0]:,} · %{customdata[1]}<extra></extra>"))
            fig.update_xaxes(title_text=t("overview.axis_per_station"), range=[0, rank.per_station.max() * 1.18])
            plot.show(fig, key="ov_rank", title=t("measures.kpi.per_station.label"),
                        height=max(300, 70 + 24 * len(rank)))
            st.caption(t("measures.kpi.per_station.counts") + ("。" if lang == "zh" else ". ") +
                       (t("measures.ranking_all_towns") if selected else ""))

if f.shows_county("511823"):
    st.subheader(t("overview.renovation_heading"))
    scope_note("511823")
    r = stages.headline(as_of, towns=f.town_codes("511823"))     # the renovation page's figures
    c = st.columns(4)
    kpi(c[0], "completed", "overview.compounds_done", r.completed, caption=t("overview.of_total", n=int(r.compounds)))
    kpi(c[1], "in_progress", "overview.compounds_progress", r.in_progress)
    kpi(c[2], "not_started", "overview.compounds_planned", r.not_started)
    kpi(c[3], "area_done", "overview.area_done", r.area_done_m2, value_text=f"{fmt.num(r.area_done_m2, lang)} m²",
        caption=t("overview.households", b=fmt.integer(r.buildings), h=fmt.integer(r.households)))

    left, right = st.columns([3, 2])
    works = queries.run("overview_works", towns=f.town_codes("511823"))
    with left:
        st.markdown(f"**{t('overview.works_heading')}**")
        cols = st.columns(2)
        for i, w in enumerate(works.itertuples()):
            share = 0 if w.planned == 0 else min(1.0, w.done / w.planned)
            with cols[i % 2]:
                st.progress(share, text=f"{md_text(tv('work_category', w.category))}：{fmt.integer(w.done)} / "
                                         f"{fmt.integer(w.planned)} {md_text(tv('unit', w.unit))}")
    gov = queries.run("overview_governance", towns=f.town_codes("511823"))
    with right:
        scope = int(gov.scope.iloc[0]) if not gov.empty else 0
        st.markdown(f"**{t('overview.governance_heading', n=scope)}**")
        for g in gov.itertuples():
            st.progress(0 if scope == 0 else g.covered / scope,
                        text=f"{tv('body_type', g.body_type)}：{g.covered}/{scope}")

st.divider()
st.subheader(t("overview.reconcile_heading"))
facts = published_facts("all", lang)
ok = int(facts.ok.sum())
if ok == len(facts):
    st.success(t("overview.reconcile_summary", ok=ok, n=len(facts)))
else:
    st.error(t("overview.reconcile_summary", ok=ok, n=len(facts)) + " " +
             t("overview.reconcile_fail", bad=len(facts) - ok))
st.caption(t("overview.reconcile_caption"))
st.caption(t("overview.reconcile_period"))
table(facts, FACT_GRID_COLS, lang, height=420)

with st.expander(t("overview.provenance_heading")):
    st.markdown(t("overview.provenance_text"))
    prov = queries.run("provenance")
    # st.table, not st.dataframe: a grid inside a collapsed expander never draws its canvas
    st.table(md_frame(prov.assign(kind=[tv("provenance_kind", k) for k in prov.kind])[["table_name", "kind", "source"]]
             .rename(columns={"table_name": t("overview.col_table"), "kind": t("overview.col_kind"),
                              "source": t("overview.col_origin")}).set_index(t("overview.col_table"))))
