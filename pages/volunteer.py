"""志愿服务活动趋势: monthly trend, year on year, 天天有活动, service mix, towns, stations and teams,
idle stations, micro-wishes, trainings and the filtered activity list (襄垣县).

Every figure comes from a named query (queries/volunteer_*.sql). Time series show the whole window;
a click on a month bar focuses the breakdowns (KPIs, towns, stations, wishes, trainings, list) on that
month; a click on a town bar sets the shared township filter.
"""
import calendar
from datetime import date
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from civic import domain, measures
from civic.app import export, shell
from civic.app.briefing_button import briefing_button
from civic.app.filters import UrlParam, load_page_params, month_param, read_month
from civic.figures import charts
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import md_frame

COUNTY = domain.XIANGYUAN
METRICS = ("activities", "participants", "volunteers", "beneficiaries", "hours")
IDLE_CHOICES = ("7", "14", "30", "60", "90", "180")
LIST_ROWS = 2_000
EXPORT_MAX = 100_000
TOWN_CHART_MAX = 30
BOTTOM_LEGEND = dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0, traceorder="normal")
HOST_GROUPS = ("farmer", "maker", "base", "institute")
HOST_COLORS = {"farmer": charts.PALETTE[2], "maker": charts.PALETTE[1], "base": charts.PALETTE[0],
               "institute": charts.PALETTE[4]}
HIGHLIGHT = charts.PALETTE[1]

ss = st.session_state
f = shell.filters()
lang = shell.lang()
m = shell.meta()
as_of = date.fromisoformat(m["as_of"])
data_start = date.fromisoformat(m["data_start"])
shell.page_header("volunteer.title", "volunteer.caption")
briefing_button(small=True)


# ── page parameters (URL ⇄ widgets) ───────────────────────────────────────────────────────────
opts = queries.run("volunteer_options")
stype_opts = opts.value[opts.kind == "stype"].tolist()
ttype_opts = opts.value[opts.kind == "ttype"].tolist()
year_opts = opts.value[opts.kind == "year"].tolist() or [str(as_of.year)]
default_year = str(f.date_to.year) if str(f.date_to.year) in year_opts else year_opts[-1]
# value → label, looked up once (tv() per cell of a 5,000-row list would cost a session-state read each)
stype_names = {s: tv("service_type", s) for s in stype_opts}
ttype_names = {s: tv("team_type", s) for s in ttype_opts}


def _month_ok(v: str) -> bool:
    return read_month(v, data_start, as_of) == (v, None)


p_stype = UrlParam("stype", "vol_stype", allowed=stype_opts, multi=True, default=[])
p_ttype = UrlParam("ttype", "vol_ttype", allowed=ttype_opts, multi=True, default=[])
p_metric = UrlParam("metric", "vol_metric", allowed=METRICS, default="activities")
p_year = UrlParam("year", "vol_year", allowed=year_opts, default=default_year)
p_idle = UrlParam("idle", "vol_idle", allowed=IDLE_CHOICES, default="30")
p_month = UrlParam("month", "vol_month", allowed=_month_ok, default=None,
                   clean=month_param(data_start, as_of))
page_params = (p_stype, p_ttype, p_metric, p_year, p_idle, p_month)
load_page_params(*page_params)

c1, c2 = st.columns(2)
# select_all=False: Streamlit's "Select all" is English only, and no choice already means all types
c1.multiselect(t("volunteer.stype"), stype_opts, key="vol_stype", placeholder=t("volunteer.stype_placeholder"),
               format_func=lambda v: stype_names.get(v, v), select_all=False)
c2.multiselect(t("volunteer.ttype"), ttype_opts, key="vol_ttype", placeholder=t("volunteer.ttype_placeholder"),
               format_func=lambda v: ttype_names.get(v, v), select_all=False)
stypes, ttypes = list(ss.get("vol_stype") or []), list(ss.get("vol_ttype") or [])
if stypes or ttypes:
    st.caption(t("volunteer.scope_note"))

# the focused month (a click on a month bar), kept only while it lies in the window
focus = ss.get("vol_month")
eff_from, eff_to = f.date_from, f.date_to
if focus:
    fm = date(int(focus[:4]), int(focus[5:]), 1)
    fe = fm.replace(day=calendar.monthrange(fm.year, fm.month)[1])
    if fm > f.date_to or fe < f.date_from:
        ss["vol_month"] = focus = None
    else:
        eff_from, eff_to = max(f.date_from, fm), min(f.date_to, fe)

P = dict(f.params(COUNTY), stypes=stypes, ttypes=ttypes)            # the window (time series)
# the breakdowns' window and its comparisons: 同比 on the tiles, 环比 in their tooltips (civic/measures.py)
cmp = measures.compare(eff_from, eff_to, data_start)
E = measures.activity_params(P, cmp, stypes, ttypes)                         # the breakdowns


def _bump_selection() -> None:
    ss["vol_sel_gen"] = ss.get("vol_sel_gen", 0) + 1


def _clear_focus() -> None:
    ss["vol_month"] = None
    _bump_selection()


