"""civic/figures builds charts from frames without Streamlit: built from small hand-made frames, each figure
has the traces and axis titles the catalog says, and an empty frame gives a figure, never an exception."""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from civic.figures import volunteer as vf
from civic.text.i18n import t

ROOT = Path(__file__).resolve().parents[2]


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


# ── the other pages' builders, from the test database's frames, a few rows of them and none ────────
AS_OF = date(2026, 11, 26)
RENOVATION = dict(towns=[], communities=[], batches=[], stages=[], types=[], as_of=AS_OF)
COGOV = dict(towns=[], date_from=date(2023, 1, 1), date_to=AS_OF, as_of=AS_OF, overdue_days=30)


STATION = "S-140423100252"
SITE = dict(site=STATION, towns=[], date_from=date(AS_OF.year, 1, 1), date_to=AS_OF, as_of=AS_OF)


def _scorecard_builders(q):
    """The scorecard's and the reporting monitor's figures from the frames their pages hand them."""
    from civic import completeness as cp
    from civic import measures
    from civic import scorecard as sc
    from civic.figures import scorecard as scf
    g = cp.grid([], AS_OF)
    names = dict(zip(g.town_code, g.town_name))
    codes = list(names)[:3]
    cmp = measures.compare(date(AS_OF.year, 1, 1), AS_OF, date(2023, 1, 1))
    bars = [(m.id, m.id) for m in sc.MEASURES[sc.PRACTICE]]
    months = cp.months(AS_OF)
    return {
        "multiples": (lambda: sc.monthly(sc.PRACTICE, codes, AS_OF),
                      lambda df: scf.small_multiples(df, names, "活动", "场")),
        "measure_bars": (lambda: sc.table(sc.PRACTICE, list(names), names, {"towns": []}, cmp, AS_OF),
                         lambda df: scf.measure_bars(df, list(df.town_code[:3]), bars, names)),
        "heatmap": (lambda: cp.heat([], AS_OF)[0],
                    lambda df: scf.heatmap(df, names, months, "%", [m.isoformat()[:7] for m in months])),
    }


def _builders():
    from civic import stages
    from civic.figures import cogovernance as cf
    from civic.figures import overview as of
    from civic.figures import renovation as rf
    from civic.figures import stations as sf
    from civic.store import queries

    def q(name, **p):
        return lambda: queries.run(name, **p)
    kpis = q("cogov_feedback_kpis", **COGOV)
    return {
        **_scorecard_builders(q),
        "site_spark": (q("map_site_monthly", **SITE), lambda df: sf.site_spark(df, "activities")),
        "site_mix": (q("map_site_mix", **SITE), lambda df: sf.site_mix(df, "activities")),
        "funnel": (lambda: stages.counts(), lambda df: rf.funnel(df, "zh")),
        "scurve": (q("renovation_scurve", **RENOVATION),
                   lambda df: rf.scurve(df, queries.run("renovation_batch_windows", **RENOVATION), AS_OF, "zh")),
        "works": (q("renovation_works", **RENOVATION), lambda df: rf.works(df, "zh")),
        "community": (q("renovation_by_community", **RENOVATION), lambda df: rf.by_community(df, "zh")),
        "type": (q("renovation_by_type", **RENOVATION), lambda df: rf.by_type(df, "zh")),
        "funding": (q("renovation_funding", **RENOVATION), lambda df: rf.funding(df, "zh")),
        "gantt": (q("renovation_gantt", **RENOVATION), lambda df: rf.gantt(df, AS_OF, "zh")),
        "coverage": (q("cogov_coverage", **COGOV), lambda df: cf.coverage(df, 55, "zh")),
        "matrix": (q("cogov_matrix", **COGOV), lambda df: cf.matrix(df, "zh")),
        "pipeline": (kpis, lambda df: cf.pipeline(df.iloc[0] if len(df) else kpis().iloc[0], "zh")),
        "feedback": (q("cogov_feedback_monthly", **COGOV), lambda df: cf.monthly_feedback(df, "zh")),
        "categories": (q("cogov_feedback_categories", **COGOV), lambda df: cf.categories(df, "zh")),
        "meetings": (q("cogov_meetings_monthly", **COGOV), lambda df: cf.meetings(df, "zh")),
        "grid": (q("cogov_grid_communities", **COGOV), lambda df: cf.grid_communities(df, "zh")),
        "partners": (q("cogov_partners", **COGOV), lambda df: cf.partners(df, "zh")),
        "trend": (q("overview_activity_trend", towns=[], date_from=date(2025, 1, 1), date_to=AS_OF),
                  lambda df: of.monthly_activities(df, date(2025, 1, 10), AS_OF, "zh")),
    }


NAMES = ["funnel", "scurve", "works", "community", "type", "funding", "gantt", "coverage", "matrix", "pipeline",
         "feedback", "categories", "meetings", "grid", "partners", "trend", "multiples", "measure_bars", "heatmap",
         "site_spark", "site_mix"]


@pytest.mark.parametrize("name", NAMES)
def test_page_figures_from_frames_of_any_size(data_dir, name):
    frame, build = _builders()[name]
    df = frame()
    full = build(df)
    assert len(full.data) >= 1
    # builders skip plotly's validation for speed (charts.figure): what they make must still pass it
    go.Figure(full.to_dict())
    # and styled, they carry our template itself (a bare name would reach plotly.js, which ignores it)
    from civic.figures import charts
    charts.register_template()
    assert charts.style(full).to_dict()["layout"]["template"]["layout"]["font"]["family"] == charts.FONT
    for part in (df.head(3), df.iloc[:0]):
        assert build(part).to_dict() is not None


