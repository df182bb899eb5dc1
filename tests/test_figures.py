"""civic/figures builds charts from frames without Streamlit: built from small hand-made frames, each figure
has the traces and axis titles the catalog says, and an empty frame gives a figure, never an exception."""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from civic.figures import volunteer as vf
from civic.text.i18n import t

ROOT = Path(__file__).resolve().parent.parent


def test_figures_never_import_streamlit():
    for path in (ROOT / "civic" / "figures").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] == "streamlit" or n.startswith("civic.app")], path


def _totals(n: int = 3, partial_last: bool = True) -> pd.DataFrame:
    months = pd.date_range("2025-01-01", periods=n, freq="MS")
    return pd.DataFrame({"month": months, "service_type": [None] * n, "activities": range(10, 10 + n),
                         "activities_ly": [8.0] * n, "activities_r12": [9.0] * n,
                         "theme": ["理论宣讲月"] + [None] * (n - 1),
                         "partial": [False] * (n - 1) + [partial_last]})


def test_monthly_trend_bars_last_year_and_rolling():
    marks = pd.DataFrame({"month": [pd.Timestamp("2025-02-01")], "kind": ["campaign_xueleifeng"]})
    fig = vf.monthly_trend(_totals(), "activities", marks, "zh", focus="2025-02", partial_text="截至3月5日")
    assert [tr.type for tr in fig.data] == ["bar", "scatter", "scatter"]
    assert fig.layout.xaxis.title.text == t("volunteer.trend.axis_month", "zh")
    assert fig.layout.yaxis.title.text == t("volunteer.unit.activities", "zh")
    # the focused month is highlighted, the running month hatched and labelled
    assert list(fig.data[0].marker.color) == [vf.charts.PALETTE[0], vf.HIGHLIGHT, vf.charts.PALETTE[0]]
    assert list(fig.data[0].marker.pattern.shape) == ["", "", "/"]
    assert any("截至3月5日" in a.text for a in fig.layout.annotations)
    # last year's point of a running month is left out (it would compare a part with a whole)
    assert pd.isna(fig.data[1].y[-1]) and fig.data[1].y[0] == 8.0


def test_window_months_cuts_to_the_window_and_splits_the_mix():
    monthly = pd.concat([_totals(4), _totals(4).assign(service_type="文化惠民")])
    totals, mix = vf.window_months(monthly, date(2025, 2, 10), date(2025, 3, 31))
    assert list(totals.month.dt.month) == [2, 3] and totals.service_type.isna().all()
    assert list(mix.month.dt.month) == [2, 3] and (mix.service_type == "文化惠民").all()


def test_towns_chart_carries_the_town_code_for_a_click():
    towns = pd.DataFrame({"town_code": ["1", "2"], "town_name": ["甲镇", "乙镇"], "per_station": [2.5, 1.0],
                          "stations": [4, 2], "active_stations": [3, 1], "activities": [10, 2]})
    fig = vf.towns_per_station(towns, {"2"})
    assert len(fig.data) == 1 and [c[0] for c in fig.data[0].customdata] == ["1", "2"]
    assert list(fig.data[0].marker.color) == [vf.charts.PALETTE[0], vf.HIGHLIGHT]
    assert fig.layout.xaxis.title.text == t("volunteer.towns.axis", "zh")


def test_stacked_charts_have_one_trace_per_present_group():
    mix = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-01-01"]), "service_type": ["理论宣讲", "文化惠民"],
                        "share_of_month": [0.4, 0.6], "activities": [4, 6]})
    assert len(vf.service_mix(mix, ["理论宣讲", "文化惠民", "扶危帮困"], "zh").data) == 2
    tm = pd.DataFrame({"month": pd.to_datetime(["2025-01-01"]), "host_group": ["farmer"], "trainees": [30],
                       "sessions": [2]})
    fig = vf.trainings(tm, "en")
    assert len(fig.data) == 1 and fig.layout.xaxis.tickformat == "%b %Y"


def test_year_on_year_and_wishes():
    yoy = pd.DataFrame({"month_no": [1, 2], "activities": [5, 7], "activities_prev": [4, 0]})
    fig = vf.year_on_year(yoy, "activities", 2025)
    assert [tr.name for tr in fig.data] == [t("volunteer.yoy.series_year", "zh", year=y) for y in (2024, 2025)]
    assert len(vf.wish_funnel(10, 8, 5).data) == 1
    days = pd.DataFrame({"lo": [0, 7], "hi": [7, None], "wishes": [3, 1]})
    fig = vf.wish_days(days)
    assert fig.layout.xaxis.title.text == t("volunteer.wishes.axis_days", "zh") and len(fig.data[0].x) == 2


EMPTY_BUILDERS = {
    "daily": lambda: vf.daily_trend(pd.DataFrame({"day": [], "activities": []}), "activities", "zh"),
    "monthly": lambda: vf.monthly_trend(_totals().iloc[:0], "activities", pd.DataFrame({"month": [], "kind": []}), "zh"),
    "yoy": lambda: vf.year_on_year(pd.DataFrame({"month_no": [], "activities": [], "activities_prev": []}),
                                   "activities", 2025),
    "days": lambda: vf.active_days_by_town(pd.DataFrame({"share": [], "town_name": [], "active_days": [],
                                                         "elapsed_days": []})),
    "calendar": lambda: vf.calendar(pd.DataFrame({"day": pd.Series([], dtype=object), "week": [], "weekday": [],
                                                  "activities": []}), "zh"),
    "mix": lambda: vf.service_mix(pd.DataFrame({"month": [], "service_type": [], "share_of_month": [],
                                                "activities": []}), ["理论宣讲"], "zh"),
    "towns": lambda: vf.towns_per_station(pd.DataFrame({"town_code": [], "town_name": [], "per_station": [],
                                                        "stations": [], "active_stations": [], "activities": []}),
                                          set()),
    "wish_days": lambda: vf.wish_days(pd.DataFrame({"lo": [], "hi": [], "wishes": []})),
    "trainings": lambda: vf.trainings(pd.DataFrame({"month": [], "host_group": [], "trainees": [], "sessions": []}),
                                      "zh"),
}


@pytest.mark.parametrize("name", sorted(EMPTY_BUILDERS))
def test_empty_frames_give_a_figure(name):
    fig = EMPTY_BUILDERS[name]()
    assert fig.to_dict() is not None