if focus:
    fc1, fc2 = st.columns([4, 1], vertical_alignment="center")
    fc1.info(t("volunteer.focus", month=fmt.month(fm, lang)))
    fc2.button(t("volunteer.clear_focus"), key="vol_clear_focus", on_click=_clear_focus, width="stretch")

gen = ss.get("vol_sel_gen", 0)


def _points(key: str) -> list[dict]:
    state = ss.get(key)
    try:
        return list(state["selection"]["points"]) if state else []
    except (KeyError, TypeError):
        return []


def _on_month(key: str):
    def cb() -> None:
        pts = _points(key)
        if not pts:
            return
        picked = str(pts[0].get("x", ""))[:7]
        if _month_ok(picked):
            ss["vol_month"] = None if ss.get("vol_month") == picked else picked
        _bump_selection()
    return cb


def _on_town(key: str):
    def cb() -> None:
        pts = _points(key)
        if not pts:
            return
        cd = pts[0].get("customdata")
        code = cd[0] if isinstance(cd, (list, tuple)) else cd
        if code:
            ss["f_towns"] = [] if list(ss.get("f_towns") or []) == [code] else [str(code)]
            ss["_notices"] = []
        _bump_selection()
    return cb


month_names = t("volunteer.daily.months").split(",")


def unit(metric: str) -> str:
    return t(f"volunteer.unit.{metric}")


def metric_label(metric: str) -> str:
    return t(f"volunteer.metric.{metric}")


def short_station(name: str) -> str:
    """榆林村新时代文明实践站 → 榆林村 (the column says it is a station)."""
    return name.removesuffix("新时代文明实践站") or name


def ok_mark(ok) -> str:
    return "✓" if bool(ok) else "×"


# ── headline figures ──────────────────────────────────────────────────────────────────────────
k = queries.run("volunteer_kpis", **E).iloc[0]
figures = measures.activity_figures(P, cmp, stypes, ttypes)     # the same call the overview makes
towns = queries.run("volunteer_towns", **E)
selected_towns = set(f.town_codes(COUNTY))
active_stations = measures.active_stations(towns, selected_towns)
monthly = queries.run("volunteer_monthly", **P)          # every month of the data; shown: the window's
months = pd.to_datetime(monthly.month)
monthly = monthly[(months >= pd.Timestamp(f.date_from.replace(day=1))) & (months <= pd.Timestamp(f.date_to))]
totals = monthly[monthly.service_type.isna()].reset_index(drop=True)
mix = monthly[monthly.service_type.notna()].reset_index(drop=True)
month_end = f.date_to.replace(day=calendar.monthrange(f.date_to.year, f.date_to.month)[1])
whole_months = f.date_from.day != 1 or f.date_to not in (month_end, as_of)
cells = [c for _ in range(2) for c in st.columns(3)]
for cell, metric in zip(cells, METRICS):
    fg = figures[metric]
    with cell:
        measures.metric(t(f"measures.kpi.{metric}.label"),
                        measures.tile(metric, fg["value"], cmp, fg["yoy"], fg["mom"], lang))
with cells[5]:
    measures.metric(t("measures.kpi.active_stations.label"),
                    measures.tile("active_stations", None, cmp, lang=lang,
                                  value_text=f"{active_stations}/{int(k.stations)}"))
st.caption(measures.delta_help(cmp, lang))


# ── monthly trend ─────────────────────────────────────────────────────────────────────────────
grain = measures.trend_grain(f.date_from, f.date_to)
st.subheader(t("volunteer.trend.heading") if grain == "month" else t("measures.daily_heading"))
st.segmented_control(t("volunteer.trend.metric"), METRICS, key="vol_metric", required=True,
                     format_func=metric_label, label_visibility="collapsed")
metric = ss.get("vol_metric") or "activities"
marks = queries.run("volunteer_marks", **P)

daily = queries.run("activity_daily", **P) if grain == "day" else None
if grain == "day" and daily.activities.sum() > 0:
    # a window of one or two months: by day (a monthly chart of it would be one or two dots)
    fig = go.Figure(go.Bar(x=daily.day, y=daily[metric], name=metric_label(metric), marker_color=charts.PALETTE[0],
                           hovertemplate="%{x|%Y-%m-%d}<br>%{y:,.0f} " + unit(metric) + "<extra></extra>"))
    charts.daily_axis(fig, len(daily), lang, t("measures.axis_day"))
    fig.update_yaxes(title_text=unit(metric), rangemode="tozero")
    charts.show(fig, key="vol_trend_daily", title=t("measures.daily_metric_title", metric=metric_label(metric),
                                                    unit=unit(metric)), height=360)
    st.caption(t("measures.daily_note"))
elif totals.empty or totals.activities.sum() == 0:
    shell.no_data()
