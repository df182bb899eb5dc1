"""Memory soak of the exhibition screen: the real server, thousands of scene switches and refreshes.

    python -m devtools.screen_soak --data-dir /tmp/screen_data --switches 2000      # prints JSON
    from devtools.screen_soak import soak; soak(data_dir, switches=2000) -> dict

A `streamlit run app.py` server (the dark theme of `make screen`) serves /screen?rotate=1 to several clients.
Every fragment run of the screen switches the scene *and* re-reads its data (cached by snapshot version), so
each counted switch is also a refresh. Two kinds of client:

- mode="ws" (default): headless clients that speak Streamlit's own websocket protocol, exactly like the
  browser's frontend does for a `run_every` fragment (BackMsg rerun_script with the fragment id the server
  announced in its `auto_rerun` message). No rendering, so 2,000 switches take minutes, not hours, on a
  shared machine. Switches are counted from the scene marker in the `html` deltas the server sends.
- mode="browser": real Chromium tabs (Debian's chromium + playwright); counts the marker in the DOM. Slow
  (deck.gl and plotly render every switch), for a final check.

Sessions are churned (closed and reopened every `reconnect_every` switches, like a reload or a reconnect
after a restart) and, with `publish_every`, new snapshots are published into a private copy of the data
while the screens run, so the version-keyed caches and reader connections turn over too.

The server's RSS (psutil, the streamlit process only) is sampled throughout. The start value is taken after
`warmup` switches (imports, first map build, caches filling); the end value after `switches` more.
Target: growth < 10 %.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from civic.app.screen import theme
from devtools import wsclient

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CIVIC_CHROMIUM", "/usr/bin/chromium")
DARK = theme.streamlit_flags()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--disable-background-timer-throttling",
                 "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"]
TICK_JS = "() => { const m = document.querySelector('.cv-marker'); return m ? parseInt(m.dataset.tick) : null }"
TARGET_GROWTH_PCT = 10.0
# what `make screen` sets: glibc keeps one malloc arena per thread by default, and Streamlit runs every script
# run on a new thread, so freed memory stays spread over many arenas; two arenas keep RSS flat (docs/screen.md)
SERVER_ENV = {"MALLOC_ARENA_MAX": "2"}


# the server and its lifetime are shared with the benchmark's live rows (devtools/wsclient.py)
_free_port = wsclient.free_port
_stop = wsclient.stop_server


def _start_server(data_dir: Path, port: int, log: Path, theme: list[str] = DARK) -> subprocess.Popen:
    return wsclient.start_server(data_dir, port, log, flags=theme, env=SERVER_ENV)


def _figures(samples: list[dict], done: int) -> dict:
    """Start and end RSS as medians over the first and last tenth of the run (at least 3 samples each): a
    single reading swings by ±5 % with the allocator, a window does not. Point readings are kept too."""
    import statistics

    def window(lo: float, hi: float) -> list[float]:
        vals = [x["rss_mb"] for x in samples if lo <= x["switches"] <= hi]
        return vals

    span = max(done, 1) * 0.1
    first = window(0, span) or [x["rss_mb"] for x in samples[:3]]
    last = window(done - span, done) or [x["rss_mb"] for x in samples[-3:]]
    if len(first) < 3:
        first = [x["rss_mb"] for x in samples[:3]]
    if len(last) < 3:
        last = [x["rss_mb"] for x in samples[-3:]]
    mid = window(done / 2 - span / 2, done / 2 + span / 2) or last
    start, end, middle = statistics.median(first), statistics.median(last), statistics.median(mid)
    return {"rss_start_mb": round(start, 1), "rss_end_mb": round(end, 1),
            "growth_pct": round((end - start) / start * 100, 2),
            "growth_second_half_pct": round((end - middle) / middle * 100, 2),
            "rss_start_point_mb": samples[0]["rss_mb"], "rss_end_point_mb": samples[-1]["rss_mb"],
            "rss_max_mb": round(max(x["rss_mb"] for x in samples), 1)}


def _rss_mb(pid: int) -> float:
    import psutil
    return psutil.Process(pid).memory_info().rss / 2**20


class _RssSampler:
    """The server's RSS: a start value once `warmup` switches are done, then one sample every `every_s` seconds
    (each a {t, switches since the start value, rss_mb} row, plus `extra()`)."""

    def __init__(self, pid: int, warmup: int, every_s: float, verbose: bool,
                 extra: Callable[[], dict] = dict) -> None:
        self.pid, self.warmup, self.every_s, self.verbose, self.extra = pid, warmup, every_s, verbose, extra
        self.samples: list[dict] = []
        self.rss_start: float | None = None
        self.n0, self.t0, self.next_sample = 0, 0.0, 0.0

    @property
    def started(self) -> bool:
        return self.rss_start is not None

    def observe(self, n: int, now: float) -> None:
        """`n` switches counted so far, `now` seconds since the soak started."""
        if self.rss_start is None and n >= self.warmup:
            self.rss_start, self.n0, self.t0 = _rss_mb(self.pid), n, now
            self.samples.append({"t": round(now, 1), "switches": 0, "rss_mb": round(self.rss_start, 1)})
            self.next_sample = now + self.every_s
        elif self.rss_start is not None and now >= self.next_sample:
            self.samples.append({"t": round(now, 1), "switches": n - self.n0, "rss_mb": round(_rss_mb(self.pid), 1),
                                 **self.extra()})
            self.next_sample = now + self.every_s
            if self.verbose:
                print(json.dumps(self.samples[-1]), file=sys.stderr, flush=True)


class _TickCounter:
    """Scene switches shown in the tabs so far: each tab's marker tick, counted on across reloads."""

    def __init__(self, pages: list) -> None:
        self.pages = pages
        self.base: list[int | None] = [None] * len(pages)
        self.last = [0] * len(pages)

    def count(self) -> int:
        total = 0
        for i, p in enumerate(self.pages):
            try:
                v = p.evaluate(TICK_JS)
            except Exception:  # noqa: BLE001 - reload or navigation in progress
                v = None
            if isinstance(v, int):
                base = v if self.base[i] is None else self.base[i]
                if v < self.last[i]:          # a new session (reload): keep counting from here
                    base -= self.last[i]
                self.base[i] = base
                self.last[i] = v
                total += v - base
        return total


