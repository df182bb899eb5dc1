"""The app frame: routing, sidebar menu, shared filters in the URL, language, live version watch.

app.py calls `run()`. Page scripts read `shell.filters()`. A fresh server's first request is routed
through app.py by importing the civic package (civic/app/routing.py).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import streamlit as st

from civic.app import auth, head, nav
from civic.figures import charts
from civic.scope import (
    COUNTIES,
    DEFAULT_PRESET,
    PRESETS,
    Filters,
    TownIndex,
    parse_shared,
    preset_range,
    to_query,
    with_dates,
)
from civic.store import db, queries, snapshots
from civic.text import fmt
from civic.text.i18n import current_lang, t
from civic.text.safe_text import md_text

SHARED_PARAMS = ("county", "town", "range", "from", "to", "lang")
VERSION_POLL_S = 5


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
    return _town_index(db.data_version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _town_index(version: str) -> TownIndex:
    """One index per data version, shared read-only by every session (at ×100, 1,021 towns: building it took
    ~5 ms, three times a run)."""
    return TownIndex(queries.run("towns"))


# ── shared filters ──────────────────────────────────────────────────────────────────────────
def _incoming_shared() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in SHARED_PARAMS if k in st.query_params}


def _clear_notices() -> None:
    st.session_state["_notices"] = []


# The shared state lives in one non-widget key, ss["_filters"] (a Filters). The sidebar widgets are views
# of it: Streamlit deletes a widget's key at the end of any run that does not draw the widget (a page
# without the date filter, the admin page), and a widget drawn without a value falls back to its first
# option (本月). So every run re-seeds each drawn widget from the canonical state, and a widget changes
# the canonical state only when its value differs from the seed it was given (the user, or a page
# callback such as the volunteer page's town bars, changed it).
SEEDS = "_seeded"


def _seed(key: str, value) -> None:
    st.session_state[key] = value
    st.session_state.setdefault(SEEDS, {})[key] = value


def _changed(key: str) -> bool:
    ss, seeds = st.session_state, st.session_state.get(SEEDS, {})
    return key in ss and key in seeds and ss[key] != seeds[key]


def _apply_user_changes(f: Filters, data_start: date) -> Filters:
    """Fold into the canonical filters what the user changed in a widget since the last run."""
    ss, seeds = st.session_state, st.session_state.get(SEEDS, {})
    if _changed("lang") and ss["lang"] in ("zh", "en"):
        f = replace(f, lang=ss["lang"])
    if _changed("f_county") and ss["f_county"] in COUNTIES:
        f = replace(f, county=ss["f_county"])
    if _changed("f_towns"):
        # towns the widget did not offer (another county's) were not in its seed: the user kept them
        picked = [str(c) for c in ss["f_towns"] or []]
        hidden = [c for c in f.towns if c not in seeds["f_towns"]]
        f = replace(f, towns=tuple(dict.fromkeys([c for c in f.towns if c in hidden or c in picked] + picked)))
    if _changed("f_preset") and ss["f_preset"] in PRESETS:
        f = with_dates(f, ss["f_preset"], None, data_start)
    dates = ss.get("f_dates")
    if _changed("f_dates") and isinstance(dates, (tuple, list)) and len(dates) == 2 and dates[0] <= dates[1]:
        f = with_dates(f, "custom", (dates[0], dates[1]), data_start)
    return f


def _restore_lang() -> None:
    """Before any label is drawn: the language as the shared state has it (the switch's key is dropped on
    the kiosk screen, which sets its own language)."""
    ss = st.session_state
    if "_filters" in ss and ("lang" not in ss or "lang" not in ss.get(SEEDS, {})):
        ss["lang"] = ss["_filters"].lang


def _sync_shared(spec: nav.PageSpec, towns: TownIndex, anchor: date, data_start: date) -> Filters:
    f = _shared_state(towns, anchor, data_start)
    # what this page can apply
    scope = [c for c in spec.counties if "county" not in spec.filters or f.county in ("all", c)]
    offered: list[str] = []
    if "town" in spec.filters:
        with_data = _towns_with_data()
        offered = [c for c in towns.codes_for(scope) if c in with_data or c in f.towns]
    applied_towns = [c for c in f.towns if c in offered]
    _sidebar_filters(spec, f, towns, offered, applied_towns, anchor, data_start)
    _write_shared_url(f, towns)
    return f


def _shared_state(towns: TownIndex, anchor: date, data_start: date) -> Filters:
    """The one canonical shared state of this run: from a new URL, else last run's state plus the user's
    widget changes, kept inside the data's span; stored in the session."""
    ss = st.session_state
    incoming = _incoming_shared()
    sig = repr(sorted(incoming.items()))
    if "_filters" not in ss or (incoming and sig != ss.get("_shared_sig")):
        # a new URL (first visit, a forwarded link, the address bar, back/forward) sets the state
        f, notices = parse_shared(incoming, towns, anchor, data_start)
        ss["_notices"] = notices
        ss.pop(SEEDS, None)       # widget values left from before describe the old state
    else:
        f = _apply_user_changes(ss["_filters"], data_start)
    # presets follow the data's last day (a new snapshot moves 本月); a custom range stays inside the data
    f = replace(f, anchor=anchor, town_county=towns.county_of)
    if f.preset == "custom":
        lo, hi = max(f.date_from, data_start), min(f.date_to, anchor)
        f = with_dates(f, "custom", (lo, hi) if lo <= hi else (data_start, anchor), data_start)
    else:
        f = with_dates(f, f.preset, None, data_start)
    ss["_filters"] = f
    ss["lang"] = f.lang
    return f


