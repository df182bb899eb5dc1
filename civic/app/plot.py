"""Draw a plotly figure on a page: the one place a chart meets Streamlit (civic/figures builds them)."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from civic.figures.charts import CONFIG, neutralise, style


def show(fig: go.Figure, key: str | None = None, title: str | None = None, height: int = 320,
         **kwargs: Any) -> Any:
    """Render with our template (not Streamlit's theme) and the offline PNG button; data shown as text."""
    style(fig, title=title, height=height)
    neutralise(fig)
    return st.plotly_chart(fig, theme=None, config=CONFIG, key=key, width="stretch", **kwargs)
