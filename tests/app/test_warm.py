"""civic/app/warm.py: the warm start of `python -m civic serve` (what `make run`, `make screen`, `make public`
and `make serve-lan` start). Unit tests of its parts, and real servers started by the launcher on a free
port: healthy, bound to 127.0.0.1 only, and their first request (over Streamlit's websocket, as the browser
asks) routed through app.py without an exception."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from civic import cli
from civic.app import warm
from devtools.bench.startup import first_requests
from devtools.harness import ROOT, Server, server_command


def test_scripts_are_the_main_script_and_its_pages():
    app = warm.scripts_of(ROOT / "app.py")
    assert app[0] == ROOT / "app.py"
    assert {p.name for p in app[1:]} == {p.name for p in (ROOT / "pages").glob("*.py")}
    public = warm.scripts_of(ROOT / "public" / "app.py")
    assert {p.name for p in public[1:]} == {p.name for p in (ROOT / "public" / "public_pages").glob("*.py")}


def test_imported_modules_name_modules_and_their_members(tmp_path):
    script = tmp_path / "page.py"
    script.write_text("import json\nfrom civic.app import shell, plot\nfrom civic.text.i18n import t\n"
                      "from . import sibling\nfrom os.path import *\n", encoding="utf-8")
    names = warm.imported_modules([script])
    assert names == ["json", "civic.app", "civic.app.shell", "civic.app.plot", "civic.text.i18n",
                     "civic.text.i18n.t", "os.path"]
    # a member that is no module (t) is skipped, the rest imported
    assert warm.import_all(names) == len(names) - 1


def test_every_module_a_page_imports_is_imported():
    names = warm.imported_modules(warm.scripts_of(ROOT / "app.py"))
    assert "civic.app.shell" in names and "civic.map.maps" in names
    warm.import_all(names)
    assert all(n in sys.modules for n in ("civic.app.shell", "civic.map.maps", "civic.app.widgets"))


def test_warm_runs_every_step_and_reports_failures_without_raising(data_dir, monkeypatch):
    monkeypatch.setenv("CIVIC_WARM_PAGES", "0")        # the page runs have their own tests below
    lines: list[str] = []
    took = warm.warm(ROOT / "app.py", lines.append)
    assert set(took) == {"imports", "first_use", "reader", "pages"}
    assert not [line for line in lines if "failed" in line]

    def broken() -> None:
        raise OSError("disk gone")
    monkeypatch.setattr(warm, "open_reader", broken)
    lines.clear()
    warm.warm(ROOT / "app.py", lines.append)
    assert any("reader failed: OSError: disk gone" in line for line in lines)


def test_the_reader_without_a_snapshot_is_no_error(tmp_path, monkeypatch):
    from civic.store import db
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    db.close_all()
    warm.open_reader()         # nothing published: the pages say so, the launcher still starts


def test_without_page_runs_warm_leaves_the_result_caches_empty(data_dir, monkeypatch):
    from civic.store import queries
    monkeypatch.setenv("CIVIC_WARM_PAGES", "0")
    queries.clear_cache()
    warm.warm(ROOT / "app.py")
    assert len(queries._cache) == 0


def test_the_pages_warmed_are_the_analysts_pages_a_first_visitor_opens(monkeypatch):
    from civic.app import nav
    pages = warm.warm_pages(ROOT / "app.py")
    assert pages[0] == "pages/overview.py"          # the default page at "/"
    assert set(pages) == {s.file for s in nav.available()} - {"pages/admin.py", "pages/screen.py"}
    assert warm.warm_pages(ROOT / "public" / "app.py") == []       # the residents' server: no analyst page
    monkeypatch.setenv("CIVIC_WARM_PAGES", "0")
    assert warm.warm_pages(ROOT / "app.py") == []


def _first_visit(page: str):
    """A visitor's first run of a page's bare URL, as an AppTest session of its own."""
    from tests.conftest import app_test
    return app_test(page, timeout=120).run()


def _drawn(at) -> list:
    """What a run shows: every element's type and value, in order (widgets' values included)."""
    out = []
    for node in at.main:
        out.append((type(node).__name__, repr(getattr(node, "value", getattr(node, "proto", None)))))
    return out


@pytest.mark.parametrize("page", ["pages/stations.py", "pages/overview.py"])
def test_the_page_runs_fill_what_the_first_request_reads_and_change_nothing_it_shows(data_dir, page):
    """After the warm start's page run, a first visitor's run of that page runs no named query (every result is
    in the cache) and builds no figure or map (civic/app/memo.py), and shows exactly what a visitor of a cold
    server is shown."""
    from civic.app import memo
    from civic.store import queries
    queries.clear_cache()
    cold = _drawn(_first_visit(page))
    queries.clear_cache()
    took = warm.run_pages(ROOT / "app.py", [page])
    assert set(took) == {page} and len(queries._cache) > 0
    misses, built = queries.stats["misses"], memo.stats["misses"]
    warmed = _first_visit(page)
    assert not warmed.exception
    assert queries.stats["misses"] == misses, "the first visitor still ran a query the warm start left out"
    assert memo.stats["misses"] == built, "the first visitor still built a figure the warm start left out"
    assert _drawn(warmed) == cold


def test_the_page_runs_without_a_published_snapshot_fail_nothing(tmp_path, monkeypatch):
    """Nothing published yet: each page says so (civic/app/shell.py), and the launcher still starts quietly."""
    from civic.store import db, queries
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    db.close_all()
    queries.clear_cache()
    lines: list[str] = []
    pages = warm.warm_pages(ROOT / "app.py")
    assert set(warm.run_pages(ROOT / "app.py", pages, say=lines.append)) == set(pages)
    assert lines == [] and len(queries._cache) == 0
    db.close_all()


def test_a_failing_page_run_is_reported_and_the_rest_still_run(data_dir, tmp_path):
    main = tmp_path / "app.py"
    (tmp_path / "pages").mkdir()
    main.write_text("import streamlit as st\n"
                    "st.navigation([st.Page('pages/bad.py'), st.Page('pages/good.py')]).run()\n", encoding="utf-8")
    (tmp_path / "pages" / "bad.py").write_text("raise ValueError('broken page')\n", encoding="utf-8")
    (tmp_path / "pages" / "good.py").write_text("import streamlit as st\nst.write('ok')\n", encoding="utf-8")
    lines: list[str] = []
    took = warm.run_pages(main, ["pages/bad.py", "pages/good.py"], say=lines.append)
    assert set(took) == {"pages/bad.py", "pages/good.py"}
    assert any("page pages/bad.py failed" in line for line in lines)
    assert not any("good.py" in line for line in lines)
    lines.clear()
    took = warm.run_pages(main, ["pages/good.py", "pages/bad.py"], budget_s=0.0, say=lines.append)
    assert set(took) == {"pages/good.py"} and any("left out" in line for line in lines)


@pytest.mark.parametrize("argv", [[], ["--server.port", "1"], ["no_such_script.py"]])
def test_serve_without_a_script_explains_itself(argv, capsys):
    assert cli.main(["serve", *argv]) == 2
    assert "python -m civic serve SCRIPT" in capsys.readouterr().err


def test_the_commands_name_the_launcher():
    assert server_command(ROOT / "app.py", 8501, [])[1:4] == ["-m", "civic", "serve"]
    assert server_command(ROOT / "app.py", 8501, [], warm=False)[1:4] == ["-m", "streamlit", "run"]
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "serve-lan", "screen", "public"):
        recipe = make.split(f"\n{target}: ", 1)[1].split("\n\n", 1)[0]
        assert "-m civic serve app.py" in recipe and "streamlit run" not in recipe, target


def _listening_addresses(pid: int) -> set[str]:
    import psutil
    return {c.laddr.ip for c in psutil.Process(pid).net_connections(kind="tcp") if c.status == "LISTEN"}


@pytest.mark.parametrize("path", ["/stations", "/screen"])
def test_a_launched_server_is_healthy_local_and_routes_its_first_request(built_db, path, tmp_path):
    """A server started by the launcher exactly as the Makefile starts it (no harness flags), then its first
    request: no exception, and app.py ran (Streamlit's legacy pages/ mode is off before the first session)."""
    server = Server(built_db)          # its free port and its stop(); started here as `make run` starts it
    cmd = [sys.executable, "-m", "civic", "serve", "app.py", "--server.port", str(server.port)]
    log = tmp_path / "server.log"
    env_proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "CIVIC_DATA_DIR": str(built_db)},
                                stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    server.proc = env_proc
    try:
        _wait_healthy(server)
        assert _listening_addresses(env_proc.pid) == {"127.0.0.1"}
        result = asyncio.run(_first_run(server.port, path))
        assert result["errors"] == []
        assert result["ran_router"], "the first request ran a page without app.py"
    finally:
        server.stop()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "warm-up imports" in text and "warm-up heap frozen" in text and "failed" not in text


