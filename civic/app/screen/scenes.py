"""The five scenes, one function each: data payload (civic/app/screen/data.py) and layout in, Streamlit
elements out. Every height comes from the layout's vertical budget, so nothing scrolls or is cut off."""
from __future__ import annotations

import logging
import math
from datetime import date
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from civic import completeness, stages
from civic.app.screen.figures import bar_texts, map_deck, maps, partial_months, plot, screen_figure, value_axis
from civic.app.screen.html import bars, day_label, em_width, esc, kpi, mix_rows, ticker_rows, town_rows
from civic.app.screen.params import Layout
from civic.app.screen.theme import AMBER, BLUE, CYAN, GREEN, MUTED_TXT
from civic.figures import charts
from civic.text import fmt
from civic.text.i18n import t, tv

log = logging.getLogger("civic.screen")
Payload = dict[str, Any]


# ── 1 overview ───────────────────────────────────────────────────────────────────────────────
def _overview_cards(data: Payload, L: Layout, lang: str) -> tuple[list[str], list[str]]:
    p, r, tm = data["practice"], data["renovation"], data["teams"]
    xy = [kpi(t("screen.xy.stations"), p["stations"], "station", lang, L, accent="big"),
          kpi(t("screen.xy.activities"), p["activities"], "chang", lang, L, accent="big"),
          kpi(t("screen.xy.volunteers"), p["volunteers"], "renci", lang, L),
          kpi(t("screen.xy.beneficiaries"), p["beneficiaries"], "renci", lang, L),
          kpi(t("screen.xy.wishes"), p["wishes_done"], "jian", lang, L, accent="amber"),
          kpi(t("screen.xy.teams"), tm["teams"], "zhi", lang, L, accent="green")]
    hy = [kpi(t("screen.hy.compounds"), r["compounds"], "compound", lang, L, accent="big"),
          kpi(t("screen.hy.done"), r["completed"], "compound", lang, L, accent="big green"),
          kpi(t("stages.under_way"), r["in_progress"], "compound", lang, L, accent="amber"),
          kpi(t("screen.hy.buildings"), r["buildings"], "dong", lang, L),
          kpi(t("screen.hy.households"), r["households"], "hu", lang, L),
          kpi(t("screen.hy.area_done"), r["area_done_m2"], "m2", lang, L)]
    return xy, hy


def _overview_trend(data: Payload, L: Layout, lang: str, chart_h: int) -> go.Figure:
    trend, as_of = data["trend"], data["head"]["as_of"]
    bars: list[dict[str, Any]] = []
    axes: dict[str, Any] = {}
    if not trend.empty:
        partial = partial_months(trend, as_of)
        bars.append(dict(type="bar", x=trend.month.to_numpy(), y=trend.activities.to_numpy(),
                         marker=charts.partial_marker(CYAN, partial, dark=True),
                         text=bar_texts(trend.activities, partial, as_of, lang, L.px(15)),
                         textposition="outside", cliponaxis=False, constraintext="none",
                         textfont=dict(size=L.px(20), color="#dff3ff")))
        axes = dict(xaxis=dict(tickformat="%-m月" if lang == "zh" else "%b", dtick="M1"),
                    yaxis=dict(rangemode="tozero", range=[0, float(trend.activities.max()) * 1.3],
                               showticklabels=False, showgrid=False))
    return screen_figure(L, chart_h, bars, axes, dict(
        title=dict(text=t("screen.xy.trend"), font=dict(size=L.px(22), color="#a9c4e8"), x=0, y=0.98),
        margin=dict(t=L.px(44))))


def _overview_stages(data: Payload, L: Layout, chart_h: int) -> go.Figure:
    fn = data["funnel"]
    bars = dict(type="bar", y=[stages.now_label(s) for s in fn.stage], x=[int(v) for v in fn.at_stage],
                orientation="h", marker=dict(color=[charts.STAGE_COLORS.get(s, CYAN) for s in fn.stage]),
                text=[f"{int(v)}" for v in fn.at_stage], textposition="outside", cliponaxis=False,
                textfont=dict(size=L.px(24), color="#ffffff"))
    return screen_figure(L, chart_h, [bars], dict(
        yaxis=dict(autorange="reversed", tickfont=dict(size=L.px(22)), showgrid=False),
        xaxis=dict(showticklabels=False, showgrid=False, range=[0, max(1.0, float(fn.at_stage.max())) * 1.15]),
        title=dict(text=t("screen.hy.stages"), font=dict(size=L.px(22), color="#a9c4e8"), x=0, y=0.98),
        margin=dict(t=L.px(44), l=L.px(8)), bargap=0.3))


