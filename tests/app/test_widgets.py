"""civic/app/widgets.py: the selection reset, table specs (screen and download alike), the published-figure
query behind every page's reconciliation table, and a KPI row drawn in AppTest."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from civic.app import export, widgets
from civic.app.export import Col


@pytest.fixture()
def state(monkeypatch):
    ss: dict = {}
    monkeypatch.setattr(widgets.st, "session_state", ss)
    return ss


def test_selectable_key_carries_a_counter_that_reset_bumps(state):
    trend, towns = widgets.Selectable("vol_trend", "vol_sel_gen"), widgets.Selectable("vol_towns", "vol_sel_gen")
    assert (trend.key, towns.key) == ("vol_trend_0", "vol_towns_0")
    trend.reset()
    assert (trend.key, towns.key) == ("vol_trend_1", "vol_towns_1")     # one counter resets both


def test_on_select_applies_the_points_then_drops_the_selection(state):
    sel = widgets.Selectable("rv_funnel", "_rv_nonce_funnel")
    seen: list = []
    state[sel.key] = {"selection": {"points": [{"x": "2025-03-01", "customdata": ["C1"]}]}}
    sel.on_select(seen.append)()
    assert seen == [[{"x": "2025-03-01", "customdata": ["C1"]}]] and sel.key == "rv_funnel_1"
    sel.on_select(seen.append)()                     # nothing selected on the fresh widget: nothing applied
    assert len(seen) == 1 and sel.key == "rv_funnel_2"
    state[sel.key] = {"selection": {"rows": [2]}}
    assert sel.points() == [{"row": 2}]


def test_first_customdata(state):
    assert widgets.first_customdata([{"x": 1}, {"customdata": ["140423100"]}]) == "140423100"
    assert widgets.first_customdata([{"customdata": "A"}]) == "A" and widgets.first_customdata([]) is None


COLS = [Col("day", "volunteer.top.col_last", "day", missing="volunteer.idle.never"),
        Col("share", "volunteer.wishes.col_rate", "pct"),
        Col("stype", "volunteer.list.col_stype", "value", domain="service_type"),
        Col("town", "volunteer.wishes.col_town", missing="volunteer.wishes.county_dept"),
        Col("url", "volunteer.idle.col_map", "link", display="volunteer.idle.map_link"),
        Col("n", "volunteer.top.col_activities", "count")]
FRAME = pd.DataFrame({"day": [pd.Timestamp("2025-12-05"), pd.NaT], "share": [0.5, 0.123],
                      "stype": ["文化惠民", "unknown"], "town": ["古韩镇", None],
                      "url": ["stations?site=S-1", "stations?site=S-2"], "n": [1200, 3], "extra": [1, 2]})


def test_present_writes_each_kind_in_the_language():
    zh = widgets.present(FRAME, COLS, "zh")
    assert list(zh.columns) == [c.name for c in COLS]
    assert list(zh.day) == ["2025年12月5日", "从未有活动"]
    assert list(zh.share) == ["50%", "12%"] and list(zh.stype) == ["文化惠民", "unknown"]
    assert list(zh.town) == ["古韩镇", "县直机关"]
    assert list(zh.url) == ["stations?site=S-1", "stations?site=S-2"]
    en = widgets.present(FRAME, COLS, "en")
    assert en.day[0] == "5 Dec 2025" and en.stype[0] != "文化惠民"
    assert list(en.url) == ["stations?site=S-1&lang=en", "stations?site=S-2&lang=en"]   # links keep the language
    assert list(en.n) == [1200, 3]


def test_download_has_the_screens_headers():
    out = export.export_frame(widgets.present(FRAME, COLS, "en"), COLS, "en")
    assert list(out.columns) == [export.t(c.label, "en") for c in COLS]


@pytest.mark.parametrize("section, n, prefix", [("all", 57, None), ("renovation", 18, "H"),
                                                ("cogovernance", 16, "H"), ("volunteer", 9, "X")])
def test_published_facts_sections(data_dir, section, n, prefix):
    facts = widgets.published_facts(section, "zh")
    assert len(facts) == n and facts.ok.all()
    assert prefix is None or facts.fact_id.str.startswith(prefix).all()
    assert set(facts.check) == {widgets.t("facts.match", "zh")}


def _kpi_page():
    from civic import measures
    from civic.app import widgets as ui
    ui.kpi_row([ui.Kpi(f"tile {i}", measures.Tile(str(i), None, None, f"help {i}"), f"caption {i}" if i == 4 else None)
                for i in range(5)], per_row=3)


def test_kpi_row_draws_tiles_in_rows():
    at = AppTest.from_function(_kpi_page).run()
    assert not at.exception
    assert [m.label for m in at.metric] == [f"tile {i}" for i in range(5)]
    assert [c.value for c in at.caption] == ["caption 4"]
    assert len(at.columns) == 6          # two rows of three


@pytest.mark.parametrize("page, key", [("pages/overview.py", "ov_provenance_open"),
                                       ("pages/cogovernance.py", "cg_reconcile_open"),
                                       ("pages/volunteer.py", "vol_reconcile_open")])
def test_collapsed_tables_are_built_when_opened(make_app, page, key):
    """Issue 21: every page's collapsed provenance / published-figures expander sends its st.table only once
    the reader opens it."""
    at = make_app(page).run(timeout=120)
    assert not at.exception
    closed = len(at.table)
    at.session_state[key] = True
    at.run(timeout=120)
    assert not at.exception
    assert len(at.table) == closed + 1


def test_facts_table_in_an_expander(make_app):
    """Issue 21: the published figures' expander is built only when opened (its st.table is Markdown per
    cell for the browser): closed, the page sends no table; opened, the facts table."""
    computed = widgets.t("facts.col_computed", "zh")
    at = make_app("pages/renovation.py").run(timeout=120)
    assert not at.exception
    assert not any(computed in str(tb.value.columns.tolist()) for tb in at.table)
    at.session_state["rv_reconcile_open"] = True                                # the reader opens it
    at.run(timeout=120)
    assert not at.exception
    assert any(computed in str(tb.value.columns.tolist()) for tb in at.table)

