"""One definition of every comparison and of the KPIs that several pages show (issue 15).

Every page, the screen and the exports take from here:

- **the comparison windows.** 同比 (the headline delta): the same calendar days one year earlier
  (29 Feb → 28 Feb). 环比 (a second figure, always labelled): for a month, quarter or year to date, the
  same days of the month/quarter before (a day the earlier month lacks is clamped to its last day, and a
  window that ends on its month's last day compares with the earlier month's last day); for any other
  window, the window of equal length just before it. A running month is therefore compared like for
  like (1–5 December with 1–5 December last year, and with 1–5 November), never with a whole month.
  No comparison is made with a window that starts before the data's first day (its base would be part
  empty).
- **the delta and its format.** (value − base) / base as a percentage with one decimal; when the base is
  under MIN_BASE (0 included) the change is given as a difference, without a percentage.
- **the KPI definitions.** What a tile counts and over which period, in its tooltip
  (catalog measures.kpi.<id>), and `activity_figures`, the one call that reads the activity measures
  (queries/volunteer_kpis.sql) for a window and both comparisons.
- **partial periods.** Whether a window or a chart's month is partial, and the grain of a trend (days when
  the window touches at most two calendar months: a one-month trend is one dot).

Pure functions of dates, tested on many anchor dates in tests/test_measures.py.
"""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Mapping

import pandas as pd

from civic.text import fmt
from civic.text.i18n import t

MIN_BASE = 10          # a base under this gives a difference, not a percentage (+3, not +300 %)
DAILY_MAX_MONTHS = 2   # a window touching at most this many calendar months is charted by day
# An open 诉求 older than this is flagged for 督办 (co-governance page: KPI caption, warning, table column).
# Two months: most items close within weeks (docs/data.md), so one still open after 60 days needs a push.
FEEDBACK_OVERDUE_DAYS = 60

# the activity measures shared by 总览, 志愿服务活动趋势 and 大屏 (columns of queries/volunteer_kpis.sql)
ACTIVITY_KPIS = ("activities", "participants", "volunteers", "beneficiaries", "hours")


# ── windows ────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Window:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def shift_year(d: date, years: int = -1) -> date:
    """The same calendar day `years` away; 29 February becomes 28 February."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def shift_months(d: date, months: int, keep_month_end: bool = False) -> date:
    """The same day `months` away, clamped to that month's last day; with keep_month_end a month's last
    day maps to the other month's last day (31 March → 28/29 February, 30 April → 31 March)."""
    n = d.year * 12 + d.month - 1 + months
    y, m = divmod(n, 12)
    last = calendar.monthrange(y, m + 1)[1]
    if keep_month_end and d == month_end(d):
        return date(y, m + 1, last)
    return date(y, m + 1, min(d.day, last))


def kind(start: date, end: date) -> str:
    """month | quarter | year (the window starts on its period's first day and ends inside it) | span."""
    if start.day == 1 and end.year == start.year and end >= start:
        if end.month == start.month:
            return "month"
        if start.month in (1, 4, 7, 10) and end.month < start.month + 3:
            return "quarter"
        if start.month == 1:
            return "year"
    return "span"


def period_end(start: date, end: date) -> date:
    """The last day of the period the window runs in (the window's own end for a free span)."""
    k = kind(start, end)
    if k == "month":
        return month_end(start)
    if k == "quarter":
        return month_end(date(start.year, start.month + 2, 1))
    if k == "year":
        return date(start.year, 12, 31)
    return end


def is_partial(start: date, end: date) -> bool:
    """A month, quarter or year still running (or cut) at the window's end."""
    return end < period_end(start, end)


def yoy(start: date, end: date) -> Window:
    """同比: the same calendar days one year earlier."""
    return Window(shift_year(start), shift_year(end))


def mom(start: date, end: date) -> Window | None:
    """环比: the same days of the preceding month/quarter, or the preceding window of equal length.
    None for a year to date (its preceding period is last year's same days: that is 同比)."""
    k = kind(start, end)
    if k == "year":
        return None
    if k in ("month", "quarter"):
        n = 1 if k == "month" else 3
        return Window(shift_months(start, -n), shift_months(end, -n, keep_month_end=True))
    span = (end - start).days + 1
    return Window(start - timedelta(days=span), start - timedelta(days=1))


@dataclass(frozen=True)
class Comparison:
    """A window with its 同比 and 环比 windows, and the data's first day (a window reaching before it has
    no comparable base)."""
    window: Window
    yoy: Window
    mom: Window | None
    data_start: date

    @property
    def yoy_ok(self) -> bool:
        return self.yoy.start >= self.data_start

    @property
    def mom_ok(self) -> bool:
        return self.mom is not None and self.mom.start >= self.data_start

    @property
    def partial(self) -> bool:
        return is_partial(self.window.start, self.window.end)


def compare(start: date, end: date, data_start: date) -> Comparison:
    return Comparison(Window(start, end), yoy(start, end), mom(start, end), data_start)


