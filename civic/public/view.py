"""The residents' compound page as HTML sections, phone first (390 px wide; text ≥ 15 px; no scrolling sideways).

Plain HTML through st.html, not charts or data grids: a few kB per page on a slow link, and the same markup
serves the page and its tests. Every data value goes through html_text (escaped); free text (meeting topics
and decisions) was already screened for personal data by civic/store/queries.py. Words come from
civic/text/catalog/public.toml.
"""
from __future__ import annotations

import pandas as pd

from civic import stages
from civic.public.compound import CompoundPage
from civic.text import fmt
from civic.text.i18n import t, tv
from civic.text.safe_text import html_text as esc

MEETINGS_SHOWN = 6

CSS = """<style>
.pub { font-size: 16px; line-height: 1.6; overflow-wrap: anywhere; }
.pub h2 { font-size: 1.25rem; margin: 0.4rem 0 0.5rem; padding: 0; }
.pub .sub, .pub .note, .pub small { font-size: 15px; color: #4a5663; }
.pub .chip { display: inline-block; padding: 0 0.5rem; border-radius: 0.75rem; font-size: 15px; }
.pub .ok { background: #e3f4e8; color: #17612f; }
.pub .late { background: #fde8e4; color: #9b2514; }
.pub .wait { background: #fff3d6; color: #7a5300; }
.pub ol.steps { display: flex; flex-wrap: wrap; list-style: none; margin: 0.75rem 0; padding: 0; gap: 3px; }
/* whole words on the bar: the five Chinese steps fit one row at 390 px; longer (English) words wrap the row */
.pub ol.steps li { flex: 1 0 auto; text-align: center; font-size: 15px; padding: 0.35rem 0.4rem; white-space: nowrap;
  overflow-wrap: normal; background: #eef1f4; color: #5b6672; border-radius: 0.4rem; }
.pub ol.steps li.done { background: #cfe3f5; color: #123e63; }
.pub ol.steps li.now { background: #1F6FB2; color: #fff; font-weight: 700; }
.pub .bar { height: 0.5rem; background: #eef1f4; border-radius: 0.25rem; overflow: hidden; margin: 0.15rem 0 0.6rem; }
.pub .bar > span { display: block; height: 100%; background: #1F6FB2; }
.pub .row { display: flex; justify-content: space-between; gap: 0.75rem; flex-wrap: wrap; }
.pub table { width: 100%; border-collapse: collapse; font-size: 15px; table-layout: fixed; }
.pub th, .pub td { padding: 0.3rem 0.2rem; border-bottom: 1px solid #e3e7eb; text-align: right; }
.pub th:first-child, .pub td:first-child { text-align: left; }
.pub ul.meet { list-style: none; padding: 0; margin: 0; }
.pub ul.meet li { border-left: 3px solid #cfe3f5; padding: 0.1rem 0 0.1rem 0.6rem; margin: 0 0 0.8rem; }
.pub .box { background: #f3f6f9; border-radius: 0.5rem; padding: 0.6rem 0.8rem; margin: 0.5rem 0; }
</style>"""


def _section(title: str, body: str) -> str:
    return f'<div class="pub"><h2>{esc(title)}</h2>{body}</div>'


def step_bar(status: str, lang: str | None = None) -> str:
    """未启动 → 设计 → 施工 → 验收 → 完成, the current stage highlighted and the ones before it marked done."""
    now = stages.ORDER.index(status)
    items = []
    for i, s in enumerate(stages.ORDER):
        cls = "done" if i < now or status == "完成" else "now" if i == now else "todo"
        cls = "now" if i == now else cls
        mark = "✓ " if cls == "done" else ""
        items.append(f'<li class="{cls}">{mark}{esc(stages.name_label(s, lang))}</li>')
    return f'<ol class="steps" aria-label="{esc(t("public.stage_bar", lang))}">{"".join(items)}</ol>'


