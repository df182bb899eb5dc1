"""`python -m civic bench`: how fast every page answers, at the default size and at ×100 (docs/bench.md).

What it measures, per scale (databases built once and cached under bench/cache/, keyed by the generator):
- the build time of each scale;
- for every page in nav.available() and every screen scene (`?scene=`), with AppTest (server-side script
  time): a cold first run (query cache, st.cache_data/st.cache_resource empty, DuckDB reopened) and a
  warm rerun after a realistic filter change, ≥ 5 samples each, reported as median (min–max);
- the named queries each run called (recorded by wrapping civic.store.queries.run/execute), executed raw with
  the same bound parameters (no Streamlit, no cache): the app-overhead ratio;
- the deck spec bytes of every pydeck chart (civic.map.maps.payload_bytes) and the bytes of all elements;
- a pandas baseline for the volunteer-trend computations (all rows loaded once, filter + group per
  rerun) against the page's own SQL, timed and memory-measured in separate processes;
- the exhibition-screen soak (devtools.screen_soak.soak) when it exists;
- at the largest scale, a real server driven over its websocket (devtools/wsclient.py): server CPU, wall
  and bytes per filter change, a second viewer of the same filters, the first request after a restart,
  and N = 1, 5, 10, 20 sessions on one process (live.py, live_load.py, live_rows.py).
It writes bench/results.json and the generated part of BENCHMARKS.md, and prints the table.

One module per concern: settings (paths, the data day, targets), stats (summaries, formatting, machine),
data (cached databases), record (what to measure, what a run does), pages (AppTest runs), pandas_trends and
baseline (the pandas baseline), chromium (map, residents' page, briefing), soak, live / live_load /
live_rows (the real server), targets, report (BENCHMARKS.md), run (the whole run), cli (the options).
The names callers use (tests, civic/cli.py) are re-exported here, so
`from devtools import bench; bench.use_data_dir(...)` keeps working.

Performance targets live here, never in unit tests: tests/test_bench.py only checks that the harness works.
"""
from __future__ import annotations

from devtools.bench.baseline import child_main, measure_baseline
from devtools.bench.chromium import measure_briefing, measure_public, measure_render, public_targets
from devtools.bench.cli import cmd_bench, main
from devtools.bench.data import ensure_database, use_data_dir
from devtools.bench.pages import measure_item
from devtools.bench.pandas_trends import PandasTrends, frames_agree
from devtools.bench.record import Item, Recorder, discover, reset_caches, screen_scenes
from devtools.bench.report import render_markdown, write_benchmarks_md
from devtools.bench.run import run_bench
from devtools.bench.settings import AS_OF, BENCH_DIR, BENCHMARKS_MD, MD_BEGIN, MD_END, RENDER_PATHS, SCHEMA_VERSION
from devtools.bench.soak import measure_soak
from devtools.bench.stats import fmt_bytes, fmt_ms, summary
from devtools.bench.targets import evaluate_targets

__all__ = [
    "AS_OF", "BENCHMARKS_MD", "BENCH_DIR", "MD_BEGIN", "MD_END", "RENDER_PATHS", "SCHEMA_VERSION", "Item",
    "PandasTrends", "Recorder", "child_main", "cmd_bench", "discover", "ensure_database", "evaluate_targets",
    "fmt_bytes", "fmt_ms", "frames_agree", "main", "measure_baseline", "measure_briefing", "measure_item",
    "measure_public", "measure_render", "measure_soak", "public_targets", "render_markdown", "reset_caches",
    "run_bench", "screen_scenes", "summary", "use_data_dir", "write_benchmarks_md",
]
