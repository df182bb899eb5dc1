"""The live rows in a run (issue 21): what `run_bench` measures on a real server, their Targets rows and
their section of BENCHMARKS.md. The measuring itself is in live.py (pages) and live_load.py (sessions)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from devtools.bench.settings import (
    LIVE_CHANGES,
    LIVE_CHANGES_SMOKE,
    LIVE_COLD_RUNS,
    LIVE_SESSIONS,
    LIVE_SESSIONS_SMOKE,
    PAGE_TOWN,
    TARGET_LIVE_BYTES,
    TARGET_LIVE_CHANGE_CPU_MS,
    TARGET_LIVE_CHANGES_PER_S,
    TARGET_LIVE_FIRST_MS,
    TARGET_LIVE_NO_CHANGE_MS,
    TARGET_LIVE_P95_MS,
)
from devtools.bench.stats import fmt_bytes


def live_pages(only: list[str] | None = None) -> list[str]:
    """The analyst pages with a filter change (PAGE_TOWN) that exist, in menu order (or `only` of them)."""
    from civic.app import nav
    ids = [p.id for p in nav.available() if p.id in PAGE_TOWN and not p.kiosk and not p.admin]
    return [i for i in ids if not only or i in only]


def measure_live(data_dir: Path, scale: int, runs: int, *, smoke: bool, pages: list[str] | None = None,
                 say: Callable[[str], None] = print) -> dict:
    """Every live row at one scale; a failure of one part is recorded as its status, not raised."""
    from devtools.bench import live, live_load
    ids = live_pages(pages)
    out: dict[str, Any] = {"scale": scale, "pages_measured": ids}
    parts: dict[str, Callable[[], dict]] = {
        "pages": lambda: live.measure_pages(data_dir, ids, runs, say=say),
        "cold": lambda: live.measure_cold(data_dir, ids, min(runs, LIVE_COLD_RUNS), say=say),
        "load": lambda: live_load.measure_load(data_dir, LIVE_SESSIONS_SMOKE if smoke else LIVE_SESSIONS,
                                               LIVE_CHANGES_SMOKE if smoke else LIVE_CHANGES, say=say),
    }
    for name, part in parts.items():
        try:
            out[name] = part()
        except Exception as exc:  # noqa: BLE001 - one broken part must not stop the bench
            out[name] = {"status": f"failed: {type(exc).__name__}: {exc}"[:500]}
            say(f"  live {name}: {out[name]['status']}")
    return out


def _row(tid: str, measure: str, target: str, value: Any, met: bool | None, note: str = "") -> dict:
    return {"id": tid, "measure": measure, "target": target, "value": value, "met": met, "note": note}


def _median(fig: dict | None) -> float | None:
    return None if not fig else fig["median"]


def _every_page(tid: str, measure: str, target: str, pages: dict, value: Callable[[dict], float | None],
                limit: float, show: Callable[[float], str]) -> dict:
    """One row over every page: the worst page's figure, met when every page met it (a page with errors or
    no figure misses)."""
    vals = {p: (value(f) if not f.get("errors") else None) for p, f in pages.items()}
    if not vals:
        return _row(tid, measure, target, "not measured", None)
    missed = [p for p, v in vals.items() if v is None or v > limit]
    worst = max((v, p) for p, v in vals.items() if v is not None) if any(v is not None for v in vals.values()) \
        else None
    shown = f"worst {worst[1]} {show(worst[0])}" if worst else "–"
    errors = [f"{p}: {'; '.join(f['errors'])[:120]}" for p, f in pages.items() if f.get("errors")]
    note = "; ".join(([f"missed: {', '.join(missed)}"] if missed else []) + errors)
    return _row(tid, measure, target, shown, not missed, note)


def live_targets(live: dict) -> list[dict]:
    """The live rows of the Targets table (empty when the live rows did not run)."""
    if not live:
        return []
    s = live.get("scale")
    pages = (live.get("pages") or {}).get("pages") or {}
    cold = (live.get("cold") or {}).get("pages") or {}
    ms_ = "{:,.0f} ms".format
    rows = [
        _every_page("live_change_cpu", f"server CPU per filter change, every analyst page (×{s}, live server)",
                    f"≤ {TARGET_LIVE_CHANGE_CPU_MS:.0f} ms", pages, lambda f: _median(f.get("change_cpu_ms")),
                    TARGET_LIVE_CHANGE_CPU_MS, ms_),
        _every_page("live_viewer", f"second viewer: same filters in another session, its view, CPU and wall (×{s})",
                    f"≤ {TARGET_LIVE_NO_CHANGE_MS:.0f} ms", pages, lambda f: _worst(f, "viewer"),
                    TARGET_LIVE_NO_CHANGE_MS, ms_),
        _every_page("live_rerun", f"rerun with no change (another session, same filters), CPU and wall (×{s})",
                    f"≤ {TARGET_LIVE_NO_CHANGE_MS:.0f} ms", pages, lambda f: _worst(f, "rerun"),
                    TARGET_LIVE_NO_CHANGE_MS, ms_),
        _every_page("live_bytes", f"bytes sent per filter change, every analyst page (×{s})",
                    f"≤ {fmt_bytes(TARGET_LIVE_BYTES)}", pages, lambda f: f.get("change_bytes"),
                    TARGET_LIVE_BYTES, lambda v: fmt_bytes(int(v))),
        _every_page("live_first", f"first request after a server restart, every analyst page (×{s})",
                    f"≤ {TARGET_LIVE_FIRST_MS / 1000:.1f} s", cold, lambda f: _median(f.get("first_ms")),
                    TARGET_LIVE_FIRST_MS, ms_),
    ]
    return rows + _load_rows(live.get("load") or {}, s)


def _worst(f: dict, key: str) -> float | None:
    """The larger of a run's server CPU and its wall time (both must meet the target)."""
    a, b = _median(f.get(f"{key}_cpu_ms")), _median(f.get(f"{key}_ms"))
    return None if a is None or b is None else max(a, b)


