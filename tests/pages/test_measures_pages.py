"""One truth on every screen (issue 15): every KPI that appears on more than one page shows the same value,
the same delta and the same tooltip, for the same filters; the ranking agrees; the screen's year-to-date
figures are the overview's 本年 figures. Also: the windows on several build days (29 Feb, a new year)."""
from __future__ import annotations

import json
import os
import re
from datetime import date

import pytest

from civic.store import db, queries
from tests.pages.test_screen import htmls

OVERVIEW, VOLUNTEER, SCREEN = "pages/overview.py", "pages/volunteer.py", "pages/screen.py"

COMBOS = [
    {},                                                    # 本年, every town
    {"range": "this_month"},
    {"range": "this_year", "town": "夏店镇"},
    {"range": "this_month", "town": "古韩镇"},
    {"range": "this_quarter"},
    {"from": "2025-03-10", "to": "2025-06-20", "town": "西营镇"},
    {"range": "all"},
]


def tiles(at) -> dict[str, tuple[str, str, str]]:
    """label → (value, delta, tooltip) of every st.metric on the page."""
    return {m.label: (m.value, m.delta or "", m.proto.help) for m in at.metric}


def chart(at, key_part: str) -> dict:
    for el in at.get("plotly_chart"):
        if key_part in el.proto.id:
            return json.loads(el.proto.spec)
    raise AssertionError(f"no chart {key_part}")


def ranking(at, key_part: str) -> dict[str, float]:
    bar = chart(at, key_part)["data"][0]
    return dict(zip(bar["y"], bar["x"]))


def render(rendered, page, query):
    """The page's shared run for this URL (conftest `rendered`): these tests only read it."""
    at = rendered(page, query)
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("query", COMBOS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "default")
def test_shared_kpis_agree_between_overview_and_volunteer(rendered, query):
    # the volunteer page draws one analysis section at a time: its wish tiles and its town ranking each
    # have their own (the headline tiles are above the section bar, on both)
    ov, vo = render(rendered, OVERVIEW, query), render(rendered, VOLUNTEER, dict(query, view="wishes"))
    a, b = tiles(ov), tiles(vo)
    shared = set(a) & set(b)
    # the activity measures and micro-wishes are on both pages, under the same names
    assert {"活动场次", "志愿者人次", "受益人次", "微心愿完成"} <= shared
    for label in shared:
        assert a[label] == b[label], (label, a[label], b[label])
    # the headline delta is 同比, and says so; 环比 is a labelled second figure in the tooltip
    value, delta, help_ = a["活动场次"]
    assert "同比" in help_ or "不计算同比" in help_
    # active stations: the overview's caption and the volunteer tile count the same stations
    active = int(b["有活动的村站"][0].split("/")[0])
    assert any(c.value == f"{active} 个站在所选时间有活动" for c in ov.caption)
    # the ranking: same towns, same figures, same order
    r_ov, r_vo = ranking(ov, "ov_rank"), ranking(render(rendered, VOLUNTEER, dict(query, view="towns")), "vol_towns")
    assert r_ov == r_vo
    assert max(r_ov, key=r_ov.get) == max(r_vo, key=r_vo.get)


@pytest.mark.parametrize("query", [COMBOS[0], COMBOS[3], COMBOS[5]],
                         ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "default")
def test_the_map_pages_headline_agrees(rendered, query):
    """The map page's strip (its own query, map_summary) shows activities, beneficiaries and active stations
    for the same filters: the same numbers as the overview and the volunteer page."""
    a = tiles(render(rendered, OVERVIEW, query))
    b = tiles(render(rendered, VOLUNTEER, query))
    strip = {}
    for body in htmls(render(rendered, "pages/stations.py", query)):
        strip |= dict(re.findall(r'white-space:nowrap">([^<]+)</div><div[^>]*>([^<]+)', body))
    assert strip["活动场次"] == a["活动场次"][0]
    assert strip["受益人次"] == a["受益人次"][0]
    assert strip["有活动的站"] == b["有活动的村站"][0].split("/")[0]


def test_tooltips_say_what_is_counted_and_over_which_days(rendered):
    at = render(rendered, OVERVIEW, {"range": "this_month"})
    value, delta, help_ = tiles(at)["活动场次"]
    assert "活动场次" in help_
    assert "本期：2026年11月1日—11月26日" in help_
    assert "去年同期（2025年11月1日—11月26日）" in help_           # like for like: the same days
    assert "环比（上月同期）：与2026年10月1日—10月26日" in help_
    # every tile of the overview says what it counts and, for the renovation's state, that it is a state
    for label, (_, _, h) in tiles(at).items():
        assert h and ("本期" in h or "现状：截至2026年11月26日" in h), label
    # and every tile of the volunteer page has a tooltip
    for label, (_, _, h) in tiles(render(rendered, VOLUNTEER, {"range": "this_month"})).items():
        assert h, label


def test_no_delta_before_the_data(rendered):
    at = render(rendered, OVERVIEW, {"range": "all"})
    _, delta, help_ = tiles(at)["活动场次"]
    assert delta == "" and "早于数据起始日" in help_


def test_screen_shows_the_overviews_year_to_date(rendered):
    ov = tiles(render(rendered, OVERVIEW, {}))
    vo = tiles(render(rendered, VOLUNTEER, {}))
    scr = render(rendered, SCREEN, {"layout": "1080p", "scene": "overview"})
    cards = _screen_cards(scr)
    for screen_label, page_label in (("本年活动", "活动场次"), ("志愿服务", "志愿者人次"),
                                     ("受益群众", "受益人次"), ("微心愿完成", "微心愿完成")):
        assert _close(cards[screen_label], ov[page_label][0]), (screen_label, cards[screen_label], ov[page_label])
    scr = render(rendered, SCREEN, {"layout": "1080p", "scene": "volunteer"})
    assert _close(_screen_cards(scr)["本年服务时长"], vo["服务时长（小时）"][0])


