"""The demo data survives a sceptical reader where leaders look (issue 15 §5; docs/data.md "Distributions"):
completed compounds mostly on time or a little late, open feedback mostly weeks old, year-on-year changes
within about ±25 %. Checked on builds made on several days (in memory, through build.populate)."""
from __future__ import annotations

from datetime import date

import pytest

from civic.demo import build, synth
from civic.store import db
from tests.conftest import AS_OF

DAYS = [AS_OF, date.today(), date(2027, 5, 20), date(2028, 7, 1), date(2029, 10, 1), date(2030, 12, 31)]


@pytest.fixture(scope="module", params=DAYS, ids=str)
def built(request, county_layout):
    con = db.connect_write(":memory:")
    build.populate(con, synth.SynthConfig(as_of=request.param), county_layout)
    yield request.param, con
    con.close()


def test_completed_compounds_mostly_on_time_or_a_little_late(built):
    _, con = built
    delays = [r[0] for r in con.execute("""
        SELECT date_diff('day', s.planned_end, s.actual_end) FROM compound_stages s JOIN compounds c USING (compound_id)
        WHERE c.status = '完成' AND s.stage = '完成'""").fetchall()]
    assert len(delays) == 30
    assert sum(d <= 0 for d in delays) >= 8                 # on time or early: about a third
    assert sum(d <= 30 for d in delays) >= 22               # most: on time or up to a month late
    assert 0 < sum(d > 30 for d in delays) <= 8 and max(delays) <= 75   # a few clearly late, none absurdly


def test_open_feedback_is_mostly_weeks_old(built):
    as_of, con = built
    ages = sorted(r[0] for r in con.execute(
        "SELECT date_diff('day', received_date, $d) FROM feedback WHERE status <> '办结'", {"d": as_of}).fetchall())
    assert ages, "some items are always in progress"
    assert max(ages) <= synth.FEEDBACK_STUCK_WINDOW + 30      # never years old (was 1,345 days)
    assert sum(a <= 60 for a in ages) >= len(ages) / 2        # mostly received in the last two months


_YOY = """
WITH w AS (SELECT make_date(year($d), 1, 1) AS f, $d AS t,
                  make_date(year($d) - 1, 1, 1) AS pf, CAST($d - INTERVAL 1 YEAR AS DATE) AS pt),
ev AS (
    SELECT 'activities' AS k, s.town_code, a.activity_date AS d, 1 AS v
    FROM activities a JOIN sites s USING (site_id) WHERE s.county_code = '140423'
    UNION ALL SELECT 'beneficiaries', s.town_code, a.activity_date, a.beneficiaries
    FROM activities a JOIN sites s USING (site_id) WHERE s.county_code = '140423'
    UNION ALL SELECT 'trainings', s.town_code, t.training_date, 1 FROM trainings t JOIN sites s USING (site_id)
    UNION ALL SELECT 'trainees', s.town_code, t.training_date, t.trainees FROM trainings t JOIN sites s USING (site_id)
    UNION ALL SELECT 'wishes', s.town_code, m.done_date, 1
    FROM micro_wishes m JOIN sites s USING (site_id) WHERE m.status = '完成')
SELECT k, town_code, sum(v) FILTER (WHERE d BETWEEN w.f AND w.t) AS cur,
       sum(v) FILTER (WHERE d BETWEEN w.pf AND w.pt) AS prev
FROM ev, w GROUP BY ALL"""


def test_year_on_year_changes_stay_in_a_believable_band(built):
    """The year to date against the same days last year: the county within ±15 % for every measure, and
    a typical town (at least 7 of 9, for series of some size) within ±25 %. Windows under two months
    are left out: a handful of sessions cannot be steady."""
    as_of, con = built
    if as_of.timetuple().tm_yday < 60:
        pytest.skip("the year to date is under two months")
    df = con.execute(_YOY, {"d": as_of}).df()
    county = df.groupby("k")[["cur", "prev"]].sum()
    change = county.cur / county.prev - 1
    assert (change.abs() <= 0.15).all(), change.round(3).to_dict()
    for k, g in df.groupby("k"):
        g = g[g.prev >= 20]
        within = ((g.cur / g.prev - 1).abs() <= 0.25).sum()
        assert within >= min(7, len(g)), (k, g.assign(yoy=(g.cur / g.prev - 1).round(2)).to_dict("records"))
