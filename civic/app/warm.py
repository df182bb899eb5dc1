"""Warm start: `python -m civic serve SCRIPT [streamlit options]` (what `make run`, `make screen`,
`make public` and `make serve-lan` call) prepares the process, then hands over to `streamlit run`.

A plain `streamlit run` runs no code of ours until the first visitor connects, so that visitor paid for
every import, the compilation of two scripts, the DuckDB reader, plotly's and pydeck's first use and the
map's icon atlases: 1–2 s on this machine (issue 21). Here that work is done before the server answers:

1. import every module the main script and its page scripts import (found in their source, so a new page
   is covered without a list to keep up to date), and the few that the libraries import on first use
   (FIRST_RUN_MODULES);
2. first use of what those modules load lazily: inspect's module map (Streamlit's first element asks
   inspect.stack() whether it runs in a REPL), the i18n catalogue, every named query's SQL, plotly (the
   app's template, each trace type serialised as st.plotly_chart does), pydeck (a deck to JSON), pyarrow
   (a frame as st.dataframe sends it), the map's icon atlases and label font;
3. open the current snapshot's reader (the connection is shared by every script thread) and run one
   uncached query;
4. run each analyst page's bare URL once, in this process, as a first visitor would (AppTest, default
   filters): what that visit pays once per process and data version stays in this process's caches for the
   real first visitor, whose run reads them instead (the named queries' results, civic/store/queries.py; the
   figures and the map's deck, civic/app/memo.py; the town areas' parsed outlines and the map's base image,
   civic/map; the traces' plotly validators). Measured at ×100 (issue 21): the first request after a restart
   was 0.9–2.3 s a page, of which the queries, their personal-data screen and the map's build were most;
   these runs add ~8 s to the start, before the server answers, so no visitor waits behind them. Bounded by
   PAGE_RUNS_BUDGET_S; `CIVIC_WARM_PAGES=0` leaves them out (the previous start: caches empty). Nothing
   seen by a visitor changes: the caches are keyed by the data version, and a session's state is its own;
5. once Streamlit's runtime exists, compile the scripts into its script cache, before its event loop
   accepts the first connection.

Streamlit's legacy pages/ mode (civic/app/routing.py) is switched off before the first session: app.py
routes with st.navigation, which does the same on its first run. Nothing here is required for correctness:
a step that fails is reported on stderr and the server starts anyway.
"""
from __future__ import annotations

import ast
import importlib
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

# the page folders Streamlit's main scripts route to: the analysts' app and the residents' server
PAGE_DIRS = ("pages", "public_pages")


# What the first script runs still imported after the scripts' own imports (measured on every page: the
# modules new in sys.modules after one run of each): Streamlit's emoji table (a regex of every emoji, compiled
# on import: 0.3–0.9 s), pandas' Styler (the scorecard's coloured table), narwhals' pandas layer (plotly's
# frame handling) and plotly's sub-objects of the traces and layout parts the figures set. A name a newer
# library no longer has is skipped.
FIRST_RUN_MODULES = (
    "streamlit.emojis", "streamlit.runtime.scriptrunner.magic_funcs", "streamlit.components.v2.manifest_scanner",
    "pandas.io.formats.style", "pandas.core.methods.to_dict", "packaging.tags",
    "narwhals._pandas_like.dataframe", "narwhals._pandas_like.namespace", "narwhals._pandas_like.group_by",
    "narwhals._pandas_like.selectors", "narwhals._interchange.dataframe", "narwhals._duration",
    "narwhals.stable.v1._namespace",
    "plotly.graph_objs.bar.marker", "plotly.graph_objs.bar.selected", "plotly.graph_objs.bar.unselected",
    "plotly.graph_objs.funnel.connector", "plotly.graph_objs.heatmap.colorbar",
    "plotly.graph_objs.layout.annotation", "plotly.graph_objs.layout.shape", "plotly.graph_objs.layout._uniformtext",
    "plotly.graph_objs.layout.legend._font", "plotly.graph_objs.layout.xaxis._tickfont",
    "plotly.graph_objs.layout.yaxis._tickfont", "plotly.graph_objs.scatter._line", "plotly.graph_objs.scatter._textfont",
    # plotly resolves these lazily, on first attribute access
    "plotly.graph_objs.bar._marker", "plotly.graph_objs.bar._selected", "plotly.graph_objs.bar._textfont",
    "plotly.graph_objs.bar._unselected", "plotly.graph_objs.bar.marker._line", "plotly.graph_objs.bar.marker._pattern",
    "plotly.graph_objs.bar.selected._marker", "plotly.graph_objs.bar.selected._textfont",
    "plotly.graph_objs.bar.unselected._marker", "plotly.graph_objs.bar.unselected._textfont",
    "plotly.graph_objs.funnel._connector", "plotly.graph_objs.funnel._marker", "plotly.graph_objs.funnel._textfont",
    "plotly.graph_objs.funnel.connector._line", "plotly.graph_objs.heatmap._colorbar",
    "plotly.graph_objs.heatmap.colorbar._title", "plotly.graph_objs.layout._annotation", "plotly.graph_objs.layout._shape",
    "plotly.graph_objs.layout.annotation._font", "plotly.graph_objs.layout.shape._line",
)


