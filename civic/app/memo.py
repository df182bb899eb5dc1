"""Figures shared between sessions: built once per (builder, inputs, language, data version), then served.

Building a plotly figure costs far more server CPU than the named queries under it (issue 21: 150–470 ms a
rerun at ×100, `gantt` alone 220 ms under the profiler), and a rerun with no change, or a second viewer of
the same filters, built every figure again. A page hands plot.show a `Fig` (the builder and its arguments,
not yet called) instead of a figure; plot.show asks `drawn()` for it:

- **Key.** The builder's module and name, a digest of its arguments pickled (the query frames themselves,
  so the key is exactly what the builder reads, never a list of parameters that could miss one), the
  language (builders word their labels through t()), the title and height plot.show adds, and the data
  version (db.data_version: the run's pinned snapshot), so no figure of an older version is ever served.
  An argument that cannot be pickled is a programming error and raises.
- **Value.** The figure after charts.style and charts.neutralise, serialised once to plain JSON values and
  wrapped in a `Frozen` figure: st.plotly_chart reads a figure only through `to_dict()`, which here hands
  out fresh outer dicts over the shared, never-mutated JSON, so one session can never change what another
  is shown, and nothing is styled or neutralised twice.
- **Other values.** `shared_sized(builder, size, *args)` keeps a large built value the same way (same key,
  same LRU bounded in bytes): the map page's deck (civic/app/stations_parts.py). `shared(builder, *args)`
  keeps small ones (tables as drawn, option lists) in an LRU of SHARED_SIZE entries (see below). Their users
  must treat them as read-only.
- **Bound.** An LRU of at most CACHE_SIZE figures and CACHE_BYTES of JSON; `clear()` empties it, and it is
  emptied with the query cache (queries.clear_cache, e.g. the benchmark's cold run).

Builders run under `use_lang(lang)`, so each t()/tv() they call reads the language from a context variable
instead of Streamlit's session state (one session-state read per label was a visible share of a build).
"""
from __future__ import annotations

import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pyarrow as pa

from civic.store import db, queries
from civic.text.i18n import current_lang, use_lang

CACHE_SIZE = 256
CACHE_BYTES = 64 * 1024 * 1024
SHARED_SIZE = 512        # results of `shared` (small frames and tables: a few MB in all)
stats = {"hits": 0, "misses": 0}


@dataclass(frozen=True)
class Fig:
    """A figure to draw: `builder(*args, **kwargs)`, called only when no session has drawn it yet."""
    builder: Callable[..., go.Figure]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def build(self) -> go.Figure:
        return self.builder(*self.args, **self.kwargs)


