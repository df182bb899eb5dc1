"""Phones (issue 17): at 390×844 every analyst page has no horizontal scroll and shows its KPI tiles two per
row (CSS in civic/app/head.py); the stations map, opened by a phone's browser, shows the whole county and
puts its detail panel under the map."""
from __future__ import annotations

import pytest

from devtools.harness import PHONE_UA, exceptions, settle, shot

PAGES = ["overview", "renovation", "cogovernance", "stations", "volunteer"]
WIDTH, HEIGHT = 390, 844

OVERFLOW_JS = """() => {
  const w = window.innerWidth;
  const wide = [...document.querySelectorAll('[data-testid="stMain"] *')]
    .filter(e => e.getBoundingClientRect().right > w + 1 && e.getClientRects().length)
    .map(e => (e.getAttribute('data-testid') || e.tagName) + ':' + Math.round(e.getBoundingClientRect().right));
  const main = document.querySelector('[data-testid="stMain"]');
  return {scroll: document.documentElement.scrollWidth, main: main ? main.scrollWidth : 0, inner: w,
          wide: wide.slice(0, 8)};
}"""
# st.metric tiles, and the stations page's own wrapping strip of tiles (pages/stations.py _kpis)
TILES_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMetric"], [data-testid="stHtml"] div[title][style*="flex:1 1"]')]
  .filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.top), Math.round(r.width)]; })"""


@pytest.mark.parametrize("page_id", PAGES)
def test_phone_has_no_horizontal_scroll_and_kpis_two_per_row(server, browser, page_id):
    page = browser.page(WIDTH, HEIGHT)
    try:
        page.goto(f"{server.url}/{page_id}")
        settle(page)
        assert not exceptions(page)
        shot(page, f"phone-{page_id}", full_page=True)
        o = page.evaluate(OVERFLOW_JS)
        assert o["scroll"] <= o["inner"] and (o["main"] or 0) <= o["inner"], o
        tiles = page.evaluate(TILES_JS)
        assert tiles, "no KPI tiles"
        rows: dict[int, list[list[int]]] = {}
        for left, top, width in tiles:
            rows.setdefault(top, []).append([left, width])
        counts = [len(r) for r in rows.values()]
        # at most two per row (a group of three or five ends with one alone), each about half the width
        assert set(counts) <= {1, 2} and 2 in counts, (counts, tiles)
        assert all(w < WIDTH * 0.55 for _, _, w in tiles), tiles
    finally:
        page.context.close()


DECK = '[data-testid="stDeckGlJsonChart"]'


def _drawn_extent(png: bytes) -> tuple[int, int, int, int, int, int]:
    """(left, top, right, bottom, width, height) of what the deck drew: pixels unlike its corner (the empty
    ground around the county, where nothing is drawn)."""
    import io

    import numpy as np
    from PIL import Image
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    drawn = np.abs(img - img[1, 1]).sum(axis=2) > 12
    ys, xs = np.nonzero(drawn)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()), img.shape[1], img.shape[0]


def test_phone_map_fits_the_county_and_puts_the_detail_below(server, browser):
    page = browser.page(WIDTH, HEIGHT, user_agent=PHONE_UA)
    try:
        page.goto(f"{server.url}/stations")
        page.wait_for_selector(f"{DECK} canvas", timeout=90_000)
        settle(page, timeout_s=90)
        assert not exceptions(page) and page.page_errors == []
        deck = page.locator(DECK).first
        deck.scroll_into_view_if_needed()
        settle(page)
        shot(page, "phone-stations-map")
        # the county (its outline and shadow) is drawn whole: nothing it draws touches the canvas's edges
        left, top, right, bottom, w, h = _drawn_extent(deck.screenshot())
        assert w <= WIDTH and (right - left) > w * 0.6, (left, right, w)
        assert left > 2 and top > 2 and right < w - 3 and bottom < h - 3, (left, top, right, bottom, w, h)
        box = deck.bounding_box()
        detail = page.locator(".st-key-map_detail").first.bounding_box()
        assert detail["y"] >= box["y"] + box["height"] - 1, (detail, box)
        o = page.evaluate(OVERFLOW_JS)
        assert o["scroll"] <= o["inner"] and (o["main"] or 0) <= o["inner"], o
    finally:
        page.context.close()


# Legends on a phone (renoclick): for every plotly chart, the legend's box does not overlap the plot area (each
# subplot's drag rectangle, .nsewdrag). Returns the offending charts by title.
LEGEND_JS = """() => {
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const problems = [];
  document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart, i) => {
    const title = chart.querySelector('.gtitle');
    const name = title ? title.textContent : 'chart ' + i;
    const legends = [...chart.querySelectorAll('g.legend .bg')].map(e => e.getBoundingClientRect())
      .filter(r => r.width > 0 && r.height > 0);
    const plots = [...chart.querySelectorAll('rect.nsewdrag')].map(e => e.getBoundingClientRect())
      .filter(r => r.width > 0 && r.height > 0);
    for (const a of legends) for (const b of plots) if (hit(a, b)) { problems.push(name); return; }
  });
  return problems;
}"""
ANALYST_PAGES = ["overview", "renovation", "cogovernance", "stations", "volunteer", "scorecard", "completeness"]


@pytest.mark.parametrize("page_id", ANALYST_PAGES)
def test_phone_chart_legends_do_not_cover_the_data(server, browser, page_id):
    page = browser.page(WIDTH, HEIGHT)
    try:
        page.goto(f"{server.url}/{page_id}")
        settle(page)
        assert not exceptions(page)
        assert page.evaluate(LEGEND_JS) == []
        # the whole page for review (Streamlit scrolls inside stMain: grow the viewport, same width)
        tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": WIDTH, "height": min(tall + 40, 16000)})
        settle(page)
        assert page.evaluate(LEGEND_JS) == []
        shot(page, f"phone-legends-{page_id}")
    finally:
        page.context.close()
