"""Issue 18 in Chromium: a click on a township's bar in 总览's ranking sets the township filter for the whole
app (the URL, the chip, the next page), and the chip's clear removes it; the scorecard and the reporting
monitor at 1366×768 and 1920×1080, in Chinese and English, with a heatmap cell click."""
from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from devtools.harness import exceptions, settle, shot


def open_page(server, browser, path, width=1366, height=768):
    page = browser.page(width, height)
    page.goto(f"{server.url}/{path}")
    settle(page, timeout_s=90)
    return page


def clean(page):
    assert exceptions(page) == []
    assert page.external_requests == []
    assert page.page_errors == []


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
        page.get_by_role("button", name="✕ 清除").click()
        settle(page)
        assert "town" not in query(page)
        assert page.get_by_text("点击筛选").count() == 0
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
