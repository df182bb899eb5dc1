"""The benchmark harness works (never its timings: those live in `make bench`, see docs/bench.md)."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd

from civic.app import nav
from devtools import bench
from devtools.bench.settings import CACHE_DIR


def test_discovers_every_available_page_and_screen_scene():
    items = bench.discover()
    labels = [i.label for i in items]
    for spec in nav.available():
        if spec.kiosk and bench.screen_scenes(spec):
            assert [lab for lab in labels if lab.startswith(f"{spec.id}:")], spec.id
        else:
            assert spec.id in labels
    assert len(labels) == len(set(labels))


def test_smoke_bench_writes_results(built_db, tmp_path):
    pages = ["overview"] + [p.id for p in nav.available() if p.id == "stations"]
    # the live-server rows have their own test (tests/test_live_bench.py), the cluster row tests/cluster/test_load.py
    res = bench.run_bench([1], 1, smoke=True, pages=pages, soak=False, out_dir=tmp_path,
                          data_dirs={1: built_db}, timeout=180, live=False, cluster=False)
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["schema"] == bench.SCHEMA_VERSION and data["mode"] == "smoke"
    for key in ("date", "machine", "versions", "builds", "pages", "baseline", "targets", "elapsed_s"):
        assert key in data, key
    assert data["machine"]["cpu_count"] >= 1
    assert {"duckdb", "streamlit", "pandas"} <= set(data["versions"])
    assert [p["label"] for p in data["pages"]] == pages

    ov = data["pages"][0]
    assert ov["errors"] == [], ov["errors"]
    for fig in ("cold_ms", "warm_ms", "rerun_ms", "raw_sql_cold_ms", "raw_sql_warm_ms", "raw_sql_warm_missed_ms"):
        assert set(ov[fig]) == {"median", "min", "max", "n"} and ov[fig]["n"] == 1, fig
    assert ov["filter_change"]["widget"] == "f_towns"          # the warm rerun switched town
    names = {q["name"] for q in ov["queries"]}
    assert "overview_practice_kpis" in names                   # named queries were recorded and re-run raw
    assert ov["element_bytes"] > 0
    if "stations" in pages:
        assert data["pages"][1]["deck_bytes"] > 0               # the map's deck spec was measured

    b = data["baseline"]["1"]
    if b["status"] == "ok":
        assert b["ours"]["rerun_ms"]["n"] == len(b["ours"]["states"])
        assert b["pandas"]["rows"] > 0 and b["speed_ratio"] > 0 and b["memory_ratio"] > 0
        bad = {k: v for k, v in b["pandas"]["agrees"].items() if v is not True}
        if bad:   # the page's SQL changed shape: the baseline must follow (not a harness failure)
            warnings.warn(f"pandas baseline no longer reproduces the page's queries: {bad}")
    assert any(t["id"] == "cold" for t in data["targets"])
    render = data["render"]
    if Path("/usr/bin/chromium").exists():       # the map drawn in a real browser, first and return visit
        assert render["status"] == "ok", render
        assert set(render["paths"]) == set(bench.RENDER_PATHS)
        for r in render["paths"].values():
            assert r["cold"]["deck_canvases"] >= 1 and r["cold"]["render_ms"] > 0
            assert len(r["warm"]) == 1 and r["warm_render_ms"] > 0
            assert r["exceptions"] == 0 and r["external_requests"] == []
        assert sum(t["id"] == "render" for t in data["targets"]) == len(bench.RENDER_PATHS)
    # issue 21's start-up rows, for the pages asked for: a launcher-started server's first request, and Chromium
    st = data["startup"]
    assert set(st["first_request"]) == {f"/{p}" for p in pages}
    assert all(r["ms"] > 0 and r["errors"] == [] for r in st["first_request"].values())
    assert any(t["id"] == "first_request" for t in data["targets"])
    if Path("/usr/bin/chromium").exists():
        assert set(st["navigation"]["paths"]) == {f"/{p}" for p in pages}
        assert any(t["id"] == "navigation" for t in data["targets"])
    imp = data["imports"]["1"]       # the sample download and a 500-row import, on a scratch copy
    assert imp["status"] == "ok", imp
    assert imp["sample_ms"]["n"] == 1 and imp["commit_ms"]["n"] == 1 and imp["rows"] == 500
    assert {"sample_rows", "import_commit"} <= {t["id"] for t in data["targets"]}
    assert not list(CACHE_DIR.glob("imports-scratch-*"))      # the scratch copy is gone
    md = (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "### The map drawn in Chromium" in md and "### Imports" in md
    assert "### Server start and drawing in Chromium" in md
    assert "### Targets" in md and "### Pages at ×1" in md
    assert res["pages"][0]["label"] == "overview"


def test_benchmarks_md_keeps_text_outside_the_markers(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    bench.write_benchmarks_md("first\n", path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n## Diagnoses\nhand-written plan\n", encoding="utf-8")
    bench.write_benchmarks_md("second\n", path)
    text = path.read_text(encoding="utf-8")
    assert "second" in text and "first" not in text and "hand-written plan" in text
    assert text.count(bench.MD_BEGIN) == 1 and text.count(bench.MD_END) == 1


def test_frames_agree_compares_values_not_dtypes():
    a = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01"]).astype("datetime64[us]"),
                      "service_type": [None, "理论宣讲"], "activities": [3, 4], "share": [0.5, None]})
    b = pd.DataFrame({"month": pd.to_datetime(["2026-02-01", "2026-01-01"]), "service_type": ["理论宣讲", None],
                      "activities": [4.0, 3.0], "share": [float("nan"), 0.5]})
    assert bench.frames_agree(a, b, ["month", "service_type"]) == (True, "")
    b.loc[0, "activities"] = 5
    ok, why = bench.frames_agree(a, b, ["month", "service_type"])
    assert not ok and "activities" in why


def test_summary_reports_median_and_range_in_ms():
    assert bench.summary([0.3, 0.1, 0.2]) == {"median": 200.0, "min": 100.0, "max": 300.0, "n": 3}
    assert bench.summary([]) is None


def test_the_app_never_imports_devtools_or_tests():
    """The running app (app.py, pages/, civic/) does not depend on developer tools or the test suite; only the
    CLI's `bench` command loads devtools, inside the command (civic/cli.py cmd_bench)."""
    import ast

    root = Path(__file__).resolve().parents[1]
    allowed = {("cli.py", "cmd_bench")}
    for path in [root / "app.py", *sorted((root / "pages").glob("*.py")), *sorted((root / "civic").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside = {id(n): fn.name for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef) for n in ast.walk(fn)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            if any(n.split(".")[0] in ("devtools", "tests") for n in names):
                assert (path.name, inside.get(id(node))) in allowed, f"{path.relative_to(root)} imports {names}"
