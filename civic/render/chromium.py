"""One HTML → PDF/PNG path for every printable product (the leaders' briefing, posters): Debian's Chromium
(/usr/bin/chromium, or CIVIC_CHROMIUM) driven by the pinned Playwright Python package.

Why Chromium: it is already on the machine for the browser tests, prints CSS paged media to A4 with the
fonts embedded, draws plotly's SVG charts as vectors into the PDF, and takes full-page screenshots, so one
HTML document gives both the PDF and the phone picture. Nothing is downloaded (Playwright is pointed at
the system binary) and nothing leaves the machine: the document inlines its font and plotly.js
(`font_face_css`, `plotly_script`), and every request that is not data:/about: is aborted
(`blocked_requests` lists them after a render; tests/briefing/test_briefing.py asserts the block).

Renders run on one worker thread that owns a Chromium kept for IDLE_CLOSE_S (see _worker): Playwright's
sync API also refuses to run in a thread with a running asyncio loop, which a Streamlit server thread may have.
"""
from __future__ import annotations

import atexit
import base64
import concurrent.futures
import os
import queue
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from civic import paths

CHROMIUM = os.environ.get("CIVIC_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
        "--font-render-hinting=none", "--disable-domain-reliability", "--metrics-recording-only"]
FONT_FAMILY = "Noto Sans SC"
TIMEOUT_MS = 60_000
# Chromium's own spec of A4 (210 × 297 mm); margins are set by the document's @page rule
A4 = "A4"

# URLs aborted during the last render (for tests and diagnostics); a document built here requests nothing
blocked_requests: list[str] = []


class RenderError(RuntimeError):
    """Chromium is missing or failed; the message says which (shown to the user in Chinese by callers)."""


def available() -> bool:
    if not Path(CHROMIUM).exists():
        return False
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def font_face_css() -> str:
    """@font-face rules for the shipped Noto Sans SC subset (regular and bold) as base64 data: URLs, so the
    PDF embeds the font and no font is fetched."""
    rules = []
    for weight, name in ((400, "NotoSansSC-Regular.woff2"), (700, "NotoSansSC-Bold.woff2")):
        data = base64.b64encode((paths.ROOT / "static" / "fonts" / name).read_bytes()).decode("ascii")
        rules.append(f"@font-face {{ font-family: '{FONT_FAMILY}'; font-weight: {weight}; font-style: normal; "
                     f"src: url(data:font/woff2;base64,{data}) format('woff2'); }}")
    return "\n".join(rules)


@lru_cache(maxsize=1)
def plotly_script() -> str:
    """plotly.js from the installed plotly package (its version matches the app's charts), inline."""
    import plotly
    js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    return "<script>" + js.replace("</script", "<\\/script") + "</script>"


# Waits for the fonts and for any promise the document left in window.civicReady (plotly's newPlot)
READY_JS = "async () => { await document.fonts.ready; if (window.civicReady) await window.civicReady; return true; }"


# One Chromium per process, owned by one worker thread (Playwright objects belong to the thread that made them),
# launched on the first render and closed after IDLE_CLOSE_S without one: a launch costs seconds, and the
# briefing renders twice (PDF and PNG). Renders queue on that thread: two at once would only share 2 cores.
IDLE_CLOSE_S = 120.0


