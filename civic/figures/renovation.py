"""The renovation page's charts (老旧小区改造): frames of queries/renovation_*.sql in, plotly figures out.

No Streamlit here: pages/renovation.py draws them with civic/app/plot.py `show` (and the clicks on the
community, type, funding and Gantt charts carry their value in customdata[0]). `anchor` is the data's day
(the "today" line); `lang` picks punctuation and units.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

import numpy as np
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



def _cells(df: pd.DataFrame) -> np.ndarray:
    """A frame's values as customdata (rows × columns, as plotly's validation would make of it)."""
    return df.to_numpy(dtype=object)


def funnel(df: pd.DataFrame, lang: str) -> go.Figure:
    """Compounds that reached each stage (stages.counts), with those at it and their size in the hover; a click
    carries the stage (customdata[0])."""
    return charts.figure([dict(
        type="funnel", y=[stages.reached_label(s) for s in df.stage], x=df.reached.to_numpy(),
        marker=dict(color=[charts.STAGE_COLORS[s] for s in df.stage]),
        texttemplate="%{x} " + t("renovation.u_compounds"), textposition="inside", textfont=dict(color="white"),
        connector=dict(line=dict(color=charts.MUTED, width=1)),
        customdata=_cells(df[["stage", "at_stage", "buildings", "households"]].assign(area=df.floor_area_m2 / 1e4)),
        hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_reached", lang) + "%{x} " + t("renovation.u_compounds") +
                      "<br>" + colon("renovation.h_at_stage", lang) + "%{customdata[1]} " + t("renovation.u_compounds") +
                      "<br>" + colon("renovation.h_buildings", lang) + "%{customdata[2]:,} " + t("renovation.u_buildings") +
                      "<br>" + colon("renovation.h_households", lang) + "%{customdata[3]:,} " + t("renovation.u_households") +
                      "<br>" + colon("renovation.h_area", lang) + "%{customdata[4]:,.2f} " + t("renovation.u_wan_m2") +
                      "<extra></extra>")], dict(clickmode="event+select"))


def _today(anchor: date, y: float, xanchor: str, yanchor: str, text: str) -> tuple[dict, dict]:
    """The "today" line over the whole plot height, and its label."""
    line = dict(type="line", x0=anchor, x1=anchor, xref="x", y0=0, y1=1, yref="y domain",
                line=dict(color=charts.BAD, width=1.5, dash="dot"))
    label = dict(x=anchor, y=y, xref="x", yref="paper", xanchor=xanchor, yanchor=yanchor, showarrow=False,
                 font=dict(size=11, color=charts.BAD), text=text)
    return line, label


def scurve(df: pd.DataFrame, bands: pd.DataFrame, anchor: date, lang: str) -> go.Figure:
    """Compounds done, planned against actual, month by month, over the batches' plan windows."""
    shapes = [dict(type="rect", x0=b.plan_start, x1=b.plan_done, xref="x", y0=0, y1=1, yref="y domain",
                   fillcolor=BATCH_FILL.get(b.batch, PLAN_GREY), line=dict(width=0), layer="below")
              for b in bands.itertuples()]
    notes = [dict(x=b.plan_start, y=1 - 0.075 * (b.ord - 1), xref="x", yref="paper", xanchor="left", yanchor="top",
                  showarrow=False, font=dict(size=11, color=charts.MUTED), text=f"{tv('batch', b.batch)} · {b.compounds}")
             for b in bands.itertuples()]
    today, today_label = _today(anchor, 0.02, "right", "bottom", t("renovation.today", date=anchor.isoformat()))
    unit = t("renovation.u_compounds")
    actual = df[df.actual_cum.notna()]
    data = [dict(type="scatter", x=df.month_end.tolist(), y=df.planned_cum.to_numpy(), mode="lines", line_shape="hv",
                 name=t("renovation.planned"), line=dict(color=charts.MUTED, width=2, dash="dash"),
                 hovertemplate="%{x|%Y-%m}<br>" + colon("renovation.h_planned_cum", lang) + "%{y} " + unit +
                               "<extra></extra>"),
            dict(type="scatter", x=actual.month_end.tolist(), y=actual.actual_cum.to_numpy(), mode="lines",
                 line_shape="hv", name=t("renovation.actual"), line=dict(color=charts.OK, width=3),
                 hovertemplate="%{x|%Y-%m}<br>" + colon("renovation.h_actual_cum", lang) + "%{y} " + unit +
                               "<extra></extra>")]
    top = max(1, int(df.compounds.max()) if not df.empty else 1) * 1.12
    return charts.figure(data, charts.merge(
        dict(shapes=[*shapes, today], annotations=[*notes, today_label], hovermode="x unified",
             xaxis=dict(title=dict(text=t("renovation.ax_month")), tickformat="%Y-%m"),
             yaxis=dict(title=dict(text=t("renovation.ax_cum_compounds")), rangemode="tozero", range=[0, top])),
        charts.top_legend_layout(340)))


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
    custom = np.array(list(zip(qty, pub, df.compounds)), dtype=object).reshape(len(df), 3)
    data = [dict(type="bar", y=labels, x=[100] * len(df), orientation="h", marker=dict(color=PLAN_GREY), width=0.75,
                 name=t("renovation.planned_qty"), customdata=custom,
                 hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_done_planned", lang) + "%{customdata[0]}"
                               "<br>" + colon("renovation.h_compounds", lang) + "%{customdata[2]}<extra></extra>"),
            dict(type="bar", y=labels, x=df.done_pct.fillna(0).to_numpy(), orientation="h",
                 marker=dict(color=charts.PALETTE[0]), width=0.42, name=t("renovation.done_qty"), customdata=custom,
                 hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_done_pct", lang) + "%{x:.1f}%<br>" +
                               colon("renovation.h_done_planned", lang) + "%{customdata[0]}<br>" +
                               colon("renovation.h_published", lang) + "%{customdata[1]}<extra></extra>")]
    if show_pub:
        data.append(dict(type="scatter", y=labels, x=df.published_pct.to_numpy(), mode="markers",
                         name=t("renovation.published"),
                         marker=dict(symbol="line-ns", size=22, line=dict(width=3, color=charts.BAD)), customdata=custom,
                         hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_published", lang) +
                                       "%{customdata[1]}<extra></extra>"))
    data.append(dict(type="scatter", y=labels, x=[101] * len(df), mode="text", text=qty, textposition="middle right",
                     textfont=dict(size=12), showlegend=False, hoverinfo="skip"))
    height = 110 + 34 * len(df)
    return charts.figure(data, charts.merge(
        dict(barmode="overlay", bargap=0.25), charts.top_legend_layout(height),
        dict(height=height, xaxis=dict(title=dict(text=t("renovation.ax_done_pct")), range=[0, 142],
                                       tickvals=[0, 25, 50, 75, 100], ticksuffix="%"),
             yaxis=dict(autorange="reversed"))))


