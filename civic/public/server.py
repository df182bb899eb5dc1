"""The residents' public server (public/app.py): only the index and the compound page are routed.

Nothing else is registered with st.navigation, so the analyst pages, the screen and admin answer Streamlit's
"page not found" here (tests/browser/test_public.py). The main script sits in public/, a folder without a
pages/ subfolder, so Streamlit's legacy pages/ discovery (docs/architecture.md, "Routing") never applies:
no script of the internal app can run on this server, not even on a fresh server's first request.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from civic.text.i18n import LANGS, html_lang_script, t

PAGES_DIR = Path(__file__).resolve().parents[2] / "public" / "public_pages"
INDEX_SCRIPT = PAGES_DIR / "index.py"
COMPOUND_SCRIPT = PAGES_DIR / "compound.py"
COMPOUND_PATH = "compound"   # a compound's page: /compound?id=HY-019

# no sidebar at all (not even its collapsed control), no Streamlit chrome; the page is the resident's
CHROME_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] { padding: 1rem 1rem 3rem; max-width: 46rem; }
[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"] p { font-size: 15px; }
[data-testid="stPageLink"] p { font-size: 16px; }
</style>"""


def lang() -> str:
    """zh unless the link says ?lang=en (an optional switch; a bad value falls back to zh)."""
    wanted = st.query_params.get("lang", "zh")
    return wanted if wanted in LANGS else "zh"


def run() -> None:
    st.set_page_config(page_title=t("public.app_title", "zh"), layout="centered", initial_sidebar_state="collapsed")
    st.session_state["lang"] = lang()
    pages = [st.Page(INDEX_SCRIPT, title=t("public.index_title"), url_path="", default=True),
             st.Page(COMPOUND_SCRIPT, title=t("public.compound_title"), url_path=COMPOUND_PATH)]
    page = st.navigation(pages, position="hidden")
    st.html(html_lang_script(lang()) + CHROME_CSS)
    page.run()
