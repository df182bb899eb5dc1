"""devtools/bench/startup.py: the rows "first request after a server restart" and "Chromium navigation → fully
drawn" (issue 21), from measured results; its measuring against real servers runs in tests/test_bench.py's smoke
run and tests/app/test_warm.py."""
from __future__ import annotations

from devtools.bench.report import render_markdown
from devtools.bench.startup import TARGET_FIRST_REQUEST_MS, TARGET_NAVIGATION_MS, startup_md, startup_targets


def _startup(first: dict[str, float], drawn: dict[str, float], errors: list[str] | None = None,
             external: list[str] | None = None) -> dict:
    return {"status": "ok", "scale": 1,
            "first_request": {p: {"ms": ms, "cpu_ms": ms / 2, "errors": list(errors or []), "server_start_s": 3.0}
                              for p, ms in first.items()},
            "navigation": {"paths": {p: {"ms": ms, "samples": [ms], "exceptions": 0} for p, ms in drawn.items()},
                           "external_requests": list(external or [])}}


def test_the_rows_hold_the_slowest_page_against_the_target():
    rows = startup_targets(_startup({"/overview": 400, "/scorecard": 900}, {"/overview": 1500, "/volunteer": 1900}), 1)
    first, nav = rows
    assert first["id"] == "first_request" and first["met"] is True
    assert first["measure"] == "first request after a server restart, every page (×1)"
    assert first["value"] == "400–900 ms (slowest /scorecard)" and first["target"] == "≤ 1.0 s"
    assert nav["measure"] == "Chromium navigation → fully drawn, every page, ×1, 1366×768"
    assert nav["met"] is True and nav["value"] == "1,500–1,900 ms (slowest /volunteer)"


def test_one_page_over_the_target_misses_it():
    rows = startup_targets(_startup({"/a": 100, "/b": TARGET_FIRST_REQUEST_MS + 1},
                                    {"/a": 100, "/b": TARGET_NAVIGATION_MS + 1}), 1)
    assert [r["met"] for r in rows] == [False, False]


def test_an_exception_or_a_request_off_the_machine_misses_it_whatever_the_time():
    rows = startup_targets(_startup({"/a": 100}, {"/a": 100}, errors=["KeyError"], external=["https://x.cn/"]), 1)
    assert [r["met"] for r in rows] == [False, False]
    assert "KeyError" in rows[0]["note"] and "https://x.cn/" in rows[1]["note"]


def test_nothing_measured_gives_no_row():
    assert startup_targets({}, 1) == []
    assert startup_targets({"status": "ok", "first_request": {"status": "failed: boom"},
                            "navigation": {"status": "skipped: no Chromium"}}, 1) == []


def test_the_section_lists_every_page():
    md = "\n".join(startup_md({"startup": _startup({"/overview": 400}, {"/overview": 1500, "/screen": 800})}))
    assert "### Server start and drawing in Chromium" in md
    assert "| /overview | 400 | 200.0 | 3.0 | 1500 |" in md and "| /screen | – | – | – | 800 |" in md
    assert startup_md({}) == []


def test_the_report_includes_the_section():
    res = {"machine": {}, "versions": {}, "date": "d", "mode": "smoke", "runs": 1, "elapsed_s": 1, "as_of": "x",
           "targets": [], "builds": {}, "pages": [], "scales": [1], "baseline": {},
           "startup": _startup({"/overview": 400}, {"/overview": 1500})}
    md = render_markdown(res)
    assert "### Server start and drawing in Chromium" in md
