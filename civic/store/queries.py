"""Run named queries from queries/*.sql with bound parameters; cache by (name, params, data version).

A query file declares its parameters as DuckDB named parameters ($towns, $date_from, ...). Values are
always bound, never formatted into SQL. Conventions for shared filters:
  $towns      VARCHAR[] of town codes; an empty list means "all towns"
  $date_from  DATE, $date_to DATE (inclusive)
The cache lives in this process, is bounded (LRU), and is keyed by the snapshot version, so a newly
published snapshot invalidates it without any wall-clock TTL. Inside a pinned script run (db.pinned) every
query reads the run's snapshot, so one page never mixes two versions.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from civic import paths
from civic.store import db
from civic.text import pii

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT_RE = re.compile(r"--[^\n]*")
CACHE_SIZE = 512


class QueryError(RuntimeError):
    pass


@lru_cache(maxsize=None)
def _load(name: str) -> tuple[str, frozenset[str]]:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise QueryError(f"bad query name {name!r}")
    path = paths.QUERIES_DIR / f"{name}.sql"
    try:
        sql = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"no query named {name!r} in {paths.QUERIES_DIR}") from None
    params = frozenset(_PARAM_RE.findall(_COMMENT_RE.sub("", sql)))
    return sql, params


def names() -> list[str]:
    return sorted(p.stem for p in paths.QUERIES_DIR.glob("*.sql"))


def sql_of(name: str) -> str:
    return _load(name)[0]


def params_of(name: str) -> frozenset[str]:
    return _load(name)[1]


def _normalise(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        return [str(v) for v in items]
    if isinstance(value, datetime):
        return value.date()
    return value


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def bind(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters the query declares, normalised. Missing ones are an error; extra ones are ignored
    (pages pass their whole filter state)."""
    wanted = params_of(name)
    missing = wanted - params.keys()
    if missing:
        raise QueryError(f"query {name!r} needs parameters {sorted(missing)}")
    return {k: _normalise(params[k]) for k in sorted(wanted)}


def execute(name: str, **params: Any) -> pd.DataFrame:
    """Run without any cache (benchmarks, tests, writers' checks)."""
    sql = sql_of(name)
    bound = bind(name, params)
    snap, cur = db.reader()
    return _run(snap, cur, sql, bound, name)


def _screened(df: pd.DataFrame) -> pd.DataFrame:
    """Personal data never reaches a viewer: every text cell of every result passes the importer's rule
    (civic/text/pii.py) and leaves masked (138****8000). The importer rejects such text, but rows that got in
    before the rule (or through a masked-on-request import gone wrong) must not show on any page, the screen
    or an export. Results are cached per snapshot, so each cell is screened once per version."""
    texts = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    for c, maybe in zip(texts, _maybe_personal_columns([df[c] for c in texts])):
        col = df[c]
        if maybe is None:                   # not a text column Arrow can read: every cell through the rule
            masked = col.map(pii.mask)
            if not masked.equals(col):
                df[c] = masked
            continue
        rows = np.flatnonzero(maybe)
        if not len(rows):
            continue
        old = col.iloc[rows].tolist()
        new = [_masked(v) for v in old]
        if new != old:
            values = col.tolist()
            for i, v in zip(rows, new):
                values[i] = v
            df[c] = pd.Series(values, index=df.index, name=c)      # as col.map(pii.mask) would give
    return df


# pii.mask is pure, and the cells the prefilter passes to it are mostly codes that recur in every result and
# rerun (village codes, site ids: ~140,000 cells of map_sites at ×100 cost 1.1 s to screen). Short ones are
# remembered; the memory is emptied with the query cache (clear_cache), so a cold run stays cold.
_MASK_MEMO_CHARS = 64


@lru_cache(maxsize=200_000)
def _masked_short(text: str) -> Any:
    return pii.mask(text)


def _masked(value: Any) -> Any:
    if isinstance(value, str) and len(value) <= _MASK_MEMO_CHARS:
        return _masked_short(value)
    return pii.mask(value)


# pii._MAYBE (an at sign, or seven digits with up to three other characters between two) in RE2, run by Arrow
# over a whole column in C: only the cells it finds go through pii.mask, one Python call each (mapping every
# cell of a large text result cost ~80 ms a filter change at ×100). \p{Nd} is what Python's \d matches.
_MAYBE_RE2 = r"[@＠\x{fe6b}]|\p{Nd}(?:\P{Nd}{0,3}\p{Nd}){6}"


def _maybe_personal(col: pd.Series) -> np.ndarray | None:
    """Which cells of a text column might hold personal data (a superset: pii.mask decides), or None when
    the column is not plain text to Arrow (mixed objects). Cells shaped as the data's codes (pii.CODE: never
    personal) are left out: at ×100 the map's sites carry ~120,000 of them, 1.1 s of pii.mask calls; so are the
    town areas' GeoJSON outlines (pii.GEOMETRY: 900 cells, 0.4 s)."""
    return _maybe_personal_columns([col])[0]


