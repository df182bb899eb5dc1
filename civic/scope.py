"""The shared filter scope (county, townships, date range, language) and its URL form: pure, no Streamlit.

One model for every consumer of the shared filters: the app's shell (civic/app/shell.py keeps the one
canonical state, the sidebar widgets and the URL in step: docs/architecture.md, "Shared filters") and the
briefing (civic/briefing/, which reads a page's link without Streamlit). URL parameters: county (all | code |
name), town (name or 9-digit code, repeatable), range (a preset), from / to (YYYY-MM-DD, a custom range),
lang (zh | en). `parse_shared` never raises: a malformed or unknown value falls back to the default and adds a
notice; days outside the data are clamped to it here (clamp_day), with a notice.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from civic.text import fmt
from civic.text.i18n import LANGS, t

PRESETS = ("this_month", "this_quarter", "this_year", "last_12m", "all", "custom")
DEFAULT_PRESET = "this_year"
COUNTIES = ("all", "140423", "511823")
MAX_PARAM_LEN = 64
MAX_TOWNS = 50


def short(value: str) -> str:
    """A URL value as a notice quotes it back: at most 40 characters."""
    value = str(value)
    return value if len(value) <= 40 else value[:40] + "…"


def preset_range(preset: str, anchor: date, data_start: date) -> tuple[date, date]:
    """The inclusive window for a preset, anchored at the data's last day."""
    if preset == "this_month":
        return anchor.replace(day=1), anchor
    if preset == "this_quarter":
        return date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1), anchor
    if preset == "this_year":
        return date(anchor.year, 1, 1), anchor
    if preset == "last_12m":
        start = date(anchor.year - 1, anchor.month, 1) + timedelta(days=32)
        return start.replace(day=1), anchor
    return data_start, anchor


@dataclass(frozen=True)
class Filters:
    county: str = "all"
    towns: tuple[str, ...] = ()           # selected town codes, any county
    preset: str = DEFAULT_PRESET
    date_from: date = date(2025, 1, 1)
    date_to: date = date(2025, 12, 31)
    lang: str = "zh"
    anchor: date = date(2025, 12, 31)     # the data's last day
    town_county: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def town_codes(self, county_code: str) -> list[str]:
        """Selected towns of one county; [] means all of that county's towns."""
        return [c for c in self.towns if self.town_county.get(c) == county_code]

    def params(self, county_code: str | None = None) -> dict[str, Any]:
        """Named-query parameters: $towns, $date_from, $date_to, $prev_from, $prev_to, $county."""
        towns = self.town_codes(county_code) if county_code else list(self.towns)
        pf, pt = self.previous()
        return {"towns": towns, "date_from": self.date_from, "date_to": self.date_to,
                "prev_from": pf, "prev_to": pt, "county": self.county, "as_of": self.anchor}

    def previous(self) -> tuple[date, date]:
        """The comparison window of the deltas: 同比, the same days a year earlier (civic/measures.py)."""
        from civic.measures import yoy
        w = yoy(self.date_from, self.date_to)
        return w.start, w.end

    def shows_county(self, county_code: str) -> bool:
        return self.county in ("all", county_code)


@dataclass
class TownIndex:
    """Town lookup by code, by name, and by name without its 镇/乡 suffix."""
    frame: pd.DataFrame   # town_code, name, county_code

    def __post_init__(self) -> None:
        self.by_code = dict(zip(self.frame.town_code, self.frame.name))
        self.county_of = dict(zip(self.frame.town_code, self.frame.county_code))
        self.by_name: dict[str, str] = {}
        for code, name in self.by_code.items():
            self.by_name[name] = code
            for suf in ("镇", "乡", "街道"):
                if name.endswith(suf) and len(name) > len(suf) + 1:
                    self.by_name.setdefault(name[: -len(suf)], code)

    def resolve(self, value: str) -> str | None:
        v = str(value).strip()
        if v in self.by_code:
            return v
        return self.by_name.get(v)

    def codes_for(self, counties: Iterable[str]) -> list[str]:
        cs = set(counties)
        return [c for c in self.by_code if self.county_of[c] in cs]


def _parse_date(value: str) -> date | None:
    v = str(value).strip()
    if len(v) != 10:
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        return None


def clamp_day(d: date, lo: date, hi: date, raw: str, lang: str | None = None) -> tuple[date, str | None]:
    """A parsed day forced into the data's span [lo, hi], with a notice naming the value that moved."""
    if lo <= d <= hi:
        return d, None
    to = lo if d < lo else hi
    return to, t("notices.date_clamped", lang=lang, value=short(raw), lo=fmt.day(lo, lang or "zh"),
                 hi=fmt.day(hi, lang or "zh"), to=fmt.day(to, lang or "zh"))




