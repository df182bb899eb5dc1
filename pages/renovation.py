"""老旧小区改造: progress of 汉源县's 92 compounds — funnel, S-curve, works, Gantt, breakdowns, drill-down.

Filters: the shared town filter, and this page's community / batch / stage / type (URL: community=, batch=,
stage=, type=) and the selected compound (compound=), all through filters.UrlParam. Clicking a community,
type or batch bar filters by it; clicking a Gantt row or a table row opens that compound's card.
"""
import plotly.graph_objects as go
import streamlit as st

from civic import measures, stages
from civic.app import export, plot, shell
from civic.app.filters import UrlParam, load_page_params
from civic.app.widgets import facts_table
from civic.figures import charts
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_text

COUNTY = "511823"
STAGES = list(stages.ORDER)
BATCHES = ["实施一批", "谋划一批", "储备一批"]
TYPES = ["老旧小区", "库区安置小区"]
SOURCE_COLORS = {"财政奖补": charts.PALETTE[0], "居民自筹": charts.PALETTE[1], "集体经济": charts.PALETTE[2],
                 "联帮包单位": charts.PALETTE[4]}
BATCH_FILL = {"实施一批": "rgba(31,111,178,0.08)", "谋划一批": "rgba(232,131,58,0.10)",
              "储备一批": "rgba(126,98,179,0.08)"}
PLAN_GREY = "rgba(138,150,163,0.28)"
FILTER_KEYS = ("rv_community", "rv_batch", "rv_stage", "rv_type")

ss = st.session_state
f = shell.filters()
lang = shell.lang()
shell.page_header("renovation.title", "renovation.caption")


def colon(key: str) -> str:
    return t(key) + ("：" if lang == "zh" else ": ")


def top_legend(fig: go.Figure, height: int, rows: int = 1) -> None:
    """Title on the first line, legend on the next ones, the plot below: nothing overlaps at any width."""
    fig.update_layout(title=dict(yref="container", y=1 - 6 / height, yanchor="top"),
                      legend=dict(orientation="h", yref="container", y=1 - 32 / height, yanchor="top", x=0,
                                  xanchor="left", traceorder="normal"),
                      margin=dict(t=40 + 24 * rows))


# ── page parameters (URL ⇄ widgets) ───────────────────────────────────────────────────────────
towns = f.town_codes(COUNTY)
all_opts = queries.run("renovation_options", towns=[])
all_communities = all_opts[all_opts.kind == "community"]
compound_rows = all_opts[all_opts.kind == "compound"]
compound_name = dict(zip(compound_rows.value, compound_rows.label))
community_label = dict(zip(all_communities.value, all_communities.label))
town_opts = queries.run("renovation_options", towns=towns)
community_options = list(town_opts.value[town_opts.kind == "community"])

url_params = [
    UrlParam("community", "rv_community", allowed=list(all_communities.value), multi=True),
    UrlParam("batch", "rv_batch", allowed=BATCHES, multi=True),
    UrlParam("stage", "rv_stage", allowed=STAGES, multi=True),
    UrlParam("type", "rv_type", allowed=TYPES, multi=True),
    UrlParam("compound", "rv_compound", allowed=list(compound_rows.value)),
]
load_page_params(*url_params)


def _reset_filters() -> None:
    for k in FILTER_KEYS:
        ss[k] = []


def _bump(name: str) -> None:
    """A fresh key for a clickable chart/table, so an applied selection does not linger."""
    ss[f"_rv_nonce_{name}"] = ss.get(f"_rv_nonce_{name}", 0) + 1


def _chart_key(name: str) -> str:
    return f"rv_{name}_{ss.get(f'_rv_nonce_{name}', 0)}"


def _picked(key: str) -> list:
    state = ss.get(key)
    if not state:
        return []
    return [p.get("customdata") for p in state["selection"]["points"] if p.get("customdata") is not None]


def _on_pick(name: str, target: str, multi: bool) -> None:
    """Chart selection → filter (or compound). customdata[0] of the clicked point carries the value."""
    values = []
    for cd in _picked(_chart_key(name)):
        v = cd[0] if isinstance(cd, (list, tuple)) else cd
        if v not in values:
            values.append(v)
    if values:
        ss[target] = values if multi else values[0]
    _bump(name)


