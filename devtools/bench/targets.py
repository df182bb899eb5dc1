"""Every measured figure against its target: the rows of the Targets table."""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from devtools.bench.chromium import public_targets
from devtools.bench.cluster_rows import cluster_targets
from devtools.bench.live_rows import live_targets
from devtools.bench.settings import (
    TARGET_BASELINE_CPU,
    TARGET_BASELINE_MEMORY,
    TARGET_BASELINE_SPEED,
    TARGET_BRIEFING_S,
    TARGET_BUILD_S,
    TARGET_COLD_MS,
    TARGET_IMPORT_S,
    TARGET_OVERHEAD_FACTOR,
    TARGET_OVERHEAD_MS,
    TARGET_PAYLOAD_BYTES,
    TARGET_RENDER_MS,
    TARGET_SAMPLE_S,
    TARGET_WARM_MS,
)
from devtools.bench.soak import soak_figures
from devtools.bench.startup import startup_targets
from devtools.bench.stats import fmt_bytes, fmt_ms


def evaluate_targets(res: dict) -> list[dict]:
    """The Targets table, in its order: pages at the largest scale, baseline, deck payload, builds, the map in
    Chromium, the briefing, the soak, the residents' page."""
    scales = sorted(int(s) for s in res["builds"])
    big = max(scales)
    pages = [p for p in res["pages"] if p["scale"] == big]
    return (_page_rows(pages, big) + _baseline_rows(res.get("baseline", {}).get(str(big)) or {}, big)
            + _payload_rows(pages, big) + _build_rows(res["builds"], scales) + _render_rows(res.get("render") or {})
            + _briefing_rows(res.get("briefing") or {}) + _soak_rows(res.get("soak") or {})
            + public_targets(res.get("public") or {}) + _import_rows(res.get("imports") or {})
            + live_targets(res.get("live") or {}) + cluster_targets(res.get("cluster_load") or {})
            + startup_targets(res.get("startup") or {}, (res.get("startup") or {}).get("scale", min(scales))))


def _row(tid: str, measure: str, target: str, value: Any, met: bool | None, note: str = "") -> dict:
    return {"id": tid, "measure": measure, "target": target, "value": value, "met": met, "note": note}


def _page_rows(pages: list[dict], big: int) -> list[dict]:
    out = []
    for p in pages:
        if p.get("errors"):
            out.append(_row("page_error", f"{p['label']} runs", "no exception", "; ".join(p["errors"])[:200], False))
            continue
        if p["analyst"] and p.get("warm_ms"):
            w = p["warm_ms"]["median"]
            out.append(_row("warm", f"warm rerun after a filter change, {p['label']} (×{big})",
                            f"≤ {TARGET_WARM_MS:.0f} ms", f"{w:,.0f} ms", w <= TARGET_WARM_MS))
            # the rerun's own SQL: the queries it executed (cache misses), run raw with the same parameters
            r = (p.get("raw_sql_warm_missed_ms") or {}).get("median")
            if r is not None:
                limit = TARGET_OVERHEAD_FACTOR * r + TARGET_OVERHEAD_MS
                out.append(_row("overhead", f"warm vs its raw SQL, {p['label']} (×{big})", "≤ 2× raw + 100 ms",
                                f"{w:,.0f} ms vs {r:,.0f} ms raw (limit {limit:,.0f})", w <= limit))
        if p.get("cold_ms"):
            c = p["cold_ms"]["median"]
            out.append(_row("cold", f"cold first run, {p['label']} (×{big})", f"≤ {TARGET_COLD_MS / 1000:.1f} s",
                            f"{c:,.0f} ms", c <= TARGET_COLD_MS))
    return out


def _baseline_rows(b: dict, big: int) -> list[dict]:
    if b.get("status") != "ok":
        return [_row("baseline_speed", "volunteer trend vs pandas", f"≥ {TARGET_BASELINE_SPEED:.0f}×",
                     b.get("status", "–"), None)]
    agrees = all(v is True for v in b["pandas"].get("agrees", {}).values())
    note = "" if agrees else f"pandas disagrees with SQL: {b['pandas'].get('agrees')}"
    mr = b.get("memory_ratio")
    return [
        _row("baseline_speed", f"volunteer trend vs pandas (×{big})", f"≥ {TARGET_BASELINE_SPEED:.0f}× faster",
             f"{b.get('speed_ratio')}×", (b.get("speed_ratio") or 0) >= TARGET_BASELINE_SPEED, note),
        _row("baseline_cpu", f"volunteer trend vs pandas in CPU time (×{big})", f"≥ {TARGET_BASELINE_CPU:.0f}× less CPU",
             f"{b.get('cpu_ratio')}× (wall {b.get('speed_ratio')}×)", (b.get("cpu_ratio") or 0) >= TARGET_BASELINE_CPU,
             note),
        _row("baseline_memory", f"volunteer trend peak memory vs pandas (×{big})", "≤ 1/3",
             f"{mr} (net of imports {b.get('net_memory_ratio')})",
             mr is not None and mr <= TARGET_BASELINE_MEMORY, note),
    ]


