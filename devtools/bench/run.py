"""The whole run: databases, pages, baseline, Chromium, briefing, soak; then results.json and BENCHMARKS.md."""
from __future__ import annotations

import json
import time
import traceback
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from devtools.bench.baseline import measure_baseline
from devtools.bench.chromium import measure_briefing, measure_public, measure_render
from devtools.bench.cluster_rows import measure_cluster
from devtools.bench.data import ensure_database, prune_cache, use_data_dir
from devtools.bench.imports import measure_imports
from devtools.bench.live_rows import measure_live
from devtools.bench.pages import admin_password, measure_item
from devtools.bench.record import Item, discover, quiet_streamlit
from devtools.bench.report import render_markdown, write_benchmarks_md
from devtools.bench.settings import AS_OF, BENCH_DIR, BENCHMARKS_MD, MD_BEGIN, MD_END, SCHEMA_VERSION, SMOKE_OUT
from devtools.bench.soak import measure_soak
from devtools.bench.startup import measure_startup
from devtools.bench.stats import fmt_ms, load_avg, machine_info, say, versions
from devtools.bench.targets import evaluate_targets


def run_bench(scales: list[int], runs: int, *, smoke: bool = False, pages: list[str] | None = None,
              baseline: bool = True, soak: bool = True, soak_switches: int = 2000, rebuild: bool = False,
              out_dir: Path | None = None, data_dirs: dict[int, Path] | None = None, as_of: date = AS_OF,
              timeout: float = 300, profile: bool = False, write_md: bool = True, soak_tabs: int | None = 8,
              render: bool = True, briefing: bool = True, live: bool = True, startup: bool = True,
              imports: bool = True, cluster: bool = True) -> dict:
    """Run everything; write results.json (and BENCHMARKS.md unless smoke) to out_dir. Returns the results."""
    t_start = time.perf_counter()
    out_dir = out_dir or (SMOKE_OUT if smoke else BENCH_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {
        "schema": SCHEMA_VERSION, "mode": "smoke" if smoke else "full",
        "date": datetime.now().astimezone().isoformat(timespec="seconds"), "as_of": as_of.isoformat(),
        "runs": runs, "scales": scales, "machine": machine_info(), "versions": versions(),
        "load_avg_start": load_avg(), "builds": {}, "pages": [], "baseline": {}, "soak": None, "render": None,
        "public": None, "live": None,
    }
    quiet_streamlit()
    say(f"civic bench ({res['mode']}): scales {scales}, {runs} run(s), load {res['load_avg_start']}")
    data_dirs = _databases(res, scales, dict(data_dirs or {}), as_of, rebuild)
    if not smoke:
        prune_cache()
    items = discover(pages)
    _measure_pages(res, items, data_dirs, runs, timeout, smoke=smoke,
                   profile_dir=(out_dir / "profiles") if profile else None)
    if baseline:
        _measure_baselines(res, data_dirs, runs)
    if render:
        _measure_chromium(res, data_dirs, runs)
    if startup:
        # a real server per page for its first request, and every page drawn in Chromium (×1)
        s = min(scales)
        paths = [f"/{pid}" for pid in dict.fromkeys(i.spec.id for i in items)]
        res["startup"] = st = {**measure_startup(data_dirs[s], runs, paths=paths), "scale": s}
        say(f"  ×{s} startup: {st['seconds']} s; first request {st.get('first_request', {}).get('status', 'ok')}, "
            f"Chromium {st.get('navigation', {}).get('status', 'ok')}")
    if briefing:
        _measure_briefings(res, scales, data_dirs, runs)
    if imports:
        _measure_imports(res, scales, data_dirs, runs)
    if soak:
        s = min(scales)
        res["soak"] = {**measure_soak(data_dirs[s], soak_switches, timeout=900.0, warmup=5 if smoke else None,
                                      tabs=soak_tabs),
                       "scale": s}
        say(f"  soak: {res['soak'].get('status')}")
    if live:
        s = max(scales)
        say(f"  live server at ×{s}:")
        t_live = time.perf_counter()
        res["live"] = measure_live(data_dirs[s], s, runs if smoke else max(runs, 3), smoke=smoke, pages=pages)
        res["live"]["seconds"] = round(time.perf_counter() - t_live, 1)
        say(f"  live server: {res['live']['seconds']} s")
    if cluster:
        res["cluster_load"] = measure_cluster(data_dirs[min(scales)], min(scales), smoke=smoke)
    res["targets"] = evaluate_targets(res)
    res["load_avg_end"] = load_avg()
    res["elapsed_s"] = round(time.perf_counter() - t_start, 1)
    _write(res, out_dir, smoke=smoke, write_md=write_md)
    return res


def _measure_briefings(res: dict, scales: list[int], data_dirs: dict[int, Path], runs: int) -> None:
    res["briefing"] = {}
    for s in scales:
        res["briefing"][str(s)] = b = measure_briefing(data_dirs[s], runs)
        say(f"  ×{s} briefing: " + (f"first {b['cold_s']} s, then {fmt_ms(b['warm_s'])} ms"
                                    if b.get("status") == "ok" else str(b.get("status"))))


def _measure_imports(res: dict, scales: list[int], data_dirs: dict[int, Path], runs: int) -> None:
    res["imports"] = {}
    for s in scales:
        res["imports"][str(s)] = m = measure_imports(data_dirs[s], runs)
        say(f"  ×{s} imports: " + (f"sample rows {fmt_ms(m['sample_ms'])} ms (first {fmt_ms(m['sample_first_ms'])}),"
                                   f" confirm {m['rows']} rows {fmt_ms(m['commit_ms'])} ms"
                                   if m.get("status") == "ok" else str(m.get("status"))))


def _databases(res: dict, scales: list[int], data_dirs: dict[int, Path], as_of: date,
               rebuild: bool) -> dict[int, Path]:
    """The data dir of every scale: the ones given, else the cached (or newly built) databases."""
    for s in scales:
        if s in data_dirs:
            res["builds"][str(s)] = {"scale": s, "seconds": None, "cached": True, "provided": True}
            continue
        d, info = ensure_database(s, as_of, rebuild)
        data_dirs[s] = d
        res["builds"][str(s)] = info
        say(f"  ×{s}: {'cached, built in' if info['cached'] else 'built in'} {info['seconds']:.1f} s")
    return data_dirs


def _measure_pages(res: dict, items: list[Item], data_dirs: dict[int, Path], runs: int, timeout: float, *,
                   smoke: bool, profile_dir: Path | None) -> None:
    """Every page and scene at every scale (profiles, if asked, at the largest scale only)."""
    from civic.app import nav
    scales = res["scales"]
    res["items"] = [i.label for i in items]
    missing = [p.id for p in nav.PAGES if p not in nav.available()]
    res["pages_missing"] = missing
    say(f"  pages: {', '.join(res['items'])}" + (f" (not yet built: {', '.join(missing)})" if missing else ""))
    with admin_password():
        for s in scales:
            with use_data_dir(data_dirs[s]):
                for item in items:
                    # one untimed sample per page before the first scale: imports, first map build, file cache
                    warmup = not smoke and s == scales[0]
                    prof = (profile_dir / f"x{s}") if profile_dir is not None and s == max(scales) else None
                    t0 = time.perf_counter()
                    r = _measure_one(item, runs, timeout, warmup, prof)
                    r["scale"] = s
                    res["pages"].append(r)
                    say(f"  ×{s} {item.label:<22} cold {fmt_ms(r.get('cold_ms')):>22}  warm "
                        f"{fmt_ms(r.get('warm_ms')):>20}  its raw SQL {fmt_ms(r.get('raw_sql_warm_missed_ms')):>18}"
                        f"  [{time.perf_counter() - t0:.0f} s]" + ("  ERROR" if r.get("errors") else ""))


def _measure_one(item: Item, runs: int, timeout: float, warmup: bool, prof: Path | None) -> dict:
    try:
        return measure_item(item, runs, timeout, warmup=warmup, profile_dir=prof)
    except Exception as exc:  # noqa: BLE001 - one broken page must not stop the bench
        kind = "timeout" if "timed out" in str(exc).lower() else "harness"
        return {"page": item.spec.id, "label": item.label, "scene": item.scene,
                "analyst": item.analyst, "errors": [f"{kind}: {type(exc).__name__}: {exc}"[:500]],
                "traceback": traceback.format_exc()[-2000:]}


def _measure_baselines(res: dict, data_dirs: dict[int, Path], runs: int) -> None:
    for s in res["scales"]:
        try:
            b = measure_baseline(data_dirs[s], runs)
        except Exception as exc:  # noqa: BLE001
            b = {"status": f"failed: {type(exc).__name__}: {exc}"[:2000]}
        res["baseline"][str(s)] = b
        if b.get("status") == "ok":
            say(f"  ×{s} baseline: ours {fmt_ms(b['ours']['rerun_ms'])} ms, pandas "
                f"{fmt_ms(b['pandas']['rerun_ms'])} ms → {b.get('speed_ratio')}×; peak "
                f"{b['ours']['peak_rss_mb']:.0f} vs {b['pandas']['peak_rss_mb']:.0f} MB")
        else:
            say(f"  ×{s} baseline: {b.get('status')}")


def _measure_chromium(res: dict, data_dirs: dict[int, Path], runs: int) -> None:
    """The map at the largest scale, the residents' page at the smallest."""
    s = max(res["scales"])
    res["render"] = {**measure_render(data_dirs[s], runs), "scale": s}
    for path, r in (res["render"].get("paths") or {}).items():
        say(f"  ×{s} render {unquote(path)}: first visit {r['cold']['render_ms']:,.0f} ms, return visits "
            f"{r['warm_render_ms']:,.0f} ms ({r['warm_render_min_ms']:,.0f}–{r['warm_render_max_ms']:,.0f})")
    if res["render"].get("status") != "ok":
        say(f"  render: {res['render'].get('status')}")
    res["public"] = measure_public(data_dirs[min(res["scales"])], runs)
    say(f"  residents' page: {res['public'].get('status')}, return visits "
        f"{res['public'].get('warm_render_ms')} ms, payload {res['public'].get('payload_bytes')} B")


def _write(res: dict, out_dir: Path, *, smoke: bool, write_md: bool) -> None:
    """results.json, and the Markdown: BENCHMARKS.md's generated block (smoke: a file of its own in out_dir)."""
    (out_dir / "results.json").write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str) + "\n",
                                          encoding="utf-8")
    md = render_markdown(res)
    if write_md and not smoke:
        write_benchmarks_md(md, BENCHMARKS_MD if out_dir == BENCH_DIR else out_dir / "BENCHMARKS.md")
    elif write_md:
        (out_dir / "BENCHMARKS.md").write_text(MD_BEGIN + "\n" + md + MD_END + "\n", encoding="utf-8")
    print(md)
