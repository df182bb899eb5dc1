"""`python -m civic bench [options]`: the options (docs/bench.md) and the exit status."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devtools.bench.run import run_bench


def _scales(s: str) -> list[int]:
    return sorted({int(x) for x in s.split(",") if x.strip()})


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("--smoke", action="store_true", help="scale 1, one run each, no warm-up: does the harness work?")
    p.add_argument("--scales", type=_scales, default=None, help="comma-separated (default 1,100; smoke: 1)")
    p.add_argument("--runs", type=int, default=None, help="samples per figure (default 5; smoke: 1)")
    p.add_argument("--pages", type=lambda s: [x for x in s.split(",") if x], default=None,
                   help="only these page ids or labels (e.g. volunteer,screen:map)")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--no-soak", action="store_true")
    p.add_argument("--no-render", action="store_true", help="skip drawing the map in Chromium")
    p.add_argument("--no-live", action="store_true",
                   help="skip the live-server rows (websocket: CPU, bytes, sessions, first request after a restart)")
    p.add_argument("--no-briefing", action="store_true", help="skip the leaders' briefing (PDF + PNG in Chromium)")
    p.add_argument("--no-startup", action="store_true",
                   help="skip the first request after a restart and the pages drawn in Chromium (startup.py)")
    p.add_argument("--no-imports", action="store_true", help="skip the sample download and the 500-row import")
    p.add_argument("--no-cluster", action="store_true",
                   help="skip the cluster load row (PostgreSQL, nginx, 1 and 2 replicas; devtools/cluster_load.py)")
    p.add_argument("--soak-switches", type=int, default=None, help="default 2000; smoke: 20")
    p.add_argument("--soak-clients", type=int, default=8, help="clients switching scenes in the soak (default 8)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    p.add_argument("--profile", action="store_true",
                   help="write a pyinstrument profile of one warm rerun per page at the largest scale")
    p.add_argument("--out", type=Path, default=None, help="where results.json goes (default bench/; smoke: bench/cache/smoke)")


def main(argv: list[str]) -> int:
    """`python -m civic bench [options]` (civic/cli.py hands its arguments here)."""
    p = argparse.ArgumentParser(prog="python -m civic bench", description="benchmarks (docs/bench.md)")
    _setup(p)
    return cmd_bench(p.parse_args(argv))


def cmd_bench(a: argparse.Namespace) -> int:
    scales = a.scales or ([1] if a.smoke else [1, 100])
    runs = a.runs or (1 if a.smoke else 5)
    res = run_bench(scales, runs, smoke=a.smoke, pages=a.pages, baseline=not a.no_baseline, soak=not a.no_soak,
                    soak_switches=a.soak_switches or (20 if a.smoke else 2000), rebuild=a.rebuild, out_dir=a.out,
                    profile=a.profile, soak_tabs=a.soak_clients, render=not a.no_render,
                    briefing=not a.no_briefing, live=not a.no_live, startup=not a.no_startup,
                    imports=not a.no_imports, cluster=not a.no_cluster)
    harness_errors = [p for p in res["pages"] if any(str(e).startswith("harness:") for e in p.get("errors", []))]
    page_errors = [p["label"] for p in res["pages"] if p.get("errors")]
    if page_errors:
        print(f"pages that raised: {', '.join(sorted(set(page_errors)))}", file=sys.stderr)
    if harness_errors:
        for p in harness_errors:
            print(p.get("traceback", ""), file=sys.stderr)
        return 2
    return 0
