"""`python -m civic COMMAND`: the single command line for operators and CI.

Commands register themselves in COMMANDS so each concern (ingest, simulate, bench) owns its own wiring.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Callable

from civic.demo import build as build_mod
from civic.demo import synth
from civic.store import schema, snapshots

COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def command(name: str, setup: Callable[[argparse.ArgumentParser], None]):
    def deco(fn):
        COMMANDS[name] = (setup, fn)
        return fn
    return deco


def _date(s: str) -> date:
    return date.fromisoformat(s)


def _setup_build(p):
    p.add_argument("--scale", type=int, default=1, help="multiply volumes (N counties of stations)")
    p.add_argument("--out", type=Path, help="write the database here instead of publishing a snapshot")
    p.add_argument("--as-of", type=_date, default=None, help="last day of the data (default: today)")
    p.add_argument("--seed", type=int, default=synth.DEFAULT_SEED)
    p.add_argument("--if-missing", action="store_true", help="do nothing when a snapshot is already published")


@command("build", _setup_build)
def cmd_build(a) -> int:
    if a.if_missing and a.out is None:
        try:
            snap = snapshots.current()
            if snap.path.exists():
                print(f"已有数据 {snap.version}，跳过构建 (snapshot {snap.version} exists)")
                schema.refresh_views(lambda s: print(s, flush=True))
                return 0
        except snapshots.NoSnapshot:
            pass
    cfg = synth.SynthConfig(seed=a.seed, scale=a.scale, as_of=a.as_of or date.today())
    say = lambda s: print(s, flush=True)  # noqa: E731
    if a.out:
        if a.out.exists():
            a.out.unlink()
        build_mod.build(a.out, cfg, say)
        return 0
    tmp = snapshots.new_tmp_path()
    result = build_mod.build(tmp, cfg, say)
    snap = snapshots.publish(tmp, note=f"build scale={a.scale} as_of={cfg.as_of}",
                             audit={"action": "build", "scale": a.scale, "rows_added": sum(result["counts"].values())})
    print(f"已发布 published {snap.version} → {snap.path}")
    return 0


def _setup_status(p):
    p.add_argument("--json", action="store_true")


@command("status", _setup_status)
def cmd_status(a) -> int:
    from civic.store import status as status_mod
    info = status_mod.collect()
    if a.json:
        print(json.dumps(info, ensure_ascii=False, indent=2, default=str))
    else:
        print(status_mod.render_text(info))
    return 0 if info.get("version") else 1


def _setup_rollback(p):
    p.add_argument("version", nargs="?", help="e.g. v000003 (default: the one before the current)")


@command("rollback", _setup_rollback)
def cmd_rollback(a) -> int:
    try:
        snap = snapshots.rollback(a.version)
    except (ValueError, snapshots.NoSnapshot) as exc:
        print(f"回滚失败 rollback failed: {exc}", file=sys.stderr)
        return 2
    print(f"已回滚 rolled back: {snap.note} → {snap.version}")
    return 0


def _setup_purge(p):
    p.add_argument("version", help="the superseded version to delete for good, e.g. v000009")


@command("purge", _setup_purge)
def cmd_purge(a) -> int:
    """Delete a superseded version's file (e.g. a rolled-back import with personal data). Audited."""
    try:
        gone = snapshots.purge(a.version)
    except snapshots.InUse as exc:
        print(f"暂不能清除 cannot purge now: {exc}", file=sys.stderr)
        return 3
    except (ValueError, snapshots.NoSnapshot, snapshots.WriterBusy) as exc:
        print(f"清除失败 purge failed: {exc}", file=sys.stderr)
        return 2
    print(f"已永久删除 purged {gone.version} ({gone.published_at} {gone.note})")
    return 0


def _load_plugins() -> None:
    """Modules that add commands (import/template/simulate/briefing/lan-url) register on import, if present."""
    import importlib
    for mod in ("civic.importer.ingest_cli", "civic.demo.simulate", "civic.public.poster", "civic.briefing.cli",
                "civic.lan", "civic.cluster.cli"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise


def _setup_bench(p: argparse.ArgumentParser) -> None:
    p.add_argument("options", nargs="*", help="see `python -m civic bench --help` (docs/bench.md)")


def cmd_bench(argv: list[str]) -> int:
    """The benchmark is a developer tool (devtools/bench/), not part of the app: imported only when run."""
    from devtools.bench import main as bench_main
    return bench_main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:
        # its options belong to devtools/bench/, which parses them itself
        return cmd_bench(argv[1:])
    if argv[:1] == ["serve"]:
        # the app's launcher (civic/app/warm.py): its options are `streamlit run`'s, passed through untouched
        import importlib
        return importlib.import_module("civic.app.warm").serve(argv[1:])
    _load_plugins()
    parser = argparse.ArgumentParser(prog="python -m civic", description="新时代文明实践与小区治理数据看板 CLI")
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name, (setup, _) in COMMANDS.items():
        setup(sub.add_parser(name))
    _setup_bench(sub.add_parser("bench", help="benchmarks (devtools/bench/, docs/bench.md)"))
    sub.add_parser("serve", help="warm up, then `streamlit run SCRIPT [options]` (civic/app/warm.py)").add_argument(
        "options", nargs="*", help="SCRIPT and `streamlit run` options, e.g. app.py --server.port 8501")
    a = parser.parse_args(argv)
    return COMMANDS[a.cmd][1](a)