class _Worker:
    """One daemon thread running submitted calls in order (a daemon, unlike an executor's thread, still runs
    during atexit, so the browser can be closed there)."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...], concurrent.futures.Future[Any]]] = \
            queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="civic-chromium", daemon=True)
                self._thread.start()
        self._jobs.put((fn, args, fut))
        return fut

    def _loop(self) -> None:
        while True:
            fn, args, fut = self._jobs.get()
            try:
                fut.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                fut.set_exception(exc)


_worker = _Worker()
_state: dict[str, Any] = {"pw": None, "browser": None, "used": 0.0, "charts": None}


def _browser() -> Any:
    b = _state["browser"]
    if b is None or not b.is_connected():
        _close()
        from playwright.sync_api import sync_playwright
        _state["pw"] = sync_playwright().start()
        _state["browser"] = _state["pw"].chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    return _state["browser"]


def _close() -> None:
    browser, pw = _state["browser"], _state["pw"]
    _state["browser"] = _state["pw"] = _state["charts"] = None
    for closer in (browser.close if browser else None, pw.stop if pw else None):
        try:
            if closer:
                closer()
        except Exception:  # noqa: BLE001 - a dead browser is closed already
            pass


def _close_if_idle(stamp: float) -> None:
    if _state["used"] == stamp:
        _close()


def _block_off_machine(blocked: list[str]) -> Callable[[Any], None]:
    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("data:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()
    return route


def _chart_page() -> Any:
    """A page holding plotly.js and the font, kept with the browser: parsing plotly.js costs seconds, so it is
    done once and the charts are drawn there as SVG (figures_to_svg) rather than in every document."""
    page = _state["charts"]
    if page is None or page.is_closed():
        ctx = _browser().new_context(viewport={"width": 800, "height": 600}, service_workers="block")
        ctx.route("**/*", _block_off_machine(blocked_requests))
        page = ctx.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.set_content(f"<style>{font_face_css()}</style>{plotly_script()}"
                         f"<div id='c' style=\"font-family:'{FONT_FAMILY}'\">字</div>", wait_until="load")
        page.evaluate(READY_JS)
        _state["charts"] = page
    return page


SVG_JS = """async (figs) => {
  await document.fonts.load("16px '%s'"); await document.fonts.load("bold 16px '%s'");
  const out = [];
  for (const f of figs) {
    const url = await Plotly.toImage({data: f.data, layout: f.layout}, {format: 'svg', width: f.layout.width,
                                                                          height: f.layout.height});
    out.push(decodeURIComponent(url.slice(url.indexOf(',') + 1)));
  }
  return out;
}""" % (FONT_FAMILY, FONT_FAMILY)


def _svgs(figures: list[dict[str, Any]]) -> list[str]:
    try:
        return list(_chart_page().evaluate(SVG_JS, figures))
    except Exception as exc:
        _close()
        raise RenderError(f"图表渲染失败 chart rendering failed: {exc}") from exc
    finally:
        _touch()


def figures_to_svg(figures: list[dict[str, Any]]) -> list[str]:
    """plotly figures (fig.to_plotly_json() with layout width and height set) as SVG markup to inline in a
    document: vector in the PDF, its text in the document's font, and no plotly.js in the document."""
    if not figures:
        return []
    _check()
    return _worker.submit(_svgs, figures).result()


def _touch() -> None:
    stamp = _state["used"] = time.monotonic()
    timer = threading.Timer(IDLE_CLOSE_S, lambda: _worker.submit(_close_if_idle, stamp))
    timer.daemon = True
    timer.start()


def _render(html: str, action: Callable[[Any], None], viewport: dict[str, int], scale: float) -> None:
    from playwright.sync_api import Error as PlaywrightError

    blocked: list[str] = []
    route = _block_off_machine(blocked)
    try:
        ctx = _browser().new_context(viewport=viewport, device_scale_factor=scale, locale="zh-CN",
                                     timezone_id="Asia/Shanghai", service_workers="block")
        try:
            ctx.route("**/*", route)
            page = ctx.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.set_content(html, wait_until="load")
            page.evaluate(READY_JS)
            action(page)
        finally:
            ctx.close()
    except PlaywrightError as exc:
        _close()
        raise RenderError(f"Chromium 渲染失败 rendering failed: {exc}") from exc
    finally:
        blocked_requests[:] = blocked
        _touch()


@atexit.register
def _shutdown() -> None:
    if _state["browser"] is not None:
        _worker.submit(_close).result(timeout=15)


def _check() -> None:
    if not available():
        raise RenderError(f"未找到 Chromium（{CHROMIUM}）或 playwright：请安装 Debian 软件包 chromium "
                          f"(Chromium or playwright missing)")


def _run(html: str, action: Callable[[Any], None], viewport: dict[str, int], scale: float = 1.0) -> None:
    _check()
    _worker.submit(_render, html, action, viewport, scale).result()


def html_to_pdf(html: str, out: Path, *, landscape: bool = False) -> Path:
    """Print `html` to an A4 PDF at `out` (background colours kept; margins from the document's @page)."""
    out = Path(out)

    def act(page: Any) -> None:
        page.emulate_media(media="print")
        page.pdf(path=str(out), format=A4, landscape=landscape, print_background=True,
                 prefer_css_page_size=True)
    _run(html, act, {"width": 1123 if landscape else 794, "height": 794 if landscape else 1123})
    return out


def html_to_png(html: str, out: Path, *, width_px: int, scale: float = 2.0) -> Path:
    """A full-page screenshot of `html` laid out `width_px` CSS pixels wide, at `scale` device pixels each."""
    out = Path(out)

    def act(page: Any) -> None:
        page.screenshot(path=str(out), full_page=True, type="png")
    _run(html, act, {"width": int(width_px), "height": 800}, scale)
    return out
