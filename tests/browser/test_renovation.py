"""The renovation and co-governance pages in Chromium at 1366×768 and 1920×1080: no exception, no request off
the machine, every chart drawn with nothing overlapping, the empty state, a click on a chart that filters, and
the section bar (one analysis section built at a time, URL view=)."""
from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from devtools.harness import exceptions, settle, shot

VIEWPORTS = [(1366, 768), (1920, 1080)]
# route → the charts its section draws (one section per page view)
ROUTES = {
    "renovation": ("/renovation", 2),
    "renovation-works": ("/renovation?view=works", 2),
    "renovation-breakdown-en": ("/renovation?view=breakdown&lang=en&batch=" + quote("实施一批"), 2),
    "renovation-schedule": ("/renovation?view=schedule", 1),
    "renovation-compound": ("/renovation?compound=HY-001", 0),
    "renovation-empty": ("/renovation?batch=" + quote("储备一批") + "&stage=" + quote("完成"), 0),
    "cogovernance": ("/cogovernance", 2),
    "cogovernance-feedback-all-en": ("/cogovernance?view=feedback&range=all&lang=en", 3),
    "cogovernance-meetings": ("/cogovernance?view=meetings", 1),
    "cogovernance-grid-town": ("/cogovernance?view=grid&town=" + quote("九襄镇"), 2),
    "cogovernance-empty": ("/cogovernance?view=feedback&from=2023-01-01&to=2023-01-31", 0),
}

# For every plotly chart: its title fits, title, legend and plot area do not overlap each other, and neither the
# x nor the y tick labels overlap among themselves. Returns a list of problems (empty = fine).
LAYOUT_JS = """() => {
  const boxes = (root, sel) => [...root.querySelectorAll(sel)].map(e => e.getBoundingClientRect())
      .filter(r => r.width > 0 && r.height > 0);
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const problems = [];
  document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart, i) => {
    const title = chart.querySelector('.gtitle');
    const name = title ? title.textContent : 'chart ' + i;
    const t = title ? [title.getBoundingClientRect()] : [];
    const legend = boxes(chart, 'g.legend .bg');
    const plot = boxes(chart, 'rect.nsewdrag');
    const svg = chart.querySelector('.main-svg').getBoundingClientRect();
    for (const a of t) if (a.right > svg.right + 1) problems.push(name + ': title clipped');
    for (const a of t) for (const b of legend) if (hit(a, b)) problems.push(name + ': title overlaps legend');
    for (const a of t) for (const b of plot) if (hit(a, b)) problems.push(name + ': title overlaps plot');
    for (const a of legend) for (const b of plot) if (hit(a, b)) problems.push(name + ': legend overlaps plot');
    for (const sel of ['g.xtick text', 'g.ytick text']) {
      const ticks = boxes(chart, sel);
      for (let x = 0; x < ticks.length; x++) for (let y = x + 1; y < ticks.length; y++)
        if (hit(ticks[x], ticks[y])) { problems.push(name + ': ' + sel + ' labels overlap'); x = ticks.length; break; }
    }
  });
  return problems;
}"""


def _open(server, browser, route: str, size: tuple[int, int]):
    page = browser.page(*size)
    page.goto(server.url + route)
    settle(page)
    return page


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(ROUTES))
def test_page_renders_cleanly(server, browser, name, size):
    route, n_charts = ROUTES[name]
    page = _open(server, browser, route, size)
    try:
        assert exceptions(page) == []
        assert page.page_errors == []
        assert page.external_requests == []
        main = page.inner_text('[data-testid="stMain"]')
        charts = page.query_selector_all('[data-testid="stPlotlyChart"]')
        if name.endswith("-empty"):
            assert "无数据" in main
        assert len(charts) == n_charts
        for c in charts:      # a drawn chart, never an empty frame
            assert c.query_selector(".main-svg") and c.query_selector(".plot .trace, .funnellayer .trace, .hm image, "
                                                                      ".heatmaplayer image, .cartesianlayer .trace")
        assert page.evaluate(LAYOUT_JS) == []
        if name.endswith("-en"):
            assert "Hanyuan" in page.inner_text("h1")
        if name == "renovation-compound":      # a compound link opens the compounds section, its card shown
            assert "HY-001" in main and "德鑫小区" in main and "小区明细与详情" in main
            assert parse_qs(urlsplit(page.url).query)["view"] == ["compounds"]
        shot(page, f"{name}-{size[0]}x{size[1]}")
        # the whole page for review: Streamlit scrolls inside stMain, so grow the viewport to its height
        tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        if tall > size[1]:
            page.set_viewport_size({"width": size[0], "height": min(tall + 40, 16000)})
            settle(page)
            assert page.evaluate(LAYOUT_JS) == []
        shot(page, f"{name}-{size[0]}x{size[1]}-full")
    finally:
        page.context.close()


def test_click_on_a_community_bar_filters_and_goes_into_the_url(server, browser):
    page = _open(server, browser, "/renovation?view=breakdown", (1366, 768))
    try:
        chart = next(c for c in page.query_selector_all('[data-testid="stPlotlyChart"]')
                     if "点击筛选社区" in (c.query_selector(".gtitle").text_content() or ""))
        chart.scroll_into_view_if_needed()
        bars = chart.query_selector_all(".trace.bars .point path")
        assert bars
        bars[-1].click(force=True)          # the last community (梨城社区, 九襄镇)
        page.wait_for_url("**community=*", timeout=30_000)
        settle(page)
        assert parse_qs(urlsplit(page.url).query)["community"] == ["511823101002"]
        assert parse_qs(urlsplit(page.url).query)["view"] == ["breakdown"]          # the section stays open
        assert exceptions(page) == [] and page.external_requests == []
        chips = page.inner_text('[data-testid="stMain"] [data-testid="stMultiSelect"]')
        assert "梨城社区" in chips
    finally:
        page.context.close()