def _wait_healthy(server: Server, timeout: float = 120) -> None:
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.proc is not None and server.proc.poll() is None, "the launcher exited"
        try:
            with urllib.request.urlopen(server.url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("no health in time")


async def _first_run(port: int, path: str) -> dict:
    """The first script run over the websocket; whether the router (app.py) ran: it sets the page config
    (the tab's title) before any page draws."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    errors, ran_router = [], False
    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=60) as ws:
        msg = BackMsg()
        msg.rerun_script.page_name = path.strip("/")
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), 120))
            kind = fwd.WhichOneof("type")
            if kind == "page_config_changed" and fwd.page_config_changed.title:
                ran_router = True
            elif kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                errors.append(fwd.delta.new_element.exception.message)
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return {"errors": errors, "ran_router": ran_router}


def test_the_bench_measures_a_first_request(built_db):
    r = first_requests(built_db, ["/completeness"], runs=1)["/completeness"]
    assert r["errors"] == [] and r["ms"] > 0 and r["cpu_ms"] > 0 and r["server_start_s"] > 0


def test_the_public_server_starts_through_the_launcher(built_db):
    server = Server(built_db, script=ROOT / "public" / "app.py").start(timeout=120)
    try:
        with urllib.request.urlopen(server.url + "/_stcore/health", timeout=5) as r:
            assert r.status == 200
    finally:
        server.stop()
    assert "warm-up imports" in Path(server.log).read_text(encoding="utf-8", errors="replace")


def test_the_libraries_still_have_the_modules_their_first_runs_import():
    """FIRST_RUN_MODULES was measured with the pinned Streamlit, pandas and plotly: after an upgrade a missing
    name is only skipped (no error), so say so here and measure again (see its comment)."""
    assert warm.import_all(list(warm.FIRST_RUN_MODULES)) == len(warm.FIRST_RUN_MODULES)


def test_the_scripts_are_compiled_into_the_runtimes_cache_once_it_exists(monkeypatch):
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    class FakeRuntime:
        _script_cache = ScriptCache()
    state = {"exists": False, "polls": 0}

    def exists() -> bool:           # the runtime appears after a few polls, as when streamlit creates it
        state["polls"] += 1
        state["exists"] = state["exists"] or state["polls"] > 3
        return state["exists"]
    monkeypatch.setattr(Runtime, "exists", staticmethod(exists))
    monkeypatch.setattr(Runtime, "instance", staticmethod(lambda: FakeRuntime))
    scripts = warm.scripts_of(ROOT / "app.py")
    warm.compile_when_ready(scripts, timeout_s=10).join(10)
    assert set(FakeRuntime._script_cache._cache) == {str(p) for p in scripts}


def test_the_legacy_pages_flag_is_off_before_the_first_session(monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    warm.leave_legacy_pages_mode()
    assert PagesManager.uses_pages_directory is False


def test_the_warm_up_heap_is_frozen_so_full_collections_skip_it():
    import gc
    try:
        frozen = warm.freeze_heap()
        assert frozen > 10_000 and gc.get_freeze_count() == frozen
        # what a session makes later is still collected: a cycle made now is found and freed
        class Node:
            pass
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2
    finally:
        gc.unfreeze()


def test_streamlit_runs_no_full_collection_after_each_script_run():
    """60 % of a no-change rerun's CPU was Streamlit's forced gc.collect(2) (issue 21); the project's config
    switches it off, and the launcher freezes the warm-up heap instead (the test above)."""
    import tomllib
    for folder in (ROOT, ROOT / "public"):          # the analysts' server and the residents' one
        config = tomllib.loads((folder / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
        assert config["runner"]["postScriptGC"] is False
