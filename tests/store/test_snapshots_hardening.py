"""Snapshots under faults and for personal data: retention (CIVIC_KEEP_SNAPSHOTS validated), a writer killed
inside the publish window (before or just after the pointer switch), purge of a superseded version (never the
current one, never while a reader holds it, audited), and the `python -m civic purge` command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from civic import cli
from civic.store import db, queries, snapshots, status
from tests.conftest import ROOT


def _publish_change(sql: str, audit: dict | None = None) -> str:
    with snapshots.transaction("test change", audit=audit) as work:
        c = db.connect_write(work)
        c.execute(sql)
        c.execute("CHECKPOINT")
        c.close()
    return snapshots.current().version


def _files(d):
    return sorted(p.name for p in (d / "snapshots").glob("v*.duckdb"))


# ── retention ────────────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("raw, keep, warned", [
    (None, 5, False), ("3", 3, False), ("2", 2, False), ("12", 12, False),
    ("0", 2, True), ("1", 2, True), ("-4", 2, True), ("abc", 5, True), ("2.5", 5, True)])
def test_keep_snapshots_is_validated(monkeypatch, raw, keep, warned):
    if raw is None:
        monkeypatch.delenv("CIVIC_KEEP_SNAPSHOTS", raising=False)
    else:
        monkeypatch.setenv("CIVIC_KEEP_SNAPSHOTS", raw)
    n, warning = snapshots.retention()
    assert n == keep and bool(warning) is warned
    if warned:
        assert "CIVIC_KEEP_SNAPSHOTS" in warning


def test_keep_zero_still_prunes_and_keeps_one_to_roll_back_to(private_data_dir, monkeypatch, capsys):
    monkeypatch.setenv("CIVIC_KEEP_SNAPSHOTS", "0")
    for i in range(4):
        _publish_change(f"UPDATE meta SET value = 'k{i}' WHERE key = 'seed'")
    assert len(_files(private_data_dir)) == 2, "0 must not switch pruning off"
    assert "CIVIC_KEEP_SNAPSHOTS=0" in capsys.readouterr().err
    info = status.collect()
    assert info["keep"] == 2 and "CIVIC_KEEP_SNAPSHOTS=0" in info["keep_warning"]
    assert "CIVIC_KEEP_SNAPSHOTS=0" in status.render_text(info)
    snapshots.rollback()     # the one kept besides the current


def test_keep_three(private_data_dir, monkeypatch):
    monkeypatch.setenv("CIVIC_KEEP_SNAPSHOTS", "3")
    for i in range(5):
        _publish_change(f"UPDATE meta SET value = 'k{i}' WHERE key = 'seed'")
    assert len(_files(private_data_dir)) == 3
    assert _files(private_data_dir)[-1] == f"{snapshots.current().version}.duckdb"


# ── a writer killed inside the publish window ────────────────────────────────────────────────────────────
KILLER = """
import os, sys
from civic.store import db, snapshots
when = sys.argv[1]
real_write_pointer, real_append = snapshots._write_pointer, snapshots.append_audit
def write_pointer(snap):
    if when == "before_pointer":
        os._exit(9)
    real_write_pointer(snap)
    if when == "after_pointer":
        os._exit(9)
snapshots._write_pointer = write_pointer
with snapshots.transaction("killed import", audit={"action": "import", "entity": "activities",
                                                    "user": "someone", "rows_added": 1}) as work:
    c = db.connect_write(work)
    c.execute("UPDATE meta SET value = 'killed' WHERE key = 'seed'")
    c.execute("CHECKPOINT")
    c.close()
