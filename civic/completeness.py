"""报送完整性 (reporting completeness): the share of a township's village stations that reported at least
one activity in a month, the rule that judges it, and the silent stations.

The rule (stated on the page and in the 总览 alert): a month is judged against THRESHOLD % of stations
reporting; the current month, still running on the data's last day, is judged pro rata, against
THRESHOLD × (days elapsed / days in the month), so a month five days old is not a failure.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from civic import measures
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t

THRESHOLD = 80.0          # % of stations reporting in a month (the "上报率低于 80%")
MONTHS = 12
SILENT_CHOICES = ("15", "30", "60", "90")
SILENT_DEFAULT = "30"
# A heatmap taller than this is read by nobody (at province scale a county list holds 1,000 townships): it draws
# the townships that most need attention and says how many it left out; a township pick shows any other.
HEAT_ROWS = 40
# Lists of township names in a sentence (the alert, the warning, the per-township counts) stop after this many.
LIST_NAMES = 12


def months(as_of: date, n: int = MONTHS) -> list[date]:
    first = measures.shift_months(as_of.replace(day=1), -(n - 1))
    return [measures.shift_months(first, i) for i in range(n)]


def bar(days_in: int, days_total: int, threshold: float = THRESHOLD) -> float:
    """The share a month must reach: the threshold, pro rata for a month still running."""
    return threshold * min(1.0, days_in / days_total) if days_total else threshold


def grid(towns: list[str], as_of: date) -> pd.DataFrame:
    """completeness_grid for the last 12 months up to as_of, with `bar` (what the month is judged against)
    and `low` (below it)."""
    ms = months(as_of)
    # every township is read once and cached; a township filter picks rows (a town change costs no query)
    df = queries.run("completeness_grid", towns=[], month_from=ms[0], month_to=ms[-1], as_of=as_of)
    df = (df[df.town_code.isin(towns)] if towns else df).copy()
    df["month"] = pd.to_datetime(df.month).dt.date
    df["bar"] = [bar(a, b) for a, b in zip(df.days_in, df.days_total)]
    df["low"] = df.share < df.bar
    return df


def low_this_month(towns: list[str], as_of: date) -> pd.DataFrame:
    """Townships whose current month (as_of's) is below its pro-rata bar: town_code, town_name, share, bar."""
    g = grid(towns, as_of)
    cur = g[(g.month == as_of.replace(day=1)) & g.low]
    return cur[["town_code", "town_name", "share", "bar", "days_in", "days_total"]].reset_index(drop=True)


def silent(towns: list[str], as_of: date, days: int, month: date | None = None) -> pd.DataFrame:
    """Stations silent for more than `days` days on as_of, or (with `month`) without an activity that month."""
    if month is not None:
        return queries.run("completeness_silent", towns=towns, days=int(days), as_of=as_of, month=month)
    df = queries.run("completeness_silent", towns=[], days=int(days), as_of=as_of, month=None)
    return df[df.town_code.isin(towns)].reset_index(drop=True) if towns else df


def heat_rows(g: pd.DataFrame, as_of: date, limit: int = HEAT_ROWS) -> tuple[pd.DataFrame, int]:
    """(the rows of `g` the heatmap draws, how many townships `g` holds). Every township when they fit;
    otherwise the `limit` lowest against this month's bar (then lowest over the 12 months), in g's order."""
    codes = list(dict.fromkeys(g.town_code))
    if len(codes) <= limit:
        return g, len(codes)
    cur = g[g.month == as_of.replace(day=1)]
    ratio = dict(zip(cur.town_code, cur.share / cur.bar.where(cur.bar > 0)))
    mean = g.groupby("town_code").share.mean().to_dict()
    worst = sorted(codes, key=lambda c: (_or_inf(ratio.get(c)), _or_inf(mean.get(c))))[:limit]
    return g[g.town_code.isin(set(worst))], len(codes)


def heat(towns: list[str], as_of: date) -> tuple[pd.DataFrame, int]:
    """heat_rows of the grid of `towns` (one call, so a page can share the result between sessions)."""
    return heat_rows(grid(towns, as_of), as_of)


def silent_listed(towns: list[str], as_of: date, days: int, month: date | None = None) -> pd.DataFrame:
    """`silent`, with `last_fmt`: the last activity's day as the list shows it (2025-12-05, or "never")."""
    df = silent(towns, as_of, days, month)
    return df.assign(last_fmt=[t("completeness.never") if pd.isna(x) else fmt.iso_day(x) for x in df.last_date])


def _or_inf(v: float | None) -> float:
    return float("inf") if v is None or pd.isna(v) else float(v)


def name_list(names: list[str], limit: int = LIST_NAMES) -> str:
    """Names joined for a sentence; past `limit`, the first ones and how many more."""
    shown = t("filters.list_sep").join(names[:limit])
    return shown if len(names) <= limit else shown + t("completeness.list_more", k=len(names) - limit)
