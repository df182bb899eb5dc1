"""The cluster mode's write side (civic/store/lake.py, civic/importer/lake_commit.py): the lake migrated from
the published snapshot, `python -m civic import|status|rollback` on it, concurrent imports, conflicts,
a killed import, time travel, the lake's derived tables; and the project-owned PostgreSQL (civic/cluster/pg.py)
stops without a trace. Imports run in process unless the process itself is the subject (a kill -9) or the
CLI is (status, rollback): each `python -m civic` costs seconds of start-up on a loaded box."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from civic.cluster import pg
from civic.demo import simulate
from civic.importer import api, lake_commit
from civic.store import db, lake, schema, snapshots

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "civic", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))


def _status() -> dict:
    """What `status --json` prints (in process: the CLI itself is run once, in test_status_json_reports_the_lake)."""
    from civic.store import status
    return json.loads(json.dumps(status.collect(), default=str))


def _files_by_town(tmp_path: Path, n_towns: int, seed: int) -> list[tuple[Path, str, int]]:
    """Activity files of different townships, each new to the lake."""
    con = lake.connect()
    try:
        rows = api.sample_rows("activities", 80, seed=seed, con=con)
    finally:
        con.close()
    towns = sorted({r["town"] for r in rows})[:n_towns]
    out = []
    for i, town in enumerate(towns):
        mine = [r for r in rows if r["town"] == town]
        path = tmp_path / f"town{i}.xlsx"
        path.write_bytes(api.template_bytes("activities", mine))
        out.append((path, town, len(mine)))
    return out


_LAKE: dict[str, duckdb.DuckDBPyConnection] = {}


def _lake() -> duckdb.DuckDBPyConnection:
    """One connection for the module's counts (attaching the lake loads two extensions: seconds under load);
    each statement is its own transaction, so it reads the lake's newest snapshot."""
    con = _LAKE.get("con")
    if con is not None:
        try:
            con.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
            return con
        except duckdb.Error:        # PostgreSQL was restarted under it
            con.close()
    _LAKE["con"] = con = lake.connect()
    return con


def _count(table: str) -> int:
    return int(_lake().execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _derived_equal_a_rebuild() -> None:
    """Every derived table of the lake holds what its derive_<table> view computes from the base tables now."""
    con = _lake()
    for t in schema.DERIVED_TABLES:
        for a, b in ((t, f"derive_{t}"), (f"derive_{t}", t)):
            extra = con.execute(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})").fetchone()
            assert extra[0] == 0, f"{a} has {extra[0]} rows {b} lacks"


def test_pg_stops_leaving_no_process(pg_server):
    data_dir = pg_server.data_dir
    try:
        assert pg.start(data_dir, port=pg_server.port).pid == pg.running(data_dir).pid   # reused, idempotent
        assert pg.stop(data_dir)
        assert pg.running(data_dir) is None
        assert not pg.alive(pg_server.pid)              # gone (at most a zombie until init reaps it)
        left = subprocess.run(["pgrep", "-f", str(data_dir)], capture_output=True, text=True).stdout
        assert not left.strip(), left
    finally:
        pg.start(data_dir, port=pg_server.port)


def test_pg_says_why_it_cannot_reach_a_private_folder(tmp_path):
    if not pg.available():
        pytest.skip("PostgreSQL is not installed")
    if os.geteuid() != 0:
        pytest.skip("only root hands the data directory to another user")
    os.chmod(tmp_path, 0o700)
    with pytest.raises(pg.PgUnavailable, match="无法进入"):
        pg.start(tmp_path / "pg")


def test_migrate_copies_the_snapshot_and_is_idempotent(on_lake):
    snap = snapshots.current()
    con = db.connect_read(snap.path)
    try:
        embedded = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("sites", "teams")}
        keys = {r[0] for r in con.execute("SELECT key FROM meta").fetchall()}
    finally:
        con.close()
    # the session's lake may already hold imports of other tests (activities, meta's last_import_*)
    assert {t: _count(t) for t in ("sites", "teams")} == embedded
    assert keys <= {r[0] for r in _lake().execute("SELECT key FROM meta").fetchall()}
    again = lake.migrate(snap.path, on_lake, user="tests")
    assert again["created"] == [] and again["altered"] == [] and not again["derived"]
    assert set(schema.DERIVED_TABLES) <= lake.tables(_lake())
    _derived_equal_a_rebuild()


