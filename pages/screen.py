"""展厅大屏: the exhibition-hall big screen. Unattended, offline, for weeks.

Open as `/screen?embed=true` in Chromium `--kiosk` on the dark server (`make screen`). See docs/screen.md.

URL parameters (all optional, validated; a bad value falls back and a small notice shows in the footer):
  scene=1..5 | overview|map|renovation|volunteer|ticker   pin one scene (no rotation)
  scenes=1,3,5        the playlist (default: all five, in order)
  rotate=N            seconds per scene, 1..3600 (default 30)
  layout=1080p|4k|wide   1920×1080, 3840×2160, 3840×1080; without it the browser picks from its viewport
  lang=zh|en
  reload=HH:MM|off    daily page reload in the browser's local time (default 03:30), only when the server is up

How it stays up: one fragment (`_stage`) reruns every `tick` seconds (≤ 30 s). Each run advances the playlist
when the scene's time is up and re-reads the scene's data (queries are cached by snapshot version, so a new
snapshot shows within one tick). The last good data of every scene is kept (in the session and for the
process); when the database is briefly unavailable the screen keeps showing it with a small stale marker.
A tiny script keeps the clock, picks the layout, reloads nightly, and reloads the page if the scene stops
advancing while the server answers /_stcore/health (self-healing after anything unexpected).
Privacy: only aggregates and site names. No activity titles (free text), no people, no link anywhere.
"""
import html
import json
import logging
import math
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from civic import measures, stages
from civic.figures import charts
from civic.store import db, queries, snapshots
from civic.text import fmt
from civic.text.i18n import HTML_LANG, LANGS, t, tv

try:  # the map layers are shared with the map page (issue 4)
    from civic.map import maps
except ImportError:  # pragma: no cover - until civic/map/maps.py lands
    maps = None

log = logging.getLogger("civic.screen")

SCENES = ("overview", "map", "renovation", "volunteer", "ticker")
ROTATE_DEFAULT, ROTATE_MIN, ROTATE_MAX = 30, 1, 3600
REFRESH_S = 30            # data refresh period when pinned or when scenes rotate slower than this
RELOAD_DEFAULT = "03:30"  # nightly page reload (browser local time)
TICKER_ROWS = 40          # rows fetched for the ticker
TZ_DEFAULT = "Asia/Shanghai"
DATA_ERRORS = (db.DataUnavailable, snapshots.NoSnapshot, queries.QueryError, duckdb.Error, OSError, ValueError,
               KeyError)


@dataclass(frozen=True)
class Layout:
    name: str
    width: int
    height: int
    s: float        # scale of every pixel size (1 at 1080 lines, 2 at 2160)
    wide: bool      # 32:9 wall: more columns, same height

    def px(self, x: float) -> int:
        return int(round(x * self.s))

    # vertical budget (CSS pixels)
    @property
    def pad_top(self) -> int:
        return self.px(10)

    @property
    def pad_bottom(self) -> int:
        return self.px(8)

    @property
    def title_h(self) -> int:
        return self.px(84)

    @property
    def footer_h(self) -> int:
        return self.px(40)

    @property
    def gap(self) -> int:
        return self.px(12)

    @property
    def stage_h(self) -> int:
        return self.height - self.pad_top - self.pad_bottom - self.title_h - self.footer_h - 2 * self.gap

    @property
    def panel_pad(self) -> int:
        return self.px(14)

    @property
    def inner_gap(self) -> int:
        return self.px(10)

    def inner_h(self, outer: int) -> int:
        """Usable height inside a panel of outer height `outer`."""
        return outer - 2 * self.panel_pad - 2   # 2 = borders


LAYOUTS = {
    "1080p": Layout("1080p", 1920, 1080, 1.0, False),
    "4k": Layout("4k", 3840, 2160, 2.0, False),
    "wide": Layout("wide", 3840, 1080, 1.0, True),
}
LAYOUT_DEFAULT = "1080p"


@dataclass(frozen=True)
class Params:
    playlist: tuple[str, ...]
    pinned: str | None
    rotate: int
    layout: Layout
    layout_given: bool
    lang: str
    reload_at: str | None

    @property
    def rotating(self) -> bool:
        return self.pinned is None and len(self.playlist) > 1

    @property
    def tick(self) -> float:
        """Seconds between fragment runs: the rotation period, split so data refreshes at least every REFRESH_S."""
        if not self.rotating:
            return float(REFRESH_S)
        k = max(1, math.ceil(self.rotate / REFRESH_S))
        return self.rotate / k


def _scene_of(raw: str) -> str | None:
    v = raw.strip().lower()
    if v.isdigit() and 1 <= int(v) <= len(SCENES):
        return SCENES[int(v) - 1]
    return v if v in SCENES else None


def _short(v: str, n: int = 16) -> str:
    v = "".join(ch for ch in v if ch.isprintable())
    return v if len(v) <= n else v[:n] + "…"


def parse_params(query: dict[str, list[str]]) -> tuple[Params, list[tuple[str, str, str]]]:
    """URL parameters → Params, with (param, bad value, value used) for every fallback. Never raises."""
    bad: list[tuple[str, str, str]] = []

    def last(name: str) -> str | None:
        vals = query.get(name) or []
        return vals[-1] if vals else None

    lang = last("lang")
    if lang is not None and lang not in LANGS:
        bad.append(("lang", lang, "zh"))
        lang = "zh"
    lang = lang or "zh"

    playlist = SCENES
    raw = last("scenes")
    if raw is not None:
        items = [_scene_of(x) for x in raw.split(",") if x.strip()]
        good = tuple(dict.fromkeys(x for x in items if x))
        if not good or len(good) != len(items):
            bad.append(("scenes", raw, ",".join(str(SCENES.index(x) + 1) for x in (good or SCENES))))
        playlist = good or SCENES

    pinned = None
    raw = last("scene")
    if raw is not None:
        pinned = _scene_of(raw)
        if pinned is None:
            bad.append(("scene", raw, t("screen.all_scenes", lang)))

    rotate = ROTATE_DEFAULT
    raw = last("rotate")
    if raw is not None:
        try:
            rotate = int(float(raw.strip()))
            if not (ROTATE_MIN <= rotate <= ROTATE_MAX) or not math.isfinite(float(raw)):
                raise ValueError
        except (ValueError, OverflowError):
            bad.append(("rotate", raw, str(ROTATE_DEFAULT)))
            rotate = ROTATE_DEFAULT

    layout, given = LAYOUTS[LAYOUT_DEFAULT], False
    raw = last("layout")
    if raw is not None:
        key = raw.strip().lower()
        if key in LAYOUTS:
            layout, given = LAYOUTS[key], True
        else:
            bad.append(("layout", raw, t("screen.auto", lang)))

    reload_at: str | None = RELOAD_DEFAULT
    raw = last("reload")
    if raw is not None:
        v = raw.strip().lower()
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", v)
        if v in ("off", "0", "no", "false"):
            reload_at = None
        elif m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            reload_at = f"{int(m.group(1)):02d}:{m.group(2)}"
        else:
            bad.append(("reload", raw, RELOAD_DEFAULT))

    return Params(playlist, pinned, rotate, layout, given, lang, reload_at), \
        [(p, _short(v), u) for p, v, u in bad]


# ── data: every scene's payload, fetched together, last good kept ─────────────────────────────
def _dates(anchor: date) -> dict:
    return {"day": anchor, "month_from": anchor.replace(day=1), "year_from": anchor.replace(month=1, day=1)}


