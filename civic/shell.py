"""The app frame: routing, sidebar menu, shared filters in the URL, language, live version watch.

app.py calls `run()`. Every page script starts with `shell.ensure_routed()` and reads `shell.filters()`.
"""
from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from . import charts, db, fmt, nav, queries, snapshots
from .filters import (DEFAULT_PRESET, PRESETS, Filters, TownIndex, parse_shared, preset_range, to_query,
                      with_dates)
from .i18n import t
from .safe_text import md_text

SHARED_PARAMS = ("county", "town", "range", "from", "to", "lang")
VERSION_POLL_S = 5


def ensure_routed() -> None:
    """On a fresh server Streamlit's legacy pages/ discovery runs a page script directly, skipping app.py
    (no theme, no filters). Switch legacy mode off and rerun, so app.py routes this request."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# ── data availability ───────────────────────────────────────────────────────────────────────
def _data_ready() -> bool:
    try:
        db.reader()
        return True
    except snapshots.NoSnapshot:
        st.error(t("app.no_database"))
    except db.DataUnavailable:
        st.warning(t("app.data_unavailable"))
    return False


@st.cache_data(show_spinner=False, max_entries=8)
def _meta(version: str) -> dict:
    df = queries.run("meta")
    return dict(zip(df.key, df.value))


def meta() -> dict:
    return _meta(db.data_version())


def town_index() -> TownIndex:
    return TownIndex(queries.run("towns"))


# ── shared filters ──────────────────────────────────────────────────────────────────────────
def _incoming_shared() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in SHARED_PARAMS if k in st.query_params}


def _clear_notices() -> None:
    st.session_state["_notices"] = []


def _sync_shared(spec: nav.PageSpec, towns: TownIndex, anchor: date, data_start: date) -> Filters:
    ss = st.session_state
    incoming = _incoming_shared()
    sig = repr(sorted(incoming.items()))
    if "_filters" not in ss or (incoming and sig != ss.get("_shared_sig")):
        f, notices = parse_shared(incoming, towns, anchor, data_start)
        ss["_notices"] = notices
        ss["f_county"], ss["f_towns"], ss["f_preset"] = f.county, list(f.towns), f.preset
        ss["f_dates"] = (f.date_from, f.date_to)
        ss["lang"] = f.lang
        ss["_filters"] = f
    f: Filters = ss["_filters"]

    with st.sidebar:
        st.segmented_control(t("app.language"), ["zh", "en"], key="lang", required=True,
                             format_func=lambda x: "中文" if x == "zh" else "English", label_visibility="collapsed")
        if spec.filters:
            st.markdown(f"**{t('filters.heading')}**")
        if "county" in spec.filters:
            st.radio(t("filters.county"), ["all", "140423", "511823"], key="f_county", horizontal=True,
                     on_change=_clear_notices,
                     format_func=lambda c: t("filters.county_all") if c == "all" else t(f"values.county.{c}"))
        county = ss.get("f_county", "all") if "county" in spec.filters else f.county
        # a county carried over from another page that this page does not cover offers this page's towns
        scope = [c for c in spec.counties if county in ("all", c)] or list(spec.counties)
        offered = [c for c in towns.codes_for(scope) if c in _towns_with_data()]
        if "town" in spec.filters:
            ss["f_towns"] = [c for c in ss.get("f_towns", []) if c in offered] if ss.get("f_towns") else []
            st.multiselect(t("filters.town"), offered, key="f_towns", placeholder=t("filters.town_placeholder"),
                           format_func=lambda c: towns.by_code.get(c, c), on_change=_clear_notices)
        if "date" in spec.filters:
            st.selectbox(t("filters.range"), PRESETS, key="f_preset", on_change=_clear_notices,
                         format_func=lambda p: t(f"filters.presets.{p}"))
            if ss["f_preset"] == "custom":
                st.date_input(t("filters.range"), key="f_dates", min_value=data_start, max_value=anchor,
                              format="YYYY-MM-DD", label_visibility="collapsed", on_change=_clear_notices)

    # towns kept in the URL even on pages that do not offer them, so the state carries over
    chosen_towns = ss.get("f_towns", list(f.towns)) if "town" in spec.filters else list(f.towns)
    dates = ss.get("f_dates") or (f.date_from, f.date_to)
    custom = tuple(dates) if isinstance(dates, (tuple, list)) and len(dates) == 2 else (f.date_from, f.date_to)
    preset = ss.get("f_preset", f.preset) if "date" in spec.filters else f.preset
    new = Filters(county=county, towns=tuple(chosen_towns), preset=preset, date_from=f.date_from,
                  date_to=f.date_to, lang=ss.get("lang", "zh"), anchor=anchor, town_county=towns.county_of)
    new = with_dates(new, preset, custom if preset == "custom" else None, data_start)
    if preset != "custom":
        ss["f_dates"] = (new.date_from, new.date_to)
    canonical = to_query(new, towns)
    for k in SHARED_PARAMS:
        if k in canonical:
            if st.query_params.get_all(k) != (canonical[k] if isinstance(canonical[k], list) else [canonical[k]]):
                st.query_params[k] = canonical[k]
        elif k in st.query_params:
            del st.query_params[k]
    ss["_shared_sig"] = repr(sorted((k, v if isinstance(v, list) else [v]) for k, v in canonical.items()))
    ss["_filters"] = new
    ss["_shared_query"] = canonical
    return new


@st.cache_data(show_spinner=False, max_entries=8)
def _towns_with_data_cached(version: str) -> frozenset[str]:
    df = queries.run("towns")
    return frozenset(df.town_code[df.has_sites | df.has_compounds])


def _towns_with_data() -> frozenset[str]:
    return _towns_with_data_cached(db.data_version())


def filters() -> Filters:
    """The shared filters of this run (set by the shell before the page runs)."""
    f = st.session_state.get("_filters")
    if f is None:
        m = meta()
        anchor = date.fromisoformat(m["as_of"])
        start = date.fromisoformat(m["data_start"])
        d_from, d_to = preset_range(DEFAULT_PRESET, anchor, start)
        return Filters(date_from=d_from, date_to=d_to, anchor=anchor, town_county=town_index().county_of)
    return f


def lang() -> str:
    return st.session_state.get("lang", "zh")


# ── live updates ───────────────────────────────────────────────────────────────────────────
@st.fragment(run_every=timedelta(seconds=VERSION_POLL_S))
def _version_watch() -> None:
    """Rerun the page when a new snapshot is published (analyst pages pick it up within seconds)."""
    try:
        v = db.data_version()
    except (snapshots.NoSnapshot, db.DataUnavailable, OSError, ValueError):
        return
    seen = st.session_state.get("_seen_version")
    if seen is None:
        st.session_state["_seen_version"] = v
    elif v != seen:
        st.session_state["_seen_version"] = v
        st.toast(t("app.updated", version=v))
        st.rerun(scope="app")


# ── page furniture ─────────────────────────────────────────────────────────────────────────
def page_header(title_key: str, caption_key: str | None = None, *, approx: bool = False) -> None:
    st.title(t(title_key))
    m = meta()
    snap = snapshots.current()
    bits = [t("app.as_of", date=fmt.day(m.get("as_of"), lang())),
            t("app.snapshot", version=snap.version, time=fmt.timestamp(snap.published_at, lang())),
            t("app.synthetic_badge")]
    if approx:
        bits.append(t("app.approx_badge"))
    if caption_key:
        st.caption(t(caption_key))
    st.caption(" · ".join(bits))


def no_data() -> None:
    """The friendly empty state used wherever a filter leaves nothing."""
    st.info(f"**{t('app.no_data')}** — {t('app.no_data_hint')}")


def _notices() -> None:
    for n in st.session_state.get("_notices", []):
        st.warning(md_text(n))    # a notice quotes the bad URL value: shown as typed, never as a link


def _menu(box, pages: dict[str, st.Page], specs: list[nav.PageSpec]) -> None:
    query = st.session_state.get("_shared_query", {})
    section = None
    with box:
        st.markdown(f"### {t('app.short_title')}")
        for spec in specs:
            if spec.hidden:
                continue
            if spec.section_key != section:
                section = spec.section_key
                st.caption(t(section))
            st.page_link(pages[spec.id], label=t(spec.title_key), icon=spec.icon or None, query_params=query or None)


def _sidebar_footer() -> None:
    with st.sidebar:
        st.divider()
        m = meta()
        st.caption(t("app.as_of", date=fmt.day(m.get("as_of"), lang())))
        _version_watch()


def run() -> None:
    st.set_page_config(page_title=t("app.short_title"), layout="wide")
    charts.register_template()
    specs = nav.available()
    pages = {s.id: st.Page(s.file, title=t(s.title_key), icon=s.icon or None, url_path=s.id) for s in specs}
    # The default page is only reachable at "/", so the overview is registered twice: "/" and "/overview".
    home = st.Page(nav.by_id("overview").file, title=t("nav.overview"), url_path="home", default=True)
    pg = st.navigation([home, *pages.values()], position="hidden")
    spec = next((s for s in specs if pages[s.id] is pg), None) or nav.by_id("overview")
    if spec.kiosk:
        # Kiosk pages (the unattended screen) handle missing data themselves: they keep their last good data
        # and retry, so a database outage at page load must not stop them for good.
        pg.run()
        return
    if not _data_ready():
        return
    m = meta()
    anchor = date.fromisoformat(m["as_of"])
    start = date.fromisoformat(m["data_start"])
    towns = town_index()
    menu_box = st.sidebar.container()
    # The language switch and filters must be resolved before any label is drawn; the menu is drawn
    # afterwards into the container reserved above them.
    _sync_shared(spec, towns, anchor, start)
    _menu(menu_box, pages, specs)
    _sidebar_footer()
    _notices()
    pg.run()
