"""Import township 台账 (Excel/CSV) as a new data version: templates, parsing, row-level validation,
all-or-nothing publishing, idempotent upserts and an audit entry.

Flow: `check(data, file_name)` is the dry run (parse, validate every row against the current snapshot,
preview what would be added/updated). `commit(...)` takes the writer lock, copies the current snapshot
(snapshots.transaction), validates again against that copy (the data may have changed since the dry
run), writes, checkpoints, closes and publishes; any problem raises ImportRejected and nothing is
published. Re-importing a file (or rows that overlap by natural key) updates instead of adding.

Validation: each cell is parsed and range-checked by a pydantic model generated from the entity spec
(types, required fields, allowed values, bounds); references (places, sites, teams, compounds …),
cross-field rules and duplicate keys are checked against lookups loaded from the snapshot. Every
problem is reported at once as (row, column, value, reason in Chinese).

DuckDB facts that shape the writer (1.5.5): an UPDATE of a row that another table references is refused
when it would touch an indexed column, and on `sites` *any* UPDATE of a referenced row is refused (its
table CHECKs couple `level` with the foreign-key columns, so DuckDB rewrites the whole row). Leaf tables
and teams/compounds are updated in place (non-key columns only); sites are written by rebuilding the
working copy from schema.sql with the changed sites table (see `_rewrite_with_sites`).

This module is the importer's public face: callers (pages/admin.py, the CLI, the demo feed) use check,
commit, import_path and the names re-exported below. The parts, each in its own module of civic/importer/:
problems (limits, Problem, Report, time budget) · specs (entity/column specs; vocabulary from civic/domain.py)
· read (decoding CSV/.xlsx, headers, entity detection) · cells (cell parsing, did-you-mean) · lookups (what the
snapshot knows) · rules (per-entity and cross-field rules) · validate (a whole sheet) · write (plan, write,
publish) · templates (template and sample workbooks).
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from civic.importer import lookups
from civic.importer.lookups import Lookups
from civic.importer.problems import (
    MAX_BYTES,
    MAX_MB,
    XLSX_MIME,
    ImportRejected,
    Problem,
    Report,
    _budget,
    _FileProblem,
    _tick,
    _too_big,
)
from civic.importer.read import read_sheet
from civic.importer.specs import ENTITIES
from civic.importer.templates import sample_bytes, sample_rows, template_bytes
from civic.importer.validate import Parsed, parse
from civic.importer.write import Plan, _apply_in_place, _bump_meta, _rewrite_with_sites, plan, refresh_derived_for
from civic.store import db, lake, schema, snapshots

log = logging.getLogger(__name__)

__all__ = ["ENTITIES", "MAX_BYTES", "MAX_MB", "XLSX_MIME", "ImportRejected", "Problem", "Report", "audit_attempt",
           "check", "commit", "import_path", "sample_bytes", "sample_rows", "template_bytes"]


# ── public API ────────────────────────────────────────────────────────────────────────────────
def _stall(stage: str) -> None:
    """Test hook for the kill -9 test: CIVIC_TEST_STALL=<stage> parks the importer at that point."""
    if os.environ.get("CIVIC_TEST_STALL") == stage:
        print(f"STALL {stage}", file=sys.stderr, flush=True)
        release = os.environ.get("CIVIC_TEST_STALL_UNTIL")    # a file whose creation lets the importer go on
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline and not (release and os.path.exists(release)):
            time.sleep(0.05)


def _new_report(data: bytes, file_name: str) -> Report:
    return Report(file_name=Path(file_name or "upload").name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _preview(parsed: Parsed, p: Plan | None) -> pd.DataFrame:
    df = pd.DataFrame(parsed.display_rows)
    if df.empty:
        return df
    if p is not None:
        df.insert(1, "操作", [p.actions.get(r, "—") for r in df["行"]])
    return df


def _run_checks(con, data: bytes, report: Report, entity: str | None, pii_mode: str = "reject",
                published: Path | None = None) -> tuple[Parsed | None, Plan | None, Lookups | None]:
    """Parse, validate and plan against what `con` holds (`published`: the snapshot file it is open on,
    whose lookups are kept between checks; None for a working copy)."""
    try:
        sheet = read_sheet(data, report.file_name)
        lk = lookups.of_snapshot(con, published, Lookups) if published is not None else Lookups(con)
        parsed = parse(sheet, lk, entity, pii_mode)
        _tick()
    except _FileProblem as fp:
        report.problems = fp.problems
        return None, None, None
    except Exception as exc:  # noqa: BLE001 - the import boundary: no traceback ever reaches a user
        _unreadable(report, exc)
        return None, None, None
    report.entity = parsed.entity.name
    report.n_rows = parsed.n_rows
    report.warnings = parsed.warnings
    report.problems = parsed.problems
    report.masked = len(parsed.masked)
    p = None
    if not parsed.problems:
        p = plan(con, parsed.entity, parsed.records, lk)
        report.added, report.updated, report.unchanged = len(p.inserts), len(p.updates), len(p.unchanged)
    report.preview = _preview(parsed, p)
    return parsed, p, lk


def _unreadable(report: Report, exc: BaseException) -> None:
    """Any unexpected error while reading or validating: one file-level reason, the traceback in the log."""
    log.error("import of %r failed unexpectedly", report.file_name, exc_info=exc)
    report.problems = [Problem(None, "", "", f"文件无法读取：{report.file_name}（处理时出现意外错误，已记录在服务器日志中），"
                                             "未导入任何数据。请在 Excel 或 WPS 中打开后重新保存再试", "unreadable")]


# The last passing dry run: the admin page checks a file on upload and the confirm click commits the same
# bytes against the same snapshot, so the commit reuses the check instead of parsing and validating again
# (seconds at province scale). Keyed on everything the outcome depends on; one entry per process.
_last_check: tuple[tuple, tuple] | None = None


def _dry_run(data: bytes, file_name: str, entity: str | None, pii_mode: str = "reject"):
    global _last_check
    report = _new_report(data, file_name)
    report.pii_mode = pii_mode
    if len(data) > MAX_BYTES:       # before anything is parsed
        report.problems = [_too_big(len(data))]
        return report, None, None, None
    key = None
    published = None
    if lake.enabled():          # the cluster mode: validate against the lake's current snapshot
        con = lake.connect()
        report.base_version = lake.current_version(con)
    else:
        snap = snapshots.current()
        st = os.stat(snap.path)
        key = (report.sha256, report.file_name, entity, pii_mode, str(snap.path), st.st_ino, st.st_mtime_ns,
               date.today())
        cached = _last_check
        if cached is not None and cached[0] == key:
            done, parsed, p, lk = cached[1]
            return dataclasses.replace(done), parsed, p, lk     # a copy: the commit fills in its version
        report.base_version = snap.version
        con = db.connect_read(snap.path)
        published = snap.path
    try:
        parsed, p, lk = _run_checks(con, data, report, entity, pii_mode, published=published)
    finally:
        con.close()
    if report.ok and key is not None:
        _last_check = (key, (dataclasses.replace(report), parsed, p, lk))
    return report, parsed, p, lk


def audit_attempt(report: Report, action: str, result: str, user: str | None = None, **extra) -> None:
    """One audit line per attempt, accepted or not: who, when, file name and hash, entity, rows, result and
    the number of reasons (never the reasons themselves: they may quote what a row contained)."""
    entry = {"action": action, "user": user or snapshots._user(), "entity": report.entity,
             "file_name": report.file_name, "sha256": report.sha256, "size": report.size, "rows": report.n_rows,
             "result": result, "problems": len(report.problems), "masked": report.masked,
             "pii_mode": report.pii_mode, **extra}
    try:
        snapshots.append_audit(entry)
    except OSError:     # a full disk must not turn a clear rejection into a traceback
        log.error("could not write the audit line for %r", report.file_name, exc_info=True)


def check(data: bytes, file_name: str = "upload", entity: str | None = None, *, user: str | None = None,
          pii_mode: str = "reject", cancelled: Callable[[], bool] | None = None,
          budget_s: float | None = None, audit: bool = True) -> Report:
    """Dry run against the current snapshot: parse, validate every row, preview. Writes no data; logs the
    attempt in the audit log (action import_check, result passed/rejected) unless audit=False."""
    with _budget(budget_s, cancelled):
        report = _dry_run(data, file_name, entity, pii_mode)[0]
    if audit:
        audit_attempt(report, "import_check", "passed" if report.ok else "rejected", user)
    return report


def _is_disk_full(exc: BaseException) -> bool:
    import errno
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left" in text or "disk full" in text or "disk quota" in text


def commit(data: bytes, file_name: str = "upload", entity: str | None = None, user: str | None = None,
           note: str | None = None, *, pii_mode: str = "reject", cancelled: Callable[[], bool] | None = None,
           budget_s: float | None = None) -> Report:
    """Validate and publish as a new data version, all or nothing. Raises ImportRejected with every problem.

    Every attempt leaves one audit line (result imported, unchanged, rejected or failed). A write that fails
    (a full disk, a damaged working copy) is reported as a file-level problem; the working file is removed
    at once by snapshots.transaction."""
    import duckdb
    user = user or snapshots._user()
    report = _new_report(data, file_name)
    report.pii_mode = pii_mode
    try:
        with _budget(budget_s, cancelled):
            return _commit(data, file_name, entity, user, note, pii_mode)
    except ImportRejected as exc:
        audit_attempt(exc.report, "import", "rejected", user)
        raise
    except (snapshots.WriterBusy, snapshots.NoSnapshot):
        audit_attempt(report, "import", "failed", user, note="writer busy or no published data")
        raise
    except _FileProblem as fp:          # timeout or cancellation while re-validating under the lock
        report.problems = fp.problems
    except (OSError, duckdb.Error) as exc:
        log.error("import of %r could not be written", report.file_name, exc_info=True)
        reason = ("磁盘空间不足，无法写入新的数据版本" if _is_disk_full(exc)
                  else f"写入数据文件时出错（{getattr(exc, 'strerror', None) or '存储故障'}）")
        report.problems = [Problem(None, "", "", f"导入失败：{reason}。未导入任何数据，临时文件已删除；"
                                                 "请联系管理员清理磁盘后重试", "write_failed")]
    except Exception as exc:  # noqa: BLE001 - the import boundary
        _unreadable(report, exc)
    audit_attempt(report, "import", "failed" if report.problems and report.problems[0].code == "write_failed"
                  else "rejected", user)
    raise ImportRejected(report)


def _commit(data: bytes, file_name: str, entity: str | None, user: str, note: str | None, pii_mode: str) -> Report:
    report, parsed, p, lk = _dry_run(data, file_name, entity, pii_mode)   # fail fast without the writer lock
    if not report.ok:
        raise ImportRejected(report)
    _stall("validated")
    if lake.enabled():
        from civic.importer import lake_commit
        return lake_commit.commit(data, report, user, note, pii_mode, _run_checks, _stall)
    audit = {"action": "import", "user": user, "entity": report.entity, "file_name": report.file_name,
             "sha256": report.sha256, "size": report.size, "rows": report.n_rows, "result": "imported",
             "problems": 0, "masked": report.masked, "pii_mode": pii_mode}
    ent = ENTITIES[report.entity]
    note = note or f"import {ent.name} {report.file_name}"
    with snapshots.transaction(note, audit=audit) as work:
        _stall("copied")
        con = db.connect_write(work)
        try:
            if snapshots.current().version != report.base_version:
                # another writer published since the dry run: validate again against what we now hold
                report.base_version = snapshots.current().version
                parsed, p, lk = _run_checks(con, data, report, ent.name, pii_mode)
                if not report.ok:
                    raise ImportRejected(report)
            audit.update(rows_added=report.added, rows_updated=report.updated, rows_unchanged=report.unchanged)
            if not p.inserts and not p.updates:
                audit["result"] = "unchanged"
                raise snapshots.NoChange()
            as_of_before = schema.meta_value(con, "as_of")
            if ent.name != "sites":
                _apply_in_place(con, ent, p)
            _bump_meta(con, ent, p, lk, report, user)
            if ent.name != "sites":     # sites: _rewrite_with_sites rebuilds the file, derived tables too
                refresh_derived_for(con, ent.name, p, as_of_before)
            _stall("written")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        if ent.name == "sites":
            _rewrite_with_sites(work, p)
        _stall("closed")
    report.version = audit.get("version") or snapshots.current().version
    report.committed = True
    return report


def import_path(path: Path | str, entity: str | None = None, dry_run: bool = False, user: str | None = None,
                pii_mode: str = "reject") -> Report:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        r = Report(file_name=path.name, sha256="", size=0)
        r.problems = [Problem(None, "", str(path), f"无法读取文件：{exc.strerror}", "unreadable")]
        raise ImportRejected(r) from None
    if size > MAX_BYTES:            # refused before it is read
        with open(path, "rb") as fh:
            head = fh.read(1024)
        r = _new_report(head, path.name)
        r.sha256 = ""               # not the file's hash: the file was not read
        r.size = size
        r.problems = [_too_big(size)]
        audit_attempt(r, "import_check" if dry_run else "import", "rejected", user)
        raise ImportRejected(r)
    try:
        data = path.read_bytes()
    except OSError as exc:
        r = Report(file_name=path.name, sha256="", size=size)
        r.problems = [Problem(None, "", path.name, f"无法读取文件：{exc.strerror}", "unreadable")]
        raise ImportRejected(r) from None
    if dry_run:
        rep = check(data, path.name, entity, user=user, pii_mode=pii_mode)
        if not rep.ok:
            raise ImportRejected(rep)
        return rep
    return commit(data, path.name, entity, user, pii_mode=pii_mode)