def _months_back(anchor: date, n: int) -> date:
    y, m = anchor.year, anchor.month - (n - 1)
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def _head() -> dict:
    snap = snapshots.current()
    as_of = date.fromisoformat(str(queries.scalar("meta_as_of")))
    return {"version": snap.version, "published_at": snap.published_at, "as_of": as_of}


def _year_to_date(d: dict) -> measures.Comparison:
    """This year to the data's last day: the overview page's 本年 window, from the same module (the screen
    shows no delta, so the data's first day does not matter here)."""
    return measures.compare(d["year_from"], d["day"], d["year_from"])


def _load_overview(d: dict) -> dict:
    day = d["day"]
    ytd = _year_to_date(d)
    # the overview page's figures for 本年 and every town, from the same calls
    act = measures.activity_figures({"towns": []}, ytd)
    p = {"stations": int(queries.run("overview_practice_kpis", towns=[]).stations.iloc[0]),
         "wishes_done": measures.wish_figures({"towns": []}, ytd)["value"],
         **{k: act[k]["value"] for k in ("activities", "volunteers", "beneficiaries")}}
    r = stages.headline(d["day"]).to_dict()      # the renovation page's and the overview's figures
    teams = queries.run("screen_teams").iloc[0].to_dict()
    trend = queries.run("overview_activity_trend", towns=[], date_from=_months_back(day, 12), date_to=day)
    funnel = stages.counts()
    return {"practice": p, "renovation": r, "teams": teams, "trend": trend, "funnel": funnel}


def _load_map(d: dict) -> dict:
    live = queries.run("screen_live", day=d["day"], month_from=d["month_from"]).iloc[0].to_dict()
    towns = queries.run("screen_town_activity", date_from=d["month_from"], date_to=d["day"])
    out = {"live": live, "towns": towns, "map": None}
    if maps is not None:
        q = dict(towns=[], date_from=d["month_from"], date_to=d["day"], as_of=d["day"])
        sites, mtowns = queries.run("map_sites", **q), queries.run("map_towns", **q)
        out["map"] = {"sites": sites, "towns": mtowns, "outline": maps.outlines(mtowns.county_code.unique())}
    return out


def _load_renovation(d: dict) -> dict:
    return {"kpis": stages.headline(d["day"]).to_dict(),
            "funnel": stages.counts(),
            "scurve": queries.run("screen_renovation_scurve", as_of=d["day"])}


def _load_volunteer(d: dict) -> dict:
    theme = queries.run("screen_theme", day=d["day"])
    return {"trend": queries.run("screen_volunteer_trend", date_from=_months_back(d["day"], 24), date_to=d["day"]),
            "theme": theme.iloc[0].to_dict() if not theme.empty else None,
            "teams": queries.run("screen_teams").iloc[0].to_dict(),
            "hours_ytd": measures.activity_figures({"towns": []}, _year_to_date(d))["hours"]["value"],
            "mix": queries.run("screen_service_mix", date_from=d["month_from"], date_to=d["day"])}


def _load_ticker(d: dict) -> dict:
    return {"rows": queries.run("screen_latest", day=d["day"], n=TICKER_ROWS),
            "live": queries.run("screen_live", day=d["day"], month_from=d["month_from"]).iloc[0].to_dict(),
            "mix": queries.run("screen_service_mix", date_from=d["day"], date_to=d["day"]),
            "towns": queries.run("screen_town_activity", date_from=d["month_from"], date_to=d["day"])}


LOADERS = {"overview": _load_overview, "map": _load_map, "renovation": _load_renovation,
           "volunteer": _load_volunteer, "ticker": _load_ticker}


@st.cache_resource(show_spinner=False)
def _process_last_good() -> dict:
    """The last good payload per scene for the whole process (a screen reopened during an outage still shows
    data). Bounded: one entry per scene."""
    return {}


def fetch(scene: str) -> tuple[dict | None, bool]:
    """(payload, stale). payload is None only when no data was ever read (a fresh start during an outage)."""
    ss = st.session_state
    mine = ss.setdefault("_scr_good", {})
    try:
        # the scene's fragment reruns outside shell.run()'s pin: pin here, so one scene reads one snapshot
        with db.pinned():
            head = _head()
            payload = {"head": head, "at": time.time(), **LOADERS[scene](_dates(head["as_of"]))}
    except DATA_ERRORS as exc:
        log.warning("screen: %s data unavailable, keeping the last good data: %s", scene, exc)
        payload = mine.get(scene) or _process_last_good().get(scene)
        return payload, True
    mine[scene] = payload
    _process_last_good()[scene] = payload
    return payload, False


# ── the map (civic/map/maps.py layers, dark) ──────────────────────────────────────────────────────
# Sizes in the shared layers are CSS pixels for a laptop; from 5 m the screen needs them bigger.
def map_deck(m: dict, L: Layout, width: int, height: int):
    """The station map for scene 2 from the map page's builders, dark, labels and marks scaled for the wall."""
    sm = maps.station_map(m["sites"], m["towns"], None, m["outline"], metric="activities", dark=True,
                          viewport=(width, height), mark_scale=round(1.35 * L.s, 2), label_scale=round(1.6 * L.s, 2))
    deck = sm.deck
    deck._tooltip = False   # nobody points at a kiosk; and no tooltip payload is needed
    return deck, sm


# ── formatting ───────────────────────────────────────────────────────────────────────────────
def esc(x) -> str:
    return html.escape(str(x), quote=True)


def num_parts(x, lang: str, digits: int = 2) -> tuple[str, str]:
    """12345 → ("1.23", "万") in Chinese, where 万/亿 go with the unit (1.23 万人次); in English the K/M
    suffix stays on the number (12.3K turns)."""
    s = fmt.num(x, lang, digits)
    if lang != "zh":
        return s, ""
    m = re.fullmatch(r"(-?[\d,.]+)(\D*)", s)
    return (m.group(1), m.group(2)) if m else (s, "")


def _em(text: str) -> float:
    """Approximate width of `text` in em for Noto Sans SC bold: digits ~0.58, punctuation ~0.3, CJK 1."""
    w = 0.0
    for ch in text:
        if ch.isdigit() or ch in "%/+-":
            w += 0.6
        elif ch in ",.:":
            w += 0.3
        elif ord(ch) < 0x2E80:
            w += 0.62
        else:
            w += 1.0
    return max(w, 0.6)


def kpi(label: str, value, unit_key: str, lang: str, L: Layout, *, raw: str | None = None, accent: str = "",
        sub: str = "", digits: int = 2) -> str:
    """A KPI card. The number shrinks to fit its card (CSS container units), so it is never cut off; its width
    estimate carries 8 % headroom (_em is approximate: "10.22K" measured 2 % wider than estimated)."""
    if raw is not None:
        number, mult = raw, ""
    else:
        number, mult = num_parts(value, lang, digits)
    unit = mult + (t(f"screen.unit.{unit_key}") if unit_key else "")
    if lang != "zh":
        # English unit words are long and repeat the label; keep only symbols (h, m²)
        unit = f" {unit}" if 0 < len(unit) <= 2 else ""
    unit_html = f'<span class="cv-unit">{esc(unit)}</span>' if unit else ""
    unit_w = (_em(unit) * L.px(26) + L.px(8)) if unit else 0
    sub_html = f'<div class="cv-kpi-sub">{esc(sub)}</div>' if sub else ""
    return (f'<div class="cv-kpi {accent}"><div class="cv-kpi-label">{esc(label)}</div>'
            f'<div class="cv-kpi-value" style="--w:{_em(number) * 1.08:.2f};--uw:{unit_w:.0f}px">'
            f'<span class="cv-num">{esc(number)}</span>{unit_html}</div>{sub_html}</div>')


