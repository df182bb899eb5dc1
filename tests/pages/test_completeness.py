"""报送完整性 (issue 18): the heatmap's values against independent SQL, the pro-rata rule of the running
month on many days, the silent-station list and its threshold parameter, a clicked cell."""
from __future__ import annotations

import json
from datetime import date

import pytest

from civic import completeness as cp

PAGE = "pages/completeness.py"
AS_OF = date(2026, 11, 26)


def heat(at) -> dict:
    for el in at.get("plotly_chart"):
        if "cp_heat" in el.proto.id:
            return json.loads(el.proto.spec)["data"][0]
    raise AssertionError("no heatmap")


def test_heatmap_values_match_independent_sql(make_app, con):
    at = make_app(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    h = heat(at)
    towns = con.execute("""SELECT t.town_code, t.name, count(*) FROM sites s JOIN towns t USING (town_code)
                           WHERE s.level='站' AND s.county_code='140423' GROUP BY ALL ORDER BY 1""").fetchall()
    assert list(h["y"]) == [name for _, name, _ in towns]
    months = cp.months(AS_OF)
    assert len(h["x"]) == 12 and h["x"][0] == "2025年12月" and h["x"][-1] == "2026年11月*"   # partial marked
    for i, (code, name, stations) in enumerate(towns):
        for j, mo in enumerate(months):
            reporting = con.execute("""SELECT count(DISTINCT a.site_id) FROM activities a JOIN sites s USING (site_id)
                                       WHERE s.level='站' AND s.town_code=? AND date_trunc('month', a.activity_date)=?
                                       AND a.activity_date <= ?""", [code, mo, AS_OF]).fetchone()[0]
            share = round(reporting * 100.0 / stations, 1)
            assert h["z"][i][j] == pytest.approx(share), (name, mo)
            assert h["text"][i][j] == f"{share:.0f}%"


@pytest.mark.parametrize("as_of", [date(2026, 11, 1), date(2026, 11, 15), date(2026, 11, 30), date(2024, 2, 29),
                                   date(2025, 2, 28), date(2025, 12, 31), date(2026, 1, 1)])
def test_the_running_month_is_judged_pro_rata(as_of):
    import calendar
    n = calendar.monthrange(as_of.year, as_of.month)[1]
    assert cp.bar(as_of.day, n) == pytest.approx(cp.THRESHOLD * as_of.day / n)
    assert cp.bar(n, n) == cp.THRESHOLD                      # a whole month: the threshold itself
    assert cp.months(as_of)[-1] == as_of.replace(day=1) and len(cp.months(as_of)) == 12


def test_low_towns_this_month_are_the_ones_under_the_bar(data_dir, con):
    low = cp.low_this_month([], AS_OF)
    g = cp.grid([], AS_OF)
    cur = g[g.month == date(2026, 11, 1)]
    bar = cp.THRESHOLD * 26 / 30
    assert set(low.town_code) == set(cur.town_code[cur.share < bar])
    assert list(low.bar) == pytest.approx([bar] * len(low)) and len(low) > 0


def test_silent_stations_list_and_threshold(make_app, con):
    at = make_app(PAGE, {"silent": "60"}).run()
    assert not at.exception
    rows = con.execute("""SELECT count(*) FROM sites s LEFT JOIN (SELECT site_id, max(activity_date) d FROM activities
                          WHERE activity_date <= ? GROUP BY site_id) l USING (site_id)
                          WHERE s.level='站' AND s.county_code='140423' AND (l.d IS NULL OR l.d <= ?::DATE - 60)""",
                       [AS_OF, AS_OF]).fetchone()[0]
    table = next(d.value for d in at.dataframe if "days_silent" in d.value.columns)
    assert len(table) == rows and (table.days_silent >= 60).all()
    assert list(table.town_name) == sorted(table.town_name, key=list(dict.fromkeys(table.town_name)).index)  # grouped
    assert at.selectbox[0].value == "60"
    bad = make_app(PAGE, {"silent": "7x"}).run()
    assert any("7x" in w.value for w in bad.warning) and bad.selectbox[0].value == cp.SILENT_DEFAULT


def test_a_clicked_cell_lists_that_months_silent_stations(make_app, con):
    at = make_app(PAGE, {"town": "王桥镇"}).run()
    h = heat(at)
    at.session_state["cp_heat_0"] = {"selection": {"points": [{"x": h["x"][3], "y": h["y"][0]}],
                                                   "point_indices": [], "box": [], "lasso": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    mo = cp.months(AS_OF)[3]
    expect = con.execute("""SELECT count(*) FROM sites s WHERE s.level='站' AND s.town_code='140423101' AND site_id NOT IN
                            (SELECT site_id FROM activities WHERE date_trunc('month', activity_date)=?)""",
                         [mo]).fetchone()[0]
    assert any(f"王桥镇 · {mo.year}年{mo.month}月" in m.value and f"{expect} 个" in m.value for m in at.markdown)
