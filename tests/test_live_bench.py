"""The benchmark's live-server rows (devtools/bench/live*.py, devtools/wsclient.py): their arithmetic and target
rows, and one real `streamlit run` server at ×1 driven over its websocket. Never their timings: those are
`make bench`'s (docs/bench.md)."""
from __future__ import annotations

import pytest

from devtools.bench import live, live_load, live_rows
from devtools.bench.report import render_markdown
from devtools.bench.settings import TARGET_LIVE_BYTES
from devtools.bench.targets import _baseline_rows


def test_percentile_interpolates_between_ranks():
    assert live.percentile([], 95) is None
    assert live.percentile([3.0], 95) == 3.0
    assert live.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert live.percentile(list(map(float, range(1, 21))), 95) == pytest.approx(19.05)
    fig = live.ms([0.1, 0.2, 0.3])
    assert fig == {"median": 200.0, "p95": 290.0, "min": 100.0, "max": 300.0, "n": 3}
    assert live.ms([]) is None


def test_filter_states_are_the_urls_the_app_writes():
    assert live.town_query("夏店镇") == "town=%E5%A4%8F%E5%BA%97%E9%95%87"
    assert live.town_query(None, "this_year") == ""            # the default preset is left out of the URL
    assert live.town_query(None, "last_12m") == "range=last_12m"
    states = live_load.load_states(["甲镇", "乙镇"], ("this_year", "all"))
    assert len(states) == 5 and len(set(states)) == 5 and "" not in states      # "" is where sessions land
    assert all(a != b for a, b in zip(states, states[1:]))


def test_page_towns_start_with_the_page_town_and_keep_to_its_county():
    towns = [
        {"town_code": "140423101", "name": "古韩镇", "county_code": "140423", "has_sites": True, "has_compounds": False},
        {"town_code": "140423103", "name": "夏店镇", "county_code": "140423", "has_sites": True, "has_compounds": False},
        {"town_code": "140423199", "name": "空镇", "county_code": "140423", "has_sites": False, "has_compounds": False},
        {"town_code": "511823101", "name": "九襄镇", "county_code": "511823", "has_sites": False, "has_compounds": True},
    ]
    assert live.page_towns("volunteer", towns) == ["夏店镇", "古韩镇"]
    assert live.page_towns("renovation", towns) == ["九襄镇"]
    assert live.page_towns("admin", towns) == []


def _page(cpu: float, view: float, rerun: float, nbytes: int, errors: list[str] | None = None) -> dict:
    def f(v: float) -> dict:
        return {"median": v, "p95": v, "min": v, "max": v, "n": 1}
    return {"change_cpu_ms": f(cpu), "change_ms": f(cpu * 2), "viewer_cpu_ms": f(view), "viewer_ms": f(view),
            "rerun_cpu_ms": f(rerun), "rerun_ms": f(rerun), "change_bytes": nbytes, "errors": errors or []}


def _live(pages: dict, first_ms: float, runs: list[dict]) -> dict:
    cold = {p: {"first_ms": {"median": first_ms, "n": 1}, "errors": []} for p in pages}
    return {"scale": 100, "pages": {"status": "ok", "runs": 1, "pages": pages},
            "cold": {"status": "ok", "pages": cold}, "load": {"status": "ok", "page": "volunteer", "runs": runs}}


def _load_run(n: int, per_s: float, p95: float, errors: int = 0) -> dict:
    return {"sessions": n, "changes_per_session": 5, "changes": n * 5, "changes_per_s": per_s, "cores_used": 0.8,
            "cpu_per_change_ms": 80.0, "errors": errors, "unchanged": 0, "error_samples": [],
            "latency_ms": {"median": p95 / 2, "p95": p95, "min": 1.0, "max": p95, "n": n * 5}}


def test_live_targets_are_met_only_when_every_page_meets_them():
    good = _live({"overview": _page(60, 20, 10, 90_000), "volunteer": _page(90, 30, 35, 150_000)}, 800,
                 [_load_run(1, 9.0, 150), _load_run(20, 13.0, 900)])
    rows = {r["id"]: r for r in live_rows.live_targets(good)}
    assert set(rows) == {"live_change_cpu", "live_viewer", "live_rerun", "live_bytes", "live_first",
                         "live_throughput", "live_p95"}
    assert all(r["met"] is True for r in rows.values()), rows
    assert rows["live_change_cpu"]["value"] == "worst volunteer 90 ms"
    assert rows["live_throughput"]["value"].startswith("13.0/s at 20 sessions")

    bad = _live({"overview": _page(60, 20, 10, 90_000), "volunteer": _page(450, 30, 200, TARGET_LIVE_BYTES + 1),
                 "stations": _page(50, 10, 10, 10, errors=["filter change: page not found"])}, 1500,
                [_load_run(1, 4.0, 300), _load_run(20, 4.1, 6700, errors=2)])
    rows = {r["id"]: r for r in live_rows.live_targets(bad)}
    assert all(r["met"] is False for r in rows.values()), rows
    assert "missed: volunteer, stations" in rows["live_change_cpu"]["note"]
    assert "page not found" in rows["live_change_cpu"]["note"]        # a page that failed is a miss, not skipped
    assert rows["live_rerun"]["value"] == "worst volunteer 200 ms"
    assert live_rows.live_targets({}) == []


