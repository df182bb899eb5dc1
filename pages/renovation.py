"""老旧小区改造: progress of 汉源县's 92 compounds — funnel, S-curve, works, Gantt, breakdowns, drill-down.

Filters: the shared town filter, and this page's community / batch / stage / type (URL: community=, batch=,
stage=, type=) and the selected compound (compound=), all through filters.UrlParam. Clicking a community,
type or batch bar filters by it; clicking a Gantt row or a table row opens that compound's card.
Charts come from civic/figures/renovation.py, tiles, tables and the card from civic/app/renovation_parts.py.
"""
import streamlit as st

from civic import domain, stages
from civic.app import memo, plot, shell
from civic.app import renovation_parts as parts
from civic.app import widgets as ui
from civic.app.briefing_button import briefing_button
from civic.app.filters import UrlParam, load_page_params
from civic.figures import renovation as rf
from civic.store import queries
from civic.text.i18n import t
from civic.text.safe_text import md_text

COUNTY = domain.HANYUAN
STAGES = list(stages.ORDER)

ss = st.session_state
f = shell.filters()
lang = shell.lang()
shell.page_header("renovation.title", "renovation.caption")
briefing_button(small=True)


# ── page parameters (URL ⇄ widgets) ───────────────────────────────────────────────────────────
towns = f.town_codes(COUNTY)
opts = parts.options(towns)
compound_name = opts.compound_name

url_params = [
    UrlParam("community", "rv_community", allowed=list(opts.community_label), multi=True),
    UrlParam("batch", "rv_batch", allowed=parts.BATCHES, multi=True),
    UrlParam("stage", "rv_stage", allowed=STAGES, multi=True),
    UrlParam("type", "rv_type", allowed=parts.TYPES, multi=True),
    UrlParam("compound", "rv_compound", allowed=list(compound_name)),
]
load_page_params(*url_params)

parts.filter_bar(opts.offered_communities, opts.community_label, STAGES)
parts.click_chip(opts.community_label)
for p in url_params[:4]:
    p.store()

P = dict(towns=towns, communities=ss.get("rv_community", []), batches=ss.get("rv_batch", []),
         stages=ss.get("rv_stage", []), types=ss.get("rv_type", []), as_of=f.anchor)

k = queries.run("renovation_kpis", **P).iloc[0]
if ss.get("rv_compound"):
    st.info(t("renovation.selected_note", name=md_text(compound_name.get(ss["rv_compound"], ss["rv_compound"]))))

# clickable charts and the table: a click is applied to a filter (or opens a compound), then dropped
selectable = {name: ui.Selectable(f"rv_{name}", f"_rv_nonce_{name}")
              for name in ("funnel", "community", "type", "funding", "gantt", "table")}


def clickable(name: str, target: str, multi: bool) -> dict:
    """plot.show arguments of a chart whose click sets `target`."""
    sel = selectable[name]
    return dict(key=sel.key, on_select=sel.on_select(parts.pick_into(target, multi)), selection_mode="points")


def _pick_row(points: list[dict]) -> None:
    ids = ss.get("_rv_table_ids", [])
    row = points[0].get("row")
    if row is not None and row < len(ids):
        ss["rv_compound"] = ids[row]


def _clear_compound() -> None:
    ss["rv_compound"] = None


# ── charts ─────────────────────────────────────────────────────────────────────────────────────
def funnel_chart() -> None:
    counts = stages.counts(towns=P["towns"], communities=P["communities"], batches=P["batches"],
                           stages=P["stages"], types=P["types"])
    plot.show(memo.fig(rf.funnel, counts, lang), title=t("renovation.funnel_title"), height=340,
              **clickable("funnel", "rv_stage", True))
    st.caption(t("renovation.funnel_caption"))


def scurve_chart() -> None:
    fig = memo.fig(rf.scurve, queries.run("renovation_scurve", **P), queries.run("renovation_batch_windows", **P),
                   f.anchor, lang)
    plot.show(fig, key="rv_scurve", title=t("renovation.scurve_title"), height=340)
    st.caption(t("renovation.scurve_caption"))


