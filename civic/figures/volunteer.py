"""The volunteer page's charts (志愿服务): frames of queries/volunteer_*.sql in, plotly figures out.

No Streamlit here: pages/volunteer.py draws them with civic/app/plot.py `show`. Words come from the
catalog in the current language (civic/text/i18n.py); `lang` picks date formats.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from civic import measures
from civic.figures import charts
from civic.text import fmt
from civic.text.i18n import t, tv

METRICS = ("activities", "participants", "volunteers", "beneficiaries", "hours")
TOWN_CHART_MAX = 30
BOTTOM_LEGEND = dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0, traceorder="normal")
HOST_GROUPS = ("farmer", "maker", "base", "institute")
HOST_COLORS = {"farmer": charts.PALETTE[2], "maker": charts.PALETTE[1], "base": charts.PALETTE[0],
               "institute": charts.PALETTE[4]}
HIGHLIGHT = charts.PALETTE[1]


def unit(metric: str) -> str:
    return t(f"volunteer.unit.{metric}")


def metric_label(metric: str) -> str:
    return t(f"volunteer.metric.{metric}")


def month_tick(lang: str) -> str:
    return "%Y-%m" if lang == "zh" else "%b %Y"


def month_names() -> list[str]:
    return t("volunteer.daily.months").split(",")


# ── the frames the charts read ─────────────────────────────────────────────────────────────────
def window_months(monthly: pd.DataFrame, date_from: date, date_to: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """volunteer_monthly (every month of the data) cut to the window's months: the month totals (rows
    without a service type) and the service mix (rows with one)."""
    months = pd.to_datetime(monthly.month)
    shown = monthly[(months >= pd.Timestamp(date_from.replace(day=1))) & (months <= pd.Timestamp(date_to))]
    totals = shown[shown.service_type.isna()].reset_index(drop=True)
    mix = shown[shown.service_type.notna()].reset_index(drop=True)
    return totals, mix


def has_activity(df: pd.DataFrame | None, column: str = "activities") -> bool:
    return df is not None and not df.empty and float(df[column].fillna(0).sum()) > 0


# ── the trend ──────────────────────────────────────────────────────────────────────────────────
def daily_trend(daily: pd.DataFrame, metric: str, lang: str) -> go.Figure:
    """A window of one or two months, by day (a monthly chart of it would be one or two dots)."""
    fig = charts.figure([dict(type="bar", x=daily.day.tolist(), y=daily[metric].to_numpy(), name=metric_label(metric),
                              marker=dict(color=charts.PALETTE[0]),
                              hovertemplate="%{x|%Y-%m-%d}<br>%{y:,.0f} " + unit(metric) + "<extra></extra>")],
                         dict(yaxis=dict(title=dict(text=unit(metric)), rangemode="tozero")))
    charts.daily_axis(fig, len(daily), lang, t("measures.axis_day"))
    return fig


def _trend_bars(totals: pd.DataFrame, metric: str, focus: str | None, tick: str, short: bool) -> dict:
    focus_month = f"{focus}-01" if focus else None
    colors = [HIGHLIGHT if focus_month and str(mo)[:10] == focus_month else charts.PALETTE[0]
              for mo in totals.month]
    hover_extra = [(t("volunteer.trend.hover_theme", theme=th) if isinstance(th, str) else "") +
                   ("<br>" + t("volunteer.trend.hover_partial") if part else "")
                   for th, part in zip(totals.theme, totals.partial)]
    bars = dict(type="bar", x=totals.month.tolist(), y=totals[metric].to_numpy(), name=metric_label(metric),
                marker=charts.partial_marker(colors, totals.partial), customdata=hover_extra,
                textposition="inside", insidetextanchor="start",
                textangle=-90, textfont=dict(size=11, color="white"), cliponaxis=False,
                selected=dict(marker=dict(opacity=1), textfont=dict(color="white")),
                unselected=dict(marker=dict(opacity=0.6), textfont=dict(color="white")),
                hovertemplate="%{x|" + tick + "}<br>%{y:,.0f} " + unit(metric) + "<br>%{customdata}<extra></extra>")
    if short:
        bars["text"] = totals.theme.to_numpy(dtype=object)
    return bars


def _trend_marks(totals: pd.DataFrame, metric: str, marks: pd.DataFrame, partial_text: str) -> list[dict]:
    """Campaign notes on their months; the running month says up to which day it counts (inside its
    campaign's note when it has one, so the two labels do not cross)."""
    by_month = dict(zip(totals.month.astype(str).str[:10], totals[metric]))
    partial_key = str(totals.month.iloc[-1])[:10] if bool(totals.partial.iloc[-1]) else None
    notes = []
    for i, mk in enumerate(marks.itertuples()):
        key_m = str(mk.month)[:10]
        if key_m not in by_month:
            continue
        text = t(f"volunteer.trend.{mk.kind}")
        if key_m == partial_key:
            text, partial_key = f"{text}<br>{partial_text}", None
        notes.append(dict(x=mk.month, y=by_month[key_m], text=text, showarrow=True,
                          arrowhead=2, arrowsize=0.8, arrowcolor=charts.MUTED, ax=0,
                          ay=-22 - 14 * (i % 2), font=dict(size=11, color=charts.PALETTE[3]),
                          bgcolor="rgba(255,255,255,0.85)"))
    if partial_key:
        notes.append(charts.partial_note(totals.month.iloc[-1], float(totals[metric].iloc[-1]), partial_text))
    return notes


def monthly_trend(totals: pd.DataFrame, metric: str, marks: pd.DataFrame, lang: str, focus: str | None = None,
                  partial_text: str = "") -> go.Figure:
    """Month bars (the focused month highlighted, themes written on them when few), last year's months and
    the rolling 12-month mean; campaign notes on their months."""
    tick = month_tick(lang)
    short = len(totals) <= 13
    if totals.empty:
        return go.Figure()
    # a running month's bar counts only its first days: last year's whole month beside it would compare
    # unlike with unlike (the cards give the like-for-like 同比), so that point is left out
    ly = totals[f"{metric}_ly"].where(~totals.partial.astype(bool))
    months = totals.month.tolist()
    data = [_trend_bars(totals, metric, focus, tick, short),
            dict(type="scatter", x=months, y=ly.to_numpy(), name=t("volunteer.trend.last_year"),
                 mode="lines+markers", line=dict(color=charts.MUTED, width=1.5, dash="dot"), marker=dict(size=5),
                 hovertemplate=t("volunteer.trend.last_year") + " %{y:,.0f}<extra></extra>"),
            dict(type="scatter", x=months, y=totals[f"{metric}_r12"].to_numpy(), name=t("volunteer.trend.rolling"),
                 mode="lines", line=dict(color=charts.PALETTE[3], width=2.5),
                 hovertemplate=t("volunteer.trend.rolling") + " %{y:,.0f}<extra></extra>")]
    top = float(max(totals[metric].max(), ly.max(skipna=True) or 0,
                    totals[f"{metric}_r12"].max(skipna=True) or 0))
    xaxis = dict(title=dict(text=t("volunteer.trend.axis_month")), tickformat=tick)
    if short:
        xaxis["dtick"] = "M1"
    # a theme that does not fit its bar at 9 px is left to the hover rather than shrunk to a smudge
    return charts.figure(data, dict(
        annotations=_trend_marks(totals, metric, marks, partial_text), xaxis=xaxis,
        yaxis=dict(title=dict(text=unit(metric)), rangemode="tozero", range=[0, top * 1.22]),
        bargap=0.18, legend=dict(y=1.02), uniformtext=dict(minsize=9, mode="hide")))


# ── year on year and 天天有活动 ────────────────────────────────────────────────────────────────
def year_on_year(yoy: pd.DataFrame, metric: str, year: int) -> go.Figure:
    """This year's months beside last year's, the change in the hover."""
    labels = [month_names()[i - 1] for i in yoy.month_no]
    change = [measures.change(c, p) or "—" for c, p in zip(yoy[metric], yoy[f"{metric}_prev"])]
    prev_name, cur_name = (t("volunteer.yoy.series_year", year=y) for y in (year - 1, year))
    return charts.figure([
        dict(type="bar", x=labels, y=yoy[f"{metric}_prev"].to_numpy(), name=prev_name, marker=dict(color="#B9C2CC"),
             hovertemplate="%{x} · " + prev_name + "<br>%{y:,.0f} " + unit(metric) + "<extra></extra>"),
        dict(type="bar", x=labels, y=yoy[metric].to_numpy(), name=cur_name, marker=dict(color=charts.PALETTE[0]),
             customdata=change,
             hovertemplate="%{x} · " + cur_name + "<br>%{y:,.0f} " + unit(metric) + "<br>" +
                           t("volunteer.yoy.hover_change", delta="%{customdata}") + "<extra></extra>")],
        dict(yaxis=dict(title=dict(text=unit(metric)), rangemode="tozero"), barmode="group", bargap=0.2,
             bargroupgap=0.05))


def active_days_by_town(towns_share: pd.DataFrame) -> go.Figure:
    """The share of the year's days with an activity, per town (the highest at the top)."""
    return charts.figure([dict(
        type="bar", x=towns_share.share.to_numpy(), y=towns_share.town_name.to_numpy(dtype=object), orientation="h",
        marker=dict(color=charts.PALETTE[2]), text=[fmt.pct(s) for s in towns_share.share], textposition="outside",
        cliponaxis=False, customdata=towns_share[["active_days", "elapsed_days"]].to_numpy(dtype=object),
        hovertemplate="%{y}<br>%{customdata[0]} / %{customdata[1]}<extra></extra>")],
        dict(xaxis=dict(tickformat=".0%", range=[0, 1.18])))


def calendar(cal: pd.DataFrame, lang: str) -> go.Figure:
    """A year of days as weeks × weekdays, coloured by the day's activities (days without one in red)."""
    first_weeks = cal[cal.day.map(lambda d: d.day == 1).astype(bool)]
    hover = [t("volunteer.daily.hover_day", date=fmt.day(d, lang), n=int(n)) for d, n in zip(cal.day, cal.activities)]
    # a few peak days (12·5, 3·5) would wash the scale out: cap it at the 98th percentile
    zmax = max(1.0, float(cal.activities.quantile(0.98))) if not cal.empty else 1.0
    return charts.figure([dict(
        type="heatmap", x=cal.week.to_numpy(), y=cal.weekday.to_numpy(), z=cal.activities.to_numpy(),
        customdata=hover, xgap=2, ygap=2, zmin=0, zmax=zmax,
        colorscale=[[0, "#E8A3A3"], [0.5 / zmax, "#E8A3A3"], [0.5 / zmax, "#E3EEF8"], [1, "#1F4E8C"]],
        colorbar=dict(title=dict(text=t("volunteer.daily.colorbar")), thickness=10, len=0.9),
        hovertemplate="%{customdata}<extra></extra>")],
        dict(yaxis=dict(tickvals=list(range(1, 8)), ticktext=t("volunteer.daily.weekdays").split(","),
                        autorange="reversed", showgrid=False),
             xaxis=dict(tickvals=first_weeks.week.tolist(),
                        ticktext=[month_names()[d.month - 1] for d in first_weeks.day], showgrid=False,
                        zeroline=False)))


# ── breakdowns ─────────────────────────────────────────────────────────────────────────────────
def service_mix(mix: pd.DataFrame, stypes: Sequence[str], lang: str) -> go.Figure:
    """Each month's activities by service type, as shares of the month."""
    data = []
    for s in stypes:
        d = mix[mix.service_type == s]
        if d.empty:
            continue
        data.append(dict(type="bar", x=d.month.tolist(), y=d.share_of_month.to_numpy(), name=tv("service_type", s),
                         marker=dict(color=charts.SERVICE_COLORS.get(s)),
                         customdata=[t("volunteer.mix.hover", stype=tv("service_type", s), n=f"{int(n):,}",
                                       share=fmt.pct(sh)) for n, sh in zip(d.activities, d.share_of_month)],
                         hovertemplate="%{x|" + month_tick(lang) + "}<br>%{customdata}<extra></extra>"))
    return charts.figure(data, dict(barmode="stack", bargap=0.12, legend=BOTTOM_LEGEND,
                                    yaxis=dict(tickformat=".0%", range=[0, 1]), xaxis=dict(tickformat=month_tick(lang))))


def towns_per_station(shown: pd.DataFrame, selected: set[str]) -> go.Figure:
    """Activities per station, per town (the selected towns highlighted); a click carries the town code."""
    top = float(shown.per_station.max()) * 1.15 if not shown.empty else 0.0
    return charts.figure([dict(
        type="bar", x=shown.per_station.to_numpy(), y=shown.town_name.to_numpy(dtype=object), orientation="h",
        marker=dict(color=[HIGHLIGHT if c in selected else charts.PALETTE[0] for c in shown.town_code]),
        text=[f"{v:.1f}" for v in shown.per_station], textposition="outside", cliponaxis=False,
        customdata=shown[["town_code"]].to_numpy(dtype=object),
        hovertext=[t("volunteer.towns.hover", town=n, per=f"{p:.1f}", stations=int(s), active=int(a),
                     total=f"{int(tot):,}")
                   for n, p, s, a, tot in zip(shown.town_name, shown.per_station, shown.stations,
                                              shown.active_stations, shown.activities)],
        hovertemplate="%{hovertext}<extra></extra>")],
        dict(xaxis=dict(title=dict(text=t("volunteer.towns.axis")), range=[0, top or 1])))


def wish_funnel(published: int, claimed: int, done: int) -> go.Figure:
    stages = ["发布", "认领", "完成"]
    return go.Figure(go.Funnel(
        y=[tv("wish_status", s) for s in stages], x=[published, claimed, done],
        texttemplate="%{value:,}<br>%{percentInitial:.0%}",
        marker_color=[charts.PALETTE[0], charts.PALETTE[1], charts.OK],
        hovertemplate="%{y}: %{x:,}<extra></extra>"))


def wish_days(days: pd.DataFrame) -> go.Figure:
    """How many days wishes took from publication to done, in buckets."""
    labels = [t("volunteer.wishes.days_bucket_open", lo=int(lo)) if pd.isna(hi)
              else t("volunteer.wishes.days_bucket", lo=int(lo), hi=int(hi))
              for lo, hi in zip(days.lo, days.hi)]
    top = float(days.wishes.max()) * 1.2 if not days.empty else 1.0
    return charts.figure([dict(type="bar", x=labels, y=days.wishes.to_numpy(), marker=dict(color=charts.PALETTE[2]),
                               text=days.wishes.to_numpy(), textposition="outside", cliponaxis=False,
                               hovertemplate="%{x}: %{y:,}<extra></extra>")],
                         dict(xaxis=dict(title=dict(text=t("volunteer.wishes.axis_days")), type="category"),
                              yaxis=dict(title=dict(text=t("volunteer.wishes.axis_wishes")), range=[0, top])))


def trainings(monthly: pd.DataFrame, lang: str) -> go.Figure:
    """Trainees per month, stacked by the kind of host."""
    data = []
    for g in HOST_GROUPS:
        d = monthly[monthly.host_group == g]
        if d.empty:
            continue
        label = t(f"volunteer.trainings.group.{g}")
        data.append(dict(type="bar", x=d.month.tolist(), y=d.trainees.to_numpy(), name=label,
                         marker=dict(color=HOST_COLORS[g]),
                         customdata=[t("volunteer.trainings.hover", group=label, trainees=int(tr), sessions=int(se))
                                     for tr, se in zip(d.trainees, d.sessions)],
                         hovertemplate="%{x|" + month_tick(lang) + "}<br>%{customdata}<extra></extra>"))
    return charts.figure(data, dict(barmode="stack", bargap=0.15, legend=BOTTOM_LEGEND,
                                    yaxis=dict(title=dict(text=t("volunteer.unit.participants")), rangemode="tozero"),
                                    xaxis=dict(tickformat=month_tick(lang))))


# ── small readings of query frames ─────────────────────────────────────────────────────────────
def active_days(days: pd.DataFrame) -> tuple[pd.Series | None, pd.DataFrame]:
    """volunteer_active_days: the county's row (None when missing) and the towns' rows, the highest share
    last (at the top of a horizontal bar chart), at most TOWN_CHART_MAX."""
    overall = days[days.town_code.isna()]
    towns = days[days.town_code.notna()].sort_values("share", ascending=True).tail(TOWN_CHART_MAX)
    return (None if overall.empty else overall.iloc[0]), towns


LINKAGE_TOWN = "古韩镇"       # 古韩镇整体联动: the town whose linkage the published figures X17 / X18 describe


def linkage_town(towns: pd.DataFrame) -> pd.Series | None:
    """volunteer_towns' row of the linkage town (None when filtered out)."""
    row = towns[towns.town_name == LINKAGE_TOWN]
    return None if row.empty else row.iloc[0]

