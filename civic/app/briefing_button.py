"""生成简报: the one button every page calls (`briefing_button()` on 总览, `briefing_button(small=True)` on the
analyst pages). A click renders the leaders' briefing (civic/briefing) for the shared filters in force —
county, townships, period, language — and offers the A4 PDF and the long phone picture for download.
Nothing is rendered until the click; a result is cached by the filters and the data version, so a second
click, another page or another user with the same filters gets it at once.
"""
from __future__ import annotations

import streamlit as st

from civic.app import memo, shell
from civic.briefing import data
from civic.scope import Filters
from civic.store import db
from civic.text.i18n import t
from civic.text.safe_text import html_text

DONE_KEY = "_briefing_done"   # the cache key of the briefing this session last made


@st.cache_data(show_spinner=False, max_entries=8)
def _render(key: tuple, _f: Filters, lang: str) -> tuple[bytes, bytes, str]:
    """(PDF, PNG, file name stem) for the filters; `key` (data.cache_key) is what the cache tells apart."""
    from civic.briefing import make
    return make.make_bytes(_f, lang)


def briefing_button(*, small: bool = False) -> None:
    """The button (then its two downloads), and the filter context a printout carries on top (hidden on screen,
    shown by the print rules in civic/app/head.py)."""
    f, lang = shell.filters(), shell.lang()
    # the line is shared between sessions per (filters, language, data version): building it read every town
    # into a TownIndex on each run (45 ms at ×100 under the profiler)
    line = memo.shared(data.context_line, f, lang)
    st.html(f'<div class="civic-print-context">{html_text(t("app.print_context", line=line))}</div>')
    key = data.cache_key(f, db.data_version(), lang)
    ss = st.session_state
    with st.container(key="briefing_small" if small else "briefing", horizontal=True, gap="small"):
        if ss.get(DONE_KEY) != key:
            if not st.button(t("briefing.button_small" if small else "briefing.button"), key="briefing_make",
                             type="secondary" if small else "primary", help=t("briefing.button_help")):
                return
            from civic.render.chromium import RenderError
            try:
                with st.spinner(t("briefing.making")):
                    _render(key, f, lang)
            except RenderError as exc:
                st.error(t("briefing.failed", reason=str(exc)))
                return
            ss[DONE_KEY] = key
        pdf, png, stem = _render(key, f, lang)
        st.download_button(t("briefing.download_pdf"), pdf, file_name=f"{stem}.pdf", mime="application/pdf",
                           key="briefing_pdf", type="primary" if not small else "secondary")
        st.download_button(t("briefing.download_png"), png, file_name=f"{stem}.png", mime="image/png",
                           key="briefing_png")
