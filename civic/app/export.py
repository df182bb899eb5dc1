"""Tables and their downloads, with one set of column headers.

A table on screen and its CSV/.xlsx export name their columns in one place: a list of `Col` (column, catalog
key of its header, kind). `column_config(cols)` gives st.dataframe its headers and formats; passing the same
list to `download_buttons(..., columns=cols)` gives the file the same headers in the page's language (never
the frame's snake_case names) and yes/no words for booleans (never True/False).

Files: CSV is UTF-8 with BOM so Excel opens Chinese correctly; both formats have a formula-injection guard
and the personal-data screen (civic/text/pii.py): phone, ID-card and bank-card numbers and e-mail addresses in any
text cell leave masked (138****8000), so data that got in before the import screen never leaves in clear."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import pandas as pd
import streamlit as st

from civic.text import pii
from civic.text.i18n import t

_INJECTION = re.compile(r"^[=+\-@\t\r]")


def _cell(v):
    if not isinstance(v, str):
        return v
    v = pii.mask(v)
    return "'" + v if _INJECTION.match(v) else v


@dataclass(frozen=True)
class Col:
    """One table column: `name` in the frame, `label` the catalog key of its header, `kind` one of
    text, int, num (thousands separators), count (the reader's number format), date, bool, progress
    (0–100 %), link (a relative URL shown as the catalog word `display`), and the kinds civic/app/widgets.py
    writes as text before drawing: day (2025年12月5日), month (2025年12月), pct (12%), value (a data value
    of `domain` in words, values.<domain>.<v>), word (the catalog leaf <domain>.<v>). `missing`: the catalog
    key shown for an empty text or day."""
    name: str
    label: str
    kind: str = "text"
    width: str | int | None = None
    format: str | None = None
    domain: str | None = None
    missing: str | None = None
    display: str | None = None


def column_config(cols: Sequence[Col]) -> dict:
    """st.dataframe's column_config for `cols` (headers in the current language)."""
    out: dict = {}
    for c in cols:
        label = t(c.label)
        width: Any = c.width
        if c.kind == "int":
            out[c.name] = st.column_config.NumberColumn(label, format=c.format or "%d", width=width)
        elif c.kind == "num":
            out[c.name] = st.column_config.NumberColumn(label, format=c.format or "%,.0f", width=width)
        elif c.kind == "count":
            out[c.name] = st.column_config.NumberColumn(label, format=c.format or "localized", width=width)
        elif c.kind == "date":
            out[c.name] = st.column_config.DateColumn(label, format=c.format or "YYYY-MM-DD", width=width)
        elif c.kind == "bool":
            out[c.name] = st.column_config.CheckboxColumn(label, width=width)
        elif c.kind == "progress":
            out[c.name] = st.column_config.ProgressColumn(label, format=c.format or "%.0f%%", min_value=0,
                                                          max_value=100, width=width)
        elif c.kind == "link":
            out[c.name] = st.column_config.LinkColumn(label, width=width,
                                                      display_text=t(c.display) if c.display else None)
        else:
            out[c.name] = st.column_config.TextColumn(label, width=width)
    return out


def _exporter(cols: Sequence[Col], lang: str | None = None) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A function turning a frame into the file's frame: `cols` only, in order, headed as on screen, booleans
    as 是/否 (Yes/No). The words are looked up now, on the script thread: a deferred download runs on another
    thread, where the session's language is unknown."""
    names = [c.name for c in cols]
    headers = {c.name: t(c.label, lang) for c in cols}
    bools = [c.name for c in cols if c.kind == "bool"]
    yes, no = t("export.yes", lang), t("export.no", lang)

    def convert(df: pd.DataFrame) -> pd.DataFrame:
        out = df[names].copy()
        for b in bools:
            out[b] = [("" if v is None or v != v else (yes if bool(v) else no)) for v in out[b]]
        return out.rename(columns=headers)
    return convert


def export_frame(df: pd.DataFrame, cols: Sequence[Col], lang: str | None = None) -> pd.DataFrame:
    """The frame a download of `df` shown with `cols` writes (see _exporter)."""
    return _exporter(cols, lang)(df)


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    """Mask personal data in text cells and prefix those a spreadsheet would run as a formula (injection)."""
    out = df.copy()
    out.columns = [pii.mask(c) if isinstance(c, str) else c for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(_cell)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    return _safe(df).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        _safe(df).to_excel(xw, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def download_buttons(df: pd.DataFrame | Callable[[], pd.DataFrame], basename: str, key: str,
                     columns: Sequence[Col] | None = None) -> None:
    """Two buttons side by side: CSV and Excel, for exactly the rows shown.

    With `columns` (the list the table on screen uses), the files carry those columns under the table's
    headers; without, the frame is written as it is (its caller has named the columns).

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
    source: Callable[[], pd.DataFrame] = df if callable(df) else (lambda: df)
    convert = _exporter(columns) if columns else (lambda frame: frame)

    def fetch() -> pd.DataFrame:
        return convert(source())

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
