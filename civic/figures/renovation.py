"""The renovation page's charts (老旧小区改造): frames of queries/renovation_*.sql in, plotly figures out.

No Streamlit here: pages/renovation.py draws them with civic/app/plot.py `show` (and the clicks on the
community, type, funding and Gantt charts carry their value in customdata[0]). `anchor` is the data's day
(the "today" line); `lang` picks punctuation and units.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from civic import stages
from civic.figures import charts
from civic.text import fmt
from civic.text.i18n import t, tv

STAGES = list(stages.ORDER)
SOURCE_COLORS = {"财政奖补": charts.PALETTE[0], "居民自筹": charts.PALETTE[1], "集体经济": charts.PALETTE[2],
                 "联帮包单位": charts.PALETTE[4]}
BATCH_FILL = {"实施一批": "rgba(31,111,178,0.08)", "谋划一批": "rgba(232,131,58,0.10)",
              "储备一批": "rgba(126,98,179,0.08)"}
PLAN_GREY = "rgba(138,150,163,0.28)"


def colon(key: str, lang: str) -> str:
    return t(key) + ("：" if lang == "zh" else ": ")



def funnel(df: pd.DataFrame, lang: str) -> go.Figure:
    """Compounds that reached each stage (stages.counts), with those at it and their size in the hover; a click
    carries the stage (customdata[0])."""
    fig = go.Figure(go.Funnel(
        y=[stages.reached_label(s) for s in df.stage], x=df.reached,
        marker=dict(color=[charts.STAGE_COLORS[s] for s in df.stage]),
        texttemplate="%{x} " + t("renovation.u_compounds"), textposition="inside", textfont=dict(color="white"),
        connector=dict(line=dict(color=charts.MUTED, width=1)),
        customdata=df[["stage", "at_stage", "buildings", "households"]].assign(area=df.floor_area_m2 / 1e4),
        hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_reached", lang) + "%{x} " + t("renovation.u_compounds") +
                      "<br>" + colon("renovation.h_at_stage", lang) + "%{customdata[1]} " + t("renovation.u_compounds") +
                      "<br>" + colon("renovation.h_buildings", lang) + "%{customdata[2]:,} " + t("renovation.u_buildings") +
                      "<br>" + colon("renovation.h_households", lang) + "%{customdata[3]:,} " + t("renovation.u_households") +
                      "<br>" + colon("renovation.h_area", lang) + "%{customdata[4]:,.2f} " + t("renovation.u_wan_m2") +
                      "<extra></extra>"))
    fig.update_layout(clickmode="event+select")
    return fig


def scurve(df: pd.DataFrame, bands: pd.DataFrame, anchor: date, lang: str) -> go.Figure:
    """Compounds done, planned against actual, month by month, over the batches' plan windows."""
    fig = go.Figure()
    for b in bands.itertuples():
        fig.add_vrect(x0=b.plan_start, x1=b.plan_done, fillcolor=BATCH_FILL.get(b.batch, PLAN_GREY), line_width=0,
                      layer="below")
        fig.add_annotation(x=b.plan_start, y=1 - 0.075 * (b.ord - 1), xref="x", yref="paper", xanchor="left",
                           yanchor="top", showarrow=False, font=dict(size=11, color=charts.MUTED),
                           text=f"{tv('batch', b.batch)} · {b.compounds}")
    unit = t("renovation.u_compounds")
    fig.add_trace(go.Scatter(x=df.month_end, y=df.planned_cum, mode="lines", line_shape="hv", name=t("renovation.planned"),
                             line=dict(color=charts.MUTED, width=2, dash="dash"),
                             hovertemplate="%{x|%Y-%m}<br>" + colon("renovation.h_planned_cum", lang) + "%{y} " + unit +
                                           "<extra></extra>"))
    actual = df[df.actual_cum.notna()]
    fig.add_trace(go.Scatter(x=actual.month_end, y=actual.actual_cum, mode="lines", line_shape="hv",
                             name=t("renovation.actual"), line=dict(color=charts.OK, width=3),
                             hovertemplate="%{x|%Y-%m}<br>" + colon("renovation.h_actual_cum", lang) + "%{y} " + unit +
                                           "<extra></extra>"))
    fig.add_vline(x=anchor, line=dict(color=charts.BAD, width=1.5, dash="dot"))
    fig.add_annotation(x=anchor, y=0.02, xref="x", yref="paper", xanchor="right", yanchor="bottom",
                       showarrow=False, font=dict(size=11, color=charts.BAD),
                       text=t("renovation.today", date=anchor.isoformat()))
    fig.update_xaxes(title_text=t("renovation.ax_month"), tickformat="%Y-%m")
    fig.update_yaxes(title_text=t("renovation.ax_cum_compounds"), rangemode="tozero",
                     range=[0, max(1, int(df.compounds.max()) if not df.empty else 1) * 1.12])
    fig.update_layout(hovermode="x unified")
    charts.top_legend(fig, 340)
    return fig


