"""Every page driven with AppTest: a cold first run, a warm rerun after a realistic filter change and a plain
rerun, with the raw SQL of each run timed alongside."""
from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any, Iterator

from civic import paths
from devtools.apptest import start_in_navigation_mode
from devtools.bench.record import Item, Recorder, call_key, element_bytes, reset_caches, time_raw
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


def measure_item(item: Item, runs: int, timeout: float, warmup: bool = True,
                 profile_dir: Path | None = None) -> dict:
    """Cold run, warm rerun after a filter change, and a plain rerun, `runs` times, each in a new session."""
    towns = _town_codes()
    out: dict[str, Any] = {"page": item.spec.id, "label": item.label, "scene": item.scene,
                           "analyst": item.analyst, "errors": [], "notes": []}
    cold, warm, rerun, raw_cold, raw_warm, raw_missed, q_warm_in_app = [], [], [], [], [], [], []
    wall_cold, wall_warm = [], []
    per_query: dict[str, list[float]] = {}
    warm_cache: dict[str, str] = {}
    decks_default: list[int] = []
    decks_changed: list[int] = []
    elements = None
    change: dict = {}
    route = "url"
    n = runs + (1 if warmup else 0) + (1 if profile_dir is not None else 0)
    with Recorder() as rec:
        for i in range(n):
            profiling = profile_dir is not None and i == n - 1      # an extra sample, not counted
            timed = i >= (1 if warmup else 0) and not profiling
            at = new_app(item, timeout) if route == "url" else new_app_fallback(item, timeout)
            if item.spec.admin:
                at.run()
                if not landed(at, item) and route == "url":
                    route = "switch"
                    at = new_app_fallback(item, timeout)
                    at.run()
                if not sign_in_admin(at):
                    out["notes"].append("admin: could not sign in; measured the sign-in form")
            rec.take()
            reset_caches()
            t0 = time.perf_counter()
            at.run()
            w_cold = time.perf_counter() - t0
            if not item.spec.admin and route == "url" and not landed(at, item):
                route = "switch"       # measure this sample again through the public API
                out["notes"].append("landed via router + switch_page (URL hash did not match)")
                at = new_app_fallback(item, timeout)
                rec.take()
                reset_caches()
                t0 = time.perf_counter()
                at.run()
                w_cold = time.perf_counter() - t0
            t_cold = rec.script_time(w_cold)
            calls_cold, dk = rec.take()
            errs = exceptions(at)
            if errs:
                out["errors"] += [f"cold: {e}" for e in errs]
                break
            if timed:
                cold.append(t_cold)
                wall_cold.append(w_cold)
                decks_default += dk
                if elements is None:
                    elements = element_bytes(at)
            change = apply_filter_change(at, item, towns)
            t0 = time.perf_counter()
            if profiling:
                _profiled_run(at, profile_dir / f"{item.label.replace(':', '-')}.txt")
            else:
                at.run()
            w_warm = time.perf_counter() - t0
            t_warm = rec.script_time(w_warm)
            calls_warm, dk = rec.take()
            errs = exceptions(at)
            if errs:
                out["errors"] += [f"warm: {e}" for e in errs]
                break
            t0 = time.perf_counter()
            at.run()
            t_rerun = rec.script_time(time.perf_counter() - t0)
            rec.take()
            if not timed:
                continue
            warm.append(t_warm)
            wall_warm.append(w_warm)
            rerun.append(t_rerun)
            decks_changed += dk
            q_warm_in_app.append(sum(c.seconds for c in calls_warm if c.cached != "hit"))
            for c in calls_warm:
                warm_cache[c.name] = "miss" if c.cached != "hit" or warm_cache.get(c.name) == "miss" else "hit"
            if not raw_cold:      # once: the cold run's queries are the warm run's plus the unchanged ones
                raw_cold.append(sum(time_raw(calls_cold, rec.original_execute).values()))
            # every sample: the queries the rerun executed (misses); the first sample: all it called
            missed = {call_key(c) for c in calls_warm if c.cached != "hit"}
            first = not raw_warm
            per_call = time_raw([c for c in calls_warm if first or call_key(c) in missed], rec.original_execute)
            if first:
                raw_warm.append(sum(per_call.values()))
            raw_missed.append(sum(v for k, v in per_call.items() if k in missed))
            per_name: dict[str, float] = {}
            for (name, _), v in per_call.items():
                per_name[name] = per_name.get(name, 0.0) + v
            for k, v in per_name.items():
                per_query.setdefault(k, []).append(v)
    out.update({
        "filter_change": change, "route": route,
        "cold_ms": summary(cold), "warm_ms": summary(warm), "rerun_ms": summary(rerun),
        "apptest_cold_ms": summary(wall_cold), "apptest_warm_ms": summary(wall_warm),
        "raw_sql_cold_ms": summary(raw_cold), "raw_sql_warm_ms": summary(raw_warm),
        "raw_sql_warm_missed_ms": summary(raw_missed),
        "warm_query_in_app_ms": summary(q_warm_in_app),
        "queries": sorted(({"name": k, "raw_ms": summary(v), "warm": warm_cache.get(k, "hit")}
                           for k, v in per_query.items()), key=lambda q: -(q["raw_ms"] or {"median": 0})["median"]),
        "deck_bytes": max(decks_default) if decks_default else None,
        "deck_bytes_filtered": max(decks_changed) if decks_changed else None,
        "element_bytes": elements,
    })
    w, r, rm = out["warm_ms"], out["raw_sql_warm_ms"], out["raw_sql_warm_missed_ms"]
    out["overhead_ratio"] = round(w["median"] / r["median"], 2) if w and r and r["median"] > 0 else None
    out["overhead_ratio_missed"] = round(w["median"] / rm["median"], 2) if w and rm and rm["median"] > 0 else None
    return out


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