def _stage_bars(df: pd.DataFrame, lang: str, y: Callable[[pd.DataFrame], list], customdata: list[str]) -> list[dict]:
    """One horizontal bar trace per stage (compounds at it now), stacked; customdata[1], [2] are the
    buildings and households the hover shows, customdata[0] what a click carries."""
    data = []
    for s in STAGES:
        d = df[df.stage == s]
        if d.empty:
            continue
        data.append(dict(
            type="bar", y=y(d), x=d.compounds.to_numpy(), orientation="h", name=tv("stage", s),
            marker=dict(color=charts.STAGE_COLORS[s]), customdata=_cells(d[customdata]),
            hovertemplate="%{y}<br>" + tv("stage", s) + "：%{x} " + t("renovation.u_compounds") +
                          "<br>" + colon("renovation.h_buildings", lang) + "%{customdata[1]:,}" +
                          "<br>" + colon("renovation.h_households", lang) + "%{customdata[2]:,}<extra></extra>"))
    return data


def _stage_layout(lang: str) -> dict:
    return dict(barmode="stack", clickmode="event+select", xaxis=dict(title=dict(text=t("renovation.ax_compounds"))))


def by_community(df: pd.DataFrame, lang: str) -> go.Figure:
    """Compounds per community by stage (a click carries the community code)."""
    data = _stage_bars(df, lang, lambda d: [list(d.town_name), list(d.community_name)],
                       ["community_code", "buildings", "households", "community_total"])
    height = 170 + 40 * df.community_code.nunique()
    return charts.figure(data, charts.merge(_stage_layout(lang), dict(height=height), charts.top_legend_layout(height),
                                            dict(yaxis=dict(autorange="reversed"))))