def works_chart() -> None:
    works = queries.run("renovation_works", **P)
    ui.chart(works.planned.sum() > 0, lambda: memo.fig(rf.works, works, lang), key="rv_works",
             title=t("renovation.works_title"))
    if works.planned.sum() > 0:
        st.caption(t("renovation.works_caption") if bool(works.is_all.iloc[0]) else t("renovation.works_caption_filtered"))


def funding_chart() -> None:
    funding = queries.run("renovation_funding", **P)
    ui.chart(not funding.empty, lambda: memo.fig(rf.funding, funding, lang), title=t("renovation.funding_title"),
             height=340, **clickable("funding", "rv_batch", True))
    if not funding.empty:
        st.caption(t("renovation.funding_caption"))


def compound_table() -> None:
    rows = parts.compound_rows(queries.run("renovation_compounds", **P))
    ss["_rv_table_ids"] = list(rows.compound_id)
    sel = selectable["table"]
    ui.table(rows, parts.COMPOUNDS, lang, height=320, key=sel.key, placeholder="—",
             on_select=sel.on_select(_pick_row), selection_mode="single-row")
    ui.downloads(lambda: rows, parts.COMPOUNDS, lang, "renovation_compounds", key="rv_export")


# ── layout ──────────────────────────────────────────────────────────────────────────────────────
if int(k.compounds) == 0:
    shell.no_data()
    st.caption(t("renovation.empty_hint"))
else:
    parts.headline(k, f.anchor, lang)
    left, right = st.columns([2, 3])
    with left:
        funnel_chart()
    with right:
        scurve_chart()

    st.subheader(t("renovation.works_heading"))
    works_chart()

    st.subheader(t("renovation.breakdown_heading"))
    left, right = st.columns([3, 2])
    with left:
        plot.show(memo.fig(rf.by_community, queries.run("renovation_by_community", **P), lang),
                  title=t("renovation.community_title"), **clickable("community", "rv_community", True))
        st.markdown(f"**{t('renovation.town_heading')}**")
        ui.table(queries.run("renovation_by_town", **P), parts.TOWNS, lang, placeholder="—")
    with right:
        plot.show(memo.fig(rf.by_type, queries.run("renovation_by_type", **P), lang), title=t("renovation.type_title"),
                  height=260, **clickable("type", "rv_type", True))
        funding_chart()

    st.subheader(t("renovation.gantt_heading"))
    plot.show(memo.fig(rf.gantt, queries.run("renovation_gantt", **P), f.anchor, lang),
              title=t("renovation.gantt_title"), **clickable("gantt", "rv_compound", False))
    st.caption(t("renovation.gantt_caption"))

st.subheader(t("renovation.detail_heading"), anchor="compound-detail")
if int(k.compounds):
    st.caption(t("renovation.table_hint"))
    compound_table()
ids = list(queries.run("renovation_compounds", **P).compound_id)
if ss.get("rv_compound") and ss["rv_compound"] not in ids:
    ids = [ss["rv_compound"], *ids]
pick, clear = st.columns([4, 1], vertical_alignment="bottom")
pick.selectbox(t("renovation.pick_compound"), ids, key="rv_compound", index=None,
               format_func=lambda c: f"{compound_name.get(c, c)}（{c}）", placeholder=t("renovation.pick_placeholder"))
clear.button(t("renovation.clear_compound"), on_click=_clear_compound, width="stretch",
             disabled=not ss.get("rv_compound"))
url_params[4].store()
if ss.get("rv_compound") and not parts.compound_card(ss["rv_compound"], f.anchor, lang):
    shell.no_data()

# collapsed, built only when opened (as the map's table): its st.table is Markdown per cell for the browser
reconcile = st.expander(t("renovation.reconcile_heading"), key="rv_reconcile_open", on_change="rerun")
with reconcile:
    if reconcile.open:
        ui.facts_table("renovation", lang)