def _sidebar_filters(spec: nav.PageSpec, f: Filters, towns: TownIndex, offered: list[str],
                     applied_towns: list[str], anchor: date, data_start: date) -> None:
    """The sidebar's language switch and the shared filters this page applies, seeded from the state."""
    ss = st.session_state
    # labels name their language: Streamlit may format options outside this script run (AppTest does)
    with st.sidebar:
        _seed("lang", f.lang)
        st.segmented_control(t("app.language"), ["zh", "en"], key="lang", required=True,
                             format_func=lambda x: "中文" if x == "zh" else "English", label_visibility="collapsed")
        st.markdown(f"**{t('filters.heading')}**")
        if "county" in spec.filters:
            _seed("f_county", f.county)
            def county_label(c: str, lang: str = f.lang) -> str:
                return t("filters.county_all", lang=lang) if c == "all" else t(f"values.county.{c}", lang=lang)
            st.radio(t("filters.county"), list(COUNTIES), key="f_county", horizontal=True,
                     on_change=_clear_notices, format_func=county_label)
        if "town" in spec.filters:
            _seed("f_towns", applied_towns)
            # select_all=False: Streamlit's "Select all" is English only, and no choice already means all towns
            st.multiselect(t("filters.town"), offered, key="f_towns", placeholder=t("filters.town_placeholder"),
                           format_func=lambda c: towns.by_code.get(c, c), on_change=_clear_notices,
                           select_all=False)
        if "date" in spec.filters:
            _seed("f_preset", f.preset)
            def preset_label(p: str, lang: str = f.lang) -> str:
                return t(f"filters.presets.{p}", lang=lang)
            st.selectbox(t("filters.range"), PRESETS, key="f_preset", on_change=_clear_notices,
                         format_func=preset_label)
            if f.preset == "custom":
                # a half-picked range (one day clicked) is the user's, not re-seeded under them
                picking = isinstance(ss.get("f_dates"), (tuple, list)) and len(ss["f_dates"]) == 1 \
                    and SEEDS in ss and "f_dates" in ss[SEEDS]
                if not picking:
                    _seed("f_dates", (f.date_from, f.date_to))
                st.date_input(t("filters.range"), key="f_dates", min_value=data_start, max_value=anchor,
                              format="YYYY-MM-DD", label_visibility="collapsed", on_change=_clear_notices)
        _not_applied(spec, f, towns, applied_towns)


