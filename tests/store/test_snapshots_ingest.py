"""snapshots.transaction as the importer uses it: the published version in the audit dict, NoChange publishes
nothing but is logged, any other error publishes nothing and logs nothing, leftovers are swept."""
from __future__ import annotations

import pytest

from civic.store import db, snapshots


def _files(d):
    return sorted(p.name for p in (d / "snapshots").glob("v*.duckdb"))


def test_success_publishes_and_reports_the_version(private_data_dir):
    v0 = snapshots.current().version
    audit = {"action": "import", "entity": "activities"}
    with snapshots.transaction("t", audit=audit) as work:
        con = db.connect_write(work)
        con.execute("UPDATE meta SET value = 'x' WHERE key = 'datum'")
        con.execute("CHECKPOINT")
        con.close()
    assert audit["version"] == snapshots.current().version != v0
    assert snapshots.read_audit(1)[0]["version"] == audit["version"]


def test_no_change_publishes_nothing_but_is_logged(private_data_dir):
    v0, files = snapshots.current().version, _files(private_data_dir)
    audit = {"action": "import", "entity": "activities", "rows_added": 0}
    with snapshots.transaction("nothing to do", audit=audit):
        raise snapshots.NoChange()
    assert snapshots.current().version == v0 and _files(private_data_dir) == files
    assert audit["version"] == v0
    last = snapshots.read_audit(1)[0]
    assert last["published"] is False and last["version"] == v0 and last["note"] == "nothing to do"
    assert list((private_data_dir / "snapshots" / "tmp").iterdir()) == []


def test_error_publishes_and_logs_nothing(private_data_dir):
    v0, files = snapshots.current().version, _files(private_data_dir)
    log = (private_data_dir / "audit.jsonl").read_text(encoding="utf-8")
    with pytest.raises(RuntimeError):
        with snapshots.transaction("boom", audit={"action": "import"}):
            raise RuntimeError("boom")
    assert snapshots.current().version == v0 and _files(private_data_dir) == files
    assert (private_data_dir / "audit.jsonl").read_text(encoding="utf-8") == log
    assert list((private_data_dir / "snapshots" / "tmp").iterdir()) == []


def test_leftovers_of_a_killed_writer_are_swept(private_data_dir):
    tmp = private_data_dir / "snapshots" / "tmp"
    (tmp / "work-dead.duckdb").write_bytes(b"half written")
    (private_data_dir / ".current.dead.tmp").write_text("{")
    with snapshots.transaction("sweep"):
        raise snapshots.NoChange()
    assert list(tmp.iterdir()) == []
    assert not list(private_data_dir.glob(".current.*.tmp"))
