"""The map page's small charts of one site (文明实践阵地地图 detail panel): frames of queries/map_site_*.sql
in, plotly figures out. No Streamlit here (pages/stations.py draws them with civic/app/plot.py `show`)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from civic.figures import charts
from civic.text.i18n import tv


def site_spark(monthly: pd.DataFrame, metric: str) -> go.Figure:
    """The site's months of `metric`, the window's months in colour and the others grey."""
    return charts.figure([dict(
        type="scatter", x=monthly.month.to_numpy(), y=monthly[metric].to_numpy(), mode="lines+markers",
        line=dict(color=charts.PALETTE[0], width=2),
        marker=dict(size=5, color=[charts.PALETTE[0] if w else charts.MUTED for w in monthly.in_window]),
        fill="tozeroy", fillcolor="rgba(31,111,178,0.10)", hovertemplate="%{x|%Y-%m}<br>%{y:,}<extra></extra>")],
        dict(xaxis=dict(tickformat="%Y-%m", nticks=6), yaxis=dict(rangemode="tozero", nticks=4),
             margin=dict(l=4, r=4, t=32, b=4), showlegend=False))


def site_mix(mix: pd.DataFrame, metric: str) -> go.Figure:
    """The site's `metric` by service type (sized to its rows)."""
    top = float(mix[metric].max()) * 1.2 if not mix.empty else 1.0
    values = mix[metric].to_numpy()
    return charts.figure([dict(
        type="bar", x=values, y=[tv("service_type", x) for x in mix.service_type], orientation="h",
        marker=dict(color=[charts.SERVICE_COLORS.get(x, charts.MUTED) for x in mix.service_type]),
        text=values, textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{x:,}<extra></extra>")],
        dict(yaxis=dict(autorange="reversed"), xaxis=dict(range=[0, top], showticklabels=False),
             margin=dict(l=4, r=4, t=32, b=4), height=60 + 30 * len(mix)))
