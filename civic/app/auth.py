"""Who may see and do what, in one place: the optional viewer login, the admin password, the upload guard.

Viewer login (off by default). A deployment that must keep the dashboards internal puts an authenticating
reverse proxy in front (nginx `auth_request`/basic auth, an SSO gateway …) that sets a header naming the
user, and sets CIVIC_VIEWER_AUTH_HEADER (e.g. `X-Forwarded-User`). Every page but the public ones
(PUBLIC_PAGES: the exhibition screen) then refuses a session whose request lacks that header. The header is
only trustworthy when the app listens on loopback behind that proxy and the proxy overwrites the header
(docs/architecture.md shows an nginx example).

Admin password. CIVIC_ADMIN_PASSWORD (or CIVIC_ADMIN_PASSWORD_SHA256, or secrets admin_password /
admin_password_sha256), compared as SHA-256 digests with hmac.compare_digest. Behind loopback or a local
proxy every client has the same address, so guessing is limited without blaming an address:
- per session (one browser tab): a growing back-off after each wrong password, and a lock of that session
  after MAX_FAILURES; a new tab starts afresh, which the global limit below accounts for;
- server-wide: once anyone has failed in the last THROTTLE_AFTER_S, password checks are queued at least
  GLOBAL_SPACING_S apart (across sessions and processes, data dir admin_auth.json), so guessing from many
  tabs is slow, while the right password from another browser still gets through after a short wait
  instead of a 15-minute lockout. Bursts are audited (admin_lockout, admin_attack).
The admin names themself at sign-in; the audit records that name with the proxy user (if any), the client
address and a short session id.

Upload guard. Streamlit keeps every file PUT to /_stcore/upload_file/<session>/<id> in memory until the
session ends, for any session and any number of file ids, whether or not the page shows an uploader. Only
the admin page has an uploader, so `install_upload_guard()` makes the server refuse (403) uploads from
sessions that are not signed in as admin, and keeps at most SESSION_UPLOAD_FILES files per admin session.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass

from civic import paths
from civic.store import snapshots

PUBLIC_PAGES = frozenset({"screen"})
WINDOW_S = 15 * 60
SESSION_S = 8 * 3600
MAX_WAIT_S = 30.0            # a queued password check waits at most this long, else "busy, try again"
NAME_MAX = 32


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def max_failures() -> int:
    return max(1, int(_env_float("CIVIC_ADMIN_MAX_FAILURES", 5)))


def lock_s() -> float:
    return _env_float("CIVIC_ADMIN_LOCK_SECONDS", 15 * 60)


def backoff_base_s() -> float:
    return _env_float("CIVIC_ADMIN_BACKOFF_SECONDS", 1.0)


def global_spacing_s() -> float:
    return _env_float("CIVIC_ADMIN_GLOBAL_SPACING_SECONDS", 2.0)


def global_alert() -> int:
    return int(_env_float("CIVIC_ADMIN_GLOBAL_MAX_FAILURES", 20))


THROTTLE_AFTER_S = 60.0


# ── request context ──────────────────────────────────────────────────────────────────────────────
def _st():
    import streamlit as st
    return st


def _secret(name: str) -> str | None:
    try:
        v = _st().secrets.get(name)
    except Exception:  # noqa: BLE001 - no secrets.toml at all
        return None
    return str(v) if v else None


def request_headers() -> Mapping[str, str]:
    """The headers of this session's request (the WebSocket handshake); empty without a request."""
    try:
        h = _st().context.headers
        return h if h is not None else {}
    except Exception:  # noqa: BLE001 - no request context (AppTest, bare mode)
        return {}


def client_ip() -> str:
    try:
        ip = _st().context.ip_address
    except Exception:  # noqa: BLE001
        ip = None
    return ip if isinstance(ip, str) and ip else "local"


def session_id() -> str:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
        return ctx.session_id if ctx is not None else ""
    except Exception:  # noqa: BLE001
        return ""


_PRINTABLE = re.compile(r"[^\w@.\-+ ·()\u3400-\u9fff]", re.UNICODE)


def _clean(name: str | None, limit: int = NAME_MAX) -> str:
    """A name fit for the audit log and the page: printable, bounded."""
    return _PRINTABLE.sub("", (name or "").strip())[:limit].strip()


# ── viewer login ─────────────────────────────────────────────────────────────────────────────────
def viewer_header() -> str | None:
    """The header that names an authenticated viewer, or None when viewer login is off (the default)."""
    name = os.environ.get("CIVIC_VIEWER_AUTH_HEADER") or _secret("viewer_auth_header")
    name = (name or "").strip()
    return name or None


