"""The pandas baseline run: each approach (the page's SQL, pandas) timed and memory-measured in its own process
(`python -m devtools.bench child MODE DATA_DIR RUNS`)."""
from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

from civic import paths
from devtools.bench.pandas_trends import COMPARE_KEYS, PandasTrends, filter_states, frames_agree
from devtools.bench.settings import TREND_QUERIES
from devtools.bench.stats import summary


def _rss_mb() -> float:
    try:
        import psutil
        return psutil.Process().memory_info().rss / 1e6
    except ImportError:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec, so a child forked from
    the (large) bench process would report the parent's size."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def child_main(argv: list[str]) -> int:
    """`python -m devtools.bench child MODE DATA_DIR RUNS`: one approach, in its own process."""
    mode, data_dir, runs = argv[0], Path(argv[1]), int(argv[2])
    os.environ["CIVIC_DATA_DIR"] = str(data_dir)
    import duckdb  # noqa: F401 - both approaches pay the same imports
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    from civic.store import db, queries, snapshots
    rss0 = _rss_mb()
    snap = snapshots.current()
    con = db.connect_read(snap.path)
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    states = filter_states(date.fromisoformat(meta["as_of"]), date.fromisoformat(meta["data_start"]))
    available = [q for q in TREND_QUERIES if (paths.QUERIES_DIR / f"{q}.sql").exists()]
    result: dict[str, Any] = {"mode": mode, "rss_after_imports_mb": round(rss0, 1), "queries": available}
    trends = None
    if mode == "pandas":
        t0 = time.perf_counter()
        trends = PandasTrends(con)
        result["load_s"] = round(time.perf_counter() - t0, 3)
        result["rows"] = len(trends.df)
        con.close()     # the baseline keeps nothing but its frames
        times, per_state, cpu = _time_reruns(lambda q, p: getattr(trends, q)(p), states, available, runs)
    else:
        con.close()
        times, per_state, cpu = _time_reruns(lambda q, p: queries.execute(q, **p), states, available, runs)
    result["peak_rss_mb"] = round(_peak_mb(), 1)
    result["net_peak_mb"] = round(result["peak_rss_mb"] - rss0, 1)
    result["rerun_ms"] = summary(times)
    result["rerun_cpu_ms"] = summary(cpu)
    result["per_state_ms"] = [summary(x) for x in per_state]
    result["states"] = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in s.items()
                         if k in ("towns", "preset", "date_from", "date_to")} for s in states]
    if trends is not None:
        # correctness, after the memory high-water mark was taken: pandas must give the page's numbers
        result["agrees"] = _pandas_agrees(trends, states, available)
    db.close_all()
    print("BENCH_JSON " + json.dumps(result, default=str), flush=True)
    return 0


def _time_reruns(compute: Callable[[str, dict], Any], states: list[dict], available: list[str],
                 runs: int) -> tuple[list[float], list[list[float]], list[float]]:
    """Seconds per rerun (every available query for one filter state), `runs` times over all states:
    (every sample, the samples of each state, the CPU seconds of every sample). CPU time is the whole
    process's (time.process_time: every thread, so DuckDB's too): wall time flatters whichever side uses
    more cores, and on a loaded machine it measures the neighbours as well."""
    times: list[float] = []
    cpu: list[float] = []
    per_state: list[list[float]] = [[] for _ in states]
    for _ in range(runs):
        for i, p in enumerate(states):
            t0, c0 = time.perf_counter(), time.process_time()
            for q in available:
                compute(q, p)
            el = time.perf_counter() - t0
            cpu.append(time.process_time() - c0)
            times.append(el)
            per_state[i].append(el)
    return times, per_state, cpu


def _pandas_agrees(trends: PandasTrends, states: list[dict], available: list[str]) -> dict[str, Any]:
    """Per query: True, or why pandas' frame differs from the page's SQL (two filter states checked)."""
    from civic.store import queries
    agree: dict[str, Any] = {}
    for q in available:
        for p in (states[0], states[2]):
            try:
                ok, why = frames_agree(queries.execute(q, **p), getattr(trends, q)(p), COMPARE_KEYS[q])
            except Exception as exc:  # noqa: BLE001
                ok, why = False, f"{type(exc).__name__}: {exc}"
            if not ok:
                agree[q] = why
                break
        else:
            agree[q] = True
    return agree


def run_child(mode: str, data_dir: Path, runs: int, timeout: float = 900) -> dict:
    proc = subprocess.run([sys.executable, "-m", "devtools.bench", "child", mode, str(data_dir), str(runs)],
                          cwd=paths.ROOT, text=True, capture_output=True, timeout=timeout)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError(f"baseline child {mode} failed (rc {proc.returncode}):\n{proc.stderr[-3000:]}")


def measure_baseline(data_dir: Path, runs: int) -> dict:
    available = [q for q in TREND_QUERIES if (paths.QUERIES_DIR / f"{q}.sql").exists()]
    if not available:
        return {"status": "not available (no volunteer_* trend queries)"}
    ours = run_child("duckdb", data_dir, runs)
    base = run_child("pandas", data_dir, runs)
    out = {"status": "ok", "queries": available, "ours": ours, "pandas": base}
    if ours.get("rerun_ms") and base.get("rerun_ms"):
        out["speed_ratio"] = round(base["rerun_ms"]["median"] / ours["rerun_ms"]["median"], 2)
    if (ours.get("rerun_cpu_ms") or {}).get("median") and base.get("rerun_cpu_ms"):
        out["cpu_ratio"] = round(base["rerun_cpu_ms"]["median"] / ours["rerun_cpu_ms"]["median"], 2)
    if ours.get("peak_rss_mb") and base.get("peak_rss_mb"):
        out["memory_ratio"] = round(ours["peak_rss_mb"] / base["peak_rss_mb"], 3)
        if base.get("net_peak_mb", 0) > 0:
            out["net_memory_ratio"] = round(max(ours["net_peak_mb"], 0) / base["net_peak_mb"], 3)
    return out
