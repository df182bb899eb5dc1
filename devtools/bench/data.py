"""The databases the benchmark measures: built once per scale and generator version under bench/cache/."""
from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from civic import paths
from devtools.bench.settings import CACHE_DIR
from devtools.bench.stats import load_avg, say


def cache_key(scale: int, as_of: date) -> str:
    from civic.demo import build, synth
    return f"{build.generator_hash()}-s{scale}-{as_of.isoformat()}-seed{synth.DEFAULT_SEED}"


def prune_cache() -> None:
    """Drop databases of other generator versions (they are rebuilt on demand; ×100 is ~0.6 GB)."""
    from civic.demo import build
    if not CACHE_DIR.exists():
        return
    current = build.generator_hash()
    for d in CACHE_DIR.iterdir():
        if d.is_dir() and re.fullmatch(r"[0-9a-f]{16}-s\d+-.*", d.name) and not d.name.startswith(current):
            shutil.rmtree(d, ignore_errors=True)


def ensure_database(scale: int, as_of: date, rebuild: bool = False) -> tuple[Path, dict]:
    """A data dir (CIVIC_DATA_DIR) holding a published database of this scale; built if missing."""
    d = CACHE_DIR / cache_key(scale, as_of)
    info_path = d / "build.json"
    if not rebuild and info_path.exists() and (d / "current.json").exists():
        info = json.loads(info_path.read_text(encoding="utf-8"))
        return d, {**info, "cached": True}
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    say(f"  building scale {scale} → {d} …")
    env = {**os.environ, "CIVIC_DATA_DIR": str(d)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    la = load_avg()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "civic", "build", "--scale", str(scale),
                           "--as-of", as_of.isoformat()], cwd=paths.ROOT, env=env, text=True,
                          capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"build --scale {scale} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    m = re.search(r"done in ([\d.]+) s", proc.stdout)
    snap = json.loads((d / "current.json").read_text(encoding="utf-8"))
    db_file = d / snap["file"]
    info = {"scale": scale, "seconds": round(wall, 2),
            "build_seconds": float(m.group(1)) if m else None,
            "cpu_seconds": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2),
            "load_avg_before": la, "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "db_bytes": db_file.stat().st_size, "as_of": as_of.isoformat()}
    info["rows"] = _row_counts(db_file)
    info_path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return d, {**info, "cached": False}


def _row_counts(db_file: Path) -> dict:
    from civic.store import db
    con = db.connect_read(db_file)
    try:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in ("sites", "teams", "activities", "micro_wishes", "feedback", "compounds")}
    finally:
        con.close()


@contextlib.contextmanager
def use_data_dir(d: Path) -> Iterator[None]:
    from civic.store import db, queries
    old = os.environ.get("CIVIC_DATA_DIR")
    os.environ["CIVIC_DATA_DIR"] = str(d)
    db.close_all()
    queries.clear_cache()
    try:
        yield
    finally:
        db.close_all()
        queries.clear_cache()
        if old is None:
            os.environ.pop("CIVIC_DATA_DIR", None)
        else:
            os.environ["CIVIC_DATA_DIR"] = old
