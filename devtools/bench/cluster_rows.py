"""The cluster's load row in a run (issue 22): a bounded curve of devtools/cluster_load.py (tabs through nginx,
1 and 2 replicas, at the smallest scale), its Targets row and its section of BENCHMARKS.md."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from devtools.bench.settings import (
    CLUSTER_CHANGES,
    CLUSTER_CHANGES_SMOKE,
    CLUSTER_SESSIONS,
    CLUSTER_SESSIONS_SMOKE,
    TARGET_CLUSTER_P95_MS,
)


def measure_cluster(data_dir: Path, scale: int, *, smoke: bool, say: Callable[[str], None] = print) -> dict:
    """The bounded curve; without PostgreSQL or nginx, or when it fails, its status says why."""
    from civic.cluster import nginx, pg
    from devtools import cluster_load
    if not pg.available() or nginx.binary() is None:
        return {"status": "skipped: PostgreSQL or nginx not installed (apt-get install postgresql nginx)"}
    say(f"  cluster load (nginx, 1 and 2 replicas) at ×{scale}:")
    try:
        res = cluster_load.curve(data_dir, CLUSTER_SESSIONS_SMOKE if smoke else CLUSTER_SESSIONS, (1, 2),
                                 CLUSTER_CHANGES_SMOKE if smoke else CLUSTER_CHANGES, say=say)
    except Exception as exc:  # noqa: BLE001 - a broken cluster must not stop the bench
        res = {"status": f"failed: {type(exc).__name__}: {exc}"[:500]}
        say(f"  cluster load: {res['status']}")
    return {**res, "scale": scale}


def cluster_targets(res: dict) -> list[dict]:
    """One row: p95 through nginx with 2 replicas at the row's largest N, no errors."""
    if not res:
        return []
    runs = [r for r in res.get("runs") or [] if r["replicas"] == 2]
    measure = f"cluster: p95 change → rendered through nginx, 2 replicas (×{res.get('scale')})"
    target = f"≤ {TARGET_CLUSTER_P95_MS / 1000:.0f} s, no errors"
    if res.get("status") != "ok" or not runs:
        return [{"id": "cluster_load", "measure": measure, "target": target, "value": res.get("status", "not run"),
                 "met": None, "note": ""}]
    top = max(runs, key=lambda r: r["sessions"])
    p95 = (top.get("latency_ms") or {}).get("p95")
    errors = sum(r["errors"] for r in res["runs"])
    per_core = {k: c["sessions_per_core"] for k, c in res["ceiling"].items()}
    return [{"id": "cluster_load", "measure": f"{measure}, {top['sessions']} tabs", "target": target,
             "value": f"{p95:,.0f} ms, {errors} errors" if p95 is not None else "–",
             "met": p95 is not None and p95 <= TARGET_CLUSTER_P95_MS and not errors,
             "note": f"sessions per core at p95 ≤ 1 s by replicas: {per_core}"}]


def cluster_md(res: dict) -> list[str]:
    """The section: devtools/cluster_load.py's table and ceiling."""
    from devtools import cluster_load
    c = res.get("cluster_load")
    if not c:
        return []
    head = ["### Cluster load through nginx (1 and 2 replicas)", ""]
    if c.get("status") != "ok":
        return [*head, f"{c.get('status')}.", ""]
    return [*head, cluster_load.markdown(c)]
