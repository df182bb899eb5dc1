"""The residents' public server (public/app.py): only the public pages are reachable, and they fit a phone.

Every internal URL is tried as the first request of a freshly restarted server too: Streamlit's legacy
pages/ discovery would run a page script directly on that request (docs/architecture.md, "Routing"); the
public main script has no pages/ folder beside it, so it never can.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from civic.app import nav
from civic.text.i18n import t
from devtools.harness import ROOT, Server, exceptions, settle, shot

PUBLIC_APP = ROOT / "public" / "app.py"
INTERNAL = [p.id for p in nav.PAGES if p.id] + ["admin?x=1", "screen?embed=true"]
COMPOUND = "HY-019"
PHONE = (390, 844)

# every element that shows text of its own, with its computed font size
TEXT_SIZES_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && el.offsetParent !== null)
      out.push([el.tagName, el.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(el).fontSize)]);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def public_server(built_db):
    s = Server(built_db, script=PUBLIC_APP).start()
    yield s
    s.stop()


def _internal_words() -> list[str]:
    """Each internal page's title (its menu words are too short to be telling: 改造进度), and the main app's
    language switch, which only its sidebar draws."""
    titles = [f"{k}.title" for k in ("overview", "renovation", "cogovernance", "map", "volunteer", "admin", "screen")]
    return [t(k, lang) for k in titles for lang in ("zh", "en")] + ["English", t("app.language", "zh")]


def _assert_public_only(page) -> None:
    body = page.inner_text("body")
    assert page.locator('[data-testid="stSidebar"]').count() == 0 or \
        not page.locator('[data-testid="stSidebar"]').is_visible()
    for word in _internal_words():
        assert word not in body, f"internal page word {word!r} on the public server"
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        path = urlsplit(href).path.strip("/")
        assert path in ("", "compound"), f"link out of the public pages: {href}"


@pytest.mark.parametrize("route", INTERNAL)
def test_internal_url_is_page_not_found_even_as_first_request(public_server, browser, route):
    public_server.restart()
    page = browser.page(*PHONE)
    page.goto(f"{public_server.url}/{route}")
    settle(page)
    assert "Page not found" in page.inner_text("body")
    assert page.locator("h1").first.inner_text() == t("public.index_title", "zh")
    _assert_public_only(page)
    assert exceptions(page) == []
    page.context.close()


def test_index_lists_compounds_by_community_and_searches(public_server, browser):
    page = browser.page(*PHONE)
    page.goto(public_server.url + "/")
    settle(page)
    links = page.locator('[data-testid="stPageLink"] a')
    assert links.count() == 92
    _assert_public_only(page)
    page.get_by_label(t("public.search", "zh")).fill("花园")
    page.keyboard.press("Enter")
    settle(page)
    names = [n for n in page.locator('[data-testid="stPageLink"] a').all_inner_texts()]
    assert names and all("花园" in n for n in names), names
    page.locator('[data-testid="stPageLink"] a').first.click()
    settle(page)
    assert "compound" in page.url and page.locator("ol.steps li").count() == 5
    page.context.close()


def test_compound_page_fits_a_phone(public_server, browser):
    page = browser.page(*PHONE)
    page.goto(f"{public_server.url}/compound?id={COMPOUND}")
    settle(page)
    assert exceptions(page) == []
    _assert_public_only(page)
    body = page.inner_text("body")
    for key in ("public.works", "public.money", "public.consultation", "public.feedback", "public.bodies"):
        assert t(key, "zh") in body
    sizes = page.evaluate(TEXT_SIZES_JS)
    assert sizes and [s for s in sizes if s[2] < 15] == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]
    steps = page.locator("ol.steps li")
    assert steps.count() == 5
    for i in range(5):   # every step's word shows whole, on the bar
        fits = steps.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().right <= 390")
        assert fits, steps.nth(i).inner_text()
    assert page.locator("ol.steps li.now").count() == 1
    shot(page, "public_compound_390", full_page=True)
    page.context.close()


def test_compound_page_payload_is_light(public_server, browser):
    """The page's own payload ≤ 300 kB: the websocket messages the server sends for it (Streamlit's static
    bundle is cached by a returning phone). Its drawing time (≤ 2 s) is a benchmark target, measured by
    devtools/public_bench.py under `make bench`, not asserted here on a shared, loaded machine."""
    page = browser.page(*PHONE)
    received: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
    page.goto(f"{public_server.url}/compound?id={COMPOUND}")
    settle(page)
    assert page.locator("ol.steps").count() == 1
    assert 0 < sum(received) <= 300_000, sum(received)
    page.context.close()


def test_unknown_compound_says_so(public_server, browser):
    page = browser.page(*PHONE)
    page.goto(f"{public_server.url}/compound?id=%3Cb%3ENOPE")
    settle(page)
    assert t("public.not_found", "zh", id="<b>NOPE") in page.inner_text("body")
    assert page.locator("ol.steps").count() == 0
    _assert_public_only(page)
    page.context.close()


def test_bench_measures_the_public_page(built_db):
    """`make bench` / `--smoke` path: devtools/public_bench.py (in a subprocess, as the bench runs it: this
    process already drives a Chromium) draws the page and counts its payload."""
    from devtools import bench
    res = bench.measure_public(built_db, 1)
    assert res["status"] == "ok" and res["exceptions"] == 0 and res["external_requests"] == []
    assert res["cold"]["render_ms"] > 0 and len(res["warm"]) == 1 and 0 < res["payload_bytes"] <= 300_000
    rows = bench.public_targets(res)
    assert [r["id"] for r in rows] == ["public_render", "public_payload"] and rows[1]["met"]
