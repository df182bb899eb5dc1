"""URL parameters → filters: defaults, notices, and a fuzz through the queries runner."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civic.app.filters import UrlParam, month_param, read_month
from civic.scope import (
    DEFAULT_PRESET,
    Filters,
    TownIndex,
    clamp_day,
    parse_shared,
    preset_range,
    to_query,
)
from civic.store import queries

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


@pytest.mark.parametrize("query,span,moved", [
    ({"from": ["0001-01-01"]}, (START, ANCHOR), ["0001-01-01"]),
    ({"from": ["1970-01-01"], "to": ["2025-06-30"]}, (START, date(2025, 6, 30)), ["1970-01-01"]),
    ({"from": ["2022-12-31"]}, (START, ANCHOR), ["2022-12-31"]),                  # the day before the data
    ({"to": ["2026-11-27"]}, (START, ANCHOR), ["2026-11-27"]),                    # the day after the data date
    ({"from": ["2030-01-01"]}, (ANCHOR, ANCHOR), ["2030-01-01"]),                 # after the data, no `to`
    ({"from": ["1970-01-01"], "to": ["9999-12-31"]}, (START, ANCHOR), ["1970-01-01", "9999-12-31"]),
    ({"from": ["2023-01-01"], "to": ["2026-11-26"]}, (START, ANCHOR), []),          # the data's own ends
])
def test_dates_outside_the_data_are_clamped_with_a_notice(towns, query, span, moved):
    f, notes = parse_shared(query, towns, ANCHOR, START)
    assert (f.preset, (f.date_from, f.date_to)) == ("custom", span)
    assert len(notes) == len(moved) and all(v in n and "超出数据范围" in n for v, n in zip(moved, notes))
    f.previous()                       # the comparison window of a clamped range is computable (year 1 was not)


def test_clamped_notice_speaks_the_url_language(towns):
    _, notes = parse_shared({"from": ["1970-01-01"], "lang": ["en"]}, towns, ANCHOR, START)
    assert notes == ['Date "1970-01-01" is outside the data (1 Jan 2023 to 26 Nov 2026); 1 Jan 2023 is used.']


def test_clamp_day():
    assert clamp_day(date(2024, 5, 5), START, ANCHOR, "x") == (date(2024, 5, 5), None)
    assert clamp_day(date(1, 1, 1), START, ANCHOR, "0001-01-01")[0] == START
    assert clamp_day(date(9999, 12, 31), START, ANCHOR, "9999-12-31")[0] == ANCHOR


@pytest.mark.parametrize("raw,value,notice", [
    ("2025-03", "2025-03", None),
    ("2023-01", "2023-01", None), ("2026-11", "2026-11", None),          # the data's first and last month
    ("0000-01", None, "无效"), ("2025-00", None, "无效"), ("2025-13", None, "无效"), ("2025-1", None, "无效"),
    ("", None, "无效"), ("２０２５-０３", None, "无效"), ("2025-03-01", None, "无效"),
    ("2022-12", "2023-01", "超出数据范围"), ("0001-01", "2023-01", "超出数据范围"),
    ("2026-12", "2026-11", "超出数据范围"), ("9999-12", "2026-11", "超出数据范围"),
])
def test_months_are_read_and_clamped_in_one_place(raw, value, notice):
    got, note = read_month(raw, START, ANCHOR)
    assert got == value
    assert (note is None) if notice is None else (notice in note and len(note) < 200)


def test_month_page_parameter_keeps_a_clamped_month():
    p = UrlParam("month", "k", allowed=lambda v: read_month(v, START, ANCHOR) == (v, None),
                 clean=month_param(START, ANCHOR))
    assert p.parse(["2025-03"]) == ("2025-03", [])
    value, notes = p.parse(["1970-01"])
    assert value == "2023-01" and len(notes) == 1 and "1970-01" in notes[0]
    value, notes = p.parse(["0000-01"])
    assert value is None and len(notes) == 1 and "0000-01" in notes[0]
    value, notes = p.parse(["9" * 100])
    assert value is None and len(notes) == 1 and len(notes[0]) < 200


def test_towns_of_another_county_are_kept_not_dropped(towns):
    """county=汉源 with a 襄垣 township: the township is kept (pages show it as not applied) and the URL
    round-trips; dropping it silently would change a filter behind the user's back."""
    f, notes = parse_shared({"county": ["511823"], "town": ["夏店镇", "富林镇"]}, towns, ANCHOR, START)
    assert notes == [] and f.towns == ("140423103", "511823100")
    assert f.town_codes("511823") == ["511823100"]
    assert to_query(f, towns)["town"] == ["夏店镇", "富林镇"]


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
    from civic.store import db
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
# the edges a random text never hits: year 1, the epoch, the day before the data starts, its first and last
# day, the day after the data date, far future, 29 February, month 0 and 13 (reversed ranges come from
# drawing `from` and `to` independently out of the same list)
EDGE_DAYS = [date(1, 1, 1), date(1970, 1, 1), START - timedelta(days=1), START, ANCHOR, ANCHOR + timedelta(days=1),
             date(9999, 12, 31), date(2024, 2, 29), date(2025, 12, 31), date(2026, 1, 1)]
edge_day = st.one_of(st.sampled_from(EDGE_DAYS).map(date.isoformat),
                     st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
                     st.sampled_from(["0000-01-01", "2025-00-10", "2025-13-01", "2025-02-30", "1970-1-1", ""]))
date_value = st.one_of(edge_day, edge_day, text)
qdict = st.fixed_dictionaries({}, optional={
    "town": st.lists(text, max_size=4), "from": st.lists(date_value, min_size=1, max_size=2),
    "to": st.lists(date_value, min_size=1, max_size=2), "range": st.lists(text, min_size=1, max_size=1),
    "lang": st.lists(text, min_size=1, max_size=1), "county": st.lists(text, min_size=1, max_size=1)})


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=qdict)
def test_fuzzed_urls_never_error_and_never_leak_rows(towns, q):
    f, notes = parse_shared(q, towns, ANCHOR, START)
    assert f.date_from <= f.date_to and f.lang in ("zh", "en")
    assert START <= f.date_from and f.date_to <= ANCHOR     # what the date picker and the previous window take
    if ("from" in q or "to" in q) and f.preset != "custom":
        assert notes                                        # a date that was not used always says so
    params = f.params("140423")
    trend = queries.run("overview_activity_trend", **params)
    if not trend.empty:
        assert trend.month.min().date() >= f.date_from.replace(day=1)
        assert trend.month.max().date() <= f.date_to


month_value = st.one_of(
    st.sampled_from(["0000-01", "0001-01", "1970-01", "2022-12", "2023-01", "2026-11", "2026-12", "2025-00",
                     "2025-13", "9999-12", "2025-1", "2025-02-29"]),
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(0, 9999), st.integers(0, 99)), st.text(max_size=12))


@settings(max_examples=500, deadline=None)
@given(raw=month_value)
def test_fuzzed_months_never_raise_and_stay_in_the_data(raw):
    value, notice = read_month(raw, START, ANCHOR)
    if value is None:
        assert notice
    else:
        assert START.replace(day=1) <= date(int(value[:4]), int(value[5:]), 1) <= ANCHOR
        assert (notice is None) == (value == raw)