def parse_shared(qp: Mapping[str, Sequence[str]], towns: TownIndex, anchor: date,
                 data_start: date) -> tuple[Filters, list[str]]:
    """URL query → Filters, plus human-readable notices for every value that was ignored."""
    notices: list[str] = []

    def first(name: str) -> str | None:
        vals = qp.get(name) or []
        return str(vals[0]) if vals else None

    lang = first("lang") or "zh"
    if lang not in LANGS:
        notices.append(t("notices.bad_lang", value=short(lang)))
        lang = "zh"

    def note(key: str, **kw: Any) -> None:
        notices.append(t(key, lang=lang, **kw))

    county = _parse_county(first("county") or "all", note)
    codes = _parse_towns(list(qp.get("town") or [])[:MAX_TOWNS], towns, note)
    preset, d_from, d_to = _parse_dates(first("range") or DEFAULT_PRESET, first("from"), first("to"),
                                        anchor, data_start, lang, notices)
    return Filters(county=county, towns=tuple(codes), preset=preset, date_from=d_from, date_to=d_to, lang=lang,
                   anchor=anchor, town_county=towns.county_of), notices


Note = Callable[..., None]   # note(catalog key, **values): adds a notice in the URL's language


def _parse_county(county: str, note: Note) -> str:
    if county in COUNTIES:
        return county
    by_name = {"襄垣县": "140423", "襄垣": "140423", "汉源县": "511823", "汉源": "511823", "全部": "all"}
    if county in by_name:
        return by_name[county]
    note("notices.bad_value", param="county", value=short(county))
    return "all"


def _parse_towns(raws: Sequence[str], towns: TownIndex, note: Note) -> list[str]:
    codes: list[str] = []
    for raw in raws:
        for part in str(raw).split(","):
            if not part.strip():
                continue
            code = towns.resolve(part) if len(part) <= MAX_PARAM_LEN else None
            if code is None:
                note("notices.bad_town", value=short(part))
            elif code not in codes:
                codes.append(code)
    return codes


def _parse_dates(preset: str, raw_from: str | None, raw_to: str | None, anchor: date, data_start: date,
                 lang: str, notices: list[str]) -> tuple[str, date, date]:
    """range / from / to → (preset, first day, last day); a notice for each value ignored or moved."""
    def note(key: str, **kw: Any) -> None:
        notices.append(t(key, lang=lang, **kw))

    if preset not in PRESETS:
        note("notices.bad_value", param="range", value=short(preset))
        preset = DEFAULT_PRESET
    d_from, d_to = preset_range(preset if preset != "custom" else DEFAULT_PRESET, anchor, data_start)
    if raw_from is None and raw_to is None:
        return (DEFAULT_PRESET if preset == "custom" else preset), d_from, d_to
    pf = _parse_date(raw_from) if raw_from is not None else data_start
    pt = _parse_date(raw_to) if raw_to is not None else anchor
    if pf is None or pt is None:
        note("notices.bad_date", value=short((raw_from if pf is None else raw_to) or ""))
        preset = DEFAULT_PRESET
    elif pf > pt and raw_from is not None and raw_to is not None:
        # reversed by the user: no guess at which end they meant (a lone from= after the data is clamped)
        note("notices.bad_range")
        preset = DEFAULT_PRESET
    else:
        # days outside the data (year 1, the epoch, the day after the data date) are moved to its ends:
        # the date picker and the comparison window only handle days the data covers
        pf, moved_from = clamp_day(pf, data_start, anchor, raw_from or "", lang)
        pt, moved_to = clamp_day(pt, data_start, anchor, raw_to or "", lang)
        notices.extend(n for n in (moved_from, moved_to) if n)
        preset, d_from, d_to = "custom", pf, pt
    if preset == DEFAULT_PRESET:
        d_from, d_to = preset_range(DEFAULT_PRESET, anchor, data_start)
    return preset, d_from, d_to


def to_query(f: Filters, towns: TownIndex) -> dict[str, str | list[str]]:
    """Filters → the canonical, minimal URL query (defaults are left out)."""
    q: dict[str, str | list[str]] = {}
    if f.county != "all":
        q["county"] = f.county
    if f.towns:
        q["town"] = [towns.by_code.get(c, c) for c in f.towns]
    if f.preset == "custom":
        q["from"], q["to"] = f.date_from.isoformat(), f.date_to.isoformat()
    elif f.preset != DEFAULT_PRESET:
        q["range"] = f.preset
    if f.lang != "zh":
        q["lang"] = f.lang
    return q


def with_dates(f: Filters, preset: str, custom: tuple[date, date] | None, data_start: date) -> Filters:
    if preset == "custom" and custom:
        return replace(f, preset="custom", date_from=custom[0], date_to=custom[1])
    if preset == "custom":
        return replace(f, preset="custom")
    d_from, d_to = preset_range(preset, f.anchor, data_start)
    return replace(f, preset=preset, date_from=d_from, date_to=d_to)
