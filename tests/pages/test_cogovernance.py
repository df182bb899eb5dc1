"""小区共治 page: runs, town and date filters change the numbers as independent SQL says, gaps, the open-items
list, agreement with the overview and v_fact_check, empty state, chart furniture in both languages, and one
analysis section built at a time (URL view=; widgets.section_bar): each test opens the sections it checks."""
from __future__ import annotations

import base64
import json
import re
from datetime import date

import numpy as np
import pytest

from civic.store import queries
from tests.conftest import AS_OF

PAGE = "pages/cogovernance.py"
CJK = re.compile(r"[\u4e00-\u9fff]")
ALL = dict(towns=[], date_from=date(2023, 1, 1), date_to=AS_OF, as_of=AS_OF, overdue_days=60)
# the charts each section draws (parts.SECTIONS), its first section being the page's default
SECTION_CHARTS = {"coverage": {"cg_matrix", "cg_coverage"}, "feedback": {"cg_pipeline", "cg_fb_month", "cg_categories"},
                  "meetings": {"cg_meetings"}, "grid": {"cg_grid", "cg_partners"}}


def run(rendered, **query):
    """The page's shared run for this URL (conftest `rendered`): every test here only reads the page."""
    at = rendered(PAGE, query)
    assert not at.exception, [e.value for e in at.exception]
    return at


class Sections:
    """The elements of several sections of the page under one URL, each section opened by its own run
    (view=): for the tests that compare figures from more than one section."""

    def __init__(self, rendered, views=tuple(SECTION_CHARTS), **query):
        self.runs = [run(rendered, **query, view=v) for v in views]

    def __getattr__(self, name: str) -> list:
        return [el for at in self.runs for el in getattr(at, name)]

    def get(self, kind: str) -> list:
        return [el for at in self.runs for el in at.get(kind)]


def metric(at, label: str) -> str:
    hits = [m.value for m in at.metric if m.label == label]
    assert hits, f"no metric {label!r} in {[m.label for m in at.metric]}"
    return hits[0]