else:
    tick = "%Y-%m" if lang == "zh" else "%b %Y"
    focus_month = f"{focus}-01" if focus else None
    colors = [HIGHLIGHT if focus_month and str(mo)[:10] == focus_month else charts.PALETTE[0]
              for mo in totals.month]
    hover_extra = [(t("volunteer.trend.hover_theme", theme=th) if isinstance(th, str) else "") +
                   ("<br>" + t("volunteer.trend.hover_partial") if part else "")
                   for th, part in zip(totals.theme, totals.partial)]
    short = len(totals) <= 13
    fig = go.Figure()
    fig.add_bar(x=totals.month, y=totals[metric], name=metric_label(metric),
                marker=charts.partial_marker(colors, totals.partial), customdata=hover_extra,
                text=totals.theme if short else None, textposition="inside", insidetextanchor="start",
                textangle=-90, textfont=dict(size=11, color="white"), cliponaxis=False,
                selected=dict(marker=dict(opacity=1), textfont=dict(color="white")),
                unselected=dict(marker=dict(opacity=0.6), textfont=dict(color="white")),
                hovertemplate="%{x|" + tick + "}<br>%{y:,.0f} " + unit(metric) + "<br>%{customdata}<extra></extra>")
    # a running month's bar counts only its first days: last year's whole month beside it would compare
    # unlike with unlike (the cards give the like-for-like 同比), so that point is left out
    ly = totals[f"{metric}_ly"].where(~totals.partial.astype(bool))
    fig.add_scatter(x=totals.month, y=ly, name=t("volunteer.trend.last_year"),
                    mode="lines+markers", line=dict(color=charts.MUTED, width=1.5, dash="dot"),
                    marker=dict(size=5),
                    hovertemplate=t("volunteer.trend.last_year") + " %{y:,.0f}<extra></extra>")
    fig.add_scatter(x=totals.month, y=totals[f"{metric}_r12"], name=t("volunteer.trend.rolling"),
                    mode="lines", line=dict(color=charts.PALETTE[3], width=2.5),
                    hovertemplate=t("volunteer.trend.rolling") + " %{y:,.0f}<extra></extra>")
    top = float(max(totals[metric].max(), ly.max(skipna=True) or 0,
                    totals[f"{metric}_r12"].max(skipna=True) or 0))
    by_month = dict(zip(totals.month.astype(str).str[:10], totals[metric]))
    # the running month counts the days up to the data's last day: say which (inside its campaign's note
    # when it has one, so the two labels do not cross)
    partial_key = str(totals.month.iloc[-1])[:10] if bool(totals.partial.iloc[-1]) else None
    partial_text = measures.partial_label(min(as_of, f.date_to), lang) if partial_key else ""
    for i, mk in enumerate(marks.itertuples()):
        key_m = str(mk.month)[:10]
        if key_m not in by_month:
            continue
        text = t(f"volunteer.trend.{mk.kind}")
        if key_m == partial_key:
            text, partial_key = f"{text}<br>{partial_text}", None
        fig.add_annotation(x=mk.month, y=by_month[key_m], text=text, showarrow=True,
                           arrowhead=2, arrowsize=0.8, arrowcolor=charts.MUTED, ax=0,
                           ay=-22 - 14 * (i % 2), font=dict(size=11, color=charts.PALETTE[3]),
                           bgcolor="rgba(255,255,255,0.85)")
    if partial_key:
        charts.label_partial(fig, totals.month.iloc[-1], float(totals[metric].iloc[-1]), partial_text)
    fig.update_xaxes(title_text=t("volunteer.trend.axis_month"), tickformat=tick,
                     dtick="M1" if short else None)
    fig.update_yaxes(title_text=unit(metric), rangemode="tozero", range=[0, top * 1.22])
    # a theme that does not fit its bar at 9 px is left to the hover rather than shrunk to a smudge
    fig.update_layout(bargap=0.18, legend=dict(y=1.02), uniformtext_minsize=9, uniformtext_mode="hide")
    key = f"vol_trend_{gen}"
    charts.show(fig, key=key, title=t("volunteer.trend.title", metric=metric_label(metric), unit=unit(metric)),
                height=360, on_select=_on_month(key), selection_mode="points")
    st.caption(t("volunteer.month_hint") + (" " + t("volunteer.trend.themes_on_bars") if short else "") +
               (" " + t("volunteer.trend.whole_months") if whole_months else "") +
               (" " + t("measures.partial_note") if bool(totals.partial.any()) else ""))


# ── year on year and 天天有活动 ────────────────────────────────────────────────────────────────
st.subheader(t("volunteer.yoy.heading"))
with st.columns([1, 4])[0]:
    st.selectbox(t("volunteer.yoy.year"), year_opts, key="vol_year",
                 format_func=lambda y: f"{y}年" if lang == "zh" else y)
