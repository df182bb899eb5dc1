"""Shared filters (county, township, date range, language) and their URL form.

URL parameters: county (all | code | name), town (name or 9-digit code, repeatable), range (a preset),
from / to (YYYY-MM-DD, a custom range), lang (zh | en). `parse_shared` is pure and never raises: a
malformed or unknown value falls back to the default and adds a notice; days and months outside the data
are clamped to it here (clamp_day, read_month), with a notice. civic/app/shell.py keeps the one canonical
state, the sidebar widgets and the URL in step (docs/architecture.md, "Shared filters"); `UrlParam` does
the same for a page's own parameters.
"""
from __future__ import annotations

import re
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


def _short(value: str) -> str:
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

    def __post_init__(self):
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


# ── dates and months from the URL: parsed and clamped here, nowhere else ──────────────────────────
MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")   # ASCII only: \d also matches ２０２５


def clamp_day(d: date, lo: date, hi: date, raw: str, lang: str | None = None) -> tuple[date, str | None]:
    """A parsed day forced into the data's span [lo, hi], with a notice naming the value that moved."""
    if lo <= d <= hi:
        return d, None
    to = lo if d < lo else hi
    return to, t("notices.date_clamped", lang=lang, value=_short(raw), lo=fmt.day(lo, lang or "zh"),
                 hi=fmt.day(hi, lang or "zh"), to=fmt.day(to, lang or "zh"))


def read_month(raw: str, lo: date, hi: date, lang: str | None = None) -> tuple[str | None, str | None]:
    """A month parameter ("YYYY-MM") → (the month inside the data's span or None, notice or None).

    Never raises: year 0, month 0 or 13 and any other shape are dropped with a notice; a real month
    outside [lo's month, hi's month] is moved to the nearest end with a notice."""
    v = str(raw).strip()
    m = MONTH_RE.fullmatch(v)
    if not m or not (1 <= int(m[1]) and 1 <= int(m[2]) <= 12):
        return None, t("notices.bad_month", lang=lang, value=_short(raw))
    first, lo_m, hi_m = date(int(m[1]), int(m[2]), 1), lo.replace(day=1), hi.replace(day=1)
    if lo_m <= first <= hi_m:
        return v, None
    to = lo_m if first < lo_m else hi_m
    return to.strftime("%Y-%m"), t("notices.month_clamped", lang=lang, value=_short(raw),
                                   lo=fmt.month(lo_m, lang or "zh"), hi=fmt.month(hi_m, lang or "zh"),
                                   to=fmt.month(to, lang or "zh"))


def month_param(lo: date, hi: date) -> Callable[[str], tuple[str | None, str | None]]:
    """The `clean` hook of a UrlParam holding a month (see read_month)."""
    return lambda raw: read_month(raw, lo, hi)


def parse_shared(qp: Mapping[str, Sequence[str]], towns: TownIndex, anchor: date,
                 data_start: date) -> tuple[Filters, list[str]]:
    """URL query → Filters, plus human-readable notices for every value that was ignored."""
    notices: list[str] = []

    def first(name: str) -> str | None:
        vals = qp.get(name) or []
        return str(vals[0]) if vals else None

    lang = first("lang") or "zh"
    if lang not in LANGS:
        notices.append(t("notices.bad_lang", value=_short(lang)))
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
    note("notices.bad_value", param="county", value=_short(county))
    return "all"


def _parse_towns(raws: Sequence[str], towns: TownIndex, note: Note) -> list[str]:
    codes: list[str] = []
    for raw in raws:
        for part in str(raw).split(","):
            if not part.strip():
                continue
            code = towns.resolve(part) if len(part) <= MAX_PARAM_LEN else None
            if code is None:
                note("notices.bad_town", value=_short(part))
            elif code not in codes:
                codes.append(code)
    return codes