# ── the delta ──────────────────────────────────────────────────────────────────────────────────
def _missing(x) -> bool:
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x))


def change(cur, base) -> str | None:
    """+12.3% against the base; +3 (a difference, no %) when the base is under MIN_BASE; None without
    a base or when both are 0."""
    if _missing(cur) or _missing(base):
        return None
    cur, base = float(cur), float(base)
    if cur == 0 and base == 0:
        return None
    if abs(base) < MIN_BASE:
        diff = cur - base
        return ("+" if diff >= 0 else "") + fmt.num(diff)
    d = (cur - base) / base * 100
    return f"{'+' if d >= 0 else ''}{d:.1f}%"


# ── texts ──────────────────────────────────────────────────────────────────────────────────────
def span_text(w: Window, lang: str = "zh") -> str:
    """2026年1月1日—11月26日 / 1 Jan – 26 Nov 2026 (the year once when both days share it)."""
    if lang == "zh":
        if w.start == w.end:
            return fmt.day(w.start, lang)
        if w.start.year == w.end.year:
            return f"{fmt.day(w.start, lang)}—{w.end.month}月{w.end.day}日"
        return f"{fmt.day(w.start, lang)}—{fmt.day(w.end, lang)}"
    if w.start == w.end:
        return fmt.day(w.start, lang)
    if w.start.year == w.end.year:
        return f"{w.start.day} {w.start:%b} – {fmt.day(w.end, lang)}"
    return f"{fmt.day(w.start, lang)} – {fmt.day(w.end, lang)}"


def partial_label(last_day: date, lang: str = "zh") -> str:
    """截至12月5日 (a running period's last counted day)."""
    return t("measures.partial_to", lang=lang, date=(f"{last_day.month}月{last_day.day}日" if lang == "zh"
                                                     else f"{last_day.day} {last_day:%b}"))


def mom_name(c: Comparison, lang: str = "zh") -> str:
    return t(f"measures.mom_{kind(c.window.start, c.window.end)}", lang=lang)


def delta_help(c: Comparison, lang: str = "zh") -> str:
    """How the deltas of a window are made (for a caption or a tile without its own definition)."""
    parts = [t("measures.window_line", lang=lang, span=span_text(c.window, lang))]
    if c.yoy_ok:
        parts.append(t("measures.yoy_rule", lang=lang, span=span_text(c.yoy, lang)))
    else:
        parts.append(t("measures.yoy_before_data", lang=lang, date=fmt.day(c.data_start, lang)))
    return " ".join(parts)


@dataclass(frozen=True)
class Tile:
    value: str
    delta: str | None     # 同比
    mom: str | None       # 环比 (in the tooltip)
    help: str


def tile(kpi: str, value, c: Comparison | None, yoy_base=None, mom_base=None, lang: str = "zh",
         value_text: str | None = None) -> Tile:
    """A KPI tile: its value, its 同比 delta and a tooltip saying what it counts, over which days, and
    against which days (with 环比 as a labelled second figure)."""
    text = value_text if value_text is not None else fmt.num(value, lang)
    counts = t(f"measures.kpi.{kpi}.counts", lang=lang)
    if c is None:
        return Tile(text, None, None, counts)
    lines = [f"{counts}。" if lang == "zh" else f"{counts}.",
             t("measures.window_line", lang=lang, span=span_text(c.window, lang))]
    d_yoy = change(value, yoy_base) if c.yoy_ok and yoy_base is not None else None
    if not c.yoy_ok:
        lines.append(t("measures.yoy_before_data", lang=lang, date=fmt.day(c.data_start, lang)))
    elif yoy_base is not None:
        lines.append(t("measures.yoy_line", lang=lang, span=span_text(c.yoy, lang), base=fmt.num(yoy_base, lang),
                       delta=d_yoy or t("measures.no_change", lang=lang)))
    d_mom = None
    if c.mom is not None and mom_base is not None:
        if c.mom_ok:
            d_mom = change(value, mom_base)
            lines.append(t("measures.mom_line", lang=lang, name=mom_name(c, lang), span=span_text(c.mom, lang),
                           base=fmt.num(mom_base, lang), delta=d_mom or t("measures.no_change", lang=lang)))
        else:
            lines.append(t("measures.mom_before_data", lang=lang, name=mom_name(c, lang),
                           date=fmt.day(c.data_start, lang)))
    if (d_yoy and not d_yoy.endswith("%")) or (d_mom and not d_mom.endswith("%")):
        lines.append(t("measures.small_base", lang=lang, n=MIN_BASE))
    return Tile(text, d_yoy, d_mom, "  \n".join(lines))


# ── the shared activity measures ───────────────────────────────────────────────────────────────
def activity_params(params: Mapping[str, Any], c: Comparison, stypes=(), ttypes=()) -> dict[str, Any]:
    """volunteer_kpis parameters for the window against its 同比 window."""
    return dict(params, stypes=list(stypes), ttypes=list(ttypes), date_from=c.window.start,
                date_to=c.window.end, prev_from=c.yoy.start, prev_to=c.yoy.end)


