"""A real `streamlit run app.py` server on a free loopback port, and a headless client that speaks Streamlit's
websocket protocol the way the browser's frontend does (used by devtools/screen_soak.py and the live rows of
the benchmark, devtools/bench/live.py).

    proc = start_server(data_dir, port := free_port(), log)
    async with Session(port) as s:
        first = await s.run("", page="volunteer")          # a first visit to /volunteer
        change = await s.pick("f_towns", ["夏店镇"])        # a click in the town filter
        linked = await s.run("town=夏店镇")                 # or new filters from the URL (a link, back/forward)
    stop_server(proc)

What the client does like the browser:
- every run is a BackMsg `rerun_script` carrying the changed widget's state (a click: the widget's id as
  the server drew it, and its new value), the page (its name for the first run, then the page script hash
  the server announced in its `navigation` message) and the URL's query string;
- it keeps the query string the server writes back (`page_info_changed`), so a rerun with no change sends
  the canonical URL, as the browser's address bar does;
- it remembers the hash of every cacheable message it received and sends them as `cached_message_hashes`:
  the server then sends a short `ref_hash` message instead of an element the browser already holds, so the
  byte counts are what a browser is sent, not more.
A run ends with its `script_finished` message ("rendered" in the benchmark: the server has sent all of it).
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.harness import server_command

ROOT = Path(__file__).resolve().parent.parent
# A run of the page (not a fragment) that reached its end; the other outcomes are reported as statuses.
FINISHED = {"FINISHED_SUCCESSFULLY": "ok", "FINISHED_WITH_COMPILE_ERROR": "compile error",
            "FINISHED_EARLY_FOR_RERUN": "interrupted", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY": "fragment"}


def in_own_thread(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """fn(*args, **kwargs) on a fresh thread, its result or its exception handed back. asyncio.run and Playwright's
    sync API refuse a thread whose event loop is running, and a test session's Chromium (tests/browser) keeps one
    running on the main thread for the rest of the session."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread
            out["error"] = exc

    th = threading.Thread(target=target, name="devtools-own-loop", daemon=True)
    th.start()
    th.join()
    if "error" in out:
        raise out["error"]
    return out.get("result")