def _parse_dates(preset: str, raw_from: str | None, raw_to: str | None, anchor: date, data_start: date,
                 lang: str, notices: list[str]) -> tuple[str, date, date]:
    """range / from / to → (preset, first day, last day); a notice for each value ignored or moved."""
    def note(key: str, **kw: Any) -> None:
        notices.append(t(key, lang=lang, **kw))

    if preset not in PRESETS:
        note("notices.bad_value", param="range", value=_short(preset))
        preset = DEFAULT_PRESET
    d_from, d_to = preset_range(preset if preset != "custom" else DEFAULT_PRESET, anchor, data_start)
    if raw_from is None and raw_to is None:
        return (DEFAULT_PRESET if preset == "custom" else preset), d_from, d_to
    pf = _parse_date(raw_from) if raw_from is not None else data_start
    pt = _parse_date(raw_to) if raw_to is not None else anchor
    if pf is None or pt is None:
        note("notices.bad_date", value=_short((raw_from if pf is None else raw_to) or ""))
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


# ── page-scoped URL parameters ───────────────────────────────────────────────────────────────
@dataclass
class UrlParam:
    """A page's own URL parameter bound to a widget key, validated against allowed values.

    Usage in a page:
        p = UrlParam("batch", "rv_batch", allowed=batches, multi=True)
        p.load()                       # before the widget: URL → session (with notice on bad values)
        st.multiselect(..., key=p.key)
        p.store()                      # after: session → URL
    """
    param: str
    key: str
    allowed: Sequence[str] | Callable[[str], bool]
    multi: bool = False
    default: Any = None
    # optional raw → (value or None, notice or None), run before `allowed` (e.g. month_param: clamps a month)
    clean: Callable[[str], tuple[Any, str | None]] | None = None

    def _ok(self, v: str) -> bool:
        if len(v) > MAX_PARAM_LEN:
            return False
        return self.allowed(v) if callable(self.allowed) else v in self.allowed

    def parse(self, raw: Sequence[str]) -> tuple[Any, list[str]]:
        notices: list[str] = []
        if self.clean is not None:
            kept = []
            for v in raw:
                if len(v) > MAX_PARAM_LEN:
                    kept.append(v)          # _ok rejects it below, with the usual notice
                    continue
                value, notice = self.clean(v)
                if notice:
                    notices.append(notice)
                if value is not None:
                    kept.append(value)
            raw = kept
        bad = [v for v in raw if not self._ok(v)]
        good = [v for v in raw if self._ok(v)]
        notices += [t("notices.bad_value", param=self.param, value=_short(v)) for v in bad]
        if self.multi:
            seen: list[str] = []
            for v in good:
                if v not in seen:
                    seen.append(v)
            return (seen if seen else (self.default if self.default is not None else [])), notices
        return (good[0] if good else self.default), notices

    def load(self) -> None:
        import streamlit as st
        raw = st.query_params.get_all(self.param)
        sig_key = f"_urlsig_{self.param}"
        sig = "\x1f".join(raw)
        if self.key not in st.session_state or (raw and sig != st.session_state.get(sig_key)):
            value, notices = self.parse(raw)
            st.session_state[self.key] = value
            st.session_state.setdefault("_notices", []).extend(notices)
            st.session_state[sig_key] = sig

    def store(self) -> None:
        import streamlit as st
        value = st.session_state.get(self.key, self.default)
        empty = value in (None, [], (), "") or value == self.default
        if empty:
            if self.param in st.query_params:
                del st.query_params[self.param]
            st.session_state[f"_urlsig_{self.param}"] = ""
        else:
            vals = [str(v) for v in value] if self.multi else [str(value)]
            st.query_params[self.param] = vals if self.multi else vals[0]
            st.session_state[f"_urlsig_{self.param}"] = "\x1f".join(vals)


def load_page_params(*params: UrlParam) -> None:
    """Load a page's own URL parameters and show, right away, the notices for any bad value (the shell has
    already drawn the shared filters' notices before the page ran)."""
    import streamlit as st
    seen = len(st.session_state.get("_notices", []))
    for p in params:
        p.load()
    from civic.text.safe_text import md_text
    for notice in st.session_state.get("_notices", [])[seen:]:
        st.warning(md_text(notice))   # it quotes the bad URL value: shown as typed, never as a link
