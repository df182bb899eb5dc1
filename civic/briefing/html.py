"""The briefing as one self-contained HTML document, laid out for A4 portrait ("a4") or a phone ("phone").

Everything is inline: the font comes from civic/render/chromium.py (font_face_css), the charts are plotly figures
drawn to SVG by plotly.js in Chromium (figures_to_svg) and inlined (vector in the PDF, text in the embedded
font); data values are escaped with safe_text.html_text and reach plotly through charts.neutralise.
Sections and charts never split across pages (break-inside: avoid); every list says how many rows it has
when it shows only the first MAX_ROWS.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from civic import stages
from civic.briefing.data import IDLE_DAYS, Briefing, Kpi, Practice, Renovation, Rows
from civic.figures import charts
from civic.render.chromium import FONT_FAMILY, figures_to_svg, font_face_css
from civic.text import fmt
from civic.text.i18n import HTML_LANG, t, tv
from civic.text.safe_text import html_text as esc


@dataclass(frozen=True)
class Layout:
    name: str
    chart_w: int        # CSS px of one chart
    chart_h: int
    base_px: float      # body font size


# A4 at 96 dpi is 794 px wide; 12 mm margins leave ~703 px: two charts side by side. The phone picture is laid
# out 420 px wide (rendered at ×2, 840 px): shown full-width in a chat, 15 px text reads as ~14 px, no zoom.
LAYOUTS = {"a4": Layout("a4", 345, 250, 12.5), "phone": Layout("phone", 392, 260, 15)}
PHONE_WIDTH_PX = 420

CSS = """
@page { size: A4 portrait; margin: 12mm 12mm 14mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: '%(font)s', sans-serif; color: #1D2733; margin: 0; font-size: %(base)spx; line-height: 1.45; }
body.phone { padding: 14px; width: %(phone_w)spx; background: #fff; }
h1 { font-size: 1.7em; margin: 0 0 .2em; }
h2 { font-size: 1.25em; margin: 1em 0 .4em; padding-bottom: .2em; border-bottom: 2px solid #1F6FB2; }
h3 { font-size: 1.02em; margin: .8em 0 .3em; }
.meta, .muted { color: #5B6978; font-size: .88em; }
.context { background: #EEF4FA; border-left: 4px solid #1F6FB2; padding: .45em .7em; margin: .5em 0; }
.context b { margin-right: .25em; }
.kpis { display: grid; grid-template-columns: repeat(var(--n), 1fr); gap: 8px; margin: .5em 0; }
.phone .kpis { grid-template-columns: repeat(2, 1fr); }
.kpi { border: 1px solid #D5DDE6; border-radius: 6px; padding: .4em .55em; break-inside: avoid; }
.kpi .l { font-size: .85em; color: #445; }
.kpi .v { font-size: 1.45em; font-weight: 700; }
.kpi .d { font-size: .85em; } .up { color: #2E7D4F; } .down { color: #B23A3A; }
.kpi .n { font-size: .8em; color: #5B6978; }
.charts { display: flex; gap: 12px; flex-wrap: wrap; }
.chart { break-inside: avoid; }
table { border-collapse: collapse; width: 100%%; font-size: .9em; margin: .3em 0; }
th, td { text-align: left; padding: .22em .4em; border-bottom: 1px solid #E3E8EE; vertical-align: top; }
th { background: #F3F6F9; font-weight: 700; } td.r, th.r { text-align: right; }
tr, .block { break-inside: avoid; }
.bar { background: #E3E8EE; height: .55em; border-radius: 3px; min-width: 60px; }
.bar > i { display: block; height: 100%%; background: #3BA272; border-radius: 3px; }
.check { padding: .45em .7em; border-radius: 6px; font-weight: 700; break-inside: avoid; }
.check.ok { background: #E8F5EC; color: #1E6B3A; } .check.bad { background: #FBEAEA; color: #8E2424; }
footer { margin-top: 1.2em; border-top: 1px solid #D5DDE6; padding-top: .5em; font-size: .82em; color: #5B6978;
         break-inside: avoid; }
section { break-inside: auto; }
.a4 .pagebreak { break-before: page; }
"""


def _css(layout: Layout) -> str:
    return CSS % {"font": FONT_FAMILY, "base": layout.base_px, "phone_w": PHONE_WIDTH_PX}


def _kpis(kpis: list[Kpi]) -> str:
    cells = []
    for k in kpis:
        delta = ""
        if k.delta:
            cls = "down" if k.delta.startswith("-") else "up"
            delta = f'<div class="d {cls}">{esc(t("briefing.yoy"))} {esc(k.delta)}</div>'
        note = f'<div class="n">{esc(k.note)}</div>' if k.note else ""
        cells.append(f'<div class="kpi"><div class="l">{esc(k.label)}</div><div class="v">{esc(k.value)}</div>'
                     f"{delta}{note}</div>")
    return f'<div class="kpis" style="--n:{len(kpis)}">{"".join(cells)}</div>'


def _titled(title: str, body: str) -> str:
    """A heading kept on the same page as the start of its list (a block never split unless taller than a page)."""
    return f'<div class="block"><h3>{esc(title)}</h3>{body}</div>'


def _table(df: pd.DataFrame, cols: list[tuple[str, str, bool]], rows: Rows | None = None) -> str:
    """cols: (column, header, right-aligned). A cut list says so under the table."""
    head = "".join(f'<th class="{"r" if r else ""}">{esc(h)}</th>' for _, h, r in cols)
    body = "".join("<tr>" + "".join(f'<td class="{"r" if r else ""}">{esc(v)}</td>'
                                    for (c, _, r), v in zip(cols, row)) + "</tr>"
                   for row in df[[c for c, _, _ in cols]].itertuples(index=False))
    note = ""
    if rows is not None and rows.total > len(df):
        note = f'<div class="muted">{esc(t("briefing.truncated", shown=len(df), total=rows.total))}</div>'
    return f'<div class="block"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}</div>'


def _none() -> str:
    return f'<div class="muted">{esc(t("briefing.none"))}</div>'


class Charts:
    """Collects the document's figures; `fill` swaps each placeholder for its SVG (drawn by
    chromium.figures_to_svg, in the font the document embeds)."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.figures: list[dict] = []

    def add(self, fig: go.Figure, title: str, height: int | None = None) -> str:
        charts.register_template()
        charts.style(fig, title=title, height=height or self.layout.chart_h)
        fig.update_layout(width=self.layout.chart_w, font_family=FONT_FAMILY, showlegend=False,
                          margin=dict(l=8, r=16, t=36, b=8))
        charts.neutralise(fig)
        self.figures.append(json.loads(pio.to_json(fig, validate=False)))
        return f'<div class="chart" style="width:{self.layout.chart_w}px">\x00chart{len(self.figures) - 1}\x00</div>'

    def fill(self, doc: str) -> str:
        for i, svg in enumerate(figures_to_svg(self.figures)):
            doc = doc.replace(f"\x00chart{i}\x00", svg)
        return doc


def _practice(p: Practice, c: Charts, lang: str) -> str:
    out = [f"<h2>{esc(t('overview.practice_heading'))}</h2>", _kpis(p.kpis), f'<div class="muted">{esc(p.delta_note)}</div>']
    figs = []
    if not p.trend.empty and p.trend.activities.sum() > 0:
        fig = go.Figure(go.Bar(x=p.trend.x, y=p.trend.activities, marker_color=charts.PALETTE[0]))
        fig.update_xaxes(tickformat="%m-%d" if p.grain == "day" else "%Y-%m")
        fig.update_yaxes(rangemode="tozero")
        figs.append(c.add(fig, t("measures.daily_title") if p.grain == "day" else t("overview.trend_title")))
    ranking = p.ranking.frame
    if not ranking.empty:
        rank = ranking.iloc[::-1]
        fig = go.Figure(go.Bar(x=rank.per_station, y=rank.town_name, orientation="h",
                               marker_color=[charts.PALETTE[1] if tc in p.selected else charts.PALETTE[0]
                                             for tc in rank.town_code],
                               text=[f"{v:.1f}" for v in rank.per_station], textposition="outside", cliponaxis=False))
        fig.update_xaxes(range=[0, float(rank.per_station.max()) * 1.2])
        figs.append(c.add(fig, t("measures.kpi.per_station.label"), height=max(c.layout.chart_h, 60 + 22 * len(rank))))
    out.append(f'<div class="charts">{"".join(figs)}</div>')
    rk = ranking.assign(ps=[f"{v:.1f}" for v in ranking.per_station],
                        act=[fmt.integer(v) for v in ranking.activities],
                        st=[f"{int(a)}/{int(s)}" for a, s in zip(ranking.active_stations, ranking.stations)])
    cols = [("rank", t("briefing.col_rank"), True), ("town_name", t("briefing.col_town"), False),
            ("ps", t("briefing.col_per_station"), True), ("act", t("briefing.col_activities"), True),
            ("st", t("briefing.col_active"), True)]
    out.append(_titled(t("briefing.ranking_heading"), _table(rk, cols, p.ranking)))
    title = t("briefing.idle_heading", n=p.idle.total, days=IDLE_DAYS)
    if p.idle.total == 0:
        out.append(_titled(title, _none()))
    else:
        idle = p.idle.frame.assign(last=[t("volunteer.idle.never") if pd.isna(d) else fmt.day(d, lang)
                                         for d in p.idle.frame.last_date],
                                   days=[("—" if pd.isna(d) else fmt.integer(d)) for d in p.idle.frame.days_idle])
        out.append(_titled(title, _table(
            idle, [("name", t("briefing.col_station"), False), ("town_name", t("briefing.col_town"), False),
                   ("last", t("briefing.col_last"), False), ("days", t("briefing.col_days_idle"), True)], p.idle)))
    return "".join(out)


def _renovation(r: Renovation, c: Charts, lang: str) -> str:
    out = [f"<h2>{esc(t('overview.renovation_heading'))}</h2>", _kpis(r.kpis)]
    sc = r.stage_counts.iloc[::-1]
    fig = go.Figure(go.Bar(x=sc.at_stage, y=[stages.now_label(s) for s in sc.stage], orientation="h",
                           marker_color=[charts.STAGE_COLORS.get(s, charts.MUTED) for s in sc.stage],
                           text=[str(int(v)) for v in sc.at_stage], textposition="outside", cliponaxis=False))
    fig.update_xaxes(range=[0, max(1.0, float(sc.at_stage.max()) * 1.2)])
    works = "".join(
        f'<tr><td>{esc(tv("work_category", w.category))}</td>'
        f'<td class="r">{fmt.integer(w.done)} / {fmt.integer(w.planned)} {esc(tv("unit", w.unit))}</td>'
        f'<td><div class="bar"><i style="width:{0 if w.planned == 0 else min(100.0, 100 * w.done / w.planned):.0f}%">'
        f"</i></div></td></tr>" for w in r.works.itertuples())
    out.append(f'<div class="charts">{c.add(fig, t("briefing.stage_chart"))}'
               f'<div class="chart block" style="width:{c.layout.chart_w}px"><h3>{esc(t("overview.works_heading"))}</h3>'
               f"<table>{works}</table></div></div>")
    title = t("briefing.late_heading", n=r.late.total)
    if r.late.total == 0:
        out.append(_titled(title, _none()))
    else:
        late = r.late.frame.assign(stage=[stages.now_label(s) for s in r.late.frame.status],
                                   place=[f"{a}·{b}" for a, b in zip(r.late.frame.town_name, r.late.frame.community_name)],
                                   delay=[fmt.integer(d) for d in r.late.frame.delay_days])
        out.append(_titled(title, _table(
            late, [("name", t("briefing.col_compound"), False), ("place", t("briefing.col_place"), False),
                   ("stage", t("briefing.col_stage"), False), ("delay", t("briefing.col_delay"), True)], r.late)))
    title = t("briefing.open_heading", n=r.open_items.total, overdue=r.overdue)
    if r.open_items.total == 0:
        out.append(_titled(title, _none()))
    else:
        items = r.open_items.frame.assign(received=[fmt.day(d, lang) for d in r.open_items.frame.received_date],
                                          age=[fmt.integer(a) for a in r.open_items.frame.age_days],
                                          cat=[tv("concern_area", x) for x in r.open_items.frame.category],
                                          st=[tv("feedback_status", x) for x in r.open_items.frame.status])
        out.append(_titled(title, _table(
            items, [("received", t("briefing.col_received"), False), ("age", t("briefing.col_age"), True),
                    ("compound_name", t("briefing.col_compound"), False), ("cat", t("briefing.col_category"), False),
                    ("st", t("briefing.col_status"), False)], r.open_items)))
    return "".join(out)


def _check(b: Briefing, lang: str) -> str:
    ok = b.facts_ok == b.facts_n
    line = t("briefing.check_line", ok=b.facts_ok, n=b.facts_n) + ("" if ok else " " + t("overview.reconcile_fail",
                                                                                       bad=b.facts_n - b.facts_ok))
    out = [f'<div class="check {"ok" if ok else "bad"}">{esc(line)}</div>']
    if not ok:
        mm = b.mismatches.assign(pub=[fmt.published(v, q, u if lang == "zh" else "", lang)
                                      for v, q, u in zip(b.mismatches.published, b.mismatches.qualifier,
                                                         b.mismatches.unit)],
                                 comp=[fmt.integer(v) for v in b.mismatches.computed])
        out.append(_table(mm, [("fact_id", t("overview.col_id"), False), ("metric", t("overview.col_metric"), False),
                               ("pub", t("overview.col_published"), True), ("comp", t("overview.col_computed"), True)]))
    return "".join(out)


def build(b: Briefing, layout: str = "a4", generated: datetime | None = None) -> str:
    """The document for `b` in the given layout ("a4" or "phone")."""
    from civic.text.i18n import use_lang
    lay = LAYOUTS[layout]
    with use_lang(b.lang):
        c = Charts(lay)
        gen = fmt.timestamp(generated or datetime.now(), b.lang)
        parts = [f"<h1>{esc(t('briefing.title'))}</h1>",
                 f'<div class="meta">{esc(t("app.as_of", date=fmt.day(b.as_of, b.lang)))} · '
                 f'{esc(t("app.snapshot", version=b.version, time=b.published_at))} · '
                 f'{esc(t("briefing.generated", time=gen))}</div>',
                 f'<div class="context"><b>{esc(t("briefing.context"))}</b>'
                 f'{esc(t("briefing.context_line", county=b.county_text, towns=b.towns_text, period=b.period_text))}'
                 "</div>"]
        if b.practice is not None:
            parts.append(f"<section>{_practice(b.practice, c, b.lang)}</section>")
        if b.renovation is not None:
            parts.append(f"<section>{_renovation(b.renovation, c, b.lang)}</section>")
        # the check and the sources stay together: a page holding only the footer reads as a misprint
        parts.append(f'<div class="block"><h2>{esc(t("overview.reconcile_heading"))}</h2>{_check(b, b.lang)}'
                     f"<footer><div>{esc(t('briefing.sources'))}</div>"
                     + "".join(f"<div>{esc(n)}</div>" for n in b.notes) + "</footer></div>")
        return (f'<!doctype html><html lang="{HTML_LANG.get(b.lang, "zh-CN")}"><head><meta charset="utf-8">'
                f"<title>{esc(t('briefing.title'))}</title><style>{font_face_css()}{_css(lay)}</style>"
                f'</head><body class="{lay.name}">{c.fill("".join(parts))}</body></html>')
