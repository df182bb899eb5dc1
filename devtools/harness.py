"""Browser-test harness: a Streamlit server on a free loopback port and Debian's Chromium via Playwright.

Waits for Streamlit's settled state (script not running, connected, no stale elements, charts drawn,
fonts loaded, DOM quiet), never for fixed sleeps. Records every request that leaves 127.0.0.1.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

# the product's renderer and the tests drive the same Chromium, found and checked one way
from civic.render.chromium import CHROMIUM
from civic.render.chromium import available as chromium_available  # noqa: F401 (the harness's name for it)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage", "--hide-scrollbars", "--font-render-hinting=none"]

BUSY_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return 'no stApp';
  const state = app.getAttribute('data-test-script-state');
  if (state !== 'notRunning' && state !== 'compilationError') return 'script ' + state;
  const conn = app.getAttribute('data-test-connection-state');
  if (conn !== 'CONNECTED') return 'connection ' + conn;
  if (document.querySelector('[data-stale="true"]')) return 'stale elements';
  if (document.querySelector('[data-testid="stSkeleton"]')) return 'skeleton';
  if (document.querySelector('[data-testid="stSpinner"]')) return 'spinner';
  for (const el of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
    if (!el.querySelector('.main-svg')) return 'plotly not drawn';
  for (const el of document.querySelectorAll('[data-testid="stDeckGlJsonChart"]'))
    if (!el.querySelector('canvas')) return 'deck.gl not drawn';
  for (const el of document.querySelectorAll('[data-testid="stDataFrame"]'))
    if (el.offsetParent !== null && !el.querySelector('canvas')) return 'dataframe not drawn';
  for (const img of document.querySelectorAll('[data-testid="stMain"] img'))
    if (!img.complete) return 'image loading';
  if (document.fonts && document.fonts.status !== 'loaded') return 'fonts loading';
  const quiet = performance.now() - (window.__lastMutation || 0);
  if (quiet < QUIET_MS) return 'dom changing';
  return '';
}"""
MUTATION_INIT_JS = """
window.__lastMutation = performance.now();
new MutationObserver(() => { window.__lastMutation = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
window.__lastLongTaskEnd = 0;
try {
  new PerformanceObserver(list => {
    for (const e of list.getEntries())
      window.__lastLongTaskEnd = Math.max(window.__lastLongTaskEnd, e.startTime + e.duration);
  }).observe({type: 'longtask', buffered: true});
} catch (e) {}
"""
# WebGL draws change no DOM: deck.gl's first frame (shader compilation, and in a GPU-less Chromium the
# software rasteriser) shows up only as main-thread long tasks after the DOM went quiet
LAST_MUTATION_JS = "() => window.__lastMutation || 0"
LAST_LONG_TASK_JS = "() => window.__lastLongTaskEnd || 0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(script: Path, port: int, extra_args: list[str], warm: bool = True) -> list[str]:
    """How a test or the benchmark starts a server: as `make run` does (`python -m civic serve`, warmed up
    before it answers: civic/app/warm.py), or with `warm=False` as plain `streamlit run` (to compare)."""
    launcher = ["-m", "civic", "serve"] if warm else ["-m", "streamlit", "run"]
    return [sys.executable, *launcher, str(script), "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", *extra_args]


class Server:
    """A server on a free port, started as `make run` starts it; restartable (same port) for first-request
    tests."""

    def __init__(self, data_dir: Path, port: int | None = None, extra_args: list[str] | None = None,
                 env: dict | None = None, script: Path | None = None, warm: bool = True):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.extra_args = extra_args or []
        self.env = env or {}
        # the residents' server (public/app.py) runs from its own folder, with its own .streamlit/config.toml
        self.script = Path(script) if script else ROOT / "app.py"
        self.warm = warm
        self.proc: subprocess.Popen | None = None
        self.log = ARTIFACTS.parent / f"streamlit-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "Server":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "CIVIC_DATA_DIR": str(self.data_dir), **self.env}
        if self.warm:   # `-m civic` from public/ as well (the Makefile's `make public` sets the same)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        cmd = server_command(self.script, self.port, self.extra_args, self.warm)
        self.proc = subprocess.Popen(cmd, cwd=self.script.parent, env=env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"streamlit did not become healthy in {timeout}s; see {self.log}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def restart(self) -> "Server":
        self.stop()
        return self.start()


def is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost", "::1")


# an Android phone's Chrome, as the server sees it (civic/app/head.py is_phone)
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Mobile Safari/537.36")


class Browser:
    """One Chromium; `page()` gives a fresh page that records (and optionally blocks) external requests."""

    def __init__(self):
        from playwright.sync_api import sync_playwright
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)

    def context(self, width: int = 1366, height: int = 768, user_agent: str | None = None):
        """A fresh browser profile as a Chinese user has it; its pages record when the DOM last changed.
        `user_agent`: e.g. PHONE_UA, for pages that adapt to a phone on the server (the stations map)."""
        ctx = self.browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                       timezone_id="Asia/Shanghai", user_agent=user_agent)
        ctx.add_init_script(MUTATION_INIT_JS)
        return ctx

    def page(self, width: int = 1366, height: int = 768, block_external: bool = True,
             user_agent: str | None = None):
        page = self.context(width, height, user_agent).new_page()
        page.external_requests = []  # type: ignore[attr-defined]
        page.page_errors = []        # type: ignore[attr-defined]

        def route(r):
            if is_local(r.request.url):
                r.continue_()
            else:
                page.external_requests.append(r.request.url)
                if block_external:
                    r.abort()
                else:
                    r.continue_()
        page.route("**/*", route)
        page.on("pageerror", lambda e: page.page_errors.append(str(e)))
        return page

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()


def settle(page, timeout_s: float = 60, quiet_ms: int = 500, stable_ms: int = 700, poll_ms: int = 100) -> float:
    """Wait until Streamlit is idle and the DOM has been quiet; raise with the last reason otherwise.

    Returns when the page finished drawing (devtools/render_bench.py), in ms since navigation: the later of
    its last DOM change, read when the final quiet stretch began (read later, it could include the 5-second
    data-version check, which touches the DOM after the page is drawn), and the end of its last main-thread
    long task (deck.gl draws without touching the DOM)."""
    js = BUSY_JS.replace("QUIET_MS", str(quiet_ms))
    deadline = time.monotonic() + timeout_s
    idle_since, drawn_at, long_task_end = None, 0.0, 0.0
    reason = "not checked"
    while time.monotonic() < deadline:
        try:
            reason = page.evaluate(js)
            if reason == "":
                if idle_since is None:
                    drawn_at = page.evaluate(LAST_MUTATION_JS)
                long_task_end = page.evaluate(LAST_LONG_TASK_JS)
        except Exception as exc:  # noqa: BLE001 - navigation in progress
            reason = f"evaluate failed: {exc}"
        if reason == "":
            if idle_since is None:
                idle_since = time.monotonic()
            if (time.monotonic() - idle_since) * 1000 >= stable_ms:
                return max(drawn_at, long_task_end)
        else:
            idle_since = None
        page.wait_for_timeout(poll_ms)
    raise TimeoutError(f"page did not settle in {timeout_s}s: {reason}")


def exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]


def shot(page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def which_chromium() -> str | None:
    return shutil.which(CHROMIUM) or (CHROMIUM if Path(CHROMIUM).exists() else None)
