"""Issue 18 on 总览: the reporting alert (only when it applies, linking to the monitor), the export, and the
cross-filter: a click on a township's ranking bar sets the township filter for the whole app, with a chip
and a one-click clear."""
from __future__ import annotations

from datetime import date

import pytest

from civic import completeness as cp

OVERVIEW = "pages/overview.py"
AS_OF = date(2026, 11, 26)


def test_alert_names_the_low_townships_and_links_to_the_monitor(make_app):
    low = cp.low_this_month([], AS_OF)
    assert len(low) > 0
    at = make_app(OVERVIEW).run()
    assert not at.exception, [e.value for e in at.exception]
    alerts = [w.value for w in at.warning if "上报率低于" in w.value]
    assert alerts == [f"本月 {len(low)} 个乡镇上报率低于 80%（未满月按比例判定）：" + "、".join(low.town_name)]
    links = [el.proto.page for el in at.get("page_link")]
    assert any("completeness" in p for p in links)


def test_no_alert_when_it_does_not_apply(make_app):
    ok_town = next(c for c in cp.grid([], AS_OF).town_code.unique() if c not in set(cp.low_this_month([], AS_OF).town_code))
    for query in ({"county": "511823"}, {"town": ok_town}):
        at = make_app(OVERVIEW, query).run()
        assert not at.exception
        assert not [w for w in at.warning if "上报率低于" in w.value], query


def test_overview_exports(make_app):
    at = make_app(OVERVIEW).run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载 CSV" in labels[0] or "CSV" in labels[0]
    assert len(labels) >= 2


def test_a_click_sets_the_filter_for_the_whole_app_with_a_chip_and_a_clear(make_app):
    """What the bar's callback does (crossfilter.set_town: the sidebar's widget key and the chip), then the
    shell's follow-through; the real click in Chromium is tests/browser/test_crossfilter.py."""
    from civic.app import crossfilter
    at = make_app(OVERVIEW).run()
    at.session_state["f_towns"] = ["140423103"]
    at.session_state[crossfilter.CHIP] = {"code": "140423103"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["town"] in ("夏店镇", ["夏店镇"])
    assert at.session_state["_filters"].towns == ("140423103",)
    chip = [m.value for m in at.markdown if "点击筛选" in m.value]
    assert chip and "夏店镇" in chip[0]
    at.switch_page("pages/volunteer.py").run()          # another page follows: the state is the app's
    assert at.session_state["_filters"].towns == ("140423103",)
    at.switch_page(OVERVIEW).run()
    at.button(key="xf_clear").click().run()
    assert "town" not in at.query_params and at.session_state["_filters"].towns == ()
    assert not [m for m in at.markdown if "点击筛选" in m.value]


def test_town_from_point():
    import pandas as pd

    from civic.app.crossfilter import town_from_point
    from civic.scope import TownIndex
    ti = TownIndex(pd.DataFrame({"town_code": ["1", "2"], "name": ["夏店镇", "古韩镇"], "county_code": ["a", "a"]}))
    assert town_from_point({"y": "夏店镇", "x": 3.0}, ti) == "1"
    assert town_from_point({"customdata": ["2", 5]}, ti) == "2"
    assert town_from_point({"y": "不存在"}, ti) is None


def test_a_town_bubble_pick_names_its_township():
    """The map's callback (pages/stations.py _on_map) hands a picked object without a site to
    crossfilter.town_click: a township bubble carries its town_code."""
    from civic.map import maps
    p = maps.picked({"selection": {"indices": {"town_totals": [0]},
                                   "objects": {"town_totals": [{"town_code": "140423103", "t1": "夏店镇"}]}}})
    assert p is not None and p.site_id is None and p.obj["town_code"] == "140423103"


@pytest.fixture()
def state(monkeypatch):
    from civic.app import crossfilter
    ss: dict = {}
    monkeypatch.setattr(crossfilter.st, "session_state", ss)
    return ss


def test_pick_town_is_the_one_click_to_township(state):
    """The volunteer page's town bars (a Selectable, the code in customdata[0]) go through the same set_town as
    the ranking bar and the map: the filter, the chip, and a second click clearing both."""
    from civic.app import crossfilter
    crossfilter.pick_town([{"x": 3.0}, {"customdata": ["140423100", 12]}])
    assert state["f_towns"] == ["140423100"] and state[crossfilter.CHIP] == {"code": "140423100"}
    crossfilter.pick_town([{"customdata": ["140423100", 12]}])
    assert state["f_towns"] == [] and crossfilter.CHIP not in state
    crossfilter.pick_town([{"customdata": [None]}, {"y": "夏店镇"}])          # nothing to read: nothing changes
    assert state["f_towns"] == []
