"""`python -m civic briefing`: the leaders' briefing from the command line (a scheduled morning report).

    python -m civic briefing --county 140423 --town 夏店镇 --range this_year --out b.pdf [--png b.png] [--lang en]

A county, town or range the app would drop with a notice is an error here, with the reason, and the exit
status is 2: a scheduled report must never quietly cover something else than asked.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from civic.cli import command
from civic.text.i18n import LANGS


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("--county", default="all", help="140423 (襄垣县) | 511823 (汉源县) | all")
    p.add_argument("--town", action="append", default=[], help="township name or code; repeat for several")
    p.add_argument("--range", default="this_year", help="this_month | this_quarter | this_year | last_12m | all")
    p.add_argument("--out", type=Path, required=True, help="the PDF to write (A4)")
    p.add_argument("--png", type=Path, help="also write the long picture for phones here")
    p.add_argument("--lang", default="zh", help="zh | en")


def path_problem(path: Path, suffix: str) -> str | None:
    """Why `path` cannot take the output, in Chinese and English, or None."""
    if path.suffix.lower() != suffix:
        return f"输出文件应以 {suffix} 结尾：{path} (expected a {suffix} file)"
    parent = path.resolve().parent
    if not parent.is_dir():
        return f"输出目录不存在：{parent} (no such directory)"
    if not os.access(parent, os.W_OK) or (path.exists() and (path.is_dir() or not os.access(path, os.W_OK))):
        return f"无法写入：{path} (not writable)"
    return None


def _fail(msg: str) -> int:
    print(f"简报未生成 briefing not made: {msg}", file=sys.stderr)
    return 2


@command("briefing", _setup)
def cmd_briefing(a: argparse.Namespace) -> int:
    from civic.briefing import data, make
    from civic.render import chromium
    from civic.store import db, snapshots

    if a.lang not in LANGS:
        return _fail(f"语言只能是 zh 或 en：{a.lang} (--lang must be zh or en)")
    for path, suffix in ((a.out, ".pdf"), (a.png, ".png")):
        if path is not None and (problem := path_problem(path, suffix)):
            return _fail(problem)
    towns = [part.strip() for raw in a.town for part in raw.split(",") if part.strip()]
    try:
        f = data.filters_from(a.county, towns, a.range, a.lang)
        out = make.make(f, a.out, a.png, a.lang)
    except data.BadArgument as exc:
        return _fail(str(exc))
    except (snapshots.NoSnapshot, db.DataUnavailable) as exc:
        return _fail(f"没有可用的数据，请先运行 python -m civic build ({exc})")
    except chromium.RenderError as exc:
        return _fail(str(exc))
    b = out.briefing
    print(f"已生成简报 briefing written: {a.out}" + (f"，{a.png}" if a.png else "") +
          f"（数据版本 {b.version}，口径核对 {b.facts_ok}/{b.facts_n}）")
    return 0
