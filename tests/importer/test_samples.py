"""Sample rows look up only their candidates' keys (templates._existing_keys), never a whole table: at
province scale reading all 4 M activity keys took 8 s for a 10-row download (issue 21)."""
from __future__ import annotations

from datetime import date

import pytest

from civic.importer import api
from civic.importer.specs import ENTITIES
from civic.importer.templates import _existing_keys


def test_only_the_candidates_already_in_the_table_are_found(con):
    present = [tuple(r) for r in con.execute(
        "SELECT activity_date, site_id, title FROM activities ORDER BY activity_id LIMIT 3").fetchall()]
    made_up = [(date(2026, 1, 5), present[0][1], "从未有过的活动"), (present[1][0], "S-000000000000", present[1][2])]
    assert _existing_keys(con, ENTITIES["activities"], present + made_up + present[:1]) == set(present)
    assert _existing_keys(con, ENTITIES["activities"], []) == set()


def test_names_and_keys_with_an_empty_part(con):
    team = con.execute("SELECT name FROM teams ORDER BY team_id LIMIT 1").fetchone()[0]
    assert _existing_keys(con, ENTITIES["teams"], [(team,), ("没有这支队伍",)]) == {(team,)}
    # a meeting without a compound (联席会议, 政策宣传): NULL matches NULL in the key
    m = con.execute("SELECT meeting_date, meeting_type, community_code, compound_id, topic FROM meetings "
                    "WHERE compound_id IS NULL LIMIT 1").fetchone()
    assert m is not None
    assert _existing_keys(con, ENTITIES["meetings"], [tuple(m), (*m[:4], "另一个主题")]) == {tuple(m)}


def test_samples_are_new_and_repeatable(data_dir, con):
    rows = api.sample_rows("activities", 10, seed=5)
    assert rows == api.sample_rows("activities", 10, seed=5)
    ids = {(r["activity_date"], r["title"]) for r in rows}
    assert len(ids) == 10
    same_titles = con.execute("SELECT activity_date, title FROM activities WHERE title IN (SELECT unnest($t))",
                              {"t": [t for _, t in ids]}).fetchall()
    assert not ids & {tuple(r) for r in same_titles}


def test_the_confirm_click_reuses_the_uploads_check_of_the_same_bytes_and_snapshot(private_data_dir, monkeypatch):
    from tests.importer.test_ingest import to_csv
    data = to_csv("activities", api.sample_rows("activities", 3, seed=2201))
    assert api.check(data, "a.csv", audit=False).ok

    def broken(*a, **k):
        raise AssertionError("validated twice")
    monkeypatch.setattr(api, "parse", broken)
    rep = api.commit(data, "a.csv", user="pytest")
    assert rep.committed and rep.added == 3
    # a new version was published: the same bytes are validated again (and the broken parse shows it)
    with pytest.raises(api.ImportRejected) as exc:
        api.commit(data, "a.csv", user="pytest")
    assert exc.value.report.problems[0].code == "unreadable"
