"""The exhibition screen in Chromium: every scene at 1920×1080 and 3840×2160 (looked at: nothing cut off,
no scrollbars, no chrome, no white), rotation, layout from the viewport, offline with the bundled font,
recovery after a server restart and a database outage.

Waits poll DOM markers with deadlines; no fixed sleeps decide a result. The screen writes its state into
`.cv-marker` (data-scene, data-tick, data-stale, data-layout), which these tests read.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from civic.app.screen import theme
from devtools.harness import Server, exceptions, settle, shot

# the same theme as `make screen`
DARK = theme.streamlit_flags()
SIZES = {"768p": (1366, 768), "1080p": (1920, 1080), "4k": (3840, 2160)}
MARKER_JS = """() => { const m = document.querySelector('.cv-marker');
  return m ? {scene: m.dataset.scene, tick: m.dataset.tick, stale: m.dataset.stale, layout: m.dataset.layout} : null }"""

LAYOUT_JS = """() => {
  const out = {problems: []};
  const de = document.documentElement, main = document.querySelector('[data-testid="stMain"]');
  out.scroll = [de.scrollWidth, de.scrollHeight, innerWidth, innerHeight, main.scrollHeight, main.clientHeight];
  if (de.scrollHeight > innerHeight + 1 || de.scrollWidth > innerWidth + 1) out.problems.push('page scrolls');
  if (main.scrollHeight > main.clientHeight + 1) out.problems.push('main scrolls');
  for (const id of ['stHeader', 'stToolbar', 'stSidebar', 'stDecoration', 'stStatusWidget', 'stDialog'])
    for (const el of document.querySelectorAll(`[data-testid="${id}"]`))
      if (el.offsetParent !== null && el.getBoundingClientRect().height > 0) out.problems.push(id + ' visible');
  for (const v of document.querySelectorAll('.cv-kpi-value')) {
    const card = v.closest('.cv-kpi').getBoundingClientRect();
    for (const el of v.children) {
      const r = el.getBoundingClientRect();
      if (r.right > card.right + 1 || r.left < card.left - 1) out.problems.push('kpi cut: ' + v.textContent);
    }
    if (v.scrollWidth > v.clientWidth + 1) out.problems.push('kpi overflows: ' + v.textContent);
  }
  for (const el of document.querySelectorAll('.cv-kpi-label, .cv-bar .v, .cv-trow .n, .cv-h, .cv-clock, .cv-asof'))
    if (el.scrollWidth > el.clientWidth + 1) out.problems.push('text cut: ' + el.textContent);
  for (const el of document.querySelectorAll('[data-testid="stColumn"], .cv-footer, .cv-title')) {
    const r = el.getBoundingClientRect();
    if (r.bottom > innerHeight + 1 || r.right > innerWidth + 1) out.problems.push('off screen: ' + el.className);
  }
  // KPI numbers are big: at least 4.5% of the screen height for the main cards (≈ 48 px at 1080)
  const nums = [...document.querySelectorAll('.cv-kpi:not(.sm) .cv-num')].map(e => parseFloat(getComputedStyle(e).fontSize));
  out.minKpi = nums.length ? Math.min(...nums) : null;
  return out;
}"""


def _marker(page) -> dict | None:
    try:
        return page.evaluate(MARKER_JS)
    except Exception:  # noqa: BLE001 - navigation in progress
        return None


def _wait(page, cond, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = _marker(page)
        if last and cond(last):
            return last
        page.wait_for_timeout(200)
    raise AssertionError(f"{what} within {timeout_s}s; last marker {last}")


def _white_share(png: Path | bytes) -> float:
    import io

    from PIL import Image
    im = Image.open(io.BytesIO(png) if isinstance(png, bytes) else png).convert("L").resize((192, 108))
    px = list(im.getdata()) if not hasattr(im, "get_flattened_data") else list(im.get_flattened_data())
    return sum(1 for p in px if p > 215) / len(px)


@pytest.fixture(scope="module")
def screen_server(built_db):
    s = Server(built_db, extra_args=DARK).start()
    yield s
    s.stop()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("scene", ["1", "2", "3", "4", "5"])
def test_scene_screenshot(screen_server, browser, scene, size):
    w, h = SIZES[size]
    page = browser.page(w, h)
    try:
        page.goto(f"{screen_server.url}/screen?embed=true&scene={scene}&layout={size}&reload=off")
        _wait(page, lambda m: m["scene"] == scene, 120, f"scene {scene} on screen")
        settle(page, timeout_s=120)
        if scene == "2":
            page.wait_for_function("() => document.querySelector('[data-testid=stDeckGlJsonChart] canvas')",
                                   timeout=60_000)
            page.wait_for_timeout(800)   # deck.gl draws into WebGL after the DOM settles
        assert exceptions(page) == []
        assert page.external_requests == [] and page.page_errors == []
        report = page.evaluate(LAYOUT_JS)
        assert report["problems"] == [], report
        assert report["minKpi"] is None or report["minKpi"] >= 0.045 * h, report
        png = shot(page, f"screen-{scene}-{w}x{h}")
        assert _white_share(png) < 0.01, "no white areas on a dark screen"
    finally:
        page.context.close()


def test_rotation_advances_without_white_flashes(screen_server, browser):
    """The scenes change by themselves, and no frame taken while they change shows a white area."""
    page = browser.page(1920, 1080)
    try:
        page.goto(f"{screen_server.url}/screen?embed=true&rotate=3&layout=1080p&reload=off")
        first = _wait(page, lambda m: True, 90, "the screen")
        seen = [first["scene"]]
        whites: list[tuple[str, float]] = []
        deadline = time.monotonic() + 120
        # sample frames while at least three scenes go by (and at least 8 frames, however slow the machine)
        while time.monotonic() < deadline and (len(set(seen)) < 3 or len(whites) < 8):
            m = _marker(page)
            if m and m["scene"] != seen[-1]:
                seen.append(m["scene"])
            png = page.screenshot()
            share = _white_share(png)
            whites.append((seen[-1], round(share, 4)))
            if share >= 0.01:
                (shot(page, "screen-white-frame").parent / "screen-white-frame-raw.png").write_bytes(png)
        assert len(set(seen)) >= 3, f"rotation did not advance: {seen}"
        assert max(w for _, w in whites) < 0.01, f"white area in a frame (scene, share): {whites}"
        assert exceptions(page) == [] and page.external_requests == []
    finally:
        page.context.close()


def test_layout_is_picked_from_the_viewport(screen_server, browser):
    page = browser.page(2880, 960)   # 3:1, a stretched wall
    try:
        page.goto(f"{screen_server.url}/screen?embed=true&scene=1&reload=off")
        m = _wait(page, lambda m: m["layout"] == "wide", 90, "the wide layout")
        assert "layout=wide" in page.url and "scene=1" in page.url and "embed=true" in page.url
        assert m["scene"] == "1"
    finally:
        page.context.close()


def test_offline_renders_completely_with_the_bundled_font(screen_server, browser):
    """Every request that does not go to 127.0.0.1 is blocked (and recorded): the screen must not even try."""
    page = browser.page(1920, 1080, block_external=True)
    try:
        page.goto(f"{screen_server.url}/screen?embed=true&scene=2&layout=1080p&reload=off")
        _wait(page, lambda m: m["scene"] == "2", 120, "the map scene")
        settle(page, timeout_s=120)
        page.wait_for_function("() => document.querySelector('[data-testid=stDeckGlJsonChart] canvas')",
                               timeout=60_000)
        assert page.external_requests == []
        assert page.page_errors == []
        fonts = page.evaluate("""() => [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Noto Sans SC'
                                         && f.status === 'loaded').map(f => f.weight)""")
        assert fonts, "Noto Sans SC is loaded from the app"
        assert page.evaluate("() => document.fonts.check('700 44px \"Noto Sans SC\"', '数据大屏实践站')")
        assert "Noto Sans SC" in page.evaluate("() => getComputedStyle(document.querySelector('.cv-title h1')).fontFamily")
        counts = page.evaluate("""() => ({kpis: document.querySelectorAll('.cv-kpi').length,
                                          bars: document.querySelectorAll('.cv-bar').length,
                                          title: document.querySelector('.cv-title h1').textContent})""")
        assert counts["kpis"] >= 5 and counts["bars"] == 9 and "数据大屏" in counts["title"]
        # and the overview charts draw offline too
        page.goto(f"{screen_server.url}/screen?embed=true&scene=1&layout=1080p&reload=off")
        _wait(page, lambda m: m["scene"] == "1", 90, "the overview")
        settle(page, timeout_s=90)
        assert page.evaluate("() => document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg').length") >= 2
        assert page.external_requests == []
    finally:
        page.context.close()


def test_rotation_resumes_after_a_server_restart(built_db, browser):
    s = Server(built_db, extra_args=DARK).start()
    page = browser.page(1920, 1080)
    try:
        page.goto(f"{s.url}/screen?embed=true&rotate=3&scenes=1,5&layout=1080p&reload=off")
        before = _wait(page, lambda m: True, 90, "the screen")
        _wait(page, lambda m: m["tick"] != before["tick"], 60, "a first rotation")
        s.kill()
        page.wait_for_function("""() => document.querySelector('[data-testid=stApp]')
                                    .getAttribute('data-test-connection-state') !== 'CONNECTED'""", timeout=30_000)
        # while the server is down the last picture stays, with a small reconnecting note and no dialog
        page.wait_for_function("() => getComputedStyle(document.querySelector('.cv-conn')).display !== 'none'",
                               timeout=30_000)
        assert page.evaluate("() => document.querySelectorAll('.cv-kpi, .cv-trow').length") > 0
        assert page.evaluate("""() => [...document.querySelectorAll('[data-testid=stDialog]')]
                                     .every(d => d.offsetParent === null)""")
        shot(page, "screen-server-down")
        down = _marker(page)
        s.start()
        started = time.monotonic()
        seen = {down["scene"]}
        ticks = {down["tick"]}
        while time.monotonic() - started < 60 and len(seen) < 2:
            m = _marker(page)
            if m:
                seen.add(m["scene"])
                ticks.add(m["tick"])
            page.wait_for_timeout(250)
        assert len(seen) >= 2, f"scenes did not change within 60 s of the restart: {seen} {ticks}"
        assert exceptions(page) == []
    finally:
        page.context.close()
        s.stop()


def test_database_outage_keeps_the_picture_with_a_stale_marker(built_db, browser, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built_db, data, ignore=shutil.ignore_patterns("*.lock"))
    s = Server(data, extra_args=DARK).start()
    page = browser.page(1920, 1080)
    pointer = data / "current.json"
    try:
        page.goto(f"{s.url}/screen?embed=true&rotate=2&scenes=1,3&layout=1080p&reload=off")
        # both scenes have been shown once with good data, so each has a last good copy
        _wait(page, lambda m: m["scene"] == "3" and m["stale"] == "0", 90, "scene 3")
        _wait(page, lambda m: m["scene"] == "1" and m["stale"] == "0", 30, "scene 1")
        os.replace(pointer, data / "current.json.away")
        m = _wait(page, lambda m: m["stale"] == "1", 60, "the stale marker")
        _wait(page, lambda x: x["scene"] != m["scene"], 30, "rotation during the outage")
        assert page.evaluate("() => document.querySelectorAll('.cv-kpi').length") >= 5
        assert page.evaluate("() => getComputedStyle(document.querySelector('.cv-stale')).display") != "none"
        assert exceptions(page) == []
        shot(page, "screen-database-outage")
        os.replace(data / "current.json.away", pointer)
        _wait(page, lambda m: m["stale"] == "0", 60, "recovery when the database is back")
    finally:
        page.context.close()
        s.stop()