with st.container(border=True):
    cols = st.columns([2.4, 2.4, 2, 2.2, 1.3], vertical_alignment="bottom")   # room for 清除筛选 at 1366 px
    # select_all=False: Streamlit's "Select all" option is English only, and no choice already means all
    cols[0].multiselect(t("renovation.f_community"), community_options, key="rv_community",
                        format_func=lambda c: community_label.get(c, c), placeholder=t("renovation.f_all"), select_all=False)
    cols[1].multiselect(t("renovation.f_batch"), BATCHES, key="rv_batch", format_func=lambda v: tv("batch", v),
                        placeholder=t("renovation.f_all"), select_all=False)
    cols[2].multiselect(t("renovation.f_stage"), STAGES, key="rv_stage", format_func=lambda v: tv("stage", v),
                        placeholder=t("renovation.f_all"), select_all=False)
    cols[3].multiselect(t("renovation.f_type"), TYPES, key="rv_type", format_func=lambda v: tv("compound_type", v),
                        placeholder=t("renovation.f_all"), select_all=False)
    cols[4].button(t("renovation.f_reset"), on_click=_reset_filters, width="stretch")
    st.caption(t("renovation.f_hint"))
for p in url_params[:4]:
    p.store()

P = dict(towns=towns, communities=ss.get("rv_community", []), batches=ss.get("rv_batch", []),
         stages=ss.get("rv_stage", []), types=ss.get("rv_type", []), as_of=f.anchor)

k = queries.run("renovation_kpis", **P).iloc[0]
if ss.get("rv_compound"):
    st.info(t("renovation.selected_note", name=md_text(compound_name.get(ss["rv_compound"], ss["rv_compound"]))))


# ── headline ───────────────────────────────────────────────────────────────────────────────────
def headline() -> None:
    # tooltips: what each tile counts, on which day (measures.kpi.<id>; the overview's tiles share them)
    def tile(kpi_id, value):
        return measures.state_tile(kpi_id, value, f.anchor, lang, value_text=fmt.integer(value))
    c = st.columns(5)
    with c[0]:
        measures.metric(t("renovation.k_compounds"), tile("compounds", k.compounds))
        st.caption(t("renovation.k_compounds_cap", all=int(k.compounds_all), n_key=int(k.key_compounds)))
    with c[1]:
        measures.metric(t("renovation.k_done"), tile("completed", k.completed))
        st.caption(t("renovation.k_done_cap", progress=int(k.in_progress), todo=int(k.not_started)))
    with c[2]:
        measures.metric(t("renovation.k_buildings"), tile("buildings", k.buildings))
        st.caption(t("renovation.k_households_cap", h=fmt.integer(k.households)))
    with c[3]:
        measures.metric(t("renovation.k_area"), measures.state_tile("area_done", k.area_done_m2, f.anchor, lang))
        st.caption(t("renovation.k_area_cap", total=fmt.num(k.area_total_m2, lang)))
    with c[4]:
        measures.metric(t("renovation.k_late"), tile("late", k.late_open))
        st.caption(t("renovation.k_late_cap", n=int(k.late_done)))


def funnel_chart() -> None:
    df = stages.counts(towns=P["towns"], communities=P["communities"], batches=P["batches"], stages=P["stages"],
                       types=P["types"])
    fig = go.Figure(go.Funnel(
        y=[stages.reached_label(s) for s in df.stage], x=df.reached,
        marker=dict(color=[charts.STAGE_COLORS[s] for s in df.stage]),
        texttemplate="%{x} " + t("renovation.u_compounds"), textposition="inside", textfont=dict(color="white"),
        connector=dict(line=dict(color=charts.MUTED, width=1)),
        customdata=df[["at_stage", "buildings", "households"]].assign(area=df.floor_area_m2 / 1e4),
        hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_reached") + "%{x} " + t("renovation.u_compounds") +
                      "<br>" + colon("renovation.h_at_stage") + "%{customdata[0]} " + t("renovation.u_compounds") +
                      "<br>" + colon("renovation.h_buildings") + "%{customdata[1]:,} " + t("renovation.u_buildings") +
                      "<br>" + colon("renovation.h_households") + "%{customdata[2]:,} " + t("renovation.u_households") +
                      "<br>" + colon("renovation.h_area") + "%{customdata[3]:,.2f} " + t("renovation.u_wan_m2") +
                      "<extra></extra>"))
    plot.show(fig, key="rv_funnel", title=t("renovation.funnel_title"), height=340)
    st.caption(t("renovation.funnel_caption"))


