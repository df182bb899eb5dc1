"""Pure figure builders of the scorecard (乡镇对比) and the reporting monitor (报送完整性): no Streamlit.

Colour is never the only carrier of meaning: the scorecard's cells use one sequential blue scale (darker =
better rank; readable in greyscale print and for red/green colour-blind readers) and always carry their
rank as text; the heatmap uses the same single hue with the share printed in every cell.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

from civic import scorecard as sc
from civic.figures import charts

# a single-hue sequential scale (ColorBrewer Blues, 5 steps): light = worse, dark = better
BLUES = ("#EFF3FF", "#C6DBEF", "#9ECAE1", "#4292C6", "#08519C")
DARK_TEXT, LIGHT_TEXT = "#1D2733", "#FFFFFF"


def rank_colour(rank: int | None, n: int) -> tuple[str, str] | None:
    """(background, text colour) for a rank among n ranked townships (1 = best); None without a rank."""
    if rank is None or n <= 0:
        return None
    pos = 1.0 if n == 1 else (n - rank) / (n - 1)          # 1 best … 0 worst
    step = min(len(BLUES) - 1, int(pos * len(BLUES)))
    return BLUES[step], (LIGHT_TEXT if step >= 3 else DARK_TEXT)


def cell_css(rank: int | None, n: int) -> str:
    c = rank_colour(rank, n)
    return "" if c is None else f"background-color: {c[0]}; color: {c[1]}"


def shown(df: pd.DataFrame, county: str, lang: str = "zh") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the text frame st.dataframe shows, the same-shaped frame of cell CSS): per measure its value with
    its rank, and its 同比."""
    # columns gathered in dicts, each frame built once: inserting ~40 columns one by one cost more CPU than
    # the formatting itself (issue 21)
    text: dict[str, object] = {"town_name": df.town_name.to_list()}
    style: dict[str, object] = {"town_name": [""] * len(df)}
    for m in sc.MEASURES[county]:
        ranks = df[f"{m.id}_rank"].to_list()
        n = sum(not sc.missing(r) for r in ranks)
        text[m.id] = [f"{sc.value_text(m, v, lang)}  {sc.rank_text(r, n, lang)}".strip()
                      for v, r in zip(df[m.id].to_list(), ranks)]
        style[m.id] = [cell_css(None if sc.missing(r) else int(r), n) for r in ranks]
        if m.yoy:
            text[f"{m.id}_yoy"] = [sc.yoy_change(m, v, b) or "—"
                                   for v, b in zip(df[m.id].to_list(), df[f"{m.id}_prev"].to_list())]
            style[f"{m.id}_yoy"] = [""] * len(df)
    text["spark"] = df.spark.to_list()
    style["spark"] = [""] * len(df)
    out, css = pd.DataFrame(text, index=df.index), pd.DataFrame(style, index=df.index)
    return out, css


def small_multiples(series: pd.DataFrame, names: dict[str, str], value_title: str,
                    hover_unit: str = "") -> go.Figure:
    """One panel per township (town_code, month, value), side by side on one shared y axis."""
    codes = list(dict.fromkeys(series.town_code))
    layout = charts.grid_layout(1, max(1, len(codes)), [names.get(c, c) for c in codes], shared_yaxes=True,
                                horizontal_spacing=0.03)
    top = float(series.value.max()) if len(series) else 0.0
    data = []
    for i, code in enumerate(codes):
        s = series[series.town_code == code]
        data.append(dict(type="scatter", x=s.month.to_numpy(), y=s.value.to_numpy(), mode="lines+markers",
                         name=names.get(code, code), line=dict(color="#1F6FB2", width=2), showlegend=False,
                         hovertemplate="%{x|%Y-%m}<br>%{y:,} " + hover_unit + "<extra></extra>", **charts.grid_axes(i)))
    for k in layout:
        if k.startswith("yaxis"):
            layout[k].update(range=[0, top * 1.1 if top else 1], rangemode="tozero")
        elif k.startswith("xaxis"):
            layout[k].update(tickformat="%m", dtick="M2")
    layout["yaxis"]["title"] = dict(text=value_title)
    layout["margin"] = dict(t=72)          # the chart's title above the panels' titles
    return charts.figure(data, layout)


def measure_bars(table: pd.DataFrame, codes: Sequence[str], measures: Sequence[tuple[str, str]],
                 names: dict[str, str]) -> go.Figure:
    """One small bar chart per measure (id, title), one bar per chosen township; a township without a
    value has no bar and its value reads —."""
    cols = min(4, max(1, len(measures)))
    rows = (len(measures) + cols - 1) // cols
    layout = charts.grid_layout(rows, cols, [title for _, title in measures],
                                vertical_spacing=0.18 if rows > 1 else 0.1, horizontal_spacing=0.06)
    sub = table.set_index("town_code").loc[list(codes)]
    labels = [names.get(c, c) for c in codes]
    data = []
    for i, (mid, _) in enumerate(measures):
        vals = [None if pd.isna(v) else float(v) for v in sub[mid]]
        data.append(dict(type="bar", x=labels, y=[0 if v is None else v for v in vals], marker=dict(color="#1F6FB2"),
                         text=["—" if v is None else f"{v:,.1f}".rstrip("0").rstrip(".") for v in vals],
                         textposition="outside", cliponaxis=False, showlegend=False,
                         hovertemplate="%{x}: %{text}<extra></extra>", **charts.grid_axes(i)))
    for k in layout:
        if k.startswith("yaxis"):
            layout[k].update(rangemode="tozero", showticklabels=False)
    layout["margin"] = dict(t=72)
    return charts.figure(data, layout)


def heatmap(grid: pd.DataFrame, names: dict[str, str], months: Sequence[date], colorbar_title: str,
            month_labels: Sequence[str]) -> go.Figure:
    """Townships × months of the reporting share (town_code, month, share 0–100 or None); each cell
    prints its share, so the colour is never read alone."""
    codes = list(dict.fromkeys(grid.town_code))
    pivot = {(r.town_code, r.month): r.share for r in grid.itertuples()}
    z = [[pivot.get((c, m)) for m in months] for c in codes]
    text = [["—" if v is None or pd.isna(v) else f"{v:.0f}%" for v in row] for row in z]
    ys = [names.get(c, c) for c in codes]
    cells = dict(
        type="heatmap", z=[[None if v is None or pd.isna(v) else float(v) for v in row] for row in z],
        x=list(month_labels), y=ys, text=text, texttemplate="%{text}",
        colorscale=[[i / (len(BLUES) - 1), col] for i, col in enumerate(BLUES)], zmin=0, zmax=100,
        xgap=2, ygap=2, colorbar=dict(title=dict(text=colorbar_title), ticksuffix="%"), hoverinfo="skip")
    # Heatmap cells are not selectable in Streamlit's plotly events: a square, nearly transparent marker on
    # each cell takes the click (its customdata is the township and month) and the hover.
    clicks = dict(
        type="scatter", x=[lab for _ in codes for lab in month_labels], y=[y for y in ys for _ in months],
        mode="markers", marker=dict(symbol="square", size=26, color="#000000", opacity=0.01),
        customdata=[[c, m.isoformat()] for c in codes for m in months],
        text=[v for row in text for v in row], showlegend=False,
        hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>")
    return charts.figure([cells, clicks], dict(clickmode="event+select", yaxis=dict(autorange="reversed", type="category"),
                                               xaxis=dict(type="category", side="bottom")))
