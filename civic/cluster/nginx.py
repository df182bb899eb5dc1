"""nginx (Debian's package, 1.22) in front of the replicas: its configuration, start and stop.

- WebSocket upgrade for Streamlit's /_stcore/stream.
- Sticky sessions: a session's page load, its WebSocket and its uploads must reach the same replica (a
  Streamlit session lives in one process). nginx stamps each browser with a `civic_route` cookie and hashes
  on it (`hash … consistent`); the first request, which has no cookie yet, is hashed on the very value the
  cookie is then set to, so it lands where the cookie will send the rest. `ip_hash` would put every client
  behind an office NAT (and every load-test session on loopback) on one replica.
- Health: open-source nginx has no active checks; a replica that refuses connections or fails is marked down
  for `fail_timeout` and the request is passed to the next one (`proxy_next_upstream`), so new sessions go
  to the survivors and a Streamlit client's reconnect lands on a live replica. `/_stcore/health` is proxied,
  and `make cluster` waits on it for every replica and through nginx before returning.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

WORKER_USER = "www-data"


def binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def config(prefix: Path, port: int, replicas: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in replicas)
    user = f"user {WORKER_USER};" if os.geteuid() == 0 else ""
    return f"""# written by civic/cluster/nginx.py (make cluster); see that module for why each line is there
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon on;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    client_max_body_size 11m;

    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    map $cookie_civic_route $civic_route {{ "" $request_id; default $cookie_civic_route; }}
    map $cookie_civic_route $civic_route_cookie {{ "" "civic_route=$request_id; Path=/; HttpOnly; SameSite=Lax"; default ""; }}

    upstream civic_replicas {{
        hash $civic_route consistent;
{servers}
    }}

    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_read_timeout 1d;
        proxy_next_upstream error timeout http_502 http_503;
        proxy_connect_timeout 2s;
        add_header Set-Cookie $civic_route_cookie;
        add_header X-Civic-Replica $upstream_addr always;     # which replica answered (tests, debugging)
        location / {{
            proxy_pass http://civic_replicas;
        }}
    }}
}}
"""


def start(prefix: Path, port: int, replicas: list[int]) -> int:
    """Write the configuration, test it and start nginx (it daemonises). Returns the master's pid."""
    exe = binary()
    if exe is None:
        raise RuntimeError("未找到 nginx：请先安装 apt-get install nginx (nginx not installed)")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            ent = pwd.getpwnam(WORKER_USER)
            os.chown(prefix / "tmp" / sub, ent.pw_uid, ent.pw_gid)
    conf = prefix / "nginx.conf"
    conf.write_text(config(prefix, port, replicas), encoding="utf-8")
    args = [exe, "-p", str(prefix), "-c", str(conf)]
    test = subprocess.run([*args, "-t"], capture_output=True, text=True)
    if test.returncode != 0:
        raise RuntimeError(f"nginx 配置无效 (bad configuration): {test.stderr.strip()}")
    subprocess.run(args, check=True, capture_output=True, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pid = master_pid(prefix)
        if pid:
            return pid
        time.sleep(0.05)
    raise RuntimeError(f"nginx 未能启动，见 {prefix}/error.log (did not start)")


def master_pid(prefix: Path) -> int | None:
    try:
        pid = int((prefix / "nginx.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def stop(prefix: Path, timeout: float = 15) -> None:
    """Graceful quit (the master waits for its workers), then a kill if it lingers."""
    pid = master_pid(prefix)
    if pid is None:
        return
    os.kill(pid, signal.SIGQUIT)
    deadline = time.monotonic() + timeout
    while master_pid(prefix) == pid and time.monotonic() < deadline:
        time.sleep(0.05)
    if master_pid(prefix) == pid:
        os.kill(pid, signal.SIGKILL)
