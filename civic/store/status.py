"""What operators need to know: published version, row counts, snapshots kept, last imports."""
from __future__ import annotations

from civic.store import db, snapshots

COUNTED = {"activities": "activities", "sites": "sites", "teams": "teams", "micro_wishes": "micro_wishes",
           "trainings": "trainings", "compounds": "compounds", "works": "works", "feedback": "feedback",
           "meetings": "meetings", "meeting_decisions": "meeting_decisions", "scheduled_meetings": "scheduled_meetings"}


def collect() -> dict:
    from civic.store import lake
    if lake.enabled():          # the cluster mode: the lake is the store (lake.py)
        return lake.status(COUNTED)
    try:
        snap = snapshots.current()
    except snapshots.NoSnapshot:
        return {"version": None, "published_at": None, "counts": {}, "snapshots": [], "imports": []}
    recovered = _recover()
    con = db.connect_read(snap.path)
    try:
        counts = {k: _count(con, t) for k, t in COUNTED.items()}
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        imported = {k: _imported(con, t) for k, t in COUNTED.items()}
    finally:
        con.close()
    keep, keep_warning = snapshots.retention()
    return {"version": snap.version, "published_at": snap.published_at, "path": str(snap.path), "meta": meta,
            "counts": counts, "imported": imported,
            "snapshots": [{"version": s.version, "published_at": s.published_at, "note": s.note}
                          for s in snapshots.list_snapshots()],
            "keep": keep, "keep_warning": keep_warning, "recovered": recovered,
            "imports": snapshots.read_audit(limit=10)}


def _count(con, table: str) -> int:
    row = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    assert row is not None      # an aggregate without GROUP BY always returns one row
    return int(row[0])


def _recover() -> list[str]:
    """Settle what a killed writer left (a pending version, a missing audit line), unless a writer is busy:
    then its pending version is simply not listed."""
    try:
        return snapshots.recover(timeout_s=0.5)
    except (snapshots.WriterBusy, OSError):
        return []


def _imported(con, table: str) -> int:
    """Rows that came from imports: source = 'import', or imported coordinates for tables without `source`."""
    cols = {r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()}
    if "source" in cols:
        return con.execute(f"SELECT count(*) FROM \"{table}\" WHERE source = 'import'").fetchone()[0]
    if "coord_quality" in cols:
        return con.execute(f"SELECT count(*) FROM \"{table}\" WHERE coord_quality = 'imported'").fetchone()[0]
    return 0


def render_text(info: dict) -> str:
    if info.get("error"):
        return f"数据不可用 data unavailable: {info['error']}"
    if not info.get("version"):
        return "尚无已发布数据 no published data — run: python -m civic build"
    lines = [f"数据湖 lake: {info['lake']}"] if info.get("engine") == "ducklake" else []
    lines += [f"当前版本 version: {info['version']}  发布时间 published: {info['published_at']}",
             f"数据截至 as of: {info['meta'].get('as_of')}  规模 scale: {info['meta'].get('scale')}", "行数 rows:"]
    imported = info.get("imported", {})
    lines += [f"  {k:<14} {v:>10,}" + (f"   (导入 imported {imported[k]:,})" if imported.get(k) else "")
              for k, v in info["counts"].items()]
    lines.append("保留快照 snapshots kept: " + ", ".join(s["version"] for s in info["snapshots"])
                 + f"   (最多 {info.get('keep')} 个 keep at most {info.get('keep')}, CIVIC_KEEP_SNAPSHOTS)")
    if info.get("keep_warning"):
        lines.append("注意 warning: " + info["keep_warning"])
    for r in info.get("recovered") or []:
        lines.append("已恢复 recovered: " + r)
    lines.append("最近操作 recent operations:")
    for e in info["imports"]:
        lines.append(f"  {e.get('ts')} {e.get('action')} {e.get('entity', '')} {e.get('file_name', '')} "
                     f"+{e.get('rows_added', 0)}/~{e.get('rows_updated', 0)} → {e.get('version')}")
    return "\n".join(lines)
