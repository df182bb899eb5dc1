"""小区共治: co-governance in 汉源县 — body coverage among the 55 compounds with the gaps, the resident feedback
pipeline, consultation meetings and policy publicity, the grid and its partners.

Shared filters: town and date range. The date range applies to feedback and meetings (when received / held);
coverage, open items, the grid and partners describe the current state and follow the town filter only.
"""
import plotly.graph_objects as go
import streamlit as st

from civic import measures
from civic.app import export, plot, shell
from civic.app.widgets import facts_table
from civic.figures import charts
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_frame, md_text

COUNTY = "511823"
STATUS_COLORS = {"收集": charts.PALETTE[1], "议事": charts.PALETTE[4], "办结": charts.OK}
MEETING_COLORS = {"坝坝会": charts.PALETTE[1], "座谈会": charts.PALETTE[0], "议事会": charts.PALETTE[4],
                  "联席会议": charts.PALETTE[5], "政策宣传": charts.PALETTE[3]}
PROJECT_COLORS = {"领办小区物业": charts.PALETTE[0], "服务一老一小": charts.PALETTE[1], "夜间经济": charts.PALETTE[4],
                  "便民服务": charts.PALETTE[2]}
MISSING = "#E6EAEF"

f = shell.filters()
lang = shell.lang()
shell.page_header("cogovernance.title", "cogovernance.caption")
P = dict(towns=f.town_codes(COUNTY), date_from=f.date_from, date_to=f.date_to, as_of=f.anchor,
         overdue_days=measures.FEEDBACK_OVERDUE_DAYS)
SEP = "：" if lang == "zh" else ": "
window = t("cogovernance.window", start=fmt.day(f.date_from, lang), end=fmt.day(f.date_to, lang))


def state(kpi_id: str, **kw) -> str:
    """Tooltip of a current-state tile: what it counts, on the data's last day (measures.kpi.<id>)."""
    return measures.state_tile(kpi_id, None, f.anchor, lang, value_text="", **kw).help


def in_window(kpi_id: str, **kw) -> str:
    """Tooltip of a tile counted over the date range: what it counts and the window's days."""
    return measures.window_tile(kpi_id, None, measures.Window(f.date_from, f.date_to), lang, value_text="", **kw).help


def colon(key: str) -> str:
    return t(key) + SEP


def top_legend(fig: go.Figure, height: int, rows: int = 1) -> None:
    """Title on the first line, legend on the next ones, the plot below: nothing overlaps at any width."""
    fig.update_layout(title=dict(yref="container", y=1 - 6 / height, yanchor="top"),
                      legend=dict(orientation="h", yref="container", y=1 - 32 / height, yanchor="top", x=0,
                                  xanchor="left", traceorder="normal"),
                      margin=dict(t=40 + 24 * rows))


# ── coverage among the 55 ────────────────────────────────────────────────────────────────────────
def coverage_section() -> None:
    st.subheader(t("cogovernance.coverage_heading"))
    cov = queries.run("cogov_coverage", **P)
    scope = int(cov.scope.iloc[0]) if not cov.empty else 0
    if scope == 0:
        shell.no_data()
        return
    c = st.columns(5)
    c[0].metric(t("cogovernance.k_scope"), fmt.integer(scope), border=True, help=state("gov_scope"))
    for col, row in zip(c[1:], cov.itertuples()):
        with col:
            if row.body_type == "物业企业":
                st.metric(t("cogovernance.k_firms"), fmt.integer(row.firms), border=True,
                          help=state("gov_firms"))
                st.caption(t("cogovernance.k_firms_cap", n=int(row.covered)))
                continue
            st.metric(t(f"cogovernance.metric.{row.body_type}"), fmt.integer(row.covered), border=True,
                      help=state("gov_body", body=tv("body_type", row.body_type)))
            st.caption(t("cogovernance.k_share_cap", share=fmt.pct(row.share), missing=int(row.missing)))

    left, right = st.columns([2, 3])
    with left:
        matrix_chart()
    with right:
        coverage_chart(cov, scope)
        gaps()


