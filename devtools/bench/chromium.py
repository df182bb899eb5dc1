"""What is drawn in Chromium: the map (devtools/render_bench.py) and the residents' page
(devtools/public_bench.py) in subprocesses, and the leaders' briefing in this process."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

from civic import paths
from devtools.bench.data import use_data_dir
from devtools.bench.record import reset_caches
from devtools.bench.settings import RENDER_PATHS, TARGET_PUBLIC_PAYLOAD_BYTES, TARGET_PUBLIC_RENDER_MS
from devtools.bench.stats import fmt_bytes, summary


def measure_render(data_dir: Path, runs: int, timeout: float = 900) -> dict:
    """devtools.render_bench in a subprocess: navigation → the page drawn, cold and on return visits."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "devtools.render_bench", str(data_dir), str(runs), *RENDER_PATHS],
                              cwd=paths.ROOT, text=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_JSON "):
            return {**json.loads(line[len("BENCH_JSON "):]), "seconds": round(time.perf_counter() - t0, 1)}
    return {"status": f"failed (rc {proc.returncode})", "stderr": proc.stderr[-2000:]}


def measure_public(data_dir: Path, runs: int, timeout: float = 600) -> dict:
    """devtools.public_bench in a subprocess: the residents' compound page drawn on a phone, and its payload."""
    try:
        proc = subprocess.run([sys.executable, "-m", "devtools.public_bench", str(data_dir), str(runs)],
                              cwd=paths.ROOT, text=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    return {"status": f"failed (rc {proc.returncode})", "stderr": proc.stderr[-2000:]}


def public_targets(pub: dict) -> list[dict]:
    """The two rows of the residents' page: drawn ≤ 2 s on a return visit, own payload ≤ 300 kB."""
    if pub.get("status") != "ok":
        return []
    w, b = pub.get("warm_render_ms"), pub.get("payload_bytes")
    clean = not pub.get("exceptions") and not pub.get("external_requests")
    where = f"{unquote(pub['path'])} (×1, {pub['viewport'][0]}×{pub['viewport'][1]}"
    return [
        {"id": "public_render", "measure": f"residents' page drawn in Chromium, {where}, return visit)",
         "target": f"≤ {TARGET_PUBLIC_RENDER_MS / 1000:.0f} s",
         "value": f"{w:,.0f} ms (first visit {pub['cold']['render_ms']:,.0f} ms)" if w is not None else "–",
         "met": w is not None and w <= TARGET_PUBLIC_RENDER_MS and clean, "note": ""},
        {"id": "public_payload", "measure": f"residents' page payload, {where})",
         "target": f"≤ {TARGET_PUBLIC_PAYLOAD_BYTES // 1000} kB", "value": fmt_bytes(b),
         "met": b is not None and b <= TARGET_PUBLIC_PAYLOAD_BYTES, "note": ""},
    ]



def measure_briefing(data_dir: Path, runs: int) -> dict:
    import tempfile

    from civic.briefing import data as briefing_data
    from civic.briefing import make as briefing_make
    from civic.render import chromium
    if not chromium.available():
        return {"status": "skipped: no Chromium"}
    samples = []
    with use_data_dir(data_dir), tempfile.TemporaryDirectory(prefix="bench-briefing-") as tmp:
        for i in range(max(2, runs)):
            reset_caches()
            t0 = time.perf_counter()
            f = briefing_data.filters_from("all", [], "this_year")
            out = briefing_make.make(f, Path(tmp) / f"b{i}.pdf", Path(tmp) / f"b{i}.png")
            samples.append(time.perf_counter() - t0)
        pdf_bytes = (Path(tmp) / "b0.pdf").stat().st_size
    return {"status": "ok", "cold_s": round(samples[0], 2), "warm_s": summary(samples[1:]),
            "pdf_bytes": pdf_bytes, "facts": f"{out.briefing.facts_ok}/{out.briefing.facts_n}",
            "blocked_requests": list(chromium.blocked_requests)}
