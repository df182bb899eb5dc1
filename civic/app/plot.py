"""Draw a plotly figure on a page: the one place a chart meets Streamlit (civic/figures builds them)."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from civic.app import memo
from civic.figures.charts import CONFIG, neutralise, style


def show(fig: go.Figure | memo.Fig, key: str | None = None, title: str | None = None, height: int | None = None,
         **kwargs: Any) -> Any:
    """Render with our template (not Streamlit's theme) and the offline PNG button; data shown as text.
    `height`: the figure's own (a builder that sizes it to its rows sets it), else 320 px.
    `fig` is a figure, or a memo.Fig (`memo.fig(builder, *args)`): that one is built once for every session
    asking for the same builder, arguments, language and data version, and served from memo's cache after."""
    def finish(figure: go.Figure) -> go.Figure:
        style(figure, title=title, height=height or figure.layout.height or 320)
        return neutralise(figure)
    shown = memo.drawn(fig, finish, (title, height)) if isinstance(fig, memo.Fig) else finish(fig)
    return st.plotly_chart(shown, theme=None, config=CONFIG, key=key, width="stretch", **kwargs)
