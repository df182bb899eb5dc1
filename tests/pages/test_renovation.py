"""老旧小区改造 page: runs, every filter changes the numbers as independent SQL says, drill-down, URL, empty state,
agreement with the overview and v_fact_check, chart furniture in both languages, and one analysis section built
at a time (URL view=; widgets.section_bar): each test opens the section it checks."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

from civic.store import queries
from tests.conftest import AS_OF

PAGE = "pages/renovation.py"
CJK = re.compile(r"[\u4e00-\u9fff]")
NO_FILTERS = dict(towns=[], communities=[], batches=[], stages=[], types=[], as_of=AS_OF)
LEVEL = {"未启动": 0, "设计": 1, "施工": 2, "验收": 3, "完成": 4}
# the charts each section draws (parts.SECTIONS; the compounds section has the table and the card, no chart)
SECTION_CHARTS = {"progress": {"rv_funnel", "rv_scurve"}, "works": {"rv_works", "rv_funding"},
                  "breakdown": {"rv_community", "rv_type"}, "schedule": {"rv_gantt"}, "compounds": set()}


# ── helpers ──────────────────────────────────────────────────────────────────────────────────
def run(make_app, **query):
    at = make_app(PAGE, {k: v for k, v in query.items()}).run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(rendered, **query):
    """The page's shared run for this URL (conftest `rendered`), for the tests that only read it."""
    at = rendered(PAGE, query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at, label_prefix: str) -> str:
    hits = [m.value for m in at.metric if m.label.startswith(label_prefix)]
    assert hits, f"no metric {label_prefix!r} in {[m.label for m in at.metric]}"
    return hits[0]


def as_int(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text.split()[0]))


def qp(at, key: str) -> list[str]:
    v = at.query_params.get(key)
    return [] if v is None else (list(v) if isinstance(v, (list, tuple)) else [v])


def charts(at) -> dict[str, dict]:
    """Plotly charts by their key (the nonce suffix of clickable charts dropped)."""
    out = {}
    for el in at.get("plotly_chart"):
        key = el.proto.id.rsplit("-", 1)[-1]
        out[re.sub(r"_\d+$", "", key)] = json.loads(el.proto.spec)
    return out


def arr(v) -> list:
    """A plotly array as a list (plotly sends numpy arrays as base64 typed arrays)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def where(town=None, community=None, batch=None, stage=None, ctype=None) -> tuple[str, list]:
    conds, args = ["true"], []
    for col, val in (("town_code", town), ("community_code", community), ("batch", batch), ("status", stage),
                     ("compound_type", ctype)):
        if val is not None:
            conds.append(f"{col} = ?")
            args.append(val)
    return " AND ".join(conds), args


def expected(con, **flt) -> dict:
    w, a = where(**flt)
    row = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE status = '完成'), coalesce(sum(buildings), 0),
               coalesce(sum(households), 0), coalesce(sum(floor_area_m2) FILTER (WHERE status = '完成'), 0)
        FROM compounds WHERE {w}""", a).fetchone()
    return dict(zip(["compounds", "completed", "buildings", "households", "area_done"], row))


def late_open(con, **flt) -> int:
    """Independent reading of 'behind schedule': not completed and past the planned end of the current stage
    (未启动: past the planned design start)."""
    w, a = where(**flt)
    rows = con.execute(f"SELECT compound_id, status FROM compounds WHERE {w}", a).fetchall()
    n = 0
    for cid, status in rows:
        if status == "完成":
            continue
        if status == "未启动":
            due = con.execute("SELECT planned_start FROM compound_stages WHERE compound_id = ? AND stage = '设计'",
                              [cid]).fetchone()[0]
        else:
            due = con.execute("SELECT planned_end FROM compound_stages WHERE compound_id = ? AND stage = ?",
                              [cid, status]).fetchone()[0]
        n += due < AS_OF
    return n


