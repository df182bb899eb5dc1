"""Build the demo database: the calibrated generator's tables (civic/demo/synth.py) on the approximate
geography (civic/demo/geo.py), loaded through civic/store/schema.py into one checkpointed .duckdb file."""
from __future__ import annotations

import hashlib
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

from civic import domain, paths
from civic.demo import geo, synth
from civic.store import db, schema


def generator_hash() -> str:
    """Changes whenever anything that shapes the generated data changes (bench cache key)."""
    h = hashlib.sha256()
    civic_dir = paths.ROOT / "civic"
    # Every generator module counts, so a split or a new table (demo/consultation.py) changes the key.
    files = [*sorted((civic_dir / "demo").glob("*.py")), civic_dir / "store" / "schema.py", civic_dir / "domain.py",
             paths.SCHEMA_SQL, paths.VIEWS_SQL, paths.FACTS_CSV, *sorted(paths.REFERENCE_DIR.glob("*"))]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def layout(con) -> geo.CountyLayout:
    """The approximate geography of 襄垣县 (does not depend on as_of or the seed). `con` has spatial loaded."""
    ref = synth.reference_frames()
    xy_towns = ref["towns"][ref["towns"].county_code == domain.XIANGYUAN].town_code.tolist()
    return geo.xiangyuan_layout(con, xy_towns)


def populate(con, cfg: synth.SynthConfig, county_layout: geo.CountyLayout,
             progress: Callable[[str], None] = lambda s: None) -> tuple[dict, dict]:
    """DDL, generated and reference rows, meta and views into an empty database. The one path by which a
    database gets its data: `build` runs it on a file, tests/demo/test_fact_dates.py on an in-memory database
    for many as_of dates. Returns (row counts, meta)."""
    progress(f"生成数据 generating (scale {cfg.scale}, as of {cfg.as_of})…")
    tables = synth.generate(cfg, county_layout)
    meta = {"reporting_year": str(synth.REPORTING_YEAR), "data_start": synth.DATA_START.isoformat(),
            "report_end": synth.REPORT_END.isoformat(),
            "as_of": cfg.as_of.isoformat(), "seed": str(cfg.seed), "scale": str(cfg.scale),
            "generator_hash": generator_hash(), "datum": "GCJ-02",
            "built_at": datetime.now().astimezone().isoformat(timespec="seconds")}
    counts = schema.load(con, tables, meta, progress)
    return counts, meta


def build(out: Path, cfg: synth.SynthConfig, progress: Callable[[str], None] = lambda s: None) -> dict:
    """Write a complete, checkpointed database to `out` (which must not exist)."""
    out = Path(out)
    if out.exists():
        raise FileExistsError(out)
    t0 = time.perf_counter()
    con = db.connect_write(out)
    try:
        db.load_extension(con, "spatial")
        progress("布局示意位置 layout (spatial)…")
        counts, meta = populate(con, cfg, layout(con), progress)
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        out.unlink(missing_ok=True)
        raise
    con.close()
    elapsed = time.perf_counter() - t0
    progress(f"完成 done in {elapsed:.1f} s → {out}")
    return {"path": str(out), "seconds": elapsed, "counts": counts, "meta": meta}