year = int(ss.get("vol_year") or default_year)
Y = dict(P, year=year)
left, right = st.columns([3, 2])
yoy = queries.run("volunteer_yoy", **Y)
with left:
    if yoy.empty or (yoy[metric].fillna(0).sum() == 0 and yoy[f"{metric}_prev"].fillna(0).sum() == 0):
        shell.no_data()
    else:
        labels = [month_names[i - 1] for i in yoy.month_no]
        change = [measures.change(c, p) or "—" for c, p in zip(yoy[metric], yoy[f"{metric}_prev"])]
        fig = go.Figure()
        fig.add_bar(x=labels, y=yoy[f"{metric}_prev"], name=t("volunteer.yoy.series_year", year=year - 1),
                    marker_color="#B9C2CC",
                    hovertemplate="%{x} · " + t("volunteer.yoy.series_year", year=year - 1) +
                                  "<br>%{y:,.0f} " + unit(metric) + "<extra></extra>")
        fig.add_bar(x=labels, y=yoy[metric], name=t("volunteer.yoy.series_year", year=year),
                    marker_color=charts.PALETTE[0], customdata=change,
                    hovertemplate="%{x} · " + t("volunteer.yoy.series_year", year=year) +
                                  "<br>%{y:,.0f} " + unit(metric) + "<br>" +
                                  t("volunteer.yoy.hover_change", delta="%{customdata}") + "<extra></extra>")
        fig.update_yaxes(title_text=unit(metric), rangemode="tozero")
        fig.update_layout(barmode="group", bargap=0.2, bargroupgap=0.05)
        charts.show(fig, key="vol_yoy",
                    title=t("volunteer.yoy.title", year=year, prev=year - 1, metric=metric_label(metric)), height=330)
        r0 = yoy.iloc[0]
        st.caption(t("volunteer.yoy.ytd", date=fmt.day(r0.last_day, lang), cur=fmt.num(r0[f"{metric}_ytd"], lang),
                     prev=fmt.num(r0[f"{metric}_ytd_prev"], lang), unit=unit(metric),
                     delta=measures.change(r0[f"{metric}_ytd"], r0[f"{metric}_ytd_prev"]) or t("volunteer.yoy.no_base")))

days = queries.run("volunteer_active_days", **Y)
with right:
    overall = days[days.town_code.isna()]
    towns_share = days[days.town_code.notna()].sort_values("share", ascending=True)
    if overall.empty or int(overall.active_days.iloc[0]) == 0 or towns_share.empty:
        shell.no_data()
    else:
        o = overall.iloc[0]
        period = t("measures.help.year_to_date", year=year, date=fmt.day(min(as_of, date(year, 12, 31)), lang))
        st.metric(t("volunteer.daily.share"), fmt.pct(o.share), help=t("volunteer.daily.share_help") + " " + period,
                  border=True)
        st.caption(t("volunteer.daily.share_caption", year=year, days=int(o.elapsed_days), active=int(o.active_days)))
        towns_share = towns_share.tail(TOWN_CHART_MAX)
        fig = go.Figure(go.Bar(
            x=towns_share.share, y=towns_share.town_name, orientation="h", marker_color=charts.PALETTE[2],
            text=[fmt.pct(s) for s in towns_share.share], textposition="outside", cliponaxis=False,
            customdata=towns_share[["active_days", "elapsed_days"]],
            hovertemplate="%{y}<br>%{customdata[0]} / %{customdata[1]}<extra></extra>"))
        fig.update_xaxes(tickformat=".0%", range=[0, 1.18])
        charts.show(fig, key="vol_days_town", title=t("volunteer.daily.per_town_title", year=year),
                    height=max(130, 84 + 26 * len(towns_share)))

cal = queries.run("volunteer_calendar", **Y)
if cal.empty or cal.activities.sum() == 0:
    shell.no_data()
else:
    wd = t("volunteer.daily.weekdays").split(",")
    first_weeks = cal[cal.day.map(lambda d: d.day == 1)]
    hover = [t("volunteer.daily.hover_day", date=fmt.day(d, lang), n=int(n)) for d, n in zip(cal.day, cal.activities)]
    # a few peak days (12·5, 3·5) would wash the scale out: cap it at the 98th percentile
    zmax = max(1.0, float(cal.activities.quantile(0.98)))
    fig = go.Figure(go.Heatmap(
        x=cal.week, y=cal.weekday, z=cal.activities, customdata=hover, xgap=2, ygap=2, zmin=0, zmax=zmax,
        colorscale=[[0, "#E8A3A3"], [0.5 / zmax, "#E8A3A3"], [0.5 / zmax, "#E3EEF8"], [1, "#1F4E8C"]],
        colorbar=dict(title=dict(text=t("volunteer.daily.colorbar")), thickness=10, len=0.9),
        hovertemplate="%{customdata}<extra></extra>"))
    fig.update_yaxes(tickvals=list(range(1, 8)), ticktext=wd, autorange="reversed", showgrid=False)
    fig.update_xaxes(tickvals=first_weeks.week.tolist(),
                     ticktext=[month_names[d.month - 1]
                               for d in first_weeks.day],
                     showgrid=False, zeroline=False)
    charts.show(fig, key="vol_calendar", title=t("volunteer.daily.title", year=year), height=250)


# ── service mix and 一月一主题 ────────────────────────────────────────────────────────────────
st.subheader(t("volunteer.mix.heading"))
left, right = st.columns(2)
with left:
    if mix.empty or mix.activities.sum() == 0:
        shell.no_data()
    else:
        fig = go.Figure()
        for s in stype_opts:
            d = mix[mix.service_type == s]
            if d.empty:
                continue
            fig.add_bar(x=d.month, y=d.share_of_month, name=tv("service_type", s),
                        marker_color=charts.SERVICE_COLORS.get(s),
                        customdata=[t("volunteer.mix.hover", stype=tv("service_type", s), n=f"{int(n):,}",
                                      share=fmt.pct(sh)) for n, sh in zip(d.activities, d.share_of_month)],
                        hovertemplate="%{x|" + ("%Y-%m" if lang == "zh" else "%b %Y") +
                                      "}<br>%{customdata}<extra></extra>")
        fig.update_layout(barmode="stack", bargap=0.12, legend=BOTTOM_LEGEND)
        fig.update_yaxes(tickformat=".0%", range=[0, 1])
        fig.update_xaxes(tickformat="%Y-%m" if lang == "zh" else "%b %Y")
        charts.show(fig, key="vol_mix", title=t("volunteer.mix.title"), height=340)