# ── the page runs and its headline agrees with SQL, the overview and v_fact_check ─────────────────
def test_default_page_matches_sql_overview_and_fact_check(rendered, con):
    at = shown(rendered)
    e = expected(con)
    assert as_int(metric(at, "纳入改造小区")) == e["compounds"] == 92
    assert as_int(metric(at, "已完成改造")) == e["completed"]
    assert as_int(metric(at, "覆盖楼栋")) == e["buildings"]
    assert metric(at, "完成改造面积") == "21.36万"
    assert as_int(metric(at, "进度滞后小区")) == late_open(con)

    # 总览 and the screen read these figures through the same call (stages.headline; tests/pages/test_pages_agree.py)
    k = queries.run("renovation_kpis", **NO_FILTERS).iloc[0]

    facts = dict(con.execute("SELECT fact_id, computed FROM v_fact_check").fetchall())
    assert k.compounds == facts["H11"] and k.buildings == facts["H12"] and k.area_done_m2 == facts["H19"]
    assert con.execute("SELECT bool_and(ok) FROM v_fact_check WHERE fact_id LIKE 'H%'").fetchone()[0]


def test_works_agree_with_published_totals_and_overview(data_dir, con):
    works = queries.run("renovation_works", **NO_FILTERS)
    facts = dict(con.execute("SELECT fact_id, computed FROM v_fact_check").fetchall())
    ov = queries.run("overview_works", towns=[]).set_index("category")
    assert len(works) == 11 and works.is_all.all() and works.published_ok.all()
    for w in works.itertuples():
        assert w.done == facts[w.fact_id], w.category
        assert (w.planned, w.done) == (ov.planned[w.category], ov.done[w.category])


def test_charts_have_titles_axis_units_and_tooltips(rendered):
    for lang in ("zh", "en"):
        figs = {}
        for view in SECTION_CHARTS:
            at = shown(rendered, **({"lang": "en"} if lang == "en" else {}), compound="HY-001", view=view)
            figs.update(charts(at))
        assert {"rv_funnel", "rv_scurve", "rv_works", "rv_community", "rv_type", "rv_funding", "rv_gantt"} <= set(figs)
        for key, fig in figs.items():
            title = fig["layout"]["title"]["text"]
            assert title and (bool(CJK.search(title)) == (lang == "zh")), (key, title)
            if key != "rv_funnel":   # a funnel has no value axis; its labels carry the unit
                axes = [fig["layout"].get(a, {}).get("title", {}).get("text", "") for a in ("xaxis", "yaxis")]
                assert any(axes), key
                assert all(not CJK.search(a) for a in axes) if lang == "en" else True, (key, axes)
            assert any("hovertemplate" in tr for tr in fig["data"]), key
        if lang == "en":
            assert at.title[0].value.startswith("Compound renovation")
            assert all(not CJK.search(m.label) for m in at.metric), [m.label for m in at.metric]


def test_funnel_and_gantt_follow_the_data(rendered, con):
    figs = charts(shown(rendered)) | charts(shown(rendered, view="schedule"))
    reached = [con.execute("SELECT count(*) FROM compounds WHERE list_position(['未启动','设计','施工','验收','完成'], "
                           "status) >= ?", [lvl + 1]).fetchone()[0] for lvl in range(5)]
    assert arr(figs["rv_funnel"]["data"][0]["x"]) == reached
    gantt = figs["rv_gantt"]
    rows = gantt["layout"]["yaxis"]["categoryarray"]
    assert len(rows) == 92 and len(set(rows)) == 92
    red = sum("color:" in tx for tx in gantt["layout"]["yaxis"]["ticktext"])
    assert red == queries.run("renovation_kpis", **NO_FILTERS).iloc[0][["late_open", "late_done"]].sum()


