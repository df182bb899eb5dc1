"""总览's extras, one call each from pages/overview.py: the reporting alert (issue 18) and the export of the
reconciliation table."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from civic import completeness
from civic.app.export import Col, download_buttons
from civic.app.filters import Filters
from civic.text.i18n import t

FACT_COLS = [Col("fact_id", "overview.col_id"), Col("county_fmt", "overview.col_county"),
             Col("metric", "overview.col_metric"), Col("published_fmt", "overview.col_published"),
             Col("computed_fmt", "overview.col_computed"), Col("check", "overview.col_ok"),
             Col("period", "overview.col_period"), Col("source_sentence", "overview.col_source")]


def reporting_alert(f: Filters, as_of: date) -> None:
    """One line, only when it applies: the practice townships (of the township filter) whose running month is
    below the reporting bar (civic/completeness.py, pro rata), with a link to the monitor."""
    if not f.shows_county("140423"):
        return
    low = completeness.low_this_month(f.town_codes("140423"), as_of)
    if low.empty:
        return
    names = t("filters.list_sep").join(low.town_name)
    with st.container(key="ov_reporting_alert", horizontal=True, vertical_alignment="center"):
        st.warning(t("completeness.alert", n=len(low), threshold=f"{completeness.THRESHOLD:g}", towns=names))
        st.page_link("pages/completeness.py", label=t("completeness.alert_link"),
                     query_params=st.session_state.get("_shared_query") or None)


def export_facts(table: pd.DataFrame) -> None:
    """CSV / Excel of the reconciliation table as shown (the same headers)."""
    download_buttons(table, t("overview.export_name"), key="ov_dl", columns=FACT_COLS)
