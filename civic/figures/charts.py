"""One plotly template for every chart, and a few small builders (no Streamlit here).

Pages draw a figure with civic/app/plot.py `show(fig)`, which applies `style` and `neutralise` so that
every chart uses the same font (the bundled Noto Sans SC), colours, number formatting and an offline PNG
export button.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from civic.text.safe_text import plotly_text

FONT = "Noto Sans SC, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = ["#1F6FB2", "#E8833A", "#3BA272", "#C84C4C", "#7E62B3", "#2BA6A6", "#B8860B", "#6B7B8C"]
STAGE_COLORS = {"未启动": "#B9C2CC", "设计": "#7E62B3", "施工": "#E8833A", "验收": "#2BA6A6", "完成": "#3BA272"}
SERVICE_COLORS = {"理论宣讲": "#C84C4C", "文化惠民": "#1F6FB2", "项目品牌": "#E8833A", "乡风文明": "#3BA272",
                  "扶危帮困": "#7E62B3"}
OK, BAD, MUTED = "#3BA272", "#C84C4C", "#8A96A3"

CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "toggleSpikelines"],
          "toImageButtonOptions": {"format": "png", "scale": 2}}


def register_template(dark: bool = False) -> None:
    """Register our template once per process (rebuilding it cost ~85 ms on every rerun)."""
    name = "civic_dark" if dark else "civic"
    if name in pio.templates:
        if not dark and pio.templates.default != name:
            pio.templates.default = name
        return
    fg = "#E6EDF5" if dark else "#1D2733"
    grid = "#2A3A4F" if dark else "#E3E8EE"
    tmpl = go.layout.Template()
    tmpl.layout = go.Layout(
        font=dict(family=FONT, size=13, color=fg),
        title=dict(font=dict(size=15, color=fg), x=0, xanchor="left", y=0.98),
        colorway=PALETTE,
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        separators=".,",
        margin=dict(l=8, r=8, t=40, b=8),
        hoverlabel=dict(font=dict(family=FONT, size=13)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, title_text=""),
        xaxis=dict(gridcolor=grid, zerolinecolor=grid, tickformat=",~r", automargin=True, title_standoff=6),
        yaxis=dict(gridcolor=grid, zerolinecolor=grid, tickformat=",~r", automargin=True, title_standoff=6),
    )
    pio.templates[name] = tmpl
    if not dark:
        pio.templates.default = name


@lru_cache(maxsize=None)
def _template_json(name: str) -> dict:
    return pio.templates[name].to_plotly_json()


def figure(data: list[dict], layout: dict | None = None) -> go.Figure:
    """A figure from plain trace and layout dicts, without plotly's per-property validation: 10–25× faster
    to build than through go.Bar(...) and update_layout (issue 21: figure building was most of a rerun's
    CPU). Arrays must already be lists or numpy arrays (never pandas objects: neutralise reads only those);
    tests/figures/test_figures.py validates every builder's output once."""
    return go.Figure({"data": data, "layout": layout or {}}, _validate=False)


@lru_cache(maxsize=64)
def _grid(rows: int, cols: int, n_titles: int, options: tuple) -> dict:
    from plotly.subplots import make_subplots
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[str(i) for i in range(n_titles)], **dict(options))
    return {k: v for k, v in fig.layout.to_plotly_json().items() if k != "template"}


def grid_layout(rows: int, cols: int, titles: Sequence[str] = (), **options: Any) -> dict:
    """make_subplots' layout (the axes' domains, the panels' titles), for figures built from dicts: plotly's
    validation of it ran on every build; here it runs once per grid shape. Panel i (from 0, row by row) draws
    on axes `grid_axes(i)`."""
    layout = copy.deepcopy(_grid(rows, cols, len(titles), tuple(sorted(options.items()))))
    if "annotations" in layout:     # the panels' titles, placeholders "0", "1", … in the cached layout
        layout["annotations"] = [dict(a, text=titles[int(a["text"])]) for a in layout["annotations"]
                                 if titles[int(a["text"])]]
    return layout


def grid_axes(i: int) -> dict:
    """The trace keys that put a trace on panel i (from 0) of a grid_layout."""
    return dict(xaxis=f"x{i + 1}" if i else "x", yaxis=f"y{i + 1}" if i else "y")


def template(dark: bool = False) -> dict:
    """Our template as a layout's "template" value, for a figure built from dicts that `style` would
    otherwise give it (a dark one: a figure is made with the default, light template, and assigning another
    validates all of it, ~20 ms)."""
    register_template(dark)
    return copy.deepcopy(_template_json("civic_dark" if dark else "civic"))


def split(df: pd.DataFrame, by: str, columns: Sequence[str]) -> Callable[[Any], dict[str, np.ndarray]]:
    """`rows(value)`: the columns of df's rows whose `by` is value, as numpy arrays (none: empty ones). One
    pass over the frame for a chart of one trace per group: a boolean filter and a column selection per
    group cost about 1 ms of pandas overhead each (most of a stacked chart's build once plotly's validation
    was gone)."""
    codes, uniques = pd.factorize(df[by])
    index = {u: i for i, u in enumerate(uniques)}
    arrays = {c: df[c].to_numpy() for c in columns}

    def rows(value: Any) -> dict[str, np.ndarray]:
        sel = codes == index.get(value, -2)
        return {c: a[sel] for c, a in arrays.items()}
    return rows