with right:
    st.markdown(f"**{t('volunteer.themes.title')}**")
    if totals.empty or totals.activities.sum() == 0:
        shell.no_data()
    else:
        th = totals.sort_values("month", ascending=False)
        st.dataframe(
            th.assign(month_fmt=[fmt.month(x, lang) for x in th.month],
                      share_fmt=[fmt.pct(x, 0) for x in th.themed_share])[
                ["month_fmt", "theme", "themed", "share_fmt"]],
            hide_index=True, width="stretch", height=310,
            column_config={
                "month_fmt": st.column_config.TextColumn(t("volunteer.themes.col_month"), width=95),
                "theme": st.column_config.TextColumn(t("volunteer.themes.col_theme"), width=150),
                "themed": st.column_config.NumberColumn(t("volunteer.themes.col_themed"), format="localized",
                                                        width=90),
                "share_fmt": st.column_config.TextColumn(t("volunteer.themes.col_share"), width=70),
            })
        st.caption(t("volunteer.themes.caption"))


# ── towns ─────────────────────────────────────────────────────────────────────────────────────
st.subheader(t("volunteer.towns.heading"))
reconcile = queries.run("volunteer_reconcile")
rec = {r.fact_id: r for r in reconcile.itertuples()}
left, right = st.columns([3, 2])
with left:
    if towns.empty or towns.per_station.sum() == 0:
        shell.no_data()
    else:
        shown = towns.head(TOWN_CHART_MAX).iloc[::-1]
        fig = go.Figure(go.Bar(
            x=shown.per_station, y=shown.town_name, orientation="h",
            marker_color=[HIGHLIGHT if c in selected_towns else charts.PALETTE[0] for c in shown.town_code],
            text=[f"{v:.1f}" for v in shown.per_station], textposition="outside", cliponaxis=False,
            customdata=shown[["town_code"]].to_numpy(),
            hovertext=[t("volunteer.towns.hover", town=n, per=f"{p:.1f}", stations=int(s), active=int(a),
                         total=f"{int(tot):,}")
                       for n, p, s, a, tot in zip(shown.town_name, shown.per_station, shown.stations,
                                                  shown.active_stations, shown.activities)],
            hovertemplate="%{hovertext}<extra></extra>"))
        fig.update_xaxes(title_text=t("volunteer.towns.axis"), range=[0, float(shown.per_station.max()) * 1.15 or 1])
        key = f"vol_towns_{gen}"
        charts.show(fig, key=key, title=t("volunteer.towns.title"), height=max(260, 70 + 30 * len(shown)),
                    on_select=_on_town(key), selection_mode="points")
        note = t("volunteer.town_hint")
        if len(towns) > TOWN_CHART_MAX:
            note += " " + t("volunteer.towns.more", n=TOWN_CHART_MAX, total=len(towns))
        st.caption(note)
with right:
    st.markdown(f"**{t('volunteer.towns.linkage_heading')}**")
    if "X17" in rec and "X18" in rec:
        x17, x18 = rec["X17"], rec["X18"]
        st.markdown(t("volunteer.towns.linkage_text", sites=int(x17.linkage_sites)))
        st.markdown(
            "- " + t("volunteer.towns.linkage_teams", computed=fmt.integer(x17.computed),
                     published=fmt.published(x17.published, x17.qualifier, x17.unit if lang == "zh" else "", lang),
                     ok=ok_mark(x17.ok)) + "\n"
            "- " + t("volunteer.towns.linkage_acts", computed=fmt.integer(x18.computed),
                     published=fmt.published(x18.published, x18.qualifier, x18.unit if lang == "zh" else "", lang),
                     ok=ok_mark(x18.ok)))
    gh = towns[towns.town_name == domain.XIANGYUAN_SEAT_TOWN]
    if not gh.empty:
        st.caption(t("volunteer.towns.linkage_town", acts=fmt.integer(gh.activities.iloc[0]),
                     stations=int(gh.stations.iloc[0])))


# ── stations and teams ────────────────────────────────────────────────────────────────────────
st.subheader(t("volunteer.top.heading"))
left, right = st.columns(2)
with left:
    st.markdown(f"**{t('volunteer.top.stations_title')}**")
    top_st = queries.run("volunteer_top_stations", **E)
    if top_st.empty:
        shell.no_data()
    else:
        st.dataframe(
            top_st.assign(name=[short_station(x) for x in top_st.name],
                          last_fmt=[fmt.day(d, lang) for d in top_st.last_date])[
                ["name", "town_name", "activities", "beneficiaries", "last_fmt"]],
            hide_index=True, width="stretch",
            column_config={
                "name": st.column_config.TextColumn(t("volunteer.top.col_station"), width=90),
                "town_name": st.column_config.TextColumn(t("volunteer.top.col_town"), width=70),
                "activities": st.column_config.NumberColumn(t("volunteer.top.col_activities"), format="localized",
                                                            width=75),
                "beneficiaries": st.column_config.NumberColumn(t("volunteer.top.col_beneficiaries"),
                                                               format="localized", width=85),
                "last_fmt": st.column_config.TextColumn(t("volunteer.top.col_last"), width=110),
            })