def _screen_cards(at) -> dict[str, str]:
    out = {}
    for body in htmls(at):
        for label, num, unit in re.findall(r'class="cv-kpi-label">([^<]+)</div>.*?class="cv-num">([^<]+)</span>'
                                           r'(?:<span class="cv-unit">([^<]*)</span>)?', body):
            out[label] = num + ("万" if unit.startswith("万") else "亿" if unit.startswith("亿") else "")
    return out


def _value(s: str) -> float:
    s = s.replace(",", "").split(" ")[0]
    mult = 1e4 if s.endswith("万") else 1e8 if s.endswith("亿") else 1
    return float(s.rstrip("万亿")) * mult


def _close(screen: str, page: str) -> bool:
    """Equal at the screen's precision (it may show one decimal of 万 where the page shows two)."""
    digits = len(screen.rstrip("万亿").split(".")[1]) if "." in screen else 0
    unit = (1e4 if screen.endswith("万") else 1e8 if screen.endswith("亿") else 1) / 10 ** digits
    return abs(_value(screen) - _value(page)) <= unit / 2 + 1e-9


def test_partial_month_is_drawn_partial(rendered):
    at = render(rendered, OVERVIEW, {})
    bar = chart(at, "ov_trend")["data"][0]
    # November 2026 runs to the 26th: lighter and hatched, and labelled
    assert bar["marker"]["opacity"][-1] < 1 and bar["marker"]["pattern"]["shape"][-1] == "/"
    assert all(o == 1 for o in bar["marker"]["opacity"][:-1])
    notes = [a["text"] for a in chart(at, "ov_trend")["layout"].get("annotations", [])]
    assert "截至11月26日" in notes


def test_one_month_trend_is_drawn_by_day(rendered):
    for page, key in ((OVERVIEW, "ov_trend_daily"), (VOLUNTEER, "vol_trend_daily")):
        at = render(rendered, page, {"range": "this_month"})
        bar = chart(at, key)["data"][0]
        assert len(bar["x"]) == 26                        # 1–26 November, one bar a day
        assert any("按日显示" in c.value for c in at.caption)


def test_township_filter_of_one_county_is_said_on_the_other(rendered):
    at = render(rendered, OVERVIEW, {"town": "夏店镇"})
    assert any("本部分显示汉源县全县" in i.value for i in at.info)
    at = render(rendered, OVERVIEW, {"town": "富林镇"})
    assert any("本部分显示襄垣县全县" in i.value for i in at.info)
    at = render(rendered, OVERVIEW, {"town": ["夏店镇", "富林镇"]})
    assert not any("全县" in i.value for i in at.info)


# ── other build days: a running month on 29 Feb and on 3 January ────────────────────────────────
@pytest.fixture(scope="module", params=[date(2028, 2, 29), date(2027, 1, 3)], ids=str)
def other_day(request, tmp_path_factory):
    from civic.demo import build, synth
    from civic.store import snapshots
    d = tmp_path_factory.mktemp(f"asof_{request.param:%Y%m%d}")
    old = os.environ.get("CIVIC_DATA_DIR")
    os.environ["CIVIC_DATA_DIR"] = str(d)
    db.close_all()
    tmp = snapshots.new_tmp_path()
    build.build(tmp, synth.SynthConfig(as_of=request.param))
    snapshots.publish(tmp, note="test build", audit={"action": "build"})
    yield request.param, d
    db.close_all()
    if old is not None:
        os.environ["CIVIC_DATA_DIR"] = old
    _forget_data()


def _forget_data() -> None:
    """Every build's first snapshot is v000001, and the caches are keyed by that version: drop them when
    switching databases in one process."""
    import streamlit as st
    db.close_all()
    queries.clear_cache()
    st.cache_data.clear()


def test_running_month_on_other_days(other_day):
    from tests.conftest import app_test
    as_of, d = other_day
    os.environ["CIVIC_DATA_DIR"] = str(d)
    _forget_data()
    ov = app_test(OVERVIEW, {"range": "this_month"}).run()
    vo = app_test(VOLUNTEER, {"range": "this_month"}).run()
    assert not ov.exception and not vo.exception
    a, b = tiles(ov), tiles(vo)
    for label in set(a) & set(b):
        assert a[label] == b[label], label
    help_ = a["活动场次"][2]
    if as_of == date(2028, 2, 29):
        assert "本期：2028年2月1日—2月29日" in help_
        assert "去年同期（2027年2月1日—2月28日）" in help_          # 29 Feb → 28 Feb
        assert "2028年1月1日—1月31日" in help_        # 环比: a whole February against the whole January
    else:
        assert "本期：2027年1月1日—1月3日" in help_
        assert "去年同期（2026年1月1日—1月3日）" in help_
        assert "2026年12月1日—12月3日" in help_                      # 环比 across the year boundary
    # the partial year's trend: the running month is drawn partial on both pages
    ov = app_test(OVERVIEW, {}).run()
    if as_of.month > 2:    # a year to date of one or two months is drawn by day
        bar = chart(ov, "ov_trend")["data"][0]
        assert bar["marker"]["pattern"]["shape"][-1] == "/"