def test_click_on_a_gantt_bar_opens_the_compound_card(server, browser):
    """The Gantt is in the schedule section, the card in the compounds section: a click opens the latter."""
    page = _open(server, browser, "/renovation?community=511823101002&view=schedule", (1366, 768))
    try:
        gantt = next(c for c in page.query_selector_all('[data-testid="stPlotlyChart"]')
                     if "甘特" in (c.query_selector(".gtitle").text_content() or "")
                     or "实际进度" in (c.query_selector(".gtitle").text_content() or ""))
        gantt.scroll_into_view_if_needed()
        bar = gantt.query_selector_all(".trace.bars .point path")[0]     # the first compound's planned window
        bar.click(force=True)
        page.wait_for_url("**compound=HY-*", timeout=30_000)
        settle(page)
        query = parse_qs(urlsplit(page.url).query)
        cid = query["compound"][0]
        assert query["view"] == ["compounds"] and query["community"] == ["511823101002"]
        main = page.inner_text('[data-testid="stMain"]')
        assert cid in main and "小区明细与详情" in main
        assert exceptions(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize("wait_between", [False, True], ids=["at-once", "after-settle"])
def test_csv_then_excel_both_download(server, browser, wait_between):
    """A CSV click and then an Excel click each deliver their file (a CSV click used to leave the Excel button
    holding a deferred-file id the rerun had already dropped: "Deferred file … not found", nothing happened)."""
    page = _open(server, browser, "/renovation?lang=en&view=compounds", (1366, 768))
    got = []
    for fmt_key, suffix in (("rv_export_csv", ".csv"), ("rv_export_xlsx", ".xlsx")):
        button = page.locator(f".st-key-{fmt_key} button")
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=20_000) as dl:
            button.click()
        got.append(dl.value.suggested_filename)
        assert dl.value.failure() is None
        if suffix == ".csv":      # the English page's file speaks English, with the table's headers
            from civic.text.i18n import t
            header = open(dl.value.path(), encoding="utf-8-sig").readline().strip().split(",")
            assert header[:2] == [t("renovation.c_id", "en"), t("renovation.c_name", "en")]
            assert "compound_id" not in header and "plan_done" not in header
        if wait_between:
            settle(page)
    assert got == ["renovation_compounds.csv", "renovation_compounds.xlsx"]
    assert exceptions(page) == []


def _metric(page, label: str) -> str:
    return page.locator('[data-testid="stMetric"]', has_text=label).first.locator(
        '[data-testid="stMetricValue"]').inner_text()


def test_click_on_a_funnel_stage_filters_with_a_chip_and_a_clear(server, browser):
    page = _open(server, browser, "/renovation", (1366, 768))
    try:
        before = _metric(page, "纳入改造小区")
        funnel = next(c for c in page.query_selector_all('[data-testid="stPlotlyChart"]')
                      if "漏斗" in (c.query_selector(".gtitle").text_content() or ""))
        funnel.scroll_into_view_if_needed()
        levels = funnel.query_selector_all(".funnellayer .point path")
        assert len(levels) == 5
        levels[2].click(force=True)          # ORDER: 未启动, 设计, 施工, 验收, 完成
        page.wait_for_url("**stage=*", timeout=30_000)
        settle(page)
        assert parse_qs(urlsplit(page.url).query)["stage"] == ["施工"]
        assert exceptions(page) == [] and page.external_requests == []
        chip = page.locator(".st-key-rv_chip")
        assert "点击筛选" in chip.inner_text() and "当前阶段 施工" in chip.inner_text()
        after = _metric(page, "纳入改造小区")
        assert after != before and int(after.split()[0]) < int(before.split()[0])
        page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
        shot(page, "renovation-funnel-click-1366x768")
        page.locator(".st-key-rv_chip_clear button").click()
        page.wait_for_url(lambda url: "stage=" not in url, timeout=30_000)
        settle(page)
        assert page.locator(".st-key-rv_chip").count() == 0
        assert _metric(page, "纳入改造小区") == before
    finally:
        page.context.close()


@pytest.mark.parametrize("path,key,label,view,n_charts", [
    ("/renovation?batch=" + quote("实施一批"), "rv_view", "工期甘特图", "schedule", 1),
    ("/cogovernance?town=" + quote("富林镇"), "cg_view", "诉求办理", "feedback", 3),
])
def test_the_section_bar_opens_one_section_and_keeps_the_filters(server, browser, path, key, label, view, n_charts):
    page = _open(server, browser, path, (1366, 768))
    try:
        before = parse_qs(urlsplit(page.url).query)
        page.locator(f".st-key-{key} button", has_text=label).click()
        page.wait_for_url(f"**view={view}*", timeout=30_000)
        settle(page)
        after = parse_qs(urlsplit(page.url).query)
        assert after.pop("view") == [view] and after == before
        assert len(page.query_selector_all('[data-testid="stPlotlyChart"]')) == n_charts
        assert exceptions(page) == [] and page.external_requests == []
        page.reload()
        settle(page)
        assert parse_qs(urlsplit(page.url).query)["view"] == [view]           # a reload shows the same section
        assert len(page.query_selector_all('[data-testid="stPlotlyChart"]')) == n_charts
    finally:
        page.context.close()
