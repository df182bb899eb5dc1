"""志愿服务活动趋势 in Chromium: full-page screenshots at 1366×768 and 1920×1080, no exception, no request off
the machine; the section bar opens one section at a time; a click on a month bar and on a town bar filters the
page; the empty state says 无数据."""
from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from devtools.harness import exceptions, settle, shot

VIEWPORTS = [(1366, 768), (1920, 1080)]
# path, the charts its section draws (the page draws one analysis section at a time: ?view=)
VIEWS = {
    "default": ("volunteer", 1),
    "guhan_all": ("volunteer?town=" + quote("古韩镇") + "&range=all&view=towns", 1),
    "en_12m": ("volunteer?lang=en&range=last_12m&metric=beneficiaries&year=2025&view=yoy", 3),
}


def open_page(server, browser, path, width=1366, height=768):
    page = browser.page(width, height)
    page.goto(f"{server.url}/{path}")
    settle(page, timeout_s=90)
    return page


def clean(page):
    assert exceptions(page) == []
    assert page.external_requests == []
    assert page.page_errors == []


def full_shot(page, name, width):
    """The first screen as the user sees it, then the whole page (the main area scrolls inside the app, so
    the viewport is grown to its height, as the shared shoot tool does)."""
    shot(page, f"{name}_fold")
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 16000)})
    settle(page, timeout_s=90)
    return shot(page, name)


def query(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def open_section(page, label: str) -> None:
    """A click on the section bar (widgets.section_bar)."""
    page.locator(".st-key-vol_view").get_by_text(label, exact=True).click()
    settle(page)


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_screenshots(server, browser, view, size):
    path, charts = VIEWS[view]
    page = open_page(server, browser, path, *size)
    try:
        clean(page)
        assert page.locator('[data-testid="stPlotlyChart"]').count() == charts
        assert page.get_by_text("无数据").count() == 0
        full_shot(page, f"volunteer_{view}_{size[0]}x{size[1]}", size[0])
        clean(page)
    finally:
        page.context.close()


def test_empty_result_shows_no_data(server, browser):
    path = "volunteer?town=" + quote("王桥镇") + "&stype=" + quote("理论宣讲") + "&ttype=" + quote("协会") + "&range=all"
    page = open_page(server, browser, path)
    try:
        clean(page)
        assert page.get_by_text("无数据").count() >= 1
        full_shot(page, "volunteer_empty_1366x768", 1366)
    finally:
        page.context.close()


def test_click_month_then_town_filters_the_page(server, browser):
    page = open_page(server, browser, "volunteer?range=all")
    try:
        bars = page.locator("[class*='st-key-vol_trend_'] g.trace.bars g.point")
        assert bars.count() >= 40
        bars.nth(20).click(force=True)        # 2024-09
        settle(page)
        assert query(page).get("month") == ["2024-09"]
        assert page.get_by_text("已聚焦 2024年9月").count() == 1
        clean(page)

        open_section(page, "乡镇比较")          # the focus stays above the bar, in force on every section
        assert query(page).get("view") == ["towns"] and query(page).get("month") == ["2024-09"]
        assert page.get_by_text("已聚焦 2024年9月").count() == 1
        towns = page.locator("[class*='st-key-vol_towns_'] g.trace.bars g.point")
        assert towns.count() == 9
        towns.nth(towns.count() - 1).click(force=True)   # the top bar: the most intense town
        settle(page)
        q = query(page)
        assert len(q.get("town", [])) == 1 and q.get("month") == ["2024-09"] and q.get("view") == ["towns"]
        chip = page.locator(".st-key-xf_chip")          # the app-wide chip (civic/app/crossfilter.py)
        assert chip.count() == 1 and "点击筛选：乡镇 " + q["town"][0] in chip.inner_text()
        clean(page)

        towns = page.locator("[class*='st-key-vol_towns_'] g.trace.bars g.point")
        towns.nth(towns.count() - 1).click(force=True)   # again: clears the town
        settle(page)
        assert "town" not in query(page) and page.locator(".st-key-xf_chip").count() == 0

        page.get_by_role("button", name="取消月份聚焦").click()
        settle(page)
        assert "month" not in query(page)
        clean(page)
    finally:
        page.context.close()


def test_idle_station_links_to_its_map_detail(server, browser):
    page = open_page(server, browser, "volunteer?view=top")
    try:
        table = page.locator(".st-key-vol_idle_box [data-testid=\"stDataFrame\"]")
        table.scroll_into_view_if_needed()
        settle(page)
        box = table.bounding_box()
        # columns are 150 + 100 + 140 + 100 + 130 px wide and share any extra width evenly; the link
        # column is the fifth; the first row lies under the 35 px header
        extra = max(0.0, (box["width"] - 620) / 5)
        x, y = box["x"] + 490 + 4 * extra + 30, box["y"] + 35 + 18
        page.mouse.move(x, y)
        with page.context.expect_page(timeout=15_000) as new:
            page.mouse.click(x, y)
        target = new.value
        target.wait_for_load_state()
        assert urlsplit(target.url).path == "/stations"
        site = parse_qs(urlsplit(target.url).query)["site"][0]
        assert site.startswith("S-140423")
        target.close()
        clean(page)
    finally:
        page.context.close()


def test_activity_list_opens_on_demand_and_pages(server, browser):
    """Issue 21: the list is built when its expander opens and arrives a page at a time; paging changes
    neither the URL nor the rest of the page."""
    page = open_page(server, browser, "volunteer?range=all")
    try:
        assert page.locator(".st-key-vol_list_open").count() == 0       # another section: nothing of the list
        open_section(page, "活动明细·导出")
        assert query(page).get("view") == ["list"]
        box = page.locator(".st-key-vol_list_open")
        box.scroll_into_view_if_needed()
        assert box.locator("[data-testid=\"stDataFrame\"]").count() == 0
        box.get_by_text("查看活动明细").click()
        settle(page)
        pager = page.locator(".st-key-vol_list_pager")
        assert box.locator("[data-testid=\"stDataFrame\"]").count() == 1 and "第 1/" in pager.inner_text()
        url = page.url
        pager.get_by_role("button", name="下一页").click()
        settle(page)
        assert "第 2/" in pager.inner_text() and page.url == url
        assert pager.locator("input").input_value() == "2"
        clean(page)
    finally:
        page.context.close()
