"""AppTest of the frame and the overview: routing, filters, URL state, language, live version watch."""
from __future__ import annotations

from datetime import date

import pytest

from civic.app import nav
from civic.text.i18n import use_lang
from civic.text.safe_text import md_text
from tests.conftest import app_test


def qp(at, key):
    v = at.query_params.get(key)
    return v if isinstance(v, list) or v is None else [v]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_renders_both_programmes(rendered):
    at = rendered()
    assert not at.exception
    m = metrics(at)
    assert m["实践站覆盖"] == "238/238"
    assert m["已完成改造小区"] == "30"
    assert any("57/57" in s.value for s in at.success)
    assert at.title[0].value == "总览"


def test_town_filter_from_url_changes_the_numbers(rendered, con):
    at = rendered(query={"town": "夏店镇"})
    assert not at.exception
    assert metrics(at)["实践站覆盖"] == "40/40"
    n = con.execute("""SELECT count(*) FROM v_activities WHERE town_code = '140423103'
                       AND activity_date BETWEEN DATE '2026-01-01' AND DATE '2026-11-26'""").fetchone()[0]
    assert metrics(at)["活动场次"] == f"{n:,}"
    assert at.multiselect(key="f_towns").value == ["140423103"]
    assert qp(at, "town") == ["夏店镇"]


def test_widget_change_writes_the_url(make_app):
    at = make_app().run()
    at.selectbox(key="f_preset").set_value("all").run()
    assert not at.exception
    assert qp(at, "range") == ["all"]
    at.multiselect(key="f_towns").set_value(["140423100"]).run()
    assert qp(at, "town") == ["古韩镇"]


def test_county_scope_hides_the_other_programme(rendered):
    at = rendered(query={"county": "511823"})
    assert "实践站覆盖" not in metrics(at) and "已完成改造小区" in metrics(at)


@pytest.mark.parametrize("query", [
    {"town": "不存在"}, {"from": "2025-13-45"}, {"town": "' OR 1=1 --"}, {"town": "x" * 10_000},
    {"range": "bogus"}, {"lang": "xx"}, {"from": "2025-06-01", "to": "2025-01-01"},
])
def test_bad_urls_fall_back_with_a_visible_notice(rendered, query):
    at = rendered(query=query)
    assert not at.exception
    assert len(at.warning) >= 1
    assert metrics(at)["实践站覆盖"] == "238/238"


def test_english(rendered):
    at = rendered(query={"lang": "en"})
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert "Stations built" in metrics(at)


def test_state_carries_across_page_changes(make_app):
    at = make_app(query={"town": "夏店镇", "range": "all"}).run()
    pages = [p for p in nav.available() if not p.hidden and not p.admin and p.id != "overview"]
    if not pages:
        pytest.skip("no second page yet")
    at.query_params.clear()       # st.navigation drops the query string when switching pages
    at.switch_page(pages[0].file).run()
    assert not at.exception
    assert qp(at, "range") == ["all"]


@pytest.mark.parametrize("spec", [p for p in nav.PAGES], ids=lambda p: p.id)
def test_every_page_renders(rendered, spec):
    if spec not in nav.available():
        pytest.skip(f"{spec.file} does not exist yet")
    at = rendered(page=spec.file)
    assert not at.exception, [e.value for e in at.exception]


def test_new_snapshot_is_picked_up(private_data_dir):
    """Publishing a new version changes what the next run shows (the version watch reruns open pages)."""
    import duckdb

    from civic.store import snapshots
    at = app_test().run()
    assert metrics(at)["已完成改造小区"] == "30"
    with snapshots.transaction("test: mark one compound done") as work:
        c = duckdb.connect(str(work))
        c.execute("UPDATE compounds SET status = '完成' WHERE compound_id = "
                  "(SELECT min(compound_id) FROM compounds WHERE status = '验收')")
        c.execute("CHECKPOINT")
        c.close()
    at.run()
    assert metrics(at)["已完成改造小区"] == "31"


def test_no_database_is_a_clear_message(tmp_path, monkeypatch):
    from civic.store import db, queries
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    db.close_all()
    queries.clear_cache()
    at = app_test().run()
    assert not at.exception
    assert "make run" in at.error[0].value