# ── every filter, from the URL, changes the numbers as independent SQL says ───────────────────────
@pytest.mark.parametrize("query,flt", [
    ({"town": "九襄镇"}, {"town": "511823101"}),
    ({"community": "511823100005"}, {"community": "511823100005"}),
    ({"batch": "谋划一批"}, {"batch": "谋划一批"}),
    ({"stage": "施工"}, {"stage": "施工"}),
    ({"type": "库区安置小区"}, {"ctype": "库区安置小区"}),
    ({"batch": "实施一批", "type": "老旧小区", "town": "富林镇"},
     {"batch": "实施一批", "ctype": "老旧小区", "town": "511823100"}),
])
def test_each_filter_changes_numbers(rendered, con, query, flt):
    at = shown(rendered, **query)
    e = expected(con, **flt)
    assert 0 < e["compounds"] < 92
    assert as_int(metric(at, "纳入改造小区")) == e["compounds"]
    assert as_int(metric(at, "已完成改造")) == e["completed"]
    assert as_int(metric(at, "覆盖楼栋")) == e["buildings"]
    assert as_int(metric(at, "进度滞后小区")) == late_open(con, **flt)
    for k, v in query.items():
        if k != "town":
            assert qp(at, k) == [v], k        # the filter stays in the URL
    # the charts, each in its own section under the same filters
    figs = charts(at) | charts(shown(rendered, **query, view="schedule")) | charts(shown(rendered, **query, view="works"))
    assert arr(figs["rv_funnel"]["data"][0]["x"])[0] == e["compounds"]
    assert len(figs["rv_gantt"]["layout"]["yaxis"]["categoryarray"]) == e["compounds"]
    # funding per batch and works totals, against SQL
    w, a = where(**flt)
    fund = con.execute(f"SELECT coalesce(sum(amount_yuan), 0) FROM funding WHERE compound_id IN "
                       f"(SELECT compound_id FROM compounds WHERE {w})", a).fetchone()[0]
    fq = queries.run("renovation_funding", towns=[flt["town"]] if "town" in flt else [],
                     communities=[flt["community"]] if "community" in flt else [],
                     batches=[flt["batch"]] if "batch" in flt else [], stages=[flt["stage"]] if "stage" in flt else [],
                     types=[flt["ctype"]] if "ctype" in flt else [], as_of=AS_OF)
    assert fq.amount_yuan.sum() == pytest.approx(fund)
    done = con.execute(f"SELECT coalesce(sum(done_qty), 0) FROM works WHERE category = '管线改造' AND compound_id IN "
                       f"(SELECT compound_id FROM compounds WHERE {w})", a).fetchone()[0]
    assert figs["rv_works"]["data"][0]["customdata"][0][0].startswith(f"{int(done):,} /")   # 管线改造 label


def test_widget_filter_updates_numbers_and_url(make_app, con):
    at = run(make_app)
    at.multiselect(key="rv_batch").set_value(["储备一批"]).run(timeout=120)
    assert not at.exception
    assert qp(at, "batch") == ["储备一批"]
    assert as_int(metric(at, "纳入改造小区")) == expected(con, batch="储备一批")["compounds"]
    next(b for b in at.button if b.label == "清除筛选").click().run(timeout=120)
    assert "batch" not in at.query_params
    assert as_int(metric(at, "纳入改造小区")) == 92


def test_community_options_follow_the_town_filter(rendered):
    at = shown(rendered, town="九襄镇")
    assert at.multiselect(key="rv_community").options == ["九龙桥社区", "梨城社区"]


# ── drill-down ───────────────────────────────────────────────────────────────────────────────────
def test_compound_in_url_opens_its_card(rendered, con):
    """A link naming a compound and no section (the link form docs/renovation.md gives) lands on the
    compounds section with the card open."""
    at = shown(rendered, compound="HY-001")
    name, buildings, households = con.execute(
        "SELECT name, buildings, households FROM compounds WHERE compound_id = 'HY-001'").fetchone()
    assert at.session_state["rv_view"] == "compounds" and qp(at, "view") == ["compounds"]
    assert at.selectbox(key="rv_compound").value == "HY-001"
    assert any(name in m.value and "HY-001" in m.value for m in at.markdown)
    assert as_int(metric(at, "楼栋")) == buildings and as_int(metric(at, "户数")) == households
    tables = [d.value for d in at.dataframe]
    n_fb = con.execute("SELECT count(*) FROM feedback WHERE compound_id = 'HY-001'").fetchone()[0]
    n_works = con.execute("SELECT count(*) FROM works WHERE compound_id = 'HY-001'").fetchone()[0]
    assert any(len(t) == 4 and "planned_start" in t.columns for t in tables)          # stage history
    assert any(len(t) == n_works and "done_qty" in t.columns for t in tables)         # works
    assert any(len(t) == n_fb and "summary" in t.columns for t in tables)             # feedback
    bodies = con.execute("SELECT count(*) FROM governance_bodies WHERE compound_id = 'HY-001'").fetchone()[0]
    assert sum(m.value.count("✓") for m in at.markdown) == bodies


