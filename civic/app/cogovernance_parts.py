"""The co-governance page's tiles, lists and table specs (pages/cogovernance.py lays them out).

Tiles say what they count and over which days (current state on the data's last day, or the date range);
lists are export.Col specs, the same on screen and in their downloads.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from civic import measures
from civic.app import memo
from civic.app.export import Col
from civic.app.widgets import Kpi, downloads, kpi_row, paged_table, table
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_text

# Columns and headers of the two lists, on screen and in their downloads alike.
GAPS = [Col("name", "cogovernance.c_compound", width="medium"),
        Col("community_name", "cogovernance.c_community", width="small"),
        Col("missing", "cogovernance.c_missing", width="large"),
        Col("status", "cogovernance.c_stage", "value", width="small", domain="stage")]
OPEN_ITEMS = [Col("received_date", "cogovernance.c_received", "date"), Col("age_days", "cogovernance.c_age", "int"),
              Col("overdue", "cogovernance.c_overdue", "bool", width="small"),
              Col("status", "cogovernance.c_status", "value", width="small", domain="feedback_status"),
              Col("category", "cogovernance.c_area", "value", width="small", domain="concern_area"),
              Col("summary", "cogovernance.c_summary"), Col("compound_name", "cogovernance.c_compound"),
              Col("community_name", "cogovernance.c_community", width="small"),
              Col("channel", "cogovernance.c_channel", "value", width="small", domain="feedback_channel"),
              Col("feedback_id", "cogovernance.c_id", width="small")]
PROJECTS = [Col("project", "cogovernance.c_project"),
            Col("project_kind", "cogovernance.c_project_kind", "value", domain="project_kind"),
            Col("partner", "cogovernance.c_partner"),
            Col("partner_kind", "cogovernance.c_partner_kind", "value", domain="partner_kind"),
            Col("community_name", "cogovernance.c_community"), Col("start_date", "cogovernance.c_start", "date")]
# one analysis section at a time (widgets.section_bar; URL view=), each with its own tiles: coverage of the
# governance bodies and the gaps, the feedback pipeline and open items, meetings and publicity, the grid
SECTIONS = ("coverage", "feedback", "meetings", "grid")
VIEW_KEY = "cg_view"
MEETING_GROUPS = [("cogovernance.k_baba", ["坝坝会", "座谈会"]), ("cogovernance.k_yishi", ["议事会"]),
                  ("cogovernance.k_joint", ["联席会议"]), ("cogovernance.k_policy", ["政策宣传"])]


class Tiles:
    """Tooltips of the page's tiles: a current state on `anchor`, or a count over lo..hi."""

    def __init__(self, anchor: date, lo: date, hi: date, lang: str) -> None:
        self.anchor, self.window, self.lang = anchor, measures.Window(lo, hi), lang

    def state(self, label: str, value: str, kpi_id: str, caption: str | tuple[str, ...] | None = None,
              **kw: Any) -> Kpi:
        return Kpi(t(label), measures.state_tile(kpi_id, None, self.anchor, self.lang, value_text=value, **kw),
                   caption)

    def counted(self, label: str, value: str, kpi_id: str, caption: str | None = None, **kw: Any) -> Kpi:
        return Kpi(t(label), measures.window_tile(kpi_id, None, self.window, self.lang, value_text=value, **kw),
                   caption)


def _days(v: Any, lang: str) -> str:
    return "—" if v != v else fmt.num(v, lang)


def coverage_tiles(cov: pd.DataFrame, scope: int, tiles: Tiles) -> None:
    """The scope, then per body the compounds that have one (物业企业: the firms)."""
    kpis = [tiles.state("cogovernance.k_scope", fmt.integer(scope), "gov_scope")]
    for row in cov.itertuples():
        if row.body_type == "物业企业":
            kpis.append(tiles.state("cogovernance.k_firms", fmt.integer(row.firms), "gov_firms",
                                    t("cogovernance.k_firms_cap", n=int(row.covered))))
        else:
            kpis.append(tiles.state(f"cogovernance.metric.{row.body_type}", fmt.integer(row.covered), "gov_body",
                                    t("cogovernance.k_share_cap", share=fmt.pct(row.share), missing=int(row.missing)),
                                    body=tv("body_type", row.body_type)))
    kpi_row(kpis)


