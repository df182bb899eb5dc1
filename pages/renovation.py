"""老旧小区改造: progress of 汉源县's 92 compounds — funnel, S-curve, works, Gantt, breakdowns, drill-down.

Filters: the shared town filter, and this page's community / batch / stage / type (URL: community=, batch=,
stage=, type=) and the selected compound (compound=), all through filters.UrlParam. Above the section bar:
the filters, the selected compound and the headline tiles; below it ONE analysis section is built (view=:
progress, works, breakdown, schedule, compounds; widgets.section_bar), since a click reruns the whole
script and every chart costs server CPU and browser drawing (issue 21). Clicking a community, type, batch
or stage filters by it; clicking a Gantt row or a table row opens that compound's card (section compounds).
Charts come from civic/figures/renovation.py, sections, tiles, tables and the card from
civic/app/renovation_parts.py.
"""
import streamlit as st

from civic import domain, stages
from civic.app import renovation_parts as parts
from civic.app import shell
from civic.app import widgets as ui
from civic.app.briefing_button import briefing_button
from civic.app.filters import UrlParam, load_page_params
from civic.store import queries
from civic.text.i18n import t

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

filter_params = [
    UrlParam("community", "rv_community", allowed=list(opts.community_label), multi=True),
    UrlParam("batch", "rv_batch", allowed=parts.BATCHES, multi=True),
    UrlParam("stage", "rv_stage", allowed=STAGES, multi=True),
    UrlParam("type", "rv_type", allowed=parts.TYPES, multi=True),
]
# the compound's picker is drawn in its section only: while another is open, load() takes it back from the URL
compound_param = UrlParam("compound", "rv_compound", allowed=list(opts.compound_name))
view_param = ui.section_param("view", parts.VIEW_KEY, parts.SECTIONS)
opening = parts.VIEW_KEY not in ss
load_page_params(*filter_params, compound_param, view_param)
parts.open_linked_compound(opening)

parts.filter_bar(opts.offered_communities, opts.community_label, STAGES)
parts.click_chip(opts.community_label)
for p in filter_params:
    p.store()

P = dict(towns=towns, communities=ss.get("rv_community", []), batches=ss.get("rv_batch", []),
         stages=ss.get("rv_stage", []), types=ss.get("rv_type", []), as_of=f.anchor)
k = queries.run("renovation_kpis", **P).iloc[0]
parts.selected_note(opts.compound_name)
if int(k.compounds) == 0:
    shell.no_data()
    st.caption(t("renovation.empty_hint"))
else:
    parts.headline(k, f.anchor, lang)


# ── the open section, and only it ────────────────────────────────────────────────────────────────
view = ui.section_bar(parts.VIEW_KEY, parts.SECTIONS, "renovation.section")
v = parts.View(P, f.anchor, lang)
if view == parts.CARD_VIEW:
    parts.compounds_section(v, opts.compound_name, any_rows=int(k.compounds) > 0)
elif int(k.compounds):
    {"progress": parts.progress_section, "works": parts.works_section, "breakdown": parts.breakdown_section,
     "schedule": parts.schedule_section}[view](v)
compound_param.store()
parts.store_view(view_param)

# collapsed, built only when opened (as the map's table): its st.table is Markdown per cell for the browser
reconcile = st.expander(t("renovation.reconcile_heading"), key="rv_reconcile_open", on_change="rerun")
with reconcile:
    if reconcile.open:
        ui.facts_table("renovation", lang)
