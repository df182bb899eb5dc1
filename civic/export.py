"""Downloads: CSV (UTF-8 with BOM so Excel opens Chinese correctly) and .xlsx, with formula-injection guard."""
from __future__ import annotations

import io
import re
from typing import Callable

import pandas as pd
import streamlit as st

from .i18n import t

_INJECTION = re.compile(r"^[=+\-@\t\r]")


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (CSV/Excel injection)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: "'" + v if isinstance(v, str) and _INJECTION.match(v) else v)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    return _safe(df).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        _safe(df).to_excel(xw, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def download_buttons(df: pd.DataFrame | Callable[[], pd.DataFrame], basename: str, key: str) -> None:
    """Two buttons side by side: CSV and Excel, for exactly the rows shown.

    The files are built only when a button is clicked (Streamlit's deferred download, run on another
    thread, so the callables use no Streamlit commands): writing an .xlsx costs ~0.5 s for a few thousand
    rows, which every rerun would otherwise pay. `df` may be the frame or a zero-argument callable that
    returns it (to defer the query as well).

    on_click="ignore": a download needs no rerun, and a rerun breaks the other button. Streamlit registers a
    deferred callable under a fresh id on every run and drops the previous run's ids when the run ends
    (media_file_manager.add_deferred / remove_orphaned_files). With the default on_click="rerun", a CSV click
    reran the page, so an Excel click made before the browser had the new ids asked for a dropped one:
    "Deferred file … not found" in the server log and no download, no message (tests/browser/test_renovation.py
    test_csv_then_excel_both_download)."""
    fetch: Callable[[], pd.DataFrame] = df if callable(df) else (lambda: df)  # type: ignore[assignment]

    def csv_data() -> bytes:
        return to_csv_bytes(fetch())

    def xlsx_data() -> bytes:
        return to_xlsx_bytes(fetch())

    c1, c2 = st.columns(2)
    c1.download_button(t("app.download_csv"), csv_data, file_name=f"{basename}.csv", mime="text/csv",
                       key=f"{key}_csv", width="stretch", on_click="ignore")
    c2.download_button(t("app.download_xlsx"), xlsx_data, file_name=f"{basename}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{key}_xlsx", width="stretch", on_click="ignore")
