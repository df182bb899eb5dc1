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
    data = [dict(type="bar", y=labels, x=[scope] * len(cov), orientation="h", marker=dict(color=MISSING), width=0.7,
                 name=t("cogovernance.scope_bar"), hoverinfo="skip"),
            dict(type="bar", y=labels, x=cov.covered.to_numpy(), orientation="h", marker=dict(color=charts.OK),
                 width=0.45, name=t("cogovernance.covered_bar"),
                 text=[f"{c} / {scope}（{fmt.pct(s)}）" if lang == "zh" else f"{c} / {scope} ({fmt.pct(s)})"
                       for c, s in zip(cov.covered, cov.share)],
                 textposition="outside", cliponaxis=False, customdata=cov[["missing", "firms"]].to_numpy(),
                 hovertemplate="<b>%{y}</b><br>" + colon("cogovernance.h_covered", lang) + "%{x} " +
                               t("cogovernance.u_compounds") + "<br>" + colon("cogovernance.h_missing", lang) +
                               "%{customdata[0]} " + t("cogovernance.u_compounds") + "<extra></extra>")]
    return charts.figure(data, charts.merge(
        dict(barmode="overlay"), charts.top_legend_layout(300),
        dict(xaxis=dict(title=dict(text=t("cogovernance.ax_compounds")), range=[0, scope * 1.35]),
             yaxis=dict(autorange="reversed"))))


def matrix(m: pd.DataFrame, lang: str) -> go.Figure:
    """Compounds × bodies: which compound has which body (rows sized to the compounds)."""
    rows = m.drop_duplicates("compound_id").sort_values("row_ord")
    present, absent = t("cogovernance.present"), t("cogovernance.absent")
    est = m.established_date.dt.strftime("%Y-%m-%d").fillna("—")
    heat = dict(
        type="heatmap", x=[t(f"cogovernance.short.{b}") for b in m.body_type], y=m.compound_id.to_numpy(dtype=object),
        z=m.z.to_numpy(), zmin=0, zmax=1, colorscale=[[0, MISSING], [1, charts.OK]], showscale=False, xgap=3, ygap=2,
        customdata=list(zip(m.name, m.community_name, [present if p else absent for p in m.present], est,
                            m.firm_name.fillna("—"), [tv("body_type", b) for b in m.body_type])),
        hovertemplate="<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{customdata[5]}" + sep(lang) + "%{customdata[2]}<br>" +
                      colon("cogovernance.h_established", lang) + "%{customdata[3]}<br>" + colon("cogovernance.h_firm", lang) +
                      "%{customdata[4]}<extra></extra>")
    height = 80 + 17 * len(rows)
    ids = list(rows.compound_id)
    return charts.figure([heat], dict(
        xaxis=dict(side="top", tickfont=dict(size=12), tickangle=0),
        yaxis=dict(categoryorder="array", categoryarray=ids, tickvals=ids,
                   ticktext=[f"{n}（{int(b)}）" if lang == "zh" else f"{n} ({int(b)})" for n, b in zip(rows.name, rows.bodies)],
                   range=[len(rows) - 0.5, -0.5], tickfont=dict(size=11)),
        margin=dict(t=62), title=dict(yref="container", y=1 - 6 / height, yanchor="top"), height=height))


def pipeline(k: Any, lang: str) -> go.Figure:
    """Feedback items by status (cogov_feedback_kpis' row), with their share."""
    stages = ["收集", "议事", "办结"]
    counts = [int(k.collected), int(k.discussing), int(k.resolved)]
    total = max(1, int(k.received))
    return charts.figure([dict(
        type="bar", x=[tv("feedback_status", s) for s in stages], y=counts,
        marker=dict(color=[STATUS_COLORS[s] for s in stages]),
        text=[f"{n}（{fmt.pct(n / total)}）" if lang == "zh" else f"{n} ({fmt.pct(n / total)})" for n in counts],
        textposition="outside", cliponaxis=False,
        hovertemplate="<b>%{x}</b><br>%{y} " + t("cogovernance.u_items") + "<extra></extra>")],
        dict(yaxis=dict(title=dict(text=t("cogovernance.ax_items")), range=[0, max(counts) * 1.2 + 1]),
             xaxis=dict(title=dict(text=t("cogovernance.ax_status")))))


def monthly_feedback(df: pd.DataFrame, lang: str) -> go.Figure:
    """Items received (bars) and resolved (line) per month."""
    unit = t("cogovernance.u_items")
    months = df.month.to_numpy()
    data = [dict(type="bar", x=months, y=df.received.to_numpy(), name=t("cogovernance.received"),
                 marker=dict(color=charts.PALETTE[0]),
                 hovertemplate="%{x|%Y-%m}<br>" + colon("cogovernance.received", lang) + "%{y} " + unit +
                               "<extra></extra>"),
            dict(type="scatter", x=months, y=df.resolved.to_numpy(), name=t("cogovernance.resolved"),
                 mode="lines+markers", line=dict(color=charts.OK, width=2.5),
                 hovertemplate="%{x|%Y-%m}<br>" + colon("cogovernance.resolved", lang) + "%{y} " + unit +
                               "<extra></extra>")]
    return charts.figure(data, charts.merge(charts.top_legend_layout(320), dict(
        xaxis=dict(title=dict(text=t("cogovernance.ax_month")), tickformat="%Y-%m", tickangle=0),
        yaxis=dict(title=dict(text=t("cogovernance.ax_items")), rangemode="tozero"))))


