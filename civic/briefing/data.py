"""What the briefing says, gathered through the pages' own queries and measures (no figure of its own).

Each number is the one the page named beside it shows for the same filters: the practice KPIs are 总览's
tiles (measures.activity_figures / wish_figures / state_tile), the ranking is volunteer_towns (总览 and
志愿服务), the idle stations are the volunteer page's list at its default 30 days, the renovation headline is
stages.headline (总览 and 改造进度), the delays are renovation_compounds' delay_days (改造进度), the open items
are cogov_open_items (小区共治), 口径核对 is published_facts (总览). tests/briefing/test_briefing.py checks them against 总览.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping, Sequence

import pandas as pd

from civic import measures, stages
from civic.scope import PRESETS, Filters, TownIndex, parse_shared
from civic.store import db, queries
from civic.text import fmt
from civic.text.i18n import t, tv

PRACTICE, RENOVATION = "140423", "511823"
IDLE_DAYS = 30          # the volunteer page's default window for an idle station (pages/volunteer.py p_idle)
MAX_ROWS = 10           # rows of each list in the briefing; the total is always printed beside it
# The township ranking holds a whole county (up to ~20 townships), but at province scale a thousand: a chart and a
# table a thousand rows long make a phone picture nobody reads and cost seconds to draw, so it is cut there too.
RANK_ROWS = 20


@dataclass
class Kpi:
    label: str
    value: str
    delta: str | None = None    # 同比 (measures.change), None when there is none
    note: str = ""


@dataclass
class Rows:
    """A list cut to MAX_ROWS: the frame shown and how many rows there were."""
    frame: pd.DataFrame
    total: int


@dataclass
class Practice:
    kpis: list[Kpi]
    delta_note: str
    trend: pd.DataFrame          # month|day, activities
    grain: str                   # "month" | "day"
    ranking: Rows                # volunteer_towns, best first, with `rank`: the first RANK_ROWS and the picked
    selected: frozenset[str]
    idle: Rows


@dataclass
class Renovation:
    kpis: list[Kpi]
    stage_counts: pd.DataFrame   # stage, at_stage
    works: pd.DataFrame          # overview_works
    late: Rows                   # open compounds behind plan
    late_open: int
    open_items: Rows             # cogov_open_items
    overdue: int


@dataclass
class Briefing:
    lang: str
    filters: Filters
    as_of: date
    version: str
    published_at: str
    county_text: str
    towns_text: str
    period_text: str
    practice: Practice | None
    renovation: Renovation | None
    facts_ok: int
    facts_n: int
    mismatches: pd.DataFrame
    sources: pd.DataFrame
    notes: list[str] = field(default_factory=list)


class BadArgument(ValueError):
    """A county, town or range the briefing cannot use; the message is the user's language."""


COUNTY_NAMES = {"襄垣县": PRACTICE, "襄垣": PRACTICE, "汉源县": RENOVATION, "汉源": RENOVATION, "全部": "all"}


def filters_from(county: str, towns: Sequence[str], preset: str, lang: str = "zh") -> Filters:
    """The shared filters for the command line, parsed as a URL with the same parameters would be; any value
    the app would drop with a notice is an error here (a scheduled report must not silently change)."""
    m = dict(zip(*[queries.run("meta")[c] for c in ("key", "value")]))
    index = TownIndex(queries.run("towns"))
    problems = []
    if county not in ("all", PRACTICE, RENOVATION) and county not in COUNTY_NAMES:
        problems.append(t("briefing.bad_county", lang=lang, value=county))
    problems += [t("briefing.bad_town", lang=lang, value=v) for v in towns if index.resolve(v) is None]
    if preset not in PRESETS or preset == "custom":
        problems.append(t("briefing.bad_range", lang=lang, value=preset, allowed=", ".join(PRESETS[:-1])))
    if problems:
        raise BadArgument("\n".join(problems))
    qp: dict[str, list[str]] = {"county": [county], "range": [preset], "lang": [lang]}
    if towns:
        qp["town"] = list(towns)
    f, notices = parse_shared(qp, index, date.fromisoformat(m["as_of"]), date.fromisoformat(m["data_start"]))
    wrong = [c for c in f.towns if f.county != "all" and index.county_of.get(c) != f.county]
    if wrong:
        notices.append(t("briefing.town_not_in_county", lang=lang, towns="、".join(index.by_code[c] for c in wrong),
                         county=tv("county", f.county, lang)))
    if notices:
        raise BadArgument("\n".join(notices))
    return f