def test_status_json_reports_the_lake(on_lake):
    out = _cli("status", "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["engine"] == "ducklake"
    assert info["lake"] == on_lake
    assert info["version"].startswith("v") and info["counts"]["activities"] > 0


def test_two_imports_to_different_townships_at_once_both_land(on_lake, tmp_path):
    """Two clerks at the same moment (threads: each import opens its own DuckDB and lake connection), and
    the lake's rollups, which both rewrite, equal a rebuild from the base tables afterwards."""
    (a, town_a, n_a), (b, town_b, n_b) = _files_by_town(tmp_path, 2, seed=11)
    assert town_a != town_b
    before = _count("activities")
    done: dict[str, object] = {}

    def clerk(i: int, f: Path) -> None:
        try:
            done[f"clerk{i}"] = api.import_path(f, user=f"clerk{i}")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            done[f"clerk{i}"] = exc
    threads = [threading.Thread(target=clerk, args=(i, f)) for i, f in enumerate((a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert all(getattr(r, "committed", False) for r in done.values()), done
    assert _count("activities") == before + n_a + n_b
    imports = {e["user"]: e for e in _status()["imports"] if e.get("action") == "import"}
    assert imports["clerk0"]["rows_added"] == n_a and imports["clerk1"]["rows_added"] == n_b
    assert imports["clerk0"]["version"] != imports["clerk1"]["version"]
    _derived_equal_a_rebuild()


def _prepared(tmp_path: Path, seed: int):
    path, _, n = _files_by_town(tmp_path, 1, seed=seed)[0]
    data = path.read_bytes()
    report = api._dry_run(data, path.name, None)[0]
    assert report.ok, report.text()
    return data, report, n


def _meta_writer(times: int):
    """A stall hook that, the first `times` times the import has written, commits a change to `meta` from
    another connection: the import's own rewrite of meta then collides with it."""
    calls = {"n": 0}

    def stall(stage: str) -> None:
        if stage != "written" or calls["n"] >= times:
            return
        calls["n"] += 1
        other = lake.connect()
        try:
            other.execute("BEGIN")
            other.execute("UPDATE meta SET value = value WHERE key = 'last_import_by'")
            other.execute("DELETE FROM meta WHERE key = 'probe'")
            other.execute("INSERT INTO meta VALUES ('probe', $v)", {"v": str(calls["n"])})
            other.execute("COMMIT")
        finally:
            other.close()
    return stall, calls


def test_a_conflicting_commit_is_redone(on_lake, tmp_path):
    data, report, n = _prepared(tmp_path, seed=23)
    before = _count("activities")
    stall, calls = _meta_writer(times=1)
    done = lake_commit.commit(data, report, "clerk", None, "reject", api._run_checks, stall)
    assert done.committed and calls["n"] == 1
    assert _count("activities") == before + n
    _derived_equal_a_rebuild()
    last = [e for e in _status()["imports"] if e.get("sha256") == report.sha256][0]
    assert last["attempt"] == 2


def test_a_conflict_that_persists_is_reported_in_chinese_and_writes_nothing(on_lake, tmp_path):
    data, report, _ = _prepared(tmp_path, seed=29)
    before, version = _count("activities"), _status()["version"]
    stall, _ = _meta_writer(times=lake_commit.MAX_TRIES)
    with pytest.raises(api.ImportRejected) as caught:
        lake_commit.commit(data, report, "clerk", None, "reject", api._run_checks, stall)
    problem = caught.value.report.problems[0]
    assert problem.code == "conflict" and "未导入任何数据" in problem.reason
    assert _count("activities") == before
    assert _status()["version"] > version          # only the other writer's commits


def test_a_killed_import_leaves_nothing(on_lake, tmp_path):
    path, _, _ = _files_by_town(tmp_path, 1, seed=31)[0]
    before, version = _count("activities"), _status()["version"]
    proc = subprocess.Popen([sys.executable, "-m", "civic", "import", str(path)], cwd=ROOT,
                            env={**os.environ, "CIVIC_TEST_STALL": "written"}, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("STALL written"):
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert _count("activities") == before
    assert _status()["version"] == version


def test_rollback_is_time_travel_and_audited(on_lake, tmp_path):
    path, _, n = _files_by_town(tmp_path, 1, seed=37)[0]
    before, version = _count("activities"), _status()["version"]
    assert api.import_path(path, user="clerk").committed
    assert _count("activities") == before + n
    out = _cli("rollback", version)
    assert out.returncode == 0, out.stderr
    assert _count("activities") == before
    _derived_equal_a_rebuild()                  # the rollups travel back with the activities
    info = _status()
    entry = info["imports"][0]
    assert entry["action"] == "rollback" and entry["to_version"] == version and entry["version"] == info["version"]
    with pytest.raises(ValueError, match="没有可回滚"):
        snapshots.rollback("v999999", user="admin")


def test_a_replicas_local_version_rolls_the_lake_back_to_the_version_it_holds(on_lake, tmp_path):
    """In a replica the admin page lists the replica's own versions (each holds one lake version): rolling
    back to one of them must mean the lake version it holds, not the lake snapshot with the same number."""
    target = _status()["version"]
    path, _, n = _files_by_town(tmp_path, 1, seed=43)[0]
    before = _count("activities")
    assert api.import_path(path, user="clerk").committed
    work = snapshots.new_tmp_path()
    shutil.copyfile(snapshots.current().path, work)
    local = snapshots.publish(work, note=lake.local_note(target))
    assert local.version != target
    snapshots.rollback(local.version, user="admin")
    assert _count("activities") == before
    assert _status()["imports"][0]["to_version"] == target


def test_postgres_killed_during_an_import_fails_cleanly_and_the_retry_lands(on_lake, pg_server, tmp_path):
    path, _, n = _files_by_town(tmp_path, 1, seed=47)[0]
    before, version = _count("activities"), _status()["version"]
    release = tmp_path / "go"
    proc = subprocess.Popen([sys.executable, "-m", "civic", "import", str(path)], cwd=ROOT, text=True,
                            env={**os.environ, "CIVIC_TEST_STALL": "written", "CIVIC_TEST_STALL_UNTIL": str(release)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("STALL written"):
                break
        pg.stop(pg_server.data_dir, mode="immediate")      # written, not committed: the catalog goes away
        release.touch()
        out, err = proc.communicate(timeout=120)
        out += err
    finally:
        if proc.poll() is None:
            proc.kill()
        pg.start(pg_server.data_dir, port=pg_server.port)
    assert proc.returncode == 1 and "连接中断" in out and "未导入任何数据" in out, out
    assert _count("activities") == before and _status()["version"] == version
    assert api.import_path(path, user="clerk").committed
    assert _count("activities") == before + n


def test_simulate_feeds_the_lake(on_lake):
    """The demo feed goes through the importer, so it lands in the lake too (its samples are drawn from the
    lake, not from a local snapshot)."""
    before = _count("activities")
    assert simulate.run(2.0, 2, say=lambda s: None) == 2
    assert _count("activities") == before + 2


def _tables_equal(a: Path, b: Path) -> None:
    con = db.connect_write(":memory:")
    try:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'a'").fetchall()}
        assert names == {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'b'"
                                                   ).fetchall()}
        assert set(schema.DERIVED_TABLES) <= names
        for t in sorted(names):
            for x, y in (("a", "b"), ("b", "a")):
                n = con.execute(f'SELECT count(*) FROM (SELECT * FROM {x}.main."{t}" EXCEPT ALL '
                                f'SELECT * FROM {y}.main."{t}")').fetchone()[0]
                assert n == 0, f"{t}: {n} rows of {x} not in {y}"
    finally:
        con.close()


def test_a_replica_file_brought_up_by_the_lakes_changes_equals_a_full_copy(on_lake, tmp_path):
    """What the follower does (civic/cluster/follow.py): the served file, copied, plus the lake's changes since
    (an import: appended activities, rewritten rollups and meta) is the lake's snapshot, derived tables too."""
    served = tmp_path / "served.duckdb"
    had = lake.materialise(served)
    path, _, _ = _files_by_town(tmp_path, 1, seed=53)[0]
    assert api.import_path(path, user="clerk").committed
    refreshed = tmp_path / "refreshed.duckdb"
    shutil.copyfile(served, refreshed)
    imported = lake.refresh(refreshed, had)
    assert imported == _status()["version"]
    full = tmp_path / "full.duckdb"
    lake.materialise(full)
    _tables_equal(refreshed, full)
    # an import that changes an activity already there (the lake's changes hold its old row's deletion): the
    # refresh deletes and re-reads that key alone, never the whole table
    con = lake.connect()
    try:
        row = dict(api.sample_rows("activities", 5, seed=59, con=con)[0])
    finally:
        con.close()
    first, again = tmp_path / "one.xlsx", tmp_path / "changed.xlsx"
    first.write_bytes(api.template_bytes("activities", [row]))
    assert api.import_path(first, user="clerk").committed
    before_update = lake.refresh(refreshed, imported)
    row["participants"] = int(row["participants"]) + 7
    again.write_bytes(api.template_bytes("activities", [row]))
    rep = api.import_path(again, user="clerk")
    assert rep.committed and rep.updated == 1
    imported = lake.refresh(refreshed, before_update)
    assert imported == _status()["version"]
    full.unlink()
    lake.materialise(full)
    _tables_equal(refreshed, full)
    lake.rollback(had, user="admin")        # a rollback deletes the imported activities: by key, still equal
    assert lake.refresh(refreshed, imported) == _status()["version"]
    full.unlink()
    lake.materialise(full)
    _tables_equal(refreshed, full)