def timing(p: CompoundPage, lang: str | None = None) -> str:
    """"按计划" or "滞后 N 天" in plain words, as the renovation page counts delay_days."""
    if p.delay_days > 0:
        return f'<span class="chip late">{esc(t("public.late", lang, n=p.delay_days))}</span>'
    return f'<span class="chip ok">{esc(t("public.on_plan", lang))}</span>'


def header(p: CompoundPage, lang: str = "zh") -> str:
    r = p.row
    place = " · ".join([esc(r.community_name), esc(r.town_name), esc(tv("batch", r.batch, lang))])
    dates = [t("public.plan_start", lang, d=fmt.day(r.plan_start, lang)),
             t("public.plan_done", lang, d=fmt.day(r.plan_done, lang))]
    if r.status == "完成":
        dates.append(t("public.actual_done", lang, d=fmt.day(r.actual_done, lang)))
    return (f'<div class="pub"><h1 style="font-size:1.6rem;margin:0;padding:0">{esc(r["name"])}</h1>'
            f'<div class="sub">{place}</div>'
            f'<div>{esc(t("public.stage_now", lang))}<b>{esc(stages.now_label(r.status, lang))}</b> {timing(p, lang)}</div>'
            f'{step_bar(r.status, lang)}'
            f'<div class="sub">{"<br>".join(esc(d) for d in dates)}</div></div>')


def works(p: CompoundPage, lang: str = "zh") -> str:
    if p.works.empty:
        return _section(t("public.works", lang), f'<p class="note">{esc(t("public.works_none", lang))}</p>')
    rows = []
    for w in p.works.itertuples(index=False):
        share = 0.0 if not w.planned_qty else min(1.0, float(w.done_qty) / float(w.planned_qty))
        done = t("public.done_of", lang, done=fmt.integer(w.done_qty), planned=fmt.integer(w.planned_qty),
                 unit=tv("unit", w.unit, lang))
        rows.append(f'<div class="row"><span>{esc(tv("work_category", w.category, lang))}</span>'
                    f'<span>{esc(done)}</span></div>'
                    f'<div class="bar"><span style="width:{share * 100:.0f}%"></span></div>')
    return _section(t("public.works", lang), "".join(rows))


def funding(p: CompoundPage, lang: str = "zh") -> str:
    if p.funding.empty:
        return _section(t("public.money", lang), f'<p class="note">{esc(t("public.money_none", lang))}</p>')
    total = float(p.funding.amount_yuan.sum())
    rows = []
    for f in p.funding.itertuples(index=False):
        share = 0.0 if pd.isna(f.share) else float(f.share)
        rows.append(f'<div class="row"><span>{esc(t(f"public.source.{f.source}", lang))}</span>'
                    f'<span>{esc(t("public.yuan", lang, v=fmt.num(f.amount_yuan, lang)))} · {esc(fmt.pct(share))}</span></div>'
                    f'<div class="bar"><span style="width:{share * 100:.0f}%"></span></div>')
    rows.append(f'<div class="row"><b>{esc(t("public.money_total", lang))}</b>'
                f'<b>{esc(t("public.yuan", lang, v=fmt.num(total, lang)))}</b></div>')
    return _section(t("public.money", lang), "".join(rows))


def _approval(m, lang: str) -> str:
    if m.approval == "通过":
        return f'<span class="chip ok">{esc(t("public.approved", lang, d=fmt.day(m.approved_date, lang)))}</span>'
    if m.approval == "报镇党委审批":
        return f'<span class="chip wait">{esc(t("public.pending", lang))}</span>'
    return f'<span class="chip">{esc(t("public.no_approval", lang))}</span>' if isinstance(m.decision, str) else ""


