"""The reader contract: current snapshot only, a cursor per thread, no stale reconnects, old files released."""
from __future__ import annotations

import threading

import duckdb

from civic import db, snapshots


def _publish_change(sql: str) -> None:
    with snapshots.transaction("test change") as work:
        c = db.connect_write(work)
        c.execute(sql)
        c.execute("CHECKPOINT")
        c.close()


def test_each_thread_gets_its_own_cursor(data_dir):
    seen = {}

    def work(i):
        _, cur = db.reader()
        seen[i] = cur          # keep it alive: ids of collected objects get reused
        assert cur.execute("SELECT count(*) FROM sites").fetchone()[0] == 356

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len({id(c) for c in seen.values()}) == 4


def test_a_new_version_is_read_at_once_never_stale(private_data_dir):
    snap1, cur = db.reader()
    before = cur.execute("SELECT count(*) FROM compounds WHERE status = '完成'").fetchone()[0]
    _publish_change("UPDATE compounds SET status = '完成' WHERE compound_id = 'HY-002' AND status <> '完成'")
    snap2, cur2 = db.reader()
    assert snap2.version != snap1.version and snap2.path != snap1.path
    after = cur2.execute("SELECT count(*) FROM compounds WHERE status = '完成'").fetchone()[0]
    assert after in (before, before + 1)
    assert cur2.execute("SELECT status FROM compounds WHERE compound_id = 'HY-002'").fetchone()[0] == "完成"


def test_old_connections_are_released(private_data_dir, monkeypatch):
    monkeypatch.setattr(db, "IDLE_CLOSE_S", 0.0)
    db.reader()
    for i in range(4):
        _publish_change(f"UPDATE meta SET value = 'v{i}' WHERE key = 'seed'")
        db.reader()
    assert len(db._conns) <= db.KEEP_OPEN_VERSIONS


def test_readers_never_block_the_writer(private_data_dir):
    _, cur = db.reader()
    cur.execute("SELECT count(*) FROM activities").fetchone()
    _publish_change("DELETE FROM meetings WHERE meeting_type = '议事会'")   # would fail if readers locked the file
    _, cur = db.reader()
    assert cur.execute("SELECT count(*) FROM meetings WHERE meeting_type = '议事会'").fetchone()[0] == 0


def test_published_files_are_read_only(data_dir):
    import pytest
    _, cur = db.reader()
    with pytest.raises(duckdb.Error):
        cur.execute("CREATE TABLE x (a INT)")
