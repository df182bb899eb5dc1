"""Sample summaries (median, min–max), number formatting, and what the run records about the machine."""
from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
from pathlib import Path
from typing import Any

from civic import paths


def summary(values_s: list[float]) -> dict | None:
    """Seconds → {median, min, max, n} in milliseconds."""
    xs = [v for v in values_s if v is not None]
    if not xs:
        return None
    return {"median": round(statistics.median(xs) * 1000, 1), "min": round(min(xs) * 1000, 1),
            "max": round(max(xs) * 1000, 1), "n": len(xs)}


def fmt_ms(s: dict | None) -> str:
    if not s:
        return "–"
    if s["n"] == 1:
        return f"{s['median']:,.0f}"
    return f"{s['median']:,.0f} ({s['min']:,.0f}–{s['max']:,.0f})"


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "–"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} B"


def say(msg: str) -> None:
    print(msg, flush=True)


def machine_info() -> dict:
    info: dict[str, Any] = {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                            "python": platform.python_version()}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    return info


def load_avg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def versions() -> dict:
    from importlib import metadata

    from civic.demo import build
    out = {}
    for pkg in ("streamlit", "duckdb", "pandas", "numpy", "pyarrow", "plotly", "pydeck"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    try:
        out["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=paths.ROOT, text=True,
                                           capture_output=True, timeout=10).stdout.strip() or None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=paths.ROOT,
                               text=True, capture_output=True, timeout=10).stdout.strip()
        out["git_dirty"] = bool(dirty)
    except (OSError, subprocess.SubprocessError):
        out["git_commit"] = None
    out["generator_hash"] = build.generator_hash()
    return out
