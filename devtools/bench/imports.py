"""Imports at every scale (issue 21): the admin page's "示例数据" download of 10 activity rows, and confirming
a 500-row activities import as the admin page does: the file is checked on upload (untimed), then the
confirm click is timed (copy the snapshot, write, refresh the derived tables, publish; the check's
validation is reused when nothing changed since).

Both run in this process through civic.importer.api, as the admin page calls them, on a scratch copy of the
cached data dir (an import publishes new versions; the cache is never written), deleted afterwards."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import time
from pathlib import Path
from typing import Iterator

from devtools.bench.data import use_data_dir
from devtools.bench.settings import CACHE_DIR, IMPORT_ROWS, SAMPLE_ROWS
from devtools.bench.stats import summary

ENTITY = "activities"


def measure_imports(data_dir: Path, runs: int) -> dict:
    """{"sample_ms": first download and the later ones, "commit_ms": each confirmed import, "status"}."""
    from civic.importer import api
    try:
        with _scratch_copy(data_dir) as scratch, use_data_dir(scratch), _keep_two_versions():
            first = _timed(lambda: api.sample_bytes(ENTITY, SAMPLE_ROWS))    # lookups built for this snapshot
            again = [_timed(lambda: api.sample_bytes(ENTITY, SAMPLE_ROWS)) for _ in range(runs)]
            commits = []
            for i in range(runs):
                data = _csv(api.sample_rows(ENTITY, IMPORT_ROWS, seed=2100 + i))
                api.check(data, f"bench-{i}.csv", ENTITY, user="bench")     # the upload, before the click
                t0 = time.perf_counter()
                rep = api.commit(data, f"bench-{i}.csv", ENTITY, user="bench")
                commits.append(time.perf_counter() - t0)
                if rep.added != IMPORT_ROWS:
                    return {"status": f"import added {rep.added} rows, not {IMPORT_ROWS}"}
    except Exception as exc:  # noqa: BLE001 - a broken import must not stop the bench
        return {"status": f"failed: {type(exc).__name__}: {exc}"[:1000]}
    return {"status": "ok", "sample_first_ms": summary([first]), "sample_ms": summary(again),
            "commit_ms": summary(commits), "rows": IMPORT_ROWS, "sample_rows": SAMPLE_ROWS}


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _csv(rows: list[dict]) -> bytes:
    """The rows as the township clerk's CSV (Chinese headers, UTF-8 with BOM), as the admin page receives it."""
    from civic.importer import api
    ent = api.ENTITIES[ENTITY]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.zh for c in ent.cols])
    for r in rows:
        w.writerow(["" if r.get(c.name) is None else str(r.get(c.name)) for c in ent.cols])
    return buf.getvalue().encode("utf-8-sig")


@contextlib.contextmanager
def _scratch_copy(data_dir: Path) -> Iterator[Path]:
    """The data dir's current snapshot alone, copied beside the cache (same disk), removed afterwards."""
    scratch = CACHE_DIR / f"imports-scratch-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "snapshots").mkdir(parents=True)
    try:
        pointer = data_dir / "current.json"
        snap = json.loads(pointer.read_text(encoding="utf-8"))
        shutil.copyfile(data_dir / snap["file"], scratch / snap["file"])
        shutil.copyfile(pointer, scratch / "current.json")
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextlib.contextmanager
def _keep_two_versions() -> Iterator[None]:
    """Each import publishes a new version (~0.7 GB at ×100): keep the fewest the store allows."""
    old = os.environ.get("CIVIC_KEEP_SNAPSHOTS")
    os.environ["CIVIC_KEEP_SNAPSHOTS"] = "2"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CIVIC_KEEP_SNAPSHOTS", None)
        else:
            os.environ["CIVIC_KEEP_SNAPSHOTS"] = old