def run_coro(coro: Any) -> Any:
    """asyncio.run(coro) on its own thread (see in_own_thread)."""
    return in_own_thread(asyncio.run, coro)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, log: Path, flags: list[str] | tuple[str, ...] = (),
                 env: dict[str, str] | None = None, health_timeout: float = 60) -> subprocess.Popen:
    """The app server (`python -m civic serve app.py`) on 127.0.0.1:port over data_dir (its own process group), returned once
    /_stcore/health answers. `env` entries are defaults: the caller's environment wins."""
    full_env = {**(env or {}), **os.environ, "CIVIC_DATA_DIR": str(data_dir)}
    # started as `make run` starts it (`python -m civic serve`: warmed up before it answers, civic/app/warm.py)
    cmd = server_command(ROOT / "app.py", port, ["--browser.gatherUsageStats", "false", *flags])
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + health_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError(f"streamlit did not become healthy; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server's process group (only the one this module started)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@dataclass
class RunResult:
    """One script run as the client saw it."""
    status: str                    # "ok", "compile error", "interrupted", "timeout", "page not found", ...
    wall_s: float                  # rerun_script sent → script_finished received
    bytes: int = 0                 # every ForwardMsg of the run, as sent over the socket
    messages: int = 0
    elements: int = 0              # new_element deltas (sent in full or as a reference to one it holds)
    references: int = 0            # elements the server did not resend (the client had them cached)
    exceptions: list[str] = field(default_factory=list)
    digest: str = ""               # of the elements' content in order: equal digests = the same page drawn
    texts: list[str] = field(default_factory=list)   # markdown / metric / html text, for checks
    page_hash: str = ""            # the page the run drew (its navigation message)

    @property
    def ok(self) -> bool:
        return self.status == "ok" and not self.exceptions


class Session:
    """One browser tab's session: `async with Session(port) as s: await s.run(query, page=...)`."""

    def __init__(self, port: int, timeout: float = 120.0, timezone: str = "Asia/Shanghai") -> None:
        self.port, self.timeout, self.timezone = port, timeout, timezone
        self.query = ""
        self.page_hash = ""
        self.cached: set[str] = set()
        self.widgets: dict[str, Any] = {}     # user key → the widget's element proto, as last drawn
        self._ws: Any = None

    async def __aenter__(self) -> Session:
        import websockets
        # no keepalive pings (a browser sends none): a server busy with 20 sessions may not answer one within
        # websockets' 20 s, and the client would drop the session (devtools/cluster_load.py found it)
        self._ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream",
                                            subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                            ping_interval=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ws.close()

    def _rerun_msg(self, query: str | None, page: str | None, widget: Any = None) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        if query is not None:
            self.query = query
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        if widget is not None:
            rs.widget_states.widgets.append(widget)
        if page is not None:
            rs.page_name = page
        elif self.page_hash:
            rs.page_script_hash = self.page_hash
        rs.context_info.timezone = self.timezone
        rs.cached_message_hashes.extend(sorted(self.cached))
        return msg.SerializeToString()

    async def pick(self, key: str, options: list[str]) -> RunResult:
        """A click in the multiselect with user key `key`: its value becomes `options` (labels as drawn).
        Like the browser, only the changed widget's state is sent; the server keeps the others'."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState
        el = self.widgets.get(key)
        if el is None or not hasattr(el, "options"):
            raise KeyError(f"no multiselect {key!r} drawn")
        missing = [o for o in options if o not in el.options]
        if missing:
            raise KeyError(f"{key!r} offers no {missing}")
        state = WidgetState(id=el.id)
        state.string_array_value.data.extend(options)
        return await self.run(widget=state)

    async def run(self, query: str | None = None, page: str | None = None, widget: Any = None) -> RunResult:
        """One script run: `query` replaces the URL's query string (None: keep the current one, a rerun
        with no change); `page` names the page (a first visit or a navigation); `widget` a changed
        WidgetState (see `pick`)."""
        t0 = time.perf_counter()
        await self._ws.send(self._rerun_msg(query, page, widget))
        res = RunResult(status="timeout", wall_s=0.0)
        digest = hashlib.sha1()
        deadline = t0 + self.timeout
        while True:
            try:
                data = await asyncio.wait_for(self._ws.recv(), max(deadline - time.perf_counter(), 0.01))
            except asyncio.TimeoutError:
                break
            res.bytes += len(data)
            res.messages += 1
            if self._take(data, res, digest):
                break
        res.wall_s = time.perf_counter() - t0
        res.page_hash = self.page_hash
        res.digest = digest.hexdigest()[:16]
        return res

    def _take(self, data: bytes, res: RunResult, digest: Any) -> bool:
        """Read one ForwardMsg into `res`; True when it ends the run."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if msg.metadata.cacheable and msg.hash:
            self.cached.add(msg.hash)      # what the browser's message cache keeps
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
        elif kind == "navigation":
            # st.navigation names the page it ran (new_session may carry the main script's or the last
            # page's hash); the browser reruns this one, so must we, or a rerun lands on the default page
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            res.status = "page not found"
        elif kind == "ref_hash":
            res.elements += 1
            res.references += 1
            digest.update(msg.ref_hash.encode())
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            res.elements += 1
            _read_element(msg, res, digest)
            self._keep_widget(msg.delta.new_element)
        elif kind == "script_finished":
            name = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            if res.status != "page not found":
                res.status = FINISHED.get(name, name)
            # a fragment's run is not the page's; a run the script itself ended with st.rerun() is followed
            # by the new run the server starts on its own, which the browser waits for too
            return name not in ("FINISHED_FRAGMENT_RUN_SUCCESSFULLY", "FINISHED_EARLY_FOR_RERUN")
        return False


    def _keep_widget(self, el: Any) -> None:
        """Widgets with a user key: Streamlit's id for them ends with "-<key>"."""
        body = getattr(el, el.WhichOneof("type") or "", None)
        wid = getattr(body, "id", "") if body is not None else ""
        if isinstance(wid, str) and wid.startswith("$$ID-") and wid.count("-") >= 2:
            self.widgets[wid.split("-", 2)[2]] = body


def _read_element(msg: Any, res: RunResult, digest: Any) -> None:
    """An element's content hash (the server's own, else its bytes), its text and any exception it shows."""
    el = msg.delta.new_element
    kind = el.WhichOneof("type")
    if kind != "download_button":       # its file URL is new on every run, whatever the page shows
        digest.update((msg.hash or hashlib.sha1(el.SerializeToString(deterministic=True)).hexdigest()).encode())
    if kind == "exception":
        res.exceptions.append(el.exception.message[:300])
    elif kind == "markdown":
        res.texts.append(el.markdown.body)
    elif kind == "metric":
        res.texts.append(f"{el.metric.label}: {el.metric.body}")
    elif kind == "html":
        res.texts.append(el.html.body)
        if "stException" in el.html.body:
            res.exceptions.append("exception (html)")
