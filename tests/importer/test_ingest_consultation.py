"""Import of 议事结果 (meeting_decisions) and 会议预告 (scheduled_meetings), issue #19: a good file reaches the
residents' public page; a decision for an unknown meeting, 通过 without its date, an approval on a 坝坝会,
an announcement in the past and personal data in a decision are refused row by row, and nothing is written."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from civic.importer import api
from civic.public import compound, view
from civic.store import db, queries, snapshots
from tests.conftest import AS_OF
from tests.importer.test_ingest import commit, counts, to_csv, version

CID, NAME = "HY-019", "流沙花园"         # a compound under way (施工) in the default build
HELD = date(2026, 11, 20)                # a meeting a few days before the data's day (AS_OF)


def _page(cid: str = CID) -> compound.CompoundPage:
    db.close_all()
    queries.clear_cache()
    page = compound.load(cid)
    assert page is not None
    return page


def _rejected(data: bytes, entity: str) -> api.Report:
    v0, before = version(), counts()
    with pytest.raises(api.ImportRejected) as exc:
        commit(data, f"{entity}.csv", entity)
    assert version() == v0 and counts() == before, "all or nothing: a rejected file writes nothing"
    return exc.value.report


def _import_meeting(kind: str = "议事会", day: date = HELD) -> None:
    rep = commit(to_csv("meetings", [{"meeting_date": day, "meeting_type": kind, "compound": NAME, "attendees": 40,
                                      "topic": "充电棚改造议事"}]), "m.csv", "meetings")
    assert rep.added == 1


def test_decision_imports_and_shows_on_the_public_page(private_data_dir):
    _import_meeting()
    text = "表决通过充电棚改造方案，居民自筹部分按户均摊"
    rep = commit(to_csv("meeting_decisions", [{"compound": NAME, "meeting_date": HELD, "meeting_type": "议事会",
                                               "decision": text, "approval": "通过",
                                               "approved_date": date(2026, 11, 25)}]), "d.csv")
    assert (rep.entity, rep.added) == ("meeting_decisions", 1), rep.text()
    page = _page()
    row = page.meetings[page.meetings.decision == text].iloc[0]
    assert (row.meeting_date, row.approval, row.approved_date) == (pd.Timestamp(HELD), "通过", pd.Timestamp(2026, 11, 25))
    assert text in "".join(view.page(page))


def test_approval_moves_from_committee_to_passed_by_reimport(private_data_dir):
    _import_meeting()
    row = {"compound": NAME, "meeting_date": HELD, "meeting_type": "议事会", "decision": "同意路灯分两期实施",
           "approval": "报镇党委审批"}
    assert commit(to_csv("meeting_decisions", [row]), "d1.csv").added == 1
    rep = commit(to_csv("meeting_decisions", [{**row, "approval": "通过", "approved_date": date(2026, 11, 24)}]),
                 "d2.csv")
    assert (rep.added, rep.updated) == (0, 1), rep.text()
    page = _page()
    assert page.meetings[page.meetings.decision == row["decision"]].approval.tolist() == ["通过"]


def test_decision_by_meeting_id_and_a_conflicting_compound(private_data_dir):
    con = db.connect_read(snapshots.current().path)
    try:
        mid, held, other = con.execute(
            "SELECT m.meeting_id, m.meeting_date, c.name FROM meetings m JOIN compounds c ON c.compound_id <> m.compound_id "
            "WHERE m.compound_id = $c AND m.meeting_type = '坝坝会' ORDER BY m.meeting_date DESC, c.compound_id LIMIT 1",
            {"c": CID}).fetchone()
    finally:
        con.close()
    ok = {"meeting": mid.lower(), "decision": "多数居民同意先做路灯改造"}
    rep = commit(to_csv("meeting_decisions", [ok]), "id.csv", "meeting_decisions")
    assert (rep.added, rep.updated) == (0, 1), "the generated 坝坝会 decision is replaced"
    bad = _rejected(to_csv("meeting_decisions", [{**ok, "compound": other}]), "meeting_decisions")
    assert [(p.row, p.column, p.code) for p in bad.problems] == [(2, "小区名称", "conflict")]
    assert mid in bad.problems[0].reason and NAME in bad.problems[0].reason


def test_decision_for_an_unknown_meeting_is_rejected_row_by_row(private_data_dir):
    good = {"compound": NAME, "meeting_date": HELD, "meeting_type": "议事会", "decision": "同意方案",
            "approval": "报镇党委审批"}
    _import_meeting()
    rows = [good,
            {**good, "meeting_date": date(2026, 11, 19)},        # no meeting that day
            {"meeting": "MT-9999", "decision": "同意方案"},       # no such id
            {"compound": "不存在小区", "meeting_date": HELD, "decision": "同意方案"}]
    rep = _rejected(to_csv("meeting_decisions", rows), "meeting_decisions")
    got = {(p.row, p.column, p.code) for p in rep.problems}
    assert got == {(3, "会议日期", "unknown_meeting"), (4, "会议编号", "unknown_meeting"), (5, "小区名称", "unknown_compound")}
    reason = next(p.reason for p in rep.problems if p.row == 3)
    assert NAME in reason and "2026-11-19" in reason and "议事会议" in reason


def test_approval_rules_follow_the_schema(private_data_dir):
    """The schema ties 通过 to an approval date; a 议事会 goes to the town committee, a 坝坝会 does not."""
    _import_meeting("议事会")
    _import_meeting("坝坝会", date(2026, 11, 21))
    ysh = {"compound": NAME, "meeting_date": HELD, "meeting_type": "议事会", "decision": "同意方案"}
    bbh = {"compound": NAME, "meeting_date": date(2026, 11, 21), "meeting_type": "坝坝会", "decision": "收集意见"}
    rows = [{**ysh, "approval": "通过"},                                              # 通过 without its date
            {**ysh, "approval": "报镇党委审批", "approved_date": date(2026, 11, 22)},  # a date while pending
            {**ysh},                                                                   # 议事会 without approval
            {**bbh, "approval": "通过", "approved_date": date(2026, 11, 22)},          # 坝坝会 is not approved
            {**ysh, "approval": "通过", "approved_date": date(2026, 11, 2)}]           # before the meeting
    rep = _rejected(to_csv("meeting_decisions", rows), "meeting_decisions")
    got = {(p.row, p.column, p.code) for p in rep.problems}
    assert (2, "审批通过日期", "required") in got
    assert (3, "审批通过日期", "inconsistent") in got
    assert (4, "审批状态", "required") in got
    assert (5, "审批状态", "inconsistent") in got
    assert (6, "审批通过日期", "inconsistent") in got
    assert next(p.reason for p in rep.problems if p.row == 2) == "审批状态为“通过”时必须填写审批通过日期"


def test_personal_data_in_a_decision_is_rejected_or_masked(private_data_dir):
    _import_meeting()
    row = {"compound": NAME, "meeting_date": HELD, "meeting_type": "议事会", "approval": "报镇党委审批",
           "decision": "施工问题请联系张师傅13800138000"}
    rep = _rejected(to_csv("meeting_decisions", [row]), "meeting_decisions")
    assert [(p.row, p.column, p.code) for p in rep.problems] == [(2, "议事结果", "personal_data")]
    assert "13800138000" not in rep.text()
    api.commit(to_csv("meeting_decisions", [row]), "mask.csv", "meeting_decisions", user="pytest", pii_mode="mask")
    page = _page()
    stored = page.meetings[page.meetings.meeting_date == pd.Timestamp(HELD)].decision.tolist()
    assert stored == ["施工问题请联系张师傅138****8000"]


def test_announced_meeting_shows_as_next_and_past_dates_are_refused(private_data_dir):
    soon = date(2026, 12, 1)                     # before every generated announcement (AS_OF + 6 days or later)
    ok = {"compound": NAME, "meeting_date": soon, "meeting_type": "坝坝会", "topic": "充电棚选址征求意见"}
    rep = commit(to_csv("scheduled_meetings", [ok]), "s.csv")
    assert (rep.entity, rep.added) == ("scheduled_meetings", 1), rep.text()
    nxt = _page().next_meeting
    assert nxt is not None and (nxt.meeting_date, nxt.topic) == (pd.Timestamp(soon), ok["topic"])
    assert nxt.schedule_id.startswith("SM-IMP-")
    con = db.connect_read(snapshots.current().path)
    try:
        done = con.execute("SELECT name FROM compounds WHERE status = '完成' ORDER BY compound_id LIMIT 1").fetchone()[0]
    finally:
        con.close()
    rows = [{**ok, "meeting_date": AS_OF}, {**ok, "compound": done, "meeting_date": date(2026, 12, 2)}]
    rep = _rejected(to_csv("scheduled_meetings", rows), "scheduled_meetings")
    assert {(p.row, p.column, p.code) for p in rep.problems} == {(2, "会议日期", "inconsistent"),
                                                                 (3, "小区名称", "conflict")}
    assert "数据截至日期 2026-11-26" in rep.problems[0].reason


def test_generated_announcements_have_ids_from_their_key(data_dir):
    con = db.connect_read(snapshots.current().path)
    try:
        bad = con.execute("SELECT count(*) FROM scheduled_meetings WHERE schedule_id <> "
                          "'SM-' || compound_id || '-' || strftime(meeting_date, '%Y-%m-%d')").fetchone()[0]
        n = con.execute("SELECT count(*) FROM scheduled_meetings").fetchone()[0]
    finally:
        con.close()
    assert n > 0 and bad == 0
