"""Personal data in free text: the one rule for what counts, used by the importer (reject or mask), the
exports (mask on the way out, for data that got in before the rule) and the generator's test.

What is looked for, after NFKC (full-width digits count) and with invisible characters removed:
- mainland mobile numbers: 1[3-9]x xxxx xxxx, with or without +86, spaces or hyphens between the groups;
- landline numbers: an area code 0xx or 0xxx and a 7–8 digit number (0355-5551234, (0355)5551234), and a
  bare 7–8 digit number right after 电话/手机/联系方式/tel;
- 18-digit resident ID numbers (17 digits and a digit or X), whether or not the checksum is right, and
  15-digit first-generation ones;
- bank-card-like runs of 16–19 digits (also written in groups of four);
- e-mail addresses.

Digit runs are matched only when not part of a longer run, so the 9-digit town and 12-digit village codes
the templates accept are never taken for personal data.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KIND_ZH = {"mobile": "手机号码", "landline": "固定电话", "id_card": "身份证号码", "bank_card": "银行卡号",
           "email": "电子邮箱"}

_SEP = r"[ \-]?"
# digit runs touching a Latin letter or digit are parts of identifiers (A-IMP-0123456789ab), not numbers
_B, _E = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
# order matters: longer, more specific patterns first; a span claimed by one is not matched again
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")),
    ("id_card", re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                           r"(?![0-9A-Za-z])")),
    ("id_card", re.compile(r"(?<!\d)\d{17}[\dXx](?![0-9A-Za-z])")),
    ("bank_card", re.compile(_B + r"\d{4}(?:[ \-]\d{4}){3}(?:[ \-]?\d{1,3})?" + _E)),
    ("bank_card", re.compile(_B + r"\d{16,19}" + _E)),
    ("mobile", re.compile(r"(?i:tel|phone|mobile|mob)[:：.]?\s*((?:\+?86[ \-]?)?1[3-9]\d" + _SEP + r"\d{4}" + _SEP
                          + r"\d{4})(?!\d)")),
    ("mobile", re.compile(_B + r"(?:(?:\+|00)?86[ \-]?)?1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4}" + _E)),
    ("landline", re.compile(_B + r"(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})" + _SEP + r"\d{7,8}(?:-\d{1,5})?" + _E)),
    ("landline", re.compile(r"(?:电话|手机|联系方式|联系电话|座机|(?i:tel))[:：]?\s*(\d{7,8})(?!\d)")),
    ("id_card", re.compile(_B + r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}" + _E)),
]

# The shapes of the codes and ids the data carries (county 140423, town 140423103, village 140423103201, site
# S-140423103201, base B-140423-001, team T-140423-P0001 …), which no pattern above can match: a digit run is
# taken only when no digit or Latin letter touches it, and these runs are 6, 9 or 12 digits (a village code
# never starts with 0, so it is no landline either) or are cut by a letter; a mobile needs 11 digits, a landline
# starts with 0, ID numbers 15 or 18, cards 16–19. A cell of exactly such a shape is never personal, so the
# query screen (civic/store/queries.py) skips it without a call per cell. ASCII digits only (re.ASCII; RE2's \d
# is ASCII too), so full-width digits are still screened. tests/text/test_pii.py checks it against find().
CODE_PATTERN = (r"^(?:[A-Z]{1,2}-)?(?:\d{6}(?:-(?:[A-Z]\d{0,4}|\d{3,4}))?|\d{9}(?:-[A-Z])?|[1-9]\d{11})$")
CODE = re.compile(CODE_PATTERN, re.ASCII)

# The shape of a town area's GeoJSON (towns.area_geojson, the map's outlines): a Polygon or MultiPolygon whose
# every number has at most 3 digits before its point and 6 after it (degrees), numbers parted by a comma. Its
# digit runs are at most 6 long and are parted by a point, a comma or brackets, never by the single space or
# hyphen the patterns above allow inside a number, and it has no @: none of them can match, so the query screen
# skips such a cell (at ×100 the 900 areas cost 0.4 s of pii.mask on the map's first run). A coordinate of 7+
# digits or anything else in the cell, and the cell is screened as any text. tests/text/test_pii.py checks it
# against find(). RE2-compatible (Arrow runs it over a whole column in C).
_COORD = r"\[*-?\d{1,3}(?:\.\d{1,6})?\]*"
GEOMETRY_PATTERN = (r'^\{"type": ?"(?:Multi)?Polygon", ?"coordinates": ?' + _COORD + r"(?:, ?" + _COORD + r")*\}$")
GEOMETRY = re.compile(GEOMETRY_PATTERN, re.ASCII)

# Unicode "format" characters (Cf: zero-width space/joiners, BOM, soft hyphen, direction marks …) are
# invisible: they split a number or a name without showing, so they are removed before any comparison.


# The Cf class of Python 3.11's unicodedata as ranges (a regex runs at C speed on a 15,000-character cell;
# tests/importer/test_ingest_hardening.py checks it against unicodedata).
INVISIBLE = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
                       "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
                       "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
# Every pattern needs an at sign or seven digits (a bare landline after 电话), so text without either is
# skipped before the costly normalisation; up to 3 other characters may stand between two digits (spaces,
# hyphens, brackets, invisible characters), as the patterns and the normalisation allow.
_MAYBE = re.compile(r"[@＠\ufe6b]|\d(?:\D{0,3}\d){6}")   # U+FE6B small commercial at (NFKC → @)


def invisible_free(s: str) -> str:
    if s.isascii():
        return s
    return INVISIBLE.sub("", s)


def _norm_map(s: str) -> tuple[str, list[int]]:
    """NFKC per character without invisible ones, and for each position of the result the index of the
    original character it came from (so a mask replaces only the number, leaving the rest as written)."""
    if s.isascii():     # NFKC is the identity on ASCII, which has no format characters: codes and ids
        return s, list(range(len(s)))
    out, where = [], []
    for i, ch in enumerate(s):
        if unicodedata.category(ch) == "Cf":
            continue
        n = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
        out.append(n)
        where.extend([i] * len(n))
    return "".join(out), where


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int
    text: str

    @property
    def zh(self) -> str:
        return KIND_ZH[self.kind]


def _scan(norm: str) -> list[Hit]:
    taken: list[tuple[int, int]] = []
    hits: list[Hit] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(norm):
            a, b = (m.start(1), m.end(1)) if m.groups() else (m.start(), m.end())
            if any(a < y and x < b for x, y in taken):
                continue
            taken.append((a, b))
            hits.append(Hit(kind, a, b, norm[a:b]))
    return sorted(hits, key=lambda h: h.start)


def find(text) -> list[Hit]:
    """Personal data in `text` (positions refer to its normalised form, see _norm_map). Non-strings have none."""
    if not isinstance(text, str) or not text:
        return []
    if not _MAYBE.search(text):
        return []
    return _scan(_norm_map(text)[0])


def kinds(text) -> list[str]:
    """The Chinese names of the kinds found, in order, once each."""
    return list(dict.fromkeys(h.zh for h in find(text)))


def _mask_one(h: Hit) -> str:
    s = h.text
    if h.kind == "email":
        local, _, domain = s.replace("＠", "@").partition("@")
        return (local[:1] + "***@" + domain) if local else s
    digits = [i for i, ch in enumerate(s) if ch.isdigit() or ch in "XxＸｘ"]
    if h.kind == "mobile":
        keep_head, keep_tail = 3, 4                   # 138****8000
        digits = digits[-11:]                         # a +86 prefix stays as it is
    elif h.kind == "landline":
        keep_head, keep_tail = 0, 3
        area = re.match(r"[(（]?[0０]\d{2,3}", s)
        if area:                                      # the area code is not personal: 0355-****234
            digits = [i for i in digits if i >= area.end()]
    elif h.kind == "id_card":
        keep_head, keep_tail = 6, 4                   # 110101********8881: region code and last four
    else:
        keep_head, keep_tail = 0, 4                   # bank cards: the last four only
    hide = set(digits[keep_head:len(digits) - keep_tail])
    return "".join("*" if i in hide else ch for i, ch in enumerate(s))


def mask(text):
    """`text` with every personal number or address masked (138****8000); unchanged when there is none.
    Non-strings are returned as they are; the text around a masked number stays exactly as written."""
    hits = find(text)
    if not hits:
        return text
    _, where = _norm_map(text)
    out, pos = [], 0
    for h in hits:
        a, b = where[h.start], where[h.end - 1] + 1
        out.append(text[pos:a])
        # the number as written (full-width digits stay full-width), without invisible characters
        out.append(_mask_one(Hit(h.kind, a, b, invisible_free(text[a:b]))))
        pos = b
    out.append(text[pos:])
    return "".join(out)
