"""`make cluster` / `make cluster-status` / `make cluster-stop` (python -m civic cluster start|status|stop).

One machine playing a prefecture's cluster (docs/deploy.md): the project-owned PostgreSQL (pg.py) holding
the DuckLake catalog, the lake's data files in a local folder (NFS in production), the lake created or
migrated from the current published snapshot, N Streamlit replicas each with its follower (follow.py)
materialising the lake's snapshots into the replica's own data folder, and nginx (nginx.py) in front.
Everything runs in the background, in its own session (process group), and is recorded in
cluster/state.json; stop ends every one of them and waits until they are gone.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from civic import paths
from civic.cluster import follow, nginx, pg
from civic.store import lake, snapshots

DEFAULT_PORT = 8080
DEFAULT_REPLICAS = 2


def home() -> Path:
    """Everything the cluster writes: cluster/ in the project (git-ignored), or CIVIC_CLUSTER_DIR."""
    return Path(os.environ.get("CIVIC_CLUSTER_DIR") or paths.ROOT / "cluster").resolve()


def _state_path() -> Path:
    return home() / "state.json"


def lake_url(srv: pg.PgServer) -> str:
    return f"ducklake:postgres:{srv.dsn}"


def _spawn(cmd: list[str], env: dict[str, str], log: Path) -> int:
    """A background process in its own session, so stop() can end it and all its children at once."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=paths.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    return proc.pid


def lake_files() -> Path:
    """Where the lake's data files go: CIVIC_LAKE_DATA (the NFS mount of a prefecture), else cluster/lake-files."""
    return Path(os.environ.get("CIVIC_LAKE_DATA") or home() / "lake-files")


def _replica_env(url: str, data_dir: Path) -> dict[str, str]:
    # reads come from the replica's own data folder; writes (the admin page's imports, rollbacks) go to the lake
    return {**os.environ, "CIVIC_DATA_DIR": str(data_dir), "CIVIC_LAKE": url,
            "CIVIC_LAKE_DATA": str(lake_files()), "MALLOC_ARENA_MAX": "2"}


def _start_replica(i: int, url: str, say) -> dict:
    data_dir = home() / f"replica-{i}"
    env = _replica_env(url, data_dir)
    # the first materialisation happens before the replica starts, so it never serves an empty folder
    subprocess.run([sys.executable, "-m", "civic", "cluster", "follow", "--once"], cwd=paths.ROOT, env=env,
                   check=True)
    port = pg.free_port()
    pid = _spawn([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                  "--server.address", "127.0.0.1", "--server.headless", "true"], env, home() / f"replica-{i}.log")
    follower = _spawn([sys.executable, "-m", "civic", "cluster", "follow"], env, home() / f"follower-{i}.log")
    say(f"副本 replica {i}: http://127.0.0.1:{port} (pid {pid}, follower {follower})")
    return {"port": port, "pid": pid, "follower_pid": follower, "data_dir": str(data_dir)}


def _healthy(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def start(port: int = DEFAULT_PORT, n_replicas: int = DEFAULT_REPLICAS, say=print) -> dict:
    """Start everything and return once PostgreSQL, every replica and nginx answer; the state as JSON."""
    if _state_path().exists() and status().get("running"):
        raise RuntimeError("集群已在运行，先执行 make cluster-stop (already running)")
    home().mkdir(parents=True, exist_ok=True)
    home().chmod(0o755)
    srv = pg.start(home() / "pg", log=home() / "pg.log")
    url = lake_url(srv)
    say(f"PostgreSQL: 127.0.0.1:{srv.port} (pid {srv.pid})")
    os.environ["CIVIC_LAKE_DATA"] = str(lake_files())
    done = lake.migrate(snapshots.current().path, url, user=snapshots._user())
    say(f"数据湖 lake {done['version']}: {len(done['created'])} 张表新建, {len(done['altered'])} 列新增 "
        f"(tables created, columns added) → {url}")
    replicas: list[dict] = []
    state: dict = {"url": f"http://127.0.0.1:{port}", "lake": url, "pg": {"port": srv.port, "pid": srv.pid},
                   "replicas": replicas}
    try:
        for i in range(n_replicas):
            replicas.append(_start_replica(i, url, say))
            _write_state(state)
        for r in replicas:
            if not _healthy(f"http://127.0.0.1:{r['port']}", 120):
                raise RuntimeError(f"副本未就绪 replica on port {r['port']} not healthy; see {home()}")
        state["nginx"] = {"pid": nginx.start(home() / "nginx", port, [r["port"] for r in replicas])}
        _write_state(state)
        if not _healthy(state["url"], 30):
            raise RuntimeError(f"nginx 未就绪 (not healthy on {state['url']})")
    except BaseException:
        stop(say=lambda s: None)
        raise
    say(f"集群已就绪 cluster ready: {state['url']}")
    return state


def _write_state(state: dict) -> None:
    tmp = _state_path().with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, _state_path())


def _read_state() -> dict:
    try:
        return json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _served(data_dir: str) -> str | None:
    """The lake version a replica's data folder currently serves (its pointer's note)."""
    try:
        note = json.loads((Path(data_dir) / "current.json").read_text(encoding="utf-8")).get("note", "")
    except (OSError, json.JSONDecodeError):
        return None
    return follow.served(note)


def status() -> dict:
    """url, lake, replicas [{port, pid, alive, lake_version}], and whether everything is up."""
    state = _read_state()
    if not state:
        return {"running": False, "url": None, "lake": None, "replicas": []}
    replicas = [{"port": r["port"], "pid": r["pid"], "alive": pg.alive(r["pid"]), "follower_pid": r["follower_pid"],
                 "lake_version": _served(r["data_dir"])} for r in state.get("replicas", [])]
    srv = pg.running(home() / "pg")
    web = nginx.master_pid(home() / "nginx")
    return {"running": bool(srv and web and all(r["alive"] for r in replicas)), "url": state.get("url"),
            "lake": state.get("lake"), "replicas": replicas, "postgres": {"port": srv.port, "pid": srv.pid} if srv
            else None, "nginx": {"pid": web} if web else None}


def _end_groups(pids: list[int], timeout: float = 15) -> None:
    """SIGTERM every process group at once (Streamlit shuts down gracefully), wait for all of them under one
    deadline, then SIGKILL whatever is left."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(pg.alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def stop(say=print) -> None:
    """nginx first (no new requests), then the replicas and their followers, then PostgreSQL."""
    state = _read_state()
    nginx.stop(home() / "nginx")
    _end_groups([int(p) for r in state.get("replicas", []) for p in (r.get("follower_pid"), r.get("pid")) if p])
    pg.stop(home() / "pg")
    with contextlib.suppress(FileNotFoundError):
        _state_path().unlink()
    say("集群已停止 cluster stopped")