def scurve_chart() -> None:
    df = queries.run("renovation_scurve", **P)
    bands = queries.run("renovation_batch_windows", **P)
    fig = go.Figure()
    for b in bands.itertuples():
        fig.add_vrect(x0=b.plan_start, x1=b.plan_done, fillcolor=BATCH_FILL.get(b.batch, PLAN_GREY), line_width=0,
                      layer="below")
        fig.add_annotation(x=b.plan_start, y=1 - 0.075 * (b.ord - 1), xref="x", yref="paper", xanchor="left",
                           yanchor="top", showarrow=False, font=dict(size=11, color=charts.MUTED),
                           text=f"{tv('batch', b.batch)} · {b.compounds}")
    unit = t("renovation.u_compounds")
    fig.add_trace(go.Scatter(x=df.month_end, y=df.planned_cum, mode="lines", line_shape="hv", name=t("renovation.planned"),
                             line=dict(color=charts.MUTED, width=2, dash="dash"),
                             hovertemplate="%{x|%Y-%m}<br>" + colon("renovation.h_planned_cum") + "%{y} " + unit +
                                           "<extra></extra>"))
    actual = df[df.actual_cum.notna()]
    fig.add_trace(go.Scatter(x=actual.month_end, y=actual.actual_cum, mode="lines", line_shape="hv",
                             name=t("renovation.actual"), line=dict(color=charts.OK, width=3),
                             hovertemplate="%{x|%Y-%m}<br>" + colon("renovation.h_actual_cum") + "%{y} " + unit +
                                           "<extra></extra>"))
    fig.add_vline(x=f.anchor, line=dict(color=charts.BAD, width=1.5, dash="dot"))
    fig.add_annotation(x=f.anchor, y=0.02, xref="x", yref="paper", xanchor="right", yanchor="bottom",
                       showarrow=False, font=dict(size=11, color=charts.BAD),
                       text=t("renovation.today", date=f.anchor.isoformat()))
    fig.update_xaxes(title_text=t("renovation.ax_month"), tickformat="%Y-%m")
    fig.update_yaxes(title_text=t("renovation.ax_cum_compounds"), rangemode="tozero",
                     range=[0, max(1, int(df.compounds.max())) * 1.12])
    fig.update_layout(hovermode="x unified")
    top_legend(fig, 340)
    plot.show(fig, key="rv_scurve", title=t("renovation.scurve_title"), height=340)
    st.caption(t("renovation.scurve_caption"))


def works_chart() -> None:
    df = queries.run("renovation_works", **P)
    if df.planned.sum() == 0:
        shell.no_data()
        return
    labels = [f"{tv('work_category', c)}（{tv('unit', u)}）" if lang == "zh" and tv("unit", u)
              else (f"{tv('work_category', c)} ({tv('unit', u)})" if tv("unit", u) else tv("work_category", c))
              for c, u in zip(df.category, df.unit)]
    units = [tv("unit", u) for u in df.unit]
    qty = [f"{fmt.integer(d)} / {fmt.integer(p)} {u}".strip() for d, p, u in zip(df.done, df.planned, units)]
    show_pub = bool(df.is_all.iloc[0])
    pub = [fmt.published(v, q, u if lang == "zh" else "", lang) if v == v else "—"
           for v, q, u in zip(df.published, df.qualifier, df.unit)]
    custom = list(zip(qty, pub, df.compounds))
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=[100] * len(df), orientation="h", marker_color=PLAN_GREY, width=0.75,
                         name=t("renovation.planned_qty"), customdata=custom,
                         hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_done_planned") + "%{customdata[0]}"
                                       "<br>" + colon("renovation.h_compounds") + "%{customdata[2]}<extra></extra>"))
    fig.add_trace(go.Bar(y=labels, x=df.done_pct.fillna(0), orientation="h", marker_color=charts.PALETTE[0],
                         width=0.42, name=t("renovation.done_qty"), customdata=custom,
                         hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_done_pct") + "%{x:.1f}%<br>" +
                                       colon("renovation.h_done_planned") + "%{customdata[0]}<br>" +
                                       colon("renovation.h_published") + "%{customdata[1]}<extra></extra>"))
    if show_pub:
        fig.add_trace(go.Scatter(y=labels, x=df.published_pct, mode="markers", name=t("renovation.published"),
                                 marker=dict(symbol="line-ns", size=22, line=dict(width=3, color=charts.BAD)),
                                 customdata=custom,
                                 hovertemplate="<b>%{y}</b><br>" + colon("renovation.h_published") +
                                               "%{customdata[1]}<extra></extra>"))
    fig.add_trace(go.Scatter(y=labels, x=[101] * len(df), mode="text", text=qty, textposition="middle right",
                             textfont=dict(size=12), showlegend=False, hoverinfo="skip"))
    fig.update_layout(barmode="overlay", bargap=0.25)
    top_legend(fig, 110 + 34 * len(df))
    fig.update_xaxes(title_text=t("renovation.ax_done_pct"), range=[0, 142], tickvals=[0, 25, 50, 75, 100],
                     ticksuffix="%")
    fig.update_yaxes(autorange="reversed")
    plot.show(fig, key="rv_works", title=t("renovation.works_title"), height=110 + 34 * len(df))
    st.caption(t("renovation.works_caption") if show_pub else t("renovation.works_caption_filtered"))


