"""The live rows of the benchmark (issue 21, "Honest bench"): a real `streamlit run app.py` server, driven over
its websocket by devtools/wsclient.py the way a browser drives it, with the server process's CPU time read
around each run (psutil: user + system of every thread, in the kernel's 10 ms ticks).

Per analyst page, on one warm server (`measure_pages`):
- **filter change**: a session lands on the bare page URL, then changes the filters; each sample is a new
  session and picks a different town (`page_towns`), so no sample finds its state already cached by an earlier
  one. Server CPU, click → rendered (rerun sent → script_finished received) and the bytes of the run's
  ForwardMsgs (with the browser's message cache: elements the tab holds are sent as references);
- **second viewer**: another session opens the same URL (same filters), then reruns it `RERUNS` times with
  no change: its view and a rerun with no change, server CPU and wall.
A change is checked to have changed the page (the elements drawn differ from the run before); a run that
did not is an error, not a figure.
Per page on fresh servers (`measure_cold`): the first request after a restart, connect → script_finished.
The concurrent rows (throughput, latency under N sessions) are in devtools/bench/live_load.py.

How a filter change is sent: per page, as the browser sends a click in the town filter (the `f_towns`
multiselect's new value in the rerun's widget states, `Session.pick`); the check that it applied is the
URL the app writes back (`town=…`). The sessions of live_load.py change the URL's query string instead
(`town=…&range=…`): civic/app/shell.py takes a query that differs from the session's last one as the new
shared state (a forwarded link, the address bar, back/forward) and reruns the whole page just the same,
and it reaches towns × date presets without drawing each widget's options first.
"""
from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

from civic import paths
from devtools.bench.settings import PAGE_TOWN
from devtools.wsclient import RunResult, Session, free_port, run_coro, start_server, stop_server

RERUNS = 3          # reruns with no change per second viewer (their CPU is summed: 10 ms ticks)
SERVER_ENV = {"MALLOC_ARENA_MAX": "2"}     # what `make run` / `make screen` give the server
LOG_DIR = paths.ROOT / "artifacts"


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks; None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def ms(values_s: list[float]) -> dict | None:
    """Seconds → {median, p95, min, max, n} in milliseconds."""
    if not values_s:
        return None
    return {"median": round(statistics.median(values_s) * 1000, 1),
            "p95": round((percentile(values_s, 95) or 0) * 1000, 1),
            "min": round(min(values_s) * 1000, 1), "max": round(max(values_s) * 1000, 1), "n": len(values_s)}


def town_query(name: str | None, preset: str | None = None) -> str:
    """The URL query of a filter state, as civic/scope.py to_query writes it (defaults left out)."""
    q: dict[str, str] = {}
    if name:
        q["town"] = name
    if preset and preset != "this_year":
        q["range"] = preset
    return urlencode(q)


def page_towns(page: str, towns: list[dict]) -> list[str]:
    """Town names for a page's filter changes: its PAGE_TOWN first, then the other towns of that county
    that have data. `towns` are rows of the `towns` query (town_code, name, county_code, has_*)."""
    first = PAGE_TOWN.get(page)
    if first is None:
        return []
    county = next((t["county_code"] for t in towns if t["town_code"] == first), None)
    rows = [t for t in towns if t["county_code"] == county and (t.get("has_sites") or t.get("has_compounds"))]
    rows.sort(key=lambda t: (t["town_code"] != first, t["town_code"]))
    return [t["name"] for t in rows]


def read_towns(data_dir: Path) -> list[dict]:
    """The towns of the database (read in this process, then closed so the file is not held)."""
    from civic.store import db, queries
    from devtools.bench.data import use_data_dir
    with use_data_dir(data_dir):
        try:
            return queries.execute("towns").to_dict("records")
        finally:
            db.close_all()


class CpuClock:
    """The server process's CPU seconds (user + system, all threads, including ended ones)."""

    def __init__(self, pid: int) -> None:
        import psutil
        self.proc = psutil.Process(pid)

    def __call__(self) -> float:
        c = self.proc.cpu_times()
        return c.user + c.system

    async def settled(self, step_s: float = 0.03, limit_s: float = 0.5) -> float:
        """The CPU seconds once the server has stopped using CPU (two equal readings `step_s` apart, at most
        `limit_s`): the script thread's teardown after script_finished belongs to the run."""
        last, waited = self(), 0.0
        while waited < limit_s:
            await asyncio.sleep(step_s)
            waited += step_s
            now = self()
            if now == last:
                return now
            last = now
        return last


async def timed(clock: CpuClock, run: Awaitable[RunResult]) -> tuple[RunResult, float]:
    """A run and the server CPU seconds it took (read once the server is idle, before and after)."""
    c0 = await clock.settled()
    r = await run
    return r, await clock.settled() - c0


def _problem(phase: str, r: RunResult) -> str | None:
    if r.status != "ok":
        return f"{phase}: {r.status}"
    if r.exceptions:
        return f"{phase}: exception {r.exceptions[0][:200]}"
    return None


