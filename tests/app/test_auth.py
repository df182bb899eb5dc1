"""civic/app/auth.py: admin sign-in limits (per session back-off and lock, a server-wide spaced queue), the optional
viewer login through a proxy header (on and off, public pages stay public), and the upload guard."""
from __future__ import annotations

import hashlib
import time

import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from civic.app import auth
from civic.store import snapshots

PASSWORD = "正确的密码-42"
DIGEST = hashlib.sha256(PASSWORD.encode()).hexdigest()


class Clock:
    """A fake clock; sleep() advances it and records the waits."""

    def __init__(self, start: float = 1_000_000.0):
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s


@pytest.fixture()
def clock(private_data_dir, monkeypatch):
    c = Clock(time.time())
    monkeypatch.setenv("CIVIC_ADMIN_MAX_FAILURES", "5")
    monkeypatch.setenv("CIVIC_ADMIN_BACKOFF_SECONDS", "1")
    monkeypatch.setenv("CIVIC_ADMIN_GLOBAL_SPACING_SECONDS", "2")
    monkeypatch.setenv("CIVIC_ADMIN_LOCK_SECONDS", "900")
    return c


def _try(session: dict, pw: str, c: Clock) -> auth.Attempt:
    return auth.check_password(pw, DIGEST, session, clock=c, sleep=c.sleep)


def test_back_off_grows_then_the_session_locks(clock):
    s: dict = {}
    res = _try(s, "x", clock)
    assert (res.reason, res.left, res.wait_s) == ("wrong", 4, 1)
    assert _try(s, PASSWORD, clock).reason == "backoff", "even the right password waits out the back-off"
    waits = []
    for _ in range(3):
        clock.now = s["_auth_retry_at"]
        res = _try(s, "x", clock)
        waits.append(res.wait_s)
    assert waits == [2, 4, 8]
    clock.now = s["_auth_retry_at"]
    res = _try(s, "x", clock)
    assert res.reason == "locked" and res.wait_s == 900
    clock.now += 899
    assert _try(s, PASSWORD, clock).reason == "locked"
    entry = snapshots.read_audit(1)[0]
    assert entry["action"] == "admin_lockout" and "local" in entry["user"]
    clock.now += 60 + 2 * auth.THROTTLE_AFTER_S
    assert _try(s, PASSWORD, clock).ok, "the session's lock expires"


def test_guesses_in_one_session_never_lock_out_another(clock):
    attacker: dict = {}
    for _ in range(5):
        clock.now = max(clock.now, attacker.get("_auth_retry_at", 0))
        _try(attacker, "guess", clock)
    assert _try(attacker, PASSWORD, clock).reason == "locked"
    admin: dict = {}
    res = _try(admin, PASSWORD, clock)
    assert res.ok, "the right password from another browser gets through"
    assert sum(clock.slept) <= 2 * 5, "after a short wait in the server-wide queue at most"


def test_many_fresh_sessions_are_rate_limited_server_wide(clock):
    """An attacker who opens a new tab per guess escapes the per-session back-off, not the global spacing."""
    for _ in range(10):
        assert _try({}, "guess", clock).reason == "wrong"
    # after the first failure every check took its turn 2 s apart: ≤ 1 guess per 2 s server-wide
    assert clock.slept and all(w == pytest.approx(2) for w in clock.slept)
    assert sum(clock.slept) >= 2 * 9


def test_a_long_queue_answers_busy_instead_of_waiting(clock, monkeypatch):
    _try({}, "guess", clock)
    with auth._global_state(clock.now) as g:        # as if many tabs were queued ahead
        g["next_slot"] = clock.now + auth.MAX_WAIT_S + 10
    res = _try({}, PASSWORD, clock)
    assert res.reason == "busy" and res.wait_s == pytest.approx(10)
    clock.now += 60 + auth.THROTTLE_AFTER_S   # the queue drained, no failure in the last minute
    before = len(clock.slept)
    assert _try({}, PASSWORD, clock).ok and len(clock.slept) == before


def test_no_failures_no_waiting(clock):
    assert _try({}, PASSWORD, clock).ok
    assert clock.slept == []


def test_a_burst_of_failures_is_audited_once(clock, monkeypatch):
    monkeypatch.setenv("CIVIC_ADMIN_GLOBAL_MAX_FAILURES", "4")
    for _ in range(8):
        _try({}, "guess", clock)
    attacks = [e for e in snapshots.read_audit(50) if e.get("action") == "admin_attack"]
    assert len(attacks) == 1