def test_baseline_row_in_cpu_time():
    b = {"status": "ok", "speed_ratio": 3.1, "cpu_ratio": 5.4, "memory_ratio": 0.2, "net_memory_ratio": 0.1,
         "pandas": {"agrees": {"volunteer_kpis": True}}}
    rows = {r["id"]: r for r in _baseline_rows(b, 100)}
    assert rows["baseline_cpu"]["met"] is True and rows["baseline_speed"]["met"] is False
    assert rows["baseline_cpu"]["value"] == "5.4× (wall 3.1×)"


def test_live_section_in_the_report():
    res = {"live": _live({"volunteer": _page(90, 30, 35, 150_000)}, 800, [_load_run(5, 9.0, 400)])}
    md = "\n".join(live_rows.live_md(res))
    assert "### A real server over its websocket" in md
    assert "| volunteer | 90 | 180 | 150.0 kB |" in md
    assert "| 5 | 200.0 | 400 |" in md
    assert "not run." in "\n".join(live_rows.live_md({}))


@pytest.mark.slow
def test_live_rows_against_a_real_server(built_db):
    """One page, one sample, N = 1 and 5: the change really changed the page, the figures are there."""
    out = live_rows.measure_live(built_db, 1, 1, smoke=True, pages=["volunteer"])
    page = out["pages"]["pages"]["volunteer"]
    assert page["errors"] == [], page["errors"]
    for key in ("change_cpu_ms", "change_ms", "viewer_cpu_ms", "viewer_ms", "rerun_cpu_ms", "rerun_ms"):
        assert page[key]["n"] == 1, key
    assert page["change_ms"]["median"] > 0 and page["change_bytes"] > 1000 and page["viewer_bytes"] > 1000
    cold = out["cold"]["pages"]["volunteer"]
    assert cold["errors"] == [] and cold["first_ms"]["median"] > 0
    runs = out["load"]["runs"]
    assert [r["sessions"] for r in runs] == [1, 5]
    assert all(r["errors"] == 0 and r["unchanged"] == 0 and r["changes"] == r["sessions"] * 2 for r in runs), runs
    ids = {r["id"] for r in live_rows.live_targets(out)}
    assert {"live_change_cpu", "live_bytes", "live_first", "live_p95", "live_throughput"} <= ids
    md = render_markdown({"live": out, **_minimal_res()})
    assert "### A real server over its websocket" in md and "| volunteer |" in md


@pytest.mark.slow
def test_message_cache_turns_held_elements_into_references(built_db):
    """The client sends the hashes it holds, as the browser does: a rerun with no change is not resent in full;
    a click in the town filter applies the town and draws a different page."""
    from devtools.wsclient import Session, free_port, run_coro, start_server, stop_server
    port = free_port()
    proc = start_server(built_db, port, live.LOG_DIR / f"test-live-{port}.log")

    async def visit() -> tuple:
        async with Session(port) as s:
            first = await s.run("", page="volunteer")
            again = await s.run(None)
            again2 = await s.run(None)
            change = await s.pick("f_towns", ["夏店镇"])        # a click in the town filter
            return first, again, again2, change, s.query
    try:
        first, again, again2, change, query = run_coro(visit())
    finally:
        stop_server(proc)
    assert first.ok and again.ok and again2.ok and change.ok, (first, again, change)
    # held elements come back as references (Streamlit caches only messages over its minimum size, so the small
    # paged grids and tiles of today's page are resent: the share saved depends on the page, not the client)
    assert again.references > 0 and again.bytes < first.bytes
    # a first visit draws more than its reruns (e.g. notices), so reruns are compared with each other
    assert again2.digest == again.digest and change.digest != again.digest
    assert live.town_query("夏店镇") in query     # the click applied: the app wrote it into the URL


def _minimal_res() -> dict:
    return {"date": "–", "mode": "smoke", "runs": 1, "elapsed_s": 0, "machine": {}, "versions": {}, "as_of": "–",
            "targets": [], "builds": {}, "scales": [1], "pages": []}