def scene_overview(data: Payload, L: Layout, lang: str) -> None:
    cols, rows, card_h = (6, 1, L.px(128)) if L.wide else (3, 2, L.px(128))
    top_h = L.px(48) + rows * card_h + (rows - 1) * L.px(12)
    chart_h = L.inner_h(L.stage_h) - top_h - L.inner_gap
    grid = f'class="cv-grid" style="grid-template-columns: repeat({cols}, minmax(0,1fr)); grid-auto-rows: {card_h}px"'
    xy, hy = _overview_cards(data, L, lang)
    year = str(data["head"]["as_of"].year) + ("年" if lang == "zh" else "")
    left, right = st.columns(2)
    with left:
        st.html(f'<div class="cv-anim" style="height:{top_h}px"><div class="cv-h">{esc(t("screen.xy.heading"))}'
                f'<small>{esc(year)}</small></div><div {grid}>{"".join(xy)}</div></div>')
        plot(_overview_trend(data, L, lang, chart_h), "scr_ov_trend", chart_h)
    with right:
        st.html(f'<div class="cv-anim" style="height:{top_h}px"><div class="cv-h">{esc(t("screen.hy.heading"))}</div>'
                f'<div {grid}>{"".join(hy)}</div></div>')
        plot(_overview_stages(data, L, chart_h), "scr_ov_stages", chart_h)


# ── 2 map ────────────────────────────────────────────────────────────────────────────────────
def _map_panel(data: Payload, L: Layout, lang: str, inner: int, share: float) -> None:
    """The station map and its legend; `share` is the middle column's part of the width."""
    st.html(f'<div class="cv-h">{esc(t("screen.map.heading"))}<small>{esc(t("app.approx_badge"))}</small></div>')
    legend_h = L.px(40)
    map_h = inner - L.px(48) - 2 * L.inner_gap - legend_h
    m = data.get("map")
    deck: Any = None
    sm: Any = None
    if m is not None and maps is not None:
        total = L.width - 2 * L.px(24) - 2 * L.px(16)
        map_w = int(total * share) - 2 * L.px(18) - 2
        try:
            deck, sm = map_deck(m, L, map_w, map_h)
        except Exception:  # a broken map must not take the wall down; tests assert the deck
            log.exception("screen: the map could not be built")
    if deck is None:
        st.html(f'<div class="cv-pending" style="height:{map_h}px">{esc(t("screen.map.pending"))}</div>')
        return
    st.pydeck_chart(deck, height=map_h, key="scr_map")
    st.html(f'<div class="cv-legend" style="height:{legend_h}px; overflow:hidden">'
            f'<div style="zoom:{1.6 * L.s:.2f}">{maps.legend_html("activities", sm.breaks, dark=True, lang=lang)}'
            f'</div></div>')