def _dictionary(col: pd.Series) -> pa.DictionaryArray | None:
    """The column's distinct texts and each cell's index into them; None for what Arrow cannot read as text,
    an empty dictionary for a column without text (dates, numbers, all empty)."""
    values = col.array
    try:
        arr = values._pa_array if hasattr(values, "_pa_array") else pa.chunked_array([pa.array(values)])
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return pa.array([], pa.large_string()).dictionary_encode()
    return (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).dictionary_encode()


def _maybe_personal_columns(cols: list[pd.Series]) -> list[np.ndarray | None]:
    """_maybe_personal for all the text columns of one result, their distinct texts matched in one pass.

    One pass, not one per column: Arrow compiles the prefilter's RE2 pattern on every call (2.8 ms: the
    Unicode digit classes under a counted repetition), and a map result of 13 text columns paid it 13 times,
    ~35 ms of a town change on the map page at ×100 for 53 rows (issue 21). Each distinct text of a column
    is matched once: most text columns repeat a few values (levels, kinds, towns, parent sites)."""
    encoded = [_dictionary(c) for c in cols]
    dicts = [e.dictionary.cast(pa.large_string()) for e in encoded if e is not None]
    words = pa.concat_arrays(dicts) if dicts else pa.array([], pa.large_string())
    maybe_words = _words_maybe_personal(words) if len(words) else np.zeros(0, dtype=bool)
    out: list[np.ndarray | None] = []
    start = 0
    for col, e in zip(cols, encoded):
        if e is None:
            out.append(None)
            continue
        n = len(e.dictionary)
        if n == 0:
            out.append(np.zeros(len(col), dtype=bool))
            continue
        mine = maybe_words[start:start + n]
        start += n
        out.append(mine[e.indices.fill_null(0).to_numpy(zero_copy_only=False)] & ~col.isna().to_numpy())
    return out


def _words_maybe_personal(words: pa.Array) -> np.ndarray:
    """_maybe_personal for distinct texts: the prefilter's hits that are neither code shapes nor outlines."""
    def matches(pattern: str, of: pa.Array) -> np.ndarray:
        return pc.match_substring_regex(of, pattern).to_numpy(zero_copy_only=False).astype(bool)
    hits = matches(_MAYBE_RE2, words)
    if not hits.any():          # no digit run nor at sign (names, levels, kinds): nothing more to ask
        return hits
    where = np.flatnonzero(hits)
    hit_words = words.take(pa.array(where))
    # the data's codes (pii.CODE) and the town areas' GeoJSON (pii.GEOMETRY: digits, points, commas, brackets)
    hits[where] = ~(matches(pii.CODE_PATTERN, hit_words) | matches(pii.GEOMETRY_PATTERN, hit_words))
    return hits


def _run(snap, cur: duckdb.DuckDBPyConnection, sql: str, bound: dict, name: str) -> pd.DataFrame:
    return _screened(_run_raw(snap, cur, sql, bound, name))


def _run_raw(snap, cur: duckdb.DuckDBPyConnection, sql: str, bound: dict, name: str) -> pd.DataFrame:
    """Execute on this thread's cursor. If DuckDB says the connection is dead (invalidated by a fatal
    error, or closed under us), drop it and retry once on a freshly opened connection to the same snapshot."""
    try:
        return cur.execute(sql, bound).df()
    except duckdb.Error as exc:
        if not db.is_dead(exc):
            raise QueryError(f"query {name!r} failed: {exc}") from exc
        db.discard(snap)
    _, cur = db.reader()
    try:
        return cur.execute(sql, bound).df()
    except duckdb.Error as exc:
        if db.is_dead(exc):
            db.discard(snap)
        raise QueryError(f"query {name!r} failed: {exc}") from exc


_cache: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_cache_lock = threading.Lock()
stats = {"hits": 0, "misses": 0}


def run(name: str, **params: Any) -> pd.DataFrame:
    """Run a named query, cached by (name, bound params, data version). Returns a copy-safe frame."""
    sql = sql_of(name)
    bound = bind(name, params)
    snap, cur = db.reader()
    key = (name, tuple((k, _hashable(v)) for k, v in bound.items()), snap.version)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            stats["hits"] += 1
            return hit.copy(deep=False)
    df = _run(snap, cur, sql, bound, name)
    with _cache_lock:
        stats["misses"] += 1
        _cache[key] = df
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return df.copy(deep=False)


def scalar(name: str, **params: Any) -> Any:
    df = run(name, **params)
    return None if df.empty else df.iat[0, 0]


_clear_hooks: list[Callable[[], None]] = []


def on_clear(hook: Callable[[], None]) -> None:
    """Register a cache built from query results (civic/app/memo.py's figures) to be emptied with this one."""
    if hook not in _clear_hooks:
        _clear_hooks.append(hook)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
    _masked_short.cache_clear()
    for hook in _clear_hooks:
        hook()


def data_version() -> str:
    return db.data_version()


def as_of() -> date:
    """The data's last day (meta.as_of), for "数据截至"."""
    return date.fromisoformat(str(scalar("meta_as_of")))
