"""Many sessions on one server process (issue 21): N websocket sessions on the volunteer page, each changing
the filters back to back (the next change as soon as the last one is rendered), `changes` times.

For every N in `sessions` (on one warm server): p50/p95 click → rendered (the change's rerun sent →
its script_finished received), errors (a run that did not finish cleanly, raised, timed out, or drew the
same page as the run before), filter changes per second (finished changes / the time from the first
click to the last render) and the server's CPU over that time (cores used). The filter states cycle
through towns × date presets, each session starting at another offset, so sessions mostly ask for states
no one asked for yet, as different users would.
"""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Callable

from devtools.bench.live import LOG_DIR, SERVER_ENV, CpuClock, ms, page_towns, read_towns, town_query
from devtools.wsclient import Session, free_port, run_coro, start_server, stop_server

LOAD_PAGE = "volunteer"
LOAD_PRESETS = ("this_year", "last_12m", "all", "this_quarter")


def load_states(towns: list[str], presets: tuple[str, ...] = LOAD_PRESETS) -> list[str]:
    """Query strings of the filter states the sessions walk through: every town (and all towns) under each
    preset; neighbours always differ in their town. The bare URL, where every session lands, is left out:
    going there from the landing would change nothing."""
    return [q for p in presets for t in [*towns, None] if (q := town_query(t, p))]


class _Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.unchanged: list[str] = []     # changes that drew the same page as the run before


async def _clicker(port: int, page: str, states: list[str], start: int, changes: int, tally: _Tally,
                   go: asyncio.Event, ready: list[int], timeout: float) -> None:
    """One session: land on the page, wait for every session to be ready, then `changes` filter changes."""
    try:
        async with Session(port, timeout) as s:
            first = await s.run("", page=page)
            if not first.ok:
                tally.errors.append(f"first view: {first.status} {first.exceptions[:1]}")
            ready.append(1)
            await go.wait()
            last = first.digest
            for k in range(changes):
                state = states[(start + k) % len(states)]
                r = await s.run(state)
                if not r.ok:
                    tally.errors.append(f"{r.status} {r.exceptions[:1]}")
                    continue
                if r.page_hash != first.page_hash:
                    tally.errors.append("a filter change drew another page")
                    continue
                tally.latencies.append(r.wall_s)
                if r.digest == last:
                    tally.unchanged.append(state)
                last = r.digest
    except Exception as exc:  # noqa: BLE001 - a refused or dropped connection is an error of the run
        tally.errors.append(f"{type(exc).__name__}: {exc}"[:200])
        ready.append(1)


async def _load(port: int, clock: CpuClock, page: str, states: list[str], n: int, changes: int,
                timeout: float) -> dict:
    tally, go, ready = _Tally(), asyncio.Event(), []
    tasks = [asyncio.create_task(_clicker(port, page, states, i * changes, changes, tally, go, ready, timeout))
             for i in range(n)]
    while len(ready) < n:
        await asyncio.sleep(0.05)
    c0, t0 = clock(), time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    elapsed, cpu = time.perf_counter() - t0, clock() - c0
    done = len(tally.latencies)
    return {"sessions": n, "changes_per_session": changes, "changes": done, "latency_ms": ms(tally.latencies),
            "errors": len(tally.errors), "unchanged": len(tally.unchanged),
            "unchanged_states": sorted(set(tally.unchanged))[:5],
            "error_samples": sorted(set(tally.errors))[:5], "elapsed_s": round(elapsed, 2),
            "changes_per_s": round(done / elapsed, 2) if elapsed > 0 else None,
            "server_cpu_s": round(cpu, 2), "cores_used": round(cpu / elapsed, 2) if elapsed > 0 else None,
            "cpu_per_change_ms": round(cpu / done * 1000, 1) if done else None}


def measure_load(data_dir: Path, sessions: tuple[int, ...], changes: int, timeout: float = 300,
                 page: str = LOAD_PAGE, say: Callable[[str], None] = print) -> dict:
    """The load at every N in `sessions`, one warm server (warmed by one session's visit and change)."""
    states = load_states(page_towns(page, read_towns(data_dir)))
    port = free_port()
    proc = start_server(data_dir, port, LOG_DIR / f"bench-live-{port}.log", env=SERVER_ENV)
    out: dict[str, Any] = {"status": "ok", "page": page, "states": len(states), "runs": []}
    try:
        clock = CpuClock(proc.pid)
        run_coro(_load(port, clock, page, states[-2:], 1, 1, timeout))       # imports, first queries
        for n in sessions:
            r = run_coro(_load(port, clock, page, states, n, changes, timeout))
            out["runs"].append(r)
            lat = r["latency_ms"] or {}
            say(f"  live load {n:>2} sessions × {changes}: p50 {lat.get('median', '–')} ms, p95 "
                f"{lat.get('p95', '–')} ms, {r['changes_per_s']} changes/s, {r['cores_used']} cores, "
                f"{r['errors']} errors")
    finally:
        stop_server(proc)
    return out
