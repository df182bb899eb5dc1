"""Every page driven with AppTest: a cold first run, a warm rerun after a realistic filter change and a plain
rerun, with the raw SQL of each run timed alongside."""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from civic import paths
from devtools.apptest import start_in_navigation_mode
from devtools.bench.record import Call, Item, Recorder, call_key, element_bytes, reset_caches, time_raw
from devtools.bench.settings import PAGE_TOWN, PRESET_CHANGE
from devtools.bench.stats import summary


def new_app(item: Item, timeout: float):
    """An AppTest that lands directly on the item's page URL (as a fresh browser session would)."""
    start_in_navigation_mode()
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1 import app_test as app_test_mod
    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=timeout)
    # st.Page registers the page under calc_hash(url_path); before a first run AppTest.switch_page only
    # knows file names, which differ for some pages (stations_map.py is /stations).
    at._page_hash = app_test_mod.calc_hash(item.spec.id)
    for k, v in item.query.items():
        at.query_params[k] = v
    return at


def landed(at, item: Item) -> bool:
    from streamlit.testing.v1 import app_test as app_test_mod
    return getattr(at, "_finished_page_script_hash", None) == app_test_mod.calc_hash(item.spec.id)


def new_app_fallback(item: Item, timeout: float):
    """Public-API route: run the router once, then switch (the URL query is dropped by the switch)."""
    start_in_navigation_mode()
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=timeout)
    at.run()
    at.switch_page(item.spec.file)
    at.query_params.clear()
    for k, v in item.query.items():
        at.query_params[k] = v
    return at


def exceptions(at) -> list[str]:
    return [str(getattr(e, "message", None) or getattr(e, "value", e))[:300] for e in at.exception]


def apply_filter_change(at, item: Item, town_codes: list[str]) -> dict:
    """Set a realistic filter change on the page's widgets; returns what was changed."""
    try:
        ms = at.multiselect(key="f_towns")
    except KeyError:
        ms = None
    if ms is not None and ms.options:
        prefer = [PAGE_TOWN[item.spec.id]] if item.spec.id in PAGE_TOWN else []
        fmt = ms.format_func
        for code in prefer + town_codes:
            try:
                label = fmt(code)
            except Exception:  # noqa: BLE001
                continue
            if label in ms.options and code not in ms.value:
                ms.set_value([code])
                return {"widget": "f_towns", "value": [code], "label": label}
    try:
        sb = at.selectbox(key="f_preset")
    except KeyError:
        sb = None
    if sb is not None:
        new = PRESET_CHANGE if sb.value != PRESET_CHANGE else "all"
        sb.set_value(new)
        return {"widget": "f_preset", "value": new}
    return {"widget": None, "value": "rerun"}


def sign_in_admin(at) -> bool:
    """Fill the admin page's password form (bench sets CIVIC_ADMIN_PASSWORD for its own process)."""
    pw = [w for w in at.text_input if getattr(w.proto, "type", None) == 1 or w.key == "admin_pw"]
    submit = [b for b in at.button if str(b.key or "").startswith("FormSubmitter:")]
    if not pw or not submit:
        return False
    pw[0].input(os.environ["CIVIC_ADMIN_PASSWORD"])
    submit[0].click()
    at.run()
    return not at.text_input or not [w for w in at.text_input if w.key == "admin_pw"]


