"""Gather, lay out and render the briefing: the one call behind the CLI, the app's button and the benchmark."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from civic.briefing import data, html
from civic.render import chromium
from civic.scope import Filters


@dataclass
class Output:
    briefing: data.Briefing
    pdf: Path | None
    png: Path | None


def make(f: Filters, pdf: Path | None, png: Path | None = None, lang: str | None = None) -> Output:
    """Write the A4 PDF to `pdf` and/or the phone picture to `png` for the filters `f`."""
    b = data.gather(f, lang)
    if pdf is not None:
        chromium.html_to_pdf(html.build(b, "a4"), pdf)
    if png is not None:
        chromium.html_to_png(html.build(b, "phone"), png, width_px=html.PHONE_WIDTH_PX, scale=2.0)
    return Output(b, pdf, png)


def make_bytes(f: Filters, lang: str | None = None) -> tuple[bytes, bytes, str]:
    """(PDF, PNG, file name stem) in memory, for a download button."""
    with tempfile.TemporaryDirectory(prefix="civic-briefing-") as tmp:
        out = make(f, Path(tmp) / "b.pdf", Path(tmp) / "b.png", lang)
        assert out.pdf is not None and out.png is not None
        return out.pdf.read_bytes(), out.png.read_bytes(), file_stem(out.briefing)


def file_stem(b: data.Briefing) -> str:
    """briefing_<version>_<from>_<to>: the name a downloaded file gets."""
    f = b.filters
    return f"briefing_{b.version}_{f.date_from:%Y%m%d}_{f.date_to:%Y%m%d}"