def _load_rows(load: dict, s: Any) -> list[dict]:
    runs = load.get("runs") or []
    if load.get("status") != "ok" or not runs:
        return [_row("live_load", f"sessions on one server process (×{s})", "–", load.get("status", "not run"),
                     None)]
    best = max(runs, key=lambda r: r.get("changes_per_s") or 0)
    top = max(runs, key=lambda r: r["sessions"])
    lat = top.get("latency_ms") or {}
    p95 = lat.get("p95")
    return [
        _row("live_throughput", f"filter changes per second, one server process, {load.get('page')} page (×{s})",
             f"≥ {TARGET_LIVE_CHANGES_PER_S:.0f}", f"{best.get('changes_per_s')}/s at {best['sessions']} sessions "
             f"({best.get('cores_used')} cores used)", (best.get("changes_per_s") or 0) >= TARGET_LIVE_CHANGES_PER_S),
        _row("live_p95", f"p95 click → rendered, {top['sessions']} websocket sessions, one process (×{s})",
             f"≤ {TARGET_LIVE_P95_MS / 1000:.0f} s, no errors",
             f"{p95:,.0f} ms (p50 {lat.get('median', 0):,.0f} ms), {top['errors']} errors" if p95 is not None
             else f"no change finished, {top['errors']} errors",
             p95 is not None and p95 <= TARGET_LIVE_P95_MS and not top["errors"],
             "; ".join(top.get("error_samples") or [])[:200]),
    ]


def live_md(res: dict) -> list[str]:
    """The section of BENCHMARKS.md: every page's live figures, the first request, the sessions."""
    live = res.get("live") or {}
    L = ["### A real server over its websocket", ""]
    if not live:
        return L + ["not run.", ""]
    pages = live.get("pages") or {}
    L.append(f"`streamlit run app.py` at ×{live.get('scale')}, driven by devtools/wsclient.py as a browser drives "
             "it (docs/bench.md, \"Live server\"). CPU = the server process's user + system time around the run; "
             "wall = rerun sent → script_finished received; bytes with the browser's message cache. "
             f"Medians of {pages.get('runs', '–')} samples, a different town each.")
    L.append("")
    L.append("| page | filter change: CPU | wall | bytes | second viewer's view: CPU | wall | bytes | "
             "its rerun, no change: CPU | wall | first request after restart | |")
    L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    cold = (live.get("cold") or {}).get("pages") or {}
    for p, f in (pages.get("pages") or {}).items():
        c = cold.get(p) or {}
        towns = f.get("towns") or []
        repeat = ([f"{len(set(towns))} towns for {len(towns)} samples: a repeated town may find its state cached"]
                  if len(set(towns)) < len(towns) else [])
        L.append(f"| {p} | {_m(f.get('change_cpu_ms'))} | {_m(f.get('change_ms'))} | {fmt_bytes(f.get('change_bytes'))}"
                 f" | {_m(f.get('viewer_cpu_ms'))} | {_m(f.get('viewer_ms'))} | {fmt_bytes(f.get('viewer_bytes'))} | "
                 f"{_m(f.get('rerun_cpu_ms'))} | {_m(f.get('rerun_ms'))} | {_m(c.get('first_ms'))} | "
                 f"{'; '.join([*(f.get('errors') or []), *(c.get('errors') or []), *repeat])[:300]} |")
    for name in ("pages", "cold"):
        if (live.get(name) or {}).get("status", "ok") != "ok":
            L.append(f"\n{name}: {live[name]['status']}")
    return L + [""] + _load_md(live.get("load") or {})


def _load_md(load: dict) -> list[str]:
    if load.get("status") != "ok":
        return [f"Sessions: {load.get('status', 'not run')}.", ""]
    L = [f"Sessions changing filters back to back on the {load['page']} page, one server process "
         f"({load['runs'][0]['changes_per_session'] if load['runs'] else '–'} changes each):", "",
         "| sessions | p50 | p95 | max | errors | unchanged | changes/s | server CPU per change | cores used |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in load["runs"]:
        lat = r.get("latency_ms") or {}
        L.append(f"| {r['sessions']} | {lat.get('median', '–')} | {lat.get('p95', '–')} | {lat.get('max', '–')} | "
                 f"{r['errors']} | {r.get('unchanged', 0)} | {r['changes_per_s']} | {r['cpu_per_change_ms']} ms | "
                 f"{r['cores_used']} |")
    return L + [""]


def _m(fig: dict | None) -> str:
    return "–" if not fig else f"{fig['median']:,.0f}"
