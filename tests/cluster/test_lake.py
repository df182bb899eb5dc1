"""The cluster mode's write side (civic/store/lake.py, civic/importer/lake_commit.py): the lake migrated from
the published snapshot, `python -m civic import|status|rollback` on it, concurrent imports, conflicts,
a killed import, time travel; and the project-owned PostgreSQL (civic/cluster/pg.py) stops without a trace."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from civic.cluster import pg
from civic.importer import api, lake_commit
from civic.store import db, lake, snapshots
from tests.cluster.conftest import pg_root, require_pg

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


def _count(table: str) -> int:
    con = lake.connect()
    try:
        return int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    finally:
        con.close()


def test_pg_stops_leaving_no_process(tmp_path):
    require_pg()
    root = pg_root()
    try:
        srv = pg.start(root / "pg")
        assert pg.running(root / "pg") == srv
        assert pg.start(root / "pg") == srv             # idempotent: the running server is reused
        assert pg.stop(root / "pg")
        assert pg.running(root / "pg") is None
        assert not pg.alive(srv.pid)                    # gone (at most a zombie until init reaps it)
        left = subprocess.run(["pgrep", "-f", str(root / "pg")], capture_output=True, text=True).stdout
        assert not left.strip(), left
    finally:
        pg.stop(root / "pg")
        shutil.rmtree(root, ignore_errors=True)


def test_pg_says_why_it_cannot_reach_a_private_folder(tmp_path):
    require_pg()
    if os.geteuid() != 0:
        pytest.skip("only root hands the data directory to another user")
    os.chmod(tmp_path, 0o700)
    with pytest.raises(pg.PgUnavailable, match="无法进入"):
        pg.start(tmp_path / "pg")


def test_migrate_copies_the_snapshot_and_is_idempotent(on_lake):
    snap = snapshots.current()
    con = db.connect_read(snap.path)
    try:
        embedded = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("sites", "teams", "meta")}
    finally:
        con.close()
    assert {t: _count(t) for t in ("sites", "teams", "meta")} == embedded
    again = lake.migrate(snap.path, on_lake, user="tests")
    assert again["created"] == [] and again["altered"] == []


def test_status_json_reports_the_lake(on_lake):
    out = _cli("status", "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["engine"] == "ducklake"
    assert info["lake"] == on_lake
    assert info["version"].startswith("v") and info["counts"]["activities"] > 0


def test_two_imports_to_different_townships_at_once_both_land(on_lake, tmp_path):
    (a, town_a, n_a), (b, town_b, n_b) = _files_by_town(tmp_path, 2, seed=11)
    assert town_a != town_b
    before = _count("activities")
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-m", "civic", "import", str(f), "--user", f"clerk{i}"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for i, f in enumerate((a, b))]
    outs = [p.communicate(timeout=180)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert _count("activities") == before + n_a + n_b
    imports = {e["user"]: e for e in _status()["imports"] if e.get("action") == "import"}
    assert imports["clerk0"]["rows_added"] == n_a and imports["clerk1"]["rows_added"] == n_b
    assert imports["clerk0"]["version"] != imports["clerk1"]["version"]


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
    assert _cli("import", str(path)).returncode == 0
    assert _count("activities") == before + n
    out = _cli("rollback", version)
    assert out.returncode == 0, out.stderr
    assert _count("activities") == before
    info = _status()
    entry = info["imports"][0]
    assert entry["action"] == "rollback" and entry["to_version"] == version and entry["version"] == info["version"]
    bad = _cli("rollback", "v999999")
    assert bad.returncode == 2 and "没有可回滚" in bad.stderr


def test_a_replicas_local_version_rolls_the_lake_back_to_the_version_it_holds(on_lake, tmp_path):
    """In a replica the admin page lists the replica's own versions (each holds one lake version): rolling
    back to one of them must mean the lake version it holds, not the lake snapshot with the same number."""
    target = _status()["version"]
    path, _, n = _files_by_town(tmp_path, 1, seed=43)[0]
    before = _count("activities")
    assert _cli("import", str(path)).returncode == 0
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
    assert _cli("import", str(path)).returncode == 0
    assert _count("activities") == before + n


def test_simulate_feeds_the_lake(on_lake):
    """The demo feed goes through the importer, so it lands in the lake too (its samples are drawn from the
    lake, not from a local snapshot)."""
    before = _count("activities")
    out = _cli("simulate", "--rate", "2/s", "--count", "2", "--quiet")
    assert out.returncode == 0, out.stdout + out.stderr
    assert _count("activities") == before + 2