with right:
    st.markdown(f"**{t('volunteer.top.teams_title')}**")
    top_tm = queries.run("volunteer_top_teams", **E)
    if top_tm.empty:
        shell.no_data()
    else:
        st.dataframe(
            top_tm.assign(type_fmt=[tv("team_type", x) for x in top_tm.team_type])[
                ["name", "type_fmt", "activities", "volunteers"]],
            hide_index=True, width="stretch",
            column_config={
                "name": st.column_config.TextColumn(t("volunteer.top.col_team"), width=170),
                "type_fmt": st.column_config.TextColumn(t("volunteer.top.col_team_type"), width=100),
                "activities": st.column_config.NumberColumn(t("volunteer.top.col_activities"), format="localized",
                                                            width=70),
                "volunteers": st.column_config.NumberColumn(t("volunteer.top.col_volunteers"), format="localized",
                                                            width=85),
            })

st.markdown(f"**{t('volunteer.idle.title')}**")
ic1, ic2 = st.columns([1, 3], vertical_alignment="bottom")
with ic1:
    st.selectbox(t("volunteer.idle.days"), IDLE_CHOICES, key="vol_idle",
                 format_func=lambda n: t("volunteer.idle.days_option", n=n))
idle_days = int(ss.get("vol_idle") or 30)
idle = queries.run("volunteer_idle", **dict(E, idle_days=idle_days))
with ic2:
    if idle.empty:
        st.success(t("volunteer.idle.none", date=fmt.day(eff_to, lang), days=idle_days))
    else:
        st.warning(t("volunteer.idle.summary", date=fmt.day(eff_to, lang), n=int(idle.idle_total.iloc[0]),
                     total=int(k.stations), days=idle_days))
        if int(idle.idle_total.iloc[0]) > len(idle):
            st.caption(t("volunteer.idle.longest", n=len(idle)))
if not idle.empty:
    suffix = "&lang=en" if lang == "en" else ""
    with st.container(key="vol_idle_box"):
        st.dataframe(
            idle.assign(
                name=[short_station(x) for x in idle.name],
                last_fmt=[t("volunteer.idle.never") if pd.isna(d) else fmt.day(d, lang) for d in idle.last_date],
                map_url=[f"stations?site={quote(str(sid), safe='')}{suffix}" for sid in idle.site_id])[
                ["name", "town_name", "last_fmt", "days_idle", "map_url"]],
            hide_index=True, width="stretch", height=min(400, 38 + 35 * len(idle)),
            column_config={
                "name": st.column_config.TextColumn(t("volunteer.top.col_station"), width=150),
                "town_name": st.column_config.TextColumn(t("volunteer.top.col_town"), width=100),
                "last_fmt": st.column_config.TextColumn(t("volunteer.top.col_last"), width=140),
                "days_idle": st.column_config.NumberColumn(t("volunteer.idle.col_days"), format="localized",
                                                           width=100),
                # relative link: opens the map page's detail of the station (/stations?site=…)
                "map_url": st.column_config.LinkColumn(t("volunteer.idle.col_map"), width=130,
                                                       display_text=t("volunteer.idle.map_link")),
            })


# ── micro-wishes ──────────────────────────────────────────────────────────────────────────────
st.subheader(t("volunteer.wishes.heading"))
W = dict(E)
wf = queries.run("volunteer_wish_funnel", **W).iloc[0]
c = st.columns(3)
wishes = measures.wish_figures(W, cmp)          # the same call the overview makes
with c[0]:
    measures.metric(t("measures.kpi.wishes_done.label"),
                    measures.tile("wishes_done", wishes["value"], cmp, wishes["yoy"], wishes["mom"], lang))
with c[1]:
    med = None if pd.isna(wf.median_days) else float(wf.median_days)
    st.metric(t("volunteer.wishes.median"),
              t("volunteer.wishes.median_value", days=f"{med:g}") if med is not None else "—", border=True,
              help=t("measures.help.wish_median") + " " +
              t("measures.window_line", span=measures.span_text(cmp.window, lang)))
    if med is not None:
        st.caption(t("volunteer.wishes.median_caption", p90=f"{float(wf.p90_days):g}",
                     claim=f"{float(wf.median_claim_days):g}"))
c[2].metric(t("volunteer.wishes.overdue"), fmt.integer(wf.overdue), border=True,
            help=t("measures.help.wishes_overdue", date=fmt.day(cmp.window.end, lang)))

left, right = st.columns(2)
with left:
    if int(wf.published) == 0:
        shell.no_data()
    else:
        stages = ["发布", "认领", "完成"]
        fig = go.Figure(go.Funnel(
            y=[tv("wish_status", s) for s in stages], x=[int(wf.published), int(wf.claimed), int(wf.done)],
            texttemplate="%{value:,}<br>%{percentInitial:.0%}", marker_color=[charts.PALETTE[0], charts.PALETTE[1], charts.OK],
            hovertemplate="%{y}: %{x:,}<extra></extra>"))
        charts.show(fig, key="vol_wish_funnel", title=t("volunteer.wishes.funnel_title"), height=280)