@contextlib.contextmanager
def admin_password() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("CIVIC_ADMIN_PASSWORD", "CIVIC_ADMIN_PASSWORD_SHA256")}
    os.environ["CIVIC_ADMIN_PASSWORD"] = "bench-" + os.urandom(8).hex()
    os.environ.pop("CIVIC_ADMIN_PASSWORD_SHA256", None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _town_codes() -> list[str]:
    from civic.store import queries
    try:
        return [str(c) for c in queries.execute("towns").town_code]
    except Exception:  # noqa: BLE001
        return []


@dataclass
class _Samples:
    """The timed samples of one page: script times (s), AppTest wall times, the raw SQL of the runs, deck bytes."""
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    rerun: list[float] = field(default_factory=list)
    wall_cold: list[float] = field(default_factory=list)
    wall_warm: list[float] = field(default_factory=list)
    raw_cold: list[float] = field(default_factory=list)
    raw_warm: list[float] = field(default_factory=list)
    raw_missed: list[float] = field(default_factory=list)
    q_warm_in_app: list[float] = field(default_factory=list)
    per_query: dict[str, list[float]] = field(default_factory=dict)
    warm_cache: dict[str, str] = field(default_factory=dict)
    decks_default: list[int] = field(default_factory=list)
    decks_changed: list[int] = field(default_factory=list)
    elements: int | None = None

    def add_cold(self, t_cold: float, w_cold: float, decks: list[int], at: Any) -> None:
        self.cold.append(t_cold)
        self.wall_cold.append(w_cold)
        self.decks_default += decks
        if self.elements is None:
            self.elements = element_bytes(at)

    def add_warm(self, t_warm: float, w_warm: float, t_rerun: float, decks: list[int], calls_cold: list[Call],
                 calls_warm: list[Call], execute: Callable) -> None:
        self.warm.append(t_warm)
        self.wall_warm.append(w_warm)
        self.rerun.append(t_rerun)
        self.decks_changed += decks
        self.q_warm_in_app.append(sum(c.seconds for c in calls_warm if c.cached != "hit"))
        for c in calls_warm:
            self.warm_cache[c.name] = ("miss" if c.cached != "hit" or self.warm_cache.get(c.name) == "miss"
                                       else "hit")
        if not self.raw_cold:      # once: the cold run's queries are the warm run's plus the unchanged ones
            self.raw_cold.append(sum(time_raw(calls_cold, execute).values()))
        # every sample: the queries the rerun executed (misses); the first sample: all it called
        missed = {call_key(c) for c in calls_warm if c.cached != "hit"}
        first = not self.raw_warm
        per_call = time_raw([c for c in calls_warm if first or call_key(c) in missed], execute)
        if first:
            self.raw_warm.append(sum(per_call.values()))
        self.raw_missed.append(sum(v for k, v in per_call.items() if k in missed))
        per_name: dict[str, float] = {}
        for (name, _), v in per_call.items():
            per_name[name] = per_name.get(name, 0.0) + v
        for k, v in per_name.items():
            self.per_query.setdefault(k, []).append(v)

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "cold_ms": summary(self.cold), "warm_ms": summary(self.warm), "rerun_ms": summary(self.rerun),
            "apptest_cold_ms": summary(self.wall_cold), "apptest_warm_ms": summary(self.wall_warm),
            "raw_sql_cold_ms": summary(self.raw_cold), "raw_sql_warm_ms": summary(self.raw_warm),
            "raw_sql_warm_missed_ms": summary(self.raw_missed),
            "warm_query_in_app_ms": summary(self.q_warm_in_app),
            "queries": sorted(({"name": k, "raw_ms": summary(v), "warm": self.warm_cache.get(k, "hit")}
                               for k, v in self.per_query.items()),
                              key=lambda q: -(q["raw_ms"] or {"median": 0})["median"]),
            "deck_bytes": max(self.decks_default) if self.decks_default else None,
            "deck_bytes_filtered": max(self.decks_changed) if self.decks_changed else None,
            "element_bytes": self.elements,
        }
        w, r, rm = out["warm_ms"], out["raw_sql_warm_ms"], out["raw_sql_warm_missed_ms"]
        out["overhead_ratio"] = round(w["median"] / r["median"], 2) if w and r and r["median"] > 0 else None
        out["overhead_ratio_missed"] = (round(w["median"] / rm["median"], 2) if w and rm and rm["median"] > 0
                                        else None)
        return out


