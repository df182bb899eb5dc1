"""报送完整性: townships × months heatmap of the share of village stations reporting (click a cell → that
month's silent stations), and the stations silent longer than a chosen threshold, grouped by township,
exported. The rule (80 %, pro rata in the running month) lives in civic/completeness.py and is stated here."""
from datetime import date

import streamlit as st

from civic import completeness as cp
from civic import domain
from civic.app import memo, plot, shell
from civic.app.export import Col, download_buttons
from civic.app.filters import UrlParam, load_page_params
from civic.app.widgets import paged_table
from civic.figures import scorecard as scfig
from civic.text import fmt
from civic.text.i18n import t

COUNTY = domain.XIANGYUAN
f = shell.filters()
lang = shell.lang()
as_of = date.fromisoformat(shell.meta()["as_of"])
shell.page_header("completeness.title", "completeness.caption")
towns = shell.town_index()
picked = f.town_codes(COUNTY)

p_days = UrlParam("silent", "cp_days", allowed=cp.SILENT_CHOICES, default=cp.SILENT_DEFAULT)
load_page_params(p_days)

# the grid, the alert, the heatmap's rows and the silent lists are built once per (filters, data version) and
# shared between sessions (memo.shared): a rerun with no change redid their pandas work every time
g = memo.shared(cp.grid, picked, as_of)
cur = g[g.month == as_of.replace(day=1)]
d, n = (int(cur.days_in.iloc[0]), int(cur.days_total.iloc[0])) if len(cur) else (1, 1)
st.caption(t("completeness.rule" if d < n else "completeness.rule_full", threshold=f"{cp.THRESHOLD:g}",
             date=fmt.day(as_of, lang), d=d, n=n,
             bar=f"{cp.bar(d, n):.1f}"))
low = memo.shared(cp.low_this_month, picked, as_of)
if len(low):
    st.warning(t("completeness.low_count", n=len(low), towns=cp.name_list(
        [f"{r.town_name}（{r.share:.0f}%）" if lang == "zh" else f"{r.town_name} ({r.share:.0f}%)"
         for r in low.itertuples()])))
elif len(g):
    st.success(t("completeness.all_ok"))

months = cp.months(as_of)
labels = [fmt.month(mo, lang) + (t("completeness.partial_mark") if mo == as_of.replace(day=1) and d < n else "")
          for mo in months]
names = {c: n_ for c, n_ in zip(g.town_code, g.town_name)}
gen = st.session_state.get("cp_gen", 0)
if g.empty:
    shell.no_data()
else:
    heat, n_towns = memo.shared(cp.heat, picked, as_of)
    drawn = {c: names[c] for c in dict.fromkeys(heat.town_code)}
    fig = memo.fig(scfig.heatmap, heat, drawn, months, t("completeness.colorbar"), labels)
    plot.show(fig, key=f"cp_heat_{gen}", title=t("completeness.heat_title"), height=130 + 30 * len(drawn),
              on_select="rerun", selection_mode="points")
    if len(drawn) < n_towns:
        st.caption(t("completeness.heat_cut", shown=len(drawn), total=n_towns))
    if d < n:
        st.caption(t("completeness.partial_note", date=fmt.day(as_of, lang)))


def _clicked() -> tuple[str, date] | None:
    state = st.session_state.get(f"cp_heat_{gen}")
    try:
        pt = state["selection"]["points"][0]
    except (KeyError, TypeError, IndexError):
        return None
    cd = pt.get("customdata")
    if isinstance(cd, (list, tuple)) and len(cd) == 2 and cd[0] in names:
        return str(cd[0]), date.fromisoformat(str(cd[1])[:10])
    code = next((c for c, nm in names.items() if nm == pt.get("y")), None)
    month = dict(zip(labels, months)).get(pt.get("x"))
    return (code, month) if code and month else None


def _close_cell() -> None:
    st.session_state["cp_gen"] = gen + 1


cell = _clicked()
silent_cols = [Col("name", "completeness.col_station", width="large"), Col("town_name", "completeness.col_town"),
               Col("last_fmt", "completeness.col_last"), Col("days_silent", "completeness.col_days", "int"),
               Col("team", "completeness.col_team", width="large")]


if cell:
    code, month = cell
    rows = memo.shared(cp.silent_listed, [code], as_of, 0, month)
    total = int(g[(g.town_code == code) & (g.month == month)].stations.iloc[0])
    box = st.container(border=True, key="cp_cell")
    c1, c2 = box.columns([5, 1], vertical_alignment="center")
    key = "cell_heading" if len(rows) else "cell_none"
    c1.markdown(f"**{t(f'completeness.{key}', town=names[code], month=fmt.month(month, lang), n=len(rows), total=total)}**")
    c2.button(t("completeness.cell_clear"), key="cp_close", on_click=_close_cell, width="stretch")
    if len(rows):
        with box:       # a page at a time: only the rows on screen go to the browser
            paged_table("cp_cell_list", len(rows), lambda limit, offset: rows.iloc[offset:offset + limit],
                        silent_cols, lang, scope=cell, height=min(360, 38 + 35 * len(rows)))

# ── silent stations ─────────────────────────────────────────────────────────────────────────────
st.subheader(t("completeness.silent_heading"))
st.selectbox(t("completeness.silent_days"), cp.SILENT_CHOICES, key="cp_days",
             format_func=lambda v: t("completeness.silent_days_option", n=v))
p_days.store()
days = int(st.session_state.get("cp_days") or cp.SILENT_DEFAULT)
silent = memo.shared(cp.silent_listed, picked, as_of, days)
if silent.empty:
    st.success(t("completeness.silent_none", date=fmt.day(as_of, lang), days=days))
else:
    per_town = silent.groupby("town_name", sort=False).size()
    st.warning(t("completeness.silent_summary", date=fmt.day(as_of, lang), n=len(silent), days=days,
                 towns=len(per_town)))
    st.caption(cp.name_list([t("completeness.by_town", town=tn, n=int(k)) for tn, k in per_town.items()]))
    shown = silent
    # the summary above needs every silent station (cp.silent); the browser gets one page of them
    paged_table("cp_silent", len(shown), lambda limit, offset: shown.iloc[offset:offset + limit], silent_cols, lang,
                scope=(picked, days, as_of), height=min(480, 38 + 35 * len(shown)))
    download_buttons(shown, t("completeness.export_name"), key="cp_dl", columns=silent_cols)
