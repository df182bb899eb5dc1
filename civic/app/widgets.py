"""The building blocks pages are made of: a row of KPI tiles, a table from column specs, the published-figure
table, and a chart or table whose selection is applied once and then dropped.

A page says what it shows (which tiles, which columns, which query) and these draw it the same way on every
page: tiles through civic/measures.py, tables through civic/app/export.py's `Col` specs (one list gives the
screen's headers and formats and the download's), the published figures through the one named query
queries/published_facts.sql.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st
from streamlit import dataframe_util

from civic import measures
from civic.app import export, memo, plot, shell
from civic.app.export import Col
from civic.app.filters import UrlParam
from civic.store import db, queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_frame


# ── KPI tiles ──────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Kpi:
    """One tile: its (translated) label, the tile civic/measures.py built, optional captions under it."""
    label: str
    tile: measures.Tile
    caption: str | tuple[str, ...] | None = None


def kpi_row(kpis: Sequence[Kpi], per_row: int | None = None) -> None:
    """The tiles side by side, `per_row` to a row (all in one row by default)."""
    per_row = per_row or len(kpis)
    rows = -(-len(kpis) // per_row)
    cells = [c for _ in range(rows) for c in st.columns(per_row)]
    for cell, kpi in zip(cells, kpis):
        with cell:
            measures.metric(kpi.label, kpi.tile)
            for caption in (kpi.caption,) if isinstance(kpi.caption, str) else kpi.caption or ():
                st.caption(caption)


def activity_kpis(figures: dict[str, dict], keys: Sequence[str], cmp: measures.Comparison,
                  lang: str) -> list[Kpi]:
    """The 同比 tiles of measures.activity_figures / wish_figures (the overview and the volunteer page)."""
    return [Kpi(t(f"measures.kpi.{k}.label"),
                measures.tile(k, figures[k]["value"], cmp, figures[k]["yoy"], figures[k]["mom"], lang))
            for k in keys]


# ── tables from column specs ───────────────────────────────────────────────────────────────────
def present(df: pd.DataFrame, cols: Sequence[Col], lang: str) -> pd.DataFrame:
    """`df`'s columns `cols` as shown: dates, months and shares as the page's language writes them, data
    values (a `value` column's `domain`) in words, links to other pages in the reader's language; everything
    else as it is."""
    out = df[[c.name for c in cols]].copy()
    for c in cols:
        if c.kind == "day":
            out[c.name] = [t(c.missing, lang) if c.missing and pd.isna(v) else fmt.day(v, lang) for v in out[c.name]]
        elif c.kind == "month":
            out[c.name] = [fmt.month(v, lang) for v in out[c.name]]
        elif c.kind == "pct":
            out[c.name] = [fmt.pct(v, 0) for v in out[c.name]]
        elif c.kind in ("value", "word"):
            # value: a data value in words (values.<domain>.<v>); word: a catalog leaf <domain>.<v>
            names = {v: tv(c.domain or "", v, lang) if c.kind == "value" else t(f"{c.domain}.{v}", lang)
                     for v in out[c.name].dropna().unique()}
            out[c.name] = out[c.name].map(lambda v: names.get(v, v))
        elif c.kind == "text" and c.missing is not None:
            blank = t(c.missing, lang) if c.missing else ""
            out[c.name] = out[c.name].map(lambda v: blank if v is None or v != v else v)
        elif c.kind == "link" and lang != "zh":
            # a link to another page keeps the reader's language
            out[c.name] = [f"{v}{'&' if '?' in v else '?'}lang={lang}" for v in out[c.name]]
    return out


def _arrow(df: pd.DataFrame, cols: tuple[Col, ...], lang: str) -> pa.Table:
    """present(df, cols, lang) as the Arrow table st.dataframe would make of it (same bytes on the wire)."""
    return dataframe_util.convert_pandas_df_to_arrow_table(present(df, cols, lang))


def table(df: pd.DataFrame, cols: Sequence[Col], lang: str, *, height: int | Literal["auto"] = "auto",
          **kwargs: Any) -> Any:
    """st.dataframe of `cols` of `df`, headed and formatted by the specs (export.column_config). The Arrow
    table is shared between sessions (memo.shared, keyed by the frame's content): a rerun with no change and
    a second viewer only serialise it."""
    return st.dataframe(memo.shared(_arrow, df, tuple(cols), lang), hide_index=True, width="stretch",
                        height=height, column_config=export.column_config(cols), **kwargs)


def downloads(fetch: Callable[[], pd.DataFrame], cols: Sequence[Col], lang: str, basename: str, key: str) -> None:
    """The CSV / Excel buttons for the rows `fetch` returns (called on the download thread: no Streamlit),
    with the same columns, headers and words as the table on screen."""
    export.download_buttons(lambda: present(fetch(), cols, lang), basename, key=key, columns=cols)


def _static_shown(df: pd.DataFrame, cols: tuple[Col, ...], lang: str) -> pd.DataFrame:
    shown = present(df, cols, lang)
    for c in cols:
        if c.kind == "date":
            shown[c.name] = [fmt.iso_day(v) for v in shown[c.name]]
    shown = shown.rename(columns={c.name: t(c.label) for c in cols})
    return md_frame(shown.set_index(t(cols[0].label)))


def static_table(df: pd.DataFrame, cols: Sequence[Col], lang: str) -> None:
    """st.table of `cols` (headed by the specs, indexed by the first), for a collapsed expander, where a
    grid never draws its canvas; text is shown as typed (md_frame), dates as 2025-12-05. The frame shown is
    shared between sessions (memo.shared)."""
    st.table(memo.shared(_static_shown, df, tuple(cols), lang))


def table_or_empty(df: pd.DataFrame, cols: Sequence[Col], lang: str, **kwargs: Any) -> None:
    """The table, or the friendly empty state when the filters leave no row."""
    if df.empty:
        shell.no_data()
    else:
        table(df, cols, lang, **kwargs)


def chart(has_data: bool, build: Callable[[], go.Figure], **kwargs: Any) -> Any:
    """The figure `build` makes, drawn by plot.show (`kwargs`: key, title, height, on_select …), or the
    friendly empty state when the filters leave nothing to draw (then `build` is never called)."""
    if not has_data:
        shell.no_data()
        return None
    return plot.show(build(), **kwargs)


# ── one analysis section at a time ────────────────────────────────────────────────────────────
def section_param(param: str, key: str, sections: Sequence[str]) -> UrlParam:
    """The URL parameter keeping a page's open section (`?view=towns`): a link or a reload shows the same
    section; an unknown value falls back to the first with the usual notice."""
    return UrlParam(param, key, allowed=tuple(sections), default=sections[0])


def section_bar(key: str, sections: Sequence[str], catalog: str) -> str:
    """The bar choosing which of a page's analysis sections is built, and that section's code.

    Why one at a time: a click reruns the whole script, and each chart or grid costs server CPU (plotly
    construction, serialisation) and browser drawing whether or not it is scrolled to (BENCHMARKS.md, issue
    21). The headline tiles stay above the bar; every section's words are `{catalog}.{code}` in the catalog."""
    st.segmented_control(t(f"{catalog}.label"), list(sections), key=key, required=True, width="stretch",
                         format_func=lambda code: t(f"{catalog}.{code}"), label_visibility="collapsed")
    chosen = st.session_state.get(key)
    return str(chosen) if chosen in sections else sections[0]


# ── paged tables: only one page of rows goes to the browser ───────────────────────────────────
PAGE_SIZE = 50        # rows a page of a paged table shows (≈ 15 kB of grid at the widest table)


def _page_key(key: str) -> str:
    return f"{key}_page"


def _clamped_page(key: str, scope: Any, pages: int) -> int:
    """The page table `key` shows: back to page 1 when `scope` (what its rows depend on: the filters, the
    window) differs from the last run's, and always within 1..pages. Written to the page input's key (before
    the input is drawn, which Streamlit allows) only when that changes its value: a value set through the
    Session State API is pushed to the browser's widget again on every run that sets it."""
    ss = st.session_state
    current = int(ss.get(_page_key(key)) or 1)
    page = min(max(1, current), pages)
    if ss.get(f"_{key}_scope") != scope:
        ss[f"_{key}_scope"] = scope
        page = 1
    if page != current:
        ss[_page_key(key)] = page
    return page


def _step(key: str, by: int) -> None:
    st.session_state[_page_key(key)] = int(st.session_state.get(_page_key(key)) or 1) + by


def _pager(key: str, page: int, pages: int, total: int) -> None:
    """Previous / page number / next, and "第 x/y 页 · 共 n 条", in one row (a horizontal container stays one
    row on a phone, where st.columns would stack)."""
    with st.container(horizontal=True, vertical_alignment="center", key=f"{key}_pager"):
        st.button(t("pager.prev"), key=f"{key}_prev", on_click=_step, args=(key, -1), disabled=page <= 1)
        st.number_input(t("pager.page"), min_value=1, max_value=pages, step=1, key=_page_key(key),
                        label_visibility="collapsed", width=90)
        st.button(t("pager.next"), key=f"{key}_next", on_click=_step, args=(key, 1), disabled=page >= pages)
        st.caption(t("pager.status", page=fmt.integer(page), pages=fmt.integer(pages), n=fmt.integer(total)))


@st.fragment
def _paged_body(key: str, total: int, fetch: Callable[[int, int], pd.DataFrame], cols: Sequence[Col], lang: str,
                page_size: int, height: int | Literal["auto"], kwargs: dict[str, Any]) -> None:
    """One page of the table and its pager. A fragment: paging reruns this, not the page (Streamlit calls
    it again with the arguments of the last full run, so `fetch` keeps the page's filters)."""
    pages = max(1, -(-total // page_size))
    page = _clamped_page(key, st.session_state.get(f"_{key}_scope"), pages)
    # a fragment rerun runs outside the script run's pin (docs/architecture.md "Consistency")
    with db.pinned():
        rows = fetch(page_size, (page - 1) * page_size)
    if isinstance(height, int):      # the last page may be short: no empty rows under it
        height = min(height, 38 + 35 * len(rows))
    table(rows, cols, lang, height=height, **kwargs)
    if pages > 1:
        _pager(key, page, pages, total)


def paged_table(key: str, total: int, fetch: Callable[[int, int], pd.DataFrame], cols: Sequence[Col], lang: str,
                *, scope: Any, page_size: int = PAGE_SIZE, height: int | Literal["auto"] = "auto",
                **kwargs: Any) -> None:
    """A table of `total` rows sent a page at a time: `fetch(limit, offset)` returns one page (a named
    query's $limit / $offset, so only those rows are read and sent), `total` comes from a count. Back to
    page 1 whenever `scope` (the parameters the rows depend on) changes; paging reruns only the table.
    Downloads stay beside it (widgets.downloads), exporting every row, not the page."""
    _clamped_page(key, scope, max(1, -(-total // page_size)))
    _paged_body(key, total, fetch, cols, lang, page_size, height, kwargs)


# ── published figures beside the computed ones ─────────────────────────────────────────────────
FACT_COLS = (Col("fact_id", "facts.col_id"), Col("metric", "facts.col_metric"),
             Col("published_fmt", "facts.col_published"), Col("computed_fmt", "facts.col_computed"),
             Col("check", "facts.col_ok"), Col("period", "facts.col_period"))
FACT_GRID_COLS = (Col("fact_id", "facts.col_id", width="small"), Col("county", "facts.col_county", width="small"),
                  Col("metric", "facts.col_metric", width="large"), Col("published_fmt", "facts.col_published"),
                  Col("computed_fmt", "facts.col_computed"), Col("check", "facts.col_ok", width="small"),
                  Col("period", "facts.col_period"), Col("source_sentence", "facts.col_source", width="large"))


def published_facts(section: str, lang: str) -> pd.DataFrame:
    """queries/published_facts.sql for `section`, with the published figure as the report writes it, the
    computed one as a number and the check as a word (built once per section, language and data version)."""
    return memo.shared(_published_facts, section, lang)


def _published_facts(section: str, lang: str) -> pd.DataFrame:
    facts = queries.run("published_facts", section=section)
    return facts.assign(
        published_fmt=[fmt.published(v, q, u if lang == "zh" else "", lang)
                       for v, q, u in zip(facts.published, facts.qualifier, facts.unit)],
        computed_fmt=[fmt.integer(v) for v in facts.computed],
        check=[t("facts.match") if x else t("facts.mismatch") for x in facts.ok])


def facts_table(section: str, lang: str, *, grid: bool = False) -> pd.DataFrame:
    """The published-figure table of `section` (see published_facts.sql). A page's collapsed expander gets
    st.table (a grid inside a collapsed expander never draws its canvas); `grid=True` (总览, open on the
    page) a scrolling st.dataframe with the county and the report's sentence. Returns the facts."""
    facts = published_facts(section, lang)
    if grid:
        table(facts, FACT_GRID_COLS, lang, height=420)
    elif not facts.empty:
        static_table(facts, FACT_COLS, lang)
    return facts


# ── selections applied once ────────────────────────────────────────────────────────────────────
class Selectable:
    """A chart or table whose click is applied to some state and then dropped.

    Streamlit keeps a widget's selection for as long as its key lives, so an applied click would stay
    drawn (and be applied again). The widget's key therefore carries a counter, `<prefix>_<n>`; `reset()`
    bumps it, and the next run draws a fresh widget with nothing selected. Widgets sharing `counter` are
    reset together."""

    def __init__(self, prefix: str, counter: str) -> None:
        self.prefix = prefix
        self.counter = counter

    @property
    def generation(self) -> int:
        return int(st.session_state.get(self.counter, 0))

    @property
    def key(self) -> str:
        return f"{self.prefix}_{self.generation}"

    def reset(self) -> None:
        st.session_state[self.counter] = st.session_state.get(self.counter, 0) + 1

    def points(self) -> list[dict]:
        """The selected chart points (or table rows, as {"row": i}) of the widget's last event."""
        state = st.session_state.get(self.key)
        try:
            selection = state["selection"] if state else {}
            return list(selection.get("points") or []) or [{"row": r} for r in selection.get("rows") or []]
        except (KeyError, TypeError, AttributeError):
            return []

    def on_select(self, apply: Callable[[list[dict]], None]) -> Callable[[], None]:
        """An on_select callback: `apply` the selected points (when there are any), then reset."""
        def callback() -> None:
            points = self.points()
            if points:
                apply(points)
            self.reset()
        return callback


def first_customdata(points: list[dict]) -> Any:
    """customdata[0] of the first clicked point carrying one (charts put the value a click sets there)."""
    for p in points:
        cd = p.get("customdata")
        if cd is not None:
            return cd[0] if isinstance(cd, (list, tuple)) else cd
    return None