def _payload_rows(pages: list[dict], big: int) -> list[dict]:
    payloads = [p["deck_bytes"] for p in pages if p.get("deck_bytes")]
    if not payloads:
        return []
    return [_row("payload", f"map deck payload (×{big}, largest)", "≤ 5 MB", fmt_bytes(max(payloads)),
                 max(payloads) <= TARGET_PAYLOAD_BYTES)]


def _build_rows(builds: dict, scales: list[int]) -> list[dict]:
    out = []
    for s in scales:
        v = builds[str(s)].get("seconds")
        if s in TARGET_BUILD_S and v is not None:
            out.append(_row("build", f"×{s} build", f"≤ {TARGET_BUILD_S[s]:.0f} s", f"{v:.1f} s",
                            v <= TARGET_BUILD_S[s],
                            "cached: time of the build that made it" if builds[str(s)].get("cached") else ""))
    return out


def _render_rows(render: dict) -> list[dict]:
    out = []
    for path, r in (render.get("paths") or {}).items():
        w = r.get("warm_render_ms")
        ok = w is not None and w <= TARGET_RENDER_MS and not r.get("exceptions") and not r.get("external_requests")
        out.append(_row(
            "render", f"map drawn in Chromium, {unquote(path)} (×{render.get('scale')}, return visit)",
            f"≤ {TARGET_RENDER_MS / 1000:.0f} s", f"{w:,.0f} ms (first visit {r['cold']['render_ms']:,.0f} ms)"
            if w is not None else "–", ok,
            "; ".join(x for x in (f"{r.get('exceptions')} exceptions" if r.get("exceptions") else "",
                                   f"requests off the machine: {r.get('external_requests')}"
                                   if r.get("external_requests") else "") if x)))
    return out


def _briefing_rows(briefing: dict) -> list[dict]:
    out = []
    for sc, b in sorted(briefing.items(), key=lambda x: int(x[0])):
        limit = TARGET_BRIEFING_S.get(int(sc))
        if b.get("status") == "ok" and limit:
            out.append(_row("briefing", f"briefing PDF + phone PNG, first of the process (×{sc})",
                            f"≤ {limit:.0f} s", f"{b['cold_s']:.1f} s (then {fmt_ms(b['warm_s'])} ms)",
                            b["cold_s"] <= limit and not b["blocked_requests"],
                            f"requests off the machine: {b['blocked_requests']}" if b["blocked_requests"] else ""))
    return out


def _soak_rows(soak: dict) -> list[dict]:
    if soak.get("status") != "ok":
        return []
    a, e, g = soak_figures(soak)
    return [_row("soak", f"screen soak RSS growth ({soak['switches']} switches)", "< 10% after warm-up",
                 f"{a} → {e} MB ({g}%)", g is not None and g < 10)]


def _import_rows(imports: dict) -> list[dict]:
    """At every scale: the sample download (the later ones: the first builds the snapshot's lookups, as
    the first visitor after a publish does; its time is shown beside) and confirming the import."""
    out = []
    for sc, m in sorted(imports.items(), key=lambda x: int(x[0])):
        if m.get("status") != "ok":
            out.append(_row("import", f"imports (×{sc})", "run", m.get("status", "–"), False))
            continue
        s, f, c = m["sample_ms"]["median"], m["sample_first_ms"]["median"], m["commit_ms"]["median"]
        out.append(_row("sample_rows", f"sample-rows download, {m['sample_rows']} rows (×{sc})",
                        f"≤ {TARGET_SAMPLE_S:.0f} s", f"{s:,.0f} ms (first after a publish {f:,.0f} ms)",
                        s <= TARGET_SAMPLE_S * 1000))
        out.append(_row("import_commit", f"confirm a {m['rows']}-row activities import (×{sc})",
                        f"≤ {TARGET_IMPORT_S:.0f} s", f"{c:,.0f} ms", c <= TARGET_IMPORT_S * 1000))
    return out