def _practice(f: Filters, cmp: measures.Comparison, as_of: date, lang: str) -> Practice:
    P = f.params(PRACTICE)
    cov = queries.run("overview_practice_kpis", towns=P["towns"]).iloc[0]
    act = measures.activity_figures(P, cmp)
    wishes = measures.wish_figures(P, cmp)
    towns = queries.run("volunteer_towns", **measures.activity_params(P, cmp))
    selected = frozenset(P["towns"])
    kpis = [Kpi(t("overview.stations", lang=lang),
                measures.state_tile("stations_built", cov.stations, as_of, lang,
                                    value_text=f"{int(cov.stations)}/{int(cov.villages)}").value,
                note=t("overview.active_stations", lang=lang, n=measures.active_stations(towns, selected)))]
    for key in ("activities", "volunteers", "beneficiaries"):
        a = act[key]
        tile = measures.tile(key, a["value"], cmp, a["yoy"], a["mom"], lang)
        kpis.append(Kpi(t(f"measures.kpi.{key}.label", lang=lang), tile.value, tile.delta))
    tile = measures.tile("wishes_done", wishes["value"], cmp, wishes["yoy"], wishes["mom"], lang)
    kpis.append(Kpi(t("measures.kpi.wishes_done.label", lang=lang), tile.value, tile.delta))
    grain = measures.trend_grain(f.date_from, f.date_to)
    if grain == "day":
        trend = queries.run("activity_daily", **measures.activity_params(P, cmp)).rename(columns={"day": "x"})
    else:
        trend = queries.run("overview_activity_trend", **P).rename(columns={"month": "x"})
    idle = queries.run("volunteer_idle", **dict(measures.activity_params(P, cmp), idle_days=IDLE_DAYS))
    total = int(idle.idle_total.iloc[0]) if not idle.empty else 0
    ranking = towns.sort_values(["per_station", "town_code"], ascending=[False, True]).reset_index(drop=True)
    ranking["rank"] = range(1, len(ranking) + 1)
    shown = ranking[(ranking.index < RANK_ROWS) | ranking.town_code.isin(selected)]    # the picked ones always
    return Practice(kpis, measures.delta_help(cmp, lang), trend[["x", "activities"]], grain,
                    Rows(shown, len(ranking)), selected,
                    Rows(idle.head(MAX_ROWS), total))


def _renovation(f: Filters, as_of: date, lang: str) -> Renovation:
    towns = f.town_codes(RENOVATION)
    r = stages.headline(as_of, towns=towns)

    def state(kpi_id: str, label_key: str, value: object, text: str | None = None, note: str = "") -> Kpi:
        return Kpi(t(label_key, lang=lang), measures.state_tile(kpi_id, value, as_of, lang, text).value, note=note)
    kpis = [state("completed", "overview.compounds_done", r.completed,
                  note=t("overview.of_total", lang=lang, n=int(r.compounds))),
            state("in_progress", "overview.compounds_progress", r.in_progress),
            state("not_started", "overview.compounds_planned", r.not_started),
            state("area_done", "overview.area_done", r.area_done_m2, f"{fmt.num(r.area_done_m2, lang)} m²",
                  note=t("overview.households", lang=lang, b=fmt.integer(r.buildings), h=fmt.integer(r.households)))]
    comp = queries.run("renovation_compounds", towns=towns, communities=[], batches=[], stages=[], types=[],
                       as_of=as_of)
    late = comp[(comp.status != "完成") & (comp.delay_days > 0)].sort_values(
        ["delay_days", "compound_id"], ascending=[False, True])
    items = queries.run("cogov_open_items", towns=towns, as_of=as_of, overdue_days=measures.FEEDBACK_OVERDUE_DAYS,
                        limit=None, offset=0)
    return Renovation(kpis, stages.counts(towns=towns)[["stage", "at_stage"]],
                      queries.run("overview_works", towns=towns), Rows(late.head(MAX_ROWS), len(late)),
                      int(r.late_open), Rows(items.head(MAX_ROWS), len(items)), int(items.overdue.sum()))


def context(f: Filters, lang: str) -> tuple[str, str, str]:
    """(county, townships, period) in words: the briefing's and the printed page's filter context."""
    county = t("filters.county_all", lang=lang) if f.county == "all" else tv("county", f.county, lang)
    index = TownIndex(queries.run("towns"))
    towns = (t("filters.list_sep", lang=lang).join(index.by_code.get(c, c) for c in f.towns) if f.towns
             else t("briefing.all_towns", lang=lang))
    span = measures.span_text(measures.Window(f.date_from, f.date_to), lang)
    name = t(f"filters.presets.{f.preset}", lang=lang)
    period = f"{name}（{span}）" if lang == "zh" else f"{name} ({span})"
    return county, towns, period


def gather(f: Filters, lang: str | None = None) -> Briefing:
    """Everything the briefing shows for the filters `f`, read from one snapshot."""
    lang = lang or f.lang
    with db.pinned():
        m: Mapping[str, str] = dict(zip(*[queries.run("meta")[c] for c in ("key", "value")]))
        as_of = date.fromisoformat(m["as_of"])
        snap = db.snapshot()
        cmp = measures.compare(f.date_from, f.date_to, date.fromisoformat(m["data_start"]))
        practice = _practice(f, cmp, as_of, lang) if f.shows_county(PRACTICE) else None
        renovation = _renovation(f, as_of, lang) if f.shows_county(RENOVATION) else None
        facts = queries.run("published_facts", section="all")       # 总览's 口径核对
        county, towns, period = context(f, lang)
        return Briefing(lang=lang, filters=f, as_of=as_of, version=snap.version,
                        published_at=fmt.timestamp(snap.published_at, lang), county_text=county, towns_text=towns,
                        period_text=period, practice=practice, renovation=renovation,
                        facts_ok=int(facts.ok.sum()), facts_n=len(facts), mismatches=facts[~facts.ok.astype(bool)],
                        sources=queries.run("provenance"),
                        notes=[t("app.synthetic_badge", lang=lang), t("app.approx_badge", lang=lang)])


def context_line(f: Filters, lang: str) -> str:
    county, towns, period = context(f, lang)
    return t("briefing.context_line", lang=lang, county=county, towns=towns, period=period)


def cache_key(f: Filters, version: str, lang: str) -> tuple:
    """What makes two briefings the same document: the filters in force, the language and the data version."""
    return (f.county, tuple(f.towns), f.preset, f.date_from, f.date_to, lang, version)