def viewer() -> str | None:
    """The viewer's user name as the proxy passed it, or None (login off, or header missing)."""
    header = viewer_header()
    if not header:
        return None
    headers = request_headers()
    value = headers.get(header)
    if value is None:   # Mapping lookups may be case-sensitive outside Streamlit's own header object
        value = next((v for k, v in headers.items() if k.lower() == header.lower()), None)
    return _clean(value, 64) or None


def viewer_gate(page_id: str | None) -> bool:
    """True when this run may show the page. With viewer login on, a non-public page without the proxy's
    user header shows only a refusal (no data, no menu)."""
    if viewer_header() is None or page_id in PUBLIC_PAGES:
        return True
    if viewer():
        return True
    from civic.text.i18n import LANGS, t
    st = _st()
    # the shell has not read the shared parameters yet: honour ?lang=en here
    lang = st.query_params.get("lang") if st.query_params.get("lang") in LANGS else None
    st.title(t("auth.viewer_title", lang=lang))
    st.error(t("auth.viewer_required", lang=lang))
    return False


# ── admin password ───────────────────────────────────────────────────────────────────────────────
def expected_digest() -> str | None:
    """SHA-256 hex digest of the admin password, or None when no password is configured."""
    digest = os.environ.get("CIVIC_ADMIN_PASSWORD_SHA256") or _secret("admin_password_sha256")
    if digest:
        return digest.strip().lower()
    pw = os.environ.get("CIVIC_ADMIN_PASSWORD") or _secret("admin_password")
    return hashlib.sha256(pw.encode("utf-8")).hexdigest() if pw else None


@dataclass(frozen=True)
class Attempt:
    ok: bool
    reason: str          # ok | wrong | backoff | locked | busy
    left: int = 0        # wrong passwords this session may still try before it is locked
    wait_s: float = 0.0  # how long before this session may try again


@contextlib.contextmanager
def _global_state(now: float | None = None):
    """Server-wide counters (all sessions, all processes), read-modify-written under an exclusive lock."""
    path = paths.data_dir() / "admin_auth.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            fh.seek(0)
            try:
                state = json.loads(fh.read() or "{}")
            except json.JSONDecodeError:
                state = {}
            if not isinstance(state.get("failures"), list):   # the older per-address layout
                state = {}
            state.setdefault("failures", [])
            state.setdefault("next_slot", 0.0)
            state.setdefault("alerted_at", 0.0)
            yield state
            at = time.time() if now is None else now
            state["failures"] = [x for x in state["failures"] if at - x < WINDOW_S]
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(state))
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _session_label(session: MutableMapping) -> str:
    parts = [p for p in (viewer(), client_ip()) if p]
    sid = session.get("_auth_sid") or session_id()[:8]
    if sid:
        parts.append(f"会话 {sid}")
    return ", ".join(parts)


def check_password(password: str, digest: str, session: MutableMapping, *,
                   clock: Callable[[], float] = time.time,
                   sleep: Callable[[float], None] = time.sleep) -> Attempt:
    """Check one sign-in attempt of this session (its state lives in `session`, i.e. st.session_state)."""
    now = clock()
    locked_until = session.get("_auth_locked_until", 0.0)
    if locked_until > now:
        return Attempt(False, "locked", 0, locked_until - now)
    retry_at = session.get("_auth_retry_at", 0.0)
    if retry_at > now:
        return Attempt(False, "backoff", max(0, max_failures() - len(session.get("_auth_failures", []))),
                       retry_at - now)
    # the server-wide queue: engaged only while someone has been failing recently
    with _global_state(now) as g:
        if any(now - x < THROTTLE_AFTER_S for x in g["failures"]):
            slot = max(now, float(g["next_slot"]))
            if slot - now > MAX_WAIT_S:
                return Attempt(False, "busy", 0, slot - now - MAX_WAIT_S)
            g["next_slot"] = slot + global_spacing_s()
        else:
            slot = now
    if slot > now:
        sleep(slot - now)
    given = hashlib.sha256(password.encode("utf-8")).hexdigest()
    if hmac.compare_digest(given, digest):
        for k in ("_auth_failures", "_auth_retry_at", "_auth_locked_until"):
            session.pop(k, None)
        return Attempt(True, "ok", max_failures())
    now = clock()
    mine = [x for x in session.get("_auth_failures", []) if now - x < WINDOW_S] + [now]
    session["_auth_failures"] = mine
    left = max(0, max_failures() - len(mine))
    with _global_state(now) as g:
        g["failures"].append(now)
        g["next_slot"] = max(float(g["next_slot"]), now + global_spacing_s())
        recent = [x for x in g["failures"] if now - x < WINDOW_S]
        attack = len(recent) >= global_alert() and now - float(g["alerted_at"]) >= WINDOW_S
        if attack:
            g["alerted_at"] = now
    who = _session_label(session)
    if attack:
        snapshots.append_audit({"action": "admin_attack", "user": who,
                                "note": f"{len(recent)} failed admin sign-ins server-wide in {WINDOW_S // 60} min; "
                                        f"checks are now spaced {global_spacing_s():g} s apart"})
    if left == 0:
        session["_auth_locked_until"] = now + lock_s()
        snapshots.append_audit({"action": "admin_lockout", "user": who,
                                "note": f"{len(mine)} failed sign-ins in this session; this session is locked"})
        return Attempt(False, "locked", 0, lock_s())
    wait = backoff_base_s() * 2 ** (len(mine) - 1)
    if wait > 0:
        session["_auth_retry_at"] = now + wait
    return Attempt(False, "wrong", left, wait)


