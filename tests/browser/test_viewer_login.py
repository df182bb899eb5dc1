"""The optional viewer login through a trusted proxy header, end to end: Streamlit hands the WebSocket
handshake's headers to st.context.headers; with CIVIC_VIEWER_AUTH_HEADER set, a browser whose requests carry
the header (as the proxy adds it) sees the dashboards, one without it sees only the refusal, and the
exhibition screen stays public."""
from __future__ import annotations

import pytest

from devtools.harness import Server, exceptions, settle

HEADER = "X-Forwarded-User"


@pytest.fixture(scope="module")
def login_server(built_db):
    s = Server(built_db, env={"CIVIC_VIEWER_AUTH_HEADER": HEADER}).start()
    yield s
    s.stop()


def _open(browser, url: str, headers: dict | None = None):
    ctx = browser.context()
    if headers:
        ctx.set_extra_http_headers(headers)
    page = ctx.new_page()
    page.goto(url)
    settle(page)
    return ctx, page


def test_without_the_proxy_header_only_the_refusal_shows(browser, login_server):
    ctx, page = _open(browser, login_server.url + "/volunteer")
    try:
        text = page.inner_text('[data-testid="stMain"]')
        assert "内部查看" in text
        assert not page.query_selector_all('[data-testid="stMetric"]')
        assert not page.query_selector_all('[data-testid="stPlotlyChart"]')
        assert not exceptions(page)
    finally:
        ctx.close()


def test_with_the_proxy_header_the_dashboards_show(browser, login_server):
    ctx, page = _open(browser, login_server.url + "/", {HEADER: "zhangsan"})
    try:
        assert "内部查看" not in page.inner_text('[data-testid="stMain"]')
        assert page.query_selector_all('[data-testid="stMetric"]')
        assert not exceptions(page)
    finally:
        ctx.close()


def test_the_exhibition_screen_needs_no_login(browser, login_server):
    ctx, page = _open(browser, login_server.url + "/screen?embed=true")
    try:
        assert "内部查看" not in page.inner_text("body")
        assert not exceptions(page)
    finally:
        ctx.close()
