"""乡镇对比 / 评分卡 (issue 18): every column checked against independent SQL, for one township and for the
county; ranks, "—" for a township without stations or compounds, the cmp= URL parameter, the export."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from civic import scorecard as sc
from civic.figures import scorecard as scfig

PAGE = "pages/scorecard.py"
Y0, Y1 = date(2026, 1, 1), date(2026, 11, 26)          # 本年 on the test data (as of 2026-11-26)
P0, P1 = date(2025, 1, 1), date(2025, 11, 26)          # its 同比 window


def table_of(at, county: str) -> pd.DataFrame:
    first = sc.MEASURES[county][0].id
    for df in at.dataframe:
        if first in df.value.columns:
            return df.value
    raise AssertionError("no scorecard table")


def _val(cell: str) -> str:
    return cell.split("  ")[0]


def practice_sql(con, town: str, d0: date, d1: date) -> dict:
    """Independent SQL on the base tables for one township of 襄垣."""
    q = lambda sql, *a: con.execute(sql, list(a)).fetchone()  # noqa: E731
    stations = q("SELECT count(*) FROM sites WHERE level='站' AND town_code=?", town)[0]
    st_acts, active = q("""SELECT count(*), count(DISTINCT a.site_id) FROM activities a JOIN sites s USING (site_id)
                          WHERE s.level='站' AND s.town_code=? AND a.activity_date BETWEEN ? AND ?""", town, d0, d1)
    ben, hrs = q("""SELECT sum(a.beneficiaries), sum(a.hours) FROM activities a JOIN sites s USING (site_id)
                    WHERE s.town_code=? AND a.activity_date BETWEEN ? AND ?""", town, d0, d1)
    idle = q("""SELECT count(*) FROM sites s LEFT JOIN (SELECT site_id, max(activity_date) d FROM activities
                WHERE activity_date <= ? GROUP BY site_id) l USING (site_id)
                WHERE s.level='站' AND s.town_code=? AND (l.d IS NULL OR l.d <= ?::DATE - 30)""", d1, town, d1)[0]
    done, pub, cohort_done = q("""SELECT count(*) FILTER (WHERE done_date BETWEEN ? AND ?),
                                  count(*) FILTER (WHERE published_date BETWEEN ? AND ?),
                                  count(*) FILTER (WHERE published_date BETWEEN ? AND ? AND done_date <= ?)
                                  FROM micro_wishes w JOIN sites s USING (site_id) WHERE s.town_code=?""",
                               d0, d1, d0, d1, d0, d1, d1, town)
    tr, tn = q("""SELECT count(*), coalesce(sum(trainees),0) FROM trainings t JOIN sites s USING (site_id)
                  WHERE s.town_code=? AND training_date BETWEEN ? AND ?""", town, d0, d1)
    return {"per_station": round(st_acts / stations, 1), "active_share": active / stations * 100, "idle": idle,
            "beneficiaries": ben, "hours": hrs, "wishes_done": done, "wish_rate": cohort_done / pub * 100,
            "trainings": tr, "trainees": tn}


def renovation_sql(con, town: str, d0: date, d1: date) -> dict:
    q = lambda sql, *a: con.execute(sql, list(a)).fetchone()  # noqa: E731
    n, done = q("SELECT count(*), count(*) FILTER (WHERE status='完成') FROM v_compounds WHERE town_code=?", town)
    rec, res, med = q("""SELECT count(*), count(*) FILTER (WHERE f.status='办结'),
                         quantile_cont(resolved_date - received_date, 0.5) FILTER (WHERE f.status='办结')
                         FROM feedback f JOIN compounds c USING (compound_id)
                         WHERE c.town_code=? AND received_date BETWEEN ? AND ?""", town, d0, d1)
    mt = q("""SELECT count(*) FROM meetings m JOIN villages v ON v.village_code = m.community_code
              WHERE v.town_code=? AND meeting_date BETWEEN ? AND ?""", town, d0, d1)[0]
    return {"compounds": n, "completion": done / n * 100, "received": rec, "closure": res / rec * 100,
            "median_days": med, "meetings": mt}


def _fmt(ms: sc.Measure, v) -> str:
    return sc.value_text(ms, v)


def test_practice_columns_match_independent_sql(make_app, con):
    at = make_app(PAGE, {"county": "140423"}).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = table_of(at, "140423").set_index("town_name")
    towns = con.execute("SELECT town_code, name FROM towns WHERE county_code='140423' ORDER BY town_code").fetchall()
    assert len(shown) == len(towns)                      # every township of the county, one row
    by_m = {ms.id: ms for ms in sc.MEASURES[sc.PRACTICE]}
    county_sum = {"beneficiaries": 0.0, "hours": 0.0, "wishes_done": 0, "trainings": 0, "trainees": 0, "idle": 0}
    for code, name in towns:
        has_stations = con.execute("SELECT count(*) FROM sites WHERE level='站' AND town_code=?", [code]).fetchone()[0]
        if not has_stations:
            assert all(_val(shown.loc[name, ms]) == "—" for ms in by_m), name     # "—", not 0 %
            continue
        exp, prev = practice_sql(con, code, Y0, Y1), practice_sql(con, code, P0, P1)
        for mid, ms in by_m.items():
            assert _val(shown.loc[name, mid]) == _fmt(ms, exp[mid]), (name, mid)
            assert shown.loc[name, f"{mid}_yoy"] == (sc.yoy_change(ms, exp[mid], prev[mid]) or "—"), (name, mid)
        for k in county_sum:
            county_sum[k] += exp[k]
    # the county: the volunteer page's figures for all townships are the sum of the rows
    all_exp = con.execute("""SELECT sum(beneficiaries), sum(hours) FROM activities a JOIN sites s USING (site_id)
                             WHERE s.county_code='140423' AND activity_date BETWEEN ? AND ?""", [Y0, Y1]).fetchone()
    assert (county_sum["beneficiaries"], county_sum["hours"]) == pytest.approx(all_exp)
    tr = con.execute("""SELECT count(*), sum(trainees) FROM trainings t JOIN sites s USING (site_id)
                        WHERE s.county_code='140423' AND training_date BETWEEN ? AND ?""", [Y0, Y1]).fetchone()
    assert (county_sum["trainings"], county_sum["trainees"]) == tr


def test_renovation_columns_match_independent_sql(make_app, con):
    at = make_app(PAGE, {"county": "511823"}).run()
    assert not at.exception
    shown = table_of(at, "511823").set_index("town_name")
    by_m = {ms.id: ms for ms in sc.MEASURES[sc.RENOVATION]}
    towns = con.execute("SELECT town_code, name FROM towns WHERE county_code='511823'").fetchall()
    total = 0
    for code, name in towns:
        n = con.execute("SELECT count(*) FROM compounds WHERE town_code=?", [code]).fetchone()[0]
        if not n:
            assert all(_val(shown.loc[name, ms]) == "—" for ms in by_m), name
            continue
        exp = renovation_sql(con, code, Y0, Y1)
        total += exp["compounds"]
        for mid in ("compounds", "completion", "received", "closure", "median_days", "meetings"):
            assert _val(shown.loc[name, mid]) == _fmt(by_m[mid], exp[mid]), (name, mid)
    assert total == con.execute("SELECT count(*) FROM compounds").fetchone()[0]


def test_ranks_best_and_worst_are_marked():
    df = pd.DataFrame({"town_code": list("abcd"), "idle": [3, 1, None, 5], "hours": [10.0, 30.0, None, 20.0]})
    ms = (sc.Measure("idle", "count", higher_better=False), sc.Measure("hours", "count"))
    r = sc.rank(df, ms)
    assert list(r.idle_rank.astype("object")) == [2, 1, pd.NA, 3]
    assert list(r.hours_rank.astype("object")) == [3, 1, pd.NA, 2]
    assert sc.rank_text(1, 3) == "#1 最佳" and sc.rank_text(3, 3) == "#3 最末" and sc.rank_text(2, 3) == "#2"
    assert sc.rank_text(pd.NA, 3) == ""
    # colour: darker is better, the text colour stays readable, no rank no colour
    assert scfig.rank_colour(1, 3)[0] == scfig.BLUES[-1] and scfig.rank_colour(3, 3)[0] == scfig.BLUES[0]
    assert scfig.rank_colour(None, 3) is None


def test_compare_url_and_export(make_app):
    at = make_app(PAGE, {"county": "140423", "cmp": ["夏店镇", "140423101", "不存在镇"]}).run()
    assert not at.exception
    assert any("不存在镇" in w.value for w in at.warning)          # malformed value: a notice, kept the rest
    assert list(at.query_params["cmp"]) == ["140423103", "140423101"]
    keys = [c.proto.id for c in at.get("plotly_chart")]
    assert any("sc_trend_140423" in k for k in keys) and any("sc_bars_140423" in k for k in keys)


def test_export_has_the_same_numbers_and_ranks(make_app):
    at = make_app(PAGE, {"county": "140423", "lang": "en"}).run()
    assert not at.exception
    shown = table_of(at, "140423")
    from civic import measures
    from civic.scope import Filters, TownIndex
    from civic.store import queries
    ti = TownIndex(queries.run("towns"))
    codes = ti.codes_for(["140423"])
    df = sc.table("140423", codes, ti.by_code, Filters().params("140423"),
                  measures.compare(Y0, Y1, date(2023, 1, 1)), Y1)
    x = sc.export(df, "140423", "en")
    assert list(x["Township"]) == list(shown.town_name)
    assert "Activities per station rank" in x.columns and "Activities per station YoY" in x.columns
    for v, cell in zip(x["Activities per station"], shown.per_station):
        assert (cell.startswith("—") if pd.isna(v) else cell.startswith(f"{v:.1f}"))


def test_clearing_the_townships_with_cmp_in_the_url_drops_town_and_keeps_cmp(make_app):
    """The page's own cmp= (UrlParam.store after the shell's URL sync) never writes back a stale town=."""
    at = make_app(PAGE, {"town": ["夏店镇", "古韩镇"], "cmp": ["140423103", "140423101"], "lang": "en"}).run()
    assert sorted(at.multiselect(key="f_towns").value) == ["140423100", "140423103"]
    at.multiselect(key="f_towns").set_value([]).run()
    assert not at.exception
    assert "town" not in at.query_params
    assert list(at.query_params["cmp"]) == ["140423103", "140423101"]
    assert at.multiselect(key="sc_cmp").value == ["140423103", "140423101"]