def categories(df: pd.DataFrame, lang: str) -> go.Figure:
    """Items per area of concern, by status."""
    data = []
    rows = charts.split(df, "status", ["area", "items", "area_total"])
    for s in ["收集", "议事", "办结"]:
        d = rows(s)
        data.append(dict(type="bar", y=[tv("concern_area", a) for a in d["area"]], x=d["items"],
                         orientation="h", name=tv("feedback_status", s), marker=dict(color=STATUS_COLORS[s]),
                         customdata=d["area_total"][:, None],
                         hovertemplate="<b>%{y}</b> · " + tv("feedback_status", s) + sep(lang) + "%{x} " +
                                       t("cogovernance.u_items") + "<br>" + colon("cogovernance.h_area_total", lang) +
                                       "%{customdata[0]}<extra></extra>"))
    return charts.figure(data, charts.merge(dict(barmode="stack"), charts.top_legend_layout(340), dict(
        xaxis=dict(title=dict(text=t("cogovernance.ax_items"))), yaxis=dict(autorange="reversed"))))


def meetings(df: pd.DataFrame, lang: str) -> go.Figure:
    """Meetings per month by type, attendees in the hover."""
    unit = t("cogovernance.u_times")
    data = []
    rows = charts.split(df, "meeting_type", ["month", "meetings", "attendees"])
    for mt, color in MEETING_COLORS.items():
        d = rows(mt)
        data.append(dict(type="bar", x=d["month"], y=d["meetings"], name=tv("meeting_type", mt),
                         marker=dict(color=color), customdata=d["attendees"][:, None],
                         hovertemplate="%{x|%Y-%m} · " + tv("meeting_type", mt) + sep(lang) + "%{y} " + unit + "<br>" +
                                       colon("cogovernance.h_attendees", lang) + "%{customdata[0]:,} " +
                                       t("cogovernance.u_people") + "<extra></extra>"))
    return charts.figure(data, charts.merge(dict(barmode="stack"), charts.top_legend_layout(340), dict(
        xaxis=dict(title=dict(text=t("cogovernance.ax_month")), tickformat="%Y-%m", tickangle=0),
        yaxis=dict(title=dict(text=t("cogovernance.ax_meetings")), rangemode="tozero"))))


def grid_communities(df: pd.DataFrame, lang: str) -> go.Figure:
    """Party members per community, with its grid units, committee and key compounds in the hover."""
    labels = [f"{c}·{tn}" if lang == "zh" else f"{c} ({tn})" for c, tn in zip(df.community_name, df.town_name)]
    return charts.figure([dict(
        type="bar", y=labels, x=df.party_members.to_numpy(), orientation="h", marker=dict(color=charts.PALETTE[3]),
        text=[t("cogovernance.grid_bar_text", n=int(p), units=int(u)) for p, u in zip(df.party_members, df.units)],
        textposition="outside", cliponaxis=False,
        customdata=df[["units", "committees", "committee_members", "key_compounds"]].to_numpy(),
        hovertemplate="<b>%{y}</b><br>" + colon("cogovernance.h_party", lang) + "%{x:,} " + t("cogovernance.u_people") +
                      "<br>" + colon("cogovernance.h_units", lang) + "%{customdata[0]}<br>" +
                      colon("cogovernance.h_committee", lang) + "%{customdata[1]}（%{customdata[2]} " +
                      t("cogovernance.u_people") + "）<br>" + colon("cogovernance.h_key", lang) +
                      "%{customdata[3]} " + t("cogovernance.u_compounds") + "<extra></extra>")],
        dict(xaxis=dict(title=dict(text=t("cogovernance.ax_party")), range=[0, df.party_members.max() * 1.45]),
             yaxis=dict(autorange="reversed")))


def partners(pk: pd.DataFrame, lang: str) -> go.Figure:
    """Partner projects per kind of partner, by kind of project."""
    data = []
    rows = charts.split(pk, "project_kind", ["partner_kind", "projects", "partners_of_kind"])
    for kind, color in PROJECT_COLORS.items():
        d = rows(kind)
        data.append(dict(
            type="bar", y=[tv("partner_kind", v) for v in d["partner_kind"]], x=d["projects"], orientation="h",
            name=tv("project_kind", kind), marker=dict(color=color), customdata=d["partners_of_kind"][:, None],
            hovertemplate="<b>%{y}</b> · " + tv("project_kind", kind) + sep(lang) + "%{x} " +
                          t("cogovernance.u_projects") + "<br>" + colon("cogovernance.h_partners", lang) +
                          "%{customdata[0]}<extra></extra>"))
    return charts.figure(data, charts.merge(dict(barmode="stack"), charts.top_legend_layout(340, rows=2), dict(
        yaxis=dict(title=dict(text=t("cogovernance.ax_partner_kind")), autorange="reversed"),
        xaxis=dict(title=dict(text=t("cogovernance.ax_projects")), rangemode="tozero"))))
