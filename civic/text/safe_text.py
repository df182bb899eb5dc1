"""Data shown as text, never as markup.

Names, titles, header cells and URL values come from imports and links that anybody can write. Streamlit
renders Markdown in st.markdown, captions, titles, alerts, toasts, metric labels and values, tab and
expander labels, radio/pills/segmented-control options; plotly renders its own small HTML subset (`<a
href>`, `<b>` …) in tick labels, legends and hover texts; and `st.html` is HTML. A compound named
`![c](http://host/i.png)` would otherwise be drawn as an image fetched from that host (a tracking pixel,
and a request off the machine) and `[补贴](http://host/c)` as a live link inside the app.

So every value from data or from the URL goes through one of these before it meets markup:

- `md_text(v)`   for anything Streamlit renders as Markdown (escapes the punctuation that starts inline
                 syntax, so no link, image, emphasis, HTML, math or directive can start; folds line breaks
                 and escapes a leading list/quote/heading marker, so no block structure can start either;
                 and breaks bare URLs and e-mail addresses with an invisible word joiner, so GFM does not
                 turn them into links);
- `html_text(v)` for HTML the app builds (`st.html`);
- `plotly_text(v)` for plotly's text, applied to every figure by `civic.app.plot.show` (see there).

Templates from the catalog (`t(...)`) are ours and keep their Markdown; only the values are escaped.
"""
from __future__ import annotations

import html
import re

# CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped character is always literal
# text. These are the ones that can start inline syntax anywhere in a line: links and images `[ ] ( ) !`,
# HTML and `<http://…>` autolinks `< >`, entities `&`, code, emphasis and strikethrough `` ` * _ ~ ``,
# KaTeX `$`, table cells `|`, directives `{ }`, headings `#`, and the escape itself. Harmless ones (`- . , :
# / @ ' "` …) are left alone so that ids, dates and numbers read the same in the Markdown source.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]()<>!&$|~#])")
# At the start of a value (which may be the start of a line) these begin a list, quote or heading.
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")
# A line break inside a value would let the rest start a heading, list, quote, code block or link
# reference definition; a value is one line of text.
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")
# GFM's autolink literals (`http://…`, `www.…`, `a@b.cn`) are found in the text *after* parsing, so no
# escape stops them (seen in Chromium: tests/browser/test_escape.py). An invisible WORD JOINER (U+2060)
# between the parts breaks the pattern and leaves the text looking the same.
WJ = "\u2060"
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)(?=[-\w])", re.IGNORECASE)


def md_text(value) -> str:
    """A data value as literal text inside Markdown: `![a](http://x)` → `\\!\\[a\\]\\(http:⁠//x\\)`."""
    s = "" if value is None else str(value)
    s = _MD_INLINE.sub(r"\\\1", _AUTOLINK.sub(WJ, _BREAKS.sub(" ", s)))
    m = _MD_LINE_START.match(s)
    if m:   # "1." → "1\." and "- x" → "\- x"
        s = (s[:m.end()] + "\\" + s[m.end():]) if m.group(2)[0].isdigit() else \
            (s[:m.start(2)] + "\\" + s[m.start(2):])
    return s


def html_text(value) -> str:
    """A data value as literal text inside HTML (element content or a quoted attribute)."""
    return html.escape("" if value is None else str(value), quote=True)


# Plotly draws a small HTML subset in tick labels, legends, annotations and hover texts, and turns `<a href>`
# into a live link. The app's own templates use only these harmless tags (and `<span style='color:…'>`
# without parentheses, so no `url(…)`); any other `<` is data and becomes `&lt;`, which plotly shows as `<`.
_PLOTLY_TAG = (r"(?:/?(?:b|i|em|sup|sub|s|u|extra)|br\s*/?|/span"
               r"|span(?:\s+style=(?:'[^'<>()]*'|\"[^\"<>()]*\"))?)>")
_PLOTLY_LT = re.compile(r"<(?!" + _PLOTLY_TAG + ")", re.IGNORECASE)


def plotly_text(value):
    """A string for plotly: `<a href="http://x">c</a>` → `&lt;a href="http://x">c&lt;/a>` (shown as typed,
    no link); the app's `<br>`, `<b>`, `<extra>`, coloured `<span>` stay. Non-strings pass through."""
    return _PLOTLY_LT.sub("&lt;", value) if isinstance(value, str) and "<" in value else value


def md_frame(df):
    """A table for st.table (which renders Markdown in every cell, header and index) with its text cells
    and index escaped by md_text; numbers and dates stay as they are."""
    esc = lambda v: md_text(v) if isinstance(v, str) else v  # noqa: E731
    out = df.map(esc)
    out.index = out.index.map(esc)
    return out