def bars(rows: list[tuple[str, float, str]], lang: str, L: Layout, gap: int = 10, top: int = 8) -> str:
    """Horizontal bars as HTML: (label, value, colour). The label column fits the longest label."""
    vmax = max([v for _, v, _ in rows] + [1])
    label_w = int(max([_em(lbl) for lbl, _, _ in rows] + [2]) * L.px(24) * 0.98) + L.px(12)
    out = []
    for label, value, colour in rows:
        fill = f"background:{colour};" if colour else ""
        out.append(f'<div class="cv-bar" style="grid-template-columns:{label_w}px 1fr {L.px(96)}px">'
                   f'<div>{esc(label)}</div><div class="track"><div class="fill" '
                   f'style="width:{100 * value / vmax:.1f}%;{fill}"></div></div>'
                   f'<div class="v">{esc(fmt.num(value, lang))}</div></div>')
    return (f'<div class="cv-bars" style="margin-top:{L.px(top)}px; gap:{L.px(gap)}px">{"".join(out)}</div>')


def town_rows(towns: pd.DataFrame, n: int = 9) -> list[tuple[str, float, str]]:
    return [(str(r.town_name), float(r.activities), "") for r in towns.head(n).itertuples()]


def mix_rows(mix: pd.DataFrame) -> list[tuple[str, float, str]]:
    return [(tv("service_type", r.service_type), float(r.activities), charts.SERVICE_COLORS.get(r.service_type, CYAN))
            for r in mix.itertuples()]


def day_label(d: date, today: date, lang: str) -> str:
    if d == today:
        return t("screen.today")
    return f"{d.month}月{d.day}日" if lang == "zh" else d.strftime("%-d %b")


def _tz() -> ZoneInfo:
    name = None
    try:
        name = st.context.timezone
    except Exception:  # noqa: BLE001 - no browser context (AppTest)
        name = None
    try:
        return ZoneInfo(name or TZ_DEFAULT)
    except Exception:  # noqa: BLE001 - unknown zone name from the browser
        return ZoneInfo(TZ_DEFAULT)


def clock_texts(now: datetime, lang: str) -> tuple[str, str]:
    wd = t("screen.weekdays").split(",")[now.weekday()]
    if lang == "zh":
        return f"{now.year}年{now.month}月{now.day}日 {wd}", now.strftime("%H:%M")
    return f"{wd} {now.day} {now.strftime('%b %Y')}", now.strftime("%H:%M")


def as_of_text(published_at: str, now: datetime, lang: str) -> str:
    try:
        ts = datetime.fromisoformat(published_at)
    except (TypeError, ValueError):
        return "—"
    if ts.tzinfo is None:
        ts = ts.astimezone()
    ts = ts.astimezone(now.tzinfo)
    if ts.date() == now.date():
        return ts.strftime("%H:%M")
    return (f"{ts.month}月{ts.day}日 " if lang == "zh" else ts.strftime("%-d %b ")) + ts.strftime("%H:%M")


# ── page furniture: CSS, script, title bar, footer ───────────────────────────────────────────
BG = "#040d22"
CYAN, BLUE, AMBER, GREEN, MUTED_TXT = "#35d0ff", "#2f7cf6", "#ffb648", "#3ddc97", "#8fa8cc"