# ── the shared state survives every path (issue 15 §3) ─────────────────────────────────────────
def _go(at, page_id: str):
    """A menu click, at its worst: st.navigation may drop the query string, so the state must come from the
    session, not from the link."""
    at.query_params.clear()
    return at.switch_page(nav.by_id(page_id).file).run()


def _not_applied(at) -> str:
    """The sidebar's "not applied on this page" heading and its chips ("" when the page applies all)."""
    heads = [c.value for c in at.sidebar.caption if "本页未应用" in c.value or "Not applied" in c.value]
    return " ".join(heads + [m.value for m in at.sidebar.markdown if heads and "gray-badge[" in m.value])


def test_township_and_range_survive_pages_without_those_filters(make_app):
    """/volunteer with a township and 本年 → 改造进度 (no date filter, 汉源 towns only) → 数据管理 (no filters) →
    back: the range is still 本年 (not 本月) and the 襄垣 township is still chosen."""
    at = make_app(page="pages/volunteer.py", query={"town": "夏店镇"}).run()
    assert at.multiselect(key="f_towns").value == ["140423103"] and at.selectbox(key="f_preset").value == "this_year"
    for page_id in ("renovation", "admin", "cogovernance", "volunteer"):
        _go(at, page_id)
        assert not at.exception, page_id
        assert qp(at, "town") == ["夏店镇"] and qp(at, "range") is None, page_id
    assert at.multiselect(key="f_towns").value == ["140423103"]
    assert at.selectbox(key="f_preset").value == "this_year"
    _go(at, "overview")
    assert metrics(at)["实践站覆盖"] == "40/40"


def test_a_page_says_which_filters_it_keeps_but_cannot_apply(make_app):
    at = make_app(page="pages/volunteer.py", query={"town": ["夏店镇", "富林镇"], "range": "this_quarter"}).run()
    assert "富林镇" in _not_applied(at) and "夏店镇" not in _not_applied(at)      # a 汉源 town on a 襄垣 page
    _go(at, "renovation")
    chips = _not_applied(at)
    assert "夏店镇" in chips and "本季度" in chips and "富林镇" not in chips
    assert at.multiselect(key="f_towns").value == ["511823100"]
    _go(at, "admin")
    chips = _not_applied(at)
    assert all(s in chips for s in ("夏店镇", "富林镇", "本季度"))
    at.segmented_control(key="lang").set_value("en").run()
    chips = _not_applied(at)
    assert "Not applied on this page" in chips and "This quarter" in chips
    _go(at, "overview")
    assert _not_applied(at) == ""
    assert at.multiselect(key="f_towns").value == ["140423103", "511823100"]
    assert at.selectbox(key="f_preset").value == "this_quarter"


def test_a_township_picked_on_a_one_county_page_keeps_the_other_countys(make_app):
    at = make_app(page="pages/renovation.py", query={"town": "夏店镇"}).run()
    at.multiselect(key="f_towns").set_value(["511823100"]).run()
    assert qp(at, "town") == ["夏店镇", "富林镇"]
    at.multiselect(key="f_towns").set_value([]).run()
    assert qp(at, "town") == ["夏店镇"]


def test_language_switch_does_not_reset_the_range(make_app):
    """After a language switch, every menu click used to set range=this_month."""
    at = make_app(query={"town": "夏店镇", "range": "last_12m"}).run()
    at.segmented_control(key="lang").set_value("en").run()
    assert qp(at, "lang") == ["en"] and qp(at, "range") == ["last_12m"]
    # AppTest formats the pages' option labels in this thread, where the session's language is unknown
    with use_lang("en"):
        for page_id in ("volunteer", "renovation", "overview", "stations", "overview"):
            _go(at, page_id)
            assert not at.exception, page_id
            assert (qp(at, "range"), qp(at, "lang"), qp(at, "town")) == (["last_12m"], ["en"], ["夏店镇"]), page_id
        assert at.selectbox(key="f_preset").value == "last_12m" and at.title[0].value == "Overview"


