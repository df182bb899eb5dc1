"""The bundled CJK web font exists, is WOFF2, is small enough, and covers every
character the project's text files use (see static/fonts/README.md)."""

from __future__ import annotations

import glob
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = ROOT / "static" / "fonts"
FONTS = [FONT_DIR / "NotoSansSC-Regular.woff2", FONT_DIR / "NotoSansSC-Bold.woff2"]
COVERAGE = FONT_DIR / "coverage.txt"
MAX_BYTES = 6 * 1024 * 1024

# Same list as PROJECT_TEXT_GLOBS in devtools/make_font.py.
PROJECT_TEXT_GLOBS = [
    "civic/**/*.py",
    "civic/text/catalog/*.toml",
    "pages/*.py",
    "app.py",
    "queries/*.sql",
    "data/reference/*.csv",
    "data/reference/*.geojson",
]
# Characters that need no glyph (controls, BOM/ZWJ and other format
# characters, line/paragraph separators, surrogates, private use, unassigned);
# devtools/make_font.py skips the same categories.
SKIP_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}

REGENERATE = "rerun `.venv/bin/python devtools/make_font.py` and commit static/fonts/"


def coverage() -> str:
    text = COVERAGE.read_text(encoding="utf-8")
    assert text.endswith("\n") and "\n" not in text[:-1], "coverage.txt must be one line"
    return text[:-1]


def project_chars() -> dict[str, set[str]]:
    """Non-ASCII characters that need a glyph -> project files using them."""
    files = set()
    for pattern in PROJECT_TEXT_GLOBS:
        files.update(glob.glob(str(ROOT / pattern), recursive=True))
    found: dict[str, set[str]] = {}
    for name in sorted(files):
        path = Path(name)
        if not path.is_file():
            continue
        for ch in set(path.read_text(encoding="utf-8")):
            if ord(ch) > 0x7F and unicodedata.category(ch) not in SKIP_CATEGORIES:
                found.setdefault(ch, set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("path", FONTS, ids=lambda p: p.name)
def test_font_file_is_small_woff2(path: Path) -> None:
    assert path.is_file(), f"{path.relative_to(ROOT)} missing; {REGENERATE}"
    with path.open("rb") as fh:
        assert fh.read(4) == b"wOF2", f"{path.name} is not WOFF2"
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{path.name} is {size:,} bytes, limit {MAX_BYTES:,}"


def test_coverage_is_sorted_unique() -> None:
    cov = coverage()
    assert list(cov) == sorted(set(cov))
    # Sanity: ASCII, common CJK and a non-GB2312 place-name character.
    for ch in "Aa0 ，。、（）：中国镇村虒":
        assert ch in cov, f"{ch!r} (U+{ord(ch):04X}) not covered"


def test_project_text_is_covered() -> None:
    cov = set(coverage())
    used = project_chars()
    missing = sorted(set(used) - cov)
    if missing:
        lines = [
            f"  U+{ord(ch):04X} {ch}  in {', '.join(sorted(used[ch]))}" for ch in missing
        ]
        pytest.fail(
            f"{len(missing)} character(s) used in project text have no glyph in the "
            f"bundled font ({''.join(missing)}):\n" + "\n".join(lines) + f"\n{REGENERATE}. "
            "If the script then reports them as absent from Noto Sans CJK SC, "
            "the text itself has to change.",
            pytrace=False,
        )


@pytest.mark.parametrize("path", FONTS, ids=lambda p: p.name)
def test_cmap_matches_coverage(path: Path) -> None:
    font = TTFont(str(path), lazy=True)
    try:
        cmap = "".join(chr(cp) for cp in sorted(font.getBestCmap()))
    finally:
        font.close()
    assert cmap == coverage(), f"{path.name} cmap differs from coverage.txt; {REGENERATE}"
