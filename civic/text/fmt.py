"""Chinese-first number and date formatting: 万/亿, 2025年12月, percentages."""
from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd


def _is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def _trim(s: str) -> str:
    return s.rstrip("0").rstrip(".") if "." in s else s


def num(x, lang: str = "zh", digits: int = 2) -> str:
    """12,345 → 1.23万 (zh) / 12.3K (en); 9,999 stays 9,999; 123,456,789 → 1.23亿."""
    if _is_missing(x):
        return "—"
    v = float(x)
    sign = "-" if v < 0 else ""
    a = abs(v)
    if lang == "zh":
        if a >= 1e8:
            return f"{sign}{_trim(f'{a / 1e8:.{digits}f}')}亿"
        if a >= 1e4:
            return f"{sign}{_trim(f'{a / 1e4:.{digits}f}')}万"
    else:
        for threshold, div, suf in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K")):
            if a >= threshold:
                return f"{sign}{_trim(f'{a / div:.{digits}f}')}{suf}"
    if a == int(a):
        return f"{sign}{int(a):,}"
    return f"{sign}{_trim(f'{a:,.1f}')}"


def integer(x) -> str:
    """Exact count with thousands separators (tables, reconciliation)."""
    if _is_missing(x):
        return "—"
    v = float(x)
    return f"{int(round(v)):,}" if abs(v - round(v)) < 1e-9 else f"{v:,.2f}"


def pct(x, digits: int = 1) -> str:
    """0.1234 → 12.3%"""
    if _is_missing(x):
        return "—"
    return f"{_trim(f'{float(x) * 100:.{digits}f}')}%"


def _as_date(d) -> date | None:
    if _is_missing(d):
        return None
    if isinstance(d, pd.Timestamp):
        return d.date()
    if isinstance(d, datetime):
        return d.date()
    if isinstance(d, date):
        return d
    return date.fromisoformat(str(d)[:10])


def day(d, lang: str = "zh") -> str:
    """2025年12月5日 / 5 Dec 2025"""
    d = _as_date(d)
    if d is None:
        return "—"
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.strftime("%-d %b %Y")


def iso_day(d, missing: str = "—") -> str:
    """2025-12-05 for table cells: sorts as text, and a missing date reads "—" (a table shows a null as "None")."""
    d = _as_date(d)
    return missing if d is None else d.isoformat()


def month(d, lang: str = "zh") -> str:
    """2025年12月 / Dec 2025"""
    d = _as_date(d)
    if d is None:
        return "—"
    return f"{d.year}年{d.month}月" if lang == "zh" else d.strftime("%b %Y")


def timestamp(ts, lang: str = "zh") -> str:
    """An ISO timestamp → 2026年11月26日 09:30"""
    if _is_missing(ts) or ts == "":
        return "—"
    t = ts if isinstance(ts, datetime) else datetime.fromisoformat(str(ts))
    return f"{day(t, lang)} {t:%H:%M}"


def published(value, qualifier: str, unit: str = "", lang: str = "zh") -> str:
    """A published figure as the report writes it: 3,800米 · 1,200余名 · 20余万平方米 · 近100场."""
    v = float(value)
    if lang != "zh":
        body = f"{v:,.0f}"
        return {"more_than": f"{body}+", "less_than": f"~{body} (just under)"}.get(qualifier, body)
    if qualifier == "less_than":
        return f"近{integer(v)}{unit}"
    if qualifier == "more_than":
        if v >= 1e5 and v % 1e4 == 0:
            return f"{v / 1e4:g}余万{unit}"
        if v >= 1e4 and v % 1e4 == 0:
            return f"{v / 1e4:g}万余{unit}"
        return f"{integer(v)}余{unit}"
    return f"{integer(v)}{unit}"
