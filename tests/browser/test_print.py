"""Ctrl-P on an analyst page (issue 17): Chromium's print-to-PDF of the page holds its filter context on top and
none of the sidebar, charts and tiles are kept whole, and a data grid carries the note that it prints only the
rows in view."""
from __future__ import annotations

import subprocess

import pytest

from civic.text.i18n import t
from devtools.harness import ARTIFACTS, exceptions, settle

PAGES = ["overview", "renovation", "cogovernance", "stations", "volunteer"]
UNSPLIT = ['[data-testid="stPlotlyChart"]', '[data-testid="stMetric"]', '[data-testid="stDeckGlJsonChart"]']


@pytest.mark.parametrize("page_id", PAGES)
def test_print_holds_the_page_and_its_filters_not_the_sidebar(server, browser, tmp_path, page_id):
    page = browser.page(1366, 768)
    try:
        county = "county=140423&" if page_id == "overview" else ""
        town = "富林镇" if page_id in ("renovation", "cogovernance") else "夏店镇"
        page.goto(f"{server.url}/{page_id}?{county}town={town}&range=this_year")
        settle(page)
        assert not exceptions(page)
        page.emulate_media(media="print")
        styles = page.evaluate("""(sels) => sels.flatMap(s => [...document.querySelectorAll(s)])
                                   .map(e => getComputedStyle(e).breakInside)""", UNSPLIT)
        assert styles and set(styles) == {"avoid"}, styles
        sidebar_shown = page.evaluate("""() => { const s = document.querySelector('[data-testid="stSidebar"]');
                                         return !!s && getComputedStyle(s).display !== 'none'; }""")
        assert not sidebar_shown
        pdf = tmp_path / f"{page_id}.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        (ARTIFACTS.parent / "print").mkdir(parents=True, exist_ok=True)
        (ARTIFACTS.parent / "print" / pdf.name).write_bytes(pdf.read_bytes())   # to look at
    finally:
        page.context.close()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert f"乡镇：{town}" in flat and "时间范围：本年" in flat, flat[:400]
    assert flat.index("时间范围：本年") < 400                       # on top, under the page's title
    for menu in (t("app.short_title"), t("admin.nav"), "English"):
        assert "".join(menu.split()) not in flat, menu     # the sidebar's menu and filters are not printed
    assert t("briefing.button") not in flat and t("briefing.button_small") + "\n" not in text
    if page_id == "overview":
        assert "".join(t("app.print_grid_note").split()) in flat     # the 口径核对 grid says it is cut
    assert not getattr(page, "external_requests", [])
