"""A project-owned PostgreSQL: the DuckLake catalog of the cluster mode (docs/deploy.md).

Debian's `postgresql` package ships the server binaries under /usr/lib/postgresql/<major>/bin; this module
runs them on a data directory inside the project (`cluster/pg`, git-ignored), on a free loopback port, with
no system service involved, so `make cluster` works from a clean clone and `make cluster-stop` leaves no
process behind. PostgreSQL refuses to run as root: when we are root (CI, this box) every server command runs
as the `postgres` system user through `runuser`, and the data directory is handed to that user.

Authentication is `trust` on 127.0.0.1 only (the server listens on no other address): the cluster here is a
single machine. A prefecture's database box sets a password and `listen_addresses` (docs/deploy.md).
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DB_USER = "civic"         # the superuser initdb creates (trust on loopback)
DB_NAME = "lake"          # the database holding the DuckLake catalog
RUN_AS = "postgres"       # the system user the server runs as when we are root


class PgUnavailable(RuntimeError):
    """PostgreSQL's binaries are missing or the server would not start."""


@dataclass(frozen=True)
class PgServer:
    data_dir: Path
    port: int
    pid: int

    @property
    def dsn(self) -> str:
        """libpq keyword form, what DuckDB's postgres extension and DuckLake take."""
        return f"dbname={DB_NAME} host=127.0.0.1 port={self.port} user={DB_USER}"


def bin_dir() -> Path:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/15/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
                   if p.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    which = shutil.which("pg_ctl")
    if which:
        return Path(which).resolve().parent
    raise PgUnavailable("未找到 PostgreSQL：请先安装 apt-get install postgresql (PostgreSQL binaries not found)")


def available() -> bool:
    try:
        bin_dir()
    except PgUnavailable:
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam(RUN_AS)
    except KeyError:
        raise PgUnavailable(f"以 root 运行时需要系统用户 {RUN_AS}（PostgreSQL 拒绝以 root 运行）"
                            f"(running as root needs the '{RUN_AS}' user)") from None
    return ["runuser", "-u", RUN_AS, "--", *cmd]


def _run(cmd: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    out = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, timeout=timeout, cwd="/")
    if out.returncode != 0:
        raise PgUnavailable(f"{Path(cmd[0]).name} failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
    return out


def _hand_over(path: Path) -> None:
    """Give a directory to the server user (only when we are root; otherwise we are that user)."""
    if os.geteuid() == 0:
        ent = pwd.getpwnam(RUN_AS)
        os.chown(path, ent.pw_uid, ent.pw_gid)


def _check_reachable(data_dir: Path) -> None:
    """As root, the server user must be able to walk down to its data directory (pytest's /tmp/pytest-of-root
    is 0700, for one): say so plainly instead of initdb's bare "Permission denied"."""
    if os.geteuid() != 0:
        return
    for parent in data_dir.resolve().parents:
        if not parent.stat().st_mode & stat.S_IXOTH:
            raise PgUnavailable(f"PostgreSQL 的运行用户 {RUN_AS} 无法进入 {parent}（权限 "
                                f"{stat.filemode(parent.stat().st_mode)}），请把数据目录放在可访问的位置 "
                                f"(the server user cannot reach its data directory)")


def init(data_dir: Path) -> bool:
    """initdb the data directory unless it already holds a cluster. Returns whether it created one."""
    if (data_dir / "PG_VERSION").exists():
        return False
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    _hand_over(data_dir)
    _check_reachable(data_dir)
    _run([str(bin_dir() / "initdb"), "-D", str(data_dir), "--auth=trust", "-U", DB_USER, "-E", "UTF8",
          "--locale=C.UTF-8", "--no-instructions"])
    with open(data_dir / "postgresql.conf", "a", encoding="utf-8") as fh:
        # loopback only; the socket beside the data (not /var/run/postgresql, which may not exist or be ours)
        fh.write("\n# civic cluster (civic/cluster/pg.py)\nlisten_addresses = '127.0.0.1'\n"
                 f"unix_socket_directories = '{data_dir}'\nlogging_collector = off\n"
                 "max_connections = 100\nfsync = on\n")
    return True


def running(data_dir: Path) -> PgServer | None:
    """The server on this data directory, if its postmaster is alive (postmaster.pid: pid, dir, start, port)."""
    try:
        lines = (data_dir / "postmaster.pid").read_text(encoding="utf-8").splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return PgServer(data_dir, port, pid)


def start(data_dir: Path, port: int | None = None, log: Path | None = None) -> PgServer:
    """Start (initdb first if needed) and create the catalog database; returns once it accepts connections.
    A server already running on this directory is reused."""
    init(data_dir)
    srv = running(data_dir)
    if srv is None:
        port = port or free_port()
        log = log or data_dir.parent / "pg.log"
        log.touch()
        if os.geteuid() == 0:
            ent = pwd.getpwnam(RUN_AS)
            os.chown(log, ent.pw_uid, ent.pw_gid)
        _run([str(bin_dir() / "pg_ctl"), "-D", str(data_dir), "-l", str(log), "-w", "-t", "60",
              "-o", f"-p {port}", "start"], timeout=90)
        srv = running(data_dir)
        if srv is None:
            raise PgUnavailable(f"PostgreSQL 未能启动，见 {log} (did not start)")
    _ensure_database(srv)
    return srv


def _ensure_database(srv: PgServer) -> None:
    psql = [str(bin_dir() / "psql"), "-h", "127.0.0.1", "-p", str(srv.port), "-U", DB_USER, "-d", "postgres",
            "-tAc"]
    deadline = time.monotonic() + 30
    while True:
        try:
            have = _run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"]).stdout.strip()
            break
        except PgUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    if have != "1":
        _run([str(bin_dir() / "createdb"), "-h", "127.0.0.1", "-p", str(srv.port), "-U", DB_USER, DB_NAME])


def stop(data_dir: Path, timeout: float = 60, mode: str = "fast") -> bool:
    """Stop the server (fast: open transactions roll back; immediate: like a crash, WAL recovery at the next
    start) and wait until its postmaster is gone. Returns whether one was running."""
    srv = running(data_dir)
    if srv is None:
        return False
    with contextlib.suppress(PgUnavailable):
        _run([str(bin_dir() / "pg_ctl"), "-D", str(data_dir), "-m", mode, "-w", "-t", str(int(timeout)), "stop"],
             timeout=timeout + 10)
    deadline = time.monotonic() + timeout
    while alive(srv.pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(srv.pid, 9)     # immediate; PostgreSQL recovers from its WAL at the next start
            break
        time.sleep(0.1)
    return True


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child (we may be its parent when pg_ctl detached badly) counts as gone
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return False
    return True
