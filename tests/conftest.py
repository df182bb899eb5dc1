"""Shared fixtures: one default database built and published once per test session, in a temp folder."""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from devtools.apptest import start_in_navigation_mode

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 26)   # fixed so tests are deterministic whatever day they run


def _build_into(data_dir: Path, scale: int = 1) -> None:
    from civic.demo import build, synth
    from civic.store import snapshots
    os.environ["CIVIC_DATA_DIR"] = str(data_dir)
    tmp = snapshots.new_tmp_path()
    build.build(tmp, synth.SynthConfig(scale=scale, as_of=AS_OF))
    snapshots.publish(tmp, note="test build", audit={"action": "build"})


@pytest.fixture(scope="session")
def county_layout():
    """The counties' geography (outlines, towns, approximate positions) laid out once for in-memory builds
    (build.populate), which tests use to generate many build days without writing a database file."""
    from civic.demo import build
    from civic.store import db
    con = db.connect_write(":memory:")
    db.load_extension(con, "spatial")
    try:
        yield build.layout(con)
    finally:
        con.close()


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """A published default database. Returns the data dir (also exported as CIVIC_DATA_DIR)."""
    cache = tmp_path_factory.mktemp("civic_data")
    _build_into(cache)
    return cache


@pytest.fixture(scope="session")
def scale5_db(tmp_path_factory, built_db) -> Path:
    """The published file of a --scale 5 database (襄垣 and four replicas of it), built once per
    session: the map's payload budget and the build's scale check both read it. Leaves CIVIC_DATA_DIR on
    the default database."""
    import json

    from civic.store import db
    d = tmp_path_factory.mktemp("scale5")
    try:
        _build_into(d, scale=5)
        return d / json.loads((d / "current.json").read_text(encoding="utf-8"))["file"]
    finally:
        os.environ["CIVIC_DATA_DIR"] = str(built_db)
        db.close_all()


@pytest.fixture()
def data_dir(built_db) -> Path:
    """The shared read-only database; tests must not publish into it (use `private_data_dir`)."""
    from civic.store import db, queries
    os.environ["CIVIC_DATA_DIR"] = str(built_db)
    db.close_all()
    queries.clear_cache()
    return built_db


@pytest.fixture()
def private_data_dir(built_db, tmp_path) -> Path:
    """A private copy of the default database that a test may import into, roll back, etc."""
    from civic.store import db, queries
    dst = tmp_path / "data"
    shutil.copytree(built_db, dst, ignore=shutil.ignore_patterns("*.lock"))
    os.environ["CIVIC_DATA_DIR"] = str(dst)
    db.close_all()
    queries.clear_cache()
    yield dst
    db.close_all()
    os.environ["CIVIC_DATA_DIR"] = str(built_db)


@pytest.fixture()
def con(data_dir):
    """A direct read-only connection for independent SQL in tests."""
    from civic.store import db, snapshots
    c = db.connect_read(snapshots.current().path)
    yield c
    c.close()


# Every test module gets this (pytest imports conftest first): AppTest runs start in st.navigation mode.
start_in_navigation_mode()


def app_test(page: str | None = None, query: dict | None = None, timeout: float = 60):
    """An AppTest of app.py (the router), optionally switched to a page, with URL parameters set."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if page:
        at.switch_page(page)
    return at


@pytest.fixture()
def make_app(data_dir):
    return app_test


# ── one AppTest run per page and URL, shared by every test that only reads it ─────────────────────
# An AppTest run costs 1–5 s; many tests check different things on the same page with the same URL (the
# overview unfiltered, a screen scene). Those read the elements of one shared run. Only for reading: a test
# that clicks, sets a widget or reruns takes its own `make_app(...)` run. Valid while the shared database
# (built_db) is the current one, which `data_dir` guarantees and which no test publishes into.
_RENDERED: dict[tuple, object] = {}


def _render_key(page: str | None, query: dict | None, timeout: float) -> tuple:
    items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (query or {}).items()))
    return page, items


@pytest.fixture()
def rendered(data_dir):
    """rendered(page, query) → a finished AppTest run of that page and URL over the shared database, run
    once per session. Read it; do not interact with it (use make_app for that)."""
    def get(page: str | None = None, query: dict | None = None, timeout: float = 120):
        key = (str(data_dir), *_render_key(page, query, timeout))
        if key not in _RENDERED:
            _RENDERED[key] = app_test(page, dict(query or {}), timeout).run()
        return _RENDERED[key]
    return get


# `make test-fast` runs on two workers with whole files as the unit (-n 2 --dist loadfile). xdist hands files out
# biggest-count first, but time is not count: a long file that starts last leaves one core idle for its whole
# length. These files took the longest in a timed run (junit, 2026-12-06, in this order), so they start first
# and the many short files fill the gaps. Only the order changes; serial runs (`make test`) are left alone.
LONGEST_FIRST = ("tests/importer/test_ingest.py", "tests/importer/test_ingest_robustness.py", "tests/test_bench.py",
                 "tests/importer/test_ingest_bad_files.py", "tests/demo/test_fact_dates.py",
                 "tests/briefing/test_briefing.py", "tests/pages/test_renovation.py", "tests/pages/test_escape.py",
                 "tests/map/test_map.py", "tests/pages/test_shell.py", "tests/pages/test_volunteer.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not hasattr(config, "workerinput"):
        return
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