def _open_tabs(browser, tabs: int, viewport: tuple[int, int], url: str, errors: list[str]) -> list:
    """`tabs` tabs on the screen, each in its own context; nothing leaves the machine."""
    pages = []
    for _ in range(tabs):
        ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
        page = ctx.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")) else r.abort())
        page.goto(url)
        pages.append(page)
    for p in pages:
        p.on("pageerror", lambda e: errors.append(str(e)[:300]))
    return pages


def _soak_browser(data_dir, switches: int = 2000, *, tabs: int = 3, rotate: int = 1, warmup: int = 150,
                  layout: str = "1080p", viewport: tuple[int, int] = (1280, 720), timeout_s: float | None = None,
                  sample_every_s: float = 5.0, verbose: bool = False) -> dict:
    """Chromium tabs; see `soak`."""
    from playwright.sync_api import sync_playwright

    data_dir = Path(data_dir).resolve()
    timeout_s = timeout_s or max(1200.0, 4.0 * (switches + warmup) * rotate / max(tabs, 1))
    port = _free_port()
    log = ROOT / "artifacts" / f"screen-soak-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}/screen?embed=true&rotate={rotate}&layout={layout}&reload=off"
    proc = _start_server(data_dir, port, log)
    t_start = time.monotonic()
    result: dict = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            errors: list[str] = []
            pages = _open_tabs(browser, tabs, viewport, url, errors)
            counter = _TickCounter(pages)
            sampler = _RssSampler(proc.pid, warmup, sample_every_s, verbose)
            while True:
                n = counter.count()
                now = time.monotonic() - t_start
                sampler.observe(n, now)
                if (sampler.started and n - sampler.n0 >= switches) or now > timeout_s:
                    break
                pages[0].wait_for_timeout(250)
            rss_end = _rss_mb(proc.pid)
            done = (n - sampler.n0) if sampler.started else 0
            samples = sampler.samples
            samples.append({"t": round(time.monotonic() - t_start, 1), "switches": done, "rss_mb": round(rss_end, 1)})
            fig = _figures(samples, done)
            duration = time.monotonic() - t_start - (sampler.t0 if done else 0)
            result = {
                **fig,
                "switches": done, "warmup_switches": warmup, "completed": done >= switches,
                "target_growth_pct": TARGET_GROWTH_PCT,
                "passed": done >= switches and fig["growth_pct"] < TARGET_GROWTH_PCT,
                "duration_s": round(duration, 1), "switches_per_s": round(done / duration, 2) if duration else None,
                "mode": "browser", "tabs": tabs, "rotate_s": rotate, "layout": layout, "viewport": list(viewport),
                "page_errors": errors[:10], "samples": samples,
            }
            browser.close()
    finally:
        _stop(proc)
    return result


