"""What a visitor waits for around a server's start (issue 21): two rows of the Targets table.

- **First request after a server restart**: for every page, a server is started the way `make run` starts
  it (`python -m civic serve`, which warms up before it answers: civic/app/warm.py), and one session then
  asks for the page over Streamlit's own websocket protocol, as the browser's frontend does. Measured: the
  first message sent → the run's `script_finished`, i.e. the server's whole first script run including the
  imports, compilation, reader and map atlases a cold process pays. Nothing is requested before it.
- **Chromium navigation → page fully drawn**: every page at 1366×768 in Debian's Chromium through
  devtools/harness.py (its settle check: Streamlit idle, every chart, map and grid drawn, fonts loaded, DOM
  quiet). Each page is opened in a fresh tab of one browser profile, after one untimed visit of any page
  (the browser's cache holds Streamlit's JavaScript, as it does for a leader reopening the dashboard), on a
  server that has already served that page once (its caches warm: the first request is the row above).

`python -m devtools.bench.startup DATA_DIR [--runs N] [--cold-launcher]` prints one `BENCH_JSON {...}`
line; devtools/bench/run.py calls `measure_startup` in this process.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from devtools.wsclient import in_own_thread, run_coro

TARGET_FIRST_REQUEST_MS = 1000.0
TARGET_NAVIGATION_MS = 2000.0
VIEWPORT = (1366, 768)


def page_paths() -> list[str]:
    """Every page of the analysts' app, the kiosk screen included (its URL path; "/" is the overview)."""
    from civic.app import nav
    return [f"/{p.id}" for p in nav.available()]


async def _first_run_ms(port: int, path: str, timeout: float = 120) -> dict:
    """One websocket session asks for `path`; ms from the request to the successful end of its script run
    (a reroute, FINISHED_EARLY_FOR_RERUN, is part of the wait), and the exceptions it showed."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    page, _, query = path.lstrip("/").partition("?")
    errors: list[str] = []
    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=60) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        msg.rerun_script.context_info.timezone = "Asia/Shanghai"
        t0 = time.perf_counter()
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), timeout))
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                errors.append(fwd.delta.new_element.exception.message[:200])
            elif kind == "script_finished" and fwd.script_finished in (
                    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                ms = (time.perf_counter() - t0) * 1000
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    errors.append("compile error")
                return {"ms": round(ms, 1), "errors": errors}


def _cpu_s(server) -> float:
    """The server process's CPU time so far (user + system, its threads included): on a shared machine the
    first request's CPU is the steadier figure next to its wall time."""
    import psutil
    t = psutil.Process(server.proc.pid).cpu_times()
    return t.user + t.system


def first_requests(data_dir: Path, paths: list[str], runs: int = 1, warm: bool = True) -> dict:
    """For each path, `runs` times: a fresh server, then its first request. Median per path."""
    from devtools.harness import Server
    out: dict[str, Any] = {}
    for path in paths:
        samples, cpu, errors, start_s = [], [], [], []
        for _ in range(runs):
            server = Server(data_dir, warm=warm)
            t0 = time.perf_counter()
            server.start(timeout=120)
            start_s.append(round(time.perf_counter() - t0, 2))
            try:
                cpu0 = _cpu_s(server)
                r = run_coro(_first_run_ms(server.port, path))
                cpu.append(round((_cpu_s(server) - cpu0) * 1000, 1))
            finally:
                server.stop()
            samples.append(r["ms"])
            errors += r["errors"]
        out[path] = {"ms": statistics.median(samples), "samples": samples, "cpu_ms": statistics.median(cpu),
                     "errors": errors,
                     "server_start_s": statistics.median(start_s)}
    return out


def navigations(data_dir: Path, paths: list[str], runs: int = 1, warm: bool = True) -> dict:
    """Chromium, 1366×768: navigation start → the page drawn (devtools/harness.py settle), `runs` visits of
    each path in fresh tabs of one profile, after one untimed visit of the path (server and HTTP cache warm)."""
    from devtools import harness
    out: dict[str, Any] = {}
    server = harness.Server(data_dir, warm=warm).start(timeout=120)
    browser = harness.Browser()
    try:
        context = browser.context(*VIEWPORT)
        external: list[str] = []
        # recorded, not routed: routing switches the HTTP cache off, and the cache is part of a return visit
        context.on("request", lambda r: None if harness.is_local(r.url) else external.append(r.url))
        for path in paths:
            _visit(context, server.url + path, harness)          # untimed: the server's first run of it
            visits = [_visit(context, server.url + path, harness) for _ in range(runs)]
            drawn = [v["drawn_ms"] for v in visits]
            out[path] = {"ms": statistics.median(drawn), "samples": drawn,
                         "exceptions": sum(v["exceptions"] for v in visits)}
        context.close()
    finally:
        browser.close()
        server.stop()
    return {"paths": out, "external_requests": external}


def _visit(context, url: str, harness) -> dict:
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        drawn = harness.settle(page, timeout_s=120, quiet_ms=500, stable_ms=700, poll_ms=50)
        return {"drawn_ms": round(drawn, 1), "exceptions": len(harness.exceptions(page))}
    finally:
        page.close()


