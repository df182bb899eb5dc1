"""The comparison windows, the delta rule and partial periods (civic/measures.py), on many anchor dates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from civic import measures as M
from civic.scope import Filters, preset_range

START = date(2023, 1, 1)

# every day of two years that include 29 Feb, plus year and month boundaries of other years
ANCHORS = ([date(2027, 12, 1) + timedelta(days=i) for i in range(0, 460)]
           + [date(y, m, d) for y in (2024, 2025, 2026, 2028) for m, d in ((1, 1), (2, 28), (2, 29), (3, 1),
                                                                            (3, 31), (6, 30), (12, 31))
              if not (m == 2 and d == 29 and y % 4)])


def test_shift_year_keeps_the_calendar_day_and_moves_29_feb_to_28():
    assert M.shift_year(date(2026, 12, 5)) == date(2025, 12, 5)
    assert M.shift_year(date(2028, 2, 29)) == date(2027, 2, 28)
    assert M.shift_year(date(2025, 2, 28)) == date(2024, 2, 28)
    assert M.shift_year(date(2025, 1, 1)) == date(2024, 1, 1)


@pytest.mark.parametrize("anchor", ANCHORS, ids=str)
def test_yoy_of_every_preset_is_the_same_days_a_year_earlier(anchor):
    for preset in ("this_month", "this_quarter", "this_year", "last_12m", "all"):
        start, end = preset_range(preset, anchor, START)
        w = M.yoy(start, end)
        assert w.start == M.shift_year(start) and w.end == M.shift_year(end)
        assert w.start <= w.end
        # like for like: the same number of days, give or take a 29 February
        if preset != "all":
            assert abs(w.days - M.Window(start, end).days) <= 1
        # and the filters give the queries the same window
        f = Filters(preset=preset, date_from=start, date_to=end, anchor=anchor)
        assert f.previous() == (w.start, w.end)
        assert (f.params()["prev_from"], f.params()["prev_to"]) == (w.start, w.end)


@pytest.mark.parametrize("anchor", ANCHORS, ids=str)
def test_running_month_is_compared_with_the_same_days(anchor):
    start, end = preset_range("this_month", anchor, START)
    assert M.kind(start, end) == "month"
    m = M.mom(start, end)
    prev_month_end = start - timedelta(days=1)
    assert m.start == prev_month_end.replace(day=1)
    if end == M.month_end(end):
        assert m.end == prev_month_end                      # a whole month against the whole month before
    else:
        assert m.end == prev_month_end.replace(day=min(end.day, prev_month_end.day))
    assert m.end < start
    assert M.is_partial(start, end) == (end != M.month_end(end))


@pytest.mark.parametrize("anchor", ANCHORS, ids=str)
def test_running_quarter_is_compared_with_the_same_days_of_the_quarter_before(anchor):
    start, end = preset_range("this_quarter", anchor, START)
    m = M.mom(start, end)
    if M.kind(start, end) == "month":      # the quarter's first month: same days of the month before
        assert m.end < start and m.start.day == 1
        return
    assert M.kind(start, end) == "quarter"
    assert m.start == M.shift_months(start, -3)
    assert m.end.month == (end.month - 4) % 12 + 1
    assert m.end < start


def test_mom_examples():
    assert M.mom(date(2026, 12, 1), date(2026, 12, 5)) == M.Window(date(2026, 11, 1), date(2026, 11, 5))
    assert M.mom(date(2026, 3, 1), date(2026, 3, 31)) == M.Window(date(2026, 2, 1), date(2026, 2, 28))
    assert M.mom(date(2028, 3, 1), date(2028, 3, 30)) == M.Window(date(2028, 2, 1), date(2028, 2, 29))
    assert M.mom(date(2026, 1, 1), date(2026, 1, 5)) == M.Window(date(2025, 12, 1), date(2025, 12, 5))
    assert M.mom(date(2026, 10, 1), date(2026, 12, 5)) == M.Window(date(2026, 7, 1), date(2026, 9, 5))
    assert M.mom(date(2026, 4, 1), date(2026, 6, 30)) == M.Window(date(2026, 1, 1), date(2026, 3, 31))
    assert M.mom(date(2026, 1, 1), date(2026, 11, 26)) is None              # year to date: 同比 only
    # a free span: the window of equal length just before
    assert M.mom(date(2025, 3, 10), date(2025, 3, 19)) == M.Window(date(2025, 2, 28), date(2025, 3, 9))
    assert M.yoy(date(2028, 2, 1), date(2028, 2, 29)) == M.Window(date(2027, 2, 1), date(2027, 2, 28))


def test_partial_periods():
    assert M.is_partial(date(2026, 12, 1), date(2026, 12, 5))
    assert not M.is_partial(date(2026, 11, 1), date(2026, 11, 30))
    assert M.is_partial(date(2026, 1, 1), date(2026, 12, 5))
    assert not M.is_partial(date(2025, 1, 1), date(2025, 12, 31))
    assert not M.is_partial(date(2025, 3, 10), date(2025, 4, 2))             # a free span is what it is
    assert M.month_coverage(date(2026, 12, 1), date(2026, 1, 1), date(2026, 12, 5)) == \
        (date(2026, 12, 1), date(2026, 12, 5), True)
    assert M.month_coverage(date(2026, 11, 1), date(2026, 1, 1), date(2026, 12, 5))[2] is False
    assert M.month_coverage(date(2025, 3, 1), date(2025, 3, 10), date(2025, 6, 30))[2] is True


def test_trend_grain():
    assert M.trend_grain(date(2026, 12, 1), date(2026, 12, 5)) == "day"
    assert M.trend_grain(date(2026, 11, 20), date(2026, 12, 5)) == "day"
    assert M.trend_grain(date(2026, 10, 1), date(2026, 12, 5)) == "month"
    assert M.trend_grain(date(2026, 1, 1), date(2026, 1, 1)) == "day"


def test_change_rule():
    assert M.change(110, 100) == "+10.0%"
    assert M.change(90, 100) == "-10.0%"
    assert M.change(100, 100) == "+0.0%"
    assert M.change(5, 0) == "+5"                 # no percentage on a zero base
    assert M.change(3, 7) == "-4"                 # nor on a tiny one
    assert M.change(0, 0) is None
    assert M.change(5, None) is None
    assert M.change(float("nan"), 5) is None
    assert M.change(12, 10) == "+20.0%"


def test_comparison_before_the_data_has_no_delta():
    c = M.compare(date(2023, 1, 1), date(2026, 11, 26), START)       # 全部
    assert not c.yoy_ok
    tile = M.tile("activities", 1000, c, yoy_base=0, mom_base=None)
    assert tile.delta is None and "数据起始日" in tile.help
    c = M.compare(date(2026, 11, 1), date(2026, 11, 26), START)
    assert c.yoy_ok and c.mom_ok and c.partial
    tile = M.tile("activities", 1100, c, yoy_base=1000, mom_base=1200)
    assert tile.delta == "+10.0%" and tile.mom == "-8.3%"
    assert "2025年11月1日—11月26日" in tile.help and "2026年10月1日—10月26日" in tile.help
    assert "环比（上月同期）" in tile.help and "同比" in tile.help
    assert "活动场次" in tile.help


def test_span_text():
    w = M.Window(date(2026, 1, 1), date(2026, 12, 5))
    assert M.span_text(w) == "2026年1月1日—12月5日"
    assert M.span_text(w, "en") == "1 Jan – 5 Dec 2026"
    assert M.partial_label(date(2026, 12, 5)) == "截至12月5日"
