"""Hostile names for the escaping tests (tests/pages/test_escape.py, tests/browser/test_escape.py): every text a
page shows from data gets a Markdown image and link, raw HTML and a bare URL in front of it, all pointing at
example.invalid (a name that never resolves), written into a private data copy."""
from __future__ import annotations

import re

from civic.demo import build, synth
from civic.store import snapshots

HOST = "example.invalid"
PAYLOAD = (f'![c](http://{HOST}/i.png)[补贴](http://{HOST}/c)<img src="http://{HOST}/h.png">'
           f'<a href="http://{HOST}/a">领</a> www.{HOST} ')
URL_LINK = f"[点此登录领补贴](http://{HOST}/c)"
URL_IMAGE = f"![x](http://{HOST}/i.png)"

# table → text columns that pages show (names, titles, summaries); ids and enums stay valid
POISONED = {
    "compounds": ("name",),
    "sites": ("name",),
    "teams": ("name",),
    "activities": ("title",),
    "villages": ("name",),
    "property_firms": ("name",),
    "partners": ("name",),
    "partner_projects": ("name",),
    "feedback": ("summary",),
}


def poison(as_of, note: str = "escape test: hostile names") -> None:
    """Build and publish, into the current CIVIC_DATA_DIR, the default database with PAYLOAD in front of
    every shown name. (Built, not updated: DuckDB refuses an UPDATE of a row other tables reference.)
    Not through the import path on purpose: whatever an import accepts or rejects, the pages must not
    turn stored text into markup."""
    real = synth.generate

    def generate(cfg, layout):
        tables = real(cfg, layout)
        for table, cols in POISONED.items():
            df = tables.get(table)
            if df is not None:
                tables[table] = df.assign(**{c: PAYLOAD + df[c].astype(str) for c in cols if c in df})
        return tables

    tmp = snapshots.new_tmp_path()
    build.synth.generate = generate
    try:
        build.build(tmp, synth.SynthConfig(as_of=as_of))
    finally:
        build.synth.generate = real
    snapshots.publish(tmp, note=note, audit={"action": "build"})


def _unescaped(md: str) -> str:
    """The characters of Markdown source that act as syntax: backslash-escaped ones are dropped."""
    out, i = [], 0
    while i < len(md):
        if md[i] == "\\" and i + 1 < len(md) and re.match(r"[!-/:-@\[-`{-~]", md[i + 1]):
            i += 2
            continue
        out.append(md[i])
        i += 1
    return "".join(out)


def markup_in(md: str) -> list[str]:
    """What in this Markdown source could become a link, an image or HTML: unescaped `](` or `<`, and the
    bare `://`, `www.` and `@x` that GFM links even when escaped; [] when the source is safe."""
    live = _unescaped(md)
    text = md.replace("\\", "")
    found = [s for s in ("](", "<") if s in live]
    found += [s for s in ("://", "www.") if s in text.lower()]
    return found + (["@"] if re.search(r"@[-\w]", text) else [])
