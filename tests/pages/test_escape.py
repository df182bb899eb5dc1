"""Imported text and URL values are shown as text, never as Markdown or HTML (issue #20, section 3).

Unit tests for civic/text/safe_text.py and charts.neutralise, then every page in AppTest over a database whose
names, titles and summaries carry a Markdown image and link, raw HTML and a bare URL (tests/escape_data.py),
and with such values in the URL: no element that Streamlit renders as Markdown may hold live link or image
syntax, no chart may hold a plotly link, and no HTML the app builds may hold a tag from the data.
tests/browser/test_escape.py checks the same in Chromium, with the requests it makes.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.figures import charts
from civic.importer import api
from civic.store import db, queries, snapshots
from civic.text.safe_text import WJ, html_text, md_frame, md_text, plotly_text
from tests.conftest import AS_OF, app_test
from tests.escape_data import HOST, PAYLOAD, URL_IMAGE, URL_LINK, _unescaped, markup_in, poison

# what may start inline Markdown syntax anywhere in a line; none may be left unescaped
INLINE_SYNTAX = set("\\`*_{}[]()<>!&$|~#")
# the tags a plotly text may keep (the app's own); anything else from data must arrive as &lt;
PLOTLY_OK_TAG = re.compile(r"<(?:/?(?:b|i|em|sup|sub|s|u|extra)|br\s*/?|/span|span(?:\s+style='[^'<>()]*')?)>", re.I)


# ── the helpers ───────────────────────────────────────────────────────────────────────────────
def test_md_text_escapes_links_images_html_and_autolinks():
    out = md_text(PAYLOAD + "a@b.cn $x$ :red[y] \n# h\n[r]: http://x")
    assert markup_in(out) == []
    live = _unescaped(out)
    assert not set(live) & INLINE_SYNTAX, "nothing is left to act as syntax"
    assert "\n" not in out, "a value is one line: no heading, list or link reference definition can start"
    assert "://" not in out.replace("\\", "") and "www." not in out.replace("\\", ""), "no GFM autolink literal"
    assert "补贴" in out and "example" in out, "the text itself is kept"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_md_text_leaves_no_syntax_and_reads_back_as_typed(s):
    out = md_text(s)
    live = _unescaped(out)
    assert not set(live) & INLINE_SYNTAX
    # Markdown sees the source: it must not open with a block marker (an escaped one is literal; a marker
    # behind an escaped character, as '=' in '\\<=', is not at the line's start)
    assert not re.match(r"\s*([-+=>*#]|\d+[.)])", out), "no list, quote or heading can start"
    # reading the escapes back gives the value, with its line breaks folded into one space
    back = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", out).replace(WJ, "")
    assert back == re.sub(r"\s*[\r\n\u2028\u2029]+\s*", " ", s).replace(WJ, "")
    assert markup_in(out) == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_html_text_is_inert_and_reversible(s):
    out = html_text(s)
    assert "<" not in out and ">" not in out and '"' not in out
    assert html.unescape(out) == s


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/ab imgspnyle=:'\"()hrefxtu")), max_size=60) | st.text())
def test_plotly_text_keeps_only_the_apps_own_tags(s):
    out = plotly_text(s)
    for tag in re.findall(r"<[^<>]*>", out):
        assert PLOTLY_OK_TAG.fullmatch(tag), tag
    assert not re.search(r"<\s*/?\s*(a|img)\b", out, re.I)


def test_plotly_text_keeps_the_apps_markup():
    ours = "<b>名</b><br>已完成：%{x}<extra></extra><span style='color:#C84C4C'>逾期</span>"
    assert plotly_text(ours) == ours
    assert plotly_text(PAYLOAD).count("&lt;") == 3
    assert plotly_text(7) == 7


def test_md_frame_escapes_cells_and_index_only():
    import pandas as pd
    df = pd.DataFrame({"name": [PAYLOAD, "甲"], "n": [1, 2]}, index=[URL_LINK, "b"])
    out = md_frame(df)
    assert all(markup_in(v) == [] for v in out.name) and markup_in(out.index[0]) == []
    assert list(out.n) == [1, 2] and list(out.columns) == ["name", "n"]


def test_neutralise_escapes_data_in_every_text_property():
    fig = go.Figure(go.Bar(
        y=[PAYLOAD + "甲", "乙"], x=[1, 2], text=[PAYLOAD, None], hovertext=[PAYLOAD, "x"],
        customdata=np.array([[PAYLOAD, 1], ["乙", 2]], dtype=object), name=PAYLOAD,
        hovertemplate="<b>%{customdata[0]}</b><br>%{x}<extra></extra>"))
    fig.update_yaxes(tickvals=[0], ticktext=[f"<span style='color:red'>{PAYLOAD}</span>"])
    fig.add_annotation(text=PAYLOAD, x=1, y=1)
    spec = _plain(charts.neutralise(fig).to_json())
    assert not re.search(r"<\s*(a|img)\b", spec, re.I), "no link or image left for plotly to draw"
    assert "<b>%{customdata[0]}</b><br>%{x}<extra></extra>" in spec, "the template's own tags stay"
    assert "<span style='color:red'>" in spec
    assert list(fig.data[0].x) == [1, 2] and fig.data[0].customdata[1][1] == 2, "numbers untouched"


def _plain(spec: str) -> str:
    """A plotly JSON spec with its \\u003c escapes read back, so tags can be searched for."""
    return json.dumps(json.loads(spec), ensure_ascii=False)


# ── pages over hostile data ───────────────────────────────────────────────────────────────────
def _strings(node):
    """(where, text) for everything Streamlit renders as Markdown under `node`, plus the chart specs and
    HTML bodies (checked by their own rules)."""
    for child in (node.children.values() if isinstance(getattr(node, "children", None), dict) else []):
        yield from _strings(child)
    proto = getattr(node, "proto", None)
    if proto is None:
        return
    kind = proto.DESCRIPTOR.name
    if kind == "PlotlyChart":
        yield "plotly", proto.spec
        return
    if kind == "Html":
        yield "html", proto.body
        return
    if kind in ("Selectbox", "MultiSelect", "Dataframe", "DeckGlJsonChart", "TextInput", "DownloadButton"):
        # options, cells and map data are drawn as plain text (pydeck tooltips are escaped by Streamlit)
        for field in ("label", "help"):
            if isinstance(getattr(proto, field, None), str):
                yield f"{kind}.{field}", getattr(proto, field)
        return
    if kind == "Table":
        df = node.value
        for v in [*df.columns, *df.index, *df.to_numpy().ravel().tolist()]:
            if isinstance(v, str):
                yield "table", v
        return
    for field in ("body", "label", "help", "placeholder", "text"):
        v = getattr(proto, field, None)
        if isinstance(v, str) and v:
            yield f"{kind}.{field}", v
    for opt in getattr(proto, "options", []) or []:
        yield f"{kind}.option", opt if isinstance(opt, str) else getattr(opt, "content", "")


def assert_no_markup(at) -> list[str]:
    """Fail on any live link, image or HTML from data; return the Markdown texts that quote the host
    (so a test can check the hostile value did reach the page)."""
    assert not at.exception, at.exception
    quoted = []
    for where, s in _strings(at._tree):
        if where == "plotly":
            s = _plain(s)
            assert not re.search(r"<\s*(a|img)\b", s, re.I), f"a plotly link or image: {s[:300]}"
        elif where == "html":
            assert not re.search(rf"<(a|img)\b[^>]*{re.escape(HOST)}", s, re.I), f"HTML from data: {s[:300]}"
        else:
            assert markup_in(s) == [], f"{where} renders markup: {s[:300]}"
            if "example" in s:
                quoted.append(s)
    return quoted


@pytest.fixture(scope="module")
def hostile_data_dir(built_db, tmp_path_factory):
    """A copy of the default database with the hostile names published into it, built once for the module
    (a build costs seconds; the tests only read it)."""
    dst = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(built_db, dst, ignore=shutil.ignore_patterns("*.lock"))
    os.environ["CIVIC_DATA_DIR"] = str(dst)
    db.close_all()
    queries.clear_cache()
    try:
        poison(AS_OF)
        yield dst
    finally:
        db.close_all()
        os.environ["CIVIC_DATA_DIR"] = str(built_db)


@pytest.fixture()
def hostile(hostile_data_dir, built_db):
    os.environ["CIVIC_DATA_DIR"] = str(hostile_data_dir)
    db.close_all()
    queries.clear_cache()
    yield hostile_data_dir
    db.close_all()
    os.environ["CIVIC_DATA_DIR"] = str(built_db)


def _first(query: str, column: str, **params) -> str:
    return str(queries.run(query, **params)[column].iloc[0])


def test_renovation_with_hostile_names(hostile):
    for view in ("progress", "works", "breakdown", "schedule"):       # one section is built at a time
        assert_no_markup(app_test("pages/renovation.py", {"view": view}).run())
    cid = str(queries.run("renovation_compounds", towns=[], communities=[], batches=[], stages=[], types=[],
                          as_of=AS_OF).compound_id.iloc[0])
    at = app_test("pages/renovation.py", {"compound": cid}).run()     # opens the compounds section
    quoted = assert_no_markup(at)
    assert any(s.startswith("#### ") for s in quoted), "the compound card's title quotes the hostile name, escaped"
    at = app_test("pages/renovation.py", {"compound": cid, "view": "schedule"}).run()
    assert any("example" in s for s in assert_no_markup(at)), "the note above the bar names it, escaped"


def test_cogovernance_with_hostile_names(hostile):
    quoted = assert_no_markup(app_test("pages/cogovernance.py").run())
    assert quoted, "the compounds without a governance body are listed by name (escaped)"
    for view in ("feedback", "meetings", "grid"):                     # one section is built at a time
        assert_no_markup(app_test("pages/cogovernance.py", {"view": view}).run())


def test_station_detail_with_hostile_names(hostile):
    at = app_test("pages/stations.py").run()
    assert_no_markup(at)
    con = db.connect_read(snapshots.current().path)
    try:
        site = con.execute("SELECT site_id FROM sites WHERE level = '站' ORDER BY site_id LIMIT 1").fetchone()[0]
    finally:
        con.close()
    at = app_test("pages/stations.py", {"site": site}).run()
    quoted = assert_no_markup(at)
    assert at.subheader and "example" in at.subheader[0].value, "the detail's subheader is the escaped name"
    assert quoted


# the volunteer page draws one section at a time: each section that shows stations', teams' or hosts' names
@pytest.mark.parametrize("page, query", [("pages/volunteer.py", {}), ("pages/volunteer.py", {"view": "towns"}),
                                         ("pages/volunteer.py", {"view": "top"}),
                                         ("pages/volunteer.py", {"view": "wishes"}),
                                         ("pages/volunteer.py", {"view": "trainings"}), ("pages/overview.py", {})])
def test_other_pages_with_hostile_names(hostile, page, query):
    assert_no_markup(app_test(page, query).run())


@pytest.mark.parametrize("scene", ["1", "2", "3", "4", "5"])
def test_screen_with_hostile_names(hostile, scene):
    import streamlit as st_
    st_.cache_resource.clear()
    at = app_test("pages/screen.py", {"layout": "1080p", "scene": scene}).run()
    assert_no_markup(at)
    st_.cache_resource.clear()


# ── hostile URL values ────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("value", [URL_LINK, URL_IMAGE])
@pytest.mark.parametrize("page", ["pages/overview.py", "pages/renovation.py", "pages/cogovernance.py",
                                  "pages/stations.py", "pages/volunteer.py"])
def test_bad_town_in_the_url_is_quoted_as_text(data_dir, page, value):
    at = app_test(page, {"town": value}).run()
    quoted = assert_no_markup(at)
    assert any("未识别的乡镇" in w.value and "example" in w.value for w in at.warning), "the notice still quotes it"
    assert quoted


@pytest.mark.parametrize("page,param", [("pages/renovation.py", "compound"), ("pages/stations.py", "site"),
                                        ("pages/volunteer.py", "month"), ("pages/renovation.py", "view"),
                                        ("pages/cogovernance.py", "view")])
def test_bad_page_parameter_is_quoted_as_text(data_dir, page, param):
    at = app_test(page, {param: URL_LINK[:60]}).run()
    assert_no_markup(at)
    assert any("example" in w.value for w in at.warning)


def test_screen_quotes_a_bad_parameter_as_text(data_dir):
    at = app_test("pages/screen.py", {"layout": "1080p", "scene": URL_IMAGE}).run()
    assert_no_markup(at)
    footer = next(h.proto.body for h in at.get("html") if 'class="cv-footer"' in h.proto.body)
    assert "![x](http" in footer, "the footer's notice quotes the bad value (shortened), as text"
    assert not re.search(rf"<(a|img)\b[^>]*{re.escape(HOST)}", footer)


# ── the admin dry run ─────────────────────────────────────────────────────────────────────────
def test_admin_dry_run_quotes_hostile_header_cells_as_text(private_data_dir, monkeypatch):
    import csv
    import io

    from tests.pages.test_admin import PASSWORD, _sign_in  # AppTest runs in navigation mode (conftest)
    monkeypatch.delenv("CIVIC_ADMIN_PASSWORD_SHA256", raising=False)
    monkeypatch.setenv("CIVIC_ADMIN_PASSWORD", PASSWORD)
    rows = api.sample_rows("activities", 2, seed=5)
    ent = api.ENTITIES["activities"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([c.zh for c in ent.cols] + [URL_LINK, URL_IMAGE])
    for r in rows:
        w.writerow(["" if r.get(c.name) is None else str(r.get(c.name)) for c in ent.cols] + ["x", "y"])
    at = _sign_in(app_test("pages/admin.py", timeout=120).run(), PASSWORD)
    at.get("file_uploader")[0].upload("hostile.csv", buf.getvalue().encode("utf-8"), "text/csv").run()
    quoted = assert_no_markup(at)
    assert any("example" in w.value for w in at.warning), "the ignored header cells are still named, as text"
    assert quoted
