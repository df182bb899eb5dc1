"""Crash safety and concurrency of imports.

kill -9: an importer subprocess is parked at named points of an import (CIVIC_TEST_STALL) and at random
moments, then killed with SIGKILL. The published data must be intact (same version and counts, or the
complete new version), the database must open and reconcile, and the next import must work.
Concurrency: 10 threads run the queries layer without pause while imports publish new versions.
"""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from civic.importer import api
from civic.store import db, queries, snapshots, status

ROOT = Path(__file__).resolve().parents[2]


def _state() -> tuple[str, dict]:
    return snapshots.current().version, status.collect()["counts"]


def _fact_check_ok() -> int:
    con = db.connect_read(snapshots.current().path)
    try:
        return con.execute("SELECT count(*) FILTER (WHERE ok) FROM v_fact_check").fetchone()[0]
    finally:
        con.close()


def _start(data_dir: Path, file: Path, stall: str | None = None) -> tuple[subprocess.Popen, queue.Queue]:
    env = {**os.environ, "CIVIC_DATA_DIR": str(data_dir)}
    env.pop("CIVIC_TEST_STALL", None)
    if stall:
        env["CIVIC_TEST_STALL"] = stall
    proc = subprocess.Popen([sys.executable, "-m", "civic", "import", str(file), "--user", "kill-test"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    lines: queue.Queue = queue.Queue()

    def pump():
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)
    threading.Thread(target=pump, daemon=True).start()
    return proc, lines


def _wait_for(lines: queue.Queue, marker: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if marker in line:
            return
    raise AssertionError(f"importer never reached {marker!r}; stderr: {''.join(seen)}")


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def _sample_file(tmp_path: Path, entity: str, n: int, seed: int) -> Path:
    f = tmp_path / f"{entity}-{seed}.csv"
    f.write_bytes(api.sample_bytes(entity, n, seed=seed, fmt="csv"))
    return f


@pytest.mark.parametrize("entity,stage", [("activities", "validated"), ("activities", "copied"),
                                          ("activities", "written"), ("activities", "closed"),
                                          ("sites", "written"), ("sites", "closed")])
def test_kill_9_at_each_stage_leaves_published_data_intact(private_data_dir, tmp_path, entity, stage):
    v0, c0 = _state()
    ok0 = _fact_check_ok()
    f = _sample_file(tmp_path, entity, 40 if entity == "activities" else 3, seed=301)
    proc, lines = _start(private_data_dir, f, stall=stage)
    _wait_for(lines, f"STALL {stage}")
    _kill(proc)
    assert _state() == (v0, c0)
    assert _fact_check_ok() == ok0
    db.close_all()
    _, cur = db.reader()
    assert cur.execute("SELECT count(*) FROM v_activities").fetchone()[0] == c0["activities"]
    # the OS released the writer lock; the next import sweeps the leftovers and works
    rep = api.commit(f.read_bytes(), f.name, user="after-kill")
    assert rep.added == (40 if entity == "activities" else 3)
    assert _state()[1][entity] == c0[entity] + rep.added
    assert list((private_data_dir / "snapshots" / "tmp").iterdir()) == []


def test_kill_9_at_random_moments(private_data_dir, tmp_path):
    """Whatever the moment, the published data is either the old version or the complete new one."""
    delays = [0.2, 0.5, 0.8, 1.1, 1.4, 1.7, 2.0, 2.4]
    for i, delay in enumerate(delays):
        v0, c0 = _state()
        f = _sample_file(tmp_path, "activities", 150, seed=400 + i)
        proc, _ = _start(private_data_dir, f)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        finished = proc.poll() is not None
        if not finished:
            _kill(proc)
        v1, c1 = _state()
        if v1 == v0:
            assert c1 == c0
        else:
            assert c1["activities"] == c0["activities"] + 150 and {k: v for k, v in c1.items() if k != "activities"} == \
                {k: v for k, v in c0.items() if k != "activities"}
        _, cur = db.reader()
        assert cur.execute("SELECT count(*) FROM activities").fetchone()[0] == c1["activities"]
        # the next import works and never double-counts
        rep = api.commit(f.read_bytes(), f.name, user="after-kill")
        assert _state()[1]["activities"] == c0["activities"] + 150
        assert rep.added in (0, 150)


def _params() -> dict:
    today = date(2026, 11, 26)
    return {"towns": [], "date_from": date(2026, 1, 1), "date_to": today, "prev_from": date(2025, 1, 1),
            "prev_to": date(2025, 11, 26), "county": "all", "as_of": today, "section": "all"}


QUERIES = ["overview_practice_kpis", "overview_activity_trend",
           "overview_works", "overview_governance", "published_facts", "towns", "meta"]


def test_ten_sessions_keep_working_while_imports_publish(private_data_dir, tmp_path):
    files = [_sample_file(tmp_path, "activities", 60, seed=500 + i) for i in range(3)]
    stop = threading.Event()
    errors: list[str] = []
    seen: list[set] = [set() for _ in range(10)]
    runs = [0] * 10
    params = _params()
    names = [n for n in QUERIES if n in queries.names()]

    def session(k: int) -> None:
        i = 0
        while not stop.is_set():
            name = names[(k + i) % len(names)]
            i += 1
            try:
                if i % 3 == 0:
                    df = queries.run(name, **params)            # cached by version
                else:
                    df = queries.execute(name, **params)        # straight to DuckDB
                assert df is not None
                seen[k].add(db.data_version())
                runs[k] += 1
            except Exception as exc:  # noqa: BLE001 - every error counts
                errors.append(f"session {k} {name}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=session, args=(k,), daemon=True) for k in range(10)]
    for th in threads:
        th.start()
    try:
        v0 = snapshots.current().version
        env = {**os.environ, "CIVIC_DATA_DIR": str(private_data_dir)}
        for f in files:
            r = subprocess.run([sys.executable, "-m", "civic", "import", str(f), "--user", "concurrency"], cwd=ROOT,
                               env=env, capture_output=True, text=True, timeout=180)
            assert r.returncode == 0, r.stderr
        # keep reading a little after the last publication so every session sees it
        deadline = time.monotonic() + 30
        final = snapshots.current().version
        while time.monotonic() < deadline and not all(final in s for s in seen):
            time.sleep(0.05)
    finally:
        stop.set()
        for th in threads:
            th.join(30)
    assert errors == []
    assert final != v0
    assert all(r > 10 for r in runs), runs
    assert all(final in s and len(s) >= 2 for s in seen), seen
