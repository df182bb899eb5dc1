"""How long a page takes to draw in Chromium (issue 4: the map must render within 3 s at ×100).

`python -m devtools.render_bench DATA_DIR RUNS PATH [PATH …]` starts a server on DATA_DIR for each path and
opens the path: first in a fresh browser profile right after the server came up (cold: empty query caches,
Streamlit's JavaScript not yet cached), then RUNS more times in new tabs of that profile (warm: a visitor
coming back, or a leader reopening the link). For each visit it reports

- `render_ms`: navigation start → the page drawn before it settled: the later of its last DOM change and
  the end of its last main-thread long task (the map's first frame changes no DOM; in a GPU-less Chromium
  it is a long task reading the canvas back). The map, tables and charts drawn, Streamlit's script
  finished: what a visitor waits for.
- `settled_ms`: navigation start → the settled state confirmed (adds the quiet period the check needs).

The settled check is the browser tests' (devtools/harness.py: script not running, no stale
elements, deck.gl canvas and dataframes drawn, fonts loaded, DOM quiet). Requests off 127.0.0.1 are
recorded (not blocked: see measure()). Prints one `BENCH_JSON {...}` line; devtools/bench/chromium.py runs it in a
subprocess.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from devtools.screen_soak import _free_port, _start_server, _stop

CHROMIUM = "/usr/bin/chromium"
QUIET_MS, STABLE_MS = 500, 700


def _harness():
    from devtools import harness  # the same settle check and Chromium flags as the browser tests
    return harness


def visit(context, base: str, path: str, harness) -> dict:
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(base + path, wait_until="commit")
        last_change = harness.settle(page, timeout_s=120, quiet_ms=QUIET_MS, stable_ms=STABLE_MS, poll_ms=50)
        settled = (time.perf_counter() - t0) * 1000
        canvases = page.evaluate(
            "() => document.querySelectorAll('[data-testid=\"stDeckGlJsonChart\"] canvas').length")
        return {"render_ms": round(last_change, 1), "settled_ms": round(settled, 1),
                "deck_canvases": canvases, "exceptions": len(harness.exceptions(page))}
    finally:
        page.close()


def measure(data_dir: Path, runs: int, paths: list[str], width: int = 1920, height: int = 1080) -> dict:
    harness = _harness()
    port = _free_port()
    log = Path(tempfile.gettempdir()) / f"civic-render-bench-{port}.log"
    browser = harness.Browser()
    out: dict = {"paths": {}, "viewport": [width, height]}
    try:
        base = f"http://127.0.0.1:{port}"
        for path in paths:
            proc = _start_server(Path(data_dir), port, log, theme=[])
            context = browser.context(width, height)
            external: list[str] = []

            # recorded, not routed: Playwright routing would switch the HTTP cache off, and a returning
            # visitor's cache is part of what is measured (the product makes no request off the machine)
            context.on("request", lambda r, external=external: None if harness.is_local(r.url) else external.append(r.url))
            try:
                cold = visit(context, base, path, harness)
                warm = [visit(context, base, path, harness) for _ in range(runs)]
            finally:
                context.close()
                _stop(proc)
            renders = [v["render_ms"] for v in warm]
            out["paths"][path] = {
                "cold": cold, "warm": warm,
                "warm_render_ms": statistics.median(renders) if renders else None,
                "warm_render_min_ms": min(renders) if renders else None,
                "warm_render_max_ms": max(renders) if renders else None,
                "exceptions": cold["exceptions"] + sum(v["exceptions"] for v in warm),
                "external_requests": external}
    finally:
        browser.close()
    return out


def main(argv: list[str]) -> int:
    data_dir, runs, paths = Path(argv[0]), int(argv[1]), argv[2:] or ["/stations"]
    if not Path(CHROMIUM).exists():
        print("BENCH_JSON " + json.dumps({"status": f"not available ({CHROMIUM} missing)"}), flush=True)
        return 0
    res = measure(data_dir, runs, paths)
    res["status"] = "ok"
    print("BENCH_JSON " + json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
