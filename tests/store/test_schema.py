"""Schema constraints reject bad rows."""
from __future__ import annotations

import duckdb
import pytest

from civic import paths


@pytest.fixture()
def empty():
    c = duckdb.connect()
    c.execute(paths.SCHEMA_SQL.read_text(encoding="utf-8"))
    c.execute("INSERT INTO counties VALUES ('140423', '襄垣县', '山西省', '长治市', '文明实践', 113.0, 36.5, false)")
    c.execute("INSERT INTO towns (town_code, county_code, name, kind) VALUES ('140423103', '140423', '夏店镇', '镇')")
    c.execute("INSERT INTO villages VALUES ('140423103201', '140423103', '某村村委会', '某村', '村')")
    c.execute("""INSERT INTO sites (site_id, level, name, county_code, town_code, village_code, lon, lat)
                 VALUES ('S-1', '站', '某村站', '140423', '140423103', '140423103201', 113, 36.5)""")
    yield c
    c.close()


ACTIVITY = ("INSERT INTO activities (activity_id, activity_date, site_id, service_type, title, participants, "
            "volunteers, beneficiaries, hours) VALUES ")
BAD = [
    "INSERT INTO villages VALUES ('14042310320', '140423103', 'x', 'x', '村')",                    # 11-digit code
    "INSERT INTO villages VALUES ('140423103202', '140423103', 'x', 'x', '镇')",                   # bad kind
    "INSERT INTO villages VALUES ('140423999202', '140423999', 'x', 'x', '村')",                   # unknown town (FK)
    # station without village
    "INSERT INTO sites (site_id, level, name, county_code, town_code, lon, lat) "
    "VALUES ('X', '站', 'n', '140423', '140423103', 1, 1)",
    # second station for a village
    "INSERT INTO sites (site_id, level, name, county_code, town_code, village_code, lon, lat) "
    "VALUES ('S-2', '站', 'n', '140423', '140423103', '140423103201', 1, 1)",
    "INSERT INTO sites (site_id, level, name, county_code, lon, lat) VALUES ('S-1', '中心', 'dup', '140423', 1, 1)",  # dup
    "INSERT INTO sites (site_id, level, name, county_code, lon, lat) VALUES ('Z', '基地', 'n', '140423', 1, 1)",  # no town
    # unknown coord_quality
    "INSERT INTO sites (site_id, level, name, county_code, town_code, lon, lat, coord_quality) "
    "VALUES ('Z', '所', 'n', '140423', '140423103', 1, 1, 'exact')",
    ACTIVITY + "('a', DATE '2025-01-01', 'S-1', '理论宣讲', 't', -1, 0, 0, 0)",   # negative participants
    ACTIVITY + "('a', DATE '2025-01-01', 'S-1', '唱歌', 't', 1, 0, 0, 0)",        # unknown service type
    ACTIVITY + "('a', DATE '2025-01-01', 'S-404', '理论宣讲', 't', 1, 0, 0, 0)",  # unknown site (FK)
    ACTIVITY + "('a', NULL, 'S-1', '理论宣讲', 't', 1, 0, 0, 0)",                  # no date
    "INSERT INTO micro_wishes (wish_id, site_id, category, title, status, published_date) "
    "VALUES ('w', 'S-1', 'c', 't', '完成', DATE '2025-01-01')",
    "INSERT INTO trainings (training_id, training_date, site_id, title, trainees) "
    "VALUES ('k', DATE '2025-01-01', 'S-1', 't', -5)",
]


@pytest.mark.parametrize("sql", BAD)
def test_constraints_reject(empty, sql):
    with pytest.raises(duckdb.Error):
        empty.execute(sql)


def test_a_valid_activity_is_accepted(empty):
    empty.execute("""INSERT INTO activities (activity_id, activity_date, site_id, service_type, title, participants,
                     volunteers, beneficiaries, hours) VALUES ('a', DATE '2025-01-01', 'S-1', '理论宣讲', 't', 5, 2, 3, 4)""")
    assert empty.execute("SELECT source FROM activities").fetchone() == ("synthetic",)


def test_spatial_extension_loads_offline_from_its_wheel():
    from civic.store import db
    c = duckdb.connect()
    db.load_extension(c, "spatial")
    assert c.execute("SELECT ST_Area(ST_GeomFromText('POLYGON((0 0,2 0,2 2,0 2,0 0))'))").fetchone()[0] == 4.0
    assert "v1.5.5" in str(db.extension_path("spatial"))