with right:
    wd_df = queries.run("volunteer_wish_days", **W)
    if wd_df.empty or wd_df.wishes.sum() == 0:
        shell.no_data()
    else:
        labels = [t("volunteer.wishes.days_bucket_open", lo=int(lo)) if pd.isna(hi)
                  else t("volunteer.wishes.days_bucket", lo=int(lo), hi=int(hi))
                  for lo, hi in zip(wd_df.lo, wd_df.hi)]
        fig = go.Figure(go.Bar(x=labels, y=wd_df.wishes, marker_color=charts.PALETTE[2], text=wd_df.wishes,
                               textposition="outside", cliponaxis=False,
                               hovertemplate="%{x}: %{y:,}<extra></extra>"))
        fig.update_xaxes(title_text=t("volunteer.wishes.axis_days"), type="category")
        fig.update_yaxes(title_text=t("volunteer.wishes.axis_wishes"), range=[0, float(wd_df.wishes.max()) * 1.2])
        charts.show(fig, key="vol_wish_days", title=t("volunteer.wishes.days_title"), height=280)

st.markdown(f"**{t('volunteer.wishes.branches_title')}**")
br = queries.run("volunteer_wish_branches", **W)
if br.empty:
    shell.no_data()
else:
    st.dataframe(
        br.assign(town_fmt=[x if isinstance(x, str) else t("volunteer.wishes.county_dept") for x in br.town_name],
                  done_rate=[fmt.pct(x, 0) for x in br.done_rate])[
            ["name", "town_fmt", "members", "claimed", "done", "done_rate", "open", "overdue", "oldest_open_days"]],
        hide_index=True, width="stretch",
        column_config={
            "name": st.column_config.TextColumn(t("volunteer.wishes.col_branch")),
            "town_fmt": st.column_config.TextColumn(t("volunteer.wishes.col_town"), width="small"),
            "members": st.column_config.NumberColumn(t("volunteer.wishes.col_members"), width="small"),
            "claimed": st.column_config.NumberColumn(t("volunteer.wishes.col_claimed"), width="small"),
            "done": st.column_config.NumberColumn(t("volunteer.wishes.col_done"), width="small"),
            "done_rate": st.column_config.TextColumn(t("volunteer.wishes.col_rate"), width="small"),
            "open": st.column_config.NumberColumn(t("volunteer.wishes.col_open"), width="small"),
            "overdue": st.column_config.NumberColumn(t("volunteer.wishes.col_overdue")),
            "oldest_open_days": st.column_config.NumberColumn(t("volunteer.wishes.col_oldest")),
        })
    st.caption(t("volunteer.wishes.branches_caption"))


# ── trainings ─────────────────────────────────────────────────────────────────────────────────
st.subheader(t("volunteer.trainings.heading"))
tk = queries.run("volunteer_training_kpis", **E).iloc[0]
c = st.columns(3)
with c[0]:
    st.metric(t("volunteer.trainings.sessions"), fmt.integer(tk.sessions),
              delta=measures.change(tk.sessions, tk.sessions_prev) if cmp.yoy_ok else None,
              help=t("measures.help.training_sessions") + " " + measures.delta_help(cmp, lang), border=True)
    st.caption(t("volunteer.trainings.sessions_caption", n=fmt.integer(tk.free_sessions)))
c[1].metric(t("volunteer.trainings.trainees"), fmt.num(tk.trainees, lang),
            delta=measures.change(tk.trainees, tk.trainees_prev) if cmp.yoy_ok else None,
            help=t("measures.help.training_trainees") + " " + measures.delta_help(cmp, lang), border=True)
c[2].metric(t("volunteer.trainings.hosts"), fmt.integer(tk.hosts), border=True,
            help=t("measures.help.training_hosts") + " " +
            t("measures.window_line", span=measures.span_text(cmp.window, lang)))
notes = []
if "X20" in rec:
    notes.append(t("volunteer.trainings.farmer_note", computed=fmt.integer(rec["X20"].computed), ok=ok_mark(rec["X20"].ok)))
if "X19" in rec:
    notes.append(t("volunteer.trainings.maker_note", computed=fmt.integer(rec["X19"].computed), ok=ok_mark(rec["X19"].ok)))
if notes:
    st.caption(" · ".join(notes))

left, right = st.columns(2)
with left:
    tm = queries.run("volunteer_trainings_monthly", **P)
    if grain == "day":
        st.caption(t("measures.monthly_skipped"))       # a monthly chart of one or two months is one dot
    elif tm.empty:
        shell.no_data()
    else:
        fig = go.Figure()
        for g in HOST_GROUPS:
            d = tm[tm.host_group == g]
            if d.empty:
                continue
            label = t(f"volunteer.trainings.group.{g}")
            fig.add_bar(x=d.month, y=d.trainees, name=label, marker_color=HOST_COLORS[g],
                        customdata=[t("volunteer.trainings.hover", group=label, trainees=int(tr), sessions=int(se))
                                    for tr, se in zip(d.trainees, d.sessions)],
                        hovertemplate="%{x|" + ("%Y-%m" if lang == "zh" else "%b %Y") +
                                      "}<br>%{customdata}<extra></extra>")
        fig.update_layout(barmode="stack", bargap=0.15, legend=BOTTOM_LEGEND)
        fig.update_yaxes(title_text=t("volunteer.unit.participants"), rangemode="tozero")
        fig.update_xaxes(tickformat="%Y-%m" if lang == "zh" else "%b %Y")
        charts.show(fig, key="vol_trainings", title=t("volunteer.trainings.title"), height=330)
