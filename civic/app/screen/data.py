"""Every scene's data: named queries (queries/*.sql) and the measures the pages use, read under one pinned
snapshot per scene; the last good payload of every scene is kept (in the session and for the process), so a
brief database outage shows the last data with a stale marker instead of an error."""
from __future__ import annotations

import logging
import time
from datetime import date
from typing import Any, Callable

import duckdb
import streamlit as st

from civic import completeness, measures, stages
from civic.store import db, queries, snapshots

try:  # the map layers are shared with the map page (issue 4)
    from civic.map import maps
except ImportError:  # pragma: no cover - until civic/map/maps.py lands
    maps = None  # type: ignore[assignment]

log = logging.getLogger("civic.screen")

TICKER_ROWS = 40          # rows fetched for the ticker
DATA_ERRORS = (db.DataUnavailable, snapshots.NoSnapshot, queries.QueryError, duckdb.Error, OSError, ValueError,
               KeyError)
Payload = dict[str, Any]


def _dates(anchor: date) -> dict[str, date]:
    return {"day": anchor, "month_from": anchor.replace(day=1), "year_from": anchor.replace(month=1, day=1)}


def _months_back(anchor: date, n: int) -> date:
    y, m = anchor.year, anchor.month - (n - 1)
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def _head() -> Payload:
    snap = snapshots.current()
    as_of = date.fromisoformat(str(queries.scalar("meta_as_of")))
    return {"version": snap.version, "published_at": snap.published_at, "as_of": as_of}


def _year_to_date(d: dict[str, date]) -> measures.Comparison:
    """This year to the data's last day: the overview page's 本年 window, from the same module (the screen
    shows no delta, so the data's first day does not matter here)."""
    return measures.compare(d["year_from"], d["day"], d["year_from"])


def _load_overview(d: dict[str, date]) -> Payload:
    day = d["day"]
    ytd = _year_to_date(d)
    # the overview page's figures for 本年 and every town, from the same calls
    act = measures.activity_figures({"towns": []}, ytd)
    p = {"stations": int(queries.run("overview_practice_kpis", towns=[]).stations.iloc[0]),
         "wishes_done": measures.wish_figures({"towns": []}, ytd)["value"],
         **{k: act[k]["value"] for k in ("activities", "volunteers", "beneficiaries")}}
    r = stages.headline(d["day"]).to_dict()      # the renovation page's and the overview's figures
    teams = queries.run("screen_teams").iloc[0].to_dict()
    trend = queries.run("overview_activity_trend", towns=[], date_from=_months_back(day, 12), date_to=day)
    funnel = stages.counts()
    return {"practice": p, "renovation": r, "teams": teams, "trend": trend, "funnel": funnel}


def _load_map(d: dict[str, date]) -> Payload:
    live = queries.run("screen_live", day=d["day"], month_from=d["month_from"]).iloc[0].to_dict()
    towns = queries.run("screen_town_activity", date_from=d["month_from"], date_to=d["day"])
    out: Payload = {"live": live, "towns": towns, "map": None}
    if maps is not None:
        q = dict(towns=[], date_from=d["month_from"], date_to=d["day"], as_of=d["day"])
        sites = queries.run("map_sites", **q)
        mtowns = maps.with_areas(queries.run("map_towns", **q), queries.run("map_town_areas"))
        out["map"] = {"sites": sites, "towns": mtowns, "outline": maps.outlines(mtowns.county_code.unique())}
    return out


def _load_renovation(d: dict[str, date]) -> Payload:
    return {"kpis": stages.headline(d["day"]).to_dict(),
            "funnel": stages.counts(),
            "scurve": queries.run("screen_renovation_scurve", as_of=d["day"])}


def _load_volunteer(d: dict[str, date]) -> Payload:
    theme = queries.run("screen_theme", day=d["day"])
    return {"trend": queries.run("screen_volunteer_trend", date_from=_months_back(d["day"], 24), date_to=d["day"]),
            "theme": theme.iloc[0].to_dict() if not theme.empty else None,
            "teams": queries.run("screen_teams").iloc[0].to_dict(),
            "hours_ytd": measures.activity_figures({"towns": []}, _year_to_date(d))["hours"]["value"],
            "mix": queries.run("screen_service_mix", date_from=d["month_from"], date_to=d["day"])}


def _load_ticker(d: dict[str, date]) -> Payload:
    return {"rows": queries.run("screen_latest", day=d["day"], n=TICKER_ROWS),
            "live": queries.run("screen_live", day=d["day"], month_from=d["month_from"]).iloc[0].to_dict(),
            "mix": queries.run("screen_service_mix", date_from=d["day"], date_to=d["day"]),
            "towns": queries.run("screen_town_activity", date_from=d["month_from"], date_to=d["day"]),
            # 总览's reporting alert, the same rule (civic/completeness.py): the heading line shows it
            "low": completeness.low_this_month([], d["day"])}


LOADERS: dict[str, Callable[[dict[str, date]], Payload]] = {
    "overview": _load_overview, "map": _load_map, "renovation": _load_renovation,
    "volunteer": _load_volunteer, "ticker": _load_ticker}


@st.cache_resource(show_spinner=False)
def _process_last_good() -> dict[str, Payload]:
    """The last good payload per scene for the whole process (a screen reopened during an outage still shows
    data). Bounded: one entry per scene."""
    return {}


def fetch(scene: str) -> tuple[Payload | None, bool]:
    """(payload, stale). payload is None only when no data was ever read (a fresh start during an outage)."""
    mine = st.session_state.setdefault("_scr_good", {})
    try:
        # the scene's fragment reruns outside shell.run()'s pin: pin here, so one scene reads one snapshot
        with db.pinned():
            head = _head()
            payload = {"head": head, "at": time.time(), **LOADERS[scene](_dates(head["as_of"]))}
    except DATA_ERRORS as exc:
        log.warning("screen: %s data unavailable, keeping the last good data: %s", scene, exc)
        return mine.get(scene) or _process_last_good().get(scene), True
    mine[scene] = payload
    _process_last_good()[scene] = payload
    return payload, False