def test_stage_history_reads_records_against_status(data_dir, con):
    """The status is the authority: the stage it names is ongoing, later stages have not started."""
    for cid, status in con.execute("SELECT compound_id, status FROM compounds").fetchall():
        st = queries.run("renovation_compound_stages", compound=cid, as_of=AS_OF)
        lvl = LEVEL[status]
        for r in st.itertuples():
            if lvl == 4 or r.lvl < lvl:
                assert r.state == "done" and r.actual_end == r.actual_end, (cid, r.stage)
            elif r.lvl == lvl:
                assert r.state == "current" and r.actual_end != r.actual_end, (cid, r.stage)   # NaT
            else:
                assert r.state == "todo" and r.actual_start != r.actual_start, (cid, r.stage)


def test_picking_a_compound_puts_it_in_the_url(make_app):
    at = run(make_app, batch="实施一批", view="compounds")
    at.selectbox(key="rv_compound").set_value("HY-003").run(timeout=120)
    assert not at.exception
    assert qp(at, "compound") == ["HY-003"] and qp(at, "batch") == ["实施一批"] and qp(at, "view") == ["compounds"]
    assert any("金鑫小区" in m.value for m in at.markdown)
    close = next(b for b in at.button if b.label == "关闭详情")
    close.click().run(timeout=120)
    assert "compound" not in at.query_params and qp(at, "view") == ["compounds"]


# ── one analysis section at a time (URL view=) ────────────────────────────────────────────────────
def test_default_section_is_progress_below_the_headline(rendered):
    from civic.app import renovation_parts as parts
    from civic.text.i18n import t
    at = shown(rendered)
    bar = at.button_group(key="rv_view")
    assert list(parts.SECTIONS) == list(SECTION_CHARTS) and bar.value == "progress"
    assert list(bar.options) == [t(f"renovation.section.{c}") for c in parts.SECTIONS]
    assert set(charts(at)) == SECTION_CHARTS["progress"]
    assert "view" not in at.query_params                      # the first section is the URL's default
    assert as_int(metric(at, "纳入改造小区")) == 92


def _elements(at) -> dict[str, bool]:
    frames = [d.value for d in at.dataframe]
    return {"compound table": any("compound_id" in f.columns for f in frames),
            "town table": any("communities" in f.columns for f in frames),
            "picker": any(s.key == "rv_compound" for s in at.selectbox),
            "detail heading": any(h.value == "小区明细与详情" for h in at.subheader)}


@pytest.mark.parametrize("view", list(SECTION_CHARTS))
def test_each_section_builds_its_own_elements_only(rendered, view):
    at = shown(rendered, view=view)
    assert set(charts(at)) == SECTION_CHARTS[view]
    assert qp(at, "view") == ([] if view == "progress" else [view])
    assert at.button_group(key="rv_view").value == view
    assert as_int(metric(at, "纳入改造小区")) == 92            # the headline tiles stay above the bar
    shown_parts = _elements(at)
    assert shown_parts == {"compound table": view == "compounds", "town table": view == "breakdown",
                           "picker": view == "compounds", "detail heading": view == "compounds"}


def test_a_bad_section_falls_back_with_a_notice_and_keeps_the_filters(rendered):
    at = shown(rendered, view="甘特图", batch="实施一批")
    assert any("view" in w.value and "甘特图" in w.value for w in at.warning)
    assert set(charts(at)) == SECTION_CHARTS["progress"] and "view" not in at.query_params
    assert qp(at, "batch") == ["实施一批"]


