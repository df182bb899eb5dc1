"""Cross-filtering: a click on a township (a ranking bar on 总览, a township area on the map) sets the shared
township filter for the whole app, and a chip says what the click set, with a one-click clear.

The mechanics in one place (the only module that sets the township filter from a click); a page adds a few
lines:
    plot.show(fig, key=crossfilter.key("ov_rank"), **crossfilter.town_select("ov_rank", towns))
    crossfilter.chip(towns)
or, for a chart drawn through widgets.Selectable (the volunteer page's town bars, the code in customdata[0]):
    plot.show(fig, key=sel.key, on_select=sel.on_select(crossfilter.pick_town), selection_mode="points")
A click writes the sidebar's township widget key (f_towns) in a callback, the way docs/architecture.md
("Shared filters") allows a page callback to change the canonical state: the shell sees the widget differ
from its seed and folds it into ss["_filters"], so the URL and every other page follow.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from civic.scope import TownIndex
from civic.text.i18n import t

CHIP = "_xf_chip"        # the township a click set: {"code": ...}
GEN = "_xf_gen"          # bumped after a click so the chart redraws without its selection


def key(base: str) -> str:
    """The chart's widget key, renewed after each click (a clicked bar stays clickable)."""
    return f"{base}_{st.session_state.get(GEN, 0)}"


def _points(widget_key: str) -> list[dict]:
    state = st.session_state.get(widget_key)
    try:
        return list(state["selection"]["points"]) if state else []
    except (KeyError, TypeError):
        return []


def set_town(code: str) -> None:
    """The township filter becomes this township (a second click on it clears it)."""
    ss = st.session_state
    if list(ss.get("f_towns") or []) == [code]:
        clear()
        return
    ss["f_towns"] = [code]
    ss[CHIP] = {"code": code}
    ss["_notices"] = []
    ss[GEN] = ss.get(GEN, 0) + 1


def clear() -> None:
    ss = st.session_state
    code = (ss.pop(CHIP, None) or {}).get("code")
    ss["f_towns"] = [c for c in ss.get("f_towns") or [] if c != code]
    ss[GEN] = ss.get(GEN, 0) + 1


def town_from_point(point: dict, towns: TownIndex) -> str | None:
    """A clicked point's township: its customdata's first town code, else its y (or x) label as a name."""
    cd = point.get("customdata")
    for v in (cd if isinstance(cd, (list, tuple)) else [cd]):
        if isinstance(v, str) and v in towns.by_code:
            return v
    for axis in ("y", "x"):
        code = towns.resolve(str(point.get(axis, ""))) if point.get(axis) is not None else None
        if code:
            return code
    return None


def town_select(base: str, towns: TownIndex) -> dict[str, Any]:
    """st.plotly_chart keyword arguments that make a click on a township's bar set the township filter."""
    widget_key = key(base)

    def on_select() -> None:
        pts = _points(widget_key)
        code = town_from_point(pts[0], towns) if pts else None
        if code:
            set_town(code)
    return {"on_select": on_select, "selection_mode": "points"}


def pick_town(points: list[dict]) -> None:
    """For a Selectable's callback: the first clicked point whose customdata[0] is a town code sets the filter."""
    for p in points:
        cd = p.get("customdata")
        code = cd[0] if isinstance(cd, (list, tuple)) and cd else cd
        if isinstance(code, str) and code:
            set_town(code)
            return


def town_click(code: str | None) -> None:
    """For selections read elsewhere (the map's township areas): set the filter when a township was hit."""
    if code:
        set_town(code)


def chip(towns: TownIndex) -> None:
    """The chip naming what a click set, with its clear button; nothing when no click set a filter (or the
    filter was changed since, in the sidebar)."""
    ss = st.session_state
    set_by_click = ss.get(CHIP)
    f = ss.get("_filters")
    if not set_by_click or f is None or set_by_click["code"] not in f.towns:
        ss.pop(CHIP, None)
        return
    name = towns.by_code.get(set_by_click["code"], set_by_click["code"])
    with st.container(key="xf_chip", horizontal=True, vertical_alignment="center"):
        st.markdown(f":blue-badge[{t('crossfilter.chip', town=name)}]")
        st.button(t("crossfilter.clear"), key="xf_clear", on_click=clear, type="tertiary")

