"""The generated part of BENCHMARKS.md: the Markdown tables of one run, and writing them between the markers."""
from __future__ import annotations

import json
import statistics
from pathlib import Path
from urllib.parse import unquote

from devtools.bench.cluster_rows import cluster_md
from devtools.bench.live_rows import live_md
from devtools.bench.settings import MD_BEGIN, MD_END
from devtools.bench.soak import soak_figures
from devtools.bench.startup import startup_md
from devtools.bench.stats import fmt_bytes, fmt_ms


def _met(m) -> str:
    return "met" if m is True else "**missed**" if m is False else "n/a"


def render_markdown(res: dict) -> str:
    """The generated block of BENCHMARKS.md: one section after another."""
    sections = (_header_md, _targets_md, _builds_md, _pages_md, _slow_queries_md, _baseline_md, _render_md,
                _briefing_md, _imports_md, _soak_md, startup_md, live_md, cluster_md)
    return "\n".join(line for section in sections for line in section(res))


def _header_md(res: dict) -> list[str]:
    """The run's date, machine, versions and the pages not yet built."""
    m, v = res["machine"], res["versions"]
    L: list[str] = []
    L.append(f"_Run {res['date']} ({res['mode']}, {res['runs']} samples per figure, {res['elapsed_s']} s in all). "
             f"Figures are medians (min–max) in milliseconds unless stated._\n")
    L.append(f"- **Machine:** {m.get('cpu_count')} CPUs ({m.get('cpu_model', '?')}), {m.get('memory_gb', '?')} GB, "
             f"{m.get('platform')}; load average {res.get('load_avg_start')} at start, {res.get('load_avg_end')} at end "
             "(the machine is shared: other processes add noise).")
    L.append(f"- **Versions:** Python {m.get('python')}, " + ", ".join(
        f"{k} {v[k]}" for k in ("streamlit", "duckdb", "pandas", "numpy", "pyarrow", "pydeck", "plotly") if k in v)
        + f"; commit {v.get('git_commit')}{' (+ local changes)' if v.get('git_dirty') else ''}, generator "
          f"{v.get('generator_hash')}; data as of {res['as_of']}.")
    if res.get("pages_missing"):
        L.append(f"- **Pages not built yet** (not measured): {', '.join(res['pages_missing'])}.")
    L.append("")
    return L


def _targets_md(res: dict) -> list[str]:
    L: list[str] = []
    L.append("### Targets")
    L.append("")
    L.append("| measure | target | value | |")
    L.append("| --- | --- | --- | --- |")
    for t in res["targets"]:
        L.append(f"| {t['measure']} | {t['target']} | {t['value']} | {_met(t['met'])}"
                 f"{' — ' + t['note'] if t.get('note') else ''} |")
    L.append("")
    return L


def _builds_md(res: dict) -> list[str]:
    L: list[str] = []
    L.append("### Builds")
    L.append("")
    L.append("| scale | wall time | CPU time | activities | database | |")
    L.append("| --- | --- | --- | --- | --- | --- |")
    for s, b in sorted(res["builds"].items(), key=lambda x: int(x[0])):
        rows = (b.get("rows") or {}).get("activities")
        L.append(f"| ×{s} | {b.get('seconds') or '–'} s | {b.get('cpu_seconds') or '–'} s | "
                 f"{rows:,} | {fmt_bytes(b.get('db_bytes'))} | "
                 f"{'cached (built ' + str(b.get('measured_at')) + ')' if b.get('cached') else 'built now'} |"
                 if rows is not None else f"| ×{s} | – | – | – | – | provided |")
    L.append("")
    return L