def scene_map(data: Payload, L: Layout, lang: str, today: date) -> None:
    live, towns = data["live"], data["towns"]
    inner = L.inner_h(L.stage_h)
    ratios = [1, 3.6, 1] if L.wide else [1, 2.5, 1]
    left, mid, right = st.columns(ratios)
    dl = day_label(data["head"]["as_of"], today, lang)
    # five cards and two headings fill the left panel
    card = max(L.px(104), min(L.px(146), (inner - L.px(2 * 48 + 16) - 3 * L.px(12)) // 5))
    active = f"{int(live['month_active_stations'])}/{int(live['stations'])}"
    with left:
        st.html(f'<div class="cv-anim" style="height:{inner}px">'
                f'<div class="cv-h">{esc(t("screen.map.day", day=dl))}</div>'
                f'<div class="cv-grid" style="grid-auto-rows:{card}px">'
                f'{kpi(t("screen.map.day_activities"), live["day_activities"], "chang", lang, L, accent="big amber")}'
                f'{kpi(t("screen.map.day_participants"), live["day_participants"], "renci", lang, L)}'
                f'</div><div class="cv-h" style="margin-top:{L.px(16)}px">{esc(t("screen.map.month"))}</div>'
                f'<div class="cv-grid" style="grid-auto-rows:{card}px">'
                f'{kpi(t("screen.map.month_activities"), live["month_activities"], "chang", lang, L)}'
                f'{kpi(t("screen.map.month_stations"), None, "", lang, L, raw=active)}'
                f'{kpi(t("screen.map.month_volunteers"), live["month_volunteers"], "renci", lang, L)}'
                f'</div></div>')
    with mid:
        _map_panel(data, L, lang, inner, ratios[1] / sum(ratios))
    with right:
        st.html(f'<div class="cv-anim" style="height:{inner}px"><div class="cv-h">{esc(t("screen.map.towns"))}</div>'
                f'{bars(town_rows(towns), lang, L, gap=16, top=10)}'
                f'<div class="cv-grid" style="grid-auto-rows:{card}px; margin-top:{L.px(22)}px">'
                f'{kpi(t("screen.map.month_beneficiaries"), live["month_beneficiaries"], "renci", lang, L)}'
                f'{kpi(t("screen.map.month_hours"), live["month_hours"], "hours", lang, L, digits=1)}</div></div>')


# ── 3 renovation ─────────────────────────────────────────────────────────────────────────────
def _renovation_funnel(fn: Any, L: Layout, chart_h: int) -> go.Figure:
    funnel = dict(
        type="funnel", y=[stages.reached_label(s) for s in fn.stage], x=[int(v) for v in fn.reached],
        textinfo="value+percent initial", textfont=dict(size=L.px(24), color="#ffffff"),
        marker=dict(color=["#2f7cf6", "#7e62b3", "#e8833a", "#2ba6a6", "#3ddc97"]),
        connector=dict(fillcolor="rgba(70,160,255,.12)", line=dict(width=0)))
    return screen_figure(L, chart_h, [funnel], dict(yaxis=dict(tickfont=dict(size=L.px(24))),
                                                     margin=dict(l=L.px(8), r=L.px(8), t=L.px(8), b=L.px(8))))


def _renovation_scurve(sc: Any, L: Layout, chart_h: int) -> go.Figure:
    act = sc.dropna(subset=["actual_cum"])
    lines = [dict(type="scatter", x=sc.month.to_numpy(), y=sc.planned_cum.to_numpy(), name=t("screen.renovation.planned"),
                  mode="lines", line=dict(color=MUTED_TXT, width=L.px(3), dash="dash")),
             dict(type="scatter", x=act.month.to_numpy(), y=act.actual_cum.to_numpy(), name=t("screen.renovation.actual"),
                  mode="lines", line=dict(color=GREEN, width=L.px(4)), fill="tozeroy", fillcolor="rgba(61,220,151,.14)")]
    if not act.empty:
        last = act.iloc[-1]
        lines.append(dict(type="scatter", x=[last.month], y=[last.actual_cum], mode="markers+text",
                          text=[f"{int(last.actual_cum)}"], textposition="top center",
                          marker=dict(size=L.px(14), color=GREEN), textfont=dict(size=L.px(26), color="#ffffff"),
                          showlegend=False))
    total = int(sc.compounds.max()) if not sc.empty else 0
    yaxis: dict[str, Any] = dict(range=[0, max(1, total) * 1.08])
    if total > 40:
        yaxis["dtick"] = 20
    return screen_figure(L, chart_h, lines, dict(
        yaxis=yaxis, xaxis=dict(tickformat="%Y", dtick="M12", ticklabelmode="period"),
        showlegend=True, margin=dict(t=L.px(40))))


def scene_renovation(data: Payload, L: Layout, lang: str) -> None:
    r = data["kpis"]
    rate = (r["completed"] / r["compounds"]) if r["compounds"] else None
    strip_h = L.px(136)
    cards = [kpi(t("screen.renovation.compounds"), r["compounds"], "compound", lang, L, accent="big"),
             kpi(t("screen.renovation.done"), r["completed"], "compound", lang, L, accent="big green"),
             kpi(t("screen.renovation.rate"), None, "", lang, L, raw=fmt.pct(rate) if rate is not None else "—",
                 accent="big green"),
             kpi(t("stages.under_way"), r["in_progress"], "compound", lang, L, accent="big amber"),
             kpi(t("screen.renovation.households"), r["households"], "hu", lang, L, accent="big")]
    st.html(f'<div class="cv-grid cv-anim" style="grid-template-columns: repeat(5, minmax(0,1fr)); '
            f'grid-auto-rows:{strip_h}px">{"".join(cards)}</div>')
    panel_h = L.stage_h - strip_h - L.gap
    chart_h = L.inner_h(panel_h) - L.px(48) - L.inner_gap
    left, right = st.columns([1, 1.35] if not L.wide else [1, 1.8])
    with left:
        st.html(f'<div class="cv-h">{esc(t("screen.renovation.funnel"))}</div>')
        plot(_renovation_funnel(data["funnel"], L, chart_h), "scr_rv_funnel", chart_h)
    with right:
        st.html(f'<div class="cv-h">{esc(t("screen.renovation.scurve"))}</div>')
        plot(_renovation_scurve(data["scurve"], L, chart_h), "scr_rv_scurve", chart_h)


# ── 4 volunteer ──────────────────────────────────────────────────────────────────────────────
def _volunteer_trend(data: Payload, L: Layout, lang: str, h: int) -> go.Figure:
    months = data["trend"] if L.wide else data["trend"].tail(12)
    as_of = data["head"]["as_of"]
    partial = partial_months(months, as_of)
    bars = dict(type="bar", x=months.month.to_numpy(), y=months.volunteers.to_numpy(), name=t("screen.volunteer.turns"),
                marker=charts.partial_marker(BLUE, partial, dark=True),
                text=bar_texts(months.volunteers, partial, as_of, lang, L.px(15), lambda v: fmt.num(v, lang, 1)),
                textposition="outside", cliponaxis=False, constraintext="none",
                textfont=dict(size=L.px(20), color="#dff3ff"))
    ymax = float(months.volunteers.max()) if not months.empty else 1.0
    return screen_figure(L, h, [bars], dict(
        margin=dict(t=L.px(16)), yaxis=dict(showgrid=True, **value_axis(ymax, lang)),
        xaxis=dict(tickformat="%-m月" if lang == "zh" else "%b", dtick="M1" if not L.wide else "M2")))


def _volunteer_side(data: Payload, L: Layout, lang: str) -> str:
    """This month's theme (and next month's), the teams, and the service types: the right panel's HTML."""
    theme, teams = data["theme"], data["teams"]
    grid = f'class="cv-grid" style="grid-template-columns: repeat(3, minmax(0,1fr)); grid-auto-rows:{L.px(104)}px'
    nxt = theme.get("next_theme") if theme else None
    nxt_html = (f'<div class="cv-next">{esc(t("screen.volunteer.next_theme"))}<b>{esc(nxt)}</b></div>'
                if isinstance(nxt, str) and nxt else "")
    if theme:
        th = (f'<div class="cv-theme"><div class="name">{esc(theme["theme"])}</div></div>{nxt_html}<div {grid}">'
              f'{kpi(t("screen.volunteer.theme_activities"), theme["activities"], "chang", lang, L, accent="sm amber")}'
              f'{kpi(t("screen.volunteer.theme_sites"), theme["sites"], "site", lang, L, accent="sm")}'
              f'{kpi(t("screen.volunteer.theme_volunteers"), theme["volunteers"], "renci", lang, L, accent="sm")}'
              f'</div>')
    else:
        th = f'<div class="cv-theme"><div class="name">{esc(t("screen.volunteer.no_theme"))}</div></div>'
    team = (f'<div {grid}; margin-top:{L.px(14)}px">'
            f'{kpi(t("screen.volunteer.teams"), teams["teams"], "zhi", lang, L, accent="sm green")}'
            f'{kpi(t("screen.volunteer.members"), teams["members"], "ren", lang, L, accent="sm green")}'
            f'{kpi(t("screen.volunteer.hours_ytd"), float(data["hours_ytd"]), "hours", lang, L, accent="sm green", digits=1)}'
            f'</div>')
    return (f'<div class="cv-h">{esc(t("screen.volunteer.theme"))}</div>{th}{team}'
            f'<div class="cv-h" style="margin-top:{L.px(22)}px">{esc(t("screen.volunteer.mix"))}</div>'
            f'{bars(mix_rows(data["mix"]), lang, L)}')


def scene_volunteer(data: Payload, L: Layout, lang: str) -> None:
    inner = L.inner_h(L.stage_h)
    left, right = st.columns([2.4, 1] if L.wide else [1.45, 1])
    with left:
        st.html(f'<div class="cv-h">{esc(t("screen.volunteer.trend"))}<small>{esc(t("screen.unit.renci"))}</small></div>')
        h = inner - L.px(48) - L.inner_gap
        plot(_volunteer_trend(data, L, lang, h), "scr_vol_trend", h)
    with right:
        st.html(f'<div class="cv-anim" style="height:{inner}px">{_volunteer_side(data, L, lang)}</div>')


# ── 5 ticker ─────────────────────────────────────────────────────────────────────────────────
def _ticker_columns(L: Layout) -> str:
    """The type chips and the number headers are as wide as their longest words in this language (English
    service types and "Volunteers" are wider than the Chinese); the site name takes what is left."""
    tag_w = int(max(em_width(tv("service_type", s)) for s in charts.SERVICE_COLORS) * L.px(22) * 1.05) + L.px(40)
    num_w = [max(L.px(110), int(em_width(t(k)) * L.px(22)) + L.px(24))
             for k in ("screen.ticker.col_participants", "screen.ticker.col_volunteers")]
    return f"{L.px(150)}px minmax(0,2.2fr) {L.px(130)}px {max(L.px(170), tag_w)}px {num_w[0]}px {num_w[1]}px"


def _ticker_table(data: Payload, L: Layout, lang: str, today: date, rotate_s: float, inner: int) -> str:
    """The latest activities, paged: each page held, then slid to the next; the last slides back to the start."""
    rows, cols = data["rows"], _ticker_columns(L)
    row_h, head_h = L.px(66), L.px(52)
    body_h = inner - L.px(48) - head_h
    per_page = max(1, body_h // row_h)
    if rows.empty:
        body = f'<div class="cv-pending" style="height:{body_h}px">{esc(t("screen.ticker.empty"))}</div>'
    else:
        pages = max(1, math.ceil(len(rows) / per_page))
        page_s = max(4.0, min(8.0, rotate_s / pages)) if rotate_s else 6.0
        total = pages * page_s
        frames = []
        for i in range(pages):
            a, b = 100 * i / pages, 100 * (i + 1) / pages
            frames.append(f"{a:.3f}% {{ transform: translateY(-{i * per_page * row_h}px); }}")
            frames.append(f"{b - 100 * 0.6 / total:.3f}% {{ transform: translateY(-{i * per_page * row_h}px); }}")
        frames.append("100% { transform: translateY(0); }")
        body = (f'<style>@keyframes cv-page {{ {" ".join(frames)} }} .cv-tbody {{ animation: cv-page {total:.1f}s '
                f'ease-in-out infinite; }}.cv-tbody .cv-trow {{ height: {row_h}px; }}</style>'
                f'<div class="cv-ticker" style="height:{per_page * row_h}px"><div class="cv-tbody">'
                f'{ticker_rows(rows, lang, cols, today)}</div></div>')
    numeric = ' class="n"'
    header = "".join(f'<div{numeric if k in ("participants", "volunteers") else ""}>'
                     f'{esc(t(f"screen.ticker.col_{k}"))}</div>'
                     for k in ("date", "site", "town", "type", "participants", "volunteers"))
    return (f'<div style="height:{inner}px"><div class="cv-h">{esc(t("screen.ticker.heading"))}'
            f'{_reporting_alert(data.get("low"))}</div>'
            f'<div class="cv-trow cv-thead" style="grid-template-columns:{cols}; height:{head_h}px">{header}</div>'
            f'{body}</div>')


def _reporting_alert(low: Any) -> str:
    """总览's reporting alert (civic/completeness.py: the same rule and count), only when it applies, short
    enough for the heading's one line: the count, not the townships' names (总览 and 报送完整性 list them)."""
    if low is None or low.empty:
        return ""
    text = t("screen.ticker.alert", n=len(low), threshold=f"{completeness.THRESHOLD:g}")
    return f'<small class="cv-alert" style="color:{AMBER}">▲ {esc(text)}</small>'   # the font has no warning sign


def scene_ticker(data: Payload, L: Layout, lang: str, today: date, rotate_s: float) -> None:
    live, inner = data["live"], L.inner_h(L.stage_h)
    if L.wide:
        left, right, third = st.columns([1.9, 1, 1])
    else:
        (left, right), third = st.columns([1.9, 1]), None
    with left:
        st.html(_ticker_table(data, L, lang, today, rotate_s, inner))
    dl = day_label(data["head"]["as_of"], today, lang)
    cards = (f'<div class="cv-h">{esc(t("screen.ticker.day", day=dl))}</div>'
             f'<div class="cv-grid" style="grid-auto-rows:{L.px(118 if not L.wide else 200)}px">'
             f'{kpi(t("screen.ticker.day_activities"), live["day_activities"], "chang", lang, L, accent="big amber")}'
             f'{kpi(t("screen.ticker.day_participants"), live["day_participants"], "renci", lang, L)}'
             f'{kpi(t("screen.ticker.day_volunteers"), live["day_volunteers"], "renci", lang, L)}</div>')
    mix_html = (f'<div class="cv-h" style="margin-top:{L.px(22 if third is None else 0)}px">'
                f'{esc(t("screen.ticker.mix", day=dl))}</div>{bars(mix_rows(data["mix"]), lang, L)}')
    with right:
        st.html(f'<div class="cv-anim" style="height:{inner}px">{cards}{mix_html if third is None else ""}</div>')
    if third is not None:
        towns = data.get("towns")
        with third:
            st.html(f'<div class="cv-anim" style="height:{inner}px">{mix_html}'
                    f'<div class="cv-h" style="margin-top:{L.px(26)}px">{esc(t("screen.map.towns"))}</div>'
                    f'{bars(town_rows(towns), lang, L) if towns is not None else ""}</div>')
