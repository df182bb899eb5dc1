"""A viewer must not be able to make the server hold memory through Streamlit's upload endpoint.

Streamlit keeps every file PUT to /_stcore/upload_file/<session>/<file id> in memory until the session ends,
for any live session and any number of file ids, whether or not the page shows an uploader. Measured before
the guard: six 10 MB PUTs from an ordinary 总览 session took the server from 280 MB to 1.36 GB. Here a real
viewer session (Chromium on 总览) does what the uploader does, and the server's RSS must stay within 50 MB of
where it was, during the attack and after the session is gone (civic/app/auth.py guard)."""
from __future__ import annotations

import urllib.error
import urllib.request
import uuid

import psutil
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from devtools.harness import Server, settle

MB = 1024 * 1024
BOUND = 50 * MB


@pytest.fixture()
def own_server(built_db):
    s = Server(built_db).start()
    yield s
    s.stop()


def _rss(server: Server) -> int:
    return psutil.Process(server.proc.pid).memory_info().rss


def _multipart(data: bytes, name: str = "big.csv") -> tuple[bytes, str]:
    """The body Streamlit's file uploader sends: one form field "file"."""
    boundary = f"----civic{uuid.uuid4().hex}"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _put(server: Server, session_id: str, xsrf: str, data: bytes) -> int:
    body, ctype = _multipart(data)
    req = urllib.request.Request(f"{server.url}/_stcore/upload_file/{session_id}/{uuid.uuid4()}", data=body,
                                 method="PUT", headers={"Content-Type": ctype, "X-Xsrftoken": xsrf,
                                                        "Cookie": f"_streamlit_xsrf={xsrf}"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_viewer_session_cannot_make_the_server_hold_uploads(browser, own_server):
    ctx = browser.context()
    page = ctx.new_page()
    session_ids: list[str] = []

    def on_ws(ws):
        def frame(payload):
            if isinstance(payload, (bytes, bytearray)):
                msg = ForwardMsg.FromString(bytes(payload))
                if msg.HasField("new_session") and msg.new_session.initialize.session_id:
                    session_ids.append(msg.new_session.initialize.session_id)
        ws.on("framereceived", frame)
    page.on("websocket", on_ws)
    page.goto(own_server.url + "/")
    settle(page)
    assert session_ids, "no session id seen on the websocket"
    xsrf = next(c["value"] for c in ctx.cookies() if c["name"] == "_streamlit_xsrf")
    baseline = _rss(own_server)

    # the largest body server.maxUploadSize lets through (the measured attack sent 10 MB under the old 200 MB
    # limit; a larger body is now cut off by Streamlit before our guard, see below)
    from civic.importer import api
    payload = b"a," * ((api.MAX_MB - 1) * MB // 2)
    statuses = [_put(own_server, session_ids[-1], xsrf, payload) for _ in range(6)]
    assert statuses == [403] * 6, statuses
    during = _rss(own_server)
    assert during - baseline < BOUND, f"server grew {(during - baseline) / MB:.0f} MB during the uploads"

    # a bogus session id is refused by Streamlit itself
    assert _put(own_server, "no-such-session", xsrf, b"x") == 400
    # a body over server.maxUploadSize is refused (413) or cut off before it is read
    try:
        over = _put(own_server, session_ids[-1], xsrf, b"a," * ((api.MAX_MB + 1) * MB // 2))
    except (urllib.error.URLError, ConnectionError):
        over = "reset"
    assert over in (413, "reset"), over
    assert _rss(own_server) - baseline < BOUND

    ctx.close()
    after = _rss(own_server)
    assert after - baseline < BOUND, f"server still holds {(after - baseline) / MB:.0f} MB after the session"


def test_a_signed_in_admin_still_uploads_through_the_guard(browser, built_db, tmp_path):
    """The guard must not break the one real uploader: sign in on /admin, upload a register, see its dry run."""
    from civic.importer import api
    password = "正确的密码-42"
    s = Server(built_db, env={"CIVIC_ADMIN_PASSWORD": password, "CIVIC_ADMIN_BACKOFF_SECONDS": "0"}).start()
    ctx = browser.context()
    try:
        page = ctx.new_page()
        page.goto(s.url + "/admin")
        settle(page)
        page.get_by_role("textbox", name="您的姓名").fill("王会计")
        page.get_by_role("textbox", name="管理密码").fill(password)
        page.get_by_role("button", name="登录").click()
        settle(page)
        assert page.get_by_role("tab", name="导入数据").is_visible()
        f = tmp_path / "good.xlsx"
        f.write_bytes(api.sample_bytes("activities", 3, seed=91))
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(f))
        settle(page)
        text = page.inner_text('[data-testid="stMain"]')
        assert "将新增" in text and "确认导入" in text, text[:500]
    finally:
        ctx.close()
        s.stop()
