"""The screen's HTML: KPI cards, bars, the ticker rows, the title bar, the footer with its marker, and the
static stylesheet and script (static/screen/) read once at import and inlined, so the screen makes no
request and does not need Streamlit's static file serving. Every value is escaped (html.escape)."""
from __future__ import annotations

import html
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from civic.app.screen import theme
from civic.app.screen.params import LAYOUT_DEFAULT, LAYOUTS, SCENES, Layout, ScreenParams
from civic.figures import charts
from civic.text import fmt
from civic.text.i18n import HTML_LANG, t, tv

STATIC = Path(__file__).resolve().parents[3] / "static" / "screen"
STYLESHEET = (STATIC / "screen.css").read_text(encoding="utf-8")
SCRIPT = (STATIC / "screen.js").read_text(encoding="utf-8")
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
Row = tuple[str, float, str]


def esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def num_parts(x: Any, lang: str, digits: int = 2) -> tuple[str, str]:
    """12345 → ("1.23", "万") in Chinese, where 万/亿 go with the unit (1.23 万人次); in English the K/M
    suffix stays on the number (12.3K turns)."""
    s = fmt.num(x, lang, digits)
    if lang != "zh":
        return s, ""
    m = re.fullmatch(r"(-?[\d,.]+)(\D*)", s)
    return (m.group(1), m.group(2)) if m else (s, "")


def em_width(text: str) -> float:
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


def kpi(label: str, value: Any, unit_key: str, lang: str, L: Layout, *, raw: str | None = None, accent: str = "",
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
    unit_w = (em_width(unit) * L.px(26) + L.px(8)) if unit else 0
    sub_html = f'<div class="cv-kpi-sub">{esc(sub)}</div>' if sub else ""
    return (f'<div class="cv-kpi {accent}"><div class="cv-kpi-label">{esc(label)}</div>'
            f'<div class="cv-kpi-value" style="--w:{em_width(number) * 1.08:.2f};--uw:{unit_w:.0f}px">'
            f'<span class="cv-num">{esc(number)}</span>{unit_html}</div>{sub_html}</div>')


def bars(rows: list[Row], lang: str, L: Layout, gap: int = 10, top: int = 8) -> str:
    """Horizontal bars as HTML: (label, value, colour). The label column fits the longest label."""
    vmax = max([v for _, v, _ in rows] + [1])
    label_w = int(max([em_width(lbl) for lbl, _, _ in rows] + [2]) * L.px(24) * 0.98) + L.px(12)
    out = []
    for label, value, colour in rows:
        fill = f"background:{colour};" if colour else ""
        out.append(f'<div class="cv-bar" style="grid-template-columns:{label_w}px 1fr {L.px(96)}px">'
                   f'<div>{esc(label)}</div><div class="track"><div class="fill" '
                   f'style="width:{100 * value / vmax:.1f}%;{fill}"></div></div>'
                   f'<div class="v">{esc(fmt.num(value, lang))}</div></div>')
    return (f'<div class="cv-bars" style="margin-top:{L.px(top)}px; gap:{L.px(gap)}px">{"".join(out)}</div>')


def town_rows(towns: pd.DataFrame, n: int = 9) -> list[Row]:
    return [(str(r.town_name), float(r.activities), "") for r in towns.head(n).itertuples()]


def mix_rows(mix: pd.DataFrame) -> list[Row]:
    return [(tv("service_type", r.service_type), float(r.activities), charts.SERVICE_COLORS.get(r.service_type, theme.CYAN))
            for r in mix.itertuples()]


def day_label(d: date, today: date, lang: str) -> str:
    if d == today:
        return t("screen.today")
    return f"{d.month}月{d.day}日" if lang == "zh" else d.strftime("%-d %b")


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
def css_vars(L: Layout) -> str:
    """The layout's sizes and the theme's colours as CSS custom properties for static/screen/screen.css."""
    sizes = {"u": f"{L.s:.6g}px", "pad-top": f"{L.pad_top}px", "pad-bottom": f"{L.pad_bottom}px",
             "title-h": f"{L.title_h}px", "footer-h": f"{L.footer_h}px", "gap": f"{L.gap}px",
             "inner-gap": f"{L.inner_gap}px", "panel-pad": f"{L.panel_pad}px", "h-h": f"{L.px(40)}px",
             "h-mb": f"{L.px(8)}px"}
    return "; ".join(f"--{k}: {v}" for k, v in {**sizes, **theme.CSS_COLOURS}.items())


def css(L: Layout) -> str:
    return f"<style>:root {{ {css_vars(L)}; }}\n{STYLESHEET}</style>"


def script(P: ScreenParams) -> str:
    cfg = {"layouts": list(LAYOUTS), "layout": P.layout.name if P.layout_given else LAYOUT_DEFAULT,
           "lang": P.lang, "html_lang": HTML_LANG[P.lang], "weekdays": t("screen.weekdays").split(","),
           "months": MONTHS_EN, "reload_at": P.reload_at, "watchdog_ms": int(max(180.0, 6 * P.tick) * 1000)}
    return ('<div class="cv-js" hidden></div><script>\n'
            + SCRIPT.replace("CFG", json.dumps(cfg, ensure_ascii=False)) + "</script>")


def title_bar(head: dict[str, Any] | None, now: datetime, lang: str) -> str:
    date_s, hm = clock_texts(now, lang)
    as_of = t("screen.data_as_of", time=as_of_text(head["published_at"], now, lang)) if head else ""
    return (f'<div class="cv-title"><div class="cv-l"><span class="cv-date">{esc(date_s)}</span></div>'
            f'<h1>{esc(t("screen.title"))}</h1>'
            f'<div class="cv-r"><span class="cv-asof">{esc(as_of)}</span>'
            f'<span class="cv-clock">{esc(hm)}</span></div></div>')


def footer(P: ScreenParams, scene: str, stale_since: str | None, notices: list[str], tick: int,
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


def ticker_rows(rows: pd.DataFrame, lang: str, cols: str, today: date) -> str:
    out = []
    for r in rows.itertuples():
        d = r.activity_date.date() if hasattr(r.activity_date, "date") else r.activity_date
        color = charts.SERVICE_COLORS.get(r.service_type, theme.BLUE)
        out.append(
            f'<div class="cv-trow" style="grid-template-columns:{cols}">'
            f'<div>{esc(day_label(d, today, lang))}</div><div>{esc(r.site_name)}</div><div>{esc(r.town_name or "")}</div>'
            f'<div><span class="cv-tag" style="background:{color}33; color:#fff; border:1px solid {color}">'
            f'{esc(tv("service_type", r.service_type))}</span></div>'
            f'<div class="n">{esc(fmt.num(r.participants, lang))}</div><div class="n">{esc(fmt.num(r.volunteers, lang))}'
            f'</div></div>')
    return "".join(out)


def connecting(L: Layout) -> str:
    return f'<div class="cv-pending" style="height:{L.stage_h}px">{esc(t("screen.connecting"))}</div>'
