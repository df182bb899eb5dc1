"""The screen's charts (plotly, dark, sized for the wall) and the station map from the map page's layers."""
from __future__ import annotations

import math
from datetime import date
from typing import Any, Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from civic import measures
from civic.app.screen.params import Layout
from civic.figures import charts
from civic.text import fmt

try:  # the map layers are shared with the map page (issue 4)
    from civic.map import maps
except ImportError:  # pragma: no cover - until civic/map/maps.py lands
    maps = None  # type: ignore[assignment]


# Sizes in the shared layers are CSS pixels for a laptop; from 5 m the screen needs them bigger.
def map_deck(m: dict[str, Any], L: Layout, width: int, height: int) -> tuple[Any, Any]:
    """The station map for scene 2 from the map page's builders, dark, labels and marks scaled for the wall."""
    sm = maps.station_map(m["sites"], m["towns"], None, m["outline"], metric="activities", dark=True,
                          viewport=(width, height), mark_scale=round(1.35 * L.s, 2), label_scale=round(1.6 * L.s, 2),
                          town_areas=False)
    deck = sm.deck
    deck._tooltip = False   # nobody points at a kiosk; and no tooltip payload is needed
    return deck, sm


def base_layout(L: Layout) -> dict[str, Any]:
    """The screen's chart layout (sized for the wall, no legend), for figures built from dicts."""
    p = L.px
    return dict(font=dict(size=p(20), color="#cfe3ff"), margin=dict(l=p(8), r=p(16), t=p(12), b=p(8)),
                showlegend=False, bargap=0.35,
                legend=dict(font=dict(size=p(22)), orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"),
                xaxis=dict(tickfont=dict(size=p(22)), showgrid=False, linecolor="rgba(70,160,255,.3)"),
                yaxis=dict(tickfont=dict(size=p(20)), gridcolor="rgba(70,160,255,.14)", zeroline=False))


def screen_figure(L: Layout, height: int, data: list[dict[str, Any]], *layouts: dict[str, Any]) -> go.Figure:
    """A dark screen chart from trace dicts and layout parts over base_layout (charts.figure: plotly's
    per-property validation was most of a scene's chart build, issue 21)."""
    fig = charts.figure(data, charts.merge(dict(template=charts.template(dark=True)), base_layout(L), *layouts))
    return charts.style(fig, height=height, dark=True)


def value_axis(vmax: float, lang: str, n: int = 4) -> dict[str, Any]:
    """Round ticks labelled in 万 (zh) / K (en), so axes read like the KPI numbers."""
    vmax = max(float(vmax or 0), 1.0)
    raw = vmax / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    vals = [i * step for i in range(int(vmax // step) + 2)]
    return dict(tickvals=vals, ticktext=[fmt.num(v, lang, 1) for v in vals], range=[0, vmax * 1.2])


def plot(fig: go.Figure, key: str, height: int) -> None:
    st.plotly_chart(charts.neutralise(fig), theme=None, key=key, height=height, width="stretch",
                    config={"staticPlot": True, "displayModeBar": False, "responsive": True})


def partial_months(frame: pd.DataFrame, as_of: date) -> list[bool]:
    """Months of a trend not yet over on the data's last day (drawn lighter, hatched and labelled, so a
    running month does not read as a collapse)."""
    return [measures.month_coverage(pd.Timestamp(mo).date(), date.min, as_of)[2] for mo in frame.month]


def bar_texts(values: Any, partial: list[bool], as_of: date, lang: str, size: int,
              f: Callable[[Any], str] = fmt.integer) -> list[str]:
    """Each bar's value; the running month's also says, smaller, up to which day it counts. (The bars set
    constraintext="none": plotly would otherwise shrink that two-line text to the bar's width.)"""
    return [f'{f(v)}<br><span style="font-size:{size}px">{measures.partial_label(as_of, lang)}</span>' if p
            else f(v) for v, p in zip(values, partial)]


