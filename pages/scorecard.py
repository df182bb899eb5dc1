"""乡镇对比 / 评分卡: every township of a county one row, ranked on every measure, with 同比 and a 12-month
sparkline; 2–4 townships side by side (URL parameter cmp=, shareable); Excel export of the same numbers
and ranks. The figures come from civic/scorecard.py (the other pages' named queries, grouped by township)."""
from datetime import date

import streamlit as st

from civic import measures
from civic import scorecard as sc
from civic.app import memo, plot, shell
from civic.app.export import download_buttons
from civic.app.filters import UrlParam, load_page_params
from civic.figures import scorecard as scfig
from civic.text import fmt
from civic.text.i18n import t, tv

f = shell.filters()
lang = shell.lang()
m = shell.meta()
as_of, data_start = date.fromisoformat(m["as_of"]), date.fromisoformat(m["data_start"])
shell.page_header("scorecard.title", "scorecard.caption")
cmp = measures.compare(f.date_from, f.date_to, data_start)
towns = shell.town_index()
counties = [c for c in (sc.PRACTICE, sc.RENOVATION) if f.shows_county(c)]
all_codes = towns.codes_for((sc.PRACTICE, sc.RENOVATION))
names = towns.by_code

# the compared townships travel in the URL (cmp=code, repeatable; a name is read as its code)
p_cmp = UrlParam("cmp", "sc_cmp", allowed=lambda v: v in names, multi=True, default=[],
                 clean=lambda raw: (towns.resolve(raw) or raw, None))
load_page_params(p_cmp)
if len(st.session_state.get("sc_cmp") or []) > 4:
    st.session_state["sc_cmp"] = list(st.session_state["sc_cmp"])[:4]
    st.info(t("scorecard.compare_too_many"))

tables: dict[str, object] = {}
for county in counties:
    st.subheader(t(f"scorecard.heading_{county}"))
    df = sc.table(county, towns.codes_for([county]), names, f.params(county), cmp, as_of)
    tables[county] = df
    picked = set(f.town_codes(county))
    text, css = scfig.shown(df, county, lang)
    if picked:
        text["town_name"] = [("● " if c in picked else "") + n for c, n in zip(df.town_code, text.town_name)]
    config = {"town_name": st.column_config.TextColumn(t("scorecard.col_town"), pinned=True, width=120),
              "spark": st.column_config.LineChartColumn(t(f"scorecard.spark_{county}"), y_min=0, width="medium")}
    for ms in sc.MEASURES[county]:
        config[ms.id] = st.column_config.TextColumn(t(f"scorecard.m.{ms.id}"), width=112)
        if ms.yoy:
            config[f"{ms.id}_yoy"] = st.column_config.TextColumn(t("scorecard.yoy_head"), width="small")
    st.dataframe(text.style.apply(lambda _, css=css: css, axis=None), column_config=config, hide_index=True,
                 width="stretch", height=38 + 35 * len(text), key=f"sc_table_{county}")
    span = measures.span_text(cmp.window, lang)
    st.caption(t(f"scorecard.scope_{county}", span=span, days=sc.IDLE_DAYS, date=fmt.day(as_of, lang)))
    st.caption(t("scorecard.legend") + (" " + t("scorecard.selected_mark") if picked else ""))
    download_buttons(lambda df=df, county=county: sc.export(df, county, lang), t("scorecard.export_name") +
                     f"_{county}", key=f"sc_dl_{county}")

# ── side by side ───────────────────────────────────────────────────────────────────────────────
st.subheader(t("scorecard.compare_heading"))
st.multiselect(t("scorecard.compare_pick"), all_codes, key="sc_cmp", max_selections=4,
               format_func=lambda c: names.get(c, c), placeholder=t("scorecard.compare_placeholder"))
p_cmp.store()
chosen = list(st.session_state.get("sc_cmp") or [])
if any(towns.county_of.get(c) not in counties for c in chosen):
    st.caption(t("scorecard.compare_hidden"))
for county in counties:
    picks = [c for c in chosen if towns.county_of.get(c) == county]
    if len(picks) == 1:
        st.caption(t("scorecard.compare_need_two", county=tv("county", county)))
    if len(picks) < 2:
        continue
    st.markdown(f"**{t(f'scorecard.heading_{county}')}**")
    series = sc.monthly(county, picks, cmp.window.end)
    unit = t("app.unit_times") if county == sc.PRACTICE else ""
    plot.show(memo.fig(scfig.small_multiples, series, names, t(f"scorecard.spark_{county}"), unit),
              key=f"sc_trend_{county}", title=t("scorecard.trend_title"), height=280)
    bars = [(ms.id, t(f"scorecard.m.{ms.id}")) for ms in sc.MEASURES[county]]
    rows = (len(bars) + 3) // 4
    plot.show(memo.fig(scfig.measure_bars, tables[county], picks, bars, names), key=f"sc_bars_{county}",
              title=t("scorecard.bars_title"), height=60 + 230 * rows)
