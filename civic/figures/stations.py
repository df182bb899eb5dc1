"""The map page's small charts of one site (文明实践阵地地图 detail panel): frames of queries/map_site_*.sql
in, plotly figures out. No Streamlit here (pages/stations.py draws them with civic/app/plot.py `show`)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from civic.figures import charts
from civic.text.i18n import tv


def site_spark(monthly: pd.DataFrame, metric: str) -> go.Figure:
    """The site's months of `metric`, the window's months in colour and the others grey."""
    fig = go.Figure(go.Scatter(
        x=monthly.month, y=monthly[metric], mode="lines+markers", line=dict(color=charts.PALETTE[0], width=2),
        marker=dict(size=5, color=[charts.PALETTE[0] if w else charts.MUTED for w in monthly.in_window]),
        fill="tozeroy", fillcolor="rgba(31,111,178,0.10)",
        hovertemplate="%{x|%Y-%m}<br>%{y:,}<extra></extra>"))
    fig.update_xaxes(tickformat="%Y-%m", nticks=6)
    fig.update_yaxes(rangemode="tozero", nticks=4)
    fig.update_layout(margin=dict(l=4, r=4, t=32, b=4), showlegend=False)
    return fig


def site_mix(mix: pd.DataFrame, metric: str) -> go.Figure:
    """The site's `metric` by service type (sized to its rows)."""
    fig = go.Figure(go.Bar(
        x=mix[metric], y=[tv("service_type", x) for x in mix.service_type], orientation="h",
        marker_color=[charts.SERVICE_COLORS.get(x, charts.MUTED) for x in mix.service_type],
        text=mix[metric], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    top = float(mix[metric].max()) * 1.2 if not mix.empty else 1.0
    fig.update_xaxes(range=[0, top], showticklabels=False)
    fig.update_layout(margin=dict(l=4, r=4, t=32, b=4), height=60 + 30 * len(mix))
    return fig
