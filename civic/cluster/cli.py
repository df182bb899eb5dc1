"""`python -m civic cluster start|status|stop|follow` (registered on import by cli._load_plugins; the Makefile's
cluster targets call it). docs/deploy.md."""
from __future__ import annotations

import json
import os
import sys

from civic.cli import command


def _setup(p) -> None:
    p.add_argument("action", choices=("start", "status", "stop", "follow"))
    p.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT") or 8080),
                   help="nginx's port (CLUSTER_PORT, default 8080)")
    p.add_argument("--replicas", type=int, default=int(os.environ.get("CLUSTER_REPLICAS") or 2))
    p.add_argument("--once", action="store_true", help="follow: publish the lake's current snapshot and exit")


@command("cluster", _setup)
def cmd_cluster(a) -> int:
    from civic.cluster import follow, run
    if a.action == "follow":
        if a.once:
            follow.sync_once()
        else:
            follow.follow()
        return 0
    if a.action == "status":
        print(json.dumps(run.status(), ensure_ascii=False, indent=2))
        return 0
    if a.action == "stop":
        run.stop()
        return 0
    try:
        run.start(a.port, a.replicas, say=lambda s: print(s, flush=True))
    except Exception as exc:  # noqa: BLE001 - the operator gets one plain line, everything started is stopped
        print(f"集群启动失败 cluster failed to start: {exc}", file=sys.stderr)
        return 2
    return 0