def test_county_and_custom_range_survive_and_the_county_is_shown_where_not_applied(make_app):
    at = make_app(query={"county": "511823", "from": "2025-03-01", "to": "2025-05-31"}).run()
    assert at.date_input(key="f_dates").value == (date(2025, 3, 1), date(2025, 5, 31))
    _go(at, "volunteer")
    assert "汉源县" in _not_applied(at)
    assert at.date_input(key="f_dates").value == (date(2025, 3, 1), date(2025, 5, 31))
    _go(at, "renovation")
    _go(at, "overview")
    assert at.radio(key="f_county").value == "511823"
    assert (qp(at, "from"), qp(at, "to")) == (["2025-03-01"], ["2025-05-31"])


# ── dates in the URL never crash a page (issue 20 §2) ─────────────────────────────────────────
DATE_EDGES = [{"from": "1970-01-01"}, {"from": "0001-01-01"}, {"from": "2022-12-31"}, {"to": "2026-11-27"},
              {"from": "2026-11-27", "to": "2027-01-01"}, {"from": "2026-06-01", "to": "2026-01-01"}]


# The window every edge falls back to is parse_shared's (unit-tested below on every edge); the pages only
# render it. `make test-fast` renders every edge on the overview and the two extremes (year 1, a reversed
# range) on the other pages; `make test` renders every edge on every page.
_FAST_EDGES = ({"from": "0001-01-01"}, {"from": "2026-06-01", "to": "2026-01-01"})


def _edge_cases():
    for page_id in ("overview", "stations", "cogovernance", "volunteer"):
        for query in DATE_EDGES:
            slow = page_id != "overview" and query not in _FAST_EDGES
            yield pytest.param(page_id, query, marks=[pytest.mark.slow] if slow else [],
                               id=f"{page_id}-" + "&".join(f"{k}={v}" for k, v in query.items()))


@pytest.mark.parametrize("query", DATE_EDGES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_edge_dates_fall_back_to_a_window_inside_the_data_with_a_notice(data_dir, query):
    from civic.scope import TownIndex, parse_shared
    from civic.store import queries
    f, notes = parse_shared({k: [v] for k, v in query.items()}, TownIndex(queries.run("towns")),
                            date(2026, 11, 26), date(2023, 1, 1))
    assert any("超出数据范围" in n or "晚于" in n for n in notes), notes
    assert date(2023, 1, 1) <= f.date_from <= f.date_to <= date(2026, 11, 26)
    f.previous()                       # the comparison window is computable


@pytest.mark.parametrize("page_id,query", list(_edge_cases()))
def test_edge_dates_in_the_url_fall_back_with_a_notice(rendered, page_id, query):
    at = rendered(page=nav.by_id(page_id).file, query=query)
    assert not at.exception, [e.value for e in at.exception]
    assert any("超出数据范围" in w.value or "晚于" in w.value for w in at.warning)
    assert qp(at, "from") is None or date(2023, 1, 1) <= date.fromisoformat(qp(at, "from")[0])
    assert qp(at, "to") is None or date.fromisoformat(qp(at, "to")[0]) <= date(2026, 11, 26)


@pytest.mark.parametrize("month,kept", [("0000-01", None), ("2025-13", None), ("2025-00", None),
                                        ("1970-01", None), ("2026-03", "2026-03")])
def test_volunteer_month_from_the_url_never_crashes(rendered, month, kept):
    """month=0000-01 raised a raw error box; a month before the data is clamped to its first month (then
    dropped, as any focus outside the 本年 window is)."""
    at = rendered(page="pages/volunteer.py", query={"month": month})
    assert not at.exception, [e.value for e in at.exception]
    assert qp(at, "month") == ([kept] if kept else None)
    if kept is None:
        assert any(md_text(month) in w.value for w in at.warning)   # echoed as text (escaped)


def test_every_page_script_imports_the_civic_package_that_routes_a_fresh_server():
    """A fresh server's first request runs the page script without app.py until the first import of the civic
    package reroutes it (civic/app/routing.py; docs/architecture.md, "Routing"). So every page script in pages/
    (Streamlit's legacy discovery would run any of them) must import from civic."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    scripts = sorted((root / "pages").glob("*.py"))
    assert {p.name for p in scripts} >= {Path(s.file).name for s in nav.available()}
    for script in scripts:
        tree = ast.parse(script.read_text(encoding="utf-8"))
        modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        modules |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        assert any(m and (m == "civic" or m.startswith("civic.")) for m in modules), \
            f"{script.name} does not import the civic package"