def fig(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> Fig:
    """`memo.fig(rf.gantt, df, anchor, lang)`: the figure rf.gantt(df, anchor, lang) would return, cached."""
    return Fig(builder, args, kwargs)


class Frozen(go.Figure):
    """A styled figure kept as its JSON: read-only, shared by every session that draws it."""

    def __init__(self, spec: dict[str, Any]):
        super().__init__(_validate=False)
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        # pio.to_json pops each trace's "uid": fresh trace dicts keep the shared ones intact
        return {"data": [dict(trace) for trace in self._spec["data"]], "layout": self._spec["layout"]}

    @property
    def spec_height(self) -> Any:
        return self._spec["layout"].get("height")


def freeze(figure: go.Figure) -> tuple[Frozen, int]:
    """The figure as a Frozen one, with the size of its JSON."""
    text = pio.to_json(figure, validate=False)
    spec = json.loads(text)
    spec.pop("frames", None)
    return Frozen(spec), len(text)


_cache: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
_bytes = 0
_lock = threading.Lock()


T = TypeVar("T")


def _feed(h: Any, value: Any) -> None:
    """Feed `value` to the hash `h`: frames by their columns' memory (pickling an Arrow-backed string column
    went through Python objects: 10–15 ms a frame at ×100), containers item by item, the rest pickled."""
    if isinstance(value, pd.DataFrame):
        h.update(b"\x00frame")
        _feed(h, [str(c) for c in value.columns])
        _feed(h, value.index)
        for i in range(value.shape[1]):
            _feed(h, _column(value, i))
    elif isinstance(value, (pd.Series, pd.Index)):
        h.update(b"\x00series" if isinstance(value, pd.Series) else b"\x00index")
        _feed(h, value.name)
        if isinstance(value, pd.Series):
            _feed(h, value.index)
        _feed(h, value.array)
    elif isinstance(value, (tuple, list)):
        h.update(f"\x00{type(value).__name__}{len(value)}".encode())
        for v in value:
            _feed(h, v)
    elif isinstance(value, dict):
        h.update(f"\x00dict{len(value)}".encode())
        for k, v in value.items():
            _feed(h, k)
            _feed(h, v)
    elif isinstance(value, pd.api.extensions.ExtensionArray) and hasattr(value, "_pa_array"):
        _feed_arrow(h, value)
    elif isinstance(value, pd.RangeIndex):
        h.update(f"\x00range{value.start},{value.stop},{value.step}".encode())
    elif isinstance(value, pd.arrays.NumpyExtensionArray) or isinstance(value, np.ndarray):
        arr = np.asarray(value)
        if arr.dtype == object:
            _feed_objects(h, arr)
        else:
            h.update(f"\x00nd{arr.dtype.str}{arr.shape}".encode())
            h.update(np.ascontiguousarray(arr).view(np.uint8).data)
    else:
        h.update(pickle.dumps(value, protocol=5))


def _column(df: pd.DataFrame, i: int) -> Any:
    """The array of column i (pandas' own accessor: iloc[:, i] built a Series through the indexing machinery,
    ~0.3 ms a column)."""
    try:
        return df._get_column_array(i)
    except AttributeError:          # pragma: no cover - another pandas
        return df.iloc[:, i].array


def _feed_objects(h: Any, arr: np.ndarray) -> None:
    """A column of Python objects (dates, mixed values): as an Arrow array when it converts (in C), else
    pickled."""
    try:
        converted = pa.array(arr, from_pandas=False)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        h.update(b"\x00pickled")
        h.update(pickle.dumps(arr, protocol=5))
        return
    h.update(f"\x00objects{converted.type}{len(converted)};".encode())
    for buf in converted.buffers():
        h.update(b"-" if buf is None else memoryview(buf))


def _feed_arrow(h: Any, value: Any) -> None:
    """An Arrow-backed column by its buffers, with each chunk's type, offset and length (a slice shares its
    parent's buffers: the offset and length tell them apart)."""
    chunked = value._pa_array
    h.update(f"\x00arrow{chunked.type}{chunked.num_chunks}".encode())
    for chunk in chunked.chunks:
        h.update(f"{chunk.offset},{len(chunk)},{chunk.null_count};".encode())
        for buf in chunk.buffers():
            h.update(b"-" if buf is None else memoryview(buf))


def _key(builder: Callable[..., Any], args: tuple, kwargs: dict[str, Any], extra: tuple) -> tuple:
    h = hashlib.blake2b(digest_size=16)
    _feed(h, (args, sorted(kwargs.items())))
    return (builder.__module__, builder.__qualname__, h.digest(), current_lang(), db.data_version(), extra)


def drawn(item: Fig, finish: Callable[[go.Figure], go.Figure], extra: tuple = ()) -> Frozen:
    """The Frozen figure for `item`: from the cache, or built (under the session's language), passed through
    `finish` (plot.show's styling, whose own arguments are in `extra`) and stored."""
    return _kept(_key(item.builder, item.args, item.kwargs, extra), lambda: freeze(finish(item.build())))


def shared_sized(builder: Callable[..., T], size: Callable[[T], int], *args: Any, **kwargs: Any) -> T:
    """`builder(*args, **kwargs)`, built once for every session (keyed like a figure: builder, arguments,
    language, data version) and kept with the figures, whose LRU is bounded in bytes: for large values (the
    map's deck); `size(value)` is its share of CACHE_BYTES. The value is shared: read-only."""
    def build() -> tuple[T, int]:
        value = builder(*args, **kwargs)
        return value, size(value)
    return _kept(_key(builder, args, kwargs, ()), build)


def _kept(key: tuple, build: Callable[[], tuple[Any, int]]) -> Any:
    global _bytes
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            stats["hits"] += 1
            return hit[0]
    with use_lang(key[3]):
        value, size = build()
    with _lock:
        stats["misses"] += 1
        if key not in _cache:
            _cache[key] = (value, size)
            _bytes += size
        while _cache and (len(_cache) > CACHE_SIZE or _bytes > CACHE_BYTES):
            _bytes -= _cache.popitem(last=False)[1][1]
    return value


# ── any other pure result built from query results (tables as drawn, options, page summaries) ─────────
# The same reasoning as the figures: a rerun with no change, or a second viewer of the same filters, redid
# the pandas work of each table (present(), the published-figure table, the completeness grid) on every run.
# The key is the builder, a digest of its arguments pickled, the language and the data version; the value is
# shared by every session, so it is handed out as a shallow copy (pandas' copy-on-write keeps the cached one
# intact) or, for an Arrow table, as it is (immutable).
_shared: OrderedDict[tuple, Any] = OrderedDict()


def shared(builder: Callable[..., Any], *args: Any) -> Any:
    """`builder(*args)`, built once per (builder, args, language, data version) across sessions. The builder
    must depend on nothing else (query results through queries.run, whose cache has the same version key, are
    fine) and its arguments must pickle."""
    key = _key(builder, args, {}, ("shared",))
    with _lock:
        hit = _shared.get(key)
        if hit is not None:
            _shared.move_to_end(key)
            stats["hits"] += 1
            return _handed_out(hit)
    with use_lang(key[3]):
        value = builder(*args)
    with _lock:
        stats["misses"] += 1
        _shared[key] = value
        while len(_shared) > SHARED_SIZE:
            _shared.popitem(last=False)
    return _handed_out(value)


def _handed_out(value: Any) -> Any:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        return tuple(_handed_out(v) for v in value)
    return value


def clear() -> None:
    global _bytes
    with _lock:
        _cache.clear()
        _shared.clear()
        _bytes = 0


queries.on_clear(clear)