def scripts_of(main_script: Path) -> list[Path]:
    """The main script and the page scripts next to it."""
    main_script = main_script.resolve()
    pages = [p for d in PAGE_DIRS for p in sorted((main_script.parent / d).glob("*.py"))]
    return [main_script, *pages]


def imported_modules(scripts: list[Path]) -> list[str]:
    """Every absolute module name the scripts import (`from a.b import c` also names a.b.c: c may be a
    module); in first-seen order."""
    names: dict[str, None] = {}
    for script in scripts:
        tree = ast.parse(script.read_text(encoding="utf-8"), str(script))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update((a.name, None) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names[node.module] = None
                names.update((f"{node.module}.{a.name}", None) for a in node.names if a.name != "*")
    return list(names)


def import_all(names: list[str]) -> int:
    """Import what can be imported (a `from m import name` that is no module is skipped); the count."""
    done = 0
    for name in names:
        if name in sys.modules:
            done += 1
            continue
        try:
            importlib.import_module(name)
            done += 1
        except ImportError:
            pass
    return done


def first_use() -> None:
    """What the imported modules load only when first used, done once here with the app's own settings;
    only for the modules the scripts use (the residents' server draws no chart and no map)."""
    from streamlit import env_util

    from civic.store import queries
    from civic.text.i18n import catalog

    # Streamlit's first element of the process asks env_util.is_repl(), which calls inspect.stack(): on first use
    # inspect maps every loaded module to its real path (~1,500 modules, 0.3–1.3 s here). Paid now, once all
    # modules are imported, that map is ready for the first visitor.
    env_util.is_repl()
    catalog()
    for name in queries.names():
        queries.sql_of(name)
    if "civic.figures.charts" in sys.modules:
        _first_figures()
    if "civic.map.maps" in sys.modules:
        _first_map()
    if "civic.app.widgets" in sys.modules:
        import pandas as pd
        from streamlit import dataframe_util
        dataframe_util.convert_pandas_df_to_arrow_bytes(pd.DataFrame({"a": [1], "b": ["x"]}))


def _first_figures() -> None:
    """plotly builds its validators per trace type on first use; st.plotly_chart serialises like this."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from civic.figures import charts
    for dark in (True, False):          # the light template (the analysts' app) is the one left registered
        charts.register_template(dark)
        fig = go.Figure([go.Bar(x=["a"], y=[1]), go.Scatter(x=["a"], y=[1]), go.Heatmap(z=[[1]]),
                         go.Funnel(y=["a"], x=[1])])
        pio.to_json(charts.neutralise(charts.style(fig, "warm", dark=dark)), validate=False)


def _first_map() -> None:
    """The site icons' atlases (light and the screen's dark), the counties' outlines and a deck's JSON."""
    import pandas as pd

    from civic.domain import HANYUAN, XIANGYUAN
    from civic.map import atlas, geometry, maps
    for dark in (False, True):
        atlas.icon_atlas(dark)
    for code in (XIANGYUAN, HANYUAN):
        geometry.county_outline(code)
    view = maps.map_view(pd.DataFrame(), sites=pd.DataFrame({"lon": [113.05], "lat": [36.53]}))
    maps.deck([], view).to_json()


def open_reader() -> None:
    """The current snapshot's connection (shared by every thread) and DuckDB's catalogue, read once.
    Without a published snapshot there is nothing to open: the app says so on its pages."""
    from civic.store import db, queries, snapshots
    try:
        db.reader()
        queries.execute("meta")
    except (snapshots.NoSnapshot, db.DataUnavailable):
        pass


# Step 4 starts no further page run past this many seconds (a slower box or a bigger database starts in time;
# the pages left out are warmed by their first visitor, as before).
PAGE_RUNS_BUDGET_S = 30.0
PAGE_RUN_TIMEOUT_S = 60.0


def warm_pages(main_script: Path) -> list[str]:
    """The page scripts a first visitor opens on this main script, in menu order: the analysts' pages of app.py
    (civic/app/nav.py) but the admin page (behind its sign-in) and the kiosk screen (its own loop and caches);
    none for another main script (the residents' server) or with CIVIC_WARM_PAGES=0."""
    from civic import paths
    from civic.app import nav
    if os.environ.get("CIVIC_WARM_PAGES", "1") == "0" or main_script.resolve() != (paths.ROOT / "app.py").resolve():
        return []
    return [s.file for s in nav.available() if not s.admin and not s.kiosk]


def run_pages(main_script: Path, pages: list[str], budget_s: float = PAGE_RUNS_BUDGET_S,
              say: Callable[[str], None] = lambda s: None) -> dict[str, float]:
    """Step 4: each page's bare URL run once through the router (main_script) in this process; the milliseconds
    of each. A page that raises is reported and skipped; past `budget_s` the rest are left out."""
    from streamlit.testing.v1 import AppTest

    from civic.app.routing import apptest_in_navigation_mode
    apptest_in_navigation_mode()
    # AppTest's runs outside a server warn "missing ScriptRunContext" on the launcher's thread: no news here
    # (a filter, not a level: each run re-applies Streamlit's log level to its loggers)
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    bare_mode = _Without("missing ScriptRunContext")
    quiet.addFilter(bare_mode)
    took: dict[str, float] = {}
    t_start = time.perf_counter()
    try:
        for i, page in enumerate(pages):
            t0 = time.perf_counter()
            at = AppTest.from_file(str(main_script.resolve()), default_timeout=PAGE_RUN_TIMEOUT_S)
            at.switch_page(page)
            at.run()
            took[page] = round((time.perf_counter() - t0) * 1000, 1)
            if at.exception:        # its traceback is in the log above (the message shown is redacted)
                say(f"warm-up page {page} failed: {at.exception[0].message}")
            if pages[i + 1:] and time.perf_counter() - t_start > budget_s:
                say(f"warm-up pages: {budget_s:.0f} s spent, left out: {', '.join(pages[i + 1:])}")
                break
    finally:
        quiet.removeFilter(bare_mode)
    return took


class _Without(logging.Filter):
    """Drops the records whose message contains `text`."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


def leave_legacy_pages_mode() -> None:
    """The first session would otherwise run a page script without app.py (civic/app/routing.py)."""
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False


def compile_when_ready(scripts: list[Path], timeout_s: float = 60.0) -> threading.Thread:
    """Compile the scripts into the runtime's script cache as soon as streamlit has created the runtime
    (synchronously, before its event loop starts serving). The cache is thread-safe and keyed by path."""
    from streamlit.runtime import Runtime

    def fill() -> None:
        deadline = time.monotonic() + timeout_s
        while not Runtime.exists():
            if time.monotonic() > deadline:
                return
            time.sleep(0.005)
        cache = getattr(Runtime.instance(), "_script_cache", None)
        if cache is None:       # a Streamlit without it: the first runs compile as before
            return
        for script in scripts:
            cache.get_bytecode(str(script))

    thread = threading.Thread(target=fill, name="civic-warm-compile", daemon=True)
    thread.start()
    return thread


def warm(main_script: Path, say: Callable[[str], None] = lambda s: None) -> dict[str, float]:
    """Steps 1–4 for this main script; the milliseconds of each step. A failing step is reported, not fatal."""
    scripts = scripts_of(main_script)
    steps: list[tuple[str, Callable[[], object]]] = [
        ("imports", lambda: import_all(["streamlit", "civic", *imported_modules(scripts), *FIRST_RUN_MODULES])),
        ("first_use", first_use),
        ("reader", open_reader),
        ("pages", lambda: run_pages(main_script, warm_pages(main_script), say=say)),
    ]
    took: dict[str, float] = {}
    # st.cache_data checks its storage when a module defines a cached function; before the runtime exists
    # it warns "No runtime found" for each one. The functions' caches are made at their first call, in a run.
    import streamlit.runtime.caching.cache_data_api  # noqa: F401 - its logger gets its level first

    cache_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = cache_log.level
    cache_log.setLevel(logging.ERROR)
    for name, step in steps:
        t0 = time.perf_counter()
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - warming is an optimisation: the server must still start
            say(f"warm-up step {name} failed: {type(exc).__name__}: {exc}")
        took[name] = round((time.perf_counter() - t0) * 1000, 1)
    cache_log.setLevel(level)
    say("warm-up " + ", ".join(f"{k} {v:.0f} ms" for k, v in took.items()))
    return took


def freeze_heap() -> int:
    """Move every object alive after the warm-up (modules, plotly's validators, the catalogue, the reader)
    into the collector's permanent generation; how many.

    A full collection walks every tracked object: with this heap that is 70–90 ms of CPU each time. Streamlit
    ran one after every script run (runner.postScriptGC, switched off in .streamlit/config.toml for that
    reason: it was 60 % of a no-change rerun's CPU); Python's own collector still runs full collections now and
    then, and with the start-up heap frozen each walks only what the sessions made since. Frozen objects are
    still freed by reference counting; only cycles among them would stay, and these live for the process."""
    import gc
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


USAGE = "python -m civic serve SCRIPT [streamlit run options]   # e.g. app.py --server.port 8501"


def serve(argv: list[str]) -> int:
    """`python -m civic serve SCRIPT [options]`: warm up, then `streamlit run SCRIPT [options]` in this
    process (the options are streamlit's own, passed through untouched; .streamlit/config.toml applies)."""
    if not argv or argv[0].startswith("-"):
        print(f"用法 usage: {USAGE}", file=sys.stderr)
        return 2
    script = Path(argv[0])
    if not script.is_file():
        print(f"找不到脚本 no such script: {script}\n用法 usage: {USAGE}", file=sys.stderr)
        return 2

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    warm(script, say)
    leave_legacy_pages_mode()
    compile_when_ready(scripts_of(script))
    say(f"warm-up heap frozen: {freeze_heap():,} objects")
    from streamlit.web import cli as streamlit_cli
    # click exits the process with the server's status, as `python -m streamlit run` does
    streamlit_cli.main(["run", *argv], prog_name="streamlit")
    return 0