def _pages_md(res: dict) -> list[str]:
    """One table per scale: every page's figures."""
    L: list[str] = []
    for s in res["scales"]:
        L.append(f"### Pages at ×{s}")
        L.append("")
        L.append("| page | filter change | cold first run | warm rerun | rerun, no change | raw SQL of the rerun: "
                 "executed / all called | warm / raw executed | deck | elements |")
        L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for p in [p for p in res["pages"] if p["scale"] == s]:
            if p.get("errors"):
                L.append(f"| {p['label']} | error: {'; '.join(p['errors'])[:160]} | | | | | | | |")
                continue
            ch = p.get("filter_change") or {}
            chs = (f"{ch.get('widget')}={ch.get('label') or ch.get('value')}" if ch.get("widget") else "rerun")
            L.append(f"| {p['label']} | {chs} | {fmt_ms(p.get('cold_ms'))} | {fmt_ms(p.get('warm_ms'))} | "
                     f"{fmt_ms(p.get('rerun_ms'))} | {fmt_ms(p.get('raw_sql_warm_missed_ms'))} / "
                     f"{fmt_ms(p.get('raw_sql_warm_ms'))} | "
                     f"{p.get('overhead_ratio_missed') if p.get('overhead_ratio_missed') is not None else '–'} | "
                     f"{fmt_bytes(p.get('deck_bytes'))} | {fmt_bytes(p.get('element_bytes'))} |")
        L.append("")
    return L


def _slow_queries_md(res: dict) -> list[str]:
    L: list[str] = []
    big = max(res["scales"])
    slow = [p for p in res["pages"] if p["scale"] == big and p.get("queries")]
    if slow:
        L.append(f"### Slowest named queries per page at ×{big} (raw, median)")
        L.append("")
        L.append("| page | queries (raw ms; cache state in the warm rerun) |")
        L.append("| --- | --- |")
        for p in slow:
            qs = ", ".join(f"{q['name']} {q['raw_ms']['median']:,.0f}" + (" (hit)" if q["warm"] == "hit" else "")
                           for q in p["queries"][:4] if q.get("raw_ms"))
            L.append(f"| {p['label']} | {qs} |")
        L.append("")
    return L


def _baseline_md(res: dict) -> list[str]:
    L: list[str] = []
    L.append("### Pandas baseline: volunteer-trend computations")
    L.append("")
    L.append("| scale | page SQL per rerun | pandas per rerun | speed | CPU per rerun: SQL / pandas | pandas load once "
             "| peak RSS SQL / pandas | net of imports | agrees |")
    L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for s, b in sorted(res.get("baseline", {}).items(), key=lambda x: int(x[0])):
        if b.get("status") != "ok":
            L.append(f"| ×{s} | {b.get('status')} | | | | | | | |")
            continue
        o, pb = b["ours"], b["pandas"]
        ag = pb.get("agrees", {})
        agree = "yes" if all(x is True for x in ag.values()) else "; ".join(f"{k}: {x}" for k, x in ag.items() if x is not True)
        L.append(f"| ×{s} | {fmt_ms(o['rerun_ms'])} | {fmt_ms(pb['rerun_ms'])} | {b.get('speed_ratio')}× | "
                 f"{fmt_ms(o.get('rerun_cpu_ms'))} / {fmt_ms(pb.get('rerun_cpu_ms'))} ({b.get('cpu_ratio')}×) | "
                 f"{pb.get('load_s')} s ({pb.get('rows'):,} rows) | {o['peak_rss_mb']:.0f} / {pb['peak_rss_mb']:.0f} MB "
                 f"({b.get('memory_ratio')}) | {o['net_peak_mb']:.0f} / {pb['net_peak_mb']:.0f} MB "
                 f"({b.get('net_memory_ratio')}) | {agree} |")
    if res.get("baseline"):
        any_b = next((b for b in res["baseline"].values() if b.get("status") == "ok"), None)
        if any_b:
            L.append("")
            L.append(f"Per rerun = {', '.join(any_b['queries'])} for one filter state; states: " + "; ".join(
                f"{'+'.join(st['towns']) or 'all towns'} {st['preset']}" for st in any_b["ours"]["states"]) + ".")
    L.append("")
    return L


