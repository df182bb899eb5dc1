"""数据管理 (pages/admin.py) in AppTest: nothing without the password; wrong guesses lock only their own session
(civic/app/auth.py; more in tests/app/test_auth.py); the audit names the admin; then the real flow: upload → problems or
preview → confirm → new version, audit log, rollback, purge."""
from __future__ import annotations

import json

import pytest

from civic.importer import api
from civic.store import snapshots, status
from tests.conftest import app_test
from tests.importer.make_bad_files import OUT

PASSWORD = "正确的密码-42"


@pytest.fixture()
def admin(private_data_dir, monkeypatch):
    for k in ("CIVIC_ADMIN_PASSWORD", "CIVIC_ADMIN_PASSWORD_SHA256"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("CIVIC_ADMIN_MAX_FAILURES", "3")
    # no waiting in tests: the back-off and the server-wide spacing are covered with a fake clock in test_auth.py
    monkeypatch.setenv("CIVIC_ADMIN_BACKOFF_SECONDS", "0")
    monkeypatch.setenv("CIVIC_ADMIN_GLOBAL_SPACING_SECONDS", "0")

    def make():
        return app_test("pages/admin.py", timeout=120)
    return make


def _auth_state(data_dir) -> dict:
    p = data_dir / "admin_auth.json"
    return json.loads(p.read_text()) if p.exists() else {}


def _sign_in(at, password: str, name: str = "王会计"):
    at.text_input(key="admin_name").input(name)
    at.text_input(key="admin_pw").input(password)
    at.button(key="FormSubmitter:admin_login-登录").click()
    return at.run()


def test_without_a_configured_password_nothing_is_shown(admin):
    at = admin().run()
    assert not at.exception
    assert any("未启用" in i.value for i in at.info)
    assert len(at.text_input) == 0 and len(at.tabs) == 0
    assert len(at.get("file_uploader")) == 0 and len(at.get("download_button")) == 0


def test_with_a_password_only_the_sign_in_form_is_shown(admin, monkeypatch):
    monkeypatch.setenv("CIVIC_ADMIN_PASSWORD", PASSWORD)
    at = admin().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["您的姓名", "管理密码"]
    assert len(at.tabs) == 0 and len(at.get("file_uploader")) == 0 and len(at.dataframe) == 0


def test_wrong_guesses_lock_their_own_session_not_the_admin_in_another(admin, monkeypatch, private_data_dir):
    monkeypatch.setenv("CIVIC_ADMIN_PASSWORD", PASSWORD)
    at = admin().run()
    _sign_in(at, "guess-1")
    assert "剩余尝试次数：2" in at.error[0].value
    _sign_in(at, "guess-2")
    _sign_in(at, "guess-3")
    assert "已锁定" in at.error[0].value
    assert len(at.tabs) == 0
    # while locked, even the right password is refused in this session, and nothing else is shown
    _sign_in(at, PASSWORD)
    assert "已锁定" in at.error[0].value and len(at.tabs) == 0
    assert snapshots.read_audit(1)[0]["action"] == "admin_lockout"
    # every failure is counted server-wide (for the rate limit), not per address
    assert len(_auth_state(private_data_dir)["failures"]) == 3
    # the real admin, in another browser behind the same proxy address, signs in at once
    at2 = _sign_in(admin().run(), PASSWORD, name="李主任")
    assert not at2.exception and len(at2.tabs) == 5
    assert "李主任" in next(c.value for c in at2.caption if "已登录" in c.value)


def test_a_name_is_required_and_goes_into_the_audit(admin, monkeypatch):
    monkeypatch.setenv("CIVIC_ADMIN_PASSWORD", PASSWORD)
    at = _sign_in(admin().run(), PASSWORD, name="  ")
    assert "请填写您的姓名" in at.error[0].value and len(at.tabs) == 0
    at = _sign_in(at, PASSWORD, name="王会计")
    assert len(at.tabs) == 5
    entry = snapshots.read_audit(1)[0]
    assert entry["action"] == "admin_sign_in" and entry["user"].startswith("王会计 (")
    assert "admin@local" not in entry["user"]


def test_password_as_sha256_digest(admin, monkeypatch):
    import hashlib
    monkeypatch.setenv("CIVIC_ADMIN_PASSWORD_SHA256", hashlib.sha256(PASSWORD.encode()).hexdigest())
    at = _sign_in(admin().run(), PASSWORD)
    assert not at.exception and len(at.tabs) == 5


def test_upload_preview_confirm_audit_and_rollback(admin, monkeypatch):
    monkeypatch.setenv("CIVIC_ADMIN_PASSWORD", PASSWORD)
    at = _sign_in(admin().run(), PASSWORD)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["导入数据", "模板下载", "操作日志", "数据版本", "运行状态"]
    assert len(at.get("download_button")) >= len(api.ENTITIES)

    # a bad file: the row-level problems table, nothing written
    v0 = snapshots.current().version
    at.get("file_uploader")[0].upload("bad.csv", (OUT / "many_problems.csv").read_bytes(), "text/csv").run()
    assert not at.exception
    assert any("未导入任何数据" in e.value for e in at.error)
    problems = at.dataframe[0].value
    assert list(problems.columns[:4]) == ["行", "列", "值", "原因"]
    assert "找不到\"西观村\"，是否为\"西关村\"？" in set(problems["原因"])
    assert not [b for b in at.button if b.key == "admin_confirm"]
    assert snapshots.current().version == v0

    # a good file: preview and counts, then confirm
    before = status.collect()["counts"]["activities"]
    data = api.sample_bytes("activities", 4, seed=77)
    at.get("file_uploader")[0].upload("good.xlsx", data, api.XLSX_MIME).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["将新增"] == "4" and metrics["将更新"] == "0"
    # every tile says what it counts (issue 15): the import's for this upload, the status tab's too
    tips = {m.label: m.proto.help for m in at.metric}
    assert all("本次上传的文件" in tips[k] for k in ("数据行", "将新增", "将更新", "不变")), tips
    assert all(tips.values()), tips
    assert snapshots.current().version == v0, "the dry run writes nothing"
    at.button(key="admin_confirm").click().run()
    assert not at.exception
    v1 = snapshots.current().version
    assert v1 != v0
    assert status.collect()["counts"]["activities"] == before + 4
    assert any(f"数据版本 {v1}" in s.value for s in at.success)
    audit = snapshots.read_audit(1)[0]
    assert audit["user"].startswith("王会计 (") and audit["file_name"] == "good.xlsx" and audit["rows_added"] == 4
    log = next(df.value for df in at.dataframe if "文件指纹" in df.value.columns)
    assert "good.xlsx" in set(log["文件"])

    # rollback from the versions tab
    at.selectbox(key="admin_rb_target").select(v0)
    at.checkbox(key="admin_rb_sure").check()
    at.run()
    at.button(key="admin_rb_go").click().run()
    assert not at.exception
    assert status.collect()["counts"]["activities"] == before
    assert snapshots.read_audit(1)[0]["action"] == "rollback"
    assert snapshots.read_audit(1)[0]["user"].startswith("王会计 (")

    # purge the rolled-back import's version from the same tab
    at.selectbox(key="admin_purge_target").select(v1)
    at.checkbox(key="admin_purge_sure").check()
    at.run()
    at.button(key="admin_purge_go").click().run()
    assert not at.exception
    assert any(f"已永久删除版本 {v1}" in s.value for s in at.success)
    assert v1 not in [s.version for s in snapshots.list_snapshots()]
    assert v1 not in at.selectbox(key="admin_rb_target").options
    entry = snapshots.read_audit(1)[0]
    assert entry["action"] == "purge" and entry["version"] == v1 and entry["user"].startswith("王会计 (")


# ── issue #20: personal data, one upload limit, every attempt in the log ─────────────────────────
PII_CSV = ("活动日期,乡镇,所属村,实践站点,活动名称,服务类别,参与人数,志愿者人数,受益人数,服务时长（小时）\n"
           "2025-03-08,古韩镇,西关村,,联系人张三，电话13800138000，身份证110101199003078881,乡风文明,36,8,25,16\n"
           ).encode("utf-8")


def test_personal_data_rejected_then_masked_on_request_and_every_attempt_logged(admin, monkeypatch):
    monkeypatch.setenv("CIVIC_ADMIN_PASSWORD", PASSWORD)
    at = _sign_in(admin().run(), PASSWORD)
    up = at.get("file_uploader")[0]
    assert f"最大 {api.MAX_MB} MB" in up.label
    assert up.proto.max_upload_size_mb == api.MAX_MB       # Streamlit's own "… MB per file" says the same
    v0 = snapshots.current().version
    up.upload("pii.csv", PII_CSV, "text/csv").run()
    assert not at.exception
    problems = at.dataframe[0].value
    row = problems.iloc[0]
    assert (row["行"], row["列"]) == (2, "活动名称") and "含有个人信息（手机号码、身份证号码）" in row["原因"]
    assert "13800138000" not in row["值"] and "138****8000" in row["值"]
    assert not [b for b in at.button if b.key == "admin_confirm"]
    # the rejected dry run is in the log, with its result and number of reasons
    e = snapshots.read_audit(1)[0]
    assert (e["action"], e["result"], e["problems"], e["file_name"]) == ("import_check", "rejected", 1, "pii.csv")
    assert e["user"].startswith("王会计 (")
    log = next(df.value for df in at.dataframe if "文件指纹" in df.value.columns)
    assert "已拒绝" in set(log["结果"]) and "导入预检" in set(log["操作"])
    # masking is a choice, recorded in the audit log
    at.checkbox(key="admin_mask_pii").check().run()
    assert any("已遮盖 1 个单元格中的个人信息" in w.value for w in at.warning)
    at.button(key="admin_confirm").click().run()
    assert not at.exception and snapshots.current().version != v0
    e = snapshots.read_audit(1)[0]
    assert (e["action"], e["result"], e["masked"], e["pii_mode"]) == ("import", "imported", 1, "mask")


def test_an_over_size_upload_is_refused_before_it_is_read(admin, monkeypatch):
    monkeypatch.setenv("CIVIC_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setattr(api, "MAX_BYTES", 100)
    called = []
    monkeypatch.setattr(api, "check", lambda *a, **k: called.append(a))
    at = _sign_in(admin().run(), PASSWORD)
    at.get("file_uploader")[0].upload("big.csv", PII_CSV, "text/csv").run()
    assert not at.exception and not called
    assert any("文件过大" in e.value and "未读取" in e.value for e in at.error)