def _write_shared_url(f: Filters, towns: TownIndex) -> None:
    """The URL's shared parameters rewritten to the canonical form of the state (only those that differ)."""
    ss = st.session_state
    canonical = to_query(f, towns)
    for k in SHARED_PARAMS:
        if k in canonical:
            if st.query_params.get_all(k) != (canonical[k] if isinstance(canonical[k], list) else [canonical[k]]):
                st.query_params[k] = canonical[k]
        elif k in st.query_params:
            del st.query_params[k]
    ss["_shared_sig"] = repr(sorted((k, v if isinstance(v, list) else [v]) for k, v in canonical.items()))
    ss["_shared_query"] = canonical


def range_label(f: Filters, lang: str | None = None) -> str:
    """The date filter in words: a preset's name, or a custom range as two Chinese dates."""
    if f.preset != "custom":
        return t(f"filters.presets.{f.preset}", lang=lang)
    return f"{fmt.day(f.date_from, lang or current_lang())}–{fmt.day(f.date_to, lang or current_lang())}"


def not_applied(spec: nav.PageSpec, f: Filters, towns: TownIndex, applied_towns: list[str]) -> list[str]:
    """The shared filters this page keeps but cannot apply, as "name：value" chips."""
    chips = []
    if "county" not in spec.filters and f.county != "all":
        chips.append(t("filters.chip", name=t("filters.county"), value=t(f"values.county.{f.county}")))
    elsewhere = [c for c in f.towns if c not in applied_towns]
    if elsewhere:
        chips.append(t("filters.chip", name=t("filters.town"),
                       value=t("filters.list_sep").join(towns.by_code.get(c, c) for c in elsewhere)))
    if "date" not in spec.filters:
        chips.append(t("filters.chip", name=t("filters.range"), value=range_label(f)))
    return chips


def _chip(text: str) -> str:
    """One chip as markdown (the single place where a chip's text is put into markdown)."""
    for ch in "\\[]*_`$<>":
        text = text.replace(ch, "\\" + ch)
    return f":gray-badge[{text}]"


def _not_applied(spec: nav.PageSpec, f: Filters, towns: TownIndex, applied_towns: list[str]) -> None:
    chips = not_applied(spec, f, towns, applied_towns)
    if chips:
        # small but legible: a caption for the heading, the chips as badges at normal contrast
        with st.container(key="not_applied", gap="small"):
            st.caption(t("filters.not_applied"))
            st.markdown(" ".join(_chip(c) for c in chips))


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
    snap = db.snapshot()
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
        st.html(head.html(lang()), unsafe_allow_javascript=True)   # <html lang> and fit rules
        _version_watch()


def run() -> None:
    # One script run reads one snapshot (db.pinned): a version published mid-run shows on the next run.
    # Uploads are refused to sessions that are not signed in as admin (civic/app/auth.py).
    auth.install_upload_guard()
    with db.pinned():
        _run_routed()


def _run_routed() -> None:
    _restore_lang()
    st.set_page_config(page_title=t("app.short_title"), layout="wide")
    charts.register_template()
    specs = nav.available()
    pages = {s.id: st.Page(s.file, title=t(s.title_key), icon=s.icon or None, url_path=s.id) for s in specs}
    # The default page is only reachable at "/", so the overview is registered twice: "/" and "/overview".
    overview = nav.by_id("overview")
    assert overview is not None        # always registered (civic/app/nav.py)
    home = st.Page(overview.file, title=t("nav.overview"), url_path="home", default=True)
    pg = st.navigation([home, *pages.values()], position="hidden")
    spec = next((s for s in specs if pages[s.id] is pg), None) or overview
    if not auth.viewer_gate(spec.id):
        return
    if spec.kiosk:
        # the screen sets the language from its own URL: that is no click on the sidebar's switch
        st.session_state.get(SEEDS, {}).pop("lang", None)
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