def _render_md(res: dict) -> list[str]:
    L: list[str] = []
    L.append("### The map drawn in Chromium")
    L.append("")
    render = res.get("render") or {}
    if render.get("status") == "ok":
        L.append(f"Navigation → the page drawn: the later of its last DOM change and the end of its last main-thread "
                 "long task (a WebGL frame changes no DOM) before it settled (map frame, tables, charts drawn), at "
                 f"×{render.get('scale')}, {render['viewport'][0]}×{render['viewport'][1]}, Debian's Chromium headless "
                 "(software WebGL: no GPU here). First visit: fresh browser profile, server just started. Return "
                 "visits: new tabs in that profile (cached scripts), median (min–max).")
        L.append("")
        L.append("| page | first visit | return visits | settled (return, median) | exceptions | requests off the machine |")
        L.append("| --- | --- | --- | --- | --- | --- |")
        for path, r in render["paths"].items():
            st = statistics.median(v["settled_ms"] for v in r["warm"]) if r["warm"] else None
            L.append(f"| {unquote(path)} | {r['cold']['render_ms']:,.0f} | {r['warm_render_ms']:,.0f} "
                     f"({r['warm_render_min_ms']:,.0f}–{r['warm_render_max_ms']:,.0f}) | "
                     f"{st:,.0f} | {r['exceptions']} | {len(r['external_requests'])} |")
    else:
        L.append(f"{render.get('status', 'not run')}.")
    L.append("")
    return L


def _briefing_md(res: dict) -> list[str]:
    L: list[str] = []
    L.append("### Leaders' briefing (PDF + phone PNG)")
    L.append("")
    for sc, b in sorted((res.get("briefing") or {}).items(), key=lambda x: int(x[0])):
        L.append(f"- ×{sc}: " + (f"first in the process {b['cold_s']} s (Chromium started), then {fmt_ms(b['warm_s'])} ms; "
                                 f"PDF {fmt_bytes(b['pdf_bytes'])}, 口径核对 {b['facts']}"
                                 if b.get("status") == "ok" else str(b.get("status"))))
    L.append("")
    return L


def _imports_md(res: dict) -> list[str]:
    """The admin page's sample download and a confirmed activities import, per scale (devtools/bench/imports.py)."""
    imports = res.get("imports") or {}
    if not imports:
        return []
    L = ["### Imports", "", "| scale | sample rows: first after a publish | then | confirm the import |",
         "| --- | --- | --- | --- |"]
    for sc, m in sorted(imports.items(), key=lambda x: int(x[0])):
        if m.get("status") == "ok":
            L.append(f"| ×{sc} | {fmt_ms(m['sample_first_ms'])} | {fmt_ms(m['sample_ms'])} | "
                     f"{fmt_ms(m['commit_ms'])} ({m['rows']} rows) |")
        else:
            L.append(f"| ×{sc} | {m.get('status')} | | |")
    L.append("")
    return L


def _soak_md(res: dict) -> list[str]:
    L: list[str] = []
    L.append("### Screen soak")
    L.append("")
    soak = res.get("soak") or {}
    if soak.get("status") == "ok":
        a, e, g = soak_figures(soak)
        L.append(f"{soak['switches']} switches at ×{soak.get('scale')} in {soak.get('seconds')} s: RSS {a} → {e} MB "
                 f"({g}% growth). Raw result: `{json.dumps(soak.get('result'), ensure_ascii=False)[:600]}`")
    else:
        L.append(f"{soak.get('status', 'not run')}.")
    L.append("")
    return L



def write_benchmarks_md(generated: str, path: Path) -> None:
    """Replace the generated block of BENCHMARKS.md; keep everything written outside the markers."""
    block = MD_BEGIN + "\n" + generated + MD_END
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if MD_BEGIN in text and MD_END in text:
            head, rest = text.split(MD_BEGIN, 1)
            tail = rest.split(MD_END, 1)[1]
            path.write_text(head + block + tail, encoding="utf-8")
            return
        path.write_text(text.rstrip() + "\n\n## Latest run\n\n" + block + "\n", encoding="utf-8")
        return
    path.write_text("# Benchmarks\n\n`make bench` (docs/bench.md). The block below is regenerated by every run; "
                    "diagnoses and plans are written outside it.\n\n## Latest run\n\n" + block + "\n",
                    encoding="utf-8")
