"""The reader contract: current snapshot only, a cursor per thread, no stale reconnects, old files released."""
from __future__ import annotations

import threading

import duckdb

from civic.store import db, snapshots


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
    assert list(db._conns) == [str(snapshots.current().path)]


def test_an_idle_superseded_connection_is_swept_without_new_reads(private_data_dir, monkeypatch):
    """A rollback leaves the bad version's connection open until swept; the sweep needs no new query, so a
    purge from another process is not refused for ever."""
    old, _ = db.reader()
    _publish_change("UPDATE meta SET value = 'swept' WHERE key = 'seed'")
    db.reader()
    assert str(old.path) in db._conns, "idle for less than IDLE_CLOSE_S: kept"
    monkeypatch.setattr(db, "IDLE_CLOSE_S", 0.0)
    db.sweep()
    assert list(db._conns) == [str(snapshots.current().path)]
    assert db._sweeper_started


def test_a_pinned_version_is_never_swept(private_data_dir, monkeypatch):
    monkeypatch.setattr(db, "IDLE_CLOSE_S", 0.0)
    with db.pinned():
        pinned, _ = db.reader()
        _publish_change("UPDATE meta SET value = 'p' WHERE key = 'seed'")
        db.sweep()
        assert str(pinned.path) in db._conns
    db.sweep()
    assert str(pinned.path) not in db._conns


def test_readers_never_block_the_writer(private_data_dir):
    _, cur = db.reader()
    cur.execute("SELECT count(*) FROM activities").fetchone()
    # would fail if readers locked the file (the decisions first: meeting_decisions references meetings)
    _publish_change("DELETE FROM meeting_decisions WHERE meeting_id IN (SELECT meeting_id FROM meetings WHERE "
                    "meeting_type = '议事会'); DELETE FROM meetings WHERE meeting_type = '议事会'")
    _, cur = db.reader()
    assert cur.execute("SELECT count(*) FROM meetings WHERE meeting_type = '议事会'").fetchone()[0] == 0


def test_published_files_are_read_only(data_dir):
    import pytest
    _, cur = db.reader()
    with pytest.raises(duckdb.Error):
        cur.execute("CREATE TABLE x (a INT)")


# ── one script run reads one snapshot ────────────────────────────────────────────────────────────────────
def test_a_pinned_run_reads_one_version_even_when_a_new_one_is_published_between_queries(private_data_dir):
    from civic.store import queries
    with db.pinned():
        first = queries.run("meta")
        v_first = db.data_version()
        _publish_change("UPDATE meta SET value = 'published-mid-run' WHERE key = 'seed'")
        assert snapshots.current().version != v_first, "a new version is current now"
        second = queries.run("meta")
        assert db.data_version() == v_first and db.snapshot().version == v_first
        assert dict(zip(first.key, first.value))["seed"] == dict(zip(second.key, second.value))["seed"]
    # the next run reads the new version
    with db.pinned():
        third = queries.run("meta")
        assert dict(zip(third.key, third.value))["seed"] == "published-mid-run"
        assert db.data_version() == snapshots.current().version


def test_pins_are_per_thread_and_released(private_data_dir):
    from civic.store import queries
    seen = {}
    with db.pinned():
        queries.run("meta_as_of")
        mine = db.data_version()
        _publish_change("UPDATE meta SET value = 'other-thread' WHERE key = 'seed'")
        t = threading.Thread(target=lambda: seen.update(v=db.data_version()))
        t.start()
        t.join()
        assert seen["v"] == snapshots.current().version != mine, "another thread is not pinned"
        assert db._pins.get(str(db.snapshot().path)) == 1
    assert not db._pins


def test_a_run_without_a_database_is_not_stuck_with_a_pin(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    import pytest
    with db.pinned():
        with pytest.raises(snapshots.NoSnapshot):
            db.reader()
    assert getattr(db._local, "pin", None) is None


# ── a dead connection is reopened ────────────────────────────────────────────────────────────────────────
def test_a_closed_connection_is_reopened_not_fatal(private_data_dir):
    from civic.store import queries
    snap, _ = db.reader()
    db._conns[str(snap.path)].close()         # as if DuckDB had dropped it: every cursor on it is dead
    df = queries.execute("meta")             # reopened, same snapshot
    assert not df.empty and snapshots.current().version == snap.version
    assert queries.run("meta_as_of") is not None


def test_an_invalidated_database_is_reopened(private_data_dir, monkeypatch):
    """DuckDB invalidates a database after a fatal error; every later query on it fails the same way."""
    from civic.store import queries
    snap, cur = db.reader()
    dead_con = db._conns[str(snap.path)]

    class Invalidated:
        def execute(self, *a, **k):
            raise duckdb.FatalException("FATAL Error: Failed: database has been invalidated because of a "
                                        "previous fatal error. The database must be restarted prior to being "
                                        "used again.")

    db._local.cursors[str(snap.path)] = (dead_con, Invalidated())
    queries.clear_cache()
    for _ in range(3):
        assert not queries.run("meta").empty
    assert db._conns[str(snap.path)] is not dead_con, "a fresh connection replaced the dead one"


def test_an_ordinary_query_error_does_not_drop_the_connection(private_data_dir):
    import pytest

    from civic.store import queries
    snap, cur = db.reader()
    con = db._conns[str(snap.path)]
    with pytest.raises(queries.QueryError):
        queries._run(snap, cur, "SELECT * FROM no_such_table", {}, "broken")
    assert db._conns[str(snap.path)] is con
