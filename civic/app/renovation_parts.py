"""The renovation page's filter bar, tiles, table specs, compound card and its analysis sections
(pages/renovation.py lays them out, one section at a time: widgets.section_bar).

Tables are lists of export.Col (screen and download headers in one place); the compound card is drawn in
parts of a few tables and lines each, all read from the renovation_compound_* named queries.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from civic import measures, stages
from civic.app import memo, plot, shell
from civic.app.export import Col
from civic.app.filters import UrlParam
from civic.app.widgets import Kpi, Selectable, chart, downloads, first_customdata, kpi_row, table
from civic.figures import renovation as rf
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_text

BATCHES = ["实施一批", "谋划一批", "储备一批"]
TYPES = ["老旧小区", "库区安置小区"]
FILTER_KEYS = ("rv_community", "rv_batch", "rv_stage", "rv_type")
CLICKED = "_rv_clicked"      # what the last chart click set: {"target": a FILTER_KEYS key, "values": [...]}
FILTER_LABELS = {"rv_community": "renovation.f_community", "rv_batch": "renovation.f_batch",
                 "rv_stage": "renovation.f_stage", "rv_type": "renovation.f_type"}

TOWNS = [Col("town_name", "renovation.c_town"), Col("communities", "renovation.c_communities", "int"),
         Col("compounds", "renovation.c_compounds", "int"), Col("completed", "renovation.c_completed", "int"),
         Col("buildings", "renovation.c_buildings", "int"),
         Col("households", "renovation.c_households", "int", format="%,d"),
         Col("area_done_m2", "renovation.c_area_done", "num")]
# The compound table's columns and headers, on screen and in its downloads alike.
COMPOUNDS = [Col("compound_id", "renovation.c_id", width="small"), Col("name", "renovation.c_name"),
             Col("town_name", "renovation.c_town", width="small"),
             Col("community_name", "renovation.c_community", width="small"),
             Col("compound_type", "renovation.c_type", "value", domain="compound_type"),
             Col("batch", "renovation.c_batch", "value", domain="batch"),
             Col("status", "renovation.c_status", "value", width="small", domain="stage"),
             Col("buildings", "renovation.c_buildings", "int"), Col("households", "renovation.c_households", "int"),
             Col("floor_area_m2", "renovation.c_area", "num"), Col("plan_done", "renovation.c_plan_done", "date"),
             Col("actual_done", "renovation.c_actual_done", "date"), Col("delay_days", "renovation.c_delay", "int"),
             Col("late", "renovation.c_late", width="small")]
STAGE_HISTORY = [Col("stage", "renovation.c_stage", "word", width="small", domain="stages.name"),
                 Col("state", "renovation.c_state", "word", width="small", domain="renovation.state"),
                 Col("planned_start", "renovation.c_plan_start", "date"),
                 Col("planned_end", "renovation.c_plan_end", "date"),
                 Col("actual_start", "renovation.c_act_start", "date"), Col("actual_end", "renovation.c_act_end", "date"),
                 Col("delay_days", "renovation.c_delay", "int")]
WORKS = [Col("category", "renovation.c_category", "value", domain="work_category"),
         Col("planned_qty", "renovation.c_planned", "num"), Col("done_qty", "renovation.c_done", "num"),
         Col("unit", "renovation.c_unit", "value", width="small", domain="unit"),
         Col("done_pct", "renovation.c_done_pct", "progress")]
FEEDBACK = [Col("received_date", "renovation.c_received", "date"),
            Col("category", "renovation.c_concern", "value", width="small", domain="concern_area"),
            Col("summary", "renovation.c_summary"),
            Col("status", "renovation.c_fb_status", "value", width="small", domain="feedback_status"),
            Col("resolved_date", "renovation.c_resolved", "date"), Col("days", "renovation.c_days", "int")]


@dataclass(frozen=True)
class Options:
    """renovation_options read once: the communities and compounds (value → label) a URL may name, and
    the communities the town filter offers."""
    community_label: dict[str, str]
    compound_name: dict[str, str]
    offered_communities: list[str]


def options(towns: list[str]) -> Options:
    """The page's Options, built once per (towns, data version) across sessions (memo.shared): the option
    maps of 9,000 compounds were rebuilt on every run. Shared: read them, never change them."""
    return memo.shared(_options, list(towns))


def _options(towns: list[str]) -> Options:
    every = queries.run("renovation_options", towns=[])
    in_towns = queries.run("renovation_options", towns=towns)
    communities, compounds = every[every.kind == "community"], every[every.kind == "compound"]
    return Options(dict(zip(communities.value, communities.label)), dict(zip(compounds.value, compounds.label)),
                   list(in_towns.value[in_towns.kind == "community"]))


def colon(key: str, lang: str) -> str:
    return t(key) + ("：" if lang == "zh" else ": ")


def pick_into(target: str, multi: bool) -> Callable[[list[dict]], None]:
    """Chart selection → a filter (all clicked values) or the compound (the first): customdata[0] of each
    clicked point carries the value."""
    def apply(points: list[dict]) -> None:
        values: list[Any] = []
        for p in points:
            v = first_customdata([p])
            if v is not None and v not in values:
                values.append(v)
        if values:
            st.session_state[target] = values if multi else values[0]
            if target in FILTER_LABELS:
                st.session_state[CLICKED] = {"target": target, "values": values}
    return apply


def _clear_click() -> None:
    clicked = st.session_state.pop(CLICKED, None)
    if clicked:
        st.session_state[clicked["target"]] = []


def click_chip(community_label: dict[str, str]) -> None:
    """The chip naming the filter a chart click set, with its one-click clear; nothing when no click set one,
    or the filter has been changed since (in the filter bar, or by 清除筛选)."""
    ss = st.session_state
    clicked = ss.get(CLICKED)
    if not clicked or list(ss.get(clicked["target"]) or []) != clicked["values"]:
        ss.pop(CLICKED, None)
        return
    word: dict[str, Callable[[Any], str]] = {
        "rv_community": lambda c: community_label.get(c, c), "rv_batch": lambda v: tv("batch", v),
        "rv_stage": lambda v: tv("stage", v), "rv_type": lambda v: tv("compound_type", v)}
    values = "、".join(md_text(word[clicked["target"]](v)) for v in clicked["values"])
    with st.container(key="rv_chip", horizontal=True, vertical_alignment="center"):
        st.markdown(f":blue-badge[{t('renovation.click.chip', what=t(FILTER_LABELS[clicked['target']]), values=values)}]")
        st.button(t("renovation.click.clear"), key="rv_chip_clear", on_click=_clear_click, type="tertiary")


def _reset_filters() -> None:
    for k in FILTER_KEYS:
        st.session_state[k] = []
    st.session_state.pop(CLICKED, None)


def filter_bar(community_options: list[str], community_label: dict[str, str], stage_options: list[str]) -> None:
    """Community, batch, stage and type pickers and 清除筛选, in one bordered row."""
    with st.container(border=True):
        cols = st.columns([2.4, 2.4, 2, 2.2, 1.3], vertical_alignment="bottom")   # room for 清除筛选 at 1366 px
        # select_all=False: Streamlit's "Select all" option is English only, and no choice already means all
        pickers: list[tuple[Any, str, str, list[str], Callable[[Any], str]]] = [
            (cols[0], "renovation.f_community", "rv_community", community_options,
             lambda c: community_label.get(c, c)),
            (cols[1], "renovation.f_batch", "rv_batch", BATCHES, lambda v: tv("batch", v)),
            (cols[2], "renovation.f_stage", "rv_stage", stage_options, lambda v: tv("stage", v)),
            (cols[3], "renovation.f_type", "rv_type", TYPES, lambda v: tv("compound_type", v))]
        for col, label, key, options, fmt_value in pickers:
            col.multiselect(t(label), options, key=key, format_func=fmt_value, placeholder=t("renovation.f_all"),
                            select_all=False)
        cols[4].button(t("renovation.f_reset"), on_click=_reset_filters, width="stretch")
        st.caption(t("renovation.f_hint"))


def headline(k: Any, anchor: date, lang: str) -> None:
    """Five tiles of the current state (tooltips: measures.kpi.<id>; the overview's tiles share them)."""
    def tile(kpi_id: str, value: Any) -> measures.Tile:
        return measures.state_tile(kpi_id, value, anchor, lang, value_text=fmt.integer(value))
    kpi_row([
        Kpi(t("renovation.k_compounds"), tile("compounds", k.compounds),
            t("renovation.k_compounds_cap", all=int(k.compounds_all), n_key=int(k.key_compounds))),
        Kpi(t("renovation.k_done"), tile("completed", k.completed),
            t("renovation.k_done_cap", progress=int(k.in_progress), todo=int(k.not_started))),
        Kpi(t("renovation.k_buildings"), tile("buildings", k.buildings),
            t("renovation.k_households_cap", h=fmt.integer(k.households))),
        Kpi(t("renovation.k_area"), measures.state_tile("area_done", k.area_done_m2, anchor, lang),
            t("renovation.k_area_cap", total=fmt.num(k.area_total_m2, lang))),
        Kpi(t("renovation.k_late"), tile("late", k.late_open), t("renovation.k_late_cap", n=int(k.late_done)))])


def compound_rows(df: pd.DataFrame) -> pd.DataFrame:
    """renovation_compounds with the 逾期 word where a compound is late."""
    return df.assign(late=[t("renovation.late") if d > 0 else "" for d in df.delay_days])


# ── the compound card ───────────────────────────────────────────────────────────────────────────
def _card_head(c: Any, anchor: date, lang: str) -> None:
    st.markdown(f"#### {md_text(c['name'])} · {md_text(c.compound_id)}")
    tags = [f"{md_text(c.town_name)} · {md_text(c.community_name)}", tv("compound_type", c.compound_type),
            tv("batch", c.batch), colon("renovation.h_status", lang) + tv("stage", c.status)]
    tags += [word for word, on in ((t("renovation.key_compound"), c.is_key),
                                   (t("renovation.leaders_linked", n=int(c.leaders or 0)), c.leaders),
                                   (t("renovation.in_scope"), c.in_governance_scope)) if on]
    st.caption(" · ".join(tags))
    cells = st.columns(5)
    for col, key, text in ((cells[0], "renovation.c_buildings", fmt.integer(c.buildings)),
                           (cells[1], "renovation.c_households", fmt.integer(c.households)),
                           (cells[2], "renovation.c_area", fmt.integer(c.floor_area_m2)),
                           (cells[3], "renovation.c_built", str(int(c.built_year)))):
        with col:
            measures.metric(t(key), measures.state_tile("compound_attr", None, anchor, lang, value_text=text,
                                                        what=t(key)), border=False)
    with cells[4]:
        measures.metric(t("renovation.d_funding_total"),
                        measures.state_tile("compound_funding", c.funding_yuan / 1e4, anchor, lang), border=False)


def _card_works_and_funding(cid: str, lang: str) -> None:
    st.markdown(f"**{t('renovation.d_works')}**")
    works = queries.run("renovation_compound_works", compound=cid)
    if works.empty:
        st.caption(t("renovation.no_works"))
    else:
        table(works, WORKS, lang, placeholder="—")
    st.markdown(f"**{t('renovation.d_funding')}**")
    fund = queries.run("renovation_compound_funding", compound=cid)
    if fund.empty:
        st.caption(t("renovation.no_funding"))
    else:
        st.markdown("  \n".join(
            f"{tv('funding_source', r.source)}{'：' if lang == 'zh' else ': '}"
            f"{fmt.num(r.amount_wan, lang)} {t('renovation.u_wan_yuan')}（{fmt.pct(r.share)}）"
            for r in fund.itertuples()))


def _card_feedback_and_bodies(cid: str, c: Any, anchor: date, lang: str) -> None:
    st.markdown(f"**{t('renovation.d_feedback', n=int(c.feedback_items), open=int(c.feedback_open))}**")
    fb = queries.run("renovation_compound_feedback", compound=cid, as_of=anchor)
    if fb.empty:
        st.caption(t("renovation.no_feedback"))
    else:
        table(fb, FEEDBACK, lang, placeholder="—")
    st.markdown(f"**{t('renovation.d_bodies')}**")
    bodies = queries.run("renovation_compound_bodies", compound=cid)
    sep = "：" if lang == "zh" else ": "
    st.markdown("  \n".join(
        (f"✓ {tv('body_type', b.body_type)}" + (f"（{md_text(b.firm_name)}）" if isinstance(b.firm_name, str) else "") +
         f" · {t('renovation.since', date=fmt.day(b.established_date, lang))}")
        if b.present else f"— {tv('body_type', b.body_type)}{sep}{t('renovation.none')}"
        for b in bodies.itertuples()))


def compound_card(cid: str, anchor: date, lang: str) -> bool:
    """One compound: its tags and size, stage history, works, funding, feedback and governance bodies.
    False when the compound is unknown (nothing drawn)."""
    d = queries.run("renovation_compound_detail", compound=cid)
    if d.empty:
        return False
    c = d.iloc[0]
    with st.container(border=True):
        _card_head(c, anchor, lang)
        st.markdown(f"**{t('renovation.d_stages')}**")
        table(queries.run("renovation_compound_stages", compound=cid, as_of=anchor), STAGE_HISTORY, lang,
              placeholder="—")
        st.caption(t("renovation.stages_caption"))
        left, right = st.columns(2)
        with left:
            _card_works_and_funding(cid, lang)
        with right:
            _card_feedback_and_bodies(cid, c, anchor, lang)
    return True


# ── one analysis section at a time (widgets.section_bar; URL view=) ───────────────────────────
# progress: funnel + S-curve; works: works and funding; breakdown: by community, town and type; schedule:
# the Gantt; compounds: the compound table and the selected compound's card (anchor #compound-detail).
SECTIONS = ("progress", "works", "breakdown", "schedule", "compounds")
VIEW_KEY = "rv_view"
CARD_VIEW = "compounds"
# clickable charts and the table: a click is applied to a filter (or opens a compound), then dropped
SELECTABLE = {name: Selectable(f"rv_{name}", f"_rv_nonce_{name}")
              for name in ("funnel", "community", "type", "funding", "gantt", "table")}


def open_linked_compound(opening: bool) -> None:
    """A link naming a compound and no section (`?compound=HY-001`, docs/renovation.md) opens the section
    with its card. Only when the page is opened (`opening`: the bar's state did not exist yet): later the
    reader's own choice of section stands. The page never writes such a URL itself (store_view)."""
    ss = st.session_state
    if opening and ss.get("rv_compound") and "view" not in st.query_params:
        ss[VIEW_KEY] = CARD_VIEW


def store_view(param: UrlParam) -> None:
    """The open section → URL. With a compound selected, the first section is written too (it is otherwise
    left out as the default), so that a reload shows the same section and `compound=` alone keeps meaning
    "open its card" (open_linked_compound)."""
    explicit = st.session_state.get("rv_compound") is not None
    (dataclasses.replace(param, default=None) if explicit else param).store()


def _open_card() -> None:
    st.session_state[VIEW_KEY] = CARD_VIEW


def selected_note(compound_name: dict[str, str]) -> None:
    """Which compound is selected, in every section; outside the compounds section a button opens its card."""
    cid = st.session_state.get("rv_compound")
    if not cid:
        return
    st.info(t("renovation.selected_note", name=md_text(compound_name.get(cid, cid))))
    if st.session_state.get(VIEW_KEY) != CARD_VIEW:
        st.button(t("renovation.open_card"), key="rv_open_card", on_click=_open_card, type="tertiary")


def clickable(name: str, apply: Callable[[list[dict]], None]) -> dict[str, Any]:
    """plot.show arguments of a chart whose click is `apply`-ed (then dropped: Selectable)."""
    sel = SELECTABLE[name]
    return dict(key=sel.key, on_select=sel.on_select(apply), selection_mode="points")


def _pick_compound_and_open(points: list[dict]) -> None:
    """A Gantt click: that compound, and the section showing its card."""
    pick_into("rv_compound", False)(points)
    if st.session_state.get("rv_compound"):
        _open_card()


@dataclass(frozen=True)
class View:
    """What every section reads: the named queries' parameters, the data's last day, the language."""
    params: dict[str, Any]
    anchor: date
    lang: str

    def run(self, name: str) -> pd.DataFrame:
        return queries.run(name, **self.params)


def progress_section(v: View) -> None:
    """The stage funnel (a click filters by stage) beside the S-curve of completions against plan."""
    left, right = st.columns([2, 3])
    with left:
        p = v.params
        counts = stages.counts(towns=p["towns"], communities=p["communities"], batches=p["batches"],
                               stages=p["stages"], types=p["types"])
        plot.show(memo.fig(rf.funnel, counts, v.lang), title=t("renovation.funnel_title"), height=340,
                  **clickable("funnel", pick_into("rv_stage", True)))
        st.caption(t("renovation.funnel_caption"))
    with right:
        fig = memo.fig(rf.scurve, v.run("renovation_scurve"), v.run("renovation_batch_windows"), v.anchor, v.lang)
        plot.show(fig, key="rv_scurve", title=t("renovation.scurve_title"), height=340)
        st.caption(t("renovation.scurve_caption"))


def works_section(v: View) -> None:
    """Works done against planned (and the published totals), then the funding per batch (a click filters)."""
    st.subheader(t("renovation.works_heading"))
    works = v.run("renovation_works")
    chart(works.planned.sum() > 0, lambda: memo.fig(rf.works, works, v.lang), key="rv_works",
          title=t("renovation.works_title"))
    if works.planned.sum() > 0:
        st.caption(t("renovation.works_caption") if bool(works.is_all.iloc[0]) else t("renovation.works_caption_filtered"))
    funding = v.run("renovation_funding")
    left, _ = st.columns([3, 2])
    with left:
        chart(not funding.empty, lambda: memo.fig(rf.funding, funding, v.lang), title=t("renovation.funding_title"),
              height=340, **clickable("funding", pick_into("rv_batch", True)))
        if not funding.empty:
            st.caption(t("renovation.funding_caption"))


def breakdown_section(v: View) -> None:
    """Compounds per community (a click filters) with the town table, and per type (a click filters)."""
    st.subheader(t("renovation.breakdown_heading"))
    left, right = st.columns([3, 2])
    with left:
        plot.show(memo.fig(rf.by_community, v.run("renovation_by_community"), v.lang),
                  title=t("renovation.community_title"), **clickable("community", pick_into("rv_community", True)))
        st.markdown(f"**{t('renovation.town_heading')}**")
        table(v.run("renovation_by_town"), TOWNS, v.lang, placeholder="—")
    with right:
        plot.show(memo.fig(rf.by_type, v.run("renovation_by_type"), v.lang), title=t("renovation.type_title"),
                  height=260, **clickable("type", pick_into("rv_type", True)))


def schedule_section(v: View) -> None:
    """The Gantt: planned windows against the stages gone through; a click opens that compound's card."""
    st.subheader(t("renovation.gantt_heading"))
    plot.show(memo.fig(rf.gantt, v.run("renovation_gantt"), v.anchor, v.lang),
              title=t("renovation.gantt_title"), **clickable("gantt", _pick_compound_and_open))
    st.caption(t("renovation.gantt_caption"))


def _pick_row(points: list[dict]) -> None:
    ids = st.session_state.get("_rv_table_ids", [])
    row = points[0].get("row")
    if row is not None and row < len(ids):
        st.session_state["rv_compound"] = ids[row]


def _clear_compound() -> None:
    st.session_state["rv_compound"] = None


def compounds_section(v: View, compound_name: dict[str, str], any_rows: bool) -> None:
    """The compound table (a row click selects), its downloads, the compound picker and the selected
    compound's card. `any_rows`: the filters leave compounds (else only the picker and the card)."""
    ss = st.session_state
    st.subheader(t("renovation.detail_heading"), anchor="compound-detail")
    rows = compound_rows(v.run("renovation_compounds"))
    ids = list(rows.compound_id)
    if any_rows:
        st.caption(t("renovation.table_hint"))
        ss["_rv_table_ids"] = ids
        sel = SELECTABLE["table"]
        table(rows, COMPOUNDS, v.lang, height=320, key=sel.key, placeholder="—",
              on_select=sel.on_select(_pick_row), selection_mode="single-row")
        downloads(lambda: rows, COMPOUNDS, v.lang, "renovation_compounds", key="rv_export")
    if ss.get("rv_compound") and ss["rv_compound"] not in ids:
        ids = [ss["rv_compound"], *ids]
    pick, clear = st.columns([4, 1], vertical_alignment="bottom")
    # persist_state: the selection outlives the runs that draw another section (the note above the bar names it)
    pick.selectbox(t("renovation.pick_compound"), ids, key="rv_compound", index=None, persist_state="page",
                   format_func=lambda c: f"{compound_name.get(c, c)}（{c}）",
                   placeholder=t("renovation.pick_placeholder"))
    clear.button(t("renovation.clear_compound"), on_click=_clear_compound, width="stretch",
                 disabled=not ss.get("rv_compound"))
    if ss.get("rv_compound") and not compound_card(ss["rv_compound"], v.anchor, v.lang):
        shell.no_data()
