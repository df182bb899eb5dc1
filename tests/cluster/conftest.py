"""The cluster mode's fixtures: one project-style PostgreSQL per session (in a temporary folder, on a free
port) and one lake migrated from a copy of the session's default database. Everything shares them (the
cluster of test_cluster.py runs on the same server and lake), so PostgreSQL is initialised and the lake
migrated once (the budget: tests/cluster in ≤ 5 minutes); a test that stops the server leaves it to
`on_lake`, which starts it again on the same port.

Skipped, with the reason, only when PostgreSQL's server binaries are not installed (Debian: apt-get install
postgresql); under CI=true that is a failure, as for the browser tests."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from civic.cluster import pg


def require_pg() -> None:
    if pg.available():
        return
    reason = "PostgreSQL is not installed (apt-get install postgresql): the cluster tests need its server"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def pg_root() -> Path:
    """A folder the server user can reach (pytest's own temporary folders are private to root)."""
    root = Path(tempfile.mkdtemp(prefix="civic-pg-"))
    root.chmod(0o755)
    return root


@pytest.fixture(scope="session")
def pg_server():
    require_pg()
    root = pg_root()
    srv = pg.start(root / "pg")
    yield srv
    pg.stop(root / "pg")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def lake_dir(pg_server, built_db) -> Path:
    """A copy of the default data dir (its audit log is the one rejected attempts go to) and a lake migrated
    from its current snapshot, with the data files in <copy>/lake."""
    from civic.store import lake, snapshots
    d = pg_server.data_dir.parent / "data"
    shutil.copytree(built_db, d)
    old = {k: os.environ.get(k) for k in ("CIVIC_DATA_DIR", "CIVIC_LAKE_DATA")}
    os.environ["CIVIC_DATA_DIR"] = str(d)
    os.environ["CIVIC_LAKE_DATA"] = str(d / "lake")
    try:
        lake.migrate(snapshots.current().path, lake_url(pg_server), user="tests")
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return d


def lake_url(srv: pg.PgServer) -> str:
    return f"ducklake:postgres:{srv.dsn}"


@pytest.fixture()
def on_lake(lake_dir, pg_server, monkeypatch) -> str:
    """This test runs in the cluster mode: CIVIC_LAKE and the lake's data dir set. Returns the lake URL."""
    url = lake_url(pg_server)
    pg.start(pg_server.data_dir, port=pg_server.port)      # reused when running (a test may have stopped it)
    monkeypatch.setenv("CIVIC_DATA_DIR", str(lake_dir))
    monkeypatch.setenv("CIVIC_LAKE_DATA", str(lake_dir / "lake"))
    monkeypatch.setenv("CIVIC_LAKE", url)
    return url

