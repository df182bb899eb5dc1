"""What a viewer reads beside and over the map: tooltips, the site table's rows, idle chips, the colour
classes of the station encoding and the legend."""
from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from civic.map.atlas import IDLE_SIZE, N_CLASSES, legend_svg
from civic.map.style import FONT_FAMILY, theme
from civic.text import fmt
from civic.text.i18n import current_lang, t, tv
from civic.text.safe_text import md_text


# ── tooltips ───────────────────────────────────────────────────────────────────────────────
def tooltip(dark: bool = False) -> dict:
    """One template for every pickable layer; each row carries t1 (title), t2 (subtitle), t3 (lines).
    Streamlit escapes the values, so lines are separated by newlines shown through white-space: pre-line."""
    th = theme(dark)
    html = (f'<div style="font-weight:700;font-size:14px">{{t1}}</div>'
            f'<div style="color:{th.tooltip_muted};font-size:12px;margin-top:1px">{{t2}}</div>'
            f'<div style="margin-top:5px">{{t3}}</div>')
    style = {"fontFamily": FONT_FAMILY, "fontSize": "13px", "lineHeight": "1.55", "whiteSpace": "pre-line",
             "backgroundColor": th.tooltip_bg, "color": th.tooltip_fg, "padding": "8px 11px",
             "border": f"1px solid {th.tooltip_border}", "borderRadius": "6px", "maxWidth": "320px",
             "boxShadow": "0 4px 14px rgba(0,0,0,0.18)", "zIndex": "10"}
    return {"html": html, "style": style}


def top_rows(frame: pd.DataFrame, limit: int, by: str | None = None) -> pd.DataFrame:
    """At most `limit` rows for the browser: all of them when they fit, else the first `limit` by `by`
    (descending, ties by site_id) or in the query's own order. At ×100 the unfiltered site table has
    ~36k rows (~6 MB of page elements), which alone kept the map page from drawing within seconds."""
    if len(frame) <= limit:
        return frame
    if by is None:
        return frame.head(limit)
    return frame.sort_values([by, "site_id"], ascending=[False, True], kind="stable").head(limit)


def table_sites(frame: pd.DataFrame, idle_only: bool = False) -> pd.DataFrame:
    """The sites the table (and its export) lists: every site in scope, or only the idle stations, longest
    idle first (as the chips)."""
    if not idle_only:
        return frame
    idle = frame[(frame.level == "站") & frame.idle.fillna(False).astype(bool)]
    return idle.sort_values(["last_activity", "site_id"], na_position="first", kind="stable")


def idle_chip_labels(idle: pd.DataFrame) -> list[str]:
    """Short labels for the idle-station chips: the village (with its town where the name repeats in the
    county) and the days since its last activity. st.pills renders options as Markdown: the name is escaped."""
    return [f"{md_text(r.short_label)} · "
            + (t("map.never") if pd.isna(r.idle_days) else t("map.days", n=f"{int(r.idle_days):,}"))
            for r in idle.itertuples()]


def _metric_label(metric: str) -> str:
    return t(f"map.metric.{metric}")


def site_lines(r: Mapping, lang: str) -> str:
    lines = [t("map.tip_window", activities=fmt.num(r.get("activities", 0), lang),
               beneficiaries=fmt.num(r.get("beneficiaries", 0), lang))]
    last = r.get("last_activity")
    lines.append(t("map.tip_last", date=fmt.day(last, lang) if not is_missing(last) else t("map.none")))
    if bool(r.get("idle")):
        lines.append(t("map.tip_idle"))
    teams = int(r.get("teams") or 0)
    if teams:
        names = r.get("team_names") or ""
        lines.append(t("map.tip_teams", n=teams, names=names) if names else t("map.tip_teams_n", n=teams))
    else:
        lines.append(t("map.tip_no_teams"))
    return "\n".join(lines)


def is_missing(x) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def site_subtitle(r: Mapping) -> str:
    bits = [tv("level", r.get("level"))]
    if isinstance(r.get("town_name"), str):
        bits.append(r["town_name"])
    vc = r.get("village_code")
    if isinstance(vc, str) and vc:
        bits.append(vc)
    elif isinstance(r.get("base_kind"), str) and r.get("base_kind"):
        bits.append(t(f"map.base_kind.{r['base_kind']}") if _has(f"map.base_kind.{r['base_kind']}")
                    else r["base_kind"])
    return " · ".join(bits)


def _has(key: str) -> bool:
    from civic.text.i18n import has
    return has(key)


