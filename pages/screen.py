"""展厅大屏: the exhibition-hall big screen. Unattended, offline, for weeks.

Open as `/screen?embed=true` in Chromium `--kiosk` on the dark server (`make screen`). See docs/screen.md.
The parts live in civic/app/screen/: params (URL parameters), data (the scenes' queries), scenes (one function
per scene), html (cards, title bar, footer; the CSS and script from static/screen/), theme (the dark theme).

How it stays up: one fragment (`_stage`) reruns every `tick` seconds (≤ 30 s). Each run advances the playlist
when the scene's time is up and re-reads the scene's data (queries are cached by snapshot version, so a new
snapshot shows within one tick). The last good data of every scene is kept (in the session and for the
process); when the database is briefly unavailable the screen keeps showing it with a small stale marker.
A tiny script keeps the clock, picks the layout, reloads nightly, and reloads the page if the scene stops
advancing while the server answers /_stcore/health (self-healing after anything unexpected).
Privacy: only aggregates and site names. No activity titles (free text), no people, no link anywhere.
"""
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from civic.app.screen import data, html, scenes
from civic.app.screen.params import advance, parse_params
from civic.figures import charts

TZ_DEFAULT = "Asia/Shanghai"

P, bad = parse_params({k: st.query_params.get_all(k) for k in st.query_params})
st.session_state["lang"] = P.lang
charts.register_template(dark=True)
L = P.layout
notices = [n.text for n in bad]

st.html(html.css(L))
st.html(html.script(P), unsafe_allow_javascript=True)


def _tz() -> ZoneInfo:
    """The browser's time zone (the clock and 今日 are the hall's), China's when it is unknown."""
    try:
        name = st.context.timezone
    except Exception:  # noqa: BLE001 - no browser context (AppTest)
        name = None
    try:
        return ZoneInfo(name or TZ_DEFAULT)
    except Exception:  # noqa: BLE001 - unknown zone name from the browser
        return ZoneInfo(TZ_DEFAULT)


def _scene_now() -> str:
    """The scene to show now: pinned, or the playlist advanced when the current scene's time is up."""
    if P.pinned:
        return P.pinned
    if not P.rotating:
        return P.playlist[0]
    ss = st.session_state
    idx, shown = advance(P, ss.get("_scr_idx"), ss.get("_scr_shown_at"), time.monotonic())
    ss["_scr_idx"], ss["_scr_shown_at"] = idx, shown
    return P.playlist[idx]


def _show(scene: str, payload: data.Payload, today: date) -> None:
    if scene == "overview":
        scenes.scene_overview(payload, L, P.lang)
    elif scene == "map":
        scenes.scene_map(payload, L, P.lang, today)
    elif scene == "renovation":
        scenes.scene_renovation(payload, L, P.lang)
    elif scene == "volunteer":
        scenes.scene_volunteer(payload, L, P.lang)
    else:
        scenes.scene_ticker(payload, L, P.lang, today, P.rotate if P.rotating else 0)


@st.fragment(run_every=timedelta(seconds=P.tick))
def _stage() -> None:
    ss = st.session_state
    ss["_scr_tick"] = ss.get("_scr_tick", 0) + 1
    scene = _scene_now()
    tz = _tz()
    now = datetime.now(tz)
    payload, stale = data.fetch(scene)
    head = payload["head"] if payload else None
    stale_since = datetime.fromtimestamp(payload["at"], tz).strftime("%H:%M") if stale and payload else None
    st.html(html.title_bar(head, now, P.lang))
    if payload is None:
        st.html(html.connecting(L))
    else:
        _show(scene, payload, now.date())
    st.html(html.footer(P, scene, stale_since, notices, ss["_scr_tick"], head["version"] if head else None))


_stage()
