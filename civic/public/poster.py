"""QR posters for the residents' page: `python -m civic poster --compound ID --base-url https://… --out x.pdf|png`.

An A4 poster per compound: its name, community and town, current stage, a QR code (segno) to its public page
(`{base-url}/compound?id=ID`, served by public/app.py), "扫码查看改造进度与议事结果" and the data date.
`--all` puts all compounds in one PDF, one per page. Rendered by the local Chromium (civic/render/chromium.py).
Bad input (an unknown ID, a URL that is not http(s)://host…, an output that is not .pdf/.png) exits 2 with a
Chinese message and writes nothing.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

import pandas as pd
import segno

from civic import stages
from civic.cli import command
from civic.public import compound
from civic.public.server import COMPOUND_PATH
from civic.text import fmt
from civic.text.i18n import t
from civic.text.safe_text import html_text as esc

A4_WIDTH_PX = 794     # 210 mm at 96 CSS px per inch: the PNG poster is laid out as the PDF page

CSS = """<style>
@page { size: A4; margin: 0; }
body { margin: 0; color: #1D2733; }
.poster { width: 210mm; height: 297mm; box-sizing: border-box; padding: 22mm 18mm; display: flex;
  flex-direction: column; align-items: center; text-align: center; break-after: page; overflow: hidden; }
.poster:last-child { break-after: auto; }
.kicker { font-size: 20pt; color: #1F6FB2; font-weight: 700; letter-spacing: 0.1em; }
.name { font-size: 40pt; font-weight: 700; margin: 8mm 0 2mm; line-height: 1.2; }
.place { font-size: 18pt; color: #4a5663; }
.stage { font-size: 22pt; margin: 8mm 0; padding: 2mm 8mm; border-radius: 8mm; background: #e8f1fa; }
.qr svg { width: 110mm; height: 110mm; display: block; }
.scan { font-size: 24pt; font-weight: 700; margin-top: 6mm; }
.url { font-size: 11pt; color: #4a5663; margin-top: 2mm; word-break: break-all; }
.date { font-size: 14pt; color: #4a5663; margin-top: auto; }
</style>"""


class PosterError(ValueError):
    """Bad input, with the message (Chinese first) to show."""


def check_base_url(base_url: str) -> str:
    """`https://host[/path]` without a trailing slash; anything else is refused."""
    u = urlsplit(base_url.strip())
    if u.scheme not in ("http", "https") or not u.hostname or u.query or u.fragment or any(
            c.isspace() or c in "\"'<>" for c in base_url.strip()):
        raise PosterError(t("public.poster.bad_url", "zh", url=base_url))
    return base_url.strip().rstrip("/")


def page_url(base_url: str, compound_id: str) -> str:
    return f"{check_base_url(base_url)}/{COMPOUND_PATH}?id={quote(compound_id)}"


def qr_svg(url: str) -> str:
    """The QR code as inline SVG (medium error correction: survives a scuffed, sun-bleached poster)."""
    # omitsize: a viewBox instead of a fixed width and height, so the CSS sets its printed size
    return segno.make(url, error="m", micro=False).svg_inline(border=4, omitsize=True)


def poster_html(row: pd.Series, url: str, as_of: date) -> str:
    return (f'<section class="poster"><div class="kicker">{esc(t("public.poster.kicker", "zh"))}</div>'
            f'<div class="name">{esc(row["name"])}</div>'
            f'<div class="place">{esc(row.community_name)} · {esc(row.town_name)}</div>'
            f'<div class="stage">{esc(t("public.stage_now", "zh"))}{esc(stages.now_label(row.status, "zh"))}</div>'
            f'<div class="qr">{qr_svg(url)}</div>'
            f'<div class="scan">{esc(t("public.poster.scan", "zh"))}</div><div class="url">{esc(url)}</div>'
            f'<div class="date">{esc(t("public.poster.data_date", "zh", d=fmt.day(as_of, "zh")))}</div></section>')


def document(rows: pd.DataFrame, base_url: str, as_of: date) -> str:
    body = "".join(poster_html(r, page_url(base_url, r.compound_id), as_of) for _, r in rows.iterrows())
    from civic.render.chromium import FONT_FAMILY, font_face_css
    font = f"<style>{font_face_css()} body {{ font-family: '{FONT_FAMILY}', sans-serif; }}</style>"
    return f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">{font}{CSS}</head><body>{body}</body></html>'


def make(out: Path, base_url: str, compound_id: str | None = None, every: bool = False) -> Path:
    """Write the poster(s); raises PosterError on bad input before anything is written."""
    from civic.render import chromium
    base_url = check_base_url(base_url)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".png") or (every and suffix != ".pdf"):
        raise PosterError(t("public.poster.bad_out", "zh", out=str(out)))
    day = compound.as_of()
    rows = compound.all_compounds(day)
    if not every:
        rows = rows[rows.compound_id == (compound_id or "")]
        if rows.empty:
            raise PosterError(t("public.poster.bad_id", "zh", id=compound_id or "", n=len(compound.compound_ids())))
    rows = rows.sort_values("compound_id")
    html = document(rows, base_url, day)
    if suffix == ".png":
        return chromium.html_to_png(html, out, width_px=A4_WIDTH_PX, scale=2.0)
    return chromium.html_to_pdf(html, out)


def _setup(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--compound", help="小区编号 compound ID, e.g. HY-019")
    which.add_argument("--all", action="store_true", help="所有小区，一个 PDF 每页一张 (all compounds, one PDF)")
    p.add_argument("--base-url", required=True, help="公开页地址 public server URL, e.g. https://gk.example.cn")
    p.add_argument("--out", required=True, type=Path, help="poster.pdf or poster.png")


@command("poster", _setup)
def cmd_poster(a: argparse.Namespace) -> int:
    from civic.store import snapshots
    try:
        out = make(a.out, a.base_url, a.compound, a.all)
    except PosterError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except snapshots.NoSnapshot:
        print(f"错误：{t('public.poster.no_data', 'zh')}", file=sys.stderr)
        return 2
    print(t("public.poster.written", "zh", out=str(out)))
    return 0