def by_type(df: pd.DataFrame, lang: str) -> go.Figure:
    """Compounds per type by stage (a click carries the type)."""
    data = _stage_bars(df, lang, lambda d: [tv("compound_type", v) for v in d.compound_type],
                       ["compound_type", "buildings", "households"])
    return charts.figure(data, charts.merge(_stage_layout(lang), charts.top_legend_layout(260, rows=2)))


def funding(df: pd.DataFrame, lang: str) -> go.Figure:
    """Funding per batch by source, the batch total above (a click carries the batch)."""
    data = []
    for src, color in SOURCE_COLORS.items():
        d = df[df.source == src]
        if d.empty:
            continue
        data.append(dict(
            type="bar", x=[tv("batch", b) for b in d.batch], y=d.amount_wan.to_numpy(), name=tv("funding_source", src),
            marker=dict(color=color),
            customdata=_cells(d[["batch", "compounds"]].assign(share=d.amount_wan / d.batch_total_wan * 100)),
            hovertemplate="%{x} · " + tv("funding_source", src) + "<br>%{y:,.1f} " + t("renovation.u_wan_yuan") +
                          "（%{customdata[2]:.1f}%）<br>" + colon("renovation.h_compounds", lang) + "%{customdata[1]}"
                          "<extra></extra>"))
    totals = df.drop_duplicates("batch")
    data.append(dict(type="scatter", x=[tv("batch", b) for b in totals.batch], y=totals.batch_total_wan.to_numpy(),
                     mode="text", text=[f"{v:,.0f}" for v in totals.batch_total_wan], textposition="top center",
                     showlegend=False, hoverinfo="skip"))
    return charts.figure(data, charts.merge(
        dict(barmode="stack", clickmode="event+select"), charts.top_legend_layout(340, rows=2),
        dict(yaxis=dict(title=dict(text=t("renovation.ax_wan_yuan")), range=[0, totals.batch_total_wan.max() * 1.18]),
             xaxis=dict(title=dict(text=t("renovation.ax_batch"))))))


def _bars(d: pd.DataFrame) -> dict:
    """A Gantt trace's rows: one horizontal bar per row of `d`, from bar_start for dur_ms."""
    return dict(type="bar", y=d.compound_id.tolist(), x=d.dur_ms.to_numpy(), base=d.bar_start.astype(str).tolist(),
                orientation="h")


def _planned_end(d: pd.DataFrame) -> list[str]:
    return d.planned_end.astype(str).str[:10].tolist()


def _gantt_plan(df: pd.DataFrame, days: str, lang: str) -> dict:
    plan = df[df.kind == "plan"]
    return dict(
        _bars(plan), width=0.8, marker=dict(color=PLAN_GREY), name=t("renovation.planned"),
        customdata=_cells(plan[["compound_id", "name", "batch", "community_name", "delay_days"]].assign(
            batch=[tv("batch", b) for b in plan.batch], status=[tv("stage", s) for s in plan.status])),
        hovertemplate="<b>%{customdata[1]}</b> · %{customdata[3]} · %{customdata[2]}<br>" +
                      colon("renovation.h_plan_window", lang) + "%{base|%Y-%m-%d} → %{x|%Y-%m-%d}<br>" +
                      colon("renovation.h_status", lang) + "%{customdata[5]}<br>" + colon("renovation.h_delay", lang) +
                      "%{customdata[4]} " + days + "<extra></extra>")