def works(df: pd.DataFrame, lang: str) -> go.Figure:
    """Each work category's done share of its plan, with the published figure's mark (all compounds only)."""
    labels = [f"{tv('work_category', c)}（{tv('unit', u)}）" if lang == "zh" and tv("unit", u)
              else (f"{tv('work_category', c)} ({tv('unit', u)})" if tv("unit", u) else tv("work_category", c))
              for c, u in zip(df.category, df.unit)]
    units = [tv("unit", u) for u in df.unit]
    qty = [f"{fmt.integer(d)} / {fmt.integer(p)} {u}".strip() for d, p, u in zip(df.done, df.planned, units)]
    show_pub = bool(df.is_all.iloc[0]) if not df.empty else False   # the published marks: all compounds only
    pub = [fmt.published(v, q, u if lang == "zh" else "", lang) if v == v else "—"
           for v, q, u in zip(df.published, df.qualifier, df.unit)]
    custom = list(zip(qty, pub, df.compounds))
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=[100] * len(df), orientation="h", marker_color=PLAN_GREY, width=0.75,
                         name=t("renovation.planned_qty"), customdata=custom,
                         hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_done_planned", lang) + "%{customdata[0]}"
                                       "<br>" + colon("renovation.h_compounds", lang) + "%{customdata[2]}<extra></extra>"))
    fig.add_trace(go.Bar(y=labels, x=df.done_pct.fillna(0), orientation="h", marker_color=charts.PALETTE[0],
                         width=0.42, name=t("renovation.done_qty"), customdata=custom,
                         hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_done_pct", lang) + "%{x:.1f}%<br>" +
                                       colon("renovation.h_done_planned", lang) + "%{customdata[0]}<br>" +
                                       colon("renovation.h_published", lang) + "%{customdata[1]}<extra></extra>"))
    if show_pub:
        fig.add_trace(go.Scatter(y=labels, x=df.published_pct, mode="markers", name=t("renovation.published"),
                                 marker=dict(symbol="line-ns", size=22, line=dict(width=3, color=charts.BAD)),
                                 customdata=custom,
                                 hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_published", lang) +
                                               "%{customdata[1]}<extra></extra>"))
    fig.add_trace(go.Scatter(y=labels, x=[101] * len(df), mode="text", text=qty, textposition="middle right",
                             textfont=dict(size=12), showlegend=False, hoverinfo="skip"))
    fig.update_layout(barmode="overlay", bargap=0.25)
    charts.top_legend(fig, 110 + 34 * len(df))
    fig.update_layout(height=110 + 34 * len(df))
    fig.update_xaxes(title_text=t("renovation.ax_done_pct"), range=[0, 142], tickvals=[0, 25, 50, 75, 100],
                     ticksuffix="%")
    fig.update_yaxes(autorange="reversed")
    return fig


def _stage_bars(fig: go.Figure, df: pd.DataFrame, lang: str, y: Callable[[pd.DataFrame], list],
                customdata: list[str]) -> None:
    """One horizontal bar trace per stage (compounds at it now), stacked; customdata[1], [2] are the
    buildings and households the hover shows, customdata[0] what a click carries."""
    for s in STAGES:
        d = df[df.stage == s]
        if d.empty:
            continue
        fig.add_trace(go.Bar(
            y=y(d), x=d.compounds, orientation="h", name=tv("stage", s),
            marker_color=charts.STAGE_COLORS[s], customdata=d[customdata],
            hovertemplate="%{y}<br>" + tv("stage", s) + "：%{x} " + t("renovation.u_compounds") +
                          "<br>" + colon("renovation.h_buildings", lang) + "%{customdata[1]:,}" +
                          "<br>" + colon("renovation.h_households", lang) + "%{customdata[2]:,}<extra></extra>"))
    fig.update_layout(barmode="stack", clickmode="event+select")
    fig.update_xaxes(title_text=t("renovation.ax_compounds"))