def test_sign_in_names_the_admin_in_the_audit(private_data_dir):
    s: dict = {}
    who = auth.sign_in(s, " 王会计\n")
    assert who.startswith("王会计 (") and "local" in who
    assert auth.admin_who(s) == who
    entry = snapshots.read_audit(1)[0]
    assert (entry["action"], entry["user"]) == ("admin_sign_in", who)
    auth.sign_out(s)
    assert auth.admin_who(s) is None


def test_the_viewer_header_names_the_admin_when_no_name_is_given(private_data_dir, monkeypatch):
    monkeypatch.setenv("CIVIC_VIEWER_AUTH_HEADER", "X-Forwarded-User")
    monkeypatch.setattr(auth, "request_headers", lambda: {"x-forwarded-user": "zhangsan"})
    who = auth.sign_in({}, "")
    assert who.startswith("zhangsan (zhangsan, local")


# ── optional viewer login ────────────────────────────────────────────────────────────────────────────────
def test_viewer_login_is_off_by_default(make_app, monkeypatch):
    monkeypatch.delenv("CIVIC_VIEWER_AUTH_HEADER", raising=False)
    at = make_app().run()
    assert not at.exception
    assert not [e for e in at.error if "内部查看" in e.value]
    assert len(at.metric) > 0


def test_with_viewer_login_on_a_request_without_the_header_sees_nothing(make_app, monkeypatch):
    monkeypatch.setenv("CIVIC_VIEWER_AUTH_HEADER", "X-Forwarded-User")
    for page in (None, "pages/volunteer.py", "pages/admin.py"):
        at = make_app(page).run()
        assert not at.exception
        assert any("内部查看" in e.value for e in at.error)
        assert len(at.metric) == 0 and len(at.dataframe) == 0 and len(at.text_input) == 0
        assert len(at.sidebar.get("page_link")) == 0


def test_the_refusal_follows_lang_en(make_app, monkeypatch):
    monkeypatch.setenv("CIVIC_VIEWER_AUTH_HEADER", "X-Forwarded-User")
    at = make_app(query={"lang": "en"}).run()
    assert any("internal" in e.value for e in at.error) and at.title[0].value == "Sign-in required"


def test_with_viewer_login_on_the_proxys_user_gets_in(make_app, monkeypatch):
    monkeypatch.setenv("CIVIC_VIEWER_AUTH_HEADER", "X-Forwarded-User")
    monkeypatch.setattr(auth, "request_headers", lambda: {"X-Forwarded-User": "李主任"})
    at = make_app().run()
    assert not at.exception
    assert not [e for e in at.error if "内部查看" in e.value]
    assert len(at.metric) > 0


def test_the_exhibition_screen_stays_public(make_app, monkeypatch):
    monkeypatch.setenv("CIVIC_VIEWER_AUTH_HEADER", "X-Forwarded-User")
    at = make_app("pages/screen.py").run()
    assert not at.exception
    assert not [e for e in at.error if "内部查看" in e.value]


def test_an_empty_header_value_is_not_a_user(monkeypatch):
    monkeypatch.setenv("CIVIC_VIEWER_AUTH_HEADER", "X-Forwarded-User")
    monkeypatch.setattr(auth, "request_headers", lambda: {"X-Forwarded-User": "  "})
    assert auth.viewer() is None


# ── upload guard ─────────────────────────────────────────────────────────────────────────────────────────
def _rec(i: int, size: int = 1000) -> UploadedFileRec:
    return UploadedFileRec(file_id=f"f{i}", name=f"{i}.csv", type="text/csv", data=b"x" * size)


def test_uploads_from_a_session_not_signed_in_are_refused(monkeypatch):
    from starlette.exceptions import HTTPException
    mgr = MemoryUploadedFileManager("/_stcore/upload_file")
    auth.guard(mgr)
    auth.guard(mgr)    # idempotent
    with pytest.raises(HTTPException) as exc:
        mgr.add_file("viewer-session", _rec(1))
    assert exc.value.status_code == 403
    assert mgr.file_storage.get("viewer-session", {}) == {}


def test_an_admin_session_holds_at_most_two_files(monkeypatch):
    mgr = MemoryUploadedFileManager("/_stcore/upload_file")
    auth.guard(mgr)
    monkeypatch.setattr(auth, "session_id", lambda: "admin-session")
    auth.grant_uploads()
    try:
        for i in range(6):
            mgr.add_file("admin-session", _rec(i))
        assert list(mgr.file_storage["admin-session"]) == ["f4", "f5"]
        mgr.add_file("admin-session", _rec(5, 10))      # the same id again replaces, evicts nothing more
        assert list(mgr.file_storage["admin-session"]) == ["f4", "f5"]
        assert mgr.get_stats()["cache_memory_bytes"][0].byte_length == 1010
    finally:
        auth.revoke_uploads()
    assert not auth.uploads_allowed("admin-session")