def _gantt_actual(df: pd.DataFrame, days: str, lang: str) -> list[dict]:
    """The stages as they ran, and an outline over every stage still running past its planned end: the
    items to chase."""
    actual = df[df.kind == "actual"]
    data = []
    ongoing = t("renovation.ongoing")
    for s in STAGES[1:4]:
        d = actual[actual.stage == s]
        if d.empty:
            continue
        data.append(dict(
            _bars(d), width=0.45, marker=dict(color=charts.STAGE_COLORS[s]), name=stages.name_label(s),
            customdata=_cells(d[["compound_id", "name", "planned_end", "bar_delay_days", "ongoing"]].assign(
                planned_end=_planned_end(d), ongoing=[ongoing if o else "" for o in d.ongoing])),
            hovertemplate="<b>%{customdata[1]}</b> · " + stages.name_label(s) + " %{customdata[4]}<br>" +
                          colon("renovation.h_actual", lang) + "%{base|%Y-%m-%d} → %{x|%Y-%m-%d}<br>" +
                          colon("renovation.h_planned_end", lang) + "%{customdata[2]}<br>" +
                          colon("renovation.h_delay", lang) + "%{customdata[3]} " + days + "<extra></extra>"))
    overdue = actual[actual.ongoing & actual.bar_late]
    if not overdue.empty:
        data.append(dict(
            _bars(overdue), width=0.45, marker=dict(color="rgba(0,0,0,0)", line=dict(color=charts.BAD, width=2)),
            name=t("renovation.overdue"),
            customdata=_cells(overdue[["compound_id", "name", "planned_end", "bar_delay_days"]].assign(
                planned_end=_planned_end(overdue), stage=[stages.name_label(v) for v in overdue.stage])),
            hovertemplate="<b>%{customdata[1]}</b> · %{customdata[4]} " + ongoing + "<br>" +
                          colon("renovation.h_planned_end", lang) + "%{customdata[2]}<br>" +
                          colon("renovation.h_delay", lang) + "<b>%{customdata[3]} " + days + "</b><extra></extra>"))
    return data


def _gantt_milestones(df: pd.DataFrame, days: str, lang: str) -> list[dict]:
    ms = df[df.kind == "milestone"]
    if ms.empty:
        return []
    return [dict(
        type="scatter", y=ms.compound_id.tolist(), x=ms.bar_start.tolist(), mode="markers", name=tv("stage", "完成"),
        marker=dict(symbol="diamond", size=9, color=charts.STAGE_COLORS["完成"], line=dict(color="white", width=1)),
        customdata=_cells(ms[["compound_id", "name", "planned_end", "bar_delay_days"]].assign(
            planned_end=_planned_end(ms))),
        hovertemplate="<b>%{customdata[1]}</b><br>" + colon("renovation.h_completed", lang) + "%{x|%Y-%m-%d}<br>" +
                      colon("renovation.h_planned_end", lang) + "%{customdata[2]}<br>" + colon("renovation.h_delay", lang) +
                      "%{customdata[3]} " + days + "<extra></extra>")]


def gantt(df: pd.DataFrame, anchor: date, lang: str) -> go.Figure:
    """Each compound's plan window, its actual stages, the stages running late and its completion, one row
    per compound (late ones named in red); a click carries the compound id."""
    rows = df.drop_duplicates("compound_id").sort_values("row_ord")
    red = charts.BAD
    ticktext = [f"<span style='color:{red}'>{n}</span>" if late else n for n, late in zip(rows.name, rows.late)]
    days = t("renovation.u_days")
    data = [_gantt_plan(df, days, lang), *_gantt_actual(df, days, lang), *_gantt_milestones(df, days, lang)]
    height = 190 + 19 * len(rows)
    today, today_label = _today(anchor, 1, "left", "top", " " + t("renovation.today", date=anchor.isoformat()))
    ids = rows.compound_id.tolist()
    return charts.figure(data, charts.merge(
        dict(shapes=[today], annotations=[today_label], barmode="overlay", clickmode="event+select"),
        charts.top_legend_layout(height),
        dict(margin=dict(t=120), height=height,
             xaxis=dict(type="date", title=dict(text=t("renovation.ax_date"), standoff=4), tickformat="%Y-%m",
                        side="top"),
             yaxis=dict(categoryorder="array", categoryarray=ids, tickvals=ids, ticktext=ticktext,
                        range=[len(rows) - 0.5, -0.5], tickfont=dict(size=11), title=dict(text="")))))