def by_community(df: pd.DataFrame, lang: str) -> go.Figure:
    """Compounds per community by stage (a click carries the community code)."""
    fig = go.Figure()
    _stage_bars(fig, df, lang, lambda d: [list(d.town_name), list(d.community_name)],
                ["community_code", "buildings", "households", "community_total"])
    height = 170 + 40 * df.community_code.nunique()
    fig.update_layout(height=height)
    charts.top_legend(fig, height)
    fig.update_yaxes(autorange="reversed")
    return fig


def by_type(df: pd.DataFrame, lang: str) -> go.Figure:
    """Compounds per type by stage (a click carries the type)."""
    fig = go.Figure()
    _stage_bars(fig, df, lang, lambda d: [tv("compound_type", v) for v in d.compound_type],
                ["compound_type", "buildings", "households"])
    charts.top_legend(fig, 260, rows=2)
    return fig


def funding(df: pd.DataFrame, lang: str) -> go.Figure:
    """Funding per batch by source, the batch total above (a click carries the batch)."""
    fig = go.Figure()
    for src, color in SOURCE_COLORS.items():
        d = df[df.source == src]
        if d.empty:
            continue
        fig.add_trace(go.Bar(
            x=[tv("batch", b) for b in d.batch], y=d.amount_wan, name=tv("funding_source", src), marker_color=color,
            customdata=d[["batch", "compounds"]].assign(share=d.amount_wan / d.batch_total_wan * 100),
            hovertemplate="%{x} · " + tv("funding_source", src) + "<br>%{y:,.1f} " + t("renovation.u_wan_yuan") +
                          "（%{customdata[2]:.1f}%）<br>" + colon("renovation.h_compounds", lang) + "%{customdata[1]}"
                          "<extra></extra>"))
    totals = df.drop_duplicates("batch")
    fig.add_trace(go.Scatter(x=[tv("batch", b) for b in totals.batch], y=totals.batch_total_wan, mode="text",
                             text=[f"{v:,.0f}" for v in totals.batch_total_wan], textposition="top center",
                             showlegend=False, hoverinfo="skip"))
    fig.update_layout(barmode="stack", clickmode="event+select")
    charts.top_legend(fig, 340, rows=2)
    fig.update_yaxes(title_text=t("renovation.ax_wan_yuan"), range=[0, totals.batch_total_wan.max() * 1.18])
    fig.update_xaxes(title_text=t("renovation.ax_batch"))
    return fig


def _gantt_plan(fig: go.Figure, df: pd.DataFrame, days: str, lang: str) -> None:
    plan = df[df.kind == "plan"]
    fig.add_trace(go.Bar(
        y=plan.compound_id, x=plan.dur_ms, base=plan.bar_start.astype(str), orientation="h", width=0.8,
        marker=dict(color=PLAN_GREY), name=t("renovation.planned"),
        customdata=plan[["compound_id", "name", "batch", "community_name", "delay_days"]].assign(
            batch=[tv("batch", b) for b in plan.batch], status=[tv("stage", s) for s in plan.status]),
        hovertemplate="<b>%{customdata[1]}</b> · %{customdata[3]} · %{customdata[2]}<br>" +
                      colon("renovation.h_plan_window", lang) + "%{base|%Y-%m-%d} → %{x|%Y-%m-%d}<br>" +
                      colon("renovation.h_status", lang) + "%{customdata[5]}<br>" + colon("renovation.h_delay", lang) +
                      "%{customdata[4]} " + days + "<extra></extra>"))