def coverage_chart(cov, scope: int) -> None:
    labels = [tv("body_type", b) for b in cov.body_type]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=[scope] * len(cov), orientation="h", marker_color=MISSING, width=0.7,
                         name=t("cogovernance.scope_bar"), hoverinfo="skip"))
    fig.add_trace(go.Bar(y=labels, x=cov.covered, orientation="h", marker_color=charts.OK, width=0.45,
                         name=t("cogovernance.covered_bar"),
                         text=[f"{c} / {scope}（{fmt.pct(s)}）" if lang == "zh" else f"{c} / {scope} ({fmt.pct(s)})"
                               for c, s in zip(cov.covered, cov.share)],
                         textposition="outside", cliponaxis=False,
                         customdata=cov[["missing", "firms"]],
                         hovertemplate="<b>%{y}</b><br>" + colon("cogovernance.h_covered") + "%{x} " +
                                       t("cogovernance.u_compounds") + "<br>" + colon("cogovernance.h_missing") +
                                       "%{customdata[0]} " + t("cogovernance.u_compounds") + "<extra></extra>"))
    fig.update_layout(barmode="overlay")
    top_legend(fig, 300)
    fig.update_xaxes(title_text=t("cogovernance.ax_compounds"), range=[0, scope * 1.35])
    fig.update_yaxes(autorange="reversed")
    plot.show(fig, key="cg_coverage", title=t("cogovernance.coverage_title", n=scope), height=300)


def matrix_chart() -> None:
    m = queries.run("cogov_matrix", **P)
    rows = m.drop_duplicates("compound_id").sort_values("row_ord")
    present, absent = t("cogovernance.present"), t("cogovernance.absent")
    est = m.established_date.dt.strftime("%Y-%m-%d").fillna("—")
    fig = go.Figure(go.Heatmap(
        x=[t(f"cogovernance.short.{b}") for b in m.body_type], y=m.compound_id, z=m.z, zmin=0, zmax=1,
        colorscale=[[0, MISSING], [1, charts.OK]], showscale=False, xgap=3, ygap=2,
        customdata=list(zip(m.name, m.community_name, [present if p else absent for p in m.present], est,
                            m.firm_name.fillna("—"), [tv("body_type", b) for b in m.body_type])),
        hovertemplate="<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{customdata[5]}" + SEP + "%{customdata[2]}<br>" +
                      colon("cogovernance.h_established") + "%{customdata[3]}<br>" + colon("cogovernance.h_firm") +
                      "%{customdata[4]}<extra></extra>"))
    height = 80 + 17 * len(rows)
    fig.update_xaxes(side="top", tickfont=dict(size=12), tickangle=0)
    fig.update_yaxes(categoryorder="array", categoryarray=list(rows.compound_id), tickvals=list(rows.compound_id),
                     ticktext=[f"{n}（{int(b)}）" if lang == "zh" else f"{n} ({int(b)})" for n, b in zip(rows.name, rows.bodies)],
                     range=[len(rows) - 0.5, -0.5], tickfont=dict(size=11))
    fig.update_layout(margin=dict(t=62), title=dict(yref="container", y=1 - 6 / height, yanchor="top"))
    plot.show(fig, key="cg_matrix", title=t("cogovernance.matrix_title"), height=height)
    st.caption(t("cogovernance.matrix_caption"))


# Columns and headers of the two lists, on screen and in their downloads alike.
GAP_COLUMNS = [
    export.Col("name", "cogovernance.c_compound", width="medium"),
    export.Col("community_name", "cogovernance.c_community", width="small"),
    export.Col("missing", "cogovernance.c_missing", width="large"),
    export.Col("status", "cogovernance.c_stage", width="small"),
]
OPEN_COLUMNS = [
    export.Col("received_date", "cogovernance.c_received", "date"),
    export.Col("age_days", "cogovernance.c_age", "int"),
    export.Col("overdue", "cogovernance.c_overdue", "bool", width="small"),
    export.Col("status", "cogovernance.c_status", width="small"),
    export.Col("category", "cogovernance.c_area", width="small"),
    export.Col("summary", "cogovernance.c_summary"),
    export.Col("compound_name", "cogovernance.c_compound"),
    export.Col("community_name", "cogovernance.c_community", width="small"),
    export.Col("channel", "cogovernance.c_channel", width="small"),
    export.Col("feedback_id", "cogovernance.c_id", width="small"),
]


