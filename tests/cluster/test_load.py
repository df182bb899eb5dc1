"""Load through nginx and a replica killed with -9 under it (issue 22, "Faults"), with the load generator of
devtools/cluster_load.py (tabs carrying nginx's sticky cookie, reconnecting as Streamlit's frontend does).

The replicas here are two app servers over the session's default database behind the cluster's nginx
(civic/cluster/nginx.py's configuration): the read path a cluster replica serves, without PostgreSQL and the
followers, whose start (the lake, two materialisations) would take most of a minute and is tested in
test_cluster.py. One pair of servers for the module; the kill comes last."""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from civic.cluster import nginx
from devtools.bench.live import page_towns, read_towns
from devtools.bench.live_load import LOAD_PAGE, load_states
from devtools.cluster_load import Plan, RoutedSession, Tally, page_cookie, run_load
from devtools.wsclient import free_port, run_coro, start_server, stop_server
from tests.cluster.conftest import pg_root


@pytest.fixture(scope="module")
def fleet(built_db):
    """Two app servers behind nginx: {port, replicas: [(addr, proc)], states}."""
    if nginx.binary() is None:
        reason = "nginx is not installed (apt-get install nginx): the cluster tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    home = pg_root()
    ports = [free_port(), free_port()]
    with ThreadPoolExecutor(2) as pool:       # the two servers start side by side
        procs = list(pool.map(lambda p: start_server(built_db, p, home / f"replica-{p}.log",
                                                     env={"MALLOC_ARENA_MAX": "2"}), ports))
    port = free_port()
    try:
        nginx.start(home / "nginx", port, ports)
        yield {"port": port, "replicas": [(f"127.0.0.1:{p}", proc) for p, proc in zip(ports, procs)],
               "states": load_states(page_towns(LOAD_PAGE, read_towns(built_db)))}
    finally:
        nginx.stop(home / "nginx")
        for proc in procs:
            stop_server(proc)
        shutil.rmtree(home, ignore_errors=True)


def _cookies_by_replica(port: int, per_replica: int) -> dict[str, list[str]]:
    """Cookies of tabs that already hold one, chosen so each replica gets `per_replica` tabs (nginx's hash
    decides where a cookie goes; we only ask it)."""
    found: dict[str, list[str]] = {}
    for i in range(64):
        cookie = f"civic_route=loadtab{i}"
        req = urllib.request.Request(f"http://127.0.0.1:{port}/_stcore/health", headers={"Cookie": cookie})
        with urllib.request.urlopen(req, timeout=10) as r:
            found.setdefault(r.headers["X-Civic-Replica"], []).append(cookie)
        if len(found) == 2 and all(len(v) >= per_replica for v in found.values()):
            break
    return {k: v[:per_replica] for k, v in found.items()}


def test_a_small_load_through_nginx_finishes_cleanly_on_both_replicas(fleet):
    # nginx gives each new tab its own cookie, and that tab's websocket reaches the replica its page came from
    cookie, page_replica = page_cookie(fleet["port"])
    assert cookie.startswith("civic_route=")

    async def ws_replica() -> str:
        async with RoutedSession(fleet["port"], cookie) as s:
            return s.replica
    assert run_coro(ws_replica()) == page_replica
    by_replica = _cookies_by_replica(fleet["port"], 3)
    cookies = [c for v in by_replica.values() for c in v][:5]
    res = run_coro(run_load(Plan(fleet["port"], fleet["states"], changes=2, timeout=120, reconnect=False), 5,
                            cookies=cookies))
    assert res["errors"] == 0, res["error_samples"]
    assert res["changes"] == 10 and res["finished_sessions"] == 5
    assert set(res["landed"]) == {addr for addr, _ in fleet["replicas"]}


def test_kill_9_a_replica_under_load(fleet):
    (victim_addr, victim), (survivor_addr, _) = fleet["replicas"]
    cookies = _cookies_by_replica(fleet["port"], 2)
    assert set(cookies) == {victim_addr, survivor_addr}
    changes = 5

    killer: list[asyncio.Task] = []

    def kill_when_clicking(tally: Tally) -> None:
        async def kill() -> None:
            # the tabs are clicking: the victim dies with its tabs mid-stream
            while len(tally.latencies) < 2:
                await asyncio.sleep(0.01)
            os.killpg(victim.pid, signal.SIGKILL)
        killer.append(asyncio.get_running_loop().create_task(kill()))

    res = run_coro(run_load(Plan(fleet["port"], fleet["states"], changes, timeout=120), 4,
                            cookies=cookies[victim_addr] + cookies[survivor_addr], started=kill_when_clicking))
    victim.wait(10)
    assert killer[0].done()
    # every tab made all its changes: the victim's tabs reconnected (same cookie, through nginx) to the survivor
    assert res["errors"] == 0, res["error_samples"]
    assert res["finished_sessions"] == 4 and res["changes"] == 4 * changes
    assert len(res["reconnects"]) == 2 and {to for _, to in res["reconnects"]} == {survivor_addr}
    assert {lost for lost, _ in res["reconnects"]} == {victim_addr}
    # new tabs (nginx's own cookies) go to the survivor, and nginx answers its health check
    assert {page_cookie(fleet["port"])[1] for _ in range(6)} == {survivor_addr}
    with urllib.request.urlopen(f"http://127.0.0.1:{fleet['port']}/_stcore/health", timeout=10) as r:
        assert r.status == 200


def _run(replicas: int, n: int, p95: float, errors: int = 0) -> dict:
    return {"replicas": replicas, "sessions": n, "errors": errors, "latency_ms": {"median": p95 / 2, "p95": p95},
            "changes": 2 * n, "changes_per_s": 5.0,
            "per_replica": {"127.0.0.1:1": {"cores_used": 0.9, "cpu_s": 0.1 * n, "sessions": n}},
            "load_avg": [1.0, 1.0, 1.0]}


def test_the_ceiling_is_the_largest_clean_n_within_a_second_per_core_and_the_bench_shows_it():
    from devtools.bench.cluster_rows import cluster_md, cluster_targets
    from devtools.cluster_load import ceiling
    runs = [_run(1, 10, 400), _run(1, 25, 900), _run(1, 50, 2100), _run(2, 10, 300), _run(2, 25, 700),
            _run(2, 50, 950, errors=1), _run(2, 100, 3000)]
    c = ceiling(runs, cpus=2)
    assert c == {"1": {"sessions": 25, "cores": 1, "sessions_per_core": 25.0},
                 "2": {"sessions": 25, "cores": 2, "sessions_per_core": 12.5}}
    assert ceiling([_run(1, 10, 1500)], cpus=2)["1"]["sessions"] is None
    res = {"status": "ok", "scale": 1, "runs": runs, "ceiling": c, "page": "volunteer", "changes_per_session": 2,
           "think_s": 0.0, "data_dir": "/d", "cpus": 2, "load_avg_start": [1, 1, 1], "load_avg_end": [1, 1, 1],
           "cluster_start_s": 70.0, "seconds": 200.0}
    [row] = cluster_targets(res)
    assert row["met"] is False and "100 tabs" in row["measure"] and "1 errors" in row["value"]
    md = "\n".join(cluster_md({"cluster_load": res}))
    assert "| 2 | 100 | 1500.0 ms | 3000 ms | 5.0 | 0 | 0.9 | 50.0 ms |" in md and "12.5 sessions per core" in md
    assert cluster_targets({"status": "skipped: no nginx"})[0]["met"] is None
