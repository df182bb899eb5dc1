"""What to measure (the pages and screen scenes) and what a run does: the named queries it calls, the deck
bytes it sends, the script's own time; plus resetting every cache to a fresh server's state."""
from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from civic import paths


@dataclass
class Item:
    label: str                      # "volunteer", "screen:map"
    spec: Any                       # nav.PageSpec
    query: dict = field(default_factory=dict)
    scene: str | None = None

    @property
    def analyst(self) -> bool:
        return not (self.spec.kiosk or self.spec.admin or self.spec.hidden)


def screen_scenes(spec) -> list[str]:
    """Scene ids of the exhibition screen: SCENES from civic/app/screen/params.py if present, else the literal
    SCENES tuple in the page file (read with ast, never executed)."""
    import ast
    import importlib
    for mod in ("civic.app.screen.params", "civic.screen", "civic.screen_scenes"):
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError:
            continue
        scenes = getattr(m, "SCENES", None)
        if scenes:
            return [str(getattr(s, "id", s)) for s in (scenes.keys() if isinstance(scenes, dict) else scenes)]
    try:
        tree = ast.parse((paths.ROOT / spec.file).read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "SCENES" for t in node.targets):
            with contextlib.suppress(ValueError):
                value = ast.literal_eval(node.value)
                return [str(s) for s in (value.keys() if isinstance(value, dict) else value)]
    return []


def discover(only: list[str] | None = None) -> list[Item]:
    from civic.app import nav
    items: list[Item] = []
    for spec in nav.available():
        if spec.kiosk:
            scenes = screen_scenes(spec)
            if scenes:
                items += [Item(f"{spec.id}:{s}", spec, {"scene": s}, s) for s in scenes]
                continue
        items.append(Item(spec.id, spec))
    if only:
        wanted = set(only)
        items = [i for i in items if i.label in wanted or i.spec.id in wanted]
    return items


# ── recording what a run does ────────────────────────────────────────────────────────────────
@dataclass
class Call:
    name: str
    params: dict
    cached: str          # "hit" | "miss" | "uncached"
    seconds: float


class Recorder:
    """Wraps civic.store.queries.run/execute (named queries and their bound parameters), st.pydeck_chart (deck
    payload bytes) and civic.app.shell.run (the script's own time, which app.py calls on every run) while
    AppTest runs pages in this process."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.decks: list[int] = []
        self.scripts: list[float] = []
        self._lock = threading.Lock()

    def __enter__(self) -> "Recorder":
        import streamlit as st

        from civic.app import shell
        from civic.store import queries
        self._q, self._st, self._shell = queries, st, shell
        self._run, self._execute, self._deck = queries.run, queries.execute, st.pydeck_chart
        self._shell_run = shell.run
        rec = self

        def shell_run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return rec._shell_run(*args, **kwargs)
            finally:
                with rec._lock:
                    rec.scripts.append(time.perf_counter() - t0)

        def run(name, **params):
            before = queries.stats["misses"]
            t0 = time.perf_counter()
            try:
                return rec._run(name, **params)
            finally:
                rec._add(name, params, "miss" if queries.stats["misses"] > before else "hit", time.perf_counter() - t0)

        def execute(name, **params):
            t0 = time.perf_counter()
            try:
                return rec._execute(name, **params)
            finally:
                rec._add(name, params, "uncached", time.perf_counter() - t0)

        def pydeck_chart(pydeck_obj=None, *args, **kwargs):
            if pydeck_obj is not None:
                with rec._lock:
                    rec.decks.append(deck_bytes(pydeck_obj))
            return rec._deck(pydeck_obj, *args, **kwargs)

        queries.run, queries.execute, st.pydeck_chart, shell.run = run, execute, pydeck_chart, shell_run
        return self

    def __exit__(self, *exc) -> None:
        self._q.run, self._q.execute, self._st.pydeck_chart = self._run, self._execute, self._deck
        self._shell.run = self._shell_run

    @property
    def original_execute(self) -> Callable:
        return self._execute

    def _add(self, name: str, params: dict, cached: str, seconds: float) -> None:
        try:
            bound = self._q.bind(name, params)
        except Exception:  # noqa: BLE001 - the page's own call failed; it reports that itself
            bound = {}
        with self._lock:
            self.calls.append(Call(name, bound, cached, seconds))

    def take(self) -> tuple[list[Call], list[int]]:
        with self._lock:
            calls, decks = self.calls, self.decks
            self.calls, self.decks, self.scripts = [], [], []
        return calls, decks

    def script_time(self, wall: float) -> float:
        """The script's time in the run just finished (shell.run), or AppTest's wall time if not seen."""
        with self._lock:
            return sum(self.scripts) if self.scripts else wall


def deck_bytes(deck) -> int:
    """The deck spec bytes sent to the browser: civic.map.maps.payload_bytes when the map module provides it."""
    try:
        from civic.map import maps
        fn = getattr(maps, "payload_bytes", None)
        if fn is not None:
            return int(fn(deck))
    except ImportError:
        pass
    return len(deck.to_json().encode("utf-8"))


def element_bytes(at) -> int:
    """Serialized size of every element on the page (what the browser receives, roughly)."""
    total = 0

    def walk(node):
        nonlocal total
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for c in children.values():
                walk(c)
            return
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()

    walk(at._tree)
    return total


class _NoBareModeNoise:
    """Clearing caches outside a script run makes Streamlit warn about a missing ScriptRunContext; harmless.
    A filter, because Streamlit resets its loggers' levels."""

    def filter(self, record) -> bool:
        msg = record.getMessage()
        return "missing ScriptRunContext" not in msg and "No runtime found" not in msg


def quiet_streamlit() -> None:
    import logging
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api",
                 "streamlit.runtime.caching.cache_resource_api"):
        lg = logging.getLogger(name)
        if not any(isinstance(f, _NoBareModeNoise) for f in lg.filters):
            lg.addFilter(_NoBareModeNoise())


def reset_caches() -> None:
    """What a fresh server has: no query results, no st.cache_data/cache_resource, no open DuckDB."""
    import streamlit as st
    quiet_streamlit()

    from civic.store import db, queries
    queries.clear_cache()
    st.cache_data.clear()
    st.cache_resource.clear()
    db.close_all()


def call_key(c: Call) -> tuple[str, str]:
    return c.name, repr(sorted(c.params.items()))


def time_raw(calls: list[Call], execute: Callable | None = None) -> dict[tuple[str, str], float]:
    """Execute each distinct (query, params) once, raw (no Streamlit, no cache): seconds per call key."""
    from civic.store import queries
    execute = execute or queries.execute
    out: dict[tuple[str, str], float] = {}
    for c in calls:
        key = call_key(c)
        if key in out:
            continue
        t0 = time.perf_counter()
        try:
            execute(c.name, **c.params)
        except Exception:  # noqa: BLE001 - reported via the page run
            continue
        out[key] = time.perf_counter() - t0
    return out
