"""Hostile names and URL values in Chromium: every page over a database whose names carry a Markdown image
and link, raw HTML and a bare URL (tests/escape_data.py), and pages opened with such values in `?town=`,
show them as text. The DOM holds no link or image pointing off the machine, the browser requests nothing
off the machine, and the text reads as typed (no stray backslashes)."""
from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest

from civic.text.safe_text import WJ
from devtools import harness
from devtools.bench import use_data_dir as _data_dir  # this process reads that data dir for the block
from tests.conftest import AS_OF
from tests.escape_data import HOST, URL_IMAGE, URL_LINK, poison

# every <a>, <img>, <image> (SVG), <source>, <iframe>, <link> and <script> with what it points at
REFS_JS = """() => [...document.querySelectorAll('a, img, image, source, iframe, link, script, video, audio')]
  .map(e => [e.tagName.toLowerCase(),
             e.getAttribute('href') || e.getAttribute('xlink:href') || e.getAttribute('src') ||
             e.getAttribute('srcset') || ''])
  .filter(([t, u]) => u !== '')
  .map(([t, u]) => [t, new URL(u, location.href).href])"""


@pytest.fixture(scope="module")
def hostile_server(built_db, tmp_path_factory):
    from civic.store import db, snapshots
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(built_db, data, ignore=shutil.ignore_patterns("*.lock"))
    with _data_dir(data):
        poison(AS_OF)
        con = db.connect_read(snapshots.current().path)
        try:
            ids = {"site": con.execute("SELECT site_id FROM sites WHERE level = '站' ORDER BY site_id LIMIT 1")
                   .fetchone()[0],
                   "compound": con.execute("SELECT min(compound_id) FROM compounds").fetchone()[0]}
        finally:
            con.close()
    s = harness.Server(data).start()
    s.ids = ids
    yield s
    s.stop()


def _open(browser, server, path: str, width: int = 1366, height: int = 768):
    page = browser.page(width, height)
    page.goto(server.url + path)
    harness.settle(page, timeout_s=180)
    return page


def _check(page) -> str:
    """No reference off the machine in the DOM, no request off it, no error; returns the page's text."""
    off = [(t, u) for t, u in page.evaluate(REFS_JS) if not harness.is_local(u)]
    assert off == [], f"links or images off the machine: {off}"
    assert page.external_requests == [], page.external_requests
    assert page.page_errors == [] and harness.exceptions(page) == []
    return page.evaluate("() => document.body.innerText").replace(WJ, "")


@pytest.mark.parametrize("path", ["/", "/renovation?compound={compound}", "/cogovernance", "/stations?site={site}",
                                  "/volunteer"])
def test_pages_show_hostile_names_as_text(browser, hostile_server, path):
    page = _open(browser, hostile_server, path.format(**hostile_server.ids))
    try:
        text = _check(page)
        if path != "/volunteer" and path != "/":
            # the name reads as typed, without the escapes that kept it text
            assert f"[补贴](http://{HOST}/c)" in text, "the hostile name is shown, as plain text"
        assert "\\[" not in text and "\\(" not in text, "no escape shows"
        harness.shot(page, "escape_" + (path.strip("/").split("?")[0] or "overview"))
    finally:
        page.context.close()


def test_station_tooltip_shows_a_hostile_name_as_text(browser, hostile_server):
    from tests.browser.test_map import DECK, _isolated_station
    page = _open(browser, hostile_server, "/stations?town=夏店镇", 1920, 1080)
    try:
        deck = page.locator(DECK).first
        deck.scroll_into_view_if_needed()
        harness.settle(page)
        box = deck.bounding_box()
        with _data_dir(hostile_server.data_dir):
            site_id, name, x, y = _isolated_station(box["width"], box["height"])
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.wait_for_function("id => [...document.querySelectorAll('.deck-tooltip')]"
                               ".some(e => e.offsetParent !== null && e.innerText.includes(id))", arg=site_id[2:],
                               timeout=30_000)
        tip = page.locator(".deck-tooltip").first
        assert f"[补贴](http://{HOST}/c)" in tip.inner_text().replace(WJ, ""), "the tooltip shows the name as typed"
        assert tip.locator("a, img").count() == 0
        _check(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("scene", ["1", "5"])
def test_screen_shows_hostile_names_as_text(browser, hostile_server, scene):
    page = browser.page(1920, 1080)
    try:
        page.goto(f"{hostile_server.url}/screen?embed=true&scene={scene}&layout=1080p&reload=off")
        page.wait_for_selector(".cv-marker", state="attached", timeout=120_000)
        harness.settle(page, timeout_s=120)
        _check(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("value", [URL_LINK, URL_IMAGE], ids=["link", "image"])
@pytest.mark.parametrize("page_path", ["/", "/renovation", "/stations"])
def test_a_hostile_url_value_is_quoted_as_text(browser, hostile_server, page_path, value):
    page = _open(browser, hostile_server, f"{page_path}?town={quote(value)}")
    try:
        text = _check(page)
        notice = page.locator('[data-testid="stAlertContentWarning"]').first.inner_text().replace(WJ, "")
        assert "未识别的乡镇" in notice and value in notice, "the notice quotes the value as typed"
        assert value in text
    finally:
        page.context.close()