def as_int(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def charts(at) -> dict[str, dict]:
    return {el.proto.id.rsplit("-", 1)[-1]: json.loads(el.proto.spec) for el in at.get("plotly_chart")}


def arr(v) -> list:
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def town_sql(alias: str, town: str | None) -> tuple[str, list]:
    return (f"{alias}.town_code = ?", [town]) if town else ("true", [])


# ── default view ────────────────────────────────────────────────────────────────────────────────
def test_default_page_matches_sql_overview_and_fact_check(rendered, con):
    at = Sections(rendered)
    facts = dict(con.execute("SELECT fact_id, computed FROM v_fact_check").fetchall())
    assert as_int(metric(at, "纳入统计小区")) == facts["H27"] == 55
    assert as_int(metric(at, "小区党组织")) == facts["H28"] == 48
    assert as_int(metric(at, "业主委员会")) == facts["H29"] == 29
    assert as_int(metric(at, "自管委")) == facts["H30"] == 28
    assert as_int(metric(at, "物业企业（家）")) == facts["H31"] == 3
    assert as_int(metric(at, "大党委（个）")) == facts["H01"]
    assert as_int(metric(at, "兼职委员（名）")) == facts["H02"]
    assert as_int(metric(at, "结对领导（名）")) == facts["H03"]
    assert as_int(metric(at, "编入单位（家）")) == facts["H05"]
    assert as_int(metric(at, "下沉党员（名）")) == facts["H06"]
    assert any(f"联系重点小区 {int(facts['H04'])} 个" in c.value for c in at.caption)
    # cumulative meetings: the page counts all of them (live); the published 40余 / 30余 (H07, H08) count
    # 2023 to the end of 2025 (docs/data.md), checked in test_feedback_all_time_reconciles_with_300yu
    n = dict(con.execute("SELECT meeting_type IN ('坝坝会', '座谈会'), count(*) FROM meetings "
                         "WHERE meeting_type IN ('坝坝会', '座谈会', '政策宣传') GROUP BY 1").fetchall())
    assert any(f"累计 {n[True]} 次" in c.value for c in at.caption)
    assert any(f"累计 {n[False]} 次" in c.value for c in at.caption)
    # coverage agrees with the overview's governance block
    ov = queries.run("overview_governance", towns=[]).set_index("body_type")
    cov = queries.run("cogov_coverage", **ALL).set_index("body_type")
    assert (cov.covered == ov.covered).all() and (cov.scope == ov.scope).all()
    # all co-governance facts check out, and the page shows them
    fc = queries.run("published_facts", section="cogovernance")
    assert len(fc) == 16 and fc.ok.all()
    partners = queries.run("cogov_partners", **ALL)
    assert partners.projects.sum() == facts["H32"]
    assert partners.drop_duplicates("partner_kind").partners_of_kind.sum() == facts["H33"]


def test_feedback_all_time_reconciles_with_300yu(data_dir, con):
    k = queries.run("cogov_feedback_kpis", **ALL).iloc[0]
    facts = dict(con.execute("SELECT fact_id, computed FROM v_fact_check").fetchall())
    assert k.received == k.received_all == con.execute("SELECT count(*) FROM feedback").fetchone()[0]
    assert k.collected + k.discussing + k.resolved == k.received
    # the published figures count 2023 to the end of 2025 (docs/data.md): the same queries over that window
    # give them
    REPORTED = dict(ALL, date_to=date(2025, 12, 31))
    assert queries.run("cogov_feedback_kpis", **REPORTED).iloc[0].received == facts["H09"]
    assert queries.run("cogov_feedback_monthly", **REPORTED).received.sum() == facts["H09"]
    m = queries.run("cogov_feedback_monthly", **ALL)
    assert m.received.sum() == k.received_all
    assert m.resolved.sum() == con.execute("SELECT count(*) FROM feedback WHERE status = '办结'").fetchone()[0]
    mk = queries.run("cogov_meetings_kpis", **REPORTED).set_index("meeting_type")
    assert mk.in_window["坝坝会"] + mk.in_window["座谈会"] == facts["H08"]
    assert mk.in_window["政策宣传"] == facts["H07"]
    assert queries.run("cogov_meetings_monthly", **ALL).meetings.sum() == con.execute(
        "SELECT count(*) FROM meetings").fetchone()[0]


# ── the town filter ──────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("town,code", [("富林镇", "511823100"), ("九襄镇", "511823101")])
def test_town_filter_changes_numbers(rendered, con, town, code):
    at = Sections(rendered, town=town, range="all")
    scope = con.execute("SELECT count(*) FROM compounds WHERE in_governance_scope AND town_code = ?", [code]).fetchone()[0]
    party = con.execute("""SELECT count(*) FROM governance_bodies g JOIN compounds c USING (compound_id)
                           WHERE c.in_governance_scope AND c.town_code = ? AND g.body_type = '小区党组织'""",
                        [code]).fetchone()[0]
    assert 0 < scope < 55
    assert as_int(metric(at, "纳入统计小区")) == scope
    assert as_int(metric(at, "小区党组织")) == party
    fb = con.execute("""SELECT count(*), count(*) FILTER (WHERE f.status = '办结'),
                               count(*) FILTER (WHERE f.status <> '办结'),
                               quantile_cont(date_diff('day', received_date, resolved_date), 0.5)
                                   FILTER (WHERE f.status = '办结')
                        FROM feedback f JOIN compounds c USING (compound_id) WHERE c.town_code = ?""",
                     [code]).fetchone()
    assert as_int(metric(at, "收到诉求（条）")) == fb[0]
    assert as_int(metric(at, "已办结（条）")) == fb[1]
    assert as_int(metric(at, "当前未办结（条）")) == fb[2]
    assert float(metric(at, "中位办结天数")) == pytest.approx(fb[3], abs=0.05)
    units, members = con.execute("""SELECT count(*), sum(party_members) FROM grid_units u
                                    JOIN villages v ON v.village_code = u.community_code WHERE v.town_code = ?""",
                                 [code]).fetchone()
    assert as_int(metric(at, "编入单位（家）")) == units
    assert as_int(metric(at, "下沉党员（名）")) == members
    meetings = con.execute("""SELECT count(*) FROM meetings m JOIN villages v ON v.village_code = m.community_code
                              WHERE v.town_code = ? AND meeting_type IN ('坝坝会', '座谈会')""", [code]).fetchone()[0]
    assert as_int(metric(at, "坝坝会、座谈会（次）")) == meetings
    # gaps and open items belong to the town
    gaps = queries.run("cogov_gaps", **dict(ALL, towns=[code]))
    assert set(gaps.town_name) <= {con.execute("SELECT name FROM towns WHERE town_code = ?", [code]).fetchone()[0]}
    assert len(queries.run("cogov_open_items", **dict(ALL, towns=[code], limit=None, offset=0))) == fb[2]


# ── the date filter ──────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("query,d_from,d_to", [
    ({}, date(2026, 1, 1), AS_OF),                                   # default: this year
    ({"from": "2024-03-01", "to": "2024-08-31"}, date(2024, 3, 1), date(2024, 8, 31)),
    ({"range": "last_12m"}, date(2025, 12, 1), AS_OF),
])
def test_date_filter_changes_feedback_and_meetings(rendered, con, query, d_from, d_to):
    at = Sections(rendered, ("coverage", "feedback", "meetings"), **query)
    n, done, med, p90 = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE status = '办结'),
               quantile_cont(date_diff('day', received_date, resolved_date), 0.5) FILTER (WHERE status = '办结'),
               quantile_cont(date_diff('day', received_date, resolved_date), 0.9) FILTER (WHERE status = '办结')
        FROM feedback WHERE received_date BETWEEN ? AND ?""", [d_from, d_to]).fetchone()
    assert as_int(metric(at, "收到诉求（条）")) == n
    assert as_int(metric(at, "已办结（条）")) == done
    assert float(metric(at, "中位办结天数")) == pytest.approx(med, abs=0.05)     # shown to 1 decimal
    assert float(metric(at, "90%办结天数")) == pytest.approx(p90, abs=0.05)
    policy = con.execute("SELECT count(*) FROM meetings WHERE meeting_type = '政策宣传' AND meeting_date BETWEEN ? AND ?",
                         [d_from, d_to]).fetchone()[0]
    assert as_int(metric(at, "政策宣传（次）")) == policy
    figs = charts(at)
    assert sum(arr(figs["cg_fb_month"]["data"][0]["y"])) == n
    by_area = dict(con.execute("SELECT category, count(*) FROM feedback WHERE received_date BETWEEN ? AND ? GROUP BY 1",
                               [d_from, d_to]).fetchall())
    cats = queries.run("cogov_feedback_categories", towns=[], date_from=d_from, date_to=d_to, as_of=AS_OF)
    assert len(cats.area.unique()) == 8
    assert {a: int(v) for a, v in cats.groupby("area")["items"].sum().items() if v} == by_area
    # open items ignore the window; current-state blocks too
    assert as_int(metric(at, "当前未办结（条）")) == con.execute(
        "SELECT count(*) FROM feedback WHERE status <> '办结'").fetchone()[0]
    assert as_int(metric(at, "纳入统计小区")) == 55


def test_open_items_oldest_first(data_dir, con):
    items = queries.run("cogov_open_items", **ALL, limit=None, offset=0)
    assert list(items.received_date) == sorted(items.received_date)
    assert set(items.status) <= {"收集", "议事"}
    assert items.age_days.iloc[0] == (AS_OF - items.received_date.iloc[0].date()).days


def test_long_open_items_are_flagged_for_follow_up(rendered, con):
    """Issue 15 §5: open items are mostly weeks old; the few older than FEEDBACK_OVERDUE_DAYS are flagged on
    the KPI, in a warning and in the table's 超期 column (exported as 是/否)."""
    from civic import measures
    days = measures.FEEDBACK_OVERDUE_DAYS
    ages = [r[0] for r in con.execute("SELECT date_diff('day', received_date, ?) FROM feedback WHERE status <> '办结'",
                                      [AS_OF]).fetchall()]
    n_over = sum(a > days for a in ages)
    assert ages and 0 < n_over < len(ages) / 2          # a few long ones, most of them recent (the data's shape)
    items = queries.run("cogov_open_items", **ALL, limit=None, offset=0)
    assert int(items.overdue.sum()) == n_over and (items.overdue == (items.age_days > days)).all()
    assert queries.run("cogov_feedback_kpis", **ALL).iloc[0].overdue_now == n_over
    at = run(rendered, view="feedback")
    assert any(f"其中 {n_over} 条超过 {days} 天" in c.value for c in at.caption)
    assert any(f"{n_over} 条诉求已超过 {days} 天未办结" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "overdue" in d.value.columns)
    assert int(table.overdue.sum()) == n_over


