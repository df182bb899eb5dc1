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

import re

from civic.text.i18n import html_lang_script, t

# what phone browsers put in their User-Agent (Android's "Mobile", iOS's "Mobile/15E148", Opera's "Mobi")
PHONE_UA = re.compile(r"Mobi|iPhone|iPod|Android.+Mobile", re.IGNORECASE)

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
/* Phones (issue 17, tests/browser/test_phone.py): Streamlit stacks columns one per row below 640 px, so a row
   of five KPI tiles became five screens; a row holding tiles (and no nested row) wraps two per row instead,
   and nothing may widen the page beyond the screen. */
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has([data-testid="stHorizontalBlock"])) {
    flex-wrap: wrap !important; flex-direction: row !important; gap: .5rem !important; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has([data-testid="stHorizontalBlock"]))
    > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - .25rem) !important; width: calc(50% - .25rem) !important;
    min-width: calc(50% - .25rem) !important; max-width: calc(50% - .25rem) !important; }
  [data-testid="stMain"] { overflow-x: hidden; }
  [data-testid="stMainBlockContainer"] { padding-left: .75rem; padding-right: .75rem; max-width: 100vw; }
  /* two tiles a row leave ~147 px: a value such as "213.64K m²" needs a smaller figure to stay whole */
  [data-testid="stMetricValue"] { font-size: 1.6rem; }
}
</style>"""


# Ctrl-P on any page (issue 17): only the page's content, its filter context on top (drawn by
# briefing_button(), hidden on screen), charts, tiles and maps never split across pages, and a data grid —
# a canvas that prints only the rows in view — followed by a note saying so. tests/browser/test_print.py.
PRINT_CSS = """<style>
.civic-print-context { display: none; }
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarCollapseButton"],
  [data-testid="stHeader"], header, [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stBottom"], [data-testid="stToast"], .stDownloadButton,
  [data-testid="stDownloadButton"], [data-testid="stButton"], [data-testid="stElementToolbar"],
  .modebar-container, .st-key-briefing, .st-key-briefing_small { display: none !important; }
  .civic-print-context { display: block; font-weight: 600; padding: .3rem .6rem; margin-bottom: .4rem;
                         border-left: 4px solid #1F6FB2; background: #EEF4FA; }
  [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stMainBlockContainer"] {
    margin: 0 !important; padding: 0 !important; max-width: 100%% !important; overflow: visible !important; }
  /* charts keep the pixel width they were drawn at on screen (≈ 950 px beside the sidebar): the page is laid
     out that wide and printed at 0.6 so that they fit the A4 width (≈ 700 px) uncut */
  [data-testid="stMainBlockContainer"] { zoom: 0.6; }
  [data-testid="stApp"], [data-testid="stAppScrollToBottomContainer"] {
    position: static !important; overflow: visible !important; }
  [data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"], [data-testid="stMetric"], [data-testid="stTable"],
  [data-testid="stDataFrame"], [data-testid="stVegaLiteChart"], [data-testid="stImage"], [data-testid="stAlert"],
  [data-testid="stProgress"] { break-inside: avoid; }
  h1, h2, h3, [data-testid="stHeading"] { break-after: avoid; }
  [data-testid="stElementContainer"]:has(> [data-testid="stDataFrame"])::after,
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]):not(:has([data-testid="stElementContainer"]))::after {
    content: "%(grid_note)s"; display: block; font-size: .8rem; color: #5B6978;
                                       padding-top: .2rem; }
}
</style>"""


def print_css(lang: str) -> str:
    note = t("app.print_grid_note", lang=lang).replace("\\", "").replace('"', "'")
    return PRINT_CSS % {"grid_note": note}


def html(lang: str) -> str:
    # the script first: Streamlit's HTML sanitiser drops a <style> that opens the body
    return html_lang_script(lang) + CSS + print_css(lang)


def is_phone() -> bool:
    """Whether the browser says it is a phone (its User-Agent header). Streamlit tells a script nothing of
    the viewport's width, yet a pydeck map's initial view is fixed on the server: the stations map fits the
    county to a phone's width when this says so (issue 17), and to the desktop column otherwise."""
    import streamlit as st
    # without a browser session (AppTest, a bare script run) the headers are empty: not a phone
    return bool(PHONE_UA.search(st.context.headers.get("User-Agent") or ""))
