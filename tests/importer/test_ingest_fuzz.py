"""Whatever the cells hold, validation returns problems or records — it never crashes, and a row is either
a record or has at least one problem."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civic.importer import api, problems, read, validate
from civic.importer.lookups import Lookups
from civic.store import db, snapshots

JUNK = ["", " ", "=1+1", "-", "+", "@x", "0", "-3", "1e9", "3.5", "NaN", "inf", "是", "否", "2025-02-30", "2099-1-1",
        "2025/3/8", "2025年3月8日", "45724", "西观村", "西关村", "古韩镇", "140423100254", "德鑫小区", "饮泉社区",
        "完成", "发布", "站", "基地", "乡风文明", "管线改造", "排水", "坝坝会", "办结", "113.04", "36.53", "长" * 200,
        "\x07bell", "１２３", "30人", None, 12, -1, 2.5, date(2025, 3, 8)]


@pytest.fixture(scope="module")
def lookups(built_db):
    import os
    os.environ["CIVIC_DATA_DIR"] = str(built_db)
    con = db.connect_read(snapshots.current().path)
    try:
        yield Lookups(con)
    finally:
        con.close()


def _valid_cells(entity: str) -> dict:
    ent = api.ENTITIES[entity]
    return {c.name: c.example for c in ent.cols}


@pytest.mark.parametrize("entity", sorted(api.ENTITIES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_validation_never_crashes(lookups, entity, data):
    ent = api.ENTITIES[entity]
    n = data.draw(st.integers(1, 4))
    rows = []
    for _ in range(n):
        base = _valid_cells(entity)
        row = [data.draw(st.one_of(st.sampled_from(JUNK), st.just(base[c.name]), st.text(max_size=8)))
               for c in ent.cols]
        rows.append(row)
    sheet = read.Sheet("csv", [(1, [c.zh for c in ent.cols])] + [(i + 2, r) for i, r in enumerate(rows)])
    try:
        parsed = validate.parse(sheet, lookups, entity)
    except problems._FileProblem as fp:            # e.g. every row equals the example row
        assert fp.problems
        return
    rows_with_problems = {p.row for p in parsed.problems if p.code != "duplicate_key"}
    for rec in parsed.records:
        assert rec.row not in rows_with_problems
    assert {r.row for r in parsed.records} | rows_with_problems >= {d["行"] for d in parsed.display_rows}
    for p in parsed.problems:
        assert p.reason and p.text()