def community_chart() -> None:
    df = queries.run("renovation_by_community", **P)
    fig = go.Figure()
    for s in STAGES:
        d = df[df.stage == s]
        if d.empty:
            continue
        fig.add_trace(go.Bar(
            y=[list(d.town_name), list(d.community_name)], x=d.compounds, orientation="h", name=tv("stage", s),
            marker_color=charts.STAGE_COLORS[s],
            customdata=d[["community_code", "buildings", "households", "community_total"]],
            hovertemplate="%{y}<br>" + tv("stage", s) + "：%{x} " + t("renovation.u_compounds") +
                          "<br>" + colon("renovation.h_buildings") + "%{customdata[1]:,}" +
                          "<br>" + colon("renovation.h_households") + "%{customdata[2]:,}<extra></extra>"))
    height = 170 + 40 * df.community_code.nunique()
    fig.update_layout(barmode="stack", clickmode="event+select")
    top_legend(fig, height)
    fig.update_xaxes(title_text=t("renovation.ax_compounds"))
    fig.update_yaxes(autorange="reversed")
    plot.show(fig, key=_chart_key("community"), title=t("renovation.community_title"), height=height,
                on_select=lambda: _on_pick("community", "rv_community", True), selection_mode="points")


def town_table() -> None:
    df = queries.run("renovation_by_town", **P)
    st.dataframe(df[["town_name", "communities", "compounds", "completed", "buildings", "households", "area_done_m2"]],
                 hide_index=True, width="stretch", placeholder="—",
                 column_config={
                     "town_name": st.column_config.TextColumn(t("renovation.c_town")),
                     "communities": st.column_config.NumberColumn(t("renovation.c_communities"), format="%d"),
                     "compounds": st.column_config.NumberColumn(t("renovation.c_compounds"), format="%d"),
                     "completed": st.column_config.NumberColumn(t("renovation.c_completed"), format="%d"),
                     "buildings": st.column_config.NumberColumn(t("renovation.c_buildings"), format="%d"),
                     "households": st.column_config.NumberColumn(t("renovation.c_households"), format="%,d"),
                     "area_done_m2": st.column_config.NumberColumn(t("renovation.c_area_done"), format="%,.0f"),
                 })