async def _page_sample(port: int, clock: CpuClock, page: str, town: str, timeout: float) -> dict:
    """One sample: a session lands on the page and changes the filters; a second session views the same
    URL and reruns it with no change."""
    out: dict[str, Any] = {"town": town, "errors": []}
    async with Session(port, timeout) as a:
        base = await a.run("", page=page)
        try:
            change, cpu = await timed(clock, a.pick("f_towns", [town]))
        except KeyError as exc:             # the page drew no town filter, or not this town
            out["errors"].append(f"filter change: {exc}")
            return out
        out.update(change_s=change.wall_s, change_cpu_s=cpu, change_bytes=change.bytes,
                   change_elements=change.elements, change_references=change.references)
        for phase, r in (("first view", base), ("filter change", change)):
            if (p := _problem(phase, r)) is not None:
                out["errors"].append(p)
        if change.page_hash != base.page_hash:
            out["errors"].append("the filter change drew another page")
        if town_query(town) not in a.query:       # the app writes the filters it applied into the URL
            out["errors"].append(f"the click on {town} left the URL at {a.query!r}")
        if base.ok and change.ok and change.digest == base.digest:
            out["errors"].append(f"filter change to {town} drew the same page (a no-op is not measured)")
        url = a.query
    async with Session(port, timeout) as b:
        view, cpu = await timed(clock, b.run(url, page=page))
        out.update(viewer_s=view.wall_s, viewer_cpu_s=cpu, viewer_bytes=view.bytes)
        walls, c0 = [], await clock.settled()
        for _ in range(RERUNS):
            r = await b.run(None)
            walls.append(r.wall_s)
            if (p := _problem("rerun", r)) is not None:
                out["errors"].append(p)
        out.update(rerun_s=statistics.median(walls), rerun_cpu_s=(await clock.settled() - c0) / RERUNS)
        if (p := _problem("second viewer", view)) is not None:
            out["errors"].append(p)
    return out


def _page_figures(page: str, samples: list[dict]) -> dict:
    ok = [s for s in samples if not s["errors"] and "rerun_s" in s]
    out: dict[str, Any] = {"page": page, "samples": len(samples), "towns": [s["town"] for s in samples],
                           "errors": sorted({e for s in samples for e in s["errors"]})[:5]}
    for key in ("change", "change_cpu", "viewer", "viewer_cpu", "rerun", "rerun_cpu"):
        out[f"{key}_ms"] = ms([s[f"{key}_s"] for s in ok])
    for key in ("change_bytes", "viewer_bytes"):
        out[key] = int(statistics.median(s[key] for s in ok)) if ok else None
    out["change_bytes_max"] = max((s["change_bytes"] for s in ok), default=None)
    out["change_references"] = max((s["change_references"] for s in ok), default=None)
    return out


def measure_pages(data_dir: Path, pages: list[str], runs: int, timeout: float = 180,
                  say: Callable[[str], None] = print) -> dict:
    """Every page's filter change and second viewer on one server (see the module's docstring)."""
    towns = read_towns(data_dir)
    port = free_port()
    proc = start_server(data_dir, port, LOG_DIR / f"bench-live-{port}.log", env=SERVER_ENV)
    out: dict[str, Any] = {"status": "ok", "runs": runs, "pages": {}}
    try:
        clock = CpuClock(proc.pid)
        for page in pages:
            names = page_towns(page, towns)
            if not names:
                out["pages"][page] = {"page": page, "errors": ["no town to change to"]}
                continue
            samples = [run_coro(_page_sample(port, clock, page, names[i % len(names)], timeout))
                       for i in range(runs)]
            fig = out["pages"][page] = _page_figures(page, samples)
            say(f"  live {page:<13} change cpu {_fmt(fig['change_cpu_ms'])} ms, wall {_fmt(fig['change_ms'])} ms, "
                f"{fig['change_bytes'] or 0:,} B; second viewer cpu {_fmt(fig['viewer_cpu_ms'])} ms, rerun cpu "
                f"{_fmt(fig['rerun_cpu_ms'])} ms" + (f"  ERRORS {fig['errors']}" if fig["errors"] else ""))
    finally:
        stop_server(proc)
    return out


def _fmt(s: dict | None) -> str:
    return "–" if not s else f"{s['median']:,.0f}"


async def _first_request(port: int, clock: CpuClock, page: str, timeout: float) -> tuple[RunResult, float, float]:
    """(the first run, the server's CPU from the connection on, connect → script_finished seconds)."""
    c0, t0 = clock(), time.perf_counter()
    async with Session(port, timeout) as s:
        r = await s.run("", page=page)
        wall = time.perf_counter() - t0
        cpu = await clock.settled() - c0
    return r, cpu, wall


def measure_cold(data_dir: Path, pages: list[str], runs: int, timeout: float = 180,
                 say: Callable[[str], None] = print) -> dict:
    """The first request after a server restart, every page: `runs` fresh servers per page; the time from
    connecting the websocket (the server answering /_stcore/health) to the first run's script_finished."""
    out: dict[str, Any] = {"status": "ok", "runs": runs, "pages": {}}
    for page in pages:
        walls, cpus, starts, errors = [], [], [], []
        for _ in range(runs):
            port = free_port()
            t0 = time.perf_counter()
            proc = start_server(data_dir, port, LOG_DIR / f"bench-live-{port}.log", env=SERVER_ENV)
            starts.append(time.perf_counter() - t0)
            try:
                r, cpu, wall = run_coro(_first_request(port, CpuClock(proc.pid), page, timeout))
            finally:
                stop_server(proc)
            if (p := _problem("first request", r)) is not None:
                errors.append(p)
                continue
            walls.append(wall)
            cpus.append(cpu)
        out["pages"][page] = {"page": page, "first_ms": ms(walls), "first_cpu_ms": ms(cpus),
                              "server_start_ms": ms(starts), "errors": sorted(set(errors))}
        say(f"  live {page:<13} first request after a restart {_fmt(out['pages'][page]['first_ms'])} ms "
            f"(server up in {_fmt(out['pages'][page]['server_start_ms'])} ms)" + (f"  ERRORS {errors}" if errors else ""))
    return out