"""


def _killed_writer(data_dir, when: str) -> None:
    env = {**os.environ, "CIVIC_DATA_DIR": str(data_dir)}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(KILLER), when], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr


def test_killed_before_the_pointer_switch_nothing_is_listed_and_the_orphan_is_swept(private_data_dir):
    v0 = snapshots.current().version
    listed = [s.version for s in snapshots.list_snapshots()]
    log = (private_data_dir / "audit.jsonl").read_text(encoding="utf-8")
    _killed_writer(private_data_dir, "before_pointer")
    orphan = f"v{int(v0[1:]) + 1:06d}"
    assert (private_data_dir / "snapshots" / f"{orphan}.duckdb").exists(), "the kill left the file behind"
    assert snapshots.current().version == v0
    # not offered anywhere: versions list, status, rollback
    assert [s.version for s in snapshots.list_snapshots()] == listed
    info = status.collect()        # settles it: never published, so removed
    assert orphan not in [s["version"] for s in info["snapshots"]]
    assert any(orphan in r and "removed" in r for r in info["recovered"])
    with pytest.raises(ValueError):
        snapshots.rollback(orphan)
    assert not (private_data_dir / "snapshots" / f"{orphan}.duckdb").exists()
    assert not (private_data_dir / "snapshots" / f"{orphan}.json").exists()
    assert (private_data_dir / "audit.jsonl").read_text(encoding="utf-8") == log, "no audit line for it"


def test_killed_just_after_the_pointer_switch_the_audit_line_is_recovered(private_data_dir):
    v0 = snapshots.current().version
    _killed_writer(private_data_dir, "after_pointer")
    v1 = snapshots.current().version
    assert v1 != v0, "the pointer switched: the version is published"
    assert snapshots.read_audit(1)[0].get("version") != v1, "the kill came before the audit line"
    assert v1 in [s.version for s in snapshots.list_snapshots()]
    # the next writer (here: a no-op transaction) writes the missing line from the sidecar
    with snapshots.transaction("next"):
        raise snapshots.NoChange()
    lines = [e for e in snapshots.read_audit(5) if e.get("version") == v1 and e.get("action") == "import"]
    assert len(lines) == 1
    assert lines[0]["recovered"] is True and lines[0]["user"] == "someone" and lines[0]["note"] == "killed import"
    side = json.loads((private_data_dir / "snapshots" / f"{v1}.json").read_text(encoding="utf-8"))
    assert "state" not in side and "audit" not in side
    # recovering again adds nothing
    assert snapshots.recover() == []
    assert len([e for e in snapshots.read_audit(10) if e.get("version") == v1 and e.get("action") == "import"]) == 1


def test_a_normal_publish_leaves_a_final_sidecar_and_one_audit_line(private_data_dir):
    v1 = _publish_change("UPDATE meta SET value = 'n' WHERE key = 'seed'", audit={"action": "import"})
    side = json.loads((private_data_dir / "snapshots" / f"{v1}.json").read_text(encoding="utf-8"))
    assert set(side) == {"published_at", "note"}
    assert [e["version"] for e in snapshots.read_audit(1)] == [v1]


# ── purge ────────────────────────────────────────────────────────────────────────────────────────────────
def _bad_import_then_rollback(d) -> tuple[str, str]:
    good = snapshots.current().version
    bad = _publish_change("UPDATE meta SET value = '身份证 110101199003071234' WHERE key = 'seed'")
    snapshots.rollback(good, user="tester")
    return good, bad


def test_purge_deletes_a_superseded_version_and_is_audited(private_data_dir):
    good, bad = _bad_import_then_rollback(private_data_dir)
    db.close_all()
    gone = snapshots.purge(bad, user="张三 (127.0.0.1)")
    assert gone.version == bad
    assert f"{bad}.duckdb" not in _files(private_data_dir)
    assert not (private_data_dir / "snapshots" / f"{bad}.json").exists()
    assert bad not in [s.version for s in snapshots.list_snapshots()]
    entry = snapshots.read_audit(1)[0]
    assert entry["action"] == "purge" and entry["version"] == bad and entry["user"] == "张三 (127.0.0.1)"
    assert entry["current_version"] == snapshots.current().version
    with pytest.raises(ValueError):
        snapshots.rollback(bad)


def test_purge_never_touches_the_current_version(private_data_dir):
    cur = snapshots.current().version
    with pytest.raises(ValueError, match="当前版本"):
        snapshots.purge(cur)
    with pytest.raises(ValueError):
        snapshots.purge("v999999")
    with pytest.raises(ValueError):
        snapshots.purge("../current")
    assert f"{cur}.duckdb" in _files(private_data_dir)


def test_purge_waits_for_a_run_pinned_to_the_version_in_this_process(private_data_dir):
    good = snapshots.current().version
    with db.pinned():
        assert queries.run("meta_as_of") is not None      # this run reads `good`
        bad = _publish_change("UPDATE meta SET value = 'x' WHERE key = 'seed'")
        snapshots.rollback(good)
        with pytest.raises(snapshots.InUse):
            snapshots.purge(good)
    # not pinned anymore: this process lets go of its connection and the purge goes ahead
    snapshots.purge(good)
    assert f"{good}.duckdb" not in _files(private_data_dir)
    assert bad in [s.version for s in snapshots.list_snapshots()]


HOLDER = """
import sys, time, duckdb
c = duckdb.connect(sys.argv[1], read_only=True)
c.execute("SELECT count(*) FROM meta").fetchone()
print("open", flush=True)
sys.stdin.readline()
"""


def test_purge_refuses_while_another_process_reads_the_file(private_data_dir):
    good, bad = _bad_import_then_rollback(private_data_dir)
    path = private_data_dir / "snapshots" / f"{bad}.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(snapshots.InUse):
            snapshots.purge(bad)
        assert path.exists()
        assert cli.main(["purge", bad]) == 3
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    assert cli.main(["purge", bad]) == 0
    assert not path.exists()


def test_purge_command_line(private_data_dir, capsys):
    cur = snapshots.current().version
    assert cli.main(["purge", cur]) == 2
    assert "当前版本" in capsys.readouterr().err
    good, bad = _bad_import_then_rollback(private_data_dir)
    db.close_all()
    assert cli.main(["purge", bad]) == 0
    assert f"已永久删除 purged {bad}" in capsys.readouterr().out
    assert snapshots.read_audit(1)[0]["action"] == "purge"
