"""总览: both programmes at a glance, with the published-figure reconciliation."""
from civic import shell

shell.ensure_routed()

import plotly.graph_objects as go  # noqa: E402
import streamlit as st  # noqa: E402

from civic import charts, fmt, queries  # noqa: E402
from civic.i18n import t, tv  # noqa: E402
from civic.safe_text import md_frame, md_text  # noqa: E402

f = shell.filters()
lang = shell.lang()
shell.page_header("overview.title", "overview.caption")


def kpi(col, label_key, value, prev=None, help_key=None, caption=None):
    with col:
        st.metric(t(label_key), fmt.num(value, lang), delta=fmt.delta_pct(value, prev) if prev is not None else None,
                  help=t(help_key) if help_key else t("overview.delta_help"), border=True)
        if caption:
            st.caption(caption)


if f.shows_county("140423"):
    st.subheader(t("overview.practice_heading"))
    p = queries.run("overview_practice_kpis", **f.params("140423")).iloc[0]
    c = st.columns(5)
    with c[0]:
        st.metric(t("overview.stations"), f"{int(p.stations)}/{int(p.villages)}", help=t("overview.stations_help"),
                  border=True)
        st.caption(t("overview.active_stations", n=int(p.active_stations)))
    kpi(c[1], "overview.activities", p.activities, p.activities_prev)
    kpi(c[2], "overview.volunteers", p.volunteers, p.volunteers_prev)
    kpi(c[3], "overview.beneficiaries", p.beneficiaries, p.beneficiaries_prev)
    kpi(c[4], "overview.wishes", p.wishes_done, p.wishes_done_prev)

    left, right = st.columns([3, 2])
    trend = queries.run("overview_activity_trend", **f.params("140423"))
    with left:
        if trend.empty:
            shell.no_data()
        else:
            fig = go.Figure(go.Scatter(x=trend.month, y=trend.activities, mode="lines+markers",
                                       line=dict(color=charts.PALETTE[0], width=2.5), name=t("overview.activities"),
                                       hovertemplate="%{x|%Y-%m}<br>%{y:,} " + t("app.unit_times") + "<extra></extra>"))
            fig.update_xaxes(title_text=t("overview.axis_month"), tickformat="%Y-%m")
            fig.update_yaxes(title_text=t("overview.axis_activities"), rangemode="tozero")
            charts.show(fig, key="ov_trend", title=t("overview.trend_title"), height=300)
    rank = queries.run("overview_town_ranking", **f.params("140423"))
    with right:
        if rank.empty or rank.activities.sum() == 0:
            shell.no_data()
        else:
            rank = rank.sort_values("per_station")
            fig = go.Figure(go.Bar(x=rank.per_station, y=rank.town_name, orientation="h",
                                   marker_color=charts.PALETTE[1], text=rank.per_station, textposition="outside",
                                   cliponaxis=False,
                                   customdata=rank[["activities", "stations"]],
                                   hovertemplate="%{y}<br>%{x} / " + t("values.level.站") +
                                                 "<br>%{customdata[0]:,} · %{customdata[1]}<extra></extra>"))
            fig.update_xaxes(title_text=t("overview.axis_per_station"), range=[0, rank.per_station.max() * 1.15])
            charts.show(fig, key="ov_rank", title=t("overview.ranking_title"), height=300)

if f.shows_county("511823"):
    st.subheader(t("overview.renovation_heading"))
    r = queries.run("overview_renovation_kpis", towns=f.town_codes("511823")).iloc[0]
    c = st.columns(4)
    kpi(c[0], "overview.compounds_done", r.completed, help_key="overview.compounds_done",
        caption=t("overview.of_total", n=int(r.compounds)))
    kpi(c[1], "overview.compounds_progress", r.in_progress, help_key="overview.compounds_progress")
    kpi(c[2], "overview.compounds_planned", r.not_started, help_key="overview.compounds_planned")
    with c[3]:
        st.metric(t("overview.area_done"), f"{fmt.num(r.area_done_m2, lang)} m²", border=True,
                  help=t("overview.area_done"))
        st.caption(t("overview.households", b=fmt.integer(r.buildings), h=fmt.integer(r.households)))

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
facts = queries.run("fact_check")
ok = int(facts.ok.sum())
if ok == len(facts):
    st.success(t("overview.reconcile_summary", ok=ok, n=len(facts)))
else:
    st.error(t("overview.reconcile_summary", ok=ok, n=len(facts)) + " " +
             t("overview.reconcile_fail", bad=len(facts) - ok))
st.caption(t("overview.reconcile_caption"))
table = facts.assign(
    published_fmt=[fmt.published(v, q, u if lang == "zh" else "", lang)
                   for v, q, u in zip(facts.published, facts.qualifier, facts.unit)],
    computed_fmt=[fmt.integer(v) for v in facts.computed],
    check=[t("overview.match") if x else t("overview.mismatch") for x in facts.ok],
    county_fmt=[c for c in facts.county],
)
st.dataframe(
    table[["fact_id", "county_fmt", "metric", "published_fmt", "computed_fmt", "check", "period", "source_sentence"]],
    hide_index=True, width="stretch", height=420,
    column_config={
        "fact_id": st.column_config.TextColumn(t("overview.col_id"), width="small"),
        "county_fmt": st.column_config.TextColumn(t("overview.col_county"), width="small"),
        "metric": st.column_config.TextColumn(t("overview.col_metric"), width="large"),
        "published_fmt": st.column_config.TextColumn(t("overview.col_published")),
        "computed_fmt": st.column_config.TextColumn(t("overview.col_computed")),
        "check": st.column_config.TextColumn(t("overview.col_ok"), width="small"),
        "period": st.column_config.TextColumn(t("overview.col_period")),
        "source_sentence": st.column_config.TextColumn(t("overview.col_source"), width="large"),
    })

with st.expander(t("overview.provenance_heading")):
    st.markdown(t("overview.provenance_text"))
    prov = queries.run("provenance")
    # st.table, not st.dataframe: a grid inside a collapsed expander never draws its canvas
    st.table(md_frame(prov.assign(kind=[tv("provenance_kind", k) for k in prov.kind])[["table_name", "kind", "source"]]
             .rename(columns={"table_name": t("overview.col_table"), "kind": t("overview.col_kind"),
                              "source": t("overview.col_origin")}).set_index(t("overview.col_table"))))
