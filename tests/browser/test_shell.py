"""The frame in a real browser: every URL on a fresh server, filters from links, the bundled CJK font."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from civic.app import nav
from devtools.harness import Server, exceptions, settle, shot

ROUTES = ["/"] + [f"/{p.id}" for p in nav.available()]


@pytest.fixture(scope="module")
def fresh_server(built_db):
    s = Server(built_db)
    yield s
    s.stop()


@pytest.mark.parametrize("route", ROUTES)
def test_first_request_after_restart_is_routed(fresh_server, browser, route):
    """On a fresh server, Streamlit's legacy pages/ discovery could run a page without app.py (no filters,
    no theme). Restart before each URL and check the router ran: the page title is ours, no exception."""
    fresh_server.restart()
    page = browser.page(1366, 768)
    page.goto(fresh_server.url + route)
    settle(page)
    assert exceptions(page) == []
    assert page.external_requests == []
    assert page.page_errors == []
    spec = nav.by_id(route.strip("/") or "overview")
    if not spec.kiosk and not spec.admin:
        assert page.query_selector('[data-testid="stSidebar"] [data-testid="stButtonGroup"]'), \
            "language switch missing: the page ran without the router"
    assert "not exist" not in page.content()
    shot(page, f"first-request-{spec.id}")
    page.context.close()


def test_township_link_restores_the_filter(server, browser):
    page = browser.page(1366, 768)
    page.goto(server.url + "/overview?town=%E5%A4%8F%E5%BA%97%E9%95%87&range=all")
    settle(page)
    chips = page.inner_text('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    assert "夏店镇" in chips
    assert "40/40" in page.inner_text('[data-testid="stMain"]')
    assert page.external_requests == []
    shot(page, "overview-town-link")
    page.context.close()


def test_filter_state_carries_to_the_next_page(server, browser):
    """Clicking a menu link keeps the shared filters: the link carries the canonical query string."""
    others = [p for p in nav.available() if not p.hidden and not p.admin and p.id != "overview"
              and "140423" in p.counties and "town" in p.filters]
    if not others:
        pytest.skip("no second 襄垣 page yet")
    target = others[0]
    page = browser.page(1366, 768)
    page.goto(server.url + "/overview?town=%E5%A4%8F%E5%BA%97%E9%95%87&range=all")
    settle(page)
    page.click(f'[data-testid="stSidebar"] a[href^="{target.id}?"]')
    page.wait_for_url(f"**/{target.id}?*")
    settle(page)
    q = parse_qs(urlsplit(page.url).query)
    assert q.get("range") == ["all"] and q.get("town") == ["夏店镇"]
    assert "夏店镇" in page.inner_text('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    assert exceptions(page) == [] and page.external_requests == []
    page.context.close()


def test_chinese_renders_with_the_bundled_font(server, browser):
    """The app serves its own Noto Sans SC subset; Chinese must not depend on a system CJK font."""
    page = browser.page(1366, 768)
    page.goto(server.url + "/")
    settle(page)
    loaded = page.evaluate("""() => [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Noto Sans SC'
                                      && f.status === 'loaded').length""")
    assert loaded >= 1
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans SC\"', '总览文明实践')")
    family = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Noto Sans SC" in family
    font_requests = page.evaluate("""() => performance.getEntriesByType('resource')
        .map(e => e.name).filter(n => n.includes('.woff2'))""")
    assert font_requests and all(u.startswith(server.url) for u in font_requests)
    shot(page, "overview-1366", full_page=True)
    page.context.close()


def test_overview_at_1920(server, browser):
    page = browser.page(1920, 1080)
    page.goto(server.url + "/?lang=en")
    settle(page)
    assert exceptions(page) == [] and page.external_requests == []
    assert "Overview" in page.inner_text("h1")
    shot(page, "overview-en-1920")
    page.context.close()
