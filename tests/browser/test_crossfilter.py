"""Issue 18 in Chromium: a click on a township's bar in 总览's ranking, or on a township's area on the stations
map, sets the township filter for the whole app (the URL, the chip, the next page), and the chip's clear
removes it; the scorecard and the reporting
monitor at 1366×768 and 1920×1080, in Chinese and English, with a heatmap cell click."""
from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from devtools.harness import settle, shot
from tests.browser.test_volunteer import clean, open_page  # one copy of the page helpers


def query(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def test_ranking_bar_click_filters_the_whole_app(server, browser):
    page = open_page(server, browser, "overview?county=140423")
    try:
        assert page.get_by_text("上报率低于 80%").count() == 1       # the alert (test data: 26 November)
        assert page.get_by_role("link", name="查看报送完整性").count() == 1
        shot(page, "overview_alert_1366x768")
        bars = page.locator("[class*='st-key-ov_rank_'] g.trace.bars g.point")
        assert bars.count() == 9
        bars.nth(bars.count() - 1).click(force=True)    # the top bar
        settle(page)
        town = query(page).get("town")
        assert town and len(town) == 1
        assert page.get_by_text("点击筛选：乡镇 " + town[0]).count() == 1
        clean(page)
        # the other pages follow: the menu carries the filter, the volunteer page applies it
        page.locator("[data-testid='stSidebarNav'], [data-testid='stSidebar']").get_by_role(
            "link", name="志愿服务活动趋势").first.click()
        settle(page, timeout_s=90)
        assert query(page).get("town") == town
        page.go_back()
        settle(page, timeout_s=90)
        page.get_by_role("button", name="× 清除").click()
        settle(page)
        assert "town" not in query(page)
        assert page.get_by_text("点击筛选").count() == 0
        clean(page)
    finally:
        page.context.close()


def _empty_ground(width: float, height: float):
    """(town name, x, y): the point inside a township's area, on the county map of a deck this size, farthest
    (on screen) from every site, so a click there hits the area and no station."""
    from datetime import date

    import numpy as np

    from civic.map import maps
    from civic.store import queries
    from tests.conftest import AS_OF
    p = dict(towns=[], date_from=date(AS_OF.year, 1, 1), date_to=AS_OF, as_of=AS_OF)
    sites = queries.execute("map_sites", **p)
    towns = maps.with_areas(queries.execute("map_towns", **p), queries.execute("map_town_areas"))
    view = maps.map_view(towns, maps.outlines(["140423"]), sites)      # the page's desktop view
    site_xy = np.array([maps.screen_xy(view, x, y, width, height) for x, y in zip(sites.lon, sites.lat)])
    best, best_d = None, -1.0
    for r in towns.itertuples():
        for ring in maps.parse_area(r.area_geojson)[0]:
            poly = np.array([maps.screen_xy(view, x, y, width, height) for x, y in ring])
            for x in np.linspace(poly[:, 0].min(), poly[:, 0].max(), 40):
                for y in np.linspace(poly[:, 1].min(), poly[:, 1].max(), 40):
                    if not (40 < x < width - 40 and 40 < y < height - 40) or not _inside(poly, x, y, margin=8):
                        continue
                    d = float(np.hypot(*(site_xy - (x, y)).T).min())
                    if d > best_d:
                        best, best_d = (r.name, float(x), float(y)), d
    assert best is not None and best_d > 18, "no empty ground far enough from the stations to click reliably"
    return best


def _inside(poly, x: float, y: float, margin: float) -> bool:
    """Whether (x, y) lies inside the polygon (ray casting) and at least `margin` px from its edges."""
    import numpy as np
    a, b = poly, np.roll(poly, -1, axis=0)
    crosses = ((a[:, 1] > y) != (b[:, 1] > y)) & (x < a[:, 0] + (y - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1] + 1e-12))
    seg, rel = b - a, np.array([x, y]) - a
    k = np.clip((rel * seg).sum(axis=1) / np.maximum((seg * seg).sum(axis=1), 1e-12), 0, 1)
    edge = float(np.hypot(*(rel - seg * k[:, None]).T).min())
    return bool(crosses.sum() % 2) and edge >= margin


def test_township_area_click_on_the_map_filters_the_whole_app(server, browser, data_dir):
    page = open_page(server, browser, "stations")
    try:
        deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
        deck.scroll_into_view_if_needed()
        settle(page)
        box = deck.bounding_box()
        name, x, y = _empty_ground(box["width"], box["height"])
        page.mouse.move(box["x"] + x, box["y"] + y)          # the area's tooltip names the township
        page.wait_for_function("n => [...document.querySelectorAll('.deck-tooltip')]"
                               ".some(e => e.offsetParent !== null && e.innerText.includes(n))", arg=name,
                               timeout=30_000)
        assert "点击按该乡镇筛选全站" in page.locator(".deck-tooltip").first.inner_text()
        shot(page, "map_town_area_hover_1366x768")
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_function("() => location.search.includes('town=')", timeout=60_000)
        settle(page, timeout_s=90)
        assert query(page).get("town") == [name]
        assert "site" not in query(page)                      # the area, not a station, was picked
        assert page.get_by_text("点击筛选：乡镇 " + name).count() == 1
        shot(page, "map_town_area_click_1366x768")
        clean(page)
        page.locator("[data-testid='stSidebarNav'], [data-testid='stSidebar']").get_by_role(
            "link", name="志愿服务活动趋势").first.click()
        settle(page, timeout_s=90)
        assert query(page).get("town") == [name]
        page.go_back()
        settle(page, timeout_s=90)
        page.get_by_role("button", name="× 清除").click()
        settle(page)
        assert "town" not in query(page)
        clean(page)
    finally:
        page.context.close()


VIEWS = {"scorecard": "scorecard?cmp=140423103&cmp=140423101&cmp=140423100",
         "scorecard_hanyuan_en": "scorecard?county=511823&lang=en&cmp=" + quote("富林镇") + "&cmp=" + quote("九襄镇"),
         "completeness": "completeness", "completeness_en": "completeness?lang=en&silent=60"}


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_pages_render(server, browser, view, size):
    page = open_page(server, browser, VIEWS[view], *size)
    try:
        clean(page)
        shot(page, f"{view}_{size[0]}x{size[1]}_fold")
        height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": size[0], "height": min(int(height) + 40, 16000)})
        settle(page, timeout_s=90)
        shot(page, f"{view}_{size[0]}x{size[1]}")
        clean(page)
    finally:
        page.context.close()


def test_heatmap_cell_click_lists_silent_stations(server, browser):
    page = open_page(server, browser, "completeness?town=" + quote("王桥镇"))
    try:
        cells = page.locator("[class*='st-key-cp_heat_'] g.trace.scatter path.point")
        assert cells.count() == 12                       # one township × 12 months
        cells.nth(3).click(force=True)
        settle(page)
        assert page.locator("[class*='st-key-cp_cell']").count() == 1
        assert page.get_by_text("王桥镇 · ").count() >= 1
        clean(page)
    finally:
        page.context.close()
