"""The exhibition-screen soak (devtools/screen_soak.py) in a subprocess, and the figures read from its result."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from civic import paths


def measure_soak(data_dir: Path, switches: int, timeout: float, warmup: int | None = None,
                 tabs: int | None = None) -> dict:
    """devtools.screen_soak.soak in a subprocess (it starts its own server and its clients). `warmup` and `tabs`
    (the soak's `clients`) are passed only when given and accepted: more clients switch scenes in parallel,
    so the 2,000 switches fit the benchmark's time budget."""
    code = ("import inspect, json, sys; from pathlib import Path; from devtools.screen_soak import soak; "
            "ps = inspect.signature(soak).parameters; "
            "kw = {k: int(v) for k, v in (('warmup', sys.argv[3]), ('clients', sys.argv[4]), ('tabs', sys.argv[4])) "
            "if int(v) >= 0 and k in ps}; "
            "r = soak(Path(sys.argv[1]), switches=int(sys.argv[2]), **kw); "
            "print('BENCH_JSON ' + json.dumps(r, default=str), flush=True)")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(data_dir), str(switches),
                               str(-1 if warmup is None else warmup), str(-1 if tabs is None else tabs)], cwd=paths.ROOT,
                              text=True, capture_output=True, timeout=timeout,
                              env={**os.environ, "CIVIC_DATA_DIR": str(data_dir)})
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s", "switches": switches}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_JSON "):
            return {"status": "ok", "switches": switches, "clients": tabs, "seconds": round(time.perf_counter() - t0, 1),
                    "result": json.loads(line[len("BENCH_JSON "):])}
    return {"status": f"failed (rc {proc.returncode})", "stderr": proc.stderr[-2000:]}


def soak_figures(soak: dict) -> tuple[float | None, float | None, float | None]:
    """(start MB, end MB, growth %) from whatever keys the soak returns."""
    r = soak.get("result") or {}

    def find(*names):
        for n in names:
            for k, v in r.items():
                if k.lower() == n and isinstance(v, (int, float)):
                    return float(v)
        return None
    start = find("rss_start_mb", "start_rss_mb", "rss_warm_mb", "rss_after_warmup_mb", "start_mb")
    end = find("rss_end_mb", "end_rss_mb", "end_mb")
    growth = find("growth_pct", "growth_percent", "rss_growth_pct")
    if growth is None and start and end:
        growth = round((end - start) / start * 100, 1)
    return start, end, growth