def meetings(p: CompoundPage, lang: str = "zh") -> str:
    parts = []
    if p.next_meeting is not None:
        n = p.next_meeting
        parts.append(f'<div class="box"><b>{esc(t("public.next_meeting", lang))}</b>'
                     f'{esc(fmt.day(n.meeting_date, lang))} · {esc(tv("meeting_type", n.meeting_type, lang))}<br>'
                     f'{esc(t("public.topic", lang))}{esc(n.topic)}</div>')
    if p.meetings.empty:
        parts.append(f'<p class="note">{esc(t("public.meetings_none", lang))}</p>')
        return _section(t("public.consultation", lang), "".join(parts))
    items = []
    for m in p.meetings.head(MEETINGS_SHOWN).itertuples(index=False):
        decision = (f'<br>{esc(t("public.decision", lang))}{esc(m.decision)}' if isinstance(m.decision, str) else "")
        items.append(f'<li><b>{esc(fmt.day(m.meeting_date, lang))} · {esc(tv("meeting_type", m.meeting_type, lang))}</b>'
                     f'<br>{esc(t("public.topic", lang))}{esc(m.topic)}{decision}<br>{_approval(m, lang)}</li>')
    count = t("public.meetings_count", lang, n=len(p.meetings), shown=min(len(p.meetings), MEETINGS_SHOWN))
    parts.append(f'<p class="note">{esc(count)}</p>')
    parts.append(f'<ul class="meet">{"".join(items)}</ul>')
    return _section(t("public.consultation", lang), "".join(parts))


def _days(x, lang: str) -> str:
    return "—" if pd.isna(x) else t("public.days", lang, n=fmt.num(x, lang))


def feedback(p: CompoundPage, lang: str = "zh") -> str:
    community = str(p.row.community_name)
    how = f'<div class="box">{esc(t("public.how_to_raise", lang, community=community))}</div>'
    fb = p.feedback
    if fb.empty or int(fb.received.iloc[-1]) == 0:
        return _section(t("public.feedback", lang), f'<p class="note">{esc(t("public.feedback_none", lang))}</p>{how}')
    total = fb.iloc[-1]
    head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in
                   ("public.fb_category", "public.fb_received", "public.fb_open", "public.fb_closed", "public.fb_days"))
    body = "".join(f"<tr><td>{esc(tv('concern_area', r.category, lang))}</td><td>{int(r.received)}</td>"
                   f"<td>{int(r.in_progress)}</td><td>{int(r.closed)}</td><td>{esc(_days(r.median_days, lang))}</td></tr>"
                   for r in fb.iloc[:-1].itertuples(index=False))
    summary = t("public.fb_summary", lang, n=int(total.received), open=int(total.in_progress), closed=int(total.closed),
                days=_days(total.median_days, lang))
    return _section(t("public.feedback", lang), f'<p>{esc(summary)}</p><table><thead><tr>{head}</tr></thead>'
                    f'<tbody>{body}</tbody></table>{how}')


def bodies(p: CompoundPage, lang: str = "zh") -> str:
    """Names of bodies only: which exist and since when, and the property firm's name; never a person."""
    if p.bodies.empty:
        return _section(t("public.bodies", lang), f'<p class="note">{esc(t("public.bodies_none", lang))}</p>')
    rows = []
    for b in p.bodies.itertuples(index=False):
        name = f"：{esc(b.firm_name)}" if isinstance(b.firm_name, str) else ""
        since = t("public.since", lang, d=fmt.month(b.established_date, lang))
        rows.append(f'<li>{esc(tv("body_type", b.body_type, lang))}{name} <small>{esc(since)}</small></li>')
    return _section(t("public.bodies", lang), f'<ul>{"".join(rows)}</ul>')


def footer(p: CompoundPage, lang: str = "zh") -> str:
    return f'<div class="pub"><p class="note">{esc(t("public.data_date", lang, d=fmt.day(p.as_of, lang)))}</p></div>'


def page(p: CompoundPage, lang: str = "zh") -> list[str]:
    """The page's sections in order (each one st.html call)."""
    # the style after the header: Streamlit's HTML sanitiser drops a <style> that opens the body (civic/app/head.py)
    return [header(p, lang) + CSS, works(p, lang), funding(p, lang), meetings(p, lang), feedback(p, lang),
            bodies(p, lang), footer(p, lang)]
