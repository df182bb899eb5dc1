"""The residents' public pages (civic/public/, public/app.py): their data, their words, and personal data kept
out: a phone number planted in a meeting decision reaches the page masked."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from civic import stages
from civic.demo import consultation
from civic.public import compound, view
from civic.store import db, queries, schema, snapshots
from civic.text.i18n import t
from tests.conftest import AS_OF, ROOT

PUBLIC_APP = ROOT / "public" / "app.py"
PHONE = "13800138000"


def _public_app(query: dict[str, str]) -> AppTest:
    """The public server's compound page, through its router (public/app.py)."""
    at = AppTest.from_file(str(PUBLIC_APP), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page("public_pages/compound.py")
    return at.run()


def _shown(at: AppTest) -> str:
    return "\n".join(e.proto.body for e in at.get("html")) + "\n".join(m.value for m in at.markdown)


def test_every_compound_has_a_page_with_its_sections(data_dir):
    ids = compound.compound_ids()
    assert len(ids) == 92
    for cid in ids[:: 9]:
        p = compound.load(cid)
        assert p is not None and p.row.compound_id == cid
        html = "".join(view.page(p))
        assert html.count('<li class="now">') == 1
        assert t("public.on_plan", "zh") in html or t("public.late", "zh", n=p.delay_days) in html
    assert compound.load("HY-000") is None


def test_delay_words_follow_the_renovation_definition(data_dir):
    rows = compound.all_compounds(compound.as_of())
    late = rows[rows.delay_days > 0].iloc[0]
    p = compound.load(late.compound_id)
    assert p is not None and p.delay_days == int(late.delay_days)
    assert t("public.late", "zh", n=int(late.delay_days)) in view.header(p)


def test_index_search_by_name(data_dir):
    everything = compound.index("")
    assert len(everything) == 92
    hits = compound.index("花园")
    assert 0 < len(hits) < 92 and all("花园" in n for n in hits.name)
    assert compound.index("不存在的小区名").empty


def test_step_bar_marks_done_current_and_todo():
    html = view.step_bar("施工", "zh")
    assert html.count('class="done"') == 2 and html.count('class="now"') == 1 and html.count('class="todo"') == 2
    assert all(stages.name_label(s, "zh") in html for s in stages.ORDER)
    assert view.step_bar("完成", "zh").count('class="now"') == 1


def test_feedback_counts_and_median_days(data_dir):
    cid = "HY-019"
    fb = queries.run("public_compound_feedback", compound=cid)
    raw = queries.run("renovation_compound_feedback", compound=cid, as_of=AS_OF)
    total = fb.iloc[-1]
    assert pd.isna(total.category) and total.received == len(raw)
    assert total.closed == (raw.status == "办结").sum()
    closed_days = raw[raw.status == "办结"].days
    assert total.median_days == pytest.approx(closed_days.median())


def test_generated_consultation_is_consistent(data_dir, con):
    as_of = compound.as_of()
    bad = con.execute("""SELECT count(*) FROM meeting_decisions d JOIN meetings m USING (meeting_id)
                         WHERE (m.meeting_type = '议事会') <> (d.approval IS NOT NULL)
                            OR d.approved_date < m.meeting_date OR d.approved_date > $d""", {"d": as_of}).fetchone()[0]
    assert bad == 0
    assert con.execute("SELECT count(*) FROM scheduled_meetings WHERE meeting_date <= $d",
                       {"d": as_of}).fetchone()[0] == 0
    done = con.execute("SELECT count(*) FROM scheduled_meetings JOIN compounds USING (compound_id) "
                       "WHERE status = '完成'").fetchone()[0]
    assert done == 0


def test_consultation_draws_from_its_own_stream():
    """The module's RNG is its own: the same inputs give the same tables, whatever was drawn before."""
    meetings = pd.DataFrame({"meeting_id": ["MT-1"], "meeting_type": ["议事会"], "compound_id": ["HY-001"],
                             "meeting_date": [date(2026, 11, 20)]})
    tables = {"meetings": meetings, "works": pd.DataFrame({"compound_id": ["HY-001"], "category": ["路灯"]}),
              "compounds": pd.DataFrame({"compound_id": ["HY-001"], "status": ["施工"]})}
    a = consultation.generate(7, AS_OF, tables)
    b = consultation.generate(7, AS_OF, tables)
    assert a["meeting_decisions"].equals(b["meeting_decisions"])
    assert a["meeting_decisions"].approval.iloc[0] in ("通过", "报镇党委审批")


def test_public_app_routes_only_public_pages(data_dir):
    at = _public_app({"id": "HY-019"})
    assert not at.exception
    shown = _shown(at)
    assert 'class="steps"' in shown and t("public.consultation", "zh") in shown
    assert not at.sidebar.children or all(not c for c in at.sidebar.children)
    bad = _public_app({"id": "HY-XYZ"})
    assert not bad.exception and t("public.not_found", "zh", id="HY-XYZ") in bad.warning[0].value


def test_phone_in_a_meeting_decision_reaches_the_page_masked(private_data_dir):
    cid = "HY-019"
    with snapshots.transaction("test: a decision with a phone number") as work:
        c = db.connect_write(work)
        mid = c.execute("SELECT meeting_id FROM meetings JOIN meeting_decisions USING (meeting_id) "
                        "WHERE compound_id = $c ORDER BY meeting_date DESC LIMIT 1", {"c": cid}).fetchone()[0]
        c.execute("UPDATE meeting_decisions SET decision = $t WHERE meeting_id = $m",
                  {"t": f"有事请联系张师傅{PHONE}", "m": mid})
        schema.apply_views(c)
        c.execute("CHECKPOINT")
        c.close()
    queries.clear_cache()
    html = "".join(view.page(compound.load(cid)))
    assert PHONE not in html and "138****8000" in html
    shown = _shown(_public_app({"id": cid}))
    assert PHONE not in shown and "138****8000" in shown


def test_bench_rows_for_the_public_page():
    from devtools import bench
    pub = {"status": "ok", "path": "/compound?id=HY-019", "viewport": [390, 844], "cold": {"render_ms": 2500.0},
           "warm_render_ms": 1500.0, "payload_bytes": 9000, "exceptions": 0, "external_requests": []}
    rows = {r["id"]: r for r in bench.public_targets(pub)}
    assert rows["public_render"]["met"] and rows["public_payload"]["met"]
    assert not bench.public_targets({**pub, "warm_render_ms": 2100.0})[0]["met"]
    assert not bench.public_targets({**pub, "payload_bytes": 300_001})[1]["met"]
    assert bench.public_targets({"status": "not available"}) == []