def test_gaps_list_the_compounds_without_bodies(data_dir, con):
    gaps = queries.run("cogov_gaps", **ALL)
    none = set(gaps[gaps.no_body].compound_id)
    sql_none = {r[0] for r in con.execute("""
        SELECT compound_id FROM compounds c WHERE in_governance_scope
        AND NOT EXISTS (SELECT 1 FROM governance_bodies g WHERE g.compound_id = c.compound_id)""").fetchall()}
    assert none == sql_none and none
    missing_party = {r.compound_id for r in gaps.itertuples() if "小区党组织" in list(r.missing)}
    assert len(missing_party) == 55 - 48
    m = queries.run("cogov_matrix", **ALL)
    assert len(m) == 55 * 4 and m.groupby("body_type").z.sum().to_dict() == {
        "小区党组织": 48, "业主委员会": 29, "自管委": 28, "物业企业": 12}


# ── furniture, language, empty ───────────────────────────────────────────────────────────────────
def test_charts_have_titles_axis_units_and_tooltips(rendered):
    for lang in ("zh", "en"):
        at = Sections(rendered, **({"lang": "en"} if lang == "en" else {}))
        figs = charts(at)
        assert {"cg_coverage", "cg_matrix", "cg_pipeline", "cg_fb_month", "cg_categories", "cg_meetings", "cg_grid",
                "cg_partners"} <= set(figs)
        for key, fig in figs.items():
            title = fig["layout"]["title"]["text"]
            assert title and (bool(CJK.search(title)) == (lang == "zh")), (key, title)
            if key != "cg_matrix":     # the matrix's axes are its labels (bodies × compounds)
                axes = [fig["layout"].get(a, {}).get("title", {}).get("text", "") for a in ("xaxis", "yaxis")]
                assert any(axes), key
                if lang == "en":
                    assert not any(CJK.search(a) for a in axes), (key, axes)
            assert any("hovertemplate" in tr for tr in fig["data"]), key
        if lang == "en":
            assert at.title[0].value.startswith("Compound co-governance")
            assert all(not CJK.search(m.label) for m in at.metric), [m.label for m in at.metric]