def css(L: Layout) -> str:
    p = L.px
    return f"""<style>
html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  background: {BG} !important; overflow: hidden !important; }}
[data-testid="stApp"] {{
  background: radial-gradient(ellipse 80% 60% at 50% 0%, #0f2d62 0%, #071633 55%, {BG} 100%) !important;
  color: #e6f1ff; }}
[data-testid="stAppViewContainer"], [data-testid="stMain"] {{ background: transparent !important; }}
::-webkit-scrollbar {{ display: none; width: 0; height: 0; }}
* {{ scrollbar-width: none; }}
header, [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stAppDeployButton"], [data-testid="stMainMenu"], [data-testid="stBottom"], footer,
[data-testid="stConnectionStatus"], [data-testid="stDialog"], [data-testid="stToast"],
[data-testid="stToastContainer"] {{ display: none !important; }}
[data-testid="stMainBlockContainer"] {{ padding: {L.pad_top}px {p(24)}px {L.pad_bottom}px !important;
  max-width: none !important; }}
[data-testid="stMainBlockContainer"] > div > [data-testid="stVerticalBlock"],
[data-testid="stVerticalBlock"] {{ gap: {L.gap}px !important; }}
[data-testid="stColumn"] [data-testid="stVerticalBlock"] {{ gap: {L.inner_gap}px !important; }}
[data-testid="stHorizontalBlock"] {{ gap: {p(16)}px !important; flex-wrap: nowrap !important; }}
[data-stale="true"], [data-retained="true"] {{ opacity: 1 !important; filter: none !important;
  transition: none !important; }}
[data-testid="stElementContainer"]:has(.cv-js) {{ display: none !important; }}
[data-testid="stElementContainer"] {{ transition: none !important; }}
[data-testid="stColumn"] {{ background: linear-gradient(180deg, rgba(20,58,120,.42), rgba(6,22,52,.55));
  border: 1px solid rgba(70,160,255,.32); border-radius: {p(6)}px; padding: {L.panel_pad}px {p(18)}px;
  box-shadow: inset 0 0 {p(28)}px rgba(40,130,255,.16); overflow: hidden; }}
.stHtml, .stHtml * {{ font-family: "Noto Sans SC", "Noto Sans CJK SC", sans-serif; }}
.cv-title {{ height: {L.title_h}px; display: grid; grid-template-columns: 1fr auto 1fr; align-items: center;
  border-bottom: {p(2)}px solid rgba(53,208,255,.55); box-shadow: 0 {p(8)}px {p(18)}px -{p(14)}px {CYAN};
  position: relative; }}
.cv-title h1 {{ margin: 0; padding: 0 {p(40)}px; font-size: {p(44)}px; font-weight: 700; letter-spacing: .08em;
  line-height: 1.15; white-space: nowrap;
  background: linear-gradient(180deg, #ffffff 20%, #8fdcff 100%); -webkit-background-clip: text;
  background-clip: text; color: transparent; }}
.cv-title .cv-l {{ font-size: {p(26)}px; color: #b8d4f5; white-space: nowrap; }}
.cv-title .cv-r {{ justify-self: end; text-align: right; white-space: nowrap; display: flex; align-items: baseline;
  gap: {p(20)}px; }}
.cv-clock {{ font-size: {p(44)}px; font-weight: 700; color: #ffffff; font-variant-numeric: tabular-nums;
  letter-spacing: .04em; }}
.cv-asof {{ font-size: {p(24)}px; color: {CYAN}; }}
.cv-footer {{ height: {L.footer_h}px; display: flex; align-items: center; justify-content: space-between;
  font-size: {p(20)}px; color: {MUTED_TXT}; white-space: nowrap; overflow: hidden; }}
.cv-pills {{ display: flex; gap: {p(10)}px; }}
.cv-pill {{ padding: {p(3)}px {p(16)}px; border-radius: {p(20)}px; border: 1px solid rgba(70,160,255,.3);
  color: {MUTED_TXT}; }}
.cv-pill.on {{ color: #04132e; background: {CYAN}; border-color: {CYAN}; font-weight: 700; }}
.cv-meta {{ display: flex; gap: {p(24)}px; align-items: center; }}
.cv-stale {{ color: {AMBER}; }}
.cv-stale::before {{ content: "●"; margin-right: {p(6)}px; }}
.cv-notice {{ color: #c7a15a; }}
.cv-conn {{ display: none; color: {AMBER}; }}
.cv-conn::before {{ content: "●"; margin-right: {p(6)}px; }}
[data-test-connection-state="PINGING_SERVER"] .cv-conn, [data-test-connection-state="CONNECTING"] .cv-conn,
[data-test-connection-state="DISCONNECTED_FOREVER"] .cv-conn {{ display: inline; }}
.cv-marker {{ display: none; }}
.cv-h {{ font-size: {p(28)}px; font-weight: 700; color: #dff3ff; height: {p(40)}px; line-height: {p(40)}px;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; border-left: {p(6)}px solid {CYAN};
  padding-left: {p(12)}px; margin-bottom: {p(8)}px; }}
.cv-h small {{ font-size: {p(20)}px; color: {MUTED_TXT}; font-weight: 400; margin-left: {p(12)}px; }}
.cv-grid {{ display: grid; gap: {p(12)}px; }}
.cv-kpi {{ background: rgba(10,34,78,.55); border: 1px solid rgba(70,160,255,.22); border-radius: {p(6)}px;
  padding: {p(10)}px {p(16)}px; display: flex; flex-direction: column; justify-content: center; min-width: 0;
  overflow: hidden; }}
.cv-kpi-label {{ font-size: {p(24)}px; color: #a9c4e8; white-space: nowrap; line-height: 1.3; }}
.cv-kpi-value {{ white-space: nowrap; line-height: 1.1; }}
.cv-kpi {{ container-type: inline-size; --fs: {p(60)}px; }}
.cv-kpi.big {{ --fs: {p(76)}px; }}
.cv-kpi.sm {{ --fs: {p(50)}px; }}
.cv-num {{ font-size: min(var(--fs), calc((100cqi - var(--uw)) / var(--w))); font-weight: 700;
  font-variant-numeric: tabular-nums; letter-spacing: .01em;
  background: linear-gradient(180deg, #ffffff 10%, #7fe0ff 100%); -webkit-background-clip: text;
  background-clip: text; color: transparent; }}
.cv-unit {{ font-size: {p(26)}px; color: #a9c4e8; margin-left: {p(6)}px; }}
.cv-kpi.amber .cv-num {{ background: linear-gradient(180deg, #fff4dc 10%, {AMBER} 100%);
  -webkit-background-clip: text; background-clip: text; }}
.cv-kpi.green .cv-num {{ background: linear-gradient(180deg, #e6fff4 10%, {GREEN} 100%);
  -webkit-background-clip: text; background-clip: text; }}
.cv-kpi-sub {{ font-size: {p(20)}px; color: {MUTED_TXT}; white-space: nowrap; }}
.cv-bars {{ display: flex; flex-direction: column; gap: {p(10)}px; }}
.cv-bar {{ display: grid; grid-template-columns: {p(120)}px 1fr {p(96)}px; align-items: center; gap: {p(12)}px;
  font-size: {p(24)}px; color: #dbe9ff; white-space: nowrap; }}
.cv-bar .track {{ height: {p(18)}px; background: rgba(70,160,255,.12); border-radius: {p(9)}px; overflow: hidden; }}
.cv-bar .fill {{ height: 100%; border-radius: {p(9)}px;
  background: linear-gradient(90deg, {BLUE}, {CYAN}); }}
.cv-bar .v {{ text-align: right; font-weight: 700; font-variant-numeric: tabular-nums; }}
.cv-theme {{ text-align: center; padding: {p(10)}px 0 {p(6)}px; }}
.cv-theme .name {{ font-size: {p(52)}px; font-weight: 700; color: {AMBER}; line-height: 1.25;
  text-shadow: 0 0 {p(18)}px rgba(255,182,72,.35); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }}
.cv-next {{ text-align: center; font-size: {p(24)}px; color: #a9c4e8; margin: 0 0 {p(14)}px; }}
.cv-next b {{ color: #ffd9a0; margin-left: {p(10)}px; }}
.cv-ticker {{ overflow: hidden; position: relative; }}
.cv-trow {{ display: grid; align-items: center; font-size: {p(26)}px; color: #e6f1ff; white-space: nowrap;
  border-bottom: 1px solid rgba(70,160,255,.14); }}
.cv-trow > div {{ overflow: hidden; text-overflow: ellipsis; padding: 0 {p(8)}px; }}
.cv-trow .n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.cv-thead {{ color: {CYAN}; font-size: {p(22)}px; background: rgba(53,208,255,.08);
  border-bottom: 1px solid rgba(53,208,255,.4); }}
.cv-trow:nth-child(even) {{ background: rgba(70,160,255,.05); }}
.cv-tag {{ display: inline-block; padding: 0 {p(10)}px; border-radius: {p(4)}px; font-size: {p(22)}px;
  line-height: 1.5; }}
.cv-pending {{ display: flex; align-items: center; justify-content: center; color: {MUTED_TXT};
  font-size: {p(32)}px; border: 1px dashed rgba(70,160,255,.3); border-radius: {p(6)}px; }}
@keyframes cv-in {{ from {{ opacity: .4; transform: translateY({p(6)}px); }} to {{ opacity: 1; transform: none; }} }}
.cv-anim {{ animation: cv-in .6s ease-out both; }}
</style>"""


JS = """<div class="cv-js" hidden></div><script>
(function (cfg) {
  var W = window;
  document.documentElement.lang = cfg.html_lang;
  var url = new URL(W.location.href);
  // 1. layout from the viewport when the URL does not name a valid one (one reload, then it is in the URL)
  var lay = url.searchParams.get('layout');
  if (cfg.layouts.indexOf(lay) < 0) {
    var w = W.innerWidth, h = W.innerHeight;
    var pick = (w / h >= 2.4) ? 'wide' : ((w >= 2560 || h >= 1440) ? '4k' : '1080p');
    if (lay !== null || pick !== cfg.layout) {
      url.searchParams.set('layout', pick);
      W.location.replace(url.toString());
      return;
    }
  }
  if (W.__cvTimer) { W.clearInterval(W.__cvTimer); }
  W.__cvLoadedAt = W.__cvLoadedAt || Date.now();
  var health = new URL('_stcore/health', W.location.href).toString();
  var reloading = false;
  function reloadIfHealthy(why) {
    if (reloading) return;
    reloading = true;
    fetch(health, {cache: 'no-store'}).then(function (r) {
      if (r.ok) { console.info('screen: reload (' + why + ')'); W.location.reload(); }
      else { reloading = false; }
    }).catch(function () { reloading = false; });
  }
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  var lastTick = null, lastChange = Date.now();
  function tick() {
    var d = new Date();
    var hm = pad(d.getHours()) + ':' + pad(d.getMinutes());
    var wd = cfg.weekdays[(d.getDay() + 6) % 7];
    var ds = cfg.lang === 'zh' ? (d.getFullYear() + '年' + (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + wd)
                               : (wd + ' ' + d.getDate() + ' ' + cfg.months[d.getMonth()] + ' ' + d.getFullYear());
    document.querySelectorAll('.cv-clock').forEach(function (el) { if (el.textContent !== hm) el.textContent = hm; });
    document.querySelectorAll('.cv-date').forEach(function (el) { if (el.textContent !== ds) el.textContent = ds; });
    // 2. watchdog: the scene marker must keep changing; if not and the server answers, reload
    var m = document.querySelector('.cv-marker');
    var tk = m ? m.getAttribute('data-tick') : null;
    if (tk !== lastTick) { lastTick = tk; lastChange = Date.now(); }
    else if (Date.now() - lastChange > cfg.watchdog_ms) { lastChange = Date.now(); reloadIfHealthy('watchdog'); }
    // 3. nightly reload (frees browser memory); only when the server is up, so no error page is shown
    if (cfg.reload_at && hm === cfg.reload_at && Date.now() - W.__cvLoadedAt > 120000) {
      reloadIfHealthy('nightly');
    }
  }
  tick();
  W.__cvTimer = W.setInterval(tick, 1000);
})(CFG);
</script>"""


