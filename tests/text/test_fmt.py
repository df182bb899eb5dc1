from datetime import date, datetime

import pytest

from civic.text import fmt


@pytest.mark.parametrize("value,expected", [
    (0, "0"), (999, "999"), (9999, "9,999"), (12345, "1.23万"), (10000, "1万"), (33624, "3.36万"),
    (213640, "21.36万"), (123456789, "1.23亿"), (100000000, "1亿"), (-12345, "-1.23万"), (12.5, "12.5"),
    (None, "—"), (float("nan"), "—"),
])
def test_num_zh(value, expected):
    assert fmt.num(value) == expected


def test_num_en():
    assert fmt.num(12345, "en") == "12.35K"
    assert fmt.num(3_400_000, "en") == "3.4M"
    assert fmt.num(999, "en") == "999"


def test_dates():
    assert fmt.day(date(2025, 12, 5)) == "2025年12月5日"
    assert fmt.month(date(2025, 12, 1)) == "2025年12月"
    assert fmt.month("2025-03-01") == "2025年3月"
    assert fmt.day(date(2025, 12, 5), "en") == "5 Dec 2025"
    assert fmt.timestamp("2026-11-26T09:30:00+08:00") == "2026年11月26日 09:30"
    assert fmt.day(None) == "—"
    assert fmt.day(datetime(2025, 1, 2, 3, 4)) == "2025年1月2日"
    # table cells: ISO text that sorts, never a bare "None"/"NaT"
    import pandas as pd
    assert fmt.iso_day(pd.Timestamp("2026-01-05")) == "2026-01-05"
    assert fmt.iso_day(pd.NaT) == "—" and fmt.iso_day(None, "从未") == "从未"


def test_percent():
    # deltas are civic/measures.py's (one rule for every page; tests/test_measures.py)
    assert fmt.pct(0.1234) == "12.3%"
    assert fmt.pct(1) == "100%"


@pytest.mark.parametrize("value,qualifier,unit,expected", [
    (3800, "exact", "米", "3,800米"), (1200, "more_than", "名", "1,200余名"), (200000, "more_than", "平方米", "20余万平方米"),
    (10000, "more_than", "场", "1万余场"), (30000, "more_than", "名", "3万余名"), (100, "less_than", "场", "近100场"),
])
def test_published(value, qualifier, unit, expected):
    assert fmt.published(value, qualifier, unit) == expected
