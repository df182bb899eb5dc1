"""总览's reporting alert (issue 18), one call from pages/overview.py."""
from __future__ import annotations

from datetime import date

import streamlit as st

from civic import completeness, domain
from civic.app import memo
from civic.scope import Filters
from civic.text.i18n import t


def reporting_alert(f: Filters, as_of: date) -> None:
    """One line, only when it applies: the practice townships (of the township filter) whose running month is
    below the reporting bar (civic/completeness.py, pro rata), with a link to the monitor."""
    if not f.shows_county(domain.XIANGYUAN):
        return
    # shared between sessions, as on the completeness page (memo.shared)
    low = memo.shared(completeness.low_this_month, f.town_codes(domain.XIANGYUAN), as_of)
    if low.empty:
        return
    names = completeness.name_list(list(low.town_name))
    with st.container(key="ov_reporting_alert", horizontal=True, vertical_alignment="center"):
        st.warning(t("completeness.alert", n=len(low), threshold=f"{completeness.THRESHOLD:g}", towns=names))
        st.page_link("pages/completeness.py", label=t("completeness.alert_link"),
                     query_params=st.session_state.get("_shared_query") or None)