def script(P: Params) -> str:
    cfg = {"layouts": list(LAYOUTS), "layout": P.layout.name if P.layout_given else LAYOUT_DEFAULT,
           "lang": P.lang, "html_lang": HTML_LANG[P.lang], "weekdays": t("screen.weekdays").split(","),
           "months": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
           "reload_at": P.reload_at, "watchdog_ms": int(max(180.0, 6 * P.tick) * 1000)}
    return JS.replace("CFG", json.dumps(cfg, ensure_ascii=False))


def title_bar(head: dict | None, now: datetime, lang: str) -> str:
    date_s, hm = clock_texts(now, lang)
    as_of = t("screen.data_as_of", time=as_of_text(head["published_at"], now, lang)) if head else ""
    return (f'<div class="cv-title"><div class="cv-l"><span class="cv-date">{esc(date_s)}</span></div>'
            f'<h1>{esc(t("screen.title"))}</h1>'
            f'<div class="cv-r"><span class="cv-asof">{esc(as_of)}</span>'
            f'<span class="cv-clock">{esc(hm)}</span></div></div>')


def footer(P: Params, scene: str, stale_since: str | None, notices: list[str], tick: int,
           version: str | None) -> str:
    pills = "".join(f'<span class="cv-pill{" on" if s == scene else ""}">{esc(t(f"screen.scene.{s}"))}</span>'
                    for s in (P.playlist if P.pinned is None else (P.pinned,)))
    meta = []
    if notices:
        meta.append(f'<span class="cv-notice">{esc(" · ".join(notices))}</span>')
    if stale_since:
        meta.append(f'<span class="cv-stale">{esc(t("screen.stale", time=stale_since))}</span>')
    meta.append(f'<span class="cv-conn">{esc(t("screen.reconnecting"))}</span>')
    meta.append(f'<span>{esc(t("screen.demo"))}</span>')
    # the marker: what is on screen, for the browser tests, the watchdog and a person debugging the wall
    marker = (f'<div class="cv-marker" data-scene="{SCENES.index(scene) + 1}" data-scene-id="{scene}" '
              f'data-tick="{tick}" data-stale="{"1" if stale_since else "0"}" data-version="{esc(version or "")}" '
              f'data-layout="{P.layout.name}" data-rotate="{P.rotate if P.rotating else 0}" '
              f'data-refresh="{P.tick:g}" data-playlist="{",".join(str(SCENES.index(x) + 1) for x in P.playlist)}">'
              f'</div>')
    return (f'<div class="cv-footer"><div class="cv-pills">{pills}</div><div class="cv-meta">{"".join(meta)}</div>'
            f'{marker}</div>')


# ── charts ───────────────────────────────────────────────────────────────────────────────────
def fig_base(L: Layout, height: int) -> go.Figure:
    fig = go.Figure()
    charts.style(fig, height=height, dark=True)
    p = L.px
    fig.update_layout(font=dict(size=p(20), color="#cfe3ff"), margin=dict(l=p(8), r=p(16), t=p(12), b=p(8)),
                      showlegend=False, bargap=0.35,
                      legend=dict(font=dict(size=p(22)), orientation="h", yanchor="bottom", y=1.0, x=1,
                                  xanchor="right"))
    fig.update_xaxes(tickfont=dict(size=p(22)), showgrid=False, linecolor="rgba(70,160,255,.3)")
    fig.update_yaxes(tickfont=dict(size=p(20)), gridcolor="rgba(70,160,255,.14)", zeroline=False)
    return fig


