"""Helpers shared by the two counties' generators: exact allocation, seasonality, dates, the reference
frames (real place codes and names), the generator's configuration and replica codes."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from civic import paths
from civic.demo import geo
from civic.demo.calibration import ACTIVITIES_PER_YEAR, DEFAULT_SEED, REPORTING_YEAR


# ── helpers ──────────────────────────────────────────────────────────────────────────────────
def allocate_total(rng: np.random.Generator, weights, total: int, minimum: int = 0) -> np.ndarray:
    """Integers >= minimum, proportional to weights in expectation, summing exactly to total."""
    w = np.asarray(weights, dtype=float)
    n = len(w)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError(f"cannot give {n} items at least {minimum} from {total}")
    p = w / w.sum() if w.sum() > 0 else np.full(n, 1 / n)
    return rng.multinomial(rest, p) + minimum


def display_name(full: str, kind: str) -> str:
    """西关村村委会 → 西关村; 永安社区居委会 → 永安社区; 五阳煤矿居委会 → 五阳煤矿社区."""
    for suffix in ("村民委员会", "居民委员会", "村委会", "居委会"):
        if full.endswith(suffix):
            name = full[: -len(suffix)]
            break
    else:
        name = full
    if kind == "村" and not name.endswith("村"):
        name += "村"
    if kind == "社区" and not name.endswith("社区"):
        name += "社区"
    return name


def _read_csv(name: str) -> list[dict]:
    with open(paths.REFERENCE_DIR / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def day_range(start: date, end: date) -> np.ndarray:
    return np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")


def _spring_festival(year: int) -> date:
    return {2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
            2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26)}.get(year, date(year, 2, 1))


def day_weights(days: np.ndarray) -> np.ndarray:
    """Seasonality: quiet winter and Spring Festival, 学雷锋 in March, a peak around 12·5."""
    d = pd.DatetimeIndex(days)
    month_factor = np.array([0, .72, .62, 1.35, 1.0, 1.05, 1.0, .92, .85, 1.05, 1.02, 1.0, 1.22])
    w = month_factor[d.month] * np.where(d.dayofweek >= 5, 1.15, 1.0)
    w = w * np.where((d.month == 12) & (d.day == 5), 6.0, 1.0)
    w = w * np.where((d.month == 12) & (d.day <= 10), 1.5, 1.0)
    w = w * np.where((d.month == 3) & (d.day == 5), 4.0, 1.0)
    for y in set(d.year):
        sf = np.datetime64(_spring_festival(int(y)))
        off = (days - sf).astype(int)
        w = w * np.where((off >= -3) & (off <= 6), 0.3, 1.0)
    return w


def activities_in_year(year: int, as_of: date) -> int:
    annual = ACTIVITIES_PER_YEAR.get(year, round(11_300 * 1.03 ** (year - 2026)))
    if year < as_of.year:
        return annual
    # the year so far gets its seasonal share (quiet winter), not its share of days: otherwise the year
    # to date would look 20–40 % busier than the same months last year
    full = day_weights(day_range(date(year, 1, 1), date(year, 12, 31)))
    return round(annual * full[:as_of.timetuple().tm_yday].sum() / full.sum())


@dataclass
class SynthConfig:
    seed: int = DEFAULT_SEED
    scale: int = 1
    as_of: date = field(default_factory=date.today)

    def __post_init__(self):
        if self.scale < 1:
            raise ValueError("scale must be >= 1")
        if self.as_of < date(REPORTING_YEAR + 1, 1, 1):
            raise ValueError(f"as_of must be after the reporting year {REPORTING_YEAR}")


# ── reference data ───────────────────────────────────────────────────────────────────────────
def reference_frames() -> dict[str, pd.DataFrame]:
    counties = pd.DataFrame([
        {"county_code": "140423", "name": "襄垣县", "province": "山西省", "prefecture": "长治市",
         "programme": "文明实践", "lon": geo.XIANGYUAN_SEAT[0], "lat": geo.XIANGYUAN_SEAT[1], "is_replica": False},
        {"county_code": "511823", "name": "汉源县", "province": "四川省", "prefecture": "雅安市",
         "programme": "小区治理", "lon": geo.HANYUAN_SEAT[0], "lat": geo.HANYUAN_SEAT[1], "is_replica": False},
    ])
    town_rows = [r for r in _read_csv("towns.csv") if r["town_code"]]
    towns = pd.DataFrame([{
        "town_code": r["town_code"], "county_code": r["county_code"], "name": r["town_name"],
        "kind": "开发区" if r["town_name"].endswith("开发区") else ("乡" if r["town_name"].endswith("乡") else "镇"),
    } for r in town_rows])
    vill = _read_csv("xiangyuan_villages.csv") + _read_csv("hanyuan_communities.csv")
    villages = pd.DataFrame([{
        "village_code": r["code"], "town_code": r["town_code"], "name_full": r["name"],
        "name": display_name(r["name"], r["kind"]), "kind": r["kind"]} for r in vill])
    return {"counties": counties, "towns": towns, "villages": villages}


@lru_cache(maxsize=16)
def serials(n: int, width: int) -> np.ndarray:
    """'0000001' … as an object array, shared by every replica. Do not mutate: prefix it (which copies)."""
    return np.array([f"{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def replica_code(code: str, r: int) -> str:
    return code if r == 0 else f"9{r:03d}23" + code[6:]
