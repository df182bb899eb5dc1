"""URL parameters → filters: defaults, notices, and a fuzz through the queries runner."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civic import queries
from civic.filters import DEFAULT_PRESET, Filters, TownIndex, UrlParam, parse_shared, preset_range, to_query

ANCHOR, START = date(2026, 11, 26), date(2023, 1, 1)


@pytest.fixture()
def towns(data_dir) -> TownIndex:
    return TownIndex(queries.run("towns"))


def test_defaults(towns):
    f, notes = parse_shared({}, towns, ANCHOR, START)
    assert notes == []
    assert (f.county, f.towns, f.preset, f.lang) == ("all", (), DEFAULT_PRESET, "zh")
    assert (f.date_from, f.date_to) == (date(2026, 1, 1), ANCHOR)


def test_town_by_name_code_and_short_name(towns):
    for v in ("夏店镇", "140423103", "夏店"):
        f, notes = parse_shared({"town": [v]}, towns, ANCHOR, START)
        assert f.towns == ("140423103",) and notes == []
    f, _ = parse_shared({"town": ["夏店镇", "富林镇", "夏店镇"]}, towns, ANCHOR, START)
    assert f.towns == ("140423103", "511823100")
    assert f.town_codes("140423") == ["140423103"] and f.town_codes("511823") == ["511823100"]


@pytest.mark.parametrize("query,notice", [
    ({"town": ["不存在"]}, "不存在"),
    ({"town": ["' OR 1=1 --"]}, "OR 1=1"),
    ({"town": ["x" * 10_000]}, "未识别"),
    ({"from": ["2025-13-45"]}, "2025-13-45"),
    ({"from": ["2025-06-01"], "to": ["2025-01-01"]}, "开始日期晚于结束日期"),
    ({"range": ["yesterday"]}, "range"),
    ({"lang": ["fr"]}, "fr"),
    ({"county": ["北京"]}, "county"),
])
def test_malformed_values_fall_back_with_a_notice(towns, query, notice):
    f, notes = parse_shared(query, towns, ANCHOR, START)
    assert len(notes) == 1 and notice in notes[0]
    assert len(notes[0]) < 200        # a 10 kB value is not echoed whole
    assert f.towns == ()
    assert (f.date_from, f.date_to) == preset_range(DEFAULT_PRESET, ANCHOR, START)


def test_custom_range_and_round_trip(towns):
    q = {"town": ["夏店镇"], "from": ["2025-03-01"], "to": ["2025-05-31"], "lang": ["en"], "county": ["140423"]}
    f, notes = parse_shared(q, towns, ANCHOR, START)
    assert notes == [] and f.preset == "custom" and f.date_from == date(2025, 3, 1)
    canon = to_query(f, towns)
    assert canon == {"county": "140423", "town": ["夏店镇"], "from": "2025-03-01", "to": "2025-05-31", "lang": "en"}
    again, _ = parse_shared({k: v if isinstance(v, list) else [v] for k, v in canon.items()}, towns, ANCHOR, START)
    assert again == f


def test_presets():
    assert preset_range("this_month", ANCHOR, START) == (date(2026, 11, 1), ANCHOR)
    assert preset_range("this_quarter", ANCHOR, START) == (date(2026, 10, 1), ANCHOR)
    assert preset_range("last_12m", ANCHOR, START) == (date(2025, 12, 1), ANCHOR)
    assert preset_range("all", ANCHOR, START) == (START, ANCHOR)


def test_previous_period():
    f = Filters(preset="this_year", date_from=date(2026, 1, 1), date_to=ANCHOR, anchor=ANCHOR)
    assert f.previous() == (date(2025, 1, 1), date(2025, 11, 26))
    f = Filters(preset="custom", date_from=date(2025, 3, 1), date_to=date(2025, 3, 31), anchor=ANCHOR)
    assert f.previous() == (date(2024, 3, 1), date(2024, 3, 31))      # 同比 for every window (civic/measures.py)


def test_page_param_validation():
    p = UrlParam("batch", "k", allowed=["实施一批", "谋划一批"], multi=True)
    assert p.parse(["实施一批", "坏值", "实施一批"])[0] == ["实施一批"]
    assert len(p.parse(["坏值"])[1]) == 1
    single = UrlParam("compound", "k2", allowed=lambda v: v.startswith("HY-"), default=None)
    assert single.parse(["HY-001"]) == ("HY-001", [])
    assert single.parse(["DROP TABLE"])[0] is None


def test_values_reach_duckdb_only_as_parameters(data_dir, monkeypatch):
    """Capture what the runner sends: the SQL text is the file's, the user value travels as a parameter."""
    from civic import db
    sent = []
    _, cur = db.reader()

    class Spy:
        def __init__(self, inner):
            self.inner = inner

        def execute(self, sql, params=None):
            sent.append((sql, params))
            return self.inner.execute(sql, params)

    monkeypatch.setattr(db, "reader", lambda: (db.snapshots.current(), Spy(cur)))
    evil = "140423103'); DROP TABLE activities; --"
    df = queries.execute("overview_activity_trend", towns=[evil], date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    assert df.empty
    sql, params = sent[-1]
    assert sql == queries.sql_of("overview_activity_trend")
    assert evil not in sql and params["towns"] == [evil]
    assert queries.execute("overview_activity_trend", towns=[], date_from=date(2025, 1, 1),
                           date_to=date(2025, 12, 31)).shape[0] == 12


def test_runner_caches_by_data_version(data_dir):
    queries.clear_cache()
    p = dict(towns=[], date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    before = dict(queries.stats)
    a = queries.run("overview_activity_trend", **p)
    b = queries.run("overview_activity_trend", **p)
    assert queries.stats["misses"] == before["misses"] + 1 and queries.stats["hits"] == before["hits"] + 1
    assert a.equals(b)


def test_missing_parameter_is_an_error(data_dir):
    with pytest.raises(queries.QueryError):
        queries.run("overview_activity_trend", towns=[])


text = st.one_of(st.text(max_size=40), st.sampled_from(["夏店镇", "140423103", "富林镇", "2025-02-30", "2025-1-1",
                                                         "' OR 1=1 --", "%", "\x00", "9" * 9, "all", "custom"]))
qdict = st.fixed_dictionaries({}, optional={
    "town": st.lists(text, max_size=4), "from": st.lists(text, min_size=1, max_size=2),
    "to": st.lists(text, min_size=1, max_size=2), "range": st.lists(text, min_size=1, max_size=1),
    "lang": st.lists(text, min_size=1, max_size=1), "county": st.lists(text, min_size=1, max_size=1)})


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=qdict)
def test_fuzzed_urls_never_error_and_never_leak_rows(towns, q):
    f, notes = parse_shared(q, towns, ANCHOR, START)
    assert f.date_from <= f.date_to and f.lang in ("zh", "en")
    params = f.params("140423")
    trend = queries.run("overview_activity_trend", **params)
    if not trend.empty:
        assert trend.month.min().date() >= f.date_from.replace(day=1)
        assert trend.month.max().date() <= f.date_to