def feedback_tiles(k: Any, tiles: Tiles) -> None:
    """Feedback received, resolved and its days to resolution in the range; open on the last day."""
    caption: tuple[str, ...] = ()
    if k.open_now:
        caption = (t("cogovernance.k_oldest_cap", days=int(k.oldest_open_days)),)
        if k.overdue_now:
            caption += (t("cogovernance.k_overdue_cap", n=int(k.overdue_now), days=measures.FEEDBACK_OVERDUE_DAYS),)
    kpi_row([tiles.counted("cogovernance.k_received", fmt.integer(k.received), "fb_received"),
             tiles.counted("cogovernance.k_resolved", fmt.integer(k.resolved), "fb_resolved"),
             tiles.counted("cogovernance.k_median", _days(k.median_days, tiles.lang), "fb_median"),
             tiles.counted("cogovernance.k_p90", _days(k.p90_days, tiles.lang), "fb_p90"),
             tiles.state("cogovernance.k_open_now", fmt.integer(k.open_now), "fb_open_now", caption)])


def meeting_tiles(k: pd.DataFrame, tiles: Tiles) -> None:
    """Meetings of each group in the range, the cumulative count below."""
    by = dict(zip(k.meeting_type, k.itertuples()))
    kpis = []
    for key, types in MEETING_GROUPS:
        name = ("、" if tiles.lang == "zh" else ", ").join(tv("meeting_type", x) for x in types)
        kpis.append(tiles.counted(key, fmt.integer(sum(by[x].in_window for x in types)), "meetings",
                                  t("cogovernance.k_cumulative", n=fmt.integer(sum(by[x].cumulative for x in types))),
                                  name=name))
    kpi_row(kpis)


def grid_tiles(g: Any, tiles: Tiles) -> None:
    kpi_row([tiles.state("cogovernance.k_committees", fmt.integer(g.committees), "committees"),
             tiles.state("cogovernance.k_members", fmt.integer(g.committee_members), "committee_members"),
             tiles.state("cogovernance.k_leaders", fmt.integer(g.leaders), "leaders",
                         t("cogovernance.k_key_cap", n=int(g.key_compounds))),
             tiles.state("cogovernance.k_units", fmt.integer(g.units), "grid_units"),
             tiles.state("cogovernance.k_party", fmt.integer(g.party_members), "party_members")])


def _gap_rows(params: dict[str, Any], lang: str) -> tuple[int, str, pd.DataFrame]:
    """cogov_gaps read once per (filters, language, data version) and shared (memo.shared): how many
    compounds have no body, their names in a sentence, and the rows with the missing bodies in words."""
    g = queries.run("cogov_gaps", **params)
    none = g[g.no_body]
    named = ("、".join(f"{md_text(r.name)}（{md_text(r.community_name)}）" for r in none.itertuples()) if lang == "zh"
             else ", ".join(f"{md_text(r.name)} ({md_text(r.community_name)})" for r in none.itertuples()))
    rows = g.assign(missing=[("、" if lang == "zh" else ", ").join(tv("body_type", b, lang) for b in ms)
                             for ms in g.missing])
    return len(none), named, rows


def gaps(params: dict[str, Any], lang: str) -> None:
    """Compounds without any body (named), and every compound missing one, as a list to download."""
    n_none, named, rows = memo.shared(_gap_rows, params, lang)
    st.markdown(f"**{t('cogovernance.gaps_none_heading', n=n_none)}**")
    if not n_none:
        st.success(t("cogovernance.gaps_none_ok"))
    else:
        st.warning(named)
    st.markdown(f"**{t('cogovernance.gaps_heading', n=len(rows))}**")
    if rows.empty:
        st.success(t("cogovernance.gaps_ok"))
        return
    table(rows, GAPS, lang, height=min(420, 38 + 35 * len(rows)), placeholder="—")
    downloads(lambda: rows, GAPS, lang, "governance_gaps", key="cg_gaps_export")


def open_items(params: dict[str, Any], k: Any, lang: str) -> None:
    """Feedback still open on the data's last day, the overdue ones flagged, a page at a time, as a list to
    download (every row). `k`: the feedback tiles' row (cogov_feedback_kpis), whose open_now and overdue_now
    count these items, so the heading, the warning and the tile say one number."""
    total, overdue = int(k.open_now), int(k.overdue_now)
    st.markdown(f"**{t('cogovernance.open_heading', n=total)}**")
    st.caption(t("cogovernance.open_caption"))
    if total == 0:
        st.success(t("cogovernance.open_none"))
        return
    if overdue:
        st.warning(t("cogovernance.overdue_warning", n=overdue, days=measures.FEEDBACK_OVERDUE_DAYS))
    paged_table("cg_open", total, lambda limit, offset: queries.run(
        "cogov_open_items", **dict(params, limit=limit, offset=offset)), OPEN_ITEMS, lang,
        scope=params, height=min(400, 38 + 35 * total), placeholder="—")
    everything = dict(params, limit=None, offset=0)
    # runs on the download thread when a button is clicked: every open item, not the page
    downloads(lambda: queries.execute("cogov_open_items", **everything), OPEN_ITEMS, lang, "feedback_open_items",
              key="cg_open_export")
