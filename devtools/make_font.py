#!/usr/bin/env python3
"""Build the bundled Simplified Chinese web font (offline, no CDN).

Subsets Debian's Noto Sans CJK (package fonts-noto-cjk) down to the characters
the app can plausibly show and writes WOFF2 files for Streamlit's static
serving:

    static/fonts/NotoSansSC-Regular.woff2   (weight 400)
    static/fonts/NotoSansSC-Bold.woff2      (weight 700)
    static/fonts/coverage.txt               (covered code points, one line)

Character set:
  * printable ASCII, Latin-1 (U+00A0-00FF), general punctuation, arrows,
    enclosed alphanumerics, box drawing, geometric shapes, CJK symbols and
    punctuation, half-/full-width forms, and a few check/cross marks;
  * all of GB2312, derived by decoding every 2-byte GB2312 code;
  * every non-ASCII character found in the project's own text files
    (PROJECT_TEXT_GLOBS), e.g. 虒 in 虒亭镇, which is not in GB2312.

Characters the source face has no glyph for are reported (and, if they come
from project files, make the script exit with status 1).

Run:  .venv/bin/python devtools/make_font.py
"""

from __future__ import annotations

import glob
import io
import subprocess
import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "static" / "fonts"
COVERAGE_FILE = OUT_DIR / "coverage.txt"

SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
FACE_FAMILY = "Noto Sans CJK SC"  # name ID 1 of the face to take from the TTC
FONTS = [
    # (source TTC, output WOFF2)
    (SOURCE_DIR / "NotoSansCJK-Regular.ttc", OUT_DIR / "NotoSansSC-Regular.woff2"),
    (SOURCE_DIR / "NotoSansCJK-Bold.ttc", OUT_DIR / "NotoSansSC-Bold.woff2"),
]

# Project text files whose characters must all be covered (relative to ROOT).
# tests/text/test_font.py checks the same list.
PROJECT_TEXT_GLOBS = [
    "civic/**/*.py",
    "civic/text/catalog/*.toml",
    "pages/*.py",
    "app.py",
    "queries/*.sql",
    "data/reference/*.csv",
    "data/reference/*.geojson",
]

# Fixed code point ranges (inclusive).
RANGES = [
    (0x0020, 0x007E),  # printable ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement: punctuation, ·, ×, ÷, °, letters
    (0x2000, 0x206F),  # general punctuation: — – … “ ” ‘ ’ ‰ ※ ‖
    (0x20A0, 0x20BF),  # currency symbols (€ etc.)
    (0x2100, 0x214F),  # letterlike symbols (℃ № ™)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ ⅰ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (≤ ≥ ≠ ±)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (■ □ ▲ ▼ ● ○ ◆)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。「」《》【】〔〕)
    (0xFF00, 0xFFEF),  # half-width and full-width forms (，：；（）！？)
]
EXTRA_CHARS = "✓✔✗✘·×—…“”‘’•※★☆"

# Characters never requested or required: controls, format characters
# (default-ignorables such as ZWJ, BOM, soft hyphen), line/paragraph
# separators, surrogates, private use, unassigned. Keeping U+2028/2029 out
# also keeps coverage.txt a single line.
SKIP_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}

LAYOUT_FEATURES_EXTRA = ["vert", "locl"]  # on top of fontTools' defaults
# OpenType language systems kept for every script: the default one and
# Simplified Chinese. The JAN/KOR/ZHT/ZHH language systems only pull in
# 'locl' alternates (Japanese/Korean/Traditional glyph shapes) that an SC web
# font never needs; keeping them would add ~5,800 glyphs and ~1.3 MB.
KEEP_LANGSYS = ["dflt", "ZHS"]
NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep copyright + licence notice


def wanted(ch: str) -> bool:
    return unicodedata.category(ch) not in SKIP_CATEGORIES


def gb2312_chars() -> set[str]:
    """Every character encodable in GB2312, found by decoding all codes."""
    chars = set()
    for hi in range(0xA1, 0xFF):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def project_text_files(root: Path = ROOT) -> list[Path]:
    files = set()
    for pattern in PROJECT_TEXT_GLOBS:
        files.update(Path(p) for p in glob.glob(str(root / pattern), recursive=True))
    return sorted(p for p in files if p.is_file())


def project_chars(root: Path = ROOT) -> dict[str, list[str]]:
    """Non-ASCII characters in the project text files -> files they occur in."""
    found: dict[str, list[str]] = {}
    for path in project_text_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise SystemExit(f"{path}: not UTF-8 ({exc})") from exc
        rel = str(path.relative_to(root))
        for ch in set(text):
            if ord(ch) > 0x7F and wanted(ch):
                found.setdefault(ch, []).append(rel)
    return found


def base_chars() -> set[str]:
    chars = set(EXTRA_CHARS)
    for lo, hi in RANGES:
        chars.update(chr(cp) for cp in range(lo, hi + 1))
    chars |= gb2312_chars()
    return {c for c in chars if wanted(c)}