def test_a_hidden_sections_compound_stays_selected_and_in_the_url(make_app):
    """The compound is picked in the compounds section; while another section is open it stays selected,
    named above the bar and in the URL (a filter never changes silently), through a filter change; one click
    opens its card again."""
    at = run(make_app, compound="HY-003")
    assert at.session_state["rv_view"] == "compounds"
    at.button_group(key="rv_view").set_value("schedule").run(timeout=120)
    assert not at.exception
    assert set(charts(at)) == {"rv_gantt"} and qp(at, "compound") == ["HY-003"] and qp(at, "view") == ["schedule"]
    assert any("金鑫小区" in i.value for i in at.info)
    at.multiselect(key="rv_batch").set_value(["实施一批"]).run(timeout=120)
    at.run(timeout=120)
    assert qp(at, "compound") == ["HY-003"] and qp(at, "batch") == ["实施一批"] and qp(at, "view") == ["schedule"]
    at.button_group(key="rv_view").set_value("progress").run(timeout=120)
    assert qp(at, "view") == ["progress"], "beside a compound the URL names even the first section"
    at.button(key="rv_open_card").click().run(timeout=120)
    assert at.session_state["rv_view"] == "compounds" and qp(at, "view") == ["compounds"]
    assert at.selectbox(key="rv_compound").value == "HY-003"
    assert any(m.value.startswith("#### ") and "HY-003" in m.value for m in at.markdown)


def test_a_link_with_a_compound_and_a_section_opens_that_section(rendered):
    at = shown(rendered, compound="HY-001", view="schedule")
    assert set(charts(at)) == {"rv_gantt"} and qp(at, "compound") == ["HY-001"]
    assert any("德鑫小区" in i.value for i in at.info)
    assert any(b.key == "rv_open_card" for b in at.button)


# ── empty and bad input ──────────────────────────────────────────────────────────────────────────
def test_empty_filter_shows_no_data(rendered):
    at = shown(rendered, batch="储备一批", stage="完成")
    assert any("无数据" in i.value for i in at.info)
    assert not at.get("plotly_chart") and not at.metric


def test_empty_filter_english(rendered):
    at = shown(rendered, batch="储备一批", stage="完成", lang="en")
    assert any("No data" in i.value for i in at.info)


def test_bad_url_values_fall_back_with_notice(rendered):
    at = shown(rendered, compound="HY-999", stage="拆迁")
    notes = " ".join(w.value for w in at.warning)
    assert "HY-999" in notes and "拆迁" in notes
    assert as_int(metric(at, "纳入改造小区")) == 92
    assert "compound" not in at.query_params and "stage" not in at.query_params


# ── the named queries on their own ────────────────────────────────────────────────────────────────
def test_queries_agree_with_each_other(data_dir, con):
    f = dict(NO_FILTERS, communities=["511823101001"])
    k = queries.run("renovation_kpis", **f).iloc[0]
    comm = queries.run("renovation_by_community", **f)
    assert comm.compounds.sum() == k.compounds and set(comm.community_code) == {"511823101001"}
    assert queries.run("renovation_by_type", **f).compounds.sum() == k.compounds
    assert queries.run("renovation_by_town", **f).compounds.sum() == k.compounds
    assert len(queries.run("renovation_compounds", **f)) == k.compounds
    s = queries.run("renovation_scurve", **f)
    assert s.planned_cum.max() == k.compounds and s.actual_cum.max() == k.completed
    after = s[s.month > pd.Timestamp(AS_OF.year, AS_OF.month, 1)]
    assert len(after) and after.actual_cum.isna().all()        # no actuals after today
    g = queries.run("renovation_gantt", **f)
    assert g[g.kind == "milestone"].compound_id.nunique() == k.completed
    assert g[g.kind == "actual"].bar_end.max() <= pd.Timestamp(AS_OF)


# ── stage words: one word, one count, on this page and on the screen ─────────────────────────────
def _word_counts(pairs) -> dict[str, int]:
    """word → count; the same word with two different counts is the failure this guards against."""
    out: dict[str, int] = {}
    for word, n in pairs:
        assert out.setdefault(word, n) == n, f"{word!r} counts {out[word]} in one place and {n} in another"
    return out


