"""What every page of the app (not the screen, which has its own) gets once per run, before its content:
the `<html lang>` of the UI language and a few CSS rules so that no label or number is cut off.

One st.html call from civic/app/shell.py. Streamlit truncates a metric's label with "…" on one line
(`.stMarkdownEllipsis`) and keeps its value at 2.25rem whatever the tile's width: at 1366×768 with the sidebar
open, five tiles are ~150 px wide, and "志愿者参与（人次）" or "213.64K m²" did not fit. Labels wrap instead
(tiles in a row keep one height: Streamlit's columns stretch), and values shrink with the tile
(container query units), never below 1.25rem. tests/browser/test_fit.py checks every tile at 1366×768 and on a
phone, in both languages.
"""
from __future__ import annotations

from civic.text.i18n import html_lang_script

CSS = """<style>
[data-testid="stMetricLabel"] { height: auto; min-height: 1.5rem; align-items: flex-start; }
[data-testid="stMetricLabel"] .stMarkdownEllipsis,
[data-testid="stMetricLabel"] .stMarkdownEllipsis p {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere;
}
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: clamp(1.25rem, 16cqi, 2.25rem); }
[data-testid="stMetricValue"] > div { overflow: visible; text-overflow: clip; }
[data-testid="stButton"] button p, [data-testid="stDownloadButton"] button p { white-space: normal; }
</style>"""


def html(lang: str) -> str:
    # the script first: Streamlit's HTML sanitiser drops a <style> that opens the body
    return html_lang_script(lang) + CSS