def gaps() -> None:
    g = queries.run("cogov_gaps", **P)
    none = g[g.no_body]
    st.markdown(f"**{t('cogovernance.gaps_none_heading', n=len(none))}**")
    if none.empty:
        st.success(t("cogovernance.gaps_none_ok"))
    else:
        st.warning("、".join(f"{md_text(r.name)}（{md_text(r.community_name)}）" for r in none.itertuples()) if lang == "zh"
                   else ", ".join(f"{md_text(r.name)} ({md_text(r.community_name)})" for r in none.itertuples()))
    st.markdown(f"**{t('cogovernance.gaps_heading', n=len(g))}**")
    if g.empty:
        st.success(t("cogovernance.gaps_ok"))
        return
    view = g.assign(missing=[("、" if lang == "zh" else ", ").join(tv("body_type", b) for b in ms) for ms in g.missing],
                    status=[tv("stage", s) for s in g.status], batch=[tv("batch", b) for b in g.batch])
    st.dataframe(view[[c.name for c in GAP_COLUMNS]], hide_index=True, width="stretch",
                 height=min(420, 38 + 35 * len(view)), placeholder="—",
                 column_config=export.column_config(GAP_COLUMNS))
    export.download_buttons(view, "governance_gaps", key="cg_gaps_export", columns=GAP_COLUMNS)


# ── feedback pipeline ─────────────────────────────────────────────────────────────────────────────
def feedback_section() -> None:
    st.subheader(t("cogovernance.feedback_heading"))
    st.caption(window)
    k = queries.run("cogov_feedback_kpis", **P).iloc[0]
    c = st.columns(5)
    c[0].metric(t("cogovernance.k_received"), fmt.integer(k.received), border=True,
                help=in_window("fb_received"))
    c[1].metric(t("cogovernance.k_resolved"), fmt.integer(k.resolved), border=True,
                help=in_window("fb_resolved"))
    c[2].metric(t("cogovernance.k_median"), "—" if k.median_days != k.median_days else fmt.num(k.median_days, lang),
                border=True, help=in_window("fb_median"))
    c[3].metric(t("cogovernance.k_p90"), "—" if k.p90_days != k.p90_days else fmt.num(k.p90_days, lang),
                border=True, help=in_window("fb_p90"))
    c[4].metric(t("cogovernance.k_open_now"), fmt.integer(k.open_now), border=True,
                help=state("fb_open_now"))
    with c[4]:
        if k.open_now:
            st.caption(t("cogovernance.k_oldest_cap", days=int(k.oldest_open_days)))
            if k.overdue_now:
                st.caption(t("cogovernance.k_overdue_cap", n=int(k.overdue_now), days=measures.FEEDBACK_OVERDUE_DAYS))

    if int(k.received) == 0:
        shell.no_data()
    else:
        left, right = st.columns([2, 3])
        with left:
            pipeline_chart(k)
        with right:
            monthly_feedback_chart()
        categories_chart()
    open_items()


def pipeline_chart(k) -> None:
    stages = ["收集", "议事", "办结"]
    counts = [int(k.collected), int(k.discussing), int(k.resolved)]
    total = max(1, int(k.received))
    fig = go.Figure(go.Bar(
        x=[tv("feedback_status", s) for s in stages], y=counts, marker_color=[STATUS_COLORS[s] for s in stages],
        text=[f"{n}（{fmt.pct(n / total)}）" if lang == "zh" else f"{n} ({fmt.pct(n / total)})" for n in counts],
        textposition="outside", cliponaxis=False,
        hovertemplate="<b>%{x}</b><br>%{y} " + t("cogovernance.u_items") + "<extra></extra>"))
    fig.update_yaxes(title_text=t("cogovernance.ax_items"), range=[0, max(counts) * 1.2 + 1])
    fig.update_xaxes(title_text=t("cogovernance.ax_status"))
    plot.show(fig, key="cg_pipeline", title=t("cogovernance.pipeline_title"), height=320)
    st.caption(t("cogovernance.pipeline_caption"))


def monthly_feedback_chart() -> None:
    df = queries.run("cogov_feedback_monthly", **P)
    unit = t("cogovernance.u_items")
    fig = go.Figure()
    fig.add_trace(go.Bar(x=df.month, y=df.received, name=t("cogovernance.received"), marker_color=charts.PALETTE[0],
                         hovertemplate="%{x|%Y-%m}<br>" + colon("cogovernance.received") + "%{y} " + unit +
                                       "<extra></extra>"))
    fig.add_trace(go.Scatter(x=df.month, y=df.resolved, name=t("cogovernance.resolved"), mode="lines+markers",
                             line=dict(color=charts.OK, width=2.5),
                             hovertemplate="%{x|%Y-%m}<br>" + colon("cogovernance.resolved") + "%{y} " + unit +
                                           "<extra></extra>"))
    top_legend(fig, 320)
    fig.update_xaxes(title_text=t("cogovernance.ax_month"), tickformat="%Y-%m", tickangle=0)
    fig.update_yaxes(title_text=t("cogovernance.ax_items"), rangemode="tozero")
    plot.show(fig, key="cg_fb_month", title=t("cogovernance.monthly_title"), height=320)


