"""Draw a plotly figure on a page: the one place a chart meets Streamlit (civic/figures builds them)."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from civic.figures.charts import CONFIG, neutralise, style


def show(fig: go.Figure, key: str | None = None, title: str | None = None, height: int | None = None,
         **kwargs: Any) -> Any:
    """Render with our template (not Streamlit's theme) and the offline PNG button; data shown as text.
    `height`: the figure's own (a builder that sizes it to its rows sets it), else 320 px."""
    style(fig, title=title, height=height or fig.layout.height or 320)
    neutralise(fig)
    return st.plotly_chart(fig, theme=None, config=CONFIG, key=key, width="stretch", **kwargs)
