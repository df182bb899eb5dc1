"""HTML → A4 PDF or PNG through Debian's Chromium driven by Playwright, offline.

The shipped font (static/fonts, Noto Sans SC) is inlined as base64 @font-face, so Chinese prints the same on
every machine, and every network request the HTML would make is aborted: a poster or briefing never
reaches off the machine. Used by the QR posters (civic/public/poster.py).
"""
from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from civic import paths

CHROMIUM = os.environ.get("CIVIC_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--font-render-hinting=none"]
FONT_FAMILY = "Noto Sans SC"
A4_WIDTH_PX = 794     # 210 mm at 96 px per inch


@lru_cache(maxsize=1)
def font_css() -> str:
    faces = []
    for weight, name in ((400, "NotoSansSC-Regular.woff2"), (700, "NotoSansSC-Bold.woff2")):
        data = base64.b64encode((paths.FONTS_DIR / name).read_bytes()).decode("ascii")
        faces.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: normal; '
                     f'src: url(data:font/woff2;base64,{data}) format("woff2"); }}')
    return "<style>" + "\n".join(faces) + f' html, body {{ font-family: "{FONT_FAMILY}", sans-serif; }}</style>'


def with_font(html: str) -> str:
    """The HTML with the font's @font-face first in its <head> (or before everything when it has none)."""
    at = html.find("<head>")
    return html[:at + 6] + font_css() + html[at + 6:] if at >= 0 else font_css() + html


@contextmanager
def _page(width_px: int, height_px: int, scale: float) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width_px, "height": height_px},
                                          device_scale_factor=scale)
            context.route("**/*", lambda route: route.abort())   # nothing leaves the machine
            page = context.new_page()
            yield page
        finally:
            browser.close()


def _load(page: Any, html: str) -> None:
    page.set_content(with_font(html), wait_until="load")
    page.evaluate("() => document.fonts.ready.then(() => true)")


def html_to_pdf(html: str, out: Path, *, landscape: bool = False) -> Path:
    """An A4 PDF (portrait unless `landscape`) of `html`; CSS `break-after: page` starts a new page."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _page(A4_WIDTH_PX, 1123, 1.0) as page:
        _load(page, html)
        page.pdf(path=str(out), format="A4", landscape=landscape, print_background=True,
                 margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
    return out


def html_to_png(html: str, out: Path, *, width_px: int, scale: float = 2.0) -> Path:
    """A PNG of the whole of `html` laid out `width_px` CSS pixels wide, at `scale` device pixels per pixel."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _page(width_px, 800, scale) as page:
        _load(page, html)
        page.screenshot(path=str(out), full_page=True)
    return out
