"""The default database: determinism, all published figures, real place codes, scale."""
from __future__ import annotations

import csv
import hashlib
import json

import duckdb
import pytest

from civic.demo import build, synth
from civic.store import db, schema
from tests.conftest import AS_OF, ROOT

REF = ROOT / "data" / "reference"


def _content_hash(path) -> dict[str, str]:
    c = duckdb.connect(str(path), read_only=True)
    out = {}
    for (t,) in c.execute("SELECT table_name FROM duckdb_tables() WHERE table_name <> 'meta' ORDER BY 1").fetchall():
        cols = [r[0] for r in c.execute(f'DESCRIBE "{t}"').fetchall()]
        rows = c.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()
        out[t] = hashlib.sha256(repr((cols, rows)).encode()).hexdigest()
    c.close()
    return out


def test_generator_is_deterministic(tmp_path, data_dir):
    from civic.store import snapshots
    second = tmp_path / "again.duckdb"
    build.build(second, synth.SynthConfig(as_of=AS_OF))
    assert _content_hash(snapshots.current().path) == _content_hash(second)


def test_every_published_figure_reconciles(con):
    rows = con.execute("SELECT fact_id, published, qualifier, computed, ok FROM v_fact_check ORDER BY 1").fetchall()
    assert len(rows) == 57
    failing = [r for r in rows if not r[4]]
    assert failing == []


def test_fact_check_can_fail(tmp_path, data_dir):
    """The check is computed from the data, not copied: removing one compound breaks H11."""
    import shutil

    from civic.store import snapshots
    copy = tmp_path / "broken.duckdb"
    shutil.copyfile(snapshots.current().path, copy)
    c = duckdb.connect(str(copy))
    c.execute("UPDATE published_facts SET value = 93 WHERE fact_id = 'H11'")
    assert c.execute("SELECT ok FROM v_fact_check WHERE fact_id = 'H11'").fetchone() == (False,)
    c.close()


@pytest.mark.parametrize("qualifier,published,computed,ok", [
    ("more_than", 1200, 1201, True), ("more_than", 1200, 1299, True), ("more_than", 1200, 1300, False),
    ("more_than", 1200, 1200, False), ("more_than", 30000, 39999, True), ("more_than", 200000, 213640, True),
    ("less_than", 100, 96, True), ("less_than", 100, 100, False), ("less_than", 100, 89, False),
    ("exact", 238, 238, True), ("exact", 238, 237, False),
])
def test_qualifier_rules(con, qualifier, published, computed, ok):
    sql = schema.paths.VIEWS_SQL.read_text(encoding="utf-8")
    expr = sql[sql.index("coalesce(CASE f.qualifier"):sql.index(" AS ok,")]
    got = con.execute(f"SELECT {expr} FROM (SELECT ?::VARCHAR AS qualifier, ?::DOUBLE AS value) f, "
                      f"(SELECT ?::DOUBLE AS computed) c", [qualifier, published, computed]).fetchone()[0]
    assert got is ok


def test_238_stations_match_nbs_codes_one_to_one(con):
    with open(REF / "xiangyuan_villages.csv", encoding="utf-8") as fh:
        real = {r["code"] for r in csv.DictReader(fh) if r["kind"] in ("村", "社区")}
    assert len(real) == 238
    stations = con.execute("SELECT village_code FROM sites WHERE level = '站' AND county_code = '140423'").fetchall()
    codes = [r[0] for r in stations]
    assert len(codes) == len(set(codes)) == 238
    assert set(codes) == real


def test_station_names_drop_the_nbs_suffix(con):
    got = dict(con.execute("SELECT village_code, name FROM villages").fetchall())
    assert got["140423100252"] == "南关村"
    assert got["140423100007"] == "永安社区"
    assert got["140423102002"] == "潞南社区"
    assert not any(n.endswith(("委会", "委员会")) for n in got.values())