with right:
    st.markdown(f"**{t('volunteer.trainings.bases_title')}**")
    tb = queries.run("volunteer_training_bases", **E)
    if tb.empty:
        shell.no_data()
    else:
        st.dataframe(
            tb[["name", "sessions", "trainees", "trainees_to_date"]],
            hide_index=True, width="stretch",
            column_config={
                "name": st.column_config.TextColumn(t("volunteer.trainings.col_host"), width=180),
                "sessions": st.column_config.NumberColumn(t("volunteer.trainings.col_sessions"), width=60),
                "trainees": st.column_config.NumberColumn(t("volunteer.trainings.col_trainees"), format="localized",
                                                          width=65),
                "trainees_to_date": st.column_config.NumberColumn(t("volunteer.trainings.col_to_date"),
                                                                  format="localized", width=80),
            })


# ── activity list and export ──────────────────────────────────────────────────────────────────
st.subheader(t("volunteer.list.heading"))
LIST_COLS = {"activity_id": "col_id", "activity_date": "col_date", "title": "col_title", "site_name": "col_site",
             "town_name": "col_town", "service_type": "col_stype", "team_name": "col_team",
             "team_type": "col_team_type", "theme": "col_theme", "campaign": "col_campaign",
             "participants": "col_participants", "volunteers": "col_volunteers",
             "beneficiaries": "col_beneficiaries", "hours": "col_hours"}
total = int(k.activities)
if total == 0:
    shell.no_data()
else:
    rows = queries.run("volunteer_activities", **dict(E, limit=LIST_ROWS))
    st.caption(t("volunteer.list.caption", shown=f"{len(rows):,}", total=f"{total:,}"))
    st.dataframe(
        rows.assign(service_type=rows.service_type.map(lambda v: stype_names.get(v, v)),
                    team_type=rows.team_type.map(lambda v: ttype_names.get(v, v)),
                    theme=rows.theme.fillna(""), campaign=rows.campaign.fillna(""))[list(LIST_COLS)],
        hide_index=True, width="stretch", height=360,
        column_config={c: st.column_config.Column(t(f"volunteer.list.{v}")) for c, v in LIST_COLS.items()}
        | {"activity_date": st.column_config.DateColumn(t("volunteer.list.col_date"), format="YYYY-MM-DD")})

    headers = {c: t(f"volunteer.list.{v}") for c, v in LIST_COLS.items()}
    export_params = dict(E, limit=EXPORT_MAX)

    def _export_frame():
        """Runs on the download thread: the same named query, more rows; no Streamlit calls."""
        df = queries.execute("volunteer_activities", **export_params)
        df = df.assign(service_type=df.service_type.map(lambda v: stype_names.get(v, v)),
                       team_type=df.team_type.map(lambda v: ttype_names.get(v, v)))
        return df[list(LIST_COLS)].rename(columns=headers)

    if total > EXPORT_MAX:
        st.warning(t("volunteer.list.export_capped", total=f"{total:,}", max=f"{EXPORT_MAX:,}"))
    st.caption(t("volunteer.list.export_caption", max=f"{EXPORT_MAX:,}"))
    ec, _ = st.columns([2, 3])
    with ec:
        export.download_buttons(_export_frame, f"volunteer_activities_{eff_from:%Y%m%d}_{eff_to:%Y%m%d}",
                                key="vol_export")


# ── published figures and definitions ─────────────────────────────────────────────────────────
with st.expander(t("volunteer.reconcile.heading")):
    st.caption(t("volunteer.reconcile.caption"))
    if not reconcile.empty:
        st.table(md_frame(reconcile.assign(
            published_fmt=[fmt.published(v, q, u if lang == "zh" else "", lang)
                           for v, q, u in zip(reconcile.published, reconcile.qualifier, reconcile.unit)],
            computed_fmt=[fmt.integer(v) for v in reconcile.computed],
            check=[t("volunteer.reconcile.match") if x else t("volunteer.reconcile.mismatch") for x in reconcile.ok],
        )[["fact_id", "metric", "published_fmt", "computed_fmt", "period", "check"]].rename(columns={
            "fact_id": t("volunteer.reconcile.col_id"), "metric": t("volunteer.reconcile.col_metric"),
            "published_fmt": t("volunteer.reconcile.col_published"),
            "computed_fmt": t("volunteer.reconcile.col_computed"), "period": t("volunteer.reconcile.col_period"),
            "check": t("volunteer.reconcile.col_ok")}).set_index(t("volunteer.reconcile.col_id"))))
    st.markdown(t("volunteer.reconcile.definitions"))

for p in page_params:
    p.store()
