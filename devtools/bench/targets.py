"""Every measured figure against its target: the rows of the Targets table."""
from __future__ import annotations

from urllib.parse import unquote

from devtools.bench.chromium import public_targets
from devtools.bench.settings import (
    TARGET_BASELINE_MEMORY,
    TARGET_BASELINE_SPEED,
    TARGET_BRIEFING_S,
    TARGET_BUILD_S,
    TARGET_COLD_MS,
    TARGET_OVERHEAD_FACTOR,
    TARGET_OVERHEAD_MS,
    TARGET_PAYLOAD_BYTES,
    TARGET_RENDER_MS,
    TARGET_WARM_MS,
)
from devtools.bench.soak import soak_figures
from devtools.bench.stats import fmt_bytes, fmt_ms


def evaluate_targets(res: dict) -> list[dict]:
    scales = sorted(int(s) for s in res["builds"])
    big = max(scales)
    out = []

    def add(tid, measure, target, value, met, note=""):
        out.append({"id": tid, "measure": measure, "target": target, "value": value, "met": met, "note": note})

    pages = [p for p in res["pages"] if p["scale"] == big]
    for p in pages:
        if p.get("errors"):
            add("page_error", f"{p['label']} runs", "no exception", "; ".join(p["errors"])[:200], False)
            continue
        if p["analyst"] and p.get("warm_ms"):
            w = p["warm_ms"]["median"]
            add("warm", f"warm rerun after a filter change, {p['label']} (×{big})", f"≤ {TARGET_WARM_MS:.0f} ms",
                f"{w:,.0f} ms", w <= TARGET_WARM_MS)
            # the rerun's own SQL: the queries it executed (cache misses), run raw with the same parameters
            r = (p.get("raw_sql_warm_missed_ms") or {}).get("median")
            if r is not None:
                limit = TARGET_OVERHEAD_FACTOR * r + TARGET_OVERHEAD_MS
                add("overhead", f"warm vs its raw SQL, {p['label']} (×{big})", "≤ 2× raw + 100 ms",
                    f"{w:,.0f} ms vs {r:,.0f} ms raw (limit {limit:,.0f})", w <= limit)
        if p.get("cold_ms"):
            c = p["cold_ms"]["median"]
            add("cold", f"cold first run, {p['label']} (×{big})", f"≤ {TARGET_COLD_MS / 1000:.1f} s",
                f"{c:,.0f} ms", c <= TARGET_COLD_MS)
    b = res.get("baseline", {}).get(str(big)) or {}
    if b.get("status") == "ok":
        agrees = all(v is True for v in b["pandas"].get("agrees", {}).values())
        note = "" if agrees else f"pandas disagrees with SQL: {b['pandas'].get('agrees')}"
        add("baseline_speed", f"volunteer trend vs pandas (×{big})", f"≥ {TARGET_BASELINE_SPEED:.0f}× faster",
            f"{b.get('speed_ratio')}×", (b.get("speed_ratio") or 0) >= TARGET_BASELINE_SPEED, note)
        mr = b.get("memory_ratio")
        add("baseline_memory", f"volunteer trend peak memory vs pandas (×{big})", "≤ 1/3",
            f"{mr} (net of imports {b.get('net_memory_ratio')})",
            mr is not None and mr <= TARGET_BASELINE_MEMORY, note)
    else:
        add("baseline_speed", "volunteer trend vs pandas", f"≥ {TARGET_BASELINE_SPEED:.0f}×", b.get("status", "–"), None)
    payloads = [p["deck_bytes"] for p in pages if p.get("deck_bytes")]
    if payloads:
        add("payload", f"map deck payload (×{big}, largest)", "≤ 5 MB", fmt_bytes(max(payloads)),
            max(payloads) <= TARGET_PAYLOAD_BYTES)
    for s in scales:
        v = res["builds"][str(s)].get("seconds")
        if s in TARGET_BUILD_S and v is not None:
            add("build", f"×{s} build", f"≤ {TARGET_BUILD_S[s]:.0f} s", f"{v:.1f} s", v <= TARGET_BUILD_S[s],
                "cached: time of the build that made it" if res["builds"][str(s)].get("cached") else "")
    render = res.get("render") or {}
    for path, r in (render.get("paths") or {}).items():
        w = r.get("warm_render_ms")
        ok = w is not None and w <= TARGET_RENDER_MS and not r.get("exceptions") and not r.get("external_requests")
        add("render", f"map drawn in Chromium, {unquote(path)} (×{render.get('scale')}, return visit)",
            f"≤ {TARGET_RENDER_MS / 1000:.0f} s", f"{w:,.0f} ms (first visit {r['cold']['render_ms']:,.0f} ms)"
            if w is not None else "–", ok,
            "; ".join(x for x in (f"{r.get('exceptions')} exceptions" if r.get("exceptions") else "",
                                   f"requests off the machine: {r.get('external_requests')}"
                                   if r.get("external_requests") else "") if x))
    for sc, b in sorted((res.get("briefing") or {}).items(), key=lambda x: int(x[0])):
        limit = TARGET_BRIEFING_S.get(int(sc))
        if b.get("status") == "ok" and limit:
            add("briefing", f"briefing PDF + phone PNG, first of the process (×{sc})", f"≤ {limit:.0f} s",
                f"{b['cold_s']:.1f} s (then {fmt_ms(b['warm_s'])} ms)", b["cold_s"] <= limit and not b["blocked_requests"],
                f"requests off the machine: {b['blocked_requests']}" if b["blocked_requests"] else "")
    soak = res.get("soak") or {}
    if soak.get("status") == "ok":
        a, e, g = soak_figures(soak)
        add("soak", f"screen soak RSS growth ({soak['switches']} switches)", "< 10% after warm-up",
            f"{a} → {e} MB ({g}%)", g is not None and g < 10)
    return out + public_targets(res.get("public") or {})