def test_per_town_counts_match_reference(con):
    with open(REF / "xiangyuan_villages.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] in ("村", "社区")]
    expected = {}
    for r in rows:
        expected[(r["town_code"], r["kind"])] = expected.get((r["town_code"], r["kind"]), 0) + 1
    got = dict(((t, k), n) for t, k, n in con.execute(
        "SELECT s.town_code, v.kind, count(*) FROM sites s JOIN villages v USING (village_code) "
        "WHERE s.level = '站' GROUP BY ALL").fetchall())
    assert got == expected
    assert got[("140423103", "村")] == 40        # 夏店镇
    assert got[("140423100", "社区")] == 6       # 古韩镇


def test_sites_lie_inside_the_county_and_their_town(con):
    db.load_extension(con, "spatial")
    geom = json.dumps(json.loads((REF / "140423.geojson").read_text(encoding="utf-8"))["features"][0]["geometry"])
    outside = con.execute("""
        SELECT count(*) FROM sites WHERE county_code = '140423'
          AND NOT ST_Contains(ST_GeomFromGeoJSON($g), ST_Point(lon, lat))""", {"g": geom}).fetchone()[0]
    assert outside == 0
    wrong_town = con.execute("""
        SELECT count(*) FROM sites s JOIN towns t USING (town_code)
        WHERE s.level = '站' AND NOT ST_Contains(ST_GeomFromGeoJSON(t.area_geojson), ST_Point(s.lon, s.lat))
    """).fetchone()[0]
    assert wrong_town <= 3   # jitter may push a point a few hundred metres over a town line
    assert con.execute("SELECT count(DISTINCT coord_quality) FROM sites").fetchone()[0] == 1
    assert con.execute("SELECT any_value(coord_quality) FROM sites").fetchone()[0] == "approximate"


def test_distributions_are_plausible(con):
    # seasonality with a 12·5 peak
    dec5 = con.execute("SELECT count(*) FROM activities WHERE activity_date = DATE '2025-12-05'").fetchone()[0]
    avg = con.execute("SELECT count(*) / 365 FROM activities WHERE year(activity_date) = 2025").fetchone()[0]
    assert dec5 > 3 * avg
    # some stations idle in the last 30 days, but most active
    idle = con.execute("""
        SELECT count(*) FROM sites s WHERE s.level = '站' AND NOT EXISTS (
          SELECT 1 FROM activities a WHERE a.site_id = s.site_id AND a.activity_date > DATE '2026-10-27')""").fetchone()[0]
    assert 5 <= idle <= 60
    # compounds at different stages; feedback resolution has a long tail
    assert con.execute("SELECT count(DISTINCT status) FROM compounds").fetchone()[0] == 5
    p50, p90, mx = con.execute("""SELECT median(d), quantile_cont(d, 0.9), max(d) FROM (
        SELECT resolved_date - received_date AS d FROM feedback WHERE status = '办结')""").fetchone()
    assert p90 > 2 * p50 and mx > 4 * p50
    # towns differ in activity per station
    per = [r[0] for r in con.execute("""SELECT count(*) / count(DISTINCT s.site_id) FROM activities a
        JOIN sites s USING (site_id) WHERE s.level = '站' GROUP BY s.town_code""").fetchall()]
    assert max(per) > 1.4 * min(per)


def test_scale_multiplies_volume(scale5_db, con):
    """On the session's --scale 5 build (shared with the map's payload test: a build at scale costs many
    seconds): every count is five times the default's."""
    c = duckdb.connect(str(scale5_db), read_only=True)
    q = lambda sql, cc: (c.execute(sql).fetchone()[0], cc.execute(sql).fetchone()[0])  # noqa: E731
    for table in ("activities", "teams", "feedback"):
        big, base = q(f"SELECT count(*) FROM {table}", con)
        assert big == 5 * base, table
    # trainings: each replica's hosts keep their own yearly rhythm, so this year's classes up to as_of
    # differ by a few between replicas; the reporting year's are exact
    big, base = q("SELECT count(*) FROM trainings", con)
    assert abs(big - 5 * base) <= 0.02 * 5 * base
    big, base = q("SELECT count(*) FROM trainings WHERE year(training_date) = 2025", con)
    assert big == 5 * base
    big, base = q("SELECT count(*) FROM sites WHERE level = '站'", con)
    assert big == 5 * base
    assert c.execute("SELECT count(*) FROM counties WHERE is_replica").fetchone()[0] == 4
    c.close()


def test_stage_history_matches_status(con):
    """Earlier stages finished, the status's own stage ongoing, later ones not started."""
    bad = con.execute("""
        WITH cur AS (SELECT compound_id, status,
                CASE status WHEN '未启动' THEN -1 WHEN '设计' THEN 0 WHEN '施工' THEN 1 WHEN '验收' THEN 2 ELSE 3 END AS ci
              FROM compounds),
        st AS (SELECT compound_id, stage, actual_start, actual_end,
                CASE stage WHEN '设计' THEN 0 WHEN '施工' THEN 1 WHEN '验收' THEN 2 ELSE 3 END AS si
              FROM compound_stages)
        SELECT count(*) FROM st JOIN cur USING (compound_id)
        WHERE NOT CASE
            WHEN cur.status = '完成' THEN actual_end IS NOT NULL
            WHEN si < ci THEN actual_end IS NOT NULL
            WHEN si = ci THEN actual_start IS NOT NULL AND actual_end IS NULL
            ELSE actual_start IS NULL END""").fetchone()[0]
    assert bad == 0
    late = con.execute("""SELECT count(*) FILTER (WHERE s.planned_end < DATE '2026-11-26'), count(*)
        FROM compounds c JOIN compound_stages s ON s.compound_id = c.compound_id AND s.stage = c.status
        WHERE c.status IN ('设计', '施工', '验收')""").fetchone()
    assert 0 < late[0] < late[1]        # some behind plan, not all


def test_stored_figures_equal_the_live_query(con):
    """fact_computed is v_fact_computed materialised at publish time; it must equal the live query."""
    stored = dict(con.execute("SELECT fact_id, computed FROM fact_computed").fetchall())
    live = {k: float(v) if v is not None else None
            for k, v in con.execute("SELECT fact_id, computed FROM v_fact_computed").fetchall()}
    assert len(stored) == 57 and stored == live


def assert_derived_tables_current(con) -> None:
    """activity_facts / activity_months / activity_town_months / activity_town_days / site_activity
    (data/views.sql) agree with the data tables."""
    facts = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE f.town_code IS DISTINCT FROM s.town_code
                                           OR f.site_level <> s.level OR f.team_type IS DISTINCT FROM tm.team_type
                                           OR f.month <> date_trunc('month', a.activity_date)
                                           OR f.beneficiaries <> a.beneficiaries)
        FROM activities a JOIN activity_facts f USING (activity_id) JOIN sites s ON s.site_id = a.site_id
        LEFT JOIN teams tm ON tm.team_id = a.team_id""").fetchone()
    assert facts == (con.execute("SELECT count(*) FROM activities").fetchone()[0], 0)
    assert con.execute("SELECT count(*) FROM activity_facts").fetchone()[0] == facts[0]
    months = con.execute("""
        SELECT m.month, m.town_code, m.service_type, sum(m.activities), sum(m.beneficiaries), sum(m.themed)
        FROM activity_months m GROUP BY ALL ORDER BY ALL""").fetchall()
    expected = con.execute("""
        SELECT date_trunc('month', a.activity_date)::DATE, s.town_code, a.service_type, count(*),
               sum(a.beneficiaries), count(a.theme)
        FROM activities a JOIN sites s USING (site_id) GROUP BY ALL ORDER BY ALL""").fetchall()
    assert months == expected
    # the rollups without the type dimensions (one row per key: read as stored, not re-grouped)
    town_months = con.execute("""
        SELECT month, town_code, service_type, activities, station_activities, beneficiaries, themed
        FROM activity_town_months ORDER BY ALL""").fetchall()
    assert town_months == con.execute("""
        SELECT date_trunc('month', a.activity_date)::DATE, s.town_code, a.service_type, count(*),
               count(*) FILTER (WHERE s.level = '站'), sum(a.beneficiaries), count(a.theme)
        FROM activities a JOIN sites s USING (site_id) GROUP BY ALL ORDER BY ALL""").fetchall()
    town_days = con.execute("""
        SELECT activity_date, town_code, activities, station_activities, participants, beneficiaries, themed
        FROM activity_town_days ORDER BY ALL""").fetchall()
    assert town_days == con.execute("""
        SELECT a.activity_date, s.town_code, count(*), count(*) FILTER (WHERE s.level = '站'),
               sum(a.participants), sum(a.beneficiaries), count(a.theme)
        FROM activities a JOIN sites s USING (site_id) GROUP BY ALL ORDER BY ALL""").fetchall()
    last = con.execute("""
        SELECT count(*) FROM (
            SELECT site_id, max(activity_date) AS d FROM activities
            WHERE activity_date <= (SELECT CAST(value AS DATE) FROM meta WHERE key = 'as_of') GROUP BY site_id
        ) x FULL JOIN site_activity s USING (site_id) WHERE x.d IS DISTINCT FROM s.last_activity""").fetchone()[0]
    assert last == 0


def test_derived_tables_match_the_data_tables(con):
    assert_derived_tables_current(con)
    kinds = dict(con.execute("SELECT table_name, kind FROM provenance").fetchall())
    assert {kinds.get(t) for t in schema.DERIVED_TABLES} == {"derived"}
    # sorted by date, so a date window reads only its own row groups
    assert con.execute("SELECT bool_and(activity_date >= prev) FROM (SELECT activity_date, "
                       "lag(activity_date, 1, DATE '1900-01-01') OVER (ORDER BY rowid) AS prev "
                       "FROM activity_facts)").fetchone()[0]
    assert con.execute("SELECT bool_and(activity_date >= prev) FROM (SELECT activity_date, "
                       "lag(activity_date, 1, DATE '1900-01-01') OVER (ORDER BY rowid) AS prev "
                       "FROM activity_town_days)").fetchone()[0]


def test_an_older_snapshot_is_brought_up_to_the_current_views(private_data_dir):
    """An upgrade keeps a deployment's data (imports included) but its snapshot may predate the derived
    tables the pages read: `build --if-missing` (make run) re-applies data/views.sql as a new version."""
    import subprocess
    import sys

    from civic.store import snapshots
    old = snapshots.current()
    with snapshots.transaction("simulate an older build") as work:      # as written by an older version
        con = db.connect_write(work)
        for t in schema.DERIVED_TABLES:
            con.execute(f'DROP TABLE "{t}"')
        con.execute("DELETE FROM meta WHERE key = 'views_hash'")
        con.execute("CHECKPOINT")
        con.close()
    stale = snapshots.current()
    out = subprocess.run([sys.executable, "-m", "civic", "build", "--if-missing"], cwd=ROOT, text=True,
                         capture_output=True, timeout=300, check=True).stdout
    assert "skip" in out.lower() or "跳过" in out
    now = snapshots.current()
    assert now.version != stale.version != old.version
    con = db.connect_read(now.path)
    try:
        assert_derived_tables_current(con)
        assert con.execute("SELECT value FROM meta WHERE key = 'views_hash'").fetchone()[0] == schema.views_hash()
        assert con.execute("SELECT count(*) FILTER (WHERE NOT ok) FROM v_fact_check").fetchone()[0] == 0
    finally:
        con.close()
    assert snapshots.read_audit(1)[0]["action"] == "views"
    # up to date: nothing more is published
    subprocess.run([sys.executable, "-m", "civic", "build", "--if-missing"], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    assert snapshots.current().version == now.version
