"""The co-governance page's charts (小区共治): frames of queries/cogov_*.sql in, plotly figures out.

No Streamlit here: pages/cogovernance.py draws them with civic/app/plot.py `show`; `lang` picks punctuation.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from civic.figures import charts
from civic.text import fmt
from civic.text.i18n import t, tv

STATUS_COLORS = {"收集": charts.PALETTE[1], "议事": charts.PALETTE[4], "办结": charts.OK}
MEETING_COLORS = {"坝坝会": charts.PALETTE[1], "座谈会": charts.PALETTE[0], "议事会": charts.PALETTE[4],
                  "联席会议": charts.PALETTE[5], "政策宣传": charts.PALETTE[3]}
PROJECT_COLORS = {"领办小区物业": charts.PALETTE[0], "服务一老一小": charts.PALETTE[1], "夜间经济": charts.PALETTE[4],
                  "便民服务": charts.PALETTE[2]}
MISSING = "#E6EAEF"


def sep(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def colon(key: str, lang: str) -> str:
    return t(key) + sep(lang)



def coverage(cov: pd.DataFrame, scope: int, lang: str) -> go.Figure:
    """Compounds with each body among the scope, over a bar of the whole scope."""
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
                         hovertemplate="<b>%{y}</b><br>" + colon("cogovernance.h_covered", lang) + "%{x} " +
                                       t("cogovernance.u_compounds") + "<br>" + colon("cogovernance.h_missing", lang) +
                                       "%{customdata[0]} " + t("cogovernance.u_compounds") + "<extra></extra>"))
    fig.update_layout(barmode="overlay")
    charts.top_legend(fig, 300)
    fig.update_xaxes(title_text=t("cogovernance.ax_compounds"), range=[0, scope * 1.35])
    fig.update_yaxes(autorange="reversed")
    return fig


def matrix(m: pd.DataFrame, lang: str) -> go.Figure:
    """Compounds × bodies: which compound has which body (rows sized to the compounds)."""
    rows = m.drop_duplicates("compound_id").sort_values("row_ord")
    present, absent = t("cogovernance.present"), t("cogovernance.absent")
    est = m.established_date.dt.strftime("%Y-%m-%d").fillna("—")
    fig = go.Figure(go.Heatmap(
        x=[t(f"cogovernance.short.{b}") for b in m.body_type], y=m.compound_id, z=m.z, zmin=0, zmax=1,
        colorscale=[[0, MISSING], [1, charts.OK]], showscale=False, xgap=3, ygap=2,
        customdata=list(zip(m.name, m.community_name, [present if p else absent for p in m.present], est,
                            m.firm_name.fillna("—"), [tv("body_type", b) for b in m.body_type])),
        hovertemplate="<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{customdata[5]}" + sep(lang) + "%{customdata[2]}<br>" +
                      colon("cogovernance.h_established", lang) + "%{customdata[3]}<br>" + colon("cogovernance.h_firm", lang) +
                      "%{customdata[4]}<extra></extra>"))
    height = 80 + 17 * len(rows)
    fig.update_xaxes(side="top", tickfont=dict(size=12), tickangle=0)
    fig.update_yaxes(categoryorder="array", categoryarray=list(rows.compound_id), tickvals=list(rows.compound_id),
                     ticktext=[f"{n}（{int(b)}）" if lang == "zh" else f"{n} ({int(b)})" for n, b in zip(rows.name, rows.bodies)],
                     range=[len(rows) - 0.5, -0.5], tickfont=dict(size=11))
    fig.update_layout(margin=dict(t=62), title=dict(yref="container", y=1 - 6 / height, yanchor="top"))
    fig.update_layout(height=height)
    return fig


def pipeline(k: Any, lang: str) -> go.Figure:
    """Feedback items by status (cogov_feedback_kpis' row), with their share."""
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
    return fig


def monthly_feedback(df: pd.DataFrame, lang: str) -> go.Figure:
    """Items received (bars) and resolved (line) per month."""
    unit = t("cogovernance.u_items")
    fig = go.Figure()
    fig.add_trace(go.Bar(x=df.month, y=df.received, name=t("cogovernance.received"), marker_color=charts.PALETTE[0],
                         hovertemplate="%{x|%Y-%m}<br>" + colon("cogovernance.received", lang) + "%{y} " + unit +
                                       "<extra></extra>"))
    fig.add_trace(go.Scatter(x=df.month, y=df.resolved, name=t("cogovernance.resolved"), mode="lines+markers",
                             line=dict(color=charts.OK, width=2.5),
                             hovertemplate="%{x|%Y-%m}<br>" + colon("cogovernance.resolved", lang) + "%{y} " + unit +
                                           "<extra></extra>"))
    charts.top_legend(fig, 320)
    fig.update_xaxes(title_text=t("cogovernance.ax_month"), tickformat="%Y-%m", tickangle=0)
    fig.update_yaxes(title_text=t("cogovernance.ax_items"), rangemode="tozero")
    return fig


def categories(df: pd.DataFrame, lang: str) -> go.Figure:
    """Items per area of concern, by status."""
    fig = go.Figure()
    for s in ["收集", "议事", "办结"]:
        d = df[df.status == s]
        fig.add_trace(go.Bar(y=[tv("concern_area", a) for a in d.area], x=d["items"], orientation="h",
                             name=tv("feedback_status", s), marker_color=STATUS_COLORS[s],
                             customdata=d[["area_total"]],
                             hovertemplate="<b>%{y}</b> · " + tv("feedback_status", s) + sep(lang) + "%{x} " +
                                           t("cogovernance.u_items") + "<br>" + colon("cogovernance.h_area_total", lang) +
                                           "%{customdata[0]}<extra></extra>"))
    fig.update_layout(barmode="stack")
    charts.top_legend(fig, 340)
    fig.update_xaxes(title_text=t("cogovernance.ax_items"))
    fig.update_yaxes(autorange="reversed")
    return fig


def meetings(df: pd.DataFrame, lang: str) -> go.Figure:
    """Meetings per month by type, attendees in the hover."""
    unit = t("cogovernance.u_times")
    fig = go.Figure()
    for mt, color in MEETING_COLORS.items():
        d = df[df.meeting_type == mt]
        fig.add_trace(go.Bar(x=d.month, y=d.meetings, name=tv("meeting_type", mt), marker_color=color,
                             customdata=d[["attendees"]],
                             hovertemplate="%{x|%Y-%m} · " + tv("meeting_type", mt) + sep(lang) + "%{y} " + unit + "<br>" +
                                           colon("cogovernance.h_attendees", lang) + "%{customdata[0]:,} " +
                                           t("cogovernance.u_people") + "<extra></extra>"))
    fig.update_layout(barmode="stack")
    charts.top_legend(fig, 340)
    fig.update_xaxes(title_text=t("cogovernance.ax_month"), tickformat="%Y-%m", tickangle=0)
    fig.update_yaxes(title_text=t("cogovernance.ax_meetings"), rangemode="tozero")
    return fig


def grid_communities(df: pd.DataFrame, lang: str) -> go.Figure:
    """Party members per community, with its grid units, committee and key compounds in the hover."""
    labels = [f"{c}·{tn}" if lang == "zh" else f"{c} ({tn})" for c, tn in zip(df.community_name, df.town_name)]
    fig = go.Figure(go.Bar(
        y=labels, x=df.party_members, orientation="h", marker_color=charts.PALETTE[3],
        text=[t("cogovernance.grid_bar_text", n=int(p), units=int(u)) for p, u in zip(df.party_members, df.units)],
        textposition="outside", cliponaxis=False,
        customdata=df[["units", "committees", "committee_members", "key_compounds"]],
        hovertemplate="<b>%{y}</b><br>" + colon("cogovernance.h_party", lang) + "%{x:,} " + t("cogovernance.u_people") +
                      "<br>" + colon("cogovernance.h_units", lang) + "%{customdata[0]}<br>" +
                      colon("cogovernance.h_committee", lang) + "%{customdata[1]}（%{customdata[2]} " +
                      t("cogovernance.u_people") + "）<br>" + colon("cogovernance.h_key", lang) +
                      "%{customdata[3]} " + t("cogovernance.u_compounds") + "<extra></extra>"))
    fig.update_xaxes(title_text=t("cogovernance.ax_party"), range=[0, df.party_members.max() * 1.45])
    fig.update_yaxes(autorange="reversed")
    return fig


def partners(pk: pd.DataFrame, lang: str) -> go.Figure:
    """Partner projects per kind of partner, by kind of project."""
    fig = go.Figure()
    for kind, color in PROJECT_COLORS.items():
        d = pk[pk.project_kind == kind]
        fig.add_trace(go.Bar(
            y=[tv("partner_kind", v) for v in d.partner_kind], x=d.projects, orientation="h",
            name=tv("project_kind", kind), marker_color=color, customdata=d[["partners_of_kind"]],
            hovertemplate="<b>%{y}</b> · " + tv("project_kind", kind) + sep(lang) + "%{x} " +
                          t("cogovernance.u_projects") + "<br>" + colon("cogovernance.h_partners", lang) +
                          "%{customdata[0]}<extra></extra>"))
    fig.update_layout(barmode="stack")
    charts.top_legend(fig, 340, rows=2)
    fig.update_yaxes(title_text=t("cogovernance.ax_partner_kind"), autorange="reversed")
    fig.update_xaxes(title_text=t("cogovernance.ax_projects"), rangemode="tozero")
    return fig
