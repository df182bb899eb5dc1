"""One script run reads one snapshot: a version published in the middle of a page's run (here, right after
its first query) is not seen by the rest of that run; the next run reads it. Before db.pinned(), each query
re-read the pointer and 9 of 40 renders mixed two versions under a publishing load."""
from __future__ import annotations

from civic.store import db, queries, snapshots


def _publish(note: str) -> str:
    with snapshots.transaction(note) as work:
        c = db.connect_write(work)
        c.execute("UPDATE meta SET value = $v WHERE key = 'seed'", {"v": note})
        c.execute("CHECKPOINT")
        c.close()
    return snapshots.current().version


def test_a_page_run_reads_one_version_when_a_new_one_is_published_mid_run(private_data_dir, monkeypatch):
    from tests.conftest import app_test
    real_run = queries.run
    seen: list[str] = []
    published: list[str] = []

    def run(name, **params):
        df = real_run(name, **params)
        seen.append(db.snapshot().version)
        if not published:
            published.append(_publish("mid-run"))
        return df

    monkeypatch.setattr(queries, "run", run)
    v0 = snapshots.current().version
    at = app_test().run()
    assert not at.exception
    assert published and snapshots.current().version == published[0] != v0
    assert len(seen) > 5 and set(seen) == {v0}, "every query of the run read the version current at its start"
    assert any(f"数据版本 {v0}" in c.value for c in at.caption), "the caption names the version shown"

    seen.clear()
    at.run()
    assert set(seen) == {published[0]}, "the next run reads the new version"
    assert not db._pins, "pins are released when a run ends"