def measure_startup(data_dir: Path, runs: int, *, warm: bool = True, paths: list[str] | None = None) -> dict:
    """Both measures at one scale (the caller passes ×1's data dir), for `paths` (default: every page);
    never raises."""
    from devtools.harness import chromium_available
    res: dict[str, Any] = {"status": "ok", "viewport": list(VIEWPORT), "warm_launcher": warm}
    paths = paths or page_paths()
    t0 = time.perf_counter()
    try:
        res["first_request"] = first_requests(data_dir, paths, runs, warm)
    except Exception as exc:  # noqa: BLE001 - one failing measure must not stop the bench
        res["first_request"] = {"status": f"failed: {type(exc).__name__}: {exc}"[:500]}
    if chromium_available():
        try:
            res["navigation"] = in_own_thread(navigations, data_dir, paths, runs, warm)   # Playwright's sync API
        except Exception as exc:  # noqa: BLE001
            res["navigation"] = {"status": f"failed: {type(exc).__name__}: {exc}"[:500]}
    else:
        res["navigation"] = {"status": "skipped: no Chromium"}
    res["seconds"] = round(time.perf_counter() - t0, 1)
    return res


def _worst(per_path: dict) -> tuple[str, float] | None:
    rows = [(p, r["ms"]) for p, r in per_path.items() if isinstance(r, dict) and "ms" in r]
    return max(rows, key=lambda x: x[1]) if rows else None


def startup_targets(st: dict, scale: int) -> list[dict]:
    """The two Targets rows: the slowest page against the target (every page must meet it)."""
    rows: list[dict] = []
    fr = st.get("first_request") or {}
    worst = _worst(fr)
    if worst:
        errs = [e for r in fr.values() if isinstance(r, dict) for e in r.get("errors", [])]
        lo = min(r["ms"] for r in fr.values() if isinstance(r, dict) and "ms" in r)
        rows.append({"id": "first_request", "measure": f"first request after a server restart, every page (×{scale})",
                     "target": f"≤ {TARGET_FIRST_REQUEST_MS / 1000:.1f} s",
                     "value": f"{lo:,.0f}–{worst[1]:,.0f} ms (slowest {worst[0]})",
                     "met": worst[1] <= TARGET_FIRST_REQUEST_MS and not errs,
                     "note": f"exceptions: {errs[:3]}" if errs else ""})
    nav = (st.get("navigation") or {}).get("paths") or {}
    worst = _worst(nav)
    if worst:
        lo = min(r["ms"] for r in nav.values())
        bad = sum(r.get("exceptions", 0) for r in nav.values())
        ext = (st.get("navigation") or {}).get("external_requests") or []
        rows.append({"id": "navigation",
                     "measure": f"Chromium navigation → fully drawn, every page, ×{scale}, {VIEWPORT[0]}×{VIEWPORT[1]}",
                     "target": f"≤ {TARGET_NAVIGATION_MS / 1000:.1f} s",
                     "value": f"{lo:,.0f}–{worst[1]:,.0f} ms (slowest {worst[0]})",
                     "met": worst[1] <= TARGET_NAVIGATION_MS and not bad and not ext,
                     "note": "; ".join(x for x in (f"{bad} exceptions" if bad else "",
                                                    f"requests off the machine: {ext[:3]}" if ext else "") if x)})
    return rows


def startup_md(res: dict) -> list[str]:
    """BENCHMARKS.md's section: every page's first request and its drawing time."""
    st = res.get("startup") or {}
    if st.get("status") != "ok":
        return []
    fr, nav = st.get("first_request") or {}, (st.get("navigation") or {}).get("paths") or {}
    L = ["### Server start and drawing in Chromium", "",
         f"First request after a restart (`python -m civic serve`, websocket; ×{st.get('scale')}) and Chromium "
         f"navigation → fully drawn ({VIEWPORT[0]}×{VIEWPORT[1]}, return visit), ms; devtools/bench/startup.py.", "",
         "| page | first request | its server CPU | server start (s) | drawn in Chromium |",
         "| --- | ---: | ---: | ---: | ---: |"]
    for path in sorted(set(fr) | set(nav)):
        f, n = fr.get(path) or {}, nav.get(path) or {}
        L.append(f"| {path} | {f.get('ms', '–')} | {f.get('cpu_ms', '–')} | {f.get('server_start_s', '–')} | "
                 f"{n.get('ms', '–')} |")
    L.append("")
    return L


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", type=Path)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--cold-launcher", action="store_true", help="plain `streamlit run` (no warm-up), to compare")
    p.add_argument("--only", choices=("first", "nav"), default=None)
    p.add_argument("--paths", nargs="*", default=None)
    a = p.parse_args(argv)
    paths = a.paths or page_paths()
    res: dict[str, Any] = {}
    if a.only in (None, "first"):
        res["first_request"] = first_requests(a.data_dir, paths, a.runs, not a.cold_launcher)
    if a.only in (None, "nav"):
        res["navigation"] = navigations(a.data_dir, paths, a.runs, not a.cold_launcher)
    print("BENCH_JSON " + json.dumps(res, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
