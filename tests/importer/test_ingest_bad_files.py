"""The corpus of bad files (tests/importer/bad_files/, written by tests/importer/make_bad_files.py): each is rejected with its
specific row-level message, and nothing changes — same version, same row counts, no snapshot, no work file —
except the audit log, which gains one line per attempt (result "rejected", the number of reasons)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from civic.importer import api
from civic.store import db, queries, snapshots, status

from .make_bad_files import OUT, cases

ROOT = Path(__file__).resolve().parents[2]
CASES = {c[0]: c for c in cases()}


@pytest.fixture(scope="module")
def bad_dir(built_db, tmp_path_factory):
    """One private copy of the default database for the whole module (nothing should ever be written)."""
    dst = tmp_path_factory.mktemp("ingest_bad") / "data"
    shutil.copytree(built_db, dst, ignore=shutil.ignore_patterns("*.lock"))
    old = os.environ.get("CIVIC_DATA_DIR")
    os.environ["CIVIC_DATA_DIR"] = str(dst)
    db.close_all()
    queries.clear_cache()
    yield dst
    db.close_all()
    os.environ["CIVIC_DATA_DIR"] = old or str(built_db)


def _state(data_dir: Path) -> dict:
    return {"version": snapshots.current().version, "counts": status.collect()["counts"],
            "snapshots": sorted(p.name for p in (data_dir / "snapshots").glob("v*.duckdb")),
            "tmp": sorted(p.name for p in (data_dir / "snapshots" / "tmp").iterdir())}


def _audit_lines(data_dir: Path) -> list[dict]:
    return [json.loads(x) for x in (data_dir / "audit.jsonl").read_text(encoding="utf-8").splitlines()]


def test_corpus_is_complete():
    on_disk = {p.name for p in OUT.iterdir()}
    assert len(CASES) >= 30
    assert on_disk == set(CASES), "tests/importer/bad_files is out of date: run python tests/importer/make_bad_files.py"


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_rejected_and_nothing_changes(bad_dir, name):
    _, _, entity, code, text = CASES[name]
    before = _state(bad_dir)
    n_audit = len(_audit_lines(bad_dir))
    with pytest.raises(api.ImportRejected) as exc:
        api.import_path(OUT / name, entity=entity, user="pytest")
    rep = exc.value.report
    texts = [p.text() for p in rep.problems]
    assert code in {p.code for p in rep.problems}, texts
    assert any(text in t for t in texts), texts
    assert code == "unreadable" or not any("文件无法读取" in t for t in texts), "an expected case hit the catch-all"
    assert not any(w in t for t in texts for w in ("Error", "Traceback", "Exception")), texts
    assert not rep.committed and rep.version is None
    assert _state(bad_dir) == before
    # the attempt is in the audit log, rejected, with who, file, hash and the number of reasons
    new = _audit_lines(bad_dir)[n_audit:]
    assert len(new) == 1, new
    assert new[0]["action"] == "import" and new[0]["result"] == "rejected" and new[0]["user"] == "pytest"
    assert new[0]["file_name"] == name and new[0]["problems"] == len(rep.problems) and new[0]["sha256"] == rep.sha256
    assert "13800138000" not in json.dumps(new[0], ensure_ascii=False)
    # a dry run gives the same report
    with pytest.raises(api.ImportRejected) as dry:
        api.import_path(OUT / name, entity=entity, dry_run=True)
    assert [p.text() for p in dry.value.report.problems] == texts
    assert _audit_lines(bad_dir)[-1]["action"] == "import_check"
    # personal data never reaches the report: values are shown masked
    assert not any(p.value and ("13800138000" in p.value or "110101199003078881" in p.value) for p in rep.problems)


def test_every_problem_is_reported_at_once(bad_dir):
    with pytest.raises(api.ImportRejected) as exc:
        api.import_path(OUT / "many_problems.csv")
    probs = exc.value.report.problems
    got = {(p.row, p.column) for p in probs}
    assert {(2, "活动日期"), (2, "所属村"), (2, "活动名称"), (2, "服务类别"), (2, "参与人数"),
            (4, "活动日期"), (4, "乡镇"), (4, "受益人数")} <= got
    assert 3 not in {p.row for p in probs}, "row 3 is valid"
    frame = exc.value.report.problems_frame()
    assert list(frame.columns[:4]) == ["行", "列", "值", "原因"]
    assert len(frame) == len(probs)


def test_file_over_the_size_limit(bad_dir, tmp_path, monkeypatch):
    before = _state(bad_dir)
    big = tmp_path / "big.csv"
    line = "2025-03-08,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16\n"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write("活动日期,乡镇,所属村,实践站点,活动名称,服务类别,参与人数,志愿者人数,受益人数,服务时长（小时）\n")
        fh.write(line * (api.MAX_BYTES // len(line.encode()) + 10))
    assert big.stat().st_size > api.MAX_BYTES
    with pytest.raises(api.ImportRejected) as exc:
        api.import_path(big)
    assert exc.value.report.problems[0].code == "too_big"
    assert "文件过大" in exc.value.report.problems[0].reason
    with pytest.raises(api.ImportRejected) as exc2:     # the upload path (bytes) checks it too
        api.commit(big.read_bytes(), "big.csv")
    assert exc2.value.report.problems[0].code == "too_big"
    assert _state(bad_dir) == before


def test_cli_exits_non_zero_with_the_row_level_report(bad_dir):
    env = {**os.environ, "CIVIC_DATA_DIR": str(bad_dir)}
    before = _state(bad_dir)
    r = subprocess.run([sys.executable, "-m", "civic", "import", str(OUT / "unknown_village.csv")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert '第2行「所属村」：找不到"西观村"，是否为"西关村"？' in r.stderr
    assert "未导入任何数据" in r.stderr
    r = subprocess.run([sys.executable, "-m", "civic", "import", str(OUT / "many_problems.csv"), "--dry-run", "--json"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    import json
    rep = json.loads(r.stdout)
    assert rep["ok"] is False and len(rep["problems"]) >= 8
    assert _state(bad_dir) == before
