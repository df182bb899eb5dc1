"""The 57 published figures reconcile on a build made on any day, and data after the reported period never
moves one (issue 15 §1; docs/data.md "Reporting period").

A build is generated for each date through build.populate (the load path of every build) into an
in-memory database: the same DDL, rows, views and fact_computed as a file build, about 1–2 s per date."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from civic.demo import build, synth
from civic.store import db
from tests.conftest import AS_OF

_YEARS = range(2026, 2031)
# year boundaries (1 Jan, 2 Jan, 31 Dec), the days that failed before (2026-12-05, 2030-06-11), a leap
# day, the suite's fixed day, a date every ~4 months in between, and today
BUILD_DAYS = sorted({
    *(date(y, 1, 1) for y in _YEARS), *(date(y, 1, 2) for y in _YEARS), *(date(y, 12, 31) for y in _YEARS),
    date(2026, 12, 5), date(2030, 6, 11), date(2028, 2, 29), AS_OF, date(2027, 6, 30),
    *(date(2026, 2, 14) + timedelta(days=123 * k) for k in range(14)),
    date.today(),
})


# `make test-fast` builds this representative tenth of the days (each build costs 1–2 s, more on a busy
# machine); `make test` builds every one of BUILD_DAYS (the rest are marked slow). The fast set keeps the
# edges: 1 Jan, 2 Jan, 31 Dec (twice), 29 Feb, the two days that failed before, the suite's day and today.
FAST_DAYS = sorted({date(2026, 1, 1), date(2027, 1, 2), date(2029, 12, 31), date(2030, 12, 31), date(2028, 2, 29),
                    date(2026, 12, 5), date(2030, 6, 11), AS_OF, date(2027, 6, 30), date.today()})
_FIGURES: dict[date, list[tuple]] = {}


def figures_on(as_of: date, county_layout) -> list[tuple]:
    """v_fact_check of a build made on `as_of` (built once per day per session)."""
    if as_of not in _FIGURES:
        con = db.connect_write(":memory:")
        try:
            build.populate(con, synth.SynthConfig(as_of=as_of), county_layout)
            _FIGURES[as_of] = con.execute(
                "SELECT fact_id, published, computed, ok FROM v_fact_check ORDER BY fact_id").fetchall()
        finally:
            con.close()
    return _FIGURES[as_of]


def test_the_dates_cover_the_range():
    assert len(BUILD_DAYS) >= 31
    assert BUILD_DAYS[0] == date(2026, 1, 1) and date(2030, 12, 31) in BUILD_DAYS and date.today() in BUILD_DAYS
    assert set(FAST_DAYS) <= set(BUILD_DAYS) and len(FAST_DAYS) >= 9
    assert {(d.month, d.day) for d in FAST_DAYS} >= {(1, 1), (12, 31), (2, 29)} and date.today() in FAST_DAYS


@pytest.fixture(scope="module")
def reference_figures(county_layout) -> dict:
    return {f: c for f, _, c, _ in figures_on(AS_OF, county_layout)}


@pytest.mark.parametrize("as_of", [d if d in FAST_DAYS else pytest.param(d, marks=pytest.mark.slow)
                                   for d in BUILD_DAYS], ids=str)
def test_57_of_57_on_any_build_day(as_of, county_layout, reference_figures):
    rows = figures_on(as_of, county_layout)
    assert len(rows) == 57
    assert [r for r in rows if not r[3]] == []
    # by construction, not by luck: every figure describes a period that ended before the build day, so
    # its value does not depend on the build day at all
    assert {f: c for f, _, c, _ in rows} == reference_figures


# ── imports after the reported period ───────────────────────────────────────────────────────────
def _recent_days(n: int) -> list[date]:
    """Days of this year's data (after the reported period, not after today: imports refuse the future)."""
    days = [date.today() - timedelta(days=k) for k in range(1, n + 1)]
    assert all(d > synth.REPORT_END for d in days)
    return days


def _import(entity: str, rows: list[dict]) -> None:
    from civic.importer import api
    from tests.importer.test_ingest import to_csv
    rep = api.commit(to_csv(entity, rows), f"{entity}.csv", entity, user="pytest")
    assert rep.added == len(rows)


def _facts_and_live(con) -> tuple[dict, dict]:
    facts = {f: (c, ok) for f, c, ok in con.execute("SELECT fact_id, computed, ok FROM v_fact_check").fetchall()}
    live = dict(zip(["activities", "maker", "farmer", "meetings", "feedback"], con.execute("""
        SELECT (SELECT count(*) FROM activities),
               (SELECT count(*) FROM activities a JOIN sites s USING (site_id) WHERE s.name = '上寺南街青年创客空间'),
               (SELECT sum(trainees) FROM trainings t JOIN sites s USING (site_id) WHERE s.name = '职业农民培训基地'),
               (SELECT count(*) FROM meetings), (SELECT count(*) FROM feedback)""").fetchone()))
    return facts, live


def _current():
    from civic.store import snapshots
    con = db.connect_read(snapshots.current().path)
    try:
        return _facts_and_live(con)
    finally:
        con.close()


def test_importing_this_years_records_keeps_every_figure(private_data_dir):
    """Ordinary imports of this year's activities, trainings, meetings and feedback, aimed at the sites and
    tables the 累计 figures count, leave all 57 computed values as they were (and green), while the live
    totals the pages show do grow."""
    before, live_before = _current()
    days = _recent_days(4)
    _import("activities", [
        {"activity_date": d, "site": site, "title": f"导入测试活动{i}", "service_type": "乡风文明",
         "participants": 30, "volunteers": 6, "beneficiaries": 24, "hours": 12}
        for i, d in enumerate(days) for site in ("上寺南街青年创客空间", "南关村新时代文明实践站", "古韩镇新时代文明实践所")])
    _import("trainings", [{"training_date": d, "site": "职业农民培训基地", "title": f"职业农民培训·导入{i}",
                           "trainees": 40} for i, d in enumerate(days)])
    _import("meetings", [{"meeting_date": d, "meeting_type": kind, "community": "饮泉社区", "attendees": 40,
                          "topic": f"导入测试{i}"} for i, d in enumerate(days) for kind in ("政策宣传", "坝坝会")])
    _import("feedback", [{"compound": "德鑫小区", "received_date": d, "category": "排水", "channel": "坝坝会",
                          "summary": f"导入测试诉求{i}", "status": "收集"} for i, d in enumerate(days)])
    after, live_after = _current()
    assert after == before
    assert all(ok for _, ok in after.values()) and len(after) == 57
    assert live_after == {"activities": live_before["activities"] + 12, "maker": live_before["maker"] + 4,
                          "farmer": live_before["farmer"] + 160, "meetings": live_before["meetings"] + 8,
                          "feedback": live_before["feedback"] + 4}


def test_records_inside_the_period_do_count(private_data_dir):
    """The counter-check: the period filter, not an accident, keeps later imports out. Activities dated
    in the reporting year at the maker space add to X19 (300余 累计) and to X09 (2025's 万余场)."""
    before, _ = _current()
    _import("activities", [{"activity_date": date(2025, 6, d), "site": "上寺南街青年创客空间", "title": "补录活动",
                            "service_type": "文化惠民", "participants": 20, "volunteers": 5, "beneficiaries": 15,
                            "hours": 10} for d in range(1, 6)])
    after, _ = _current()
    changed = {f for f in before if before[f] != after[f]}
    assert changed == {"X09", "X16", "X19"}
    assert after["X19"][0] == before["X19"][0] + 5 and after["X09"][0] == before["X09"][0] + 5