def value_axis(vmax: float, lang: str, n: int = 4) -> dict:
    """Round ticks labelled in 万 (zh) / K (en), so axes read like the KPI numbers."""
    vmax = max(float(vmax or 0), 1.0)
    raw = vmax / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    vals = [i * step for i in range(int(vmax // step) + 2)]
    return dict(tickvals=vals, ticktext=[fmt.num(v, lang, 1) for v in vals], range=[0, vmax * 1.2])


def plot(fig: go.Figure, key: str, height: int) -> None:
    st.plotly_chart(charts.neutralise(fig), theme=None, key=key, height=height, width="stretch",
                    config={"staticPlot": True, "displayModeBar": False, "responsive": True})


def _partial_months(frame: pd.DataFrame, as_of: date) -> list[bool]:
    """Months of a trend not yet over on the data's last day (drawn lighter, hatched and labelled, so a
    running month does not read as a collapse)."""
    return [measures.month_coverage(pd.Timestamp(mo).date(), date.min, as_of)[2] for mo in frame.month]


def _bar_texts(values, partial: list[bool], as_of: date, lang: str, size: int, f=fmt.integer) -> list[str]:
    """Each bar's value; the running month's also says, smaller, up to which day it counts. (The bars set
    constraintext="none": plotly would otherwise shrink that two-line text to the bar's width.)"""
    return [f'{f(v)}<br><span style="font-size:{size}px">{measures.partial_label(as_of, lang)}</span>' if p
            else f(v) for v, p in zip(values, partial)]


# ── scenes ───────────────────────────────────────────────────────────────────────────────────
def scene_overview(data: dict, L: Layout, lang: str) -> None:
    p, r, tm = data["practice"], data["renovation"], data["teams"]
    cols = 6 if L.wide else 3
    card_h = L.px(128)
    rows = 1 if L.wide else 2
    grid_h = rows * card_h + (rows - 1) * L.px(12)
    top_h = L.px(48) + grid_h
    chart_h = L.inner_h(L.stage_h) - top_h - L.inner_gap
    grid = f'class="cv-grid" style="grid-template-columns: repeat({cols}, minmax(0,1fr)); grid-auto-rows: {card_h}px"'
    xy = [kpi(t("screen.xy.stations"), p["stations"], "station", lang, L, accent="big"),
          kpi(t("screen.xy.activities"), p["activities"], "chang", lang, L, accent="big"),
          kpi(t("screen.xy.volunteers"), p["volunteers"], "renci", lang, L),
          kpi(t("screen.xy.beneficiaries"), p["beneficiaries"], "renci", lang, L),
          kpi(t("screen.xy.wishes"), p["wishes_done"], "jian", lang, L, accent="amber"),
          kpi(t("screen.xy.teams"), tm["teams"], "zhi", lang, L, accent="green")]
    in_progress = r["in_progress"]
    hy = [kpi(t("screen.hy.compounds"), r["compounds"], "compound", lang, L, accent="big"),
          kpi(t("screen.hy.done"), r["completed"], "compound", lang, L, accent="big green"),
          kpi(t("stages.under_way"), in_progress, "compound", lang, L, accent="amber"),
          kpi(t("screen.hy.buildings"), r["buildings"], "dong", lang, L),
          kpi(t("screen.hy.households"), r["households"], "hu", lang, L),
          kpi(t("screen.hy.area_done"), r["area_done_m2"], "m2", lang, L)]
    left, right = st.columns(2)
    with left:
        st.html(f'<div class="cv-anim" style="height:{top_h}px"><div class="cv-h">{esc(t("screen.xy.heading"))}'
                f'<small>{esc(str(data["head"]["as_of"].year) + ("年" if lang == "zh" else ""))}</small></div>'
                f'<div {grid}>{"".join(xy)}</div></div>')
        trend = data["trend"]
        fig = fig_base(L, chart_h)
        if not trend.empty:
            partial = _partial_months(trend, data["head"]["as_of"])
            fig.add_bar(x=trend.month, y=trend.activities, marker=charts.partial_marker(CYAN, partial, dark=True),
                        text=_bar_texts(trend.activities, partial, data["head"]["as_of"], lang, L.px(15)),
                        textposition="outside", cliponaxis=False, constraintext="none",
                        textfont=dict(size=L.px(20), color="#dff3ff"))
            fig.update_xaxes(tickformat="%-m月" if lang == "zh" else "%b", dtick="M1")
            fig.update_yaxes(rangemode="tozero", range=[0, float(trend.activities.max()) * 1.3], showticklabels=False,
                             showgrid=False)
        fig.update_layout(title=dict(text=t("screen.xy.trend"), font=dict(size=L.px(22), color="#a9c4e8"), x=0,
                                     y=0.98), margin=dict(t=L.px(44)))
        plot(fig, "scr_ov_trend", chart_h)
    with right:
        st.html(f'<div class="cv-anim" style="height:{top_h}px"><div class="cv-h">{esc(t("screen.hy.heading"))}</div>'
                f'<div {grid}>{"".join(hy)}</div></div>')
        fn = data["funnel"]
        fig = fig_base(L, chart_h)
        labels = [stages.now_label(s) for s in fn.stage]
        fig.add_bar(y=labels, x=[int(v) for v in fn.at_stage], orientation="h",
                    marker=dict(color=[charts.STAGE_COLORS.get(s, CYAN) for s in fn.stage]),
                    text=[f"{int(v)}" for v in fn.at_stage], textposition="outside", cliponaxis=False,
                    textfont=dict(size=L.px(24), color="#ffffff"))
        fig.update_yaxes(autorange="reversed", tickfont=dict(size=L.px(22)), showgrid=False)
        fig.update_xaxes(showticklabels=False, showgrid=False, range=[0, max(1.0, float(fn.at_stage.max())) * 1.15])
        fig.update_layout(title=dict(text=t("screen.hy.stages"), font=dict(size=L.px(22), color="#a9c4e8"), x=0,
                                     y=0.98), margin=dict(t=L.px(44), l=L.px(8)), bargap=0.3)
        plot(fig, "scr_ov_stages", chart_h)


def scene_map(data: dict, L: Layout, lang: str, today: date) -> None:
    live, towns = data["live"], data["towns"]
    day = data["head"]["as_of"]
    inner = L.inner_h(L.stage_h)
    ratios = [1, 3.6, 1] if L.wide else [1, 2.5, 1]
    left, mid, right = st.columns(ratios)
    dl = day_label(day, today, lang)
    # five cards and two headings fill the left panel
    card = max(L.px(104), min(L.px(146), (inner - L.px(2 * 48 + 16) - 3 * L.px(12)) // 5))
    active = f"{int(live['month_active_stations'])}/{int(live['stations'])}"
    with left:
        st.html(f'<div class="cv-anim" style="height:{inner}px">'
                f'<div class="cv-h">{esc(t("screen.map.day", day=dl))}</div>'
                f'<div class="cv-grid" style="grid-auto-rows:{card}px">'
                f'{kpi(t("screen.map.day_activities"), live["day_activities"], "chang", lang, L, accent="big amber")}'
                f'{kpi(t("screen.map.day_participants"), live["day_participants"], "renci", lang, L)}'
                f'</div><div class="cv-h" style="margin-top:{L.px(16)}px">{esc(t("screen.map.month"))}</div>'
                f'<div class="cv-grid" style="grid-auto-rows:{card}px">'
                f'{kpi(t("screen.map.month_activities"), live["month_activities"], "chang", lang, L)}'
                f'{kpi(t("screen.map.month_stations"), None, "", lang, L, raw=active)}'
                f'{kpi(t("screen.map.month_volunteers"), live["month_volunteers"], "renci", lang, L)}'
                f'</div></div>')
    with mid:
        st.html(f'<div class="cv-h">{esc(t("screen.map.heading"))}<small>{esc(t("app.approx_badge"))}</small></div>')
        legend_h = L.px(40)
        map_h = inner - L.px(48) - 2 * L.inner_gap - legend_h
        m = data.get("map")
        deck = None
        if m is not None and maps is not None:
            total = L.width - 2 * L.px(24) - 2 * L.px(16)
            map_w = int(total * ratios[1] / sum(ratios)) - 2 * L.px(18) - 2
            try:
                deck, sm = map_deck(m, L, map_w, map_h)
            except Exception:  # a broken map must not take the wall down; tests assert the deck
                log.exception("screen: the map could not be built")
        if deck is not None:
            st.pydeck_chart(deck, height=map_h, key="scr_map")
            zoom = 1.6 * L.s
            st.html(f'<div class="cv-legend" style="height:{legend_h}px; overflow:hidden">'
                    f'<div style="zoom:{zoom:.2f}">{maps.legend_html("activities", sm.breaks, dark=True, lang=lang)}'
                    f'</div></div>')
        else:
            st.html(f'<div class="cv-pending" style="height:{map_h}px">{esc(t("screen.map.pending"))}</div>')
    with right:
        town_bars = bars(town_rows(towns), lang, L, gap=16, top=10)
        st.html(f'<div class="cv-anim" style="height:{inner}px"><div class="cv-h">{esc(t("screen.map.towns"))}</div>'
                f'{town_bars}'
                f'<div class="cv-grid" style="grid-auto-rows:{card}px; margin-top:{L.px(22)}px">'
                f'{kpi(t("screen.map.month_beneficiaries"), live["month_beneficiaries"], "renci", lang, L)}'
                f'{kpi(t("screen.map.month_hours"), live["month_hours"], "hours", lang, L, digits=1)}</div></div>')


def scene_renovation(data: dict, L: Layout, lang: str) -> None:
    r, fn, sc = data["kpis"], data["funnel"], data["scurve"]
    rate = (r["completed"] / r["compounds"]) if r["compounds"] else None
    strip_h = L.px(136)
    cards = [kpi(t("screen.renovation.compounds"), r["compounds"], "compound", lang, L, accent="big"),
             kpi(t("screen.renovation.done"), r["completed"], "compound", lang, L, accent="big green"),
             kpi(t("screen.renovation.rate"), None, "", lang, L, raw=fmt.pct(rate) if rate is not None else "—",
                 accent="big green"),
             kpi(t("stages.under_way"), r["in_progress"], "compound", lang, L, accent="big amber"),
             kpi(t("screen.renovation.households"), r["households"], "hu", lang, L, accent="big")]
    st.html(f'<div class="cv-grid cv-anim" style="grid-template-columns: repeat(5, minmax(0,1fr)); '
            f'grid-auto-rows:{strip_h}px">{"".join(cards)}</div>')
    panel_h = L.stage_h - strip_h - L.gap
    chart_h = L.inner_h(panel_h) - L.px(48) - L.inner_gap
    left, right = st.columns([1, 1.35] if not L.wide else [1, 1.8])
    with left:
        st.html(f'<div class="cv-h">{esc(t("screen.renovation.funnel"))}</div>')
        fig = fig_base(L, chart_h)
        fig.add_trace(go.Funnel(
            y=[stages.reached_label(s) for s in fn.stage], x=[int(v) for v in fn.reached], textinfo="value+percent initial",
            textfont=dict(size=L.px(24), color="#ffffff"),
            marker=dict(color=["#2f7cf6", "#7e62b3", "#e8833a", "#2ba6a6", "#3ddc97"]),
            connector=dict(fillcolor="rgba(70,160,255,.12)", line=dict(width=0))))
        fig.update_yaxes(tickfont=dict(size=L.px(24)))
        fig.update_layout(margin=dict(l=L.px(8), r=L.px(8), t=L.px(8), b=L.px(8)))
        plot(fig, "scr_rv_funnel", chart_h)
    with right:
        st.html(f'<div class="cv-h">{esc(t("screen.renovation.scurve"))}</div>')
        fig = fig_base(L, chart_h)
        fig.add_scatter(x=sc.month, y=sc.planned_cum, name=t("screen.renovation.planned"), mode="lines",
                        line=dict(color="#8fa8cc", width=L.px(3), dash="dash"))
        act = sc.dropna(subset=["actual_cum"])
        fig.add_scatter(x=act.month, y=act.actual_cum, name=t("screen.renovation.actual"), mode="lines",
                        line=dict(color=GREEN, width=L.px(4)), fill="tozeroy", fillcolor="rgba(61,220,151,.14)")
        if not act.empty:
            last = act.iloc[-1]
            fig.add_scatter(x=[last.month], y=[last.actual_cum], mode="markers+text", text=[f"{int(last.actual_cum)}"],
                            textposition="top center", marker=dict(size=L.px(14), color=GREEN),
                            textfont=dict(size=L.px(26), color="#ffffff"), showlegend=False)
        total = int(sc.compounds.max()) if not sc.empty else 0
        fig.update_yaxes(range=[0, max(1, total) * 1.08], dtick=20 if total > 40 else None)
        fig.update_xaxes(tickformat="%Y" if lang == "zh" else "%Y", dtick="M12", ticklabelmode="period")
        fig.update_layout(showlegend=True, margin=dict(t=L.px(40)))
        plot(fig, "scr_rv_scurve", chart_h)


def scene_volunteer(data: dict, L: Layout, lang: str) -> None:
    tr, theme, teams, mix = data["trend"], data["theme"], data["teams"], data["mix"]
    inner = L.inner_h(L.stage_h)
    left, right = st.columns([2.4, 1] if L.wide else [1.45, 1])
    with left:
        st.html(f'<div class="cv-h">{esc(t("screen.volunteer.trend"))}<small>{esc(t("screen.unit.renci"))}</small></div>')
        h = inner - L.px(48) - L.inner_gap
        months = tr if L.wide else tr.tail(12)
        fig = fig_base(L, h)
        partial = _partial_months(months, data["head"]["as_of"])
        fig.add_bar(x=months.month, y=months.volunteers, name=t("screen.volunteer.turns"),
                    marker=charts.partial_marker(BLUE, partial, dark=True),
                    text=_bar_texts(months.volunteers, partial, data["head"]["as_of"], lang, L.px(15),
                                    lambda v: fmt.num(v, lang, 1)),
                    textposition="outside", cliponaxis=False, constraintext="none", textfont=dict(size=L.px(20), color="#dff3ff"))
        ymax = float(months.volunteers.max()) if not months.empty else 1.0
        fig.update_layout(margin=dict(t=L.px(16)), yaxis=dict(showgrid=True, **value_axis(ymax, lang)))
        fig.update_xaxes(tickformat="%-m月" if lang == "zh" else "%b", dtick="M1" if not L.wide else "M2")
        plot(fig, "scr_vol_trend", h)
    with right:
        nxt = theme.get("next_theme") if theme else None
        nxt_html = (f'<div class="cv-next">{esc(t("screen.volunteer.next_theme"))}<b>{esc(nxt)}</b></div>'
                    if isinstance(nxt, str) and nxt else "")
        if theme:
            th = (f'<div class="cv-theme"><div class="name">{esc(theme["theme"])}</div></div>{nxt_html}'
                  f'<div class="cv-grid" style="grid-template-columns: repeat(3, minmax(0,1fr)); '
                  f'grid-auto-rows:{L.px(104)}px">'
                  f'{kpi(t("screen.volunteer.theme_activities"), theme["activities"], "chang", lang, L, accent="sm amber")}'
                  f'{kpi(t("screen.volunteer.theme_sites"), theme["sites"], "site", lang, L, accent="sm")}'
                  f'{kpi(t("screen.volunteer.theme_volunteers"), theme["volunteers"], "renci", lang, L, accent="sm")}'
                  f'</div>')
        else:
            th = f'<div class="cv-theme"><div class="name">{esc(t("screen.volunteer.no_theme"))}</div></div>'
        hours_ytd = float(data["hours_ytd"])
        team = (f'<div class="cv-grid" style="grid-template-columns: repeat(3, minmax(0,1fr)); '
                f'grid-auto-rows:{L.px(104)}px; margin-top:{L.px(14)}px">'
                f'{kpi(t("screen.volunteer.teams"), teams["teams"], "zhi", lang, L, accent="sm green")}'
                f'{kpi(t("screen.volunteer.members"), teams["members"], "ren", lang, L, accent="sm green")}'
                f'{kpi(t("screen.volunteer.hours_ytd"), hours_ytd, "hours", lang, L, accent="sm green", digits=1)}'
                f'</div>')
        st.html(f'<div class="cv-anim" style="height:{inner}px"><div class="cv-h">{esc(t("screen.volunteer.theme"))}'
                f'</div>{th}{team}<div class="cv-h" style="margin-top:{L.px(22)}px">{esc(t("screen.volunteer.mix"))}'
                f'</div>{bars(mix_rows(mix), lang, L)}</div>')


def _ticker_rows(rows: pd.DataFrame, lang: str, cols: str, today: date) -> str:
    out = []
    for r in rows.itertuples():
        d = r.activity_date.date() if hasattr(r.activity_date, "date") else r.activity_date
        color = charts.SERVICE_COLORS.get(r.service_type, BLUE)
        out.append(
            f'<div class="cv-trow" style="grid-template-columns:{cols}">'
            f'<div>{esc(day_label(d, today, lang))}</div><div>{esc(r.site_name)}</div><div>{esc(r.town_name or "")}</div>'
            f'<div><span class="cv-tag" style="background:{color}33; color:#fff; border:1px solid {color}">'
            f'{esc(tv("service_type", r.service_type))}</span></div>'
            f'<div class="n">{esc(fmt.num(r.participants, lang))}</div><div class="n">{esc(fmt.num(r.volunteers, lang))}'
            f'</div></div>')
    return "".join(out)


def scene_ticker(data: dict, L: Layout, lang: str, today: date, rotate_s: float) -> None:
    rows, live, mix = data["rows"], data["live"], data["mix"]
    inner = L.inner_h(L.stage_h)
    day = data["head"]["as_of"]
    if L.wide:
        left, right, third = st.columns([1.9, 1, 1])
    else:
        (left, right), third = st.columns([1.9, 1]), None
    # the type chips and the number headers are as wide as their longest words in this language (English
    # service types and "Volunteers" are wider than the Chinese); the site name takes what is left
    tag_w = int(max(_em(tv("service_type", s)) for s in charts.SERVICE_COLORS) * L.px(22) * 1.05) + L.px(40)
    num_w = [max(L.px(110), int(_em(t(k)) * L.px(22)) + L.px(24))
             for k in ("screen.ticker.col_participants", "screen.ticker.col_volunteers")]
    cols = f"{L.px(150)}px minmax(0,2.2fr) {L.px(130)}px {max(L.px(170), tag_w)}px {num_w[0]}px {num_w[1]}px"
    row_h = L.px(66)
    head_h = L.px(52)
    body_h = inner - L.px(48) - head_h
    per_page = max(1, body_h // row_h)
    with left:
        if rows.empty:
            body = f'<div class="cv-pending" style="height:{body_h}px">{esc(t("screen.ticker.empty"))}</div>'
        else:
            n = len(rows)
            pages = max(1, math.ceil(n / per_page))
            page_s = max(4.0, min(8.0, rotate_s / pages)) if rotate_s else 6.0
            total = pages * page_s
            # paging: hold each page, then slide to the next; the last slides back to the start
            frames = []
            for i in range(pages):
                a, b = 100 * i / pages, 100 * (i + 1) / pages
                frames.append(f"{a:.3f}% {{ transform: translateY(-{i * per_page * row_h}px); }}")
                frames.append(f"{b - 100 * 0.6 / total:.3f}% {{ transform: translateY(-{i * per_page * row_h}px); }}")
            frames.append("100% { transform: translateY(0); }")
            anim = f"@keyframes cv-page {{ {' '.join(frames)} }}"
            body = (f'<style>{anim} .cv-tbody {{ animation: cv-page {total:.1f}s ease-in-out infinite; }}'
                    f'.cv-tbody .cv-trow {{ height: {row_h}px; }}</style>'
                    f'<div class="cv-ticker" style="height:{per_page * row_h}px"><div class="cv-tbody">'
                    f'{_ticker_rows(rows, lang, cols, today)}</div></div>')
        header = (f'<div class="cv-trow cv-thead" style="grid-template-columns:{cols}; height:{head_h}px">'
                  f'<div>{esc(t("screen.ticker.col_date"))}</div><div>{esc(t("screen.ticker.col_site"))}</div>'
                  f'<div>{esc(t("screen.ticker.col_town"))}</div><div>{esc(t("screen.ticker.col_type"))}</div>'
                  f'<div class="n">{esc(t("screen.ticker.col_participants"))}</div>'
                  f'<div class="n">{esc(t("screen.ticker.col_volunteers"))}</div></div>')
        st.html(f'<div style="height:{inner}px"><div class="cv-h">{esc(t("screen.ticker.heading"))}</div>'
                f'{header}{body}</div>')
    with right:
        dl = day_label(day, today, lang)
        cards = (f'<div class="cv-h">{esc(t("screen.ticker.day", day=dl))}</div>'
                 f'<div class="cv-grid" style="grid-auto-rows:{L.px(118 if not L.wide else 200)}px">'
                 f'{kpi(t("screen.ticker.day_activities"), live["day_activities"], "chang", lang, L, accent="big amber")}'
                 f'{kpi(t("screen.ticker.day_participants"), live["day_participants"], "renci", lang, L)}'
                 f'{kpi(t("screen.ticker.day_volunteers"), live["day_volunteers"], "renci", lang, L)}</div>')
        mix_html = (f'<div class="cv-h" style="margin-top:{L.px(22 if third is None else 0)}px">'
                    f'{esc(t("screen.ticker.mix", day=dl))}</div>'
                    f'{bars(mix_rows(mix), lang, L)}')
        if third is None:
            st.html(f'<div class="cv-anim" style="height:{inner}px">{cards}{mix_html}</div>')
        else:
            st.html(f'<div class="cv-anim" style="height:{inner}px">{cards}</div>')
            towns = data.get("towns")
            with third:
                st.html(f'<div class="cv-anim" style="height:{inner}px">{mix_html}'
                        f'<div class="cv-h" style="margin-top:{L.px(26)}px">{esc(t("screen.map.towns"))}</div>'
                        f'{bars(town_rows(towns), lang, L) if towns is not None else ""}</div>')


def connecting(L: Layout) -> None:
    st.html(f'<div class="cv-pending" style="height:{L.stage_h}px">{esc(t("screen.connecting"))}</div>')


# ── the page ─────────────────────────────────────────────────────────────────────────────────
P, bad = parse_params({k: st.query_params.get_all(k) for k in st.query_params})
st.session_state["lang"] = P.lang
charts.register_template(dark=True)
L = P.layout
notices = [t("screen.bad_param", param=p, value=v, used=u) for p, v, u in bad]

st.html(css(L))
st.html(script(P), unsafe_allow_javascript=True)


def _advance(ss) -> str:
    """The scene to show now: pinned, or the playlist advanced when the current scene's time is up."""
    if P.pinned:
        return P.pinned
    if not P.rotating:
        return P.playlist[0]
    now = time.monotonic()
    idx, shown = ss.get("_scr_idx"), ss.get("_scr_shown_at")
    if idx is None or shown is None or idx >= len(P.playlist):
        idx, shown = 0, now
    elif now - shown >= P.rotate - P.tick / 2:
        idx, shown = (idx + 1) % len(P.playlist), now
    ss["_scr_idx"], ss["_scr_shown_at"] = idx, shown
    return P.playlist[idx]


@st.fragment(run_every=timedelta(seconds=P.tick))
def _stage() -> None:
    ss = st.session_state
    ss["_scr_tick"] = ss.get("_scr_tick", 0) + 1
    scene = _advance(ss)
    tz = _tz()
    now = datetime.now(tz)
    payload, stale = fetch(scene)
    head = payload["head"] if payload else None
    stale_since = None
    if stale and payload:
        stale_since = datetime.fromtimestamp(payload["at"], tz).strftime("%H:%M")
    st.html(title_bar(head, now, P.lang))
    if payload is None:
        connecting(L)
    else:
        today = now.date()
        if scene == "overview":
            scene_overview(payload, L, P.lang)
        elif scene == "map":
            scene_map(payload, L, P.lang, today)
        elif scene == "renovation":
            scene_renovation(payload, L, P.lang)
        elif scene == "volunteer":
            scene_volunteer(payload, L, P.lang)
        else:
            scene_ticker(payload, L, P.lang, today, P.rotate if P.rotating else 0)
    st.html(footer(P, scene, stale_since, notices, ss["_scr_tick"], head["version"] if head else None))


_stage()