# ── station encoding ────────────────────────────────────────────────────────────────────────
def class_breaks(values: Iterable[float], k: int = 5) -> list[float]:
    """Upper bounds of k-1 quantile classes over the positive values (rounded, strictly increasing)."""
    # vectorised: a cell-by-cell filter with pd.isna took 0.29 s over the ~35,000 stations of ×100's county view
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=float)
    v = series.to_numpy(dtype=float, na_value=np.nan)
    v = v[~np.isnan(v) & (v > 0)]
    if v.size == 0:
        return []
    qs = np.quantile(v, [i / k for i in range(1, k)])
    out: list[float] = []
    for q in qs:
        q = float(np.ceil(q))
        if not out or q > out[-1]:
            out.append(q)
    return out


def _class_of(value: float, breaks: Sequence[float]) -> int:
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks)


def station_style(value: float, idle: bool, breaks: Sequence[float], vmax: float,
                  n_classes: int = N_CLASSES) -> tuple[str, float]:
    """(icon, diameter px) of a village station: a colour class c0–c4 sized by the value, or "idle"."""
    if idle:
        return "idle", IDLE_SIZE
    cls = _class_of(value, breaks)
    # spread the classes over the ramp even when fewer breaks exist
    idx = 0 if not breaks else round(cls * (n_classes - 1) / max(len(breaks), 1))
    radius = 4.0 + 6.0 * math.sqrt(max(value, 0) / vmax) if vmax > 0 else 4.0
    return f"c{min(idx, n_classes - 1)}", round(2 * radius + 1, 1)


# ── legend ──────────────────────────────────────────────────────────────────────────────────
def legend_html(metric: str = "activities", breaks: Sequence[float] = (), dark: bool = False,
                aggregated: bool = False, lang: str | None = None) -> str:
    """The map legend as one HTML block: symbols per level, the station colour classes, idle stations."""
    th = theme(dark)
    lang = lang or current_lang()
    fg = th.tooltip_fg
    muted = th.tooltip_muted

    def item(svg: str, text: str) -> str:
        return (f'<span style="display:inline-flex;align-items:center;gap:5px;margin:2px 14px 2px 0;'
                f'white-space:nowrap">{svg}<span>{text}</span></span>')

    edge = th.icon_edge
    parts = [item(legend_svg("star", th.centre, 18, edge), tv("level", "中心", lang)),
             item(legend_svg("diamond", th.institute, 16, edge), tv("level", "所", lang))]
    if aggregated:
        parts.append(item(legend_svg("circle", th.ramp[2], 16), t("map.legend_town_bubble", lang)))
    else:
        parts.append(item(legend_svg("circle", th.ramp[3], 14, th.station_line), tv("level", "站", lang)))
        parts.append(item(legend_svg("triangle", th.base, 15, edge), tv("level", "基地", lang)))
        parts.append(item(legend_svg("circle", th.idle_fill, 14, ring=th.idle_line), t("map.legend_idle", lang)))
    scale = ""
    if not aggregated and breaks:
        lows = [1] + [int(b) + 1 for b in breaks]
        highs = [int(b) for b in breaks] + [None]
        n = len(lows)
        chips = []
        for i, (lo, hi) in enumerate(zip(lows, highs)):
            idx = round(i * (len(th.ramp) - 1) / max(n - 1, 1))
            label = f"{fmt.num(lo, lang)}–{fmt.num(hi, lang)}" if hi is not None and hi != lo else \
                (fmt.num(lo, lang) if hi is not None else f"≥{fmt.num(lo, lang)}")
            chips.append(item(legend_svg("circle", th.ramp[idx], 12 + i, th.station_line), label))
        scale = (f'<div style="margin-top:2px;color:{muted};font-size:12px">'
                 f'<span style="margin-right:8px">{t("map.legend_scale", lang, metric=_metric_label_lang(metric, lang))}'
                 f'</span>{"".join(chips)}</div>')
    elif aggregated:
        scale = (f'<div style="margin-top:2px;color:{muted};font-size:12px">'
                 f'{t("map.legend_aggregated", lang, metric=_metric_label_lang(metric, lang))}</div>')
    return (f'<div class="civic-map-legend" style="font-family:{FONT_FAMILY};font-size:13px;color:{fg};'
            f'line-height:1.6">{"".join(parts)}{scale}</div>')


def _metric_label_lang(metric: str, lang: str) -> str:
    return t(f"map.metric.{metric}", lang)
