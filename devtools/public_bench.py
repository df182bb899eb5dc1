"""The residents' compound page on a phone (README "居民公开页"): drawn in Chromium, and its own payload.

`python -m devtools.public_bench DATA_DIR RUNS` starts the public server (public/app.py) on DATA_DIR and opens
PUBLIC_PATH at 390×844: first in a fresh browser profile right after the server came up (cold), then RUNS
more times in new tabs of that profile (a resident opening the QR link again). For each visit:
- `render_ms`: navigation start → the page drawn (devtools/harness.py settle, as devtools/render_bench.py);
- `payload_bytes`: the websocket messages the server sent for the page: its own payload (Streamlit's static
  bundle is the same for every page and cached by a returning phone).
Prints one `BENCH_JSON {...}` line; devtools/bench/chromium.py runs it in a subprocess (also under --smoke).
"""
from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

PUBLIC_PATH = "/compound?id=HY-019"
PHONE = (390, 844)


def visit(context, url: str, harness) -> dict:
    page = context.new_page()
    received: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
    try:
        page.goto(url, wait_until="commit")
        drawn = harness.settle(page, timeout_s=120, quiet_ms=500, stable_ms=700, poll_ms=50)
        return {"render_ms": round(drawn, 1), "payload_bytes": sum(received),
                "exceptions": len(harness.exceptions(page))}
    finally:
        page.close()


def measure(data_dir: Path, runs: int) -> dict:
    from devtools import harness
    server = harness.Server(Path(data_dir), script=harness.ROOT / "public" / "app.py").start()
    browser = harness.Browser()
    external: list[str] = []
    try:
        context = browser.context(*PHONE)
        context.on("request", lambda r: None if harness.is_local(r.url) else external.append(r.url))
        cold = visit(context, server.url + PUBLIC_PATH, harness)
        warm = [visit(context, server.url + PUBLIC_PATH, harness) for _ in range(runs)]
        context.close()
    finally:
        browser.close()
        server.stop()
    renders = [v["render_ms"] for v in warm]
    return {"status": "ok", "path": PUBLIC_PATH, "viewport": list(PHONE), "cold": cold, "warm": warm,
            "warm_render_ms": statistics.median(renders) if renders else None,
            "payload_bytes": max([cold["payload_bytes"]] + [v["payload_bytes"] for v in warm]),
            "exceptions": cold["exceptions"] + sum(v["exceptions"] for v in warm), "external_requests": external}


def main(argv: list[str]) -> int:
    from devtools import harness
    if not harness.chromium_available():
        print("BENCH_JSON " + json.dumps({"status": f"not available ({harness.CHROMIUM} missing)"}), flush=True)
        return 0
    print("BENCH_JSON " + json.dumps(measure(Path(argv[0]), int(argv[1]))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