def find_face(ttc_path: Path, family: str = FACE_FAMILY) -> int:
    """Index of the face in the collection whose name ID 1 is `family`."""
    coll = TTCollection(str(ttc_path), lazy=True)
    matches = [
        i for i, font in enumerate(coll.fonts)
        if font["name"].getDebugName(1) == family
    ]
    coll.close()
    if len(matches) != 1:
        raise SystemExit(f"{ttc_path}: expected one face named {family!r}, found {matches}")
    return matches[0]


def layout_scripts(font: TTFont) -> list[str]:
    """'script.lang' tags for fontTools: every script, KEEP_LANGSYS only."""
    scripts = set()
    for tag in ("GSUB", "GPOS"):
        if tag in font and font[tag].table.ScriptList:
            scripts.update(r.ScriptTag for r in font[tag].table.ScriptList.ScriptRecord)
    return [f"{script}.{lang}" for script in sorted(scripts) for lang in KEEP_LANGSYS]


def subset_options(font: TTFont) -> subset.Options:
    opts = subset.Options()
    opts.layout_scripts = layout_scripts(font)
    opts.layout_features = list(opts.layout_features) + [
        f for f in LAYOUT_FEATURES_EXTRA if f not in opts.layout_features
    ]
    opts.hinting = False          # drop CFF hints: smaller, fine for screen use
    # Flatten CFF subroutines: brotli then compresses better (measured
    # ~5% smaller WOFF2 than keeping them).
    opts.desubroutinize = True
    opts.name_IDs = NAME_IDS
    opts.notdef_outline = True
    opts.ignore_missing_unicodes = True
    return opts


def build_one(src: Path, dst: Path, chars: set[str]) -> tuple[set[int], int, set[int]]:
    index = find_face(src)
    # recalcTimestamp=False keeps head.modified from the source -> reproducible
    font = TTFont(str(src), fontNumber=index, lazy=False, recalcTimestamp=False)
    available = set(font.getBestCmap())
    unicodes = sorted(ord(c) for c in chars)
    subsetter = subset.Subsetter(options=subset_options(font))
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font.flavor = "woff2"  # Options.flavor is only honoured by the CLI
    buf = io.BytesIO()
    font.save(buf)
    font.close()
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(buf.getvalue())

    out = TTFont(str(dst))
    cmap = set(out.getBestCmap())
    glyphs = len(out.getGlyphOrder())
    out.close()
    missing = {cp for cp in unicodes if cp not in available}
    print(f"{src.name} face #{index} ({FACE_FAMILY}) -> {dst.relative_to(ROOT)}: "
          f"{dst.stat().st_size:,} bytes ({dst.stat().st_size / 2**20:.2f} MiB), "
          f"{glyphs} glyphs, {len(cmap)} code points")
    return cmap, glyphs, missing


def fmt_chars(cps) -> str:
    return " ".join(f"U+{cp:04X}({chr(cp)})" for cp in sorted(cps))


def main() -> int:
    proj = project_chars()
    chars = base_chars() | set(proj)
    files = project_text_files()
    extra = sorted(set(proj) - base_chars())
    print(f"Scanned {len(files)} project text files: "
          f"{len(proj)} distinct non-ASCII characters, "
          f"{len(extra)} beyond GB2312 and the fixed ranges: {''.join(extra)}")
    print(f"Requesting {len(chars)} code points")

    results = [build_one(src, dst, chars) for src, dst in FONTS]
    reg_cmap = results[0][0]
    for (src, dst), (cmap, _, _) in zip(FONTS[1:], results[1:]):
        if cmap != reg_cmap:
            print(f"WARNING: {dst.name} cmap differs from Regular: "
                  f"only in Regular {fmt_chars(reg_cmap - cmap)}; "
                  f"only in {dst.name} {fmt_chars(cmap - reg_cmap)}", file=sys.stderr)

    COVERAGE_FILE.write_text("".join(chr(cp) for cp in sorted(reg_cmap)) + "\n",
                             encoding="utf-8")
    print(f"Wrote {COVERAGE_FILE.relative_to(ROOT)}: {len(reg_cmap)} code points")

    missing = results[0][2]
    if missing:
        per_range = []
        for lo, hi in RANGES:
            n = sum(lo <= cp <= hi for cp in missing)
            if n:
                per_range.append(f"U+{lo:04X}-{hi:04X}: {n}")
        extra = [ord(c) for c in EXTRA_CHARS if ord(c) in missing]
        print(f"Note: {len(missing)} requested code points have no glyph in the source "
              f"face and are not covered ({'; '.join(per_range)})"
              + (f"; from EXTRA_CHARS: {fmt_chars(extra)}" if extra else ""))
    proj_missing = {ord(c) for c in proj} - reg_cmap
    if proj_missing:
        print("ERROR: characters used in project files have no glyph in "
              f"{FACE_FAMILY}:", file=sys.stderr)
        for cp in sorted(proj_missing):
            print(f"  U+{cp:04X} {chr(cp)!r} in {', '.join(proj[chr(cp)])}", file=sys.stderr)
        return 1
    try:
        version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "fonts-noto-cjk"],
                                 capture_output=True, text=True, check=True).stdout
        print(f"Source package: fonts-noto-cjk {version}")
    except (OSError, subprocess.CalledProcessError):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
