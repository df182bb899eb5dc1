"""The derived tables (data/views.sql) after an import hold exactly what a full rebuild would: an import
refreshes only the rows it touches (civic/store/schema.py refresh_derived), a build fills them whole, and
both read the one definition of each table, its view derive_<table>."""
from __future__ import annotations

from datetime import date, timedelta

from civic.importer import api
from civic.store import db, schema, snapshots
from tests.importer.test_ingest import to_csv

# Spread over several months and years (and so towns' month rows of many kinds), all before 数据截至.
DAYS = [date(2024, 3, 4), date(2024, 11, 30), date(2025, 1, 1), date(2025, 6, 15), date(2025, 12, 31),
        date(2026, 2, 28), date(2026, 7, 9), date(2026, 11, 1)]


def differences(con) -> dict[str, int]:
    """Per derived table, the rows it and a full rebuild from its view do not share (as multisets).
    Floating sums are compared to 1e-6: their last bit depends on the order DuckDB adds them in."""
    out = {}
    for t in schema.DERIVED_TABLES:
        cols = con.execute(f"DESCRIBE {t}").fetchall()
        sel = ", ".join(f"round({c}, 6)" if typ == "DOUBLE" else c for c, typ, *_ in cols)
        a, b = f"SELECT {sel} FROM {t}", f"SELECT {sel} FROM derive_{t}"
        out[t] = con.execute(f"SELECT count(*) FROM (({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a}))").fetchone()[0]
    return out


def current_differences() -> dict[str, int]:
    con = db.connect_read(snapshots.current().path)
    try:
        return differences(con)
    finally:
        con.close()


def test_an_activities_import_equals_a_full_rebuild(private_data_dir):
    rows = api.sample_rows("activities", 24, seed=2101)
    for i, r in enumerate(rows):
        r["activity_date"] = DAYS[i % len(DAYS)]
    towns = {r["town"] for r in rows}
    assert len(towns) > 3
    rep = api.commit(to_csv("activities", rows), "spread.csv", user="pytest")
    assert rep.added == 24
    assert current_differences() == dict.fromkeys(schema.DERIVED_TABLES, 0)
    # a second file: half of those rows changed (updates), new rows, one after 数据截至 (moves it forward)
    again = [dict(r, participants=r["participants"] + 7, volunteers=r["volunteers"] + 1, hours=r["hours"] + 0.3,
                  theme=r["theme"] or "新时代文明实践") for r in rows[::2]]
    new = api.sample_rows("activities", 6, seed=2102)
    new[0]["activity_date"] = min(date.today(), date(2026, 11, 26) + timedelta(days=3))
    rep = api.commit(to_csv("activities", again + new), "again.csv", user="pytest")
    assert (rep.added, rep.updated) == (6, 12)
    assert current_differences() == dict.fromkeys(schema.DERIVED_TABLES, 0)


def test_as_of_moving_past_existing_activities_refreshes_their_sites(private_data_dir):
    """Activities dated after 数据截至 are outside site_activity until an import (of anything) moves it."""
    with snapshots.transaction("test: activities after as_of") as work:
        con = db.connect_write(work)
        con.execute("""INSERT INTO activities SELECT 'A-LATE-' || site_id, DATE '2026-11-29', site_id, NULL, '文化惠民',
                       NULL, NULL, 'late', 1, 1, 0, 1.0, 'import' FROM sites WHERE level = '站' LIMIT 5""")
        schema.refresh_derived(con, added=[f"A-LATE-{s}" for (s,) in con.execute(
            "SELECT site_id FROM activities WHERE title = 'late'").fetchall()])
        assert differences(con) == dict.fromkeys(schema.DERIVED_TABLES, 0)
        con.execute("UPDATE meta SET value = '2026-11-30' WHERE key = 'as_of'")
        schema.refresh_derived(con, as_of_before="2026-11-26")
        assert differences(con) == dict.fromkeys(schema.DERIVED_TABLES, 0)
        assert con.execute("SELECT count(*) FROM site_activity WHERE last_activity = DATE '2026-11-29'").fetchone()[0] == 5
        con.close()
        raise snapshots.NoChange()


def test_a_team_type_change_refills_the_activity_tables(private_data_dir):
    with snapshots.transaction("test: a team changes type") as work:
        con = db.connect_write(work)
        team = con.execute("SELECT team_id FROM teams WHERE team_id IN (SELECT team_id FROM activities) "
                           "AND team_type <> '专业队' LIMIT 1").fetchone()[0]
        # teams are referenced, so the type is changed the way the importer does (non-key column, in place)
        con.execute("UPDATE teams SET team_type = '专业队' WHERE team_id = $t", {"t": team})
        assert differences(con)["activity_facts"] > 0
        schema.refresh_derived(con, full_activities=True)
        assert differences(con) == dict.fromkeys(schema.DERIVED_TABLES, 0)
        con.close()
        raise snapshots.NoChange()


def test_a_snapshot_of_other_views_gets_the_whole_file(private_data_dir):
    with snapshots.transaction("test: an older views.sql") as work:
        con = db.connect_write(work)
        con.execute("DROP VIEW derive_site_activity")
        con.execute("UPDATE meta SET value = 'older' WHERE key = 'views_hash'")
        schema.refresh_derived(con, as_of_before="2026-11-26")
        assert con.execute("SELECT value FROM meta WHERE key = 'views_hash'").fetchone()[0] == schema.views_hash()
        assert differences(con) == dict.fromkeys(schema.DERIVED_TABLES, 0)
        con.close()
        raise snapshots.NoChange()


def test_activities_after_the_report_period_leave_the_figures_and_equal_a_rebuild(private_data_dir):
    """The published figures read activities up to fact_period.last_day (the reporting year): an import of
    later activities skips recomputing them, and they still equal their definition."""
    rows = api.sample_rows("activities", 8, seed=2103)      # dated in the weeks before 数据截至 (2026)
    con = db.connect_read(snapshots.current().path)
    last_day = con.execute("SELECT last_day FROM fact_period").fetchone()[0]
    con.close()
    assert all(r["activity_date"] > last_day for r in rows)
    assert api.commit(to_csv("activities", rows), "late.csv", user="pytest").added == 8
    assert current_differences() == dict.fromkeys(schema.DERIVED_TABLES, 0)