def _stage_pairs_renovation(at, breakdown) -> list[tuple[str, int]]:
    """The stage words and counts of the progress section (`at`: funnel, the headline's captions) and the
    breakdown section (`breakdown`: the community and type bars), under the same filters."""
    ch = charts(at) | charts(breakdown)
    funnel = ch["rv_funnel"]["data"][0]
    pairs = list(zip(funnel["y"], [int(v) for v in arr(funnel["x"])]))
    for tr in ch["rv_community"]["data"]:           # stacked bars: one trace per current stage
        pairs.append((tr["name"], int(sum(arr(tr["x"])))))
    for tr in ch["rv_type"]["data"]:
        pairs.append((tr["name"], int(sum(arr(tr["x"])))))
    cap = " ".join(c.value for c in at.caption)
    for word, n in re.findall(r"(推进中|未启动) (\d+) 个", cap) + [(w, n) for n, w in re.findall(
            r"(\d+) (in progress|not started)", cap)]:
        pairs.append(({"in progress": "In progress", "not started": "Not started"}.get(word, word), int(n)))
    return pairs


def _stage_pairs_screen(rendered, lang: str) -> list[tuple[str, int]]:
    pairs = []
    for scene in ("1", "3"):
        at = rendered("pages/screen.py", {"layout": "1080p", "scene": scene, "lang": lang})
        assert not at.exception
        for el in at.get("plotly_chart"):
            for tr in json.loads(el.proto.spec)["data"]:
                if tr["type"] == "funnel" or (tr["type"] == "bar" and tr.get("orientation") == "h"):
                    pairs += list(zip(tr["y"], [int(v) for v in arr(tr["x"])]))
        for body in (h.proto.body for h in at.get("html")):
            for label, value in re.findall(r'cv-kpi-label">([^<]+)</div><div class="cv-kpi-value"[^>]*>'
                                           r'<span class="cv-num">([\d,]+)</span>', body):
                pairs.append((label, int(value.replace(",", ""))))
    return pairs


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_stage_word_counts_the_same_on_the_page_and_the_screen(rendered, con, lang):
    page = _word_counts(_stage_pairs_renovation(shown(rendered, lang=lang), shown(rendered, lang=lang, view="breakdown")))
    screen = _word_counts(_stage_pairs_screen(rendered, lang))
    both = _word_counts(list(page.items()) + list(screen.items()))
    from civic import stages
    from civic.text.i18n import t, tv
    status = dict(con.execute("SELECT status, count(*) FROM compounds GROUP BY status").fetchall())
    level = {s: i for i, s in enumerate(stages.ORDER)}
    for s in stages.ORDER:
        now, reached = tv("stage", s, lang), stages.reached_label(s, lang)
        assert page[now] == screen[now] == status.get(s, 0), now          # "currently at" words
        assert page[reached] == screen[reached] == sum(n for x, n in status.items() if level[x] >= level[s])
    under_way = t("stages.under_way", lang)
    assert page[under_way] == screen[under_way] == sum(status.get(s, 0) for s in stages.UNDER_WAY)
    assert both[t("stages.reached.未启动", lang)] == sum(status.values())
    assert "在建" not in both, "在建 reads as 'under construction' but counted design and acceptance too"


# ── exports: the table's headers, in the page's language ─────────────────────────────────────────
def test_export_frame_uses_headers_and_yes_no_words():
    from civic.app import export
    cols = [export.Col("compound_id", "renovation.c_id"), export.Col("idle", "map.col_idle", "bool")]
    df = pd.DataFrame({"compound_id": ["HY-001", "HY-002", "=cmd"], "idle": [True, False, None], "extra": [1, 2, 3]})
    zh, en = export.export_frame(df, cols, "zh"), export.export_frame(df, cols, "en")
    assert list(zh.columns) == [export.t("renovation.c_id", "zh"), export.t("map.col_idle", "zh")]
    assert list(zh.iloc[:, 1]) == ["是", "否", ""] and list(en.iloc[:, 1]) == ["Yes", "No", ""]
    assert list(en.columns) == [export.t("renovation.c_id", "en"), export.t("map.col_idle", "en")]
    assert export.to_csv_bytes(zh).decode("utf-8-sig").splitlines()[3].startswith("'=cmd")


