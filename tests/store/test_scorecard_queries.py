"""One truth for the scorecard (issue 21): its grouped queries (queries/scorecard_*_towns.sql, one query for
every township at once) give, for every township and on several windows, exactly what the pages' own named
queries give with that one township chosen (volunteer_idle, volunteer_wish_funnel, volunteer_training_kpis,
renovation_kpis, cogov_feedback_kpis, cogov_meetings_kpis)."""
from __future__ import annotations

from datetime import date

import pytest

from civic import measures
from civic.scorecard import missing
from civic.store import queries

AS_OF = date(2026, 11, 26)                    # the test data's last day
WINDOWS = [
    (date(2026, 1, 1), AS_OF),                # 本年: reaches the last activity day (site_activity path)
    (date(2025, 1, 1), date(2025, 11, 26)),   # its 同比 window (activity_facts path)
    (date(2026, 3, 1), date(2026, 3, 31)),    # one month
    (date(2024, 6, 15), date(2024, 9, 2)),    # odd days at both ends
    (date(2026, 11, 20), AS_OF),              # a few days
    (date(2019, 1, 1), date(2019, 12, 31)),   # before the data: nothing anywhere
]
NO = dict(stypes=[], ttypes=[], communities=[], batches=[], stages=[], types=[])


def towns_of(con, county: str) -> list[str]:
    return [r[0] for r in con.execute("SELECT town_code FROM towns WHERE county_code = ? ORDER BY town_code",
                                      [county]).fetchall()]


def _row(df, code: str) -> dict:
    hit = df[df.town_code == code]
    return {} if hit.empty else hit.iloc[0].to_dict()


def _same(a, b) -> bool:
    """Equal values, or both missing (None, NaN or pd.NA)."""
    if missing(a) or missing(b):
        return missing(a) and missing(b)
    return float(a) == float(b)


@pytest.mark.parametrize("d0,d1", WINDOWS, ids=[f"{a}_{b}" for a, b in WINDOWS])
def test_practice_grouped_equal_per_township(data_dir, con, d0, d1):
    w = dict(NO, county="140423", date_from=d0, date_to=d1, prev_from=d0, prev_to=d1, as_of=AS_OF)
    idle = queries.execute("scorecard_idle_towns", county="140423", date_to=d1, idle_days=30)
    wishes = queries.execute("scorecard_wishes_towns", **w)
    training = queries.execute("scorecard_training_towns", **w)
    towns = towns_of(con, "140423")
    assert len(towns) > 5
    for code in towns:
        one = dict(w, towns=[code])
        per_idle = queries.execute("volunteer_idle", **dict(one, idle_days=30))
        expect_idle = 0 if per_idle.empty else int(per_idle.idle_total.iloc[0])
        assert int(_row(idle, code).get("idle_total", 0)) == expect_idle, code
        wf = queries.execute("volunteer_wish_funnel", **one).iloc[0]
        got = _row(wishes, code)
        for col in ("published", "done", "done_in_window"):
            assert int(got.get(col, 0)) == int(wf[col]), (code, col)
        tk = queries.execute("volunteer_training_kpis", **one).iloc[0]
        got = _row(training, code)
        assert (int(got.get("sessions", 0)), int(got.get("trainees", 0))) == (int(tk.sessions), int(tk.trainees))


@pytest.mark.parametrize("d0,d1", WINDOWS, ids=[f"{a}_{b}" for a, b in WINDOWS])
def test_renovation_grouped_equal_per_township(data_dir, con, d0, d1):
    w = dict(NO, county="511823", date_from=d0, date_to=d1, as_of=AS_OF)
    reno = queries.execute("scorecard_renovation_towns", **w)
    feedback = queries.execute("scorecard_feedback_towns", **w)
    meetings = queries.execute("scorecard_meetings_towns", **w)
    towns = towns_of(con, "511823")
    assert len(towns) > 5
    for code in towns:
        one = dict(w, towns=[code], overdue_days=measures.FEEDBACK_OVERDUE_DAYS)
        k = queries.execute("renovation_kpis", **one).iloc[0]
        got = _row(reno, code)
        assert [int(got.get(c, 0)) for c in ("compounds", "completed", "late_open")] == \
            [int(k.compounds), int(k.completed), int(k.late_open)], code
        fb = queries.execute("cogov_feedback_kpis", **one).iloc[0]
        got = _row(feedback, code)
        assert (int(got.get("received", 0)), int(got.get("resolved", 0))) == (int(fb.received), int(fb.resolved))
        assert _same(got.get("median_days"), fb.median_days), code
        mt = queries.execute("cogov_meetings_kpis", **one)
        assert int(_row(meetings, code).get("in_window", 0)) == int(mt.in_window.sum()), code


def test_grouped_queries_cover_some_township(data_dir, con):
    """Guards the test itself: on 本年 every grouped query has rows (a broken join would pass the equality
    checks above only through the absent-means-zero rule)."""
    w = dict(date_from=date(2026, 1, 1), date_to=AS_OF, as_of=AS_OF, idle_days=30)
    for county, names in (("140423", ("scorecard_idle_towns", "scorecard_wishes_towns", "scorecard_training_towns")),
                          ("511823", ("scorecard_renovation_towns", "scorecard_feedback_towns",
                                      "scorecard_meetings_towns"))):
        county_towns = set(towns_of(con, county))
        for name in names:
            df = queries.execute(name, county=county, **w)
            assert not df.empty and set(df.town_code) <= county_towns, name    # only the county's townships


def test_scorecard_table_is_shared_until_the_cache_clears(data_dir):
    """civic/scorecard.table keeps the finished table per (inputs, data version): a second call returns
    the same figures as a copy the caller may change, and clearing the query cache empties it too."""
    from civic import scorecard as sc
    codes = [c for c in queries.run("volunteer_towns", stypes=[], ttypes=[], date_from=date(2026, 1, 1),
                                    date_to=AS_OF).town_code]
    cmp = measures.compare(date(2026, 1, 1), AS_OF, date(2021, 1, 1))
    first = sc.table(sc.PRACTICE, codes, {}, {}, cmp, AS_OF)
    first.loc[first.index[0], "hours"] = -1.0                 # a caller's change never reaches the cache
    again = sc.table(sc.PRACTICE, codes, {}, {}, cmp, AS_OF)
    assert again.hours.iloc[0] != -1.0 and len(sc._TABLES) == 1
    queries.clear_cache()
    assert not sc._TABLES
    fresh = sc.table(sc.PRACTICE, codes, {}, {}, cmp, AS_OF)
    assert fresh.drop(columns="spark").equals(again.drop(columns="spark"))
    assert fresh.spark.to_list() == again.spark.to_list()