def test_renovation_and_overview_axes_come_from_the_catalog(data_dir):
    b = _builders()
    gantt = b["gantt"][1](b["gantt"][0]())
    assert gantt.layout.xaxis.title.text == t("renovation.ax_date", "zh") and gantt.layout.height > 190
    works = b["works"][1](b["works"][0]())
    # planned, done, the published mark (all compounds) and the quantities as text
    assert [tr.type for tr in works.data] == ["bar", "bar", "scatter", "scatter"]
    trend = b["trend"][1](b["trend"][0]())
    assert trend.layout.yaxis.title.text == t("overview.axis_activities", "zh")
    # the first month is cut by the window (from the 10th): drawn lighter
    assert trend.data[0].marker.opacity[0] < 1


def test_station_and_ranking_figures():
    from civic.figures import overview as of
    from civic.figures import stations as sf
    monthly = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "activities": [3, 5],
                            "in_window": [False, True]})
    spark = sf.site_spark(monthly, "activities")
    assert list(spark.data[0].marker.color) == [vf.charts.MUTED, vf.charts.PALETTE[0]]
    mix = pd.DataFrame({"service_type": ["理论宣讲", "文化惠民"], "activities": [4, 2]})
    assert sf.site_mix(mix, "activities").layout.height == 120
    assert sf.site_mix(mix.iloc[:0], "activities").to_dict() is not None
    towns = pd.DataFrame({"town_code": ["1", "2"], "town_name": ["甲镇", "乙镇"], "per_station": [1.0, 3.0],
                          "station_activities": [10, 30], "stations": [10, 10]})
    rank = of.station_ranking(towns, {"1"})
    assert list(rank.data[0].y) == ["甲镇", "乙镇"] and rank.layout.height == 300
    assert list(rank.data[0].marker.color) == [vf.charts.PALETTE[1], vf.charts.PALETTE[0]]   # 甲镇 picked
    daily = of.daily_activities(pd.DataFrame({"day": pd.to_datetime(["2025-01-01", "2025-01-02"]),
                                              "activities": [3, 5]}), "zh")
    for fig in (rank, daily):       # built from dicts (charts.figure): what they make must pass validation
        go.Figure(fig.to_dict())
    assert of.station_ranking(towns.iloc[:0], set()).to_dict() is not None
    assert of.daily_activities(pd.DataFrame({"day": [], "activities": []}), "en").to_dict() is not None


def test_dict_built_figures_show_names_as_text():
    """Figures built from dicts (charts.figure) take the same neutralising path as validated ones: a name
    with plotly markup reaches the chart as text, in the traces and in the panels' titles."""
    from civic.figures import charts
    from civic.figures import scorecard as scf
    bad = '<a href="http://evil.example">镇</a>'
    names = {"1": bad, "2": "乙镇"}
    series = pd.DataFrame({"town_code": ["1", "2"], "month": pd.to_datetime(["2025-01-01"] * 2), "value": [3.0, 4.0]})
    table = pd.DataFrame({"town_code": ["1", "2"], "m": [1.0, None]})
    grid = pd.DataFrame({"town_code": ["1", "2"], "month": [date(2025, 1, 1)] * 2, "share": [50.0, None]})
    charts.register_template()
    for fig in (scf.small_multiples(series, names, "v"), scf.measure_bars(table, ["1", "2"], [("m", bad)], names),
                scf.heatmap(grid, names, [date(2025, 1, 1)], "%", ["2025-01"])):
        go.Figure(fig.to_dict())
        shown = charts.neutralise(charts.style(fig)).to_json()
        assert "evil.example" in shown and "<a href" not in shown and "\\u003ca href" not in shown.lower()


def test_grid_layout_is_make_subplots_layout():
    from plotly.subplots import make_subplots

    from civic.figures import charts
    for rows, cols, titles, kw in [(1, 3, ["a", "b", "c"], dict(shared_yaxes=True, horizontal_spacing=0.03)),
                                   (2, 4, ["a", "", "c", "d", "e"], dict(vertical_spacing=0.18)),
                                   (1, 1, [], {})]:
        want = make_subplots(rows=rows, cols=cols, subplot_titles=titles, **kw).layout.to_plotly_json()
        want.pop("template", None)
        assert charts.grid_layout(rows, cols, titles, **kw) == want
    assert charts.grid_axes(0) == {"xaxis": "x", "yaxis": "y"} and charts.grid_axes(4) == {"xaxis": "x5", "yaxis": "y5"}


def test_split_gives_each_groups_columns_and_empty_ones_for_a_missing_group():
    from civic.figures import charts
    df = pd.DataFrame({"k": ["a", None, "b", "a"], "v": [1, 2, 3, 4],
                       "d": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"])})
    rows = charts.split(df, "k", ["v", "d"])
    assert rows("a")["v"].tolist() == [1, 4] and rows("a")["d"].dtype.kind == "M"
    assert rows("b")["v"].tolist() == [3] and rows("c")["v"].tolist() == [] and rows(None)["v"].tolist() == []
    assert rows("a")["v"][:, None].shape == (2, 1)      # customdata: one column per row, as df[["v"]] gives
