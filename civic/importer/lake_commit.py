"""An import into the lake (the cluster mode, CIVIC_LAKE; civic/store/lake.py): one DuckLake transaction.

Unlike the embedded writer there is no writer lock and no file copy: many clerks import at once. Inside the
transaction the file is validated again against what the lake holds at that moment, planned, written and
committed with its audit entry. DuckLake merges commits that do not collide (two townships appending
activities); a commit that does (both moved 数据截至 in `meta`, or both updated one row) is refused as a
whole, and then the import is simply done again from the start, so it is validated against the other
import's rows too. After MAX_TRIES refusals the clerk gets a plain Chinese reason and nothing is written.
Sites are updated in place here: the lake has no foreign keys, so DuckDB's refusal to update a referenced
row (the reason for write._rewrite_with_sites) does not arise. The lake's derived tables (data/views.sql's
activity rollups) are refreshed for the rows the import adds, in the same transaction, by the same code as
in a snapshot file (write.refresh_derived_for); concurrent imports both rewrite the month rollups, so
they collide there and one is redone, like the meta rows.
"""
from __future__ import annotations

import contextlib
import random
import time
from typing import Callable, NoReturn

import duckdb

from civic.importer.problems import ImportRejected, Problem, Report
from civic.importer.specs import ENTITIES
from civic.importer.write import _apply_in_place, _bump_meta, refresh_derived_for
from civic.store import lake, schema, snapshots

MAX_TRIES = 5


def commit(data: bytes, report: Report, user: str, note: str | None, pii_mode: str,
           run_checks: Callable, stall: Callable[[str], None]) -> Report:
    ent = ENTITIES[report.entity or ""]
    note = note or f"import {ent.name} {report.file_name}"
    for attempt in range(1, MAX_TRIES + 1):
        try:
            con = lake.connect()
        except lake.LakeUnavailable as exc:
            _failed(report, exc)
        try:
            con.execute("BEGIN")
            report.base_version = lake.current_version(con)
            _, plan, lk = run_checks(con, data, report, ent.name, pii_mode)
            if not report.ok:
                raise ImportRejected(report)
            audit = {"action": "import", "user": user, "entity": report.entity, "file_name": report.file_name,
                     "sha256": report.sha256, "size": report.size, "rows": report.n_rows, "result": "imported",
                     "problems": 0, "masked": report.masked, "pii_mode": pii_mode, "rows_added": report.added,
                     "rows_updated": report.updated, "rows_unchanged": report.unchanged, "attempt": attempt}
            if not plan.inserts and not plan.updates:
                con.execute("ROLLBACK")
                snapshots.append_audit({**audit, "result": "unchanged", "note": note, "published": False,
                                        "version": report.base_version})
                report.version, report.committed = report.base_version, True
                return report
            as_of_before = schema.meta_value(con, "as_of")
            _apply_in_place(con, ent, plan)
            _bump_meta(con, ent, plan, lk, report, user)
            refresh_derived_for(con, ent.name, plan, as_of_before)   # the lake's rollups, in this transaction
            stall("written")
            report.version = lake.commit(con, note, audit)
            report.committed = True
            return report
        except duckdb.Error as exc:
            if not lake.is_conflict(exc):
                _failed(report, exc)
            time.sleep(random.uniform(0.05, 0.2) * attempt)     # let the other commit finish, then redo
        finally:
            with contextlib.suppress(duckdb.Error):
                con.close()
    report.problems = [Problem(None, "", "", f"导入未完成：其他人同时在修改相同的数据，已自动重试 {MAX_TRIES} 次仍有冲突。"
                                             "未导入任何数据，请稍后重新导入", "conflict")]
    raise ImportRejected(report)


def _failed(report: Report, exc: BaseException) -> NoReturn:
    """The lake went away (PostgreSQL stopped or killed, the network, the shared folder): nothing was committed,
    since a DuckLake commit is all or nothing in the catalog."""
    report.problems = [Problem(None, "", "", "导入失败：与数据湖（PostgreSQL 目录库或数据目录）的连接中断，未导入任何数据；"
                                             f"请确认数据湖服务正常后重新导入（{lake.short(exc)}）", "write_failed")]
    raise ImportRejected(report) from exc