def merge(*parts: dict) -> dict:
    """Layout dicts merged as update_layout would: nested dicts key by key, the later part winning."""
    out: dict = {}
    for part in parts:
        for k, v in part.items():
            out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def style(fig: go.Figure, title: str | None = None, height: int = 320, dark: bool = False) -> go.Figure:
    name = "civic_dark" if dark else "civic"
    layout: dict = dict(height=height)
    # a figure made after register_template already has the template: setting it again cost ~40 ms a figure
    # (its layout part: plotly itself adds placeholder trace defaults under "data")
    if (fig.layout._props.get("template") or {}).get("layout") != _template_json(name)["layout"]:
        # a validating figure turns the name into the template; one built by `figure` stores what it is
        # given, and a bare name would reach plotly.js, which ignores it. Assigned, not merged: a figure made
        # while another template was the default (Streamlit makes its own the default when it is imported)
        # would keep that one's trace defaults and colour scales under ours
        if fig._validate:
            layout["template"] = name
        else:
            fig.layout.template = copy.deepcopy(_template_json(name))
    fig.update_layout(layout)
    if title is not None:
        fig.update_layout(title_text=title)
    return fig


# Trace properties plotly draws as text (ticks of category axes, legend, bar text, hover): data reaches
# a chart through these, so they are neutralised here once rather than at every call site.
_TEXT_PROPS = ("x", "y", "text", "hovertext", "customdata", "name", "labels", "hovertemplate", "texttemplate")


def _neutral(v):
    """`v` with every string made safe for plotly (see safe_text.plotly_text), or None when nothing changed
    (most arrays are numbers or dates: they are left as they are, not copied)."""
    if isinstance(v, str):
        out = plotly_text(v)
        return None if out is v else out
    if isinstance(v, np.ndarray):
        if v.dtype.kind not in "OU":
            return None
        flat = [_neutral(x) for x in v.ravel().tolist()]
        if all(x is None for x in flat):
            return None
        out = np.array([x if n is None else n for x, n in zip(v.ravel().tolist(), flat)], dtype=object)
        return out.reshape(v.shape)
    if isinstance(v, (list, tuple)):
        items = [_neutral(x) for x in v]
        if all(x is None for x in items):
            return None
        return type(v)(x if n is None else n for x, n in zip(v, items))
    return None


def neutralise(fig: go.Figure) -> go.Figure:
    """Show imported names as typed, never as plotly markup: a compound called `<a href="http://…">` would
    otherwise be a live link in a tick label or hover (tests/pages/test_escape.py)."""
    for trace in fig.data:
        for prop in _TEXT_PROPS:
            if prop in trace:
                new = _neutral(trace[prop])
                if new is not None:
                    trace[prop] = new
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        new = _neutral(axis.ticktext)
        if new is not None:
            axis.ticktext = new
    for ann in fig.layout.annotations or ():
        new = _neutral(ann.text)
        if new is not None:
            ann.text = new
    return fig


def top_legend(fig: go.Figure, height: int, rows: int = 1) -> None:
    """Title on the first line, legend on the next ones, the plot below: nothing overlaps at any width."""
    fig.update_layout(top_legend_layout(height, rows))


def top_legend_layout(height: int, rows: int = 1) -> dict:
    """top_legend's layout, for figures built from dicts."""
    return dict(title=dict(yref="container", y=1 - 6 / height, yanchor="top"),
                legend=dict(orientation="h", yref="container", y=1 - 32 / height, yanchor="top", x=0,
                            xanchor="left", traceorder="normal"),
                margin=dict(t=40 + 24 * rows))


# ── partial periods (civic/measures.py decides what is partial) ─────────────────────────────────
PARTIAL_OPACITY = 0.5


def partial_marker(color, partial, dark: bool = False) -> dict:
    """Bar marker that draws incomplete periods lighter and hatched, whatever the colour (one or a list)."""
    partial = [bool(p) for p in partial]
    return dict(color=color, opacity=[PARTIAL_OPACITY if p else 1.0 for p in partial],
                line=dict(width=0),
                # overlay: the hatch is drawn over the bar's own colour (the default "replace" would draw it
                # on a transparent ground, and the bar would vanish)
                pattern=dict(shape=["/" if p else "" for p in partial], fillmode="overlay",
                             fgcolor="#0b1a2e" if dark else "#ffffff", fgopacity=0.6, size=7, solidity=0.35))


def label_partial(fig: go.Figure, x, y, text: str, dark: bool = False, size: int = 12) -> None:
    """A small label above an incomplete bar: 截至12月5日."""
    fig.add_annotation(partial_note(x, y, text, dark, size))


def partial_note(x, y, text: str, dark: bool = False, size: int = 12) -> dict:
    """label_partial's annotation, for figures built from dicts."""
    return dict(x=x, y=y, text=text, showarrow=False, yanchor="bottom", yshift=4,
                font=dict(size=size, color="#a9c4e8" if dark else MUTED))


def daily_axis(fig: go.Figure, days: int, lang: str = "zh", title: str | None = None) -> None:
    """A day axis with one tick per day (or every few days), never a tick at noon repeating the date."""
    step = max(1, -(-days // 16))
    fig.update_xaxes(title_text=title, tickformat="%-m/%-d" if lang == "zh" else "%b %-d",
                     dtick=86_400_000 * step, ticklabelmode="instant")