def type_chart() -> None:
    df = queries.run("renovation_by_type", **P)
    fig = go.Figure()
    for s in STAGES:
        d = df[df.stage == s]
        if d.empty:
            continue
        fig.add_trace(go.Bar(
            y=[tv("compound_type", v) for v in d.compound_type], x=d.compounds, orientation="h", name=tv("stage", s),
            marker_color=charts.STAGE_COLORS[s], customdata=d[["compound_type", "buildings", "households"]],
            hovertemplate="%{y}<br>" + tv("stage", s) + "：%{x} " + t("renovation.u_compounds") +
                          "<br>" + colon("renovation.h_buildings") + "%{customdata[1]:,}" +
                          "<br>" + colon("renovation.h_households") + "%{customdata[2]:,}<extra></extra>"))
    fig.update_layout(barmode="stack", clickmode="event+select")
    top_legend(fig, 260, rows=2)
    fig.update_xaxes(title_text=t("renovation.ax_compounds"))
    plot.show(fig, key=_chart_key("type"), title=t("renovation.type_title"), height=260,
                on_select=lambda: _on_pick("type", "rv_type", True), selection_mode="points")


def funding_chart() -> None:
    df = queries.run("renovation_funding", **P)
    if df.empty:
        shell.no_data()
        return
    fig = go.Figure()
    for src, color in SOURCE_COLORS.items():
        d = df[df.source == src]
        if d.empty:
            continue
        fig.add_trace(go.Bar(
            x=[tv("batch", b) for b in d.batch], y=d.amount_wan, name=tv("funding_source", src), marker_color=color,
            customdata=d[["batch", "compounds"]].assign(share=d.amount_wan / d.batch_total_wan * 100),
            hovertemplate="%{x} · " + tv("funding_source", src) + "<br>%{y:,.1f} " + t("renovation.u_wan_yuan") +
                          "（%{customdata[2]:.1f}%）<br>" + colon("renovation.h_compounds") + "%{customdata[1]}"
                          "<extra></extra>"))
    totals = df.drop_duplicates("batch")
    fig.add_trace(go.Scatter(x=[tv("batch", b) for b in totals.batch], y=totals.batch_total_wan, mode="text",
                             text=[f"{v:,.0f}" for v in totals.batch_total_wan], textposition="top center",
                             showlegend=False, hoverinfo="skip"))
    fig.update_layout(barmode="stack", clickmode="event+select")
    top_legend(fig, 340, rows=2)
    fig.update_yaxes(title_text=t("renovation.ax_wan_yuan"), range=[0, totals.batch_total_wan.max() * 1.18])
    fig.update_xaxes(title_text=t("renovation.ax_batch"))
    plot.show(fig, key=_chart_key("funding"), title=t("renovation.funding_title"), height=340,
                on_select=lambda: _on_pick("funding", "rv_batch", True), selection_mode="points")
    st.caption(t("renovation.funding_caption"))


