"""Import: good files in every accepted shape, templates and samples, idempotency, updates, audit, rollback,
dry run, CLI, status and the demo feed."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from civic.demo import simulate
from civic.importer import api, lookups, read, validate
from civic.store import db, snapshots, status

ROOT = Path(__file__).resolve().parents[2]


# ── helpers ───────────────────────────────────────────────────────────────────────────────────
def counts() -> dict:
    return status.collect()["counts"]


def version() -> str:
    return snapshots.current().version


def scalar(sql: str, params=None):
    con = db.connect_read(snapshots.current().path)
    try:
        return con.execute(sql, params or []).fetchone()[0]
    finally:
        con.close()


def _date_text(d: date, style: str):
    return {"iso": d.isoformat(), "slash": f"{d.year}/{d.month}/{d.day}", "cn": f"{d.year}年{d.month}月{d.day}日",
            "serial": str((d - date(1899, 12, 30)).days), "dots": f"{d.year}.{d.month}.{d.day}"}[style]


def to_csv(entity: str, rows: list[dict], *, english=False, encoding="utf-8", date_styles=("iso",),
           junk=False) -> bytes:
    ent = api.ENTITIES[entity]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if junk:   # a title row and a blank line above the header, a blank column, blank rows between records
        w.writerow([f"{ent.zh}台账（2026年）"])
        w.writerow([])
    header = [c.name if english else c.zh for c in ent.cols]
    w.writerow(([""] if junk else []) + header + ([""] if junk else []))
    for i, r in enumerate(rows):
        style = date_styles[i % len(date_styles)]
        cells = []
        for c in ent.cols:
            v = r.get(c.name)
            cells.append("" if v is None else _date_text(v, style) if isinstance(v, date) else str(v))
        w.writerow(([""] if junk else []) + cells + ([""] if junk else []))
        if junk and i % 2 == 0:
            w.writerow([])
    return buf.getvalue().encode(encoding)


def sample(entity: str, n: int, seed: int) -> list[dict]:
    return api.sample_rows(entity, n, seed=seed)


def commit(data: bytes, name: str = "t.csv", entity: str | None = None) -> api.Report:
    return api.commit(data, name, entity, user="pytest")


# ── good files ────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding(private_data_dir, encoding):
    rows = sample("activities", 6, seed=101)
    data = to_csv("activities", rows, encoding=encoding)
    assert read.decode_text(data)[1] == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gbk"}[encoding]
    before = counts()["activities"]
    rep = commit(data, f"act-{encoding}.csv")
    assert (rep.added, rep.updated, rep.unchanged) == (6, 0, 0)
    assert counts()["activities"] == before + 6
    again = commit(data, f"act-{encoding}.csv")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6)
    assert counts()["activities"] == before + 6


def test_xlsx_with_excel_serial_dates_and_blank_rows(private_data_dir):
    rows = sample("activities", 5, seed=102)
    wb = openpyxl.load_workbook(io.BytesIO(api.template_bytes("activities", rows)))
    ws = wb["数据"]
    ws.cell(row=2, column=1).value = (rows[0]["activity_date"] - date(1899, 12, 30)).days   # a bare serial number
    ws.cell(row=2, column=1).number_format = "General"
    ws.insert_rows(4)               # an empty row in the middle
    ws.insert_cols(3)               # an empty column
    buf = io.BytesIO()
    wb.save(buf)
    before = counts()["activities"]
    rep = commit(buf.getvalue(), "act.xlsx")
    assert rep.entity == "activities" and rep.added == 5, rep.text()
    assert counts()["activities"] == before + 5
    assert scalar("SELECT count(*) FROM activities WHERE activity_date = $d AND source = 'import'",
                  {"d": rows[0]["activity_date"]}) >= 1


def test_english_headers_title_rows_blank_columns_and_every_date_format(private_data_dir):
    rows = sample("activities", 10, seed=103)
    data = to_csv("activities", rows, english=True, junk=True, date_styles=("iso", "slash", "cn", "serial", "dots"))
    rep = api.check(data, "english.csv")
    assert rep.ok, rep.text()
    assert rep.added == 10
    assert commit(data, "english.csv").added == 10


def test_places_by_code_with_and_without_suffix(private_data_dir):
    rows = [r for r in sample("activities", 30, seed=104) if r["village"]][:6]
    con = db.connect_read(snapshots.current().path)
    lk = lookups.Lookups(con)
    con.close()
    town_code = {r["name"]: c for c, r in lk.towns.items()}
    forms = []
    for i, r in enumerate(rows):
        r = dict(r, site=None)          # resolve the station from the village
        tc = town_code[r["town"]]
        vc = next(c for c, v in lk.villages.items() if v["name"] == r["village"] and v["town_code"] == tc)
        r["village"] = [vc, lk.villages[vc]["name_full"], r["village"], r["village"].removesuffix("村"),
                        r["village"], vc][i]
        r["town"] = [tc, r["town"], r["town"].removesuffix("镇"), tc + "000", r["town"], r["town"]][i]
        forms.append(r)
    rep = commit(to_csv("activities", forms), "places.csv")
    assert rep.added == 6, rep.text()


@pytest.mark.parametrize("entity", sorted(api.ENTITIES))
def test_sample_template_adds_exactly_n_rows_and_reimport_adds_none(private_data_dir, entity):
    before = counts()
    v0 = version()
    data = api.sample_bytes(entity, 5, seed=7)
    rep = commit(data, f"{entity}.xlsx")
    assert rep.entity == entity
    assert (rep.added, rep.updated) == (5, 0), rep.text()
    after = counts()
    assert after[entity] == before[entity] + 5
    assert {k: v for k, v in after.items() if k != entity} == {k: v for k, v in before.items() if k != entity}
    v1 = version()
    assert v1 != v0
    again = commit(data, f"{entity}.xlsx")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
    assert version() == v1, "an import that changes nothing publishes nothing"
    assert counts() == after
    last = snapshots.read_audit(1)[0]
    assert last["entity"] == entity and last["published"] is False and last["version"] == v1


def test_sample_csv_matches_template_columns(private_data_dir):
    data = api.sample_bytes("feedback", 3, seed=9, fmt="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == [c.zh for c in api.ENTITIES["feedback"].cols]
    assert commit(data, "fb.csv").added == 3


# ── templates ─────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("entity", sorted(api.ENTITIES))
def test_template_has_chinese_headers_an_example_and_notes(data_dir, entity):
    ent = api.ENTITIES[entity]
    wb = openpyxl.load_workbook(io.BytesIO(api.template_bytes(entity)))
    assert wb.sheetnames == ["数据", "填写说明"]
    ws = wb["数据"]
    assert [c.value for c in ws[1]] == [c.zh for c in ent.cols]
    assert any(c.value not in (None, "") for c in ws[2]), "example row"
    notes = wb["填写说明"]
    text = "\n".join(" ".join(str(v) for v in row if v is not None) for row in notes.iter_rows(values_only=True))
    assert f"（{entity}）" in text
    for c in ent.cols:
        assert c.zh in text
        for choice in c.choices:
            assert choice in text
    # the bare template imports nothing: its example row is skipped
    with pytest.raises(api.ImportRejected) as exc:
        api.import_path(_write(api.template_bytes(entity), entity), dry_run=True)
    assert "只有模板的示例行" in exc.value.report.text()


def _write(data: bytes, entity: str) -> Path:
    import tempfile
    f = Path(tempfile.mkdtemp()) / f"{entity}.xlsx"
    f.write_bytes(data)
    return f


def test_template_example_rows_are_valid(data_dir, monkeypatch):
    monkeypatch.setattr(validate, "_example_row", lambda ent: ["never matches"])
    for entity in api.ENTITIES:
        rep = api.check(api.template_bytes(entity), f"{entity}.xlsx")
        assert rep.ok, rep.text()


# ── idempotency and updates ───────────────────────────────────────────────────────────────────
def test_overlapping_rows_by_natural_key_never_double_count(private_data_dir):
    rows = sample("activities", 8, seed=105)
    before = counts()["activities"]
    assert commit(to_csv("activities", rows[:5]), "a.csv").added == 5
    # the overlap is written differently: other date format, village with its NBS suffix
    second = [dict(r, village=(r["village"] + "村委会") if r["village"] else None) for r in rows[2:]]
    rep = commit(to_csv("activities", second, date_styles=("cn",)), "b.csv")
    assert (rep.added, rep.unchanged) == (3, 3), rep.text()
    assert counts()["activities"] == before + 8


def test_changed_values_update_the_existing_row(private_data_dir):
    rows = sample("activities", 1, seed=106)
    commit(to_csv("activities", rows), "one.csv")
    n = counts()["activities"]
    changed = [dict(rows[0], participants=rows[0]["participants"] + 5)]
    rep = commit(to_csv("activities", changed), "one-fixed.csv")
    assert (rep.added, rep.updated) == (0, 1)
    assert counts()["activities"] == n
    got = scalar("SELECT participants FROM activities WHERE title = $t AND activity_date = $d",
                 {"t": rows[0]["title"], "d": rows[0]["activity_date"]})
    assert got == rows[0]["participants"] + 5


def test_works_progress_updates_the_synthetic_row(private_data_dir):
    n = counts()["works"]
    cid = scalar("SELECT compound_id FROM compounds WHERE name = '德鑫小区'")
    planned = scalar("SELECT planned_qty FROM works WHERE compound_id = $c AND category = '管线改造'", {"c": cid})
    data = f"小区名称,改造内容,计划量,完成量,完成日期\n德鑫小区,管线改造,{planned + 50:g},{planned + 50:g},2026-11-20\n".encode()
    rep = commit(data, "works.csv")
    assert (rep.added, rep.updated) == (0, 1)
    assert counts()["works"] == n
    assert scalar("SELECT done_qty FROM works WHERE compound_id = $c AND category = '管线改造'", {"c": cid}) == planned + 50
    assert scalar("SELECT source FROM works WHERE compound_id = $c AND category = '管线改造'", {"c": cid}) == "import"


def test_real_coordinates_replace_approximate_ones(private_data_dir):
    before = counts()
    acts = scalar("SELECT count(*) FROM v_activities WHERE site_id = 'S-140423100254'")
    data = ("站点名称,级别,乡镇,所属村,经度,纬度\n"
            "西关村新时代文明实践站,站,古韩镇,西关村村委会,113.0400,36.5301\n"
            "西关村红色文化基地,基地,古韩镇,,113.0421,36.5310\n").encode()
    rep = commit(data, "coords.csv")
    assert (rep.added, rep.updated) == (1, 1), rep.text()
    con = db.connect_read(snapshots.current().path)
    try:
        row = con.execute("SELECT lon, lat, coord_quality FROM v_sites WHERE site_id = 'S-140423100254'").fetchone()
        assert row == (113.04, 36.5301, "imported")
        new = con.execute("SELECT level, town_code, coord_quality, base_kind FROM sites "
                          "WHERE name = '西关村红色文化基地'").fetchone()
        assert new == ("基地", "140423100", "imported", "其他")
        assert con.execute("SELECT count(*) FROM v_activities WHERE site_id = 'S-140423100254'").fetchone()[0] == acts
        assert con.execute("SELECT count(*) FILTER (WHERE NOT ok) FROM v_fact_check").fetchone()[0] == 0
        idx = {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
        assert "sites_one_station_per_village" in idx
    finally:
        con.close()
    assert counts()["sites"] == before["sites"] + 1
    assert {k: v for k, v in counts().items() if k != "sites"} == {k: v for k, v in before.items() if k != "sites"}
    derived_tables_current()        # the rewrite path (sites) rebuilds them too
    assert status.collect()["imported"]["sites"] == 2


def test_compound_coordinates_are_marked_imported(private_data_dir):
    data = ("小区名称,所属社区,小区类型,改造批次,改造状态,楼栋数,户数,建筑面积,建成年份,经度,纬度\n"
            "德鑫小区,饮泉社区居委会,老旧小区,实施一批,完成,6,168,15120,1998,102.6771,29.3499\n").encode()
    rep = commit(data, "c.csv")
    assert rep.updated == 1
    assert scalar("SELECT coord_quality FROM v_compounds WHERE name = '德鑫小区'") == "imported"


# ── dry run, audit, rollback ──────────────────────────────────────────────────────────────────
def test_dry_run_previews_and_writes_nothing(private_data_dir):
    v0, c0 = version(), counts()
    data = to_csv("activities", sample("activities", 4, seed=107))
    rep = api.check(data, "dry.csv")
    assert rep.ok and rep.added == 4 and not rep.committed
    assert list(rep.preview["操作"]) == ["新增"] * 4
    assert "行" in rep.preview.columns and "活动名称" in rep.preview.columns
    assert (version(), counts()) == (v0, c0)


def test_audit_records_who_when_file_hash_entity_rows_and_version(private_data_dir):
    import hashlib
    data = to_csv("activities", sample("activities", 3, seed=108))
    rep = api.commit(data, "audit.csv", user="王干事")
    e = snapshots.read_audit(1)[0]
    assert e["action"] == "import" and e["user"] == "王干事" and e["entity"] == "activities"
    assert e["file_name"] == "audit.csv" and e["sha256"] == hashlib.sha256(data).hexdigest()
    assert e["rows_added"] == 3 and e["rows_updated"] == 0
    assert e["version"] == rep.version == version()
    assert e["ts"][:4].isdigit()
    assert status.collect()["imports"][0]["sha256"] == e["sha256"]


def test_rollback_restores_and_is_logged_and_next_import_works(private_data_dir):
    v0, c0 = version(), counts()
    commit(to_csv("activities", sample("activities", 4, seed=109)), "r.csv")
    v1 = version()
    assert counts()["activities"] == c0["activities"] + 4
    snap = snapshots.rollback(v0, user="pytest")
    assert snap.version > v1 and counts() == c0
    e = snapshots.read_audit(1)[0]
    assert (e["action"], e["from_version"], e["to_version"]) == ("rollback", v1, v0)
    rep = commit(to_csv("activities", sample("activities", 2, seed=110)), "after.csv")
    assert rep.added == 2 and counts()["activities"] == c0["activities"] + 2


def test_data_as_of_moves_forward_with_newer_imports(private_data_dir):
    """"数据截至" follows the newest imported event (never past today), so new records fall inside the windows."""
    with snapshots.transaction("test: pretend the build is a week old") as work:
        con = db.connect_write(work)
        con.execute("UPDATE meta SET value = $v WHERE key = 'as_of'",
                    {"v": (date.today() - timedelta(days=7)).isoformat()})
        con.execute("CHECKPOINT")
        con.close()
    rows = sample("activities", 2, seed=111)
    rows[0]["activity_date"] = date.today() - timedelta(days=2)
    rows[1]["activity_date"] = date.today() - timedelta(days=9)
    commit(to_csv("activities", rows), "recent.csv")
    assert scalar("SELECT value FROM meta WHERE key = 'as_of'") == (date.today() - timedelta(days=2)).isoformat()
    older = sample("activities", 1, seed=112)
    older[0]["activity_date"] = date.today() - timedelta(days=20)
    commit(to_csv("activities", older), "older.csv")
    assert scalar("SELECT value FROM meta WHERE key = 'as_of'") == (date.today() - timedelta(days=2)).isoformat()


def test_import_records_meta(private_data_dir):
    commit(to_csv("activities", sample("activities", 1, seed=113)), "meta.csv")
    assert scalar("SELECT value FROM meta WHERE key = 'last_import_file'") == "meta.csv"
    assert scalar("SELECT value FROM meta WHERE key = 'last_import_by'") == "pytest"


# ── command line, status, simulate ────────────────────────────────────────────────────────────
def _cli(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "civic", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={**os.environ, "CIVIC_DATA_DIR": str(data_dir)})


def test_cli_template_import_and_status(private_data_dir, tmp_path):
    before = counts()["trainings"]
    f = tmp_path / "k.xlsx"
    r = _cli(["template", "trainings", "--sample", "4", "--seed", "3", "--out", str(f)], private_data_dir)
    assert r.returncode == 0, r.stderr
    r = _cli(["import", str(f), "--dry-run"], private_data_dir)
    assert r.returncode == 0 and "预检通过" in r.stdout and "新增 4 行" in r.stdout, r.stdout + r.stderr
    assert counts()["trainings"] == before
    r = _cli(["import", str(f), "--user", "cli-test"], private_data_dir)
    assert r.returncode == 0 and "新增 4 行" in r.stdout, r.stderr
    r = _cli(["import", str(f), "--entity", "trainings"], private_data_dir)
    assert r.returncode == 0 and "新增 0 行" in r.stdout
    r = _cli(["status", "--json"], private_data_dir)
    info = json.loads(r.stdout)
    assert info["counts"]["trainings"] == before + 4
    assert info["imported"]["trainings"] >= 4
    assert info["imports"][0]["user"] == "cli-test" or info["imports"][1]["user"] == "cli-test"
    assert {"version", "published_at", "counts", "snapshots", "imports"} <= set(info)
    r = _cli(["template", "works", "--out", str(tmp_path / "w.xlsx")], private_data_dir)
    assert r.returncode == 0 and (tmp_path / "w.xlsx").exists()


def test_parse_rate():
    assert simulate.parse_rate("1/s") == 1
    assert simulate.parse_rate("30/min") == 0.5
    assert simulate.parse_rate("120/h") == pytest.approx(1 / 30)
    assert simulate.parse_rate("2") == 2
    for bad in ("fast", "0/s", "-1/s", "1/day"):
        with pytest.raises(ValueError):
            simulate.parse_rate(bad)


def test_simulate_appends_activities_through_the_import_path(private_data_dir):
    before = counts()["activities"]
    n = simulate.run(rate=50, count=3, every=0.05, seed=5, say=lambda s: None)
    assert n == 3
    assert counts()["activities"] == before + 3
    e = snapshots.read_audit(1)[0]
    assert e["action"] == "import" and e["user"] == "simulate" and e["file_name"].startswith("simulate-")
    assert scalar("SELECT count(*) FROM activities WHERE source = 'import' AND activity_date = $d",
                  {"d": date.today()}) == 3, "the demo feed ticks today"
    derived_tables_current()


def derived_tables_current() -> None:
    from tests.demo.test_build import assert_derived_tables_current
    con = db.connect_read(snapshots.current().path)
    try:
        assert_derived_tables_current(con)
    finally:
        con.close()


def test_cli_simulate(private_data_dir):
    before = counts()["activities"]
    r = _cli(["simulate", "--rate", "10/s", "--count", "2", "--every", "0.1", "--seed", "9"], private_data_dir)
    assert r.returncode == 0, r.stderr
    assert counts()["activities"] == before + 2