def sign_in(session: MutableMapping, name: str) -> str:
    """Mark this session signed in; returns the name the audit log will carry."""
    display = _clean(name) or viewer() or "admin"
    session["_auth_sid"] = session_id()[:8]
    who = f"{display} ({_session_label(session)})"
    session["_admin_at"] = time.time()
    session["_admin_who"] = who
    grant_uploads()
    snapshots.append_audit({"action": "admin_sign_in", "user": who})
    return who


def sign_out(session: MutableMapping) -> None:
    session.pop("_admin_at", None)
    session.pop("_admin_who", None)
    revoke_uploads()


def admin_who(session: MutableMapping) -> str | None:
    """Who is signed in as admin in this session, or None (never signed in, or the session expired)."""
    at = session.get("_admin_at")
    if not at or time.time() - at >= SESSION_S:
        return None
    grant_uploads()
    return session.get("_admin_who", "admin")


# ── upload guard ─────────────────────────────────────────────────────────────────────────────────
SESSION_UPLOAD_FILES = 2        # the import uploader holds one file; one more covers a replace in flight
_upload_sessions: dict[str, float] = {}    # session id -> allowed until
_upload_lock = threading.Lock()


def grant_uploads() -> None:
    sid = session_id()
    if sid:
        with _upload_lock:
            _upload_sessions[sid] = time.time() + SESSION_S


def revoke_uploads() -> None:
    sid = session_id()
    with _upload_lock:
        _upload_sessions.pop(sid, None)


def uploads_allowed(sid: str) -> bool:
    now = time.time()
    with _upload_lock:
        for k in [k for k, until in _upload_sessions.items() if until <= now]:
            _upload_sessions.pop(k, None)
        return sid in _upload_sessions


def install_upload_guard() -> None:
    """Guard the running server's upload manager (once per process; a no-op outside a server, e.g. AppTest)."""
    try:
        from streamlit.runtime import Runtime
        if not Runtime.exists():
            return
        mgr = Runtime.instance().uploaded_file_mgr
    except Exception:  # noqa: BLE001 - Streamlit internals moved: stay out of the way
        return
    guard(mgr)


def guard(mgr) -> None:
    """Wrap `mgr.add_file`. The upload route calls it after reading one file (bounded by
    server.maxUploadSize); refusing there, or evicting the session's older files, keeps what a session can
    make the server hold to SESSION_UPLOAD_FILES files for the admin and nothing at all for a viewer."""
    if getattr(mgr, "_civic_guarded", False) or not hasattr(mgr, "add_file"):
        return
    original_add = mgr.add_file

    def add_file(session_id: str, file) -> None:
        if not uploads_allowed(session_id):
            from starlette.exceptions import HTTPException
            raise HTTPException(status_code=403, detail="uploads are for signed-in data staff only")
        storage = getattr(mgr, "file_storage", {}).get(session_id, {})
        older = [k for k in list(storage) if k != file.file_id]     # insertion order: oldest first
        for old in older[: max(0, len(older) + 1 - SESSION_UPLOAD_FILES)]:
            mgr.remove_file(session_id, old)
        original_add(session_id, file)

    mgr.add_file = add_file
    mgr._civic_guarded = True
