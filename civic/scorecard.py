"""The township scorecard (乡镇对比): every township of a county one row, one column per measure, with its
同比, its rank and a 12-month sparkline.

One truth: every figure is what the volunteer, renovation and co-governance pages show with that township
chosen. 站均/active/beneficiaries/hours come from volunteer_towns itself; the others from one query per
measure grouped by township (queries/scorecard_*_towns.sql: the same views and conditions as
volunteer_idle, volunteer_wish_funnel, volunteer_training_kpis, renovation_kpis, cogov_feedback_kpis and
cogov_meetings_kpis, tests/store/test_scorecard_queries.py checks them equal per township on several dates).
Running those named queries once per township and window cost ≈127 queries and 2.6 s of CPU on the first
visit at ×100 (issue 21). Runs are cached by queries.run, so a warm rerun costs no query. A township
without stations (襄垣) or compounds (汉源) has no figures: None, shown "—", never 0 %.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from civic import measures
from civic.store import db, queries

PRACTICE, RENOVATION = "140423", "511823"
IDLE_DAYS = 30              # the "idle stations (>30 days)", as the volunteer page's default
SPARK_MONTHS = 12


@dataclass(frozen=True)
class Measure:
    id: str                  # column name; label catalog key scorecard.m.<id>
    kind: str                # count | num (one decimal) | pct (0–100) | days
    higher_better: bool = True
    yoy: bool = True         # has a 同比 (a current state such as the compounds has none)


MEASURES: dict[str, tuple[Measure, ...]] = {
    PRACTICE: (
        Measure("per_station", "num"), Measure("active_share", "pct"),
        Measure("idle", "count", higher_better=False), Measure("beneficiaries", "count"),
        Measure("hours", "count"), Measure("wishes_done", "count"), Measure("wish_rate", "pct"),
        Measure("trainings", "count"), Measure("trainees", "count"),
    ),
    RENOVATION: (
        Measure("compounds", "count", yoy=False), Measure("completion", "pct", yoy=False),
        Measure("behind", "count", higher_better=False, yoy=False), Measure("received", "count"),
        Measure("closure", "pct"), Measure("median_days", "days", higher_better=False),
        Measure("meetings", "count"),
    ),
}


def _ratio(a: Any, b: Any) -> float | None:
    return None if b is None or missing(b) or float(b) == 0 or missing(a) else float(a) / float(b) * 100


def missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _num(x: Any) -> float | None:
    return None if missing(x) else float(x)


# ── 襄垣: the civilisation-practice measures ─────────────────────────────────────────────────────
def _by_town(name: str, **params: Any) -> pd.DataFrame:
    """A scorecard_*_towns query, indexed by town_code (a township it leaves out has none: 0)."""
    return queries.run(name, **params).set_index("town_code")


def _practice_window(P: dict, c_from: date, c_to: date, towns: list[str]) -> dict[str, dict[str, Any]]:
    """{town: {measure: value}} for one window: one grouped query per source (volunteer_towns as the
    volunteer page runs it; the scorecard_*_towns queries, tested equal to the per-township named ones)."""
    p = dict(P, stypes=[], ttypes=[], date_from=c_from, date_to=c_to, prev_from=c_from, prev_to=c_to)
    vt = queries.run("volunteer_towns", **p).set_index("town_code")
    idle = _by_town("scorecard_idle_towns", county=PRACTICE, date_to=c_to, idle_days=IDLE_DAYS)
    wf = _by_town("scorecard_wishes_towns", county=PRACTICE, date_from=c_from, date_to=c_to)
    tk = _by_town("scorecard_training_towns", county=PRACTICE, date_from=c_from, date_to=c_to)
    out: dict[str, dict[str, Any]] = {}
    for code in towns:
        if code not in vt.index or int(vt.loc[code, "stations"]) == 0:
            out[code] = {}
            continue
        r = vt.loc[code]
        w = wf.loc[code] if code in wf.index else None
        k = tk.loc[code] if code in tk.index else None
        out[code] = {
            "per_station": float(r.per_station), "active_share": _ratio(r.active_stations, r.stations),
            "idle": int(idle.loc[code, "idle_total"]) if code in idle.index else 0,
            "beneficiaries": float(r.beneficiaries), "hours": float(r.hours),
            "wishes_done": 0 if w is None else int(w.done_in_window),
            "wish_rate": None if w is None else _ratio(w.done, w.published),
            "trainings": 0 if k is None else int(k.sessions), "trainees": 0 if k is None else int(k.trainees),
        }
    return out


# ── 汉源: renovation and co-governance ────────────────────────────────────────────────────────────
def _renovation_window(P: dict, c_from: date, c_to: date, towns: list[str], as_of: date,
                       state: bool) -> dict[str, dict[str, Any]]:
    """{town: {measure: value}} for one window (the compounds' current state only when `state`)."""
    rk = _by_town("scorecard_renovation_towns", county=RENOVATION, as_of=as_of) if state else None
    fb = _by_town("scorecard_feedback_towns", county=RENOVATION, date_from=c_from, date_to=c_to)
    mt = _by_town("scorecard_meetings_towns", county=RENOVATION, date_from=c_from, date_to=c_to)
    out: dict[str, dict[str, Any]] = {}
    for code in towns:
        row: dict[str, Any] = {}
        if rk is not None:
            if code not in rk.index:
                out[code] = {}
                continue
            k = rk.loc[code]
            row.update(compounds=int(k.compounds), completion=_ratio(k.completed, k.compounds),
                       behind=int(k.late_open))
        f = fb.loc[code] if code in fb.index else None
        row.update(received=0 if f is None else int(f.received),
                   closure=None if f is None else _ratio(f.resolved, f.received),
                   median_days=None if f is None else _num(f.median_days),
                   meetings=int(mt.loc[code, "in_window"]) if code in mt.index else 0)
        out[code] = row
    return out


# The finished tables, shared by every session: a township filter, a rerun with no change and a second
# viewer show the same table (the scorecard always ranks every township of the county), and assembling it
# (ranks, sparklines, ~30 rows × 40 columns through pandas) cost ~100 ms of CPU a rerun at ×100. Keyed by
# everything table() reads, the data version included; emptied with the query cache.
_TABLES: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_TABLES_LOCK = threading.Lock()
TABLES_KEPT = 32


def _clear_tables() -> None:
    with _TABLES_LOCK:
        _TABLES.clear()


queries.on_clear(_clear_tables)


def table(county: str, town_codes: list[str], names: dict[str, str], P: dict,
          cmp: measures.Comparison, as_of: date) -> pd.DataFrame:
    """One row per township: town_code, town_name, each measure, <id>_prev (同比 base, None when there is
    none), <id>_rank (1 = best; None without a value) and spark (the last 12 months, a list). P, the page's
    filters, narrows nothing: every township is ranked on all types (the volunteer page's town chart too)."""
    key = (county, tuple(town_codes), tuple(names.get(c, c) for c in town_codes), cmp.window, cmp.yoy,
           cmp.yoy_ok, as_of, db.data_version())
    with _TABLES_LOCK:
        hit = _TABLES.get(key)
        if hit is not None:
            _TABLES.move_to_end(key)
            return hit.copy()
    df = _table(county, town_codes, names, P, cmp, as_of)
    with _TABLES_LOCK:
        _TABLES[key] = df
        while len(_TABLES) > TABLES_KEPT:
            _TABLES.popitem(last=False)
    return df.copy()


def _table(county: str, town_codes: list[str], names: dict[str, str], P: dict,
           cmp: measures.Comparison, as_of: date) -> pd.DataFrame:
    w, y = cmp.window, cmp.yoy
    if county == PRACTICE:
        cur = _practice_window(P, w.start, w.end, town_codes)
        prev = _practice_window(P, y.start, y.end, town_codes) if cmp.yoy_ok else {}
    else:
        cur = _renovation_window(P, w.start, w.end, town_codes, as_of, state=True)
        prev = _renovation_window(P, y.start, y.end, town_codes, as_of, state=False) if cmp.yoy_ok else {}
    rows = []
    for code in town_codes:
        row: dict[str, Any] = {"town_code": code, "town_name": names.get(code, code)}
        for m in MEASURES[county]:
            row[m.id] = cur[code].get(m.id)
            row[f"{m.id}_prev"] = prev.get(code, {}).get(m.id) if (m.yoy and cur[code]) else None
        rows.append(row)
    df = pd.DataFrame(rows)
    df = rank(df, MEASURES[county])
    df["spark"] = sparklines(county, town_codes, w.end)
    return df


def rank(df: pd.DataFrame, ms: tuple[Measure, ...]) -> pd.DataFrame:
    """<id>_rank per measure: 1 is the best (highest, or lowest where lower is better); ties share the
    better rank; a township without a value gets no rank."""
    out = df.copy()
    for m in ms:
        vals = pd.to_numeric(out[m.id], errors="coerce")
        out[f"{m.id}_rank"] = vals.rank(ascending=not m.higher_better, method="min").astype("Int64")
    return out


def spark_months(end: date, n: int = SPARK_MONTHS) -> list[date]:
    first = measures.shift_months(end.replace(day=1), -(n - 1))
    return [measures.shift_months(first, i) for i in range(n)]


def sparklines(county: str, town_codes: list[str], end: date) -> list[list[float]]:
    """Per township, the last 12 months up to the window's end month: activities (襄垣) or 诉求 received (汉源)."""
    months = spark_months(end)
    df = queries.run("scorecard_monthly", county=county, month_from=months[0], month_to=months[-1])
    stamps = [pd.Timestamp(mo) for mo in months]
    if df.empty:
        return [[0.0] * len(months) for _ in town_codes]
    grid = (df.pivot_table(index="town_code", columns="month", values="value", aggfunc="sum")
            .reindex(index=town_codes, columns=stamps).fillna(0.0))
    return [[float(v) for v in row] for row in grid.to_numpy()]


def monthly(county: str, town_codes: list[str], end: date) -> pd.DataFrame:
    """Long form (town_code, month, value) of the sparkline series, for the small multiples."""
    months = spark_months(end)
    series = sparklines(county, town_codes, end)
    return pd.DataFrame([{"town_code": c, "month": mo, "value": v}
                         for c, vals in zip(town_codes, series) for mo, v in zip(months, vals)])


def yoy_change(m: Measure, cur: Any, base: Any) -> str | None:
    """同比 as measures.change has it; for a share, the difference in percentage points."""
    if not m.yoy or missing(cur) or missing(base):
        return None
    if m.kind == "pct":
        d = float(cur) - float(base)
        return f"{'+' if d >= 0 else ''}{d:.1f}pp"
    return measures.change(cur, base)


# ── the table as shown and as exported ───────────────────────────────────────────────────────────
def value_text(m: Measure, v: Any, lang: str = "zh") -> str:
    from civic.text import fmt
    if missing(v):
        return "—"
    if m.kind == "count":
        return fmt.num(v, lang)
    if m.kind == "pct":
        return f"{float(v):.1f}%"
    return f"{float(v):.1f}"


def rank_text(rank: Any, n: int, lang: str = "zh") -> str:
    """#1 最佳 / #9 最末 / #4: the rank as words, so colour never carries it alone."""
    from civic.text.i18n import t
    if missing(rank) or n == 0:
        return ""
    r = int(rank)
    mark = t("scorecard.best", lang=lang) if r == 1 else (t("scorecard.worst", lang=lang) if r == n and n > 1 else "")
    return f"#{r} {mark}".strip()


def export(df: pd.DataFrame, county: str, lang: str = "zh") -> pd.DataFrame:
    """The Excel sheet: the same numbers and ranks as the table, as numbers, headed in the page's language."""
    from civic.text.i18n import t
    cols: dict[str, Any] = {t("scorecard.col_town", lang=lang): df.town_name}
    for m in MEASURES[county]:
        label = t(f"scorecard.m.{m.id}", lang=lang)
        cols[label] = [None if missing(v) else round(float(v), 1) for v in df[m.id]]
        cols[t("scorecard.col_rank", lang=lang, m=label)] = df[f"{m.id}_rank"]
        if m.yoy:
            cols[t("scorecard.col_yoy", lang=lang, m=label)] = [yoy_change(m, v, b) or ""
                                                                for v, b in zip(df[m.id], df[f"{m.id}_prev"])]
    return pd.DataFrame(cols)
