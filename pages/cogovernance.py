"""小区共治: co-governance in 汉源县 — body coverage among the 55 compounds with the gaps, the resident feedback
pipeline, consultation meetings and policy publicity, the grid and its partners.

Shared filters: town and date range. The date range applies to feedback and meetings (when received / held);
coverage, open items, the grid and partners describe the current state and follow the town filter only.
One analysis section is built at a time (view=: coverage, feedback, meetings, grid; widgets.section_bar),
each with its own tiles, since a click reruns the whole script and every chart and grid costs server CPU and
browser drawing (issue 21).
Charts come from civic/figures/cogovernance.py, tiles and lists from civic/app/cogovernance_parts.py.
"""
import streamlit as st

from civic import domain, measures
from civic.app import cogovernance_parts as parts
from civic.app import memo, plot, shell
from civic.app import widgets as ui
from civic.app.briefing_button import briefing_button
from civic.app.filters import load_page_params
from civic.figures import cogovernance as cf
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t

COUNTY = domain.HANYUAN

f = shell.filters()
lang = shell.lang()
shell.page_header("cogovernance.title", "cogovernance.caption")
briefing_button(small=True)
view_param = ui.section_param("view", parts.VIEW_KEY, parts.SECTIONS)
load_page_params(view_param)
P = dict(towns=f.town_codes(COUNTY), date_from=f.date_from, date_to=f.date_to, as_of=f.anchor,
         overdue_days=measures.FEEDBACK_OVERDUE_DAYS)
window = t("cogovernance.window", start=fmt.day(f.date_from, lang), end=fmt.day(f.date_to, lang))
tiles = parts.Tiles(f.anchor, f.date_from, f.date_to, lang)


# ── coverage among the 55 ────────────────────────────────────────────────────────────────────────
def coverage_section() -> None:
    st.subheader(t("cogovernance.coverage_heading"))
    cov = queries.run("cogov_coverage", **P)
    scope = int(cov.scope.iloc[0]) if not cov.empty else 0
    if scope == 0:
        shell.no_data()
        return
    parts.coverage_tiles(cov, scope, tiles)
    left, right = st.columns([2, 3])
    with left:
        plot.show(memo.fig(cf.matrix, queries.run("cogov_matrix", **P), lang), key="cg_matrix",
                  title=t("cogovernance.matrix_title"))
        st.caption(t("cogovernance.matrix_caption"))
    with right:
        plot.show(memo.fig(cf.coverage, cov, scope, lang), key="cg_coverage", title=t("cogovernance.coverage_title", n=scope),
                  height=300)
        parts.gaps(P, lang)


# ── feedback pipeline ─────────────────────────────────────────────────────────────────────────────
def feedback_section() -> None:
    st.subheader(t("cogovernance.feedback_heading"))
    st.caption(window)
    k = queries.run("cogov_feedback_kpis", **P).iloc[0]
    parts.feedback_tiles(k, tiles)
    if int(k.received) == 0:
        shell.no_data()
    else:
        left, right = st.columns([2, 3])
        with left:
            plot.show(memo.fig(cf.pipeline, k, lang), key="cg_pipeline", title=t("cogovernance.pipeline_title"), height=320)
            st.caption(t("cogovernance.pipeline_caption"))
        with right:
            plot.show(memo.fig(cf.monthly_feedback, queries.run("cogov_feedback_monthly", **P), lang), key="cg_fb_month",
                      title=t("cogovernance.monthly_title"), height=320)
        plot.show(memo.fig(cf.categories, queries.run("cogov_feedback_categories", **P), lang), key="cg_categories",
                  title=t("cogovernance.categories_title"), height=340)
    parts.open_items(P, k, lang)


# ── consultation and publicity ────────────────────────────────────────────────────────────────────
def meetings_section() -> None:
    st.subheader(t("cogovernance.meetings_heading"))
    st.caption(window)
    parts.meeting_tiles(queries.run("cogov_meetings_kpis", **P), tiles)
    df = queries.run("cogov_meetings_monthly", **P)
    if ui.chart(df.meetings.sum() > 0, lambda: memo.fig(cf.meetings, df, lang), key="cg_meetings",
                title=t("cogovernance.meetings_title"), height=340) is not None:
        st.caption(t("cogovernance.meetings_caption"))


# ── grid and partners ─────────────────────────────────────────────────────────────────────────────
def grid_section() -> None:
    st.subheader(t("cogovernance.grid_heading"))
    parts.grid_tiles(queries.run("cogov_grid_kpis", **P).iloc[0], tiles)
    left, right = st.columns(2)
    with left:
        grid = queries.run("cogov_grid_communities", **P)
        ui.chart(not grid.empty, lambda: memo.fig(cf.grid_communities, grid, lang), key="cg_grid",
                 title=t("cogovernance.grid_title"), height=340)
    with right:
        partners = queries.run("cogov_partners", **P)
        ui.chart(partners.projects.sum() > 0, lambda: memo.fig(cf.partners, partners, lang), key="cg_partners",
                 title=t("cogovernance.partners_title"), height=340)
    projects = queries.run("cogov_partner_projects", **P)
    with st.expander(t("cogovernance.projects_heading", n=len(projects))):
        ui.static_table(projects, parts.PROJECTS, lang)


def reconcile_section() -> None:
    # collapsed, built only when opened (as the map's table): its st.table is Markdown per cell for the browser
    box = st.expander(t("cogovernance.reconcile_heading"), key="cg_reconcile_open", on_change="rerun")
    with box:
        if box.open:
            st.caption(t("cogovernance.reconcile_caption"))
            ui.facts_table("cogovernance", lang)


# ── the open section, and only it ────────────────────────────────────────────────────────────────
view = ui.section_bar(parts.VIEW_KEY, parts.SECTIONS, "cogovernance.section")
view_param.store()
{"coverage": coverage_section, "feedback": feedback_section, "meetings": meetings_section,
 "grid": grid_section}[view]()
reconcile_section()