def test_empty_window_shows_no_data(rendered):
    at = Sections(rendered, **{"from": "2023-01-01", "to": "2023-01-31"})
    assert as_int(metric(at, "收到诉求（条）")) == 0
    assert sum("无数据" in i.value for i in at.info) >= 2          # feedback and meetings
    figs = charts(at)
    assert not {"cg_pipeline", "cg_fb_month", "cg_categories", "cg_meetings"} & set(figs)
    assert {"cg_coverage", "cg_matrix", "cg_grid", "cg_partners"} <= set(figs)   # current state still shown


def test_open_items_are_sent_a_page_at_a_time(make_app, con):
    """Issue 21: the open-items grid holds one page (oldest first); its count is the open-now tile's."""
    from civic.app.widgets import PAGE_SIZE
    at = make_app(PAGE, {"view": "feedback"}).run()
    assert not at.exception
    n = con.execute("SELECT count(*) FROM feedback WHERE status <> '办结'").fetchone()[0]
    table = next(d.value for d in at.dataframe if "feedback_id" in d.value.columns)
    oldest = queries.run("cogov_open_items", **ALL, limit=PAGE_SIZE, offset=0)
    assert list(table.feedback_id) == list(oldest.feedback_id) and len(table) == min(n, PAGE_SIZE)
    if n > PAGE_SIZE:
        at.button(key="cg_open_next").click().run()
        table = next(d.value for d in at.dataframe if "feedback_id" in d.value.columns)
        second = queries.run("cogov_open_items", **ALL, limit=PAGE_SIZE, offset=PAGE_SIZE)
        assert list(table.feedback_id) == list(second.feedback_id)
    assert len(queries.run("cogov_open_items", **ALL, limit=None, offset=0)) == n       # the download's rows


# ── one analysis section at a time (URL view=) ────────────────────────────────────────────────────
def test_default_section_is_coverage(rendered):
    from civic.app import cogovernance_parts as parts
    from civic.text.i18n import t
    at = run(rendered)
    bar = at.button_group(key="cg_view")
    assert list(parts.SECTIONS) == list(SECTION_CHARTS) and bar.value == "coverage"
    assert list(bar.options) == [t(f"cogovernance.section.{c}") for c in parts.SECTIONS]
    assert set(charts(at)) == SECTION_CHARTS["coverage"] and "view" not in at.query_params


@pytest.mark.parametrize("view", list(SECTION_CHARTS))
def test_each_section_builds_its_own_elements_only(rendered, view):
    at = run(rendered, view=view, town="富林镇")
    assert set(charts(at)) == SECTION_CHARTS[view]
    assert at.query_params.get("view") == (None if view == "coverage" else view)
    assert at.query_params.get("town") == "富林镇"
    labels = {m.label for m in at.metric}
    own = {"coverage": "纳入统计小区", "feedback": "收到诉求（条）", "meetings": "政策宣传（次）", "grid": "大党委（个）"}
    assert {sec for sec, label in own.items() if label in labels} == {view}
    frames = [d.value for d in at.dataframe]
    assert any("feedback_id" in f.columns for f in frames) == (view == "feedback")      # the open items
    assert any("missing" in f.columns for f in frames) == (view == "coverage")          # the gaps
    assert at.expander[-1].label.startswith("口径核对")                                # reconcile, at the bottom


def test_a_bad_section_falls_back_with_a_notice_and_keeps_the_filters(rendered):
    at = run(rendered, view="<b>grid</b>", range="last_12m")
    assert any("view" in w.value and "grid" in w.value for w in at.warning)
    assert set(charts(at)) == SECTION_CHARTS["coverage"] and "view" not in at.query_params
    assert at.query_params.get("range") == "last_12m"


def test_the_section_bar_switches_and_keeps_the_url(make_app):
    at = make_app(PAGE, {"town": "九襄镇"}).run()
    at.button_group(key="cg_view").set_value("grid").run()
    assert not at.exception
    assert set(charts(at)) == SECTION_CHARTS["grid"]
    assert at.query_params.get("view") == "grid" and at.query_params.get("town") == "九襄镇"
    at.run()                                                   # a rerun keeps the section
    assert set(charts(at)) == SECTION_CHARTS["grid"]
