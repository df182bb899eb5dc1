"""`make cluster` end to end (civic/cluster/run.py): PostgreSQL, the lake, 2 replicas, nginx; status JSON;
sticky sessions; a replica killed with -9 while nginx keeps serving; an import reaching both replicas; and a
stop that leaves no process behind. One cluster for the module (starting one takes most of the time), on
the session's PostgreSQL and lake (conftest.py): no second initdb or migration."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from civic.cluster import nginx, pg, run

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str, cookie: str | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        headers: dict = dict(r.headers)
        headers["Set-Cookie"] = r.headers.get_all("Set-Cookie") or []
        return r.status, headers


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture(scope="module")
def cluster(pg_server, lake_dir):
    if nginx.binary() is None:
        reason = "nginx is not installed (apt-get install nginx): the cluster tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    env_before = dict(os.environ)
    # the cluster's home is the session server's folder: run.start finds PostgreSQL running there and the
    # lake already migrated (a lake test may have stopped the server: it is started again on its port)
    os.environ.update(CIVIC_CLUSTER_DIR=str(pg_server.data_dir.parent), CIVIC_DATA_DIR=str(lake_dir),
                      CIVIC_LAKE_DATA=str(lake_dir / "lake"))
    os.environ.pop("CIVIC_LAKE", None)
    pg.start(pg_server.data_dir, port=pg_server.port)
    try:
        state = run.start(port=pg.free_port(), n_replicas=2, say=lambda s: None)
        state["version"] = _lake_version(state["lake"])
        yield state
    finally:
        run.stop(say=lambda s: None)
        os.environ.clear()
        os.environ.update(env_before)


def _lake_version(url: str) -> str:
    from civic.store import lake
    con = lake.connect(url)
    try:
        return lake.current_version(con)
    finally:
        con.close()


def test_status_names_url_lake_and_each_replicas_snapshot(cluster):
    out = subprocess.run([sys.executable, "-m", "civic", "cluster", "status"], cwd=ROOT, capture_output=True,
                         text=True, env=dict(os.environ), timeout=60)
    info = json.loads(out.stdout)
    assert info["running"] and info["url"] == cluster["url"]
    assert info["lake"].startswith("ducklake:postgres:")
    assert [r["port"] for r in info["replicas"]] == [r["port"] for r in cluster["replicas"]]
    assert all(r["pid"] and r["lake_version"] == cluster["version"] for r in info["replicas"])


def test_nginx_health_and_sticky_sessions(cluster):
    status, headers = _get(cluster["url"] + "/_stcore/health")
    assert status == 200
    cookie = [c.split(";")[0] for c in headers["Set-Cookie"] if c.startswith("civic_route=")][0]
    first = headers["X-Civic-Replica"]
    # the same browser (cookie) always reaches the same replica; many browsers spread over both
    assert {_get(cluster["url"] + "/_stcore/health", cookie)[1]["X-Civic-Replica"] for _ in range(5)} == {first}
    spread = {_get(cluster["url"] + "/_stcore/health", f"civic_route=browser{i}")[1]["X-Civic-Replica"]
              for i in range(16)}
    assert len(spread) == 2


def test_an_import_reaches_both_replicas(cluster, tmp_path, monkeypatch):
    from civic.importer import api
    from civic.store import lake
    monkeypatch.setenv("CIVIC_LAKE", cluster["lake"])
    con = lake.connect()
    try:
        rows = api.sample_rows("activities", 3, seed=41, con=con)
    finally:
        con.close()
    f = tmp_path / "a.xlsx"
    f.write_bytes(api.template_bytes("activities", rows))
    report = api.import_path(f, user="clerk")       # in process: the CLI is run in test_lake.py
    assert report.committed and report.added == 3
    started = time.monotonic()
    _wait_for(lambda: all(r["lake_version"] == report.version for r in run.status()["replicas"]), 150,
              "both replicas to serve the import")
    print(f"commit → both replicas serving: {time.monotonic() - started:.1f} s")


def test_a_killed_replica_leaves_nginx_serving_then_stop_leaves_nothing(cluster):
    victim = cluster["replicas"][0]
    os.killpg(victim["pid"], signal.SIGKILL)
    _wait_for(lambda: not pg.alive(victim["pid"]), 10, "the replica to die")
    # every browser, including those the dead replica served, still gets answers: nginx passes to the survivor
    for i in range(8):
        status, headers = _get(cluster["url"] + "/_stcore/health", f"civic_route=browser{i}")
        assert status == 200 and headers["X-Civic-Replica"].endswith(str(cluster["replicas"][1]["port"]))
    assert not run.status()["running"]          # the status says a replica is down
    pids = [r["pid"] for r in cluster["replicas"]] + [r["follower_pid"] for r in cluster["replicas"]]
    pids += [run.status()["postgres"]["pid"], run.status()["nginx"]["pid"]]
    run.stop(say=lambda s: None)
    assert not [p for p in pids if pg.alive(p)]
    assert run.status() == {"running": False, "url": None, "lake": None, "replicas": []}