def _spy_exports(monkeypatch) -> dict:
    from civic.app import export
    seen, original = {}, export.download_buttons

    def spy(df, basename, key, columns=None):
        frame = df() if callable(df) else df
        seen[key] = (export.export_frame(frame, columns) if columns else frame, columns)
        return original(df, basename, key, columns=columns)
    monkeypatch.setattr(export, "download_buttons", spy)
    return seen


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page,view,keys", [("pages/renovation.py", "compounds", ["rv_export"]),
                                            ("pages/cogovernance.py", "coverage", ["cg_gaps_export"]),
                                            ("pages/cogovernance.py", "feedback", ["cg_open_export"])])
def test_exports_carry_the_tables_headers(make_app, monkeypatch, lang, page, view, keys):
    """One run per section and language checks every export of the section."""
    from civic.app import export
    from civic.text.i18n import t
    seen = _spy_exports(monkeypatch)
    at = make_app(page, {"lang": lang, "range": "all", "view": view}).run(timeout=120)
    assert not at.exception
    tables = [[c.get("label") for name, c in json.loads(el.proto.columns).items() if name != "_index"]
              for el in at.dataframe]
    for key in keys:
        frame, columns = seen[key]
        headers = [t(c.label, lang) for c in columns]
        assert list(frame.columns) == headers, key
        assert not any(re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", h) for h in frame.columns), "no snake_case in a file"
        assert headers in tables, "the same words head the table on screen"
        text = export.to_csv_bytes(frame).decode("utf-8-sig")
        assert "True" not in text and "False" not in text, key
        if lang == "en":
            assert not CJK.search(",".join(frame.columns)), key


# ── a click on the stage funnel or a batch bar filters the page, with a chip and a one-click clear ──────────
@pytest.mark.parametrize("view,chart,target,value,flt,word", [
    ("progress", "rv_funnel", "rv_stage", "施工", {"stage": "施工"}, "当前阶段 施工"),
    ("works", "rv_funding", "rv_batch", "谋划一批", {"batch": "谋划一批"}, "批次 谋划一批"),
])
def test_a_chart_click_filters_with_a_chip_and_a_clear(make_app, con, view, chart, target, value, flt, word):
    """What the chart's on_select callback does with a clicked point (renovation_parts.pick_into, the value in
    customdata[0] as the figure puts it), then the page's follow-through; the real click in Chromium is
    tests/browser/test_renovation.py. The section stays open."""
    from civic.app import renovation_parts as parts
    at = run(make_app, **({"view": view} if view != "progress" else {}))
    clicked = next(tr for tr in charts(at)[chart]["data"] if tr.get("customdata") is not None)
    assert value in [row[0] for row in clicked["customdata"]]          # the figure carries what a click sets
    at.session_state[target] = [value]
    at.session_state[parts.CLICKED] = {"target": target, "values": [value]}
    at.run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    assert qp(at, target.removeprefix("rv_")) == [value]
    want = expected(con, **flt)
    assert as_int(metric(at, "纳入改造小区")) == want["compounds"] < 92
    assert as_int(metric(at, "已完成改造")) == want["completed"]
    assert as_int(metric(at, "进度滞后小区")) == late_open(con, **flt)
    chips = [m.value for m in at.markdown if "点击筛选" in m.value]
    assert chips and word in chips[0]
    assert chart in charts(at) and at.session_state["rv_view"] == view
    at.run(timeout=120)                                              # a rerun keeps filter and chip
    assert [m.value for m in at.markdown if "点击筛选" in m.value] == chips
    at.button(key="rv_chip_clear").click().run(timeout=120)
    assert target.removeprefix("rv_") not in at.query_params
    assert as_int(metric(at, "纳入改造小区")) == 92
    assert not [m for m in at.markdown if "点击筛选" in m.value]


def test_the_chip_goes_when_the_filter_bar_changes_the_clicked_filter(make_app):
    from civic.app import renovation_parts as parts
    at = run(make_app)
    at.session_state["rv_stage"] = ["施工"]
    at.session_state[parts.CLICKED] = {"target": "rv_stage", "values": ["施工"]}
    at.run(timeout=120)
    assert [m for m in at.markdown if "点击筛选" in m.value]
    at.multiselect(key="rv_stage").set_value(["施工", "验收"]).run(timeout=120)
    assert not [m for m in at.markdown if "点击筛选" in m.value]
    assert qp(at, "stage") == ["施工", "验收"]