def measure_item(item: Item, runs: int, timeout: float, warmup: bool = True,
                 profile_dir: Path | None = None) -> dict:
    """Cold run, warm rerun after a filter change, and a plain rerun, `runs` times, each in a new session."""
    towns = _town_codes()
    out: dict[str, Any] = {"page": item.spec.id, "label": item.label, "scene": item.scene,
                           "analyst": item.analyst, "errors": [], "notes": []}
    samples = _Samples()
    change: dict = {}
    route = "url"
    n = runs + (1 if warmup else 0) + (1 if profile_dir is not None else 0)
    with Recorder() as rec:
        for i in range(n):
            profiling = profile_dir is not None and i == n - 1      # an extra sample, not counted
            timed = i >= (1 if warmup else 0) and not profiling
            at, route = _open_session(item, timeout, route, out["notes"])
            at, route, w_cold = _cold_run(at, item, timeout, route, rec, out["notes"])
            t_cold = rec.script_time(w_cold)
            calls_cold, dk = rec.take()
            if _raised(at, "cold", out["errors"]):
                break
            if timed:
                samples.add_cold(t_cold, w_cold, dk, at)
            change = apply_filter_change(at, item, towns)
            t0 = time.perf_counter()
            if profiling and profile_dir is not None:
                _profiled_run(at, profile_dir / f"{item.label.replace(':', '-')}.txt")
            else:
                at.run()
            w_warm = time.perf_counter() - t0
            t_warm = rec.script_time(w_warm)
            calls_warm, dk = rec.take()
            if _raised(at, "warm", out["errors"]):
                break
            t0 = time.perf_counter()
            at.run()
            t_rerun = rec.script_time(time.perf_counter() - t0)
            rec.take()
            if timed:
                samples.add_warm(t_warm, w_warm, t_rerun, dk, calls_cold, calls_warm, rec.original_execute)
    out.update({"filter_change": change, "route": route, **samples.figures()})
    return out


def _open_session(item: Item, timeout: float, route: str, notes: list[str]) -> tuple[Any, str]:
    """A new session on the item's page (the admin page signed in); the route may fall back to switch_page."""
    at = new_app(item, timeout) if route == "url" else new_app_fallback(item, timeout)
    if item.spec.admin:
        at.run()
        if not landed(at, item) and route == "url":
            route = "switch"
            at = new_app_fallback(item, timeout)
            at.run()
        if not sign_in_admin(at):
            notes.append("admin: could not sign in; measured the sign-in form")
    return at, route


def _cold_run(at: Any, item: Item, timeout: float, route: str, rec: Recorder,
              notes: list[str]) -> tuple[Any, str, float]:
    """The first run on empty caches: (the session, its route, AppTest wall seconds)."""
    w_cold = _timed_cold_run(at, rec)
    if not item.spec.admin and route == "url" and not landed(at, item):
        route = "switch"       # measure this sample again through the public API
        notes.append("landed via router + switch_page (URL hash did not match)")
        at = new_app_fallback(item, timeout)
        w_cold = _timed_cold_run(at, rec)
    return at, route, w_cold


def _timed_cold_run(at: Any, rec: Recorder) -> float:
    rec.take()
    reset_caches()
    t0 = time.perf_counter()
    at.run()
    return time.perf_counter() - t0


def _raised(at: Any, phase: str, errors: list[str]) -> bool:
    """Record the page's exceptions of this run (cold/warm); True if there were any."""
    errs = exceptions(at)
    errors += [f"{phase}: {e}" for e in errs]
    return bool(errs)


def _profiled_run(at, dest: Path) -> None:
    """One AppTest run with pyinstrument inside the script thread (app.py calls civic.app.shell.run)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        at.run()
        return
    from civic.app import shell
    original = shell.run
    holder: dict = {}

    def run_profiled():
        p = Profiler(interval=0.0005)
        p.start()
        try:
            original()
        finally:
            p.stop()
            holder["text"] = p.output_text(unicode=True, color=False, show_all=False)

    shell.run = run_profiled
    try:
        at.run()
    finally:
        shell.run = original
    if "text" in holder:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(holder["text"], encoding="utf-8")
