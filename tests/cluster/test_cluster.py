"""`make cluster` end to end (civic/cluster/run.py): PostgreSQL, the lake, 2 replicas, nginx; status JSON;
sticky sessions; a replica killed with -9 while nginx keeps serving; an import reaching both replicas; and a
stop that leaves no process behind. One cluster for the module (starting one takes most of the time)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from civic.cluster import nginx, pg, run
from tests.cluster.conftest import pg_root, require_pg

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
def cluster(built_db):
    require_pg()
    if nginx.binary() is None:
        reason = "nginx is not installed (apt-get install nginx): the cluster tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    home = pg_root()
    data = home / "data"
    shutil.copytree(built_db, data)
    env_before = dict(os.environ)
    os.environ.update(CIVIC_CLUSTER_DIR=str(home / "cluster"), CIVIC_DATA_DIR=str(data))
    os.environ.pop("CIVIC_LAKE", None)
    try:
        state = run.start(port=pg.free_port(), n_replicas=2, say=lambda s: None)
        yield state
    finally:
        run.stop(say=lambda s: None)
        os.environ.clear()
        os.environ.update(env_before)
        shutil.rmtree(home, ignore_errors=True)


def test_status_names_url_lake_and_each_replicas_snapshot(cluster):
    out = subprocess.run([sys.executable, "-m", "civic", "cluster", "status"], cwd=ROOT, capture_output=True,
                         text=True, env=dict(os.environ), timeout=60)
    info = json.loads(out.stdout)
    assert info["running"] and info["url"] == cluster["url"]
    assert info["lake"].startswith("ducklake:postgres:")
    assert [r["port"] for r in info["replicas"]] == [r["port"] for r in cluster["replicas"]]
    assert all(r["pid"] and r["lake_version"] == "v000001" for r in info["replicas"])


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


def test_an_import_reaches_both_replicas(cluster, tmp_path):
    from civic.importer import api
    from civic.store import lake
    env = {**os.environ, "CIVIC_LAKE": cluster["lake"],
           "CIVIC_LAKE_DATA": str(Path(os.environ["CIVIC_CLUSTER_DIR"]) / "lake-files")}
    os.environ.update(env)
    try:
        con = lake.connect()
        try:
            rows = api.sample_rows("activities", 3, seed=41, con=con)
        finally:
            con.close()
    finally:
        os.environ.pop("CIVIC_LAKE")
    f = tmp_path / "a.xlsx"
    f.write_bytes(api.template_bytes("activities", rows))
    out = subprocess.run([sys.executable, "-m", "civic", "import", str(f)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    started = time.monotonic()
    _wait_for(lambda: all(r["lake_version"] == "v000002" for r in run.status()["replicas"]), 150,
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
