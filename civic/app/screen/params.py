"""The screen's URL parameters → ScreenParams, by a pure function (no Streamlit): a mapping of query
parameters in, typed parameters and a notice for every malformed value out. Never raises; a bad value falls
back (to the default, or to what the browser picks) and its notice shows small in the footer.

  scene=1..5 | overview|map|renovation|volunteer|ticker   pin one scene (no rotation)
  scenes=1,3,5        the playlist (default: all five, in order)
  rotate=N            seconds per scene, 1..3600 (default 30)
  layout=768p|1080p|4k|wide   1366×768, 1920×1080, 3840×2160, 3840×1080; without it the browser picks
  lang=zh|en
  reload=HH:MM|off    daily page reload in the browser's local time (default 03:30), only when the server is up
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from civic.text.i18n import LANGS, t

SCENES: tuple[str, ...] = ("overview", "map", "renovation", "volunteer", "ticker")
ROTATE_DEFAULT, ROTATE_MIN, ROTATE_MAX = 30, 1, 3600
REFRESH_S = 30            # data refresh period when pinned or when scenes rotate slower than this
RELOAD_DEFAULT = "03:30"  # nightly page reload (browser local time)
NOTICE_VALUE_CHARS = 16   # a bad value is echoed at most this long (the footer is one line)


@dataclass(frozen=True)
class Layout:
    """A screen size in CSS pixels. Every size on the screen is a 1080-line size times `s`."""
    name: str
    width: int
    height: int
    s: float        # scale of every pixel size (1 at 1080 lines, 2 at 2160, 0.71 at 768)
    wide: bool      # 32:9 wall: more columns, same height

    def px(self, x: float) -> int:
        return int(round(x * self.s))

    # the vertical budget (CSS pixels); the stylesheet reads the same values (html.css_vars)
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
    "768p": Layout("768p", 1366, 768, 768 / 1080, False),
    "1080p": Layout("1080p", 1920, 1080, 1.0, False),
    "4k": Layout("4k", 3840, 2160, 2.0, False),
    "wide": Layout("wide", 3840, 1080, 1.0, True),
}
LAYOUT_DEFAULT = "1080p"


@dataclass(frozen=True)
class ScreenParams:
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

    def scene_number(self, scene: str) -> int:
        return SCENES.index(scene) + 1


@dataclass(frozen=True)
class Notice:
    """A malformed parameter: its name, the value given (shortened, printable), the value used instead."""
    param: str
    value: str
    used: str
    lang: str

    @property
    def text(self) -> str:
        return t("screen.bad_param", self.lang, param=self.param, value=self.value, used=self.used)


def _scene_of(raw: str) -> str | None:
    v = raw.strip().lower()
    if v.isdigit() and 1 <= int(v) <= len(SCENES):
        return SCENES[int(v) - 1]
    return v if v in SCENES else None


def _short(v: str, n: int = NOTICE_VALUE_CHARS) -> str:
    v = "".join(ch for ch in v if ch.isprintable())
    return v if len(v) <= n else v[:n] + "…"


def _playlist(raw: str) -> tuple[tuple[str, ...], str | None]:
    items = [_scene_of(x) for x in raw.split(",") if x.strip()]
    good = tuple(dict.fromkeys(x for x in items if x))
    used = good or SCENES
    bad = not good or len(good) != len(items)
    return used, (",".join(str(SCENES.index(x) + 1) for x in used) if bad else None)


def _rotate(raw: str) -> int | None:
    try:
        value = float(raw.strip())
        rotate = int(value)
    except (ValueError, OverflowError):
        return None
    return rotate if math.isfinite(value) and ROTATE_MIN <= rotate <= ROTATE_MAX else None


def _reload(raw: str) -> tuple[str | None, bool]:
    """(reload time or None for off, valid)."""
    v = raw.strip().lower()
    if v in ("off", "0", "no", "false"):
        return None, True
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", v)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return f"{int(m.group(1)):02d}:{m.group(2)}", True
    return RELOAD_DEFAULT, False


def parse_params(query: Mapping[str, Sequence[str]]) -> tuple[ScreenParams, list[Notice]]:
    """URL parameters (name → all its values; the last one counts) → ScreenParams and the notices."""
    def last(name: str) -> str | None:
        vals = query.get(name) or []
        return vals[-1] if vals else None

    bad: list[tuple[str, str, str]] = []
    lang = last("lang")
    if lang is not None and lang not in LANGS:
        bad.append(("lang", lang, "zh"))
    lang = lang if lang in LANGS else "zh"

    playlist = SCENES
    if (raw := last("scenes")) is not None:
        playlist, used = _playlist(raw)
        if used is not None:
            bad.append(("scenes", raw, used))

    pinned = None
    if (raw := last("scene")) is not None and (pinned := _scene_of(raw)) is None:
        bad.append(("scene", raw, t("screen.all_scenes", lang)))

    rotate = ROTATE_DEFAULT
    if (raw := last("rotate")) is not None:
        rotate = _rotate(raw) or ROTATE_DEFAULT
        if _rotate(raw) is None:
            bad.append(("rotate", raw, str(ROTATE_DEFAULT)))

    layout, given = LAYOUTS[LAYOUT_DEFAULT], False
    if (raw := last("layout")) is not None:
        if raw.strip().lower() in LAYOUTS:
            layout, given = LAYOUTS[raw.strip().lower()], True
        else:
            bad.append(("layout", raw, t("screen.auto", lang)))

    reload_at: str | None = RELOAD_DEFAULT
    if (raw := last("reload")) is not None:
        reload_at, ok = _reload(raw)
        if not ok:
            bad.append(("reload", raw, RELOAD_DEFAULT))

    params = ScreenParams(playlist, pinned, rotate, layout, given, lang, reload_at)
    return params, [Notice(p, _short(v), u, lang) for p, v, u in bad]


def advance(params: ScreenParams, idx: int | None, shown_at: float | None, now: float) -> tuple[int, float]:
    """The playlist position to show at monotonic time `now`, given the position shown since `shown_at`:
    the next scene once the current one's time is up (half a tick early, so a rotation never waits a tick)."""
    if idx is None or shown_at is None or idx >= len(params.playlist):
        return 0, now
    if now - shown_at >= params.rotate - params.tick / 2:
        return (idx + 1) % len(params.playlist), now
    return idx, shown_at