def gantt_chart() -> None:
    df = queries.run("renovation_gantt", **P)
    rows = df.drop_duplicates("compound_id").sort_values("row_ord")
    red = charts.BAD
    ticktext = [f"<span style='color:{red}'>{n}</span>" if late else n for n, late in zip(rows.name, rows.late)]
    days = t("renovation.u_days")
    fig = go.Figure()
    plan = df[df.kind == "plan"]
    fig.add_trace(go.Bar(
        y=plan.compound_id, x=plan.dur_ms, base=plan.bar_start.astype(str), orientation="h", width=0.8,
        marker=dict(color=PLAN_GREY), name=t("renovation.planned"),
        customdata=plan[["compound_id", "name", "batch", "community_name", "delay_days"]].assign(
            batch=[tv("batch", b) for b in plan.batch], status=[tv("stage", s) for s in plan.status]),
        hovertemplate="<b>%{customdata[1]}</b> · %{customdata[3]} · %{customdata[2]}<br>" +
                      colon("renovation.h_plan_window") + "%{base|%Y-%m-%d} → %{x|%Y-%m-%d}<br>" +
                      colon("renovation.h_status") + "%{customdata[5]}<br>" + colon("renovation.h_delay") +
                      "%{customdata[4]} " + days + "<extra></extra>"))
    actual = df[df.kind == "actual"]
    for s in STAGES[1:4]:
        d = actual[actual.stage == s]
        if d.empty:
            continue
        fig.add_trace(go.Bar(
            y=d.compound_id, x=d.dur_ms, base=d.bar_start.astype(str), orientation="h", width=0.45,
            marker=dict(color=charts.STAGE_COLORS[s]), name=stages.name_label(s),
            customdata=d[["compound_id", "name", "planned_end", "bar_delay_days", "ongoing"]].assign(
                planned_end=d.planned_end.astype(str).str[:10],
                ongoing=[t("renovation.ongoing") if o else "" for o in d.ongoing]),
            hovertemplate="<b>%{customdata[1]}</b> · " + stages.name_label(s) + " %{customdata[4]}<br>" +
                          colon("renovation.h_actual") + "%{base|%Y-%m-%d} → %{x|%Y-%m-%d}<br>" +
                          colon("renovation.h_planned_end") + "%{customdata[2]}<br>" +
                          colon("renovation.h_delay") + "%{customdata[3]} " + days + "<extra></extra>"))
    overdue = actual[actual.ongoing & actual.bar_late]
    if not overdue.empty:
        # an outline over every stage still running past its planned end: the items to chase
        fig.add_trace(go.Bar(
            y=overdue.compound_id, x=overdue.dur_ms, base=overdue.bar_start.astype(str), orientation="h", width=0.45,
            marker=dict(color="rgba(0,0,0,0)", line=dict(color=red, width=2)), name=t("renovation.overdue"),
            customdata=overdue[["compound_id", "name", "planned_end", "bar_delay_days"]].assign(
                planned_end=overdue.planned_end.astype(str).str[:10], stage=[stages.name_label(v) for v in overdue.stage]),
            hovertemplate="<b>%{customdata[1]}</b> · %{customdata[4]} " + t("renovation.ongoing") + "<br>" +
                          colon("renovation.h_planned_end") + "%{customdata[2]}<br>" + colon("renovation.h_delay") +
                          "<b>%{customdata[3]} " + days + "</b><extra></extra>"))
    ms = df[df.kind == "milestone"]
    if not ms.empty:
        fig.add_trace(go.Scatter(
            y=ms.compound_id, x=ms.bar_start, mode="markers", name=tv("stage", "完成"),
            marker=dict(symbol="diamond", size=9, color=charts.STAGE_COLORS["完成"], line=dict(color="white", width=1)),
            customdata=ms[["compound_id", "name", "planned_end", "bar_delay_days"]].assign(
                planned_end=ms.planned_end.astype(str).str[:10]),
            hovertemplate="<b>%{customdata[1]}</b><br>" + colon("renovation.h_completed") + "%{x|%Y-%m-%d}<br>" +
                          colon("renovation.h_planned_end") + "%{customdata[2]}<br>" + colon("renovation.h_delay") +
                          "%{customdata[3]} " + days + "<extra></extra>"))
    height = 190 + 19 * len(rows)
    fig.add_vline(x=f.anchor, line=dict(color=red, width=1.5, dash="dot"))
    fig.add_annotation(x=f.anchor, y=1, xref="x", yref="paper", xanchor="left", yanchor="top", showarrow=False,
                       font=dict(size=11, color=red), text=" " + t("renovation.today", date=f.anchor.isoformat()))
    fig.update_layout(barmode="overlay", clickmode="event+select")
    top_legend(fig, height)
    fig.update_layout(margin=dict(t=120))
    fig.update_xaxes(type="date", title_text=t("renovation.ax_date"), tickformat="%Y-%m", side="top",
                     title_standoff=4)
    fig.update_yaxes(categoryorder="array", categoryarray=list(rows.compound_id), tickvals=list(rows.compound_id),
                     ticktext=ticktext, range=[len(rows) - 0.5, -0.5], tickfont=dict(size=11), title_text="")
    plot.show(fig, key=_chart_key("gantt"), title=t("renovation.gantt_title"), height=height,
                on_select=lambda: _on_pick("gantt", "rv_compound", False), selection_mode="points")
    st.caption(t("renovation.gantt_caption"))


# The compound table's columns and headers, on screen and in its downloads alike.
TABLE_COLUMNS = [
    export.Col("compound_id", "renovation.c_id", width="small"),
    export.Col("name", "renovation.c_name"),
    export.Col("town_name", "renovation.c_town", width="small"),
    export.Col("community_name", "renovation.c_community", width="small"),
    export.Col("compound_type", "renovation.c_type"),
    export.Col("batch", "renovation.c_batch"),
    export.Col("status", "renovation.c_status", width="small"),
    export.Col("buildings", "renovation.c_buildings", "int"),
    export.Col("households", "renovation.c_households", "int"),
    export.Col("floor_area_m2", "renovation.c_area", "num"),
    export.Col("plan_done", "renovation.c_plan_done", "date"),
    export.Col("actual_done", "renovation.c_actual_done", "date"),
    export.Col("delay_days", "renovation.c_delay", "int"),
    export.Col("late", "renovation.c_late", width="small"),
]