def activity_figures(params: Mapping[str, Any], c: Comparison, stypes=(), ttypes=()) -> dict[str, dict]:
    """{kpi: {value, yoy, mom}} for ACTIVITY_KPIS and the stations in scope, from the one named query
    (volunteer_kpis), run against the 同比 window and, when there is one, the 环比 window."""
    from civic.store import queries
    p = activity_params(params, c, stypes, ttypes)
    k = queries.run("volunteer_kpis", **p).iloc[0]
    km = (queries.run("volunteer_kpis", **dict(p, prev_from=c.mom.start, prev_to=c.mom.end)).iloc[0]
          if c.mom is not None else None)
    out = {m: {"value": k[m], "yoy": k[f"{m}_prev"], "mom": None if km is None else km[f"{m}_prev"]}
           for m in ACTIVITY_KPIS}
    out["stations"] = {"value": int(k.stations), "yoy": None, "mom": None}
    return out


# ── trends ─────────────────────────────────────────────────────────────────────────────────────
def months_touched(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def trend_grain(start: date, end: date) -> str:
    """'day' when the window touches at most DAILY_MAX_MONTHS calendar months (a monthly chart of it
    would be one or two dots), else 'month'."""
    return "day" if months_touched(start, end) <= DAILY_MAX_MONTHS else "month"


def month_coverage(month: date, lo: date, hi: date) -> tuple[date, date, bool]:
    """The days of `month` that fall in lo..hi, and whether that is less than the whole month."""
    m0 = month.replace(day=1)
    m1 = month_end(m0)
    first, last = max(m0, lo), min(m1, hi)
    return first, last, (first > m0 or last < m1)


# ── the other shared measures ──────────────────────────────────────────────────────────────────
def wish_figures(params: Mapping[str, Any], c: Comparison) -> dict:
    """Micro-wishes done (completion date in the window) with its 同比 and 环比 bases, from the one named
    query (volunteer_wish_funnel.done_in_window) run on each window."""
    from civic.store import queries

    def done(w: Window) -> int:
        return int(queries.run("volunteer_wish_funnel", **dict(params, date_from=w.start, date_to=w.end))
                   .done_in_window.iloc[0])
    return {"value": done(c.window), "yoy": done(c.yoy), "mom": done(c.mom) if c.mom is not None else None}


def active_stations(towns, selected: set[str] | frozenset[str]) -> int:
    """Active village stations of the selected towns (all when none), summed from volunteer_towns."""
    rows = towns[towns.town_code.isin(selected)] if selected else towns
    return int(rows.active_stations.sum())


# ── tiles without a comparison: a current state, a window, an upload ─────────────────────────────
# Every st.metric's tooltip says what it counts (catalog measures.kpi.<id>.counts) and over which period.
# One id per measure: the overview's tile and the renovation page's tile of one measure share it.
def counts_text(kpi: str, lang: str = "zh", **kw) -> str:
    """"<what it counts>。" (placeholders such as {body} filled from kw)."""
    s = t(f"measures.kpi.{kpi}.counts", lang=lang, **kw)
    return f"{s}。" if lang == "zh" else f"{s}."


def state_line(as_of: date, lang: str = "zh") -> str:
    """现状：截至2026年11月26日（数据截至日），不随时间范围变化。"""
    return t("measures.period.state", lang=lang, date=fmt.day(as_of, lang))


def state_tile(kpi: str, value, as_of: date, lang: str = "zh", value_text: str | None = None, **kw) -> Tile:
    """A tile of a current state on the data's last day (no period, so no delta)."""
    text = value_text if value_text is not None else fmt.num(value, lang)
    return Tile(text, None, None, "  \n".join([counts_text(kpi, lang, **kw), state_line(as_of, lang)]))


def window_tile(kpi: str, value, window: Window, lang: str = "zh", value_text: str | None = None, **kw) -> Tile:
    """A tile counted over a window, shown without a comparison: what it counts and the window's days."""
    text = value_text if value_text is not None else fmt.num(value, lang)
    return Tile(text, None, None, "  \n".join([counts_text(kpi, lang, **kw),
                                               t("measures.window_line", lang=lang, span=span_text(window, lang))]))


def upload_tile(kpi: str, value, lang: str = "zh") -> Tile:
    """A tile about one uploaded file (数据管理): what it counts, against the current data."""
    return Tile(fmt.integer(value), None, None, counts_text(kpi, lang) + "  \n" + t("measures.period.upload", lang=lang))


def metric(label: str, tile_: Tile, **kw) -> None:
    """Draw a tile as st.metric (every page's KPI tiles go through here)."""
    import streamlit as st
    kw.setdefault("border", True)
    st.metric(label, tile_.value, delta=tile_.delta, help=tile_.help, **kw)