def categories_chart() -> None:
    df = queries.run("cogov_feedback_categories", **P)
    fig = go.Figure()
    for s in ["收集", "议事", "办结"]:
        d = df[df.status == s]
        fig.add_trace(go.Bar(y=[tv("concern_area", a) for a in d.area], x=d["items"], orientation="h",
                             name=tv("feedback_status", s), marker_color=STATUS_COLORS[s],
                             customdata=d[["area_total"]],
                             hovertemplate="<b>%{y}</b> · " + tv("feedback_status", s) + SEP + "%{x} " +
                                           t("cogovernance.u_items") + "<br>" + colon("cogovernance.h_area_total") +
                                           "%{customdata[0]}<extra></extra>"))
    fig.update_layout(barmode="stack")
    top_legend(fig, 340)
    fig.update_xaxes(title_text=t("cogovernance.ax_items"))
    fig.update_yaxes(autorange="reversed")
    plot.show(fig, key="cg_categories", title=t("cogovernance.categories_title"), height=340)


def open_items() -> None:
    df = queries.run("cogov_open_items", **P)
    st.markdown(f"**{t('cogovernance.open_heading', n=len(df))}**")
    st.caption(t("cogovernance.open_caption"))
    if df.empty:
        st.success(t("cogovernance.open_none"))
        return
    overdue = int(df.overdue.sum())
    if overdue:
        st.warning(t("cogovernance.overdue_warning", n=overdue, days=measures.FEEDBACK_OVERDUE_DAYS))
    view = df.assign(status=[tv("feedback_status", s) for s in df.status],
                     category=[tv("concern_area", c) for c in df.category],
                     channel=[tv("feedback_channel", c) for c in df.channel])
    st.dataframe(view[[c.name for c in OPEN_COLUMNS]], hide_index=True, width="stretch",
                 height=min(400, 38 + 35 * len(view)), placeholder="—",
                 column_config=export.column_config(OPEN_COLUMNS))
    export.download_buttons(view, "feedback_open_items", key="cg_open_export", columns=OPEN_COLUMNS)


# ── consultation and publicity ────────────────────────────────────────────────────────────────────
def meetings_section() -> None:
    st.subheader(t("cogovernance.meetings_heading"))
    st.caption(window)
    k = queries.run("cogov_meetings_kpis", **P)
    by = dict(zip(k.meeting_type, k.itertuples()))
    c = st.columns(4)
    groups = [("cogovernance.k_baba", ["坝坝会", "座谈会"]), ("cogovernance.k_yishi", ["议事会"]),
              ("cogovernance.k_joint", ["联席会议"]), ("cogovernance.k_policy", ["政策宣传"])]
    for col, (key, types) in zip(c, groups):
        name = ("、" if lang == "zh" else ", ").join(tv("meeting_type", x) for x in types)
        with col:
            st.metric(t(key), fmt.integer(sum(by[x].in_window for x in types)), border=True,
                      help=in_window("meetings", name=name))
            st.caption(t("cogovernance.k_cumulative", n=fmt.integer(sum(by[x].cumulative for x in types))))
    df = queries.run("cogov_meetings_monthly", **P)
    if df.meetings.sum() == 0:
        shell.no_data()
        return
    unit = t("cogovernance.u_times")
    fig = go.Figure()
    for mt, color in MEETING_COLORS.items():
        d = df[df.meeting_type == mt]
        fig.add_trace(go.Bar(x=d.month, y=d.meetings, name=tv("meeting_type", mt), marker_color=color,
                             customdata=d[["attendees"]],
                             hovertemplate="%{x|%Y-%m} · " + tv("meeting_type", mt) + SEP + "%{y} " + unit + "<br>" +
                                           colon("cogovernance.h_attendees") + "%{customdata[0]:,} " +
                                           t("cogovernance.u_people") + "<extra></extra>"))
    fig.update_layout(barmode="stack")
    top_legend(fig, 340)
    fig.update_xaxes(title_text=t("cogovernance.ax_month"), tickformat="%Y-%m", tickangle=0)
    fig.update_yaxes(title_text=t("cogovernance.ax_meetings"), rangemode="tozero")
    plot.show(fig, key="cg_meetings", title=t("cogovernance.meetings_title"), height=340)
    st.caption(t("cogovernance.meetings_caption"))