def _gantt_actual(fig: go.Figure, df: pd.DataFrame, days: str, lang: str) -> None:
    """The stages as they ran, and an outline over every stage still running past its planned end: the
    items to chase."""
    actual = df[df.kind == "actual"]
    for s in STAGES[1:4]:
        d = actual[actual.stage == s]
        if d.empty:
            continue
        fig.add_trace(go.Bar(
            y=d.compound_id, x=d.dur_ms, base=d.bar_start.astype(str), orientation="h", width=0.45,
            marker=dict(color=charts.STAGE_COLORS[s]), name=stages.name_label(s),
            customdata=d[["compound_id", "name", "planned_end", "bar_delay_days", "ongoing"]].assign(
                planned_end=d.planned_end.astype(str).str[:10],
                ongoing=[t("renovation.ongoing") if o else "" for o in d.ongoing]),
            hovertemplate="<b>%{customdata[1]}</b> · " + stages.name_label(s) + " %{customdata[4]}<br>" +
                          colon("renovation.h_actual", lang) + "%{base|%Y-%m-%d} → %{x|%Y-%m-%d}<br>" +
                          colon("renovation.h_planned_end", lang) + "%{customdata[2]}<br>" +
                          colon("renovation.h_delay", lang) + "%{customdata[3]} " + days + "<extra></extra>"))
    overdue = actual[actual.ongoing & actual.bar_late]
    if not overdue.empty:
        fig.add_trace(go.Bar(
            y=overdue.compound_id, x=overdue.dur_ms, base=overdue.bar_start.astype(str), orientation="h", width=0.45,
            marker=dict(color="rgba(0,0,0,0)", line=dict(color=charts.BAD, width=2)), name=t("renovation.overdue"),
            customdata=overdue[["compound_id", "name", "planned_end", "bar_delay_days"]].assign(
                planned_end=overdue.planned_end.astype(str).str[:10], stage=[stages.name_label(v) for v in overdue.stage]),
            hovertemplate="<b>%{customdata[1]}</b> · %{customdata[4]} " + t("renovation.ongoing") + "<br>" +
                          colon("renovation.h_planned_end", lang) + "%{customdata[2]}<br>" + colon("renovation.h_delay", lang) +
                          "<b>%{customdata[3]} " + days + "</b><extra></extra>"))


def _gantt_milestones(fig: go.Figure, df: pd.DataFrame, days: str, lang: str) -> None:
    ms = df[df.kind == "milestone"]
    if not ms.empty:
        fig.add_trace(go.Scatter(
            y=ms.compound_id, x=ms.bar_start, mode="markers", name=tv("stage", "完成"),
            marker=dict(symbol="diamond", size=9, color=charts.STAGE_COLORS["完成"], line=dict(color="white", width=1)),
            customdata=ms[["compound_id", "name", "planned_end", "bar_delay_days"]].assign(
                planned_end=ms.planned_end.astype(str).str[:10]),
            hovertemplate="<b>%{customdata[1]}</b><br>" + colon("renovation.h_completed", lang) + "%{x|%Y-%m-%d}<br>" +
                          colon("renovation.h_planned_end", lang) + "%{customdata[2]}<br>" + colon("renovation.h_delay", lang) +
                          "%{customdata[3]} " + days + "<extra></extra>"))


def gantt(df: pd.DataFrame, anchor: date, lang: str) -> go.Figure:
    """Each compound's plan window, its actual stages, the stages running late and its completion, one row
    per compound (late ones named in red); a click carries the compound id."""
    rows = df.drop_duplicates("compound_id").sort_values("row_ord")
    red = charts.BAD
    ticktext = [f"<span style='color:{red}'>{n}</span>" if late else n for n, late in zip(rows.name, rows.late)]
    days = t("renovation.u_days")
    fig = go.Figure()
    _gantt_plan(fig, df, days, lang)
    _gantt_actual(fig, df, days, lang)
    _gantt_milestones(fig, df, days, lang)
    height = 190 + 19 * len(rows)
    fig.add_vline(x=anchor, line=dict(color=red, width=1.5, dash="dot"))
    fig.add_annotation(x=anchor, y=1, xref="x", yref="paper", xanchor="left", yanchor="top", showarrow=False,
                       font=dict(size=11, color=red), text=" " + t("renovation.today", date=anchor.isoformat()))
    fig.update_layout(barmode="overlay", clickmode="event+select")
    charts.top_legend(fig, height)
    fig.update_layout(margin=dict(t=120))
    fig.update_xaxes(type="date", title_text=t("renovation.ax_date"), tickformat="%Y-%m", side="top",
                     title_standoff=4)
    fig.update_yaxes(categoryorder="array", categoryarray=list(rows.compound_id), tickvals=list(rows.compound_id),
                     ticktext=ticktext, range=[len(rows) - 0.5, -0.5], tickfont=dict(size=11), title_text="")
    fig.update_layout(height=height)
    return fig