# ── the websocket-protocol client ────────────────────────────────────────────────────────────
_MARKER_RE = re.compile(r'class="cv-marker" data-scene="(\d)"')


class _Stats:
    def __init__(self):
        self.switches = 0          # fragment runs that showed a different scene than the run before
        self.runs = 0              # fragment runs finished
        self.sessions = 0
        self.scenes: dict[str, int] = {}
        self.errors: list[str] = []


async def _session(port: int, query: str, stats: _Stats, stop: asyncio.Event, runs: int, pause_s: float) -> None:
    """One screen: open a session, follow the fragment's auto-rerun until `runs` fragment runs, then close."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=60) as ws:
        stats.sessions += 1
        first = BackMsg()
        first.rerun_script.query_string = query
        first.rerun_script.page_name = "screen"
        first.rerun_script.context_info.timezone = "Asia/Shanghai"
        await ws.send(first.SerializeToString())
        fragment, page_hash, last_scene, done = None, "", None, 0
        while not stop.is_set() and done < runs:
            try:
                data = await asyncio.wait_for(ws.recv(), 120)
            except asyncio.TimeoutError:
                stats.errors.append("no message from the server for 120 s")
                return
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                page_hash = msg.new_session.page_script_hash or page_hash
            elif kind == "auto_rerun":
                fragment = msg.auto_rerun.fragment_id
            elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "html":
                m = _MARKER_RE.search(msg.delta.new_element.html.body)
                if m:
                    scene = m.group(1)
                    stats.scenes[scene] = stats.scenes.get(scene, 0) + 1
                    if last_scene is not None and scene != last_scene:
                        stats.switches += 1
                    last_scene = scene
                elif "stException" in msg.delta.new_element.html.body:
                    stats.errors.append("exception")
            elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                stats.errors.append(msg.delta.new_element.exception.message[:200])
            elif kind == "script_finished" and fragment:
                if msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                    stats.runs += 1
                    done += 1
                # what the browser does for st.fragment(run_every=...): ask for the fragment again
                await asyncio.sleep(pause_s)
                again = BackMsg()
                again.rerun_script.query_string = query
                again.rerun_script.page_script_hash = page_hash
                again.rerun_script.fragment_id = fragment
                again.rerun_script.is_auto_rerun = True
                await ws.send(again.SerializeToString())


async def _client(port: int, query: str, stats: _Stats, stop: asyncio.Event, reconnect_every: int,
                  pause_s: float) -> None:
    while not stop.is_set():
        try:
            await _session(port, query, stats, stop, reconnect_every, pause_s)
        except Exception as exc:  # noqa: BLE001 - count and reconnect, like the frontend
            stats.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            await asyncio.sleep(1)


def _publish_touch(note: str) -> str:
    """A new snapshot with one changed row (the screen's caches and reader connections turn over)."""
    from civic.store import db, snapshots
    with snapshots.transaction(note) as work:
        con = db.connect_write(work)
        con.execute("UPDATE meta SET value = ? WHERE key = 'built_at'", [time.strftime("%Y-%m-%dT%H:%M:%S")])
        con.execute("CHECKPOINT")
        con.close()
    return snapshots.current().version


class _WsRun:
    """The measured run of the websocket soak: `clients` screens switching until `switches` switches after the
    warm-up (or `timeout_s`), with snapshots published along the way when `publish_every` is set."""

    def __init__(self, port: int, query: str, sampler: _RssSampler, *, clients: int, rotate: int,
                 reconnect_every: int, switches: int, warmup: int, publish_every: int, timeout_s: float) -> None:
        self.port, self.query, self.sampler = port, query, sampler
        self.clients, self.rotate, self.reconnect_every = clients, rotate, reconnect_every
        self.switches, self.warmup, self.publish_every, self.timeout_s = switches, warmup, publish_every, timeout_s
        self.stats = _Stats()
        self.published: list[str] = []
        self.warm: dict = {}

    async def run(self, t_start: float) -> None:
        stop = asyncio.Event()
        # a fragment run is due every `rotate` s; the screen advances when at least half of it has passed
        pause = self.rotate * 0.55
        tasks = [asyncio.create_task(_client(self.port, self.query, self.stats, stop, self.reconnect_every, pause))
                 for _ in range(self.clients)]
        sampler = self.sampler
        try:
            while True:
                await asyncio.sleep(0.25)
                now = time.monotonic() - t_start
                n = self.stats.switches
                sampler.observe(n, now)
                if self.publish_every and self._swap_due(n):
                    if not self.published:
                        self.warm["rss_before_first_swap_mb"] = round(_rss_mb(sampler.pid), 1)
                    self.published.append(await asyncio.to_thread(_publish_touch, f"soak {n}"))
                if (sampler.started and n - sampler.n0 >= self.switches) or now > self.timeout_s:
                    break
        finally:
            stop.set()
            for tk in tasks:
                tk.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _swap_due(self, n: int) -> bool:
        """The warm-up includes one snapshot swap (the first one costs a one-time step of DuckDB and allocator
        memory); later swaps come every `publish_every` switches of the measured run."""
        if not self.sampler.started:       # one swap in the middle of the warm-up
            return not self.published and n >= self.warmup // 2
        return n - self.sampler.n0 >= self.publish_every * len(self.published)


def _soak_ws(data_dir, switches: int, *, clients: int, rotate: int, warmup: int, layout: str,
             reconnect_every: int, publish_every: int, timeout_s: float | None, sample_every_s: float,
             verbose: bool) -> dict:
    import shutil
    import tempfile

    timeout_s = timeout_s or max(900.0, 3.0 * (switches + warmup) * rotate / max(clients, 1))
    work_dir = None
    src = Path(data_dir).resolve()
    if publish_every:
        work_dir = Path(tempfile.mkdtemp(prefix="screen-soak-"))
        shutil.copytree(src, work_dir / "data", ignore=shutil.ignore_patterns("*.lock", "tmp"))
        src = work_dir / "data"
    port = _free_port()
    log = ROOT / "artifacts" / f"screen-soak-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    old_env = os.environ.get("CIVIC_DATA_DIR")
    os.environ["CIVIC_DATA_DIR"] = str(src)
    proc = _start_server(src, port, log)
    sampler = _RssSampler(proc.pid, warmup, sample_every_s, verbose, extra=lambda: {"sessions": r.stats.sessions})
    r = _WsRun(port, f"embed=true&rotate={rotate}&layout={layout}&reload=off", sampler, clients=clients,
               rotate=rotate, reconnect_every=reconnect_every, switches=switches, warmup=warmup,
               publish_every=publish_every, timeout_s=timeout_s)
    t_start = time.monotonic()
    try:
        asyncio.run(r.run(t_start))
        rss_end = _rss_mb(proc.pid)
    finally:
        _stop(proc)
        if old_env is None:
            os.environ.pop("CIVIC_DATA_DIR", None)
        else:
            os.environ["CIVIC_DATA_DIR"] = old_env
        if work_dir is not None:
            shutil.rmtree(work_dir, ignore_errors=True)
    return _ws_result(r, rss_end, time.monotonic() - t_start, layout=layout)


def _ws_result(r: _WsRun, rss_end: float, elapsed: float, *, layout: str) -> dict:
    """The websocket soak's result: the RSS figures and how the run went."""
    stats, sampler = r.stats, r.sampler
    done = stats.switches - sampler.n0 if sampler.started else 0
    duration = elapsed - sampler.t0
    samples = sampler.samples
    samples.append({"t": round(elapsed, 1), "switches": done, "rss_mb": round(rss_end, 1),
                    "sessions": stats.sessions})
    fig = _figures(samples, done)
    return {
        **fig,
        "switches": done, "warmup_switches": r.warmup, "fragment_runs": stats.runs, "completed": done >= r.switches,
        "target_growth_pct": TARGET_GROWTH_PCT,
        "passed": done >= r.switches and fig["growth_pct"] < TARGET_GROWTH_PCT,
        "duration_s": round(duration, 1), "switches_per_s": round(done / duration, 2) if duration > 0 else None,
        "mode": "ws", "clients": r.clients, "sessions_opened": stats.sessions, "reconnect_every": r.reconnect_every,
        "snapshots_published": len(r.published), "rotate_s": r.rotate, "layout": layout, **r.warm,
        "server_env": {k: os.environ.get(k, v) for k, v in SERVER_ENV.items()},
        "scenes_shown": dict(sorted(stats.scenes.items())), "errors": stats.errors[:10],
        "samples": samples,
    }


def soak(data_dir, switches: int = 2000, *, mode: str = "ws", clients: int = 4, rotate: int = 1,
         warmup: int = 200, layout: str = "1080p", reconnect_every: int = 250, publish_every: int = 500,
         timeout_s: float | None = None, sample_every_s: float = 5.0, verbose: bool = False) -> dict:
    """Run the soak against a fresh server on `data_dir`; returns a dict with rss_start_mb, rss_end_mb,
    growth_pct (end vs start, after the warm-up), growth_second_half_pct, rss_max_mb, switches, duration_s,
    passed (completed and growth < 10 %), samples, ...

    mode "ws" (default): `clients` protocol clients, each session reopened every `reconnect_every` fragment
    runs; a snapshot published every `publish_every` switches (0: never) into a private copy of the data.
    mode "browser": `clients` Chromium tabs. `timeout_s` stops early (`completed` False).
    """
    if mode == "browser":
        return _soak_browser(data_dir, switches, tabs=clients, rotate=rotate, warmup=warmup, layout=layout,
                             timeout_s=timeout_s, sample_every_s=sample_every_s, verbose=verbose)
    if mode != "ws":
        raise ValueError(f"mode must be 'ws' or 'browser', not {mode!r}")
    return _soak_ws(data_dir, switches, clients=clients, rotate=rotate, warmup=warmup, layout=layout,
                    reconnect_every=reconnect_every, publish_every=publish_every, timeout_s=timeout_s,
                    sample_every_s=sample_every_s, verbose=verbose)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=os.environ.get("CIVIC_DATA_DIR", str(ROOT / "data")))
    ap.add_argument("--switches", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--mode", choices=["ws", "browser"], default="ws")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--rotate", type=int, default=1)
    ap.add_argument("--layout", default="1080p")
    ap.add_argument("--reconnect-every", type=int, default=250)
    ap.add_argument("--publish-every", type=int, default=500)
    ap.add_argument("--out", help="also write the JSON result here")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    r = soak(a.data_dir, a.switches, mode=a.mode, clients=a.clients, rotate=a.rotate, warmup=a.warmup,
             layout=a.layout, reconnect_every=a.reconnect_every, publish_every=a.publish_every, verbose=a.verbose)
    text = json.dumps(r, ensure_ascii=False, indent=2)
    print(text)
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(text, encoding="utf-8")
    return 0 if r.get("passed") else 1


if __name__ == "__main__":
    sys.exit(main())