def compound_table() -> None:
    df = queries.run("renovation_compounds", **P)
    ss["_rv_table_ids"] = list(df.compound_id)
    view = df.assign(
        status=[tv("stage", s) for s in df.status], batch=[tv("batch", b) for b in df.batch],
        compound_type=[tv("compound_type", v) for v in df.compound_type],
        late=[t("renovation.late") if d > 0 else "" for d in df.delay_days])

    def pick_row() -> None:
        rows = ss.get(_chart_key("table"), {}).get("selection", {}).get("rows", [])
        ids = ss.get("_rv_table_ids", [])
        if rows and rows[0] < len(ids):
            ss["rv_compound"] = ids[rows[0]]
        _bump("table")

    cols = [c.name for c in TABLE_COLUMNS]
    st.dataframe(view[cols], hide_index=True, width="stretch", height=320, key=_chart_key("table"), placeholder="—",
                 on_select=pick_row, selection_mode="single-row", column_config=export.column_config(TABLE_COLUMNS))
    export.download_buttons(view, "renovation_compounds", key="rv_export", columns=TABLE_COLUMNS)


# ── compound card ────────────────────────────────────────────────────────────────────────────────
def compound_card(cid: str) -> None:
    d = queries.run("renovation_compound_detail", compound=cid)
    if d.empty:
        shell.no_data()
        return
    c = d.iloc[0]
    with st.container(border=True):
        st.markdown(f"#### {md_text(c['name'])} · {md_text(c.compound_id)}")
        tags = [f"{md_text(c.town_name)} · {md_text(c.community_name)}", tv("compound_type", c.compound_type),
                tv("batch", c.batch), colon("renovation.h_status") + tv("stage", c.status)]
        if c.is_key:
            tags.append(t("renovation.key_compound"))
        if c.leaders:
            tags.append(t("renovation.leaders_linked", n=int(c.leaders)))
        if c.in_governance_scope:
            tags.append(t("renovation.in_scope"))
        st.caption(" · ".join(tags))
        m = st.columns(5)
        for col, key, text in ((m[0], "renovation.c_buildings", fmt.integer(c.buildings)),
                               (m[1], "renovation.c_households", fmt.integer(c.households)),
                               (m[2], "renovation.c_area", fmt.integer(c.floor_area_m2)),
                               (m[3], "renovation.c_built", str(int(c.built_year)))):
            with col:
                measures.metric(t(key), measures.state_tile("compound_attr", None, f.anchor, lang, value_text=text,
                                                            what=t(key)), border=False)
        with m[4]:
            measures.metric(t("renovation.d_funding_total"),
                            measures.state_tile("compound_funding", c.funding_yuan / 1e4, f.anchor, lang), border=False)

        st.markdown(f"**{t('renovation.d_stages')}**")
        history = queries.run("renovation_compound_stages", compound=cid, as_of=f.anchor)
        st.dataframe(history.assign(stage=[stages.name_label(s) for s in history.stage],
                                   state=[t(f"renovation.state.{s}") for s in history.state])
                     [["stage", "state", "planned_start", "planned_end", "actual_start", "actual_end", "delay_days"]],
                     hide_index=True, width="stretch", placeholder="—",
                     column_config={
                         "stage": st.column_config.TextColumn(t("renovation.c_stage"), width="small"),
                         "state": st.column_config.TextColumn(t("renovation.c_state"), width="small"),
                         "planned_start": st.column_config.DateColumn(t("renovation.c_plan_start"), format="YYYY-MM-DD"),
                         "planned_end": st.column_config.DateColumn(t("renovation.c_plan_end"), format="YYYY-MM-DD"),
                         "actual_start": st.column_config.DateColumn(t("renovation.c_act_start"), format="YYYY-MM-DD"),
                         "actual_end": st.column_config.DateColumn(t("renovation.c_act_end"), format="YYYY-MM-DD"),
                         "delay_days": st.column_config.NumberColumn(t("renovation.c_delay"), format="%d"),
                     })
        st.caption(t("renovation.stages_caption"))
        left, right = st.columns(2)
        with left:
            st.markdown(f"**{t('renovation.d_works')}**")
            works = queries.run("renovation_compound_works", compound=cid)
            if works.empty:
                st.caption(t("renovation.no_works"))
            else:
                st.dataframe(works.assign(category=[tv("work_category", v) for v in works.category],
                                          unit=[tv("unit", u) for u in works.unit])
                             [["category", "planned_qty", "done_qty", "unit", "done_pct"]],
                             hide_index=True, width="stretch", placeholder="—",
                             column_config={
                                 "category": st.column_config.TextColumn(t("renovation.c_category")),
                                 "planned_qty": st.column_config.NumberColumn(t("renovation.c_planned"), format="%,.0f"),
                                 "done_qty": st.column_config.NumberColumn(t("renovation.c_done"), format="%,.0f"),
                                 "unit": st.column_config.TextColumn(t("renovation.c_unit"), width="small"),
                                 "done_pct": st.column_config.ProgressColumn(t("renovation.c_done_pct"), format="%.0f%%",
                                                                             min_value=0, max_value=100),
                             })
            st.markdown(f"**{t('renovation.d_funding')}**")
            fund = queries.run("renovation_compound_funding", compound=cid)
            if fund.empty:
                st.caption(t("renovation.no_funding"))
            else:
                st.markdown("  \n".join(
                    f"{tv('funding_source', r.source)}{'：' if lang == 'zh' else ': '}"
                    f"{fmt.num(r.amount_wan, lang)} {t('renovation.u_wan_yuan')}（{fmt.pct(r.share)}）"
                    for r in fund.itertuples()))
        with right:
            st.markdown(f"**{t('renovation.d_feedback', n=int(c.feedback_items), open=int(c.feedback_open))}**")
            fb = queries.run("renovation_compound_feedback", compound=cid, as_of=f.anchor)
            if fb.empty:
                st.caption(t("renovation.no_feedback"))
            else:
                st.dataframe(fb.assign(category=[tv("concern_area", v) for v in fb.category],
                                       status=[tv("feedback_status", v) for v in fb.status])
                             [["received_date", "category", "summary", "status", "resolved_date", "days"]],
                             hide_index=True, width="stretch", placeholder="—",
                             column_config={
                                 "received_date": st.column_config.DateColumn(t("renovation.c_received"), format="YYYY-MM-DD"),
                                 "category": st.column_config.TextColumn(t("renovation.c_concern"), width="small"),
                                 "summary": st.column_config.TextColumn(t("renovation.c_summary")),
                                 "status": st.column_config.TextColumn(t("renovation.c_fb_status"), width="small"),
                                 "resolved_date": st.column_config.DateColumn(t("renovation.c_resolved"), format="YYYY-MM-DD"),
                                 "days": st.column_config.NumberColumn(t("renovation.c_days"), format="%d"),
                             })
            st.markdown(f"**{t('renovation.d_bodies')}**")
            bodies = queries.run("renovation_compound_bodies", compound=cid)
            sep = "：" if lang == "zh" else ": "
            st.markdown("  \n".join(
                (f"✓ {tv('body_type', b.body_type)}" + (f"（{md_text(b.firm_name)}）" if isinstance(b.firm_name, str) else "") +
                 f" · {t('renovation.since', date=fmt.day(b.established_date, lang))}")
                if b.present else f"— {tv('body_type', b.body_type)}{sep}{t('renovation.none')}"
                for b in bodies.itertuples()))


def _clear_compound() -> None:
    ss["rv_compound"] = None


# ── layout ──────────────────────────────────────────────────────────────────────────────────────
if int(k.compounds) == 0:
    shell.no_data()
    st.caption(t("renovation.empty_hint"))
else:
    headline()
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
        community_chart()
        st.markdown(f"**{t('renovation.town_heading')}**")
        town_table()
    with right:
        type_chart()
        funding_chart()

    st.subheader(t("renovation.gantt_heading"))
    gantt_chart()

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
if ss.get("rv_compound"):
    compound_card(ss["rv_compound"])

with st.expander(t("renovation.reconcile_heading")):
    facts_table("renovation", lang)