# ── grid and partners ─────────────────────────────────────────────────────────────────────────────
def grid_section() -> None:
    st.subheader(t("cogovernance.grid_heading"))
    g = queries.run("cogov_grid_kpis", **P).iloc[0]
    c = st.columns(5)
    c[0].metric(t("cogovernance.k_committees"), fmt.integer(g.committees), border=True,
                help=state("committees"))
    c[1].metric(t("cogovernance.k_members"), fmt.integer(g.committee_members), border=True,
                help=state("committee_members"))
    with c[2]:
        st.metric(t("cogovernance.k_leaders"), fmt.integer(g.leaders), border=True, help=state("leaders"))
        st.caption(t("cogovernance.k_key_cap", n=int(g.key_compounds)))
    c[3].metric(t("cogovernance.k_units"), fmt.integer(g.units), border=True, help=state("grid_units"))
    c[4].metric(t("cogovernance.k_party"), fmt.integer(g.party_members), border=True,
                help=state("party_members"))

    left, right = st.columns(2)
    with left:
        df = queries.run("cogov_grid_communities", **P)
        if df.empty:
            shell.no_data()
        else:
            labels = [f"{c}·{tn}" if lang == "zh" else f"{c} ({tn})" for c, tn in zip(df.community_name, df.town_name)]
            fig = go.Figure(go.Bar(
                y=labels, x=df.party_members, orientation="h", marker_color=charts.PALETTE[3],
                text=[t("cogovernance.grid_bar_text", n=int(p), units=int(u)) for p, u in zip(df.party_members, df.units)],
                textposition="outside", cliponaxis=False,
                customdata=df[["units", "committees", "committee_members", "key_compounds"]],
                hovertemplate="<b>%{y}</b><br>" + colon("cogovernance.h_party") + "%{x:,} " + t("cogovernance.u_people") +
                              "<br>" + colon("cogovernance.h_units") + "%{customdata[0]}<br>" +
                              colon("cogovernance.h_committee") + "%{customdata[1]}（%{customdata[2]} " +
                              t("cogovernance.u_people") + "）<br>" + colon("cogovernance.h_key") +
                              "%{customdata[3]} " + t("cogovernance.u_compounds") + "<extra></extra>"))
            fig.update_xaxes(title_text=t("cogovernance.ax_party"), range=[0, df.party_members.max() * 1.45])
            fig.update_yaxes(autorange="reversed")
            plot.show(fig, key="cg_grid", title=t("cogovernance.grid_title"), height=340)
    with right:
        pk = queries.run("cogov_partners", **P)
        if pk.projects.sum() == 0:
            shell.no_data()
        else:
            fig = go.Figure()
            for kind, color in PROJECT_COLORS.items():
                d = pk[pk.project_kind == kind]
                fig.add_trace(go.Bar(
                    y=[tv("partner_kind", v) for v in d.partner_kind], x=d.projects, orientation="h",
                    name=tv("project_kind", kind), marker_color=color, customdata=d[["partners_of_kind"]],
                    hovertemplate="<b>%{y}</b> · " + tv("project_kind", kind) + SEP + "%{x} " +
                                  t("cogovernance.u_projects") + "<br>" + colon("cogovernance.h_partners") +
                                  "%{customdata[0]}<extra></extra>"))
            fig.update_layout(barmode="stack")
            top_legend(fig, 340, rows=2)
            fig.update_yaxes(title_text=t("cogovernance.ax_partner_kind"), autorange="reversed")
            fig.update_xaxes(title_text=t("cogovernance.ax_projects"), rangemode="tozero")
            plot.show(fig, key="cg_partners", title=t("cogovernance.partners_title"), height=340)
    projects = queries.run("cogov_partner_projects", **P)
    with st.expander(t("cogovernance.projects_heading", n=len(projects))):
        st.table(md_frame(projects.assign(project_kind=[tv("project_kind", v) for v in projects.project_kind],
                                 partner_kind=[tv("partner_kind", v) for v in projects.partner_kind],
                                 start_date=projects.start_date.dt.strftime("%Y-%m-%d"))
                 [["project", "project_kind", "partner", "partner_kind", "community_name", "start_date"]]
                 .rename(columns={"project": t("cogovernance.c_project"), "project_kind": t("cogovernance.c_project_kind"),
                                  "partner": t("cogovernance.c_partner"), "partner_kind": t("cogovernance.c_partner_kind"),
                                  "community_name": t("cogovernance.c_community"),
                                  "start_date": t("cogovernance.c_start")})))


def reconcile_section() -> None:
    with st.expander(t("cogovernance.reconcile_heading")):
        st.caption(t("cogovernance.reconcile_caption"))
        facts_table("cogovernance", lang)


coverage_section()
feedback_section()
meetings_section()
grid_section()
reconcile_section()
