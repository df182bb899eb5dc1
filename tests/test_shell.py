"""AppTest of the frame and the overview: routing, filters, URL state, language, live version watch."""
from __future__ import annotations

import pytest

from civic import nav
from tests.conftest import app_test


def qp(at, key):
    v = at.query_params.get(key)
    return v if isinstance(v, list) or v is None else [v]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_renders_both_programmes(make_app):
    at = make_app().run()
    assert not at.exception
    m = metrics(at)
    assert m["实践站覆盖"] == "238/238"
    assert m["已完成改造小区"] == "30"
    assert any("57/57" in s.value for s in at.success)
    assert at.title[0].value == "总览"


def test_town_filter_from_url_changes_the_numbers(make_app, con):
    at = make_app(query={"town": "夏店镇"}).run()
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


def test_county_scope_hides_the_other_programme(make_app):
    at = make_app(query={"county": "511823"}).run()
    assert "实践站覆盖" not in metrics(at) and "已完成改造小区" in metrics(at)


@pytest.mark.parametrize("query", [
    {"town": "不存在"}, {"from": "2025-13-45"}, {"town": "' OR 1=1 --"}, {"town": "x" * 10_000},
    {"range": "bogus"}, {"lang": "xx"}, {"from": "2025-06-01", "to": "2025-01-01"},
])
def test_bad_urls_fall_back_with_a_visible_notice(make_app, query):
    at = make_app(query=query).run()
    assert not at.exception
    assert len(at.warning) >= 1
    assert metrics(at)["实践站覆盖"] == "238/238"


def test_english(make_app):
    at = make_app(query={"lang": "en"}).run()
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
def test_every_page_renders(make_app, spec):
    if spec not in nav.available():
        pytest.skip(f"{spec.file} does not exist yet")
    at = make_app(page=spec.file).run()
    assert not at.exception, [e.value for e in at.exception]


def test_new_snapshot_is_picked_up(private_data_dir):
    """Publishing a new version changes what the next run shows (the version watch reruns open pages)."""
    import duckdb

    from civic import snapshots
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
    from civic import db, queries
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    db.close_all()
    queries.clear_cache()
    at = app_test().run()
    assert not at.exception
    assert "make run" in at.error[0].value
