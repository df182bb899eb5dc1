"""The overview's charts (总览): frames of the overview / volunteer named queries in, plotly figures out.
No Streamlit here (pages/overview.py draws them with civic/app/plot.py `show`)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from civic import measures
from civic.figures import charts
from civic.text.i18n import t


def daily_activities(daily: pd.DataFrame, lang: str) -> go.Figure:
    """A window of one or two months, by day (a monthly chart of it would be one dot)."""
    fig = charts.figure([dict(type="bar", x=daily.day.tolist(), y=daily.activities.to_numpy(),
                              marker=dict(color=charts.PALETTE[0]), name=t("overview.activities"),
                              hovertemplate="%{x|%Y-%m-%d}<br>%{y:,} " + t("app.unit_times") + "<extra></extra>")],
                        dict(yaxis=dict(title=dict(text=t("overview.axis_activities")), rangemode="tozero")))
    charts.daily_axis(fig, len(daily), lang, t("measures.axis_day"))
    return fig


def monthly_activities(trend: pd.DataFrame, lo: date, hi: date, lang: str) -> go.Figure:
    """Activities per month of lo..hi; a month the window cuts is drawn lighter, its days in the hover."""
    cover = [measures.month_coverage(mo.date(), lo, hi) for mo in trend.month]
    partial = [cv[2] for cv in cover]
    months = trend.month.tolist()
    notes = ([charts.partial_note(months[-1], float(trend.activities.iloc[-1]),
                                  measures.partial_label(cover[-1][1], lang))] if partial and partial[-1] else [])
    top = float(trend.activities.max()) * 1.15 if not trend.empty else 1.0
    xaxis = dict(title=dict(text=t("overview.axis_month")), tickformat="%Y-%m")
    if len(trend) <= 13:
        xaxis["dtick"] = "M1"
    return charts.figure([dict(
        type="bar", x=months, y=trend.activities.to_numpy(), marker=charts.partial_marker(charts.PALETTE[0], partial),
        name=t("overview.activities"),
        customdata=[measures.span_text(measures.Window(a, b), lang) for a, b, _ in cover],
        hovertemplate="%{customdata}<br>%{y:,} " + t("app.unit_times") + "<extra></extra>")],
        dict(annotations=notes, xaxis=xaxis,
             yaxis=dict(title=dict(text=t("overview.axis_activities")), rangemode="tozero", range=[0, top])))


def station_ranking(towns: pd.DataFrame, selected: set[str]) -> go.Figure:
    """The volunteer page's ranking (volunteer_towns): activities at village stations ÷ stations, per town,
    the selected towns highlighted; sized to its rows. Built from dicts: at ×100 there are hundreds of towns,
    and plotly's validation of one colour per bar was 40 ms a change (issue 21)."""
    rank = towns.sort_values(["per_station", "town_code"], ascending=[True, False])
    colors = ([charts.PALETTE[1] if tc in selected else charts.PALETTE[0] for tc in rank.town_code]
              if selected else charts.PALETTE[1])
    top = float(rank.per_station.max()) * 1.18 if not rank.empty else 1.0
    return charts.figure([dict(
        type="bar", x=rank.per_station.to_numpy(), y=rank.town_name.to_numpy(dtype=object), orientation="h",
        marker=dict(color=colors), text=[f"{v:.1f}" for v in rank.per_station], textposition="outside",
        cliponaxis=False, customdata=rank[["station_activities", "stations"]].to_numpy(dtype=object),
        hovertemplate="%{y}<br>%{x} / " + t("values.level.站") + "<br>%{customdata[0]:,} · %{customdata[1]}<extra></extra>")],
        dict(xaxis=dict(title=dict(text=t("overview.axis_per_station")), range=[0, top]),
             height=max(300, 70 + 24 * len(rank))))
