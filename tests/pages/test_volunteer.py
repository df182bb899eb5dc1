"""志愿服务活动趋势 (pages/volunteer.py): every named query against independent SQL over v_activities (and the
wish / training tables), for several filter combinations including an empty one; the reporting year against
v_fact_check; AppTest of the page and each interaction."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest

from civic.store import queries
from civic.text import fmt

PAGE = "pages/volunteer.py"
AS_OF = date(2026, 11, 26)
GUHAN, WANGQIAO, SITING = "140423100", "140423101", "140423104"


def combo(name, towns=(), stypes=(), ttypes=(), start=date(2026, 1, 1), end=AS_OF):
    span = (end - start).days + 1
    return pytest.param(dict(towns=list(towns), stypes=list(stypes), ttypes=list(ttypes), date_from=start,
                             date_to=end, prev_from=start - timedelta(days=span),
                             prev_to=start - timedelta(days=1), as_of=AS_OF), id=name)


COMBOS = [
    combo("all_ytd"),
    combo("guhan_2025", towns=[GUHAN], start=date(2025, 1, 1), end=date(2025, 12, 31)),
    combo("mixed_custom", towns=[WANGQIAO, SITING], stypes=["理论宣讲", "文化惠民"], ttypes=["站队", "专业队"],
          start=date(2024, 3, 15), end=date(2024, 9, 10)),
    combo("all_time_one_type", stypes=["扶危帮困"], start=date(2023, 1, 1)),
    combo("empty", towns=[WANGQIAO], stypes=["理论宣讲"], ttypes=["协会"], start=date(2023, 1, 1)),
]
EMPTY = dict(towns=[WANGQIAO], stypes=["理论宣讲"], ttypes=["协会"])


# ── independent SQL ───────────────────────────────────────────────────────────────────────────
def where(p, date_col="activity_date", dates=True, town_col="town_code"):
    """A WHERE clause over v_activities built with IN lists (not the queries' list_contains form)."""
    sql, args = ["1 = 1"], []
    for col, key in ((town_col, "towns"), ("service_type", "stypes"), ("team_type", "ttypes")):
        if p.get(key):
            sql.append(f"{col} IN ({', '.join('?' * len(p[key]))})")
            args += list(p[key])
    if dates:
        sql.append(f"{date_col} BETWEEN ? AND ?")
        args += [p["date_from"], p["date_to"]]
    return " AND ".join(sql), args


def acts(con, p, select, group="", dates=True, extra=""):
    w, args = where(p, dates=dates)
    return con.execute(f"SELECT {select} FROM v_activities WHERE {w} {extra} {group}", args).df()


def run(name, p, **more):
    return queries.execute(name, **{**p, **more})


# ── headline figures ──────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("p", COMBOS)
def test_kpis(con, p):
    k = run("volunteer_kpis", p).iloc[0]
    e = acts(con, p, "count(*) n, coalesce(sum(participants), 0) pa, coalesce(sum(volunteers), 0) vo, "
                     "coalesce(sum(beneficiaries), 0) be, coalesce(sum(hours), 0) ho, count(theme) th, "
                     "count(DISTINCT site_id) FILTER (WHERE site_level = '站') st").iloc[0]
    assert (k.activities, k.participants, k.volunteers, k.beneficiaries, k.hours, k.themed) == \
        (e.n, e.pa, e.vo, e.be, pytest.approx(e.ho), e.th)
    # the page's "active stations" card sums volunteer_towns over the selected towns
    towns = run("volunteer_towns", p)
    scope = towns[towns.town_code.isin(p["towns"])] if p["towns"] else towns
    assert scope.active_stations.sum() == e.st
    prev = acts(con, dict(p, date_from=p["prev_from"], date_to=p["prev_to"]), "count(*) n, "
                "coalesce(sum(beneficiaries), 0) be").iloc[0]
    assert (k.activities_prev, k.beneficiaries_prev) == (prev.n, prev.be)
    w, args = where({"towns": p["towns"]}, dates=False)
    stations = con.execute(f"SELECT count(*) FROM v_sites WHERE level = '站' AND {w}", args).fetchone()[0]
    assert k.stations == stations


def test_empty_combination_is_empty(con):
    p = COMBOS[-1].values[0]
    assert run("volunteer_kpis", p).iloc[0].activities == 0
    assert acts(con, p, "count(*) n").n.iloc[0] == 0


def test_reporting_year_matches_fact_check(con):
    """The page's 2025 figures (county-wide, no filters) are the published ones in v_fact_check."""
    facts = con.execute("SELECT fact_id, computed, ok FROM v_fact_check").df().set_index("fact_id")
    p = dict(towns=[], stypes=[], ttypes=[], date_from=date(2025, 1, 1), date_to=date(2025, 12, 31),
             prev_from=date(2024, 1, 1), prev_to=date(2024, 12, 31), as_of=AS_OF)
    k = run("volunteer_kpis", p).iloc[0]
    assert k.activities == facts.computed["X09"] == 10_868 and facts.ok["X09"]
    assert k.beneficiaries == facts.computed["X16"] == 33_624 and facts.ok["X16"]
    monthly = run("volunteer_monthly", p)
    y2025 = monthly[monthly.service_type.isna() & (pd.to_datetime(monthly.month).dt.year == 2025)]
    assert y2025.activities.sum() == 10_868 and y2025.beneficiaries.sum() == 33_624
    yoy = run("volunteer_yoy", p, year=2025)
    assert yoy.activities.sum() == 10_868 and yoy.activities_ytd.iloc[0] == 10_868
    wf = run("volunteer_wish_funnel", p).iloc[0]
    assert wf.done_in_window == facts.computed["X15"] and facts.ok["X15"]
    tk = run("volunteer_training_kpis", p).iloc[0]
    assert tk.free_sessions == facts.computed["X11"] and tk.trainees == facts.computed["X12"]
    assert facts.ok["X11"] and facts.ok["X12"]


def test_reconcile_matches_fact_check(con):
    rec = run("published_facts", {"section": "volunteer"}).set_index("fact_id")
    facts = con.execute("SELECT fact_id, published, computed, ok FROM v_fact_check").df().set_index("fact_id")
    assert set(rec.index) == {"X09", "X11", "X12", "X15", "X16", "X17", "X18", "X19", "X20"}
    for fid, r in rec.iterrows():
        assert r.computed == facts.computed[fid], fid
        assert r.published == facts.published[fid]
        assert bool(r.ok) and bool(facts.ok[fid]), fid
    assert rec.computed["X17"] == 59 and 3000 < rec.computed["X18"] < 4000 and rec.linkage_sites.iloc[0] == 8
    # independent: the 古韩镇整体联动 sites' activities of the reported period (累计 2023 … end of 2025)
    n = con.execute("SELECT count(*) FROM v_activities WHERE site_id IN "
                    "(SELECT site_id FROM site_groups WHERE group_name = '古韩镇整体联动') "
                    "AND activity_date BETWEEN DATE '2023-01-01' AND DATE '2025-12-31'").fetchone()[0]
    assert rec.computed["X18"] == n


# ── time series ───────────────────────────────────────────────────────────────────────────────
def _full_months(con, p):
    """Whole-month counts over all data with the non-date filters (for rolling / last year)."""
    df = acts(con, p, "date_trunc('month', activity_date)::DATE AS month, count(*) n, sum(hours) h",
              group="GROUP BY ALL", dates=False)
    return {pd.Timestamp(m): (n, h) for m, n, h in zip(df.month, df.n, df.h)}


@pytest.mark.parametrize("p", COMBOS)
def test_monthly(con, p):
    """Every month of the data (the page shows its window's), whole months, with the non-date filters."""
    df = run("volunteer_monthly", p)
    tot = df[df.service_type.isna()].set_index("month")
    tot.index = pd.to_datetime(tot.index)
    exp = acts(con, p, "date_trunc('month', activity_date)::DATE AS month, count(*) n, sum(beneficiaries) b, "
                       "sum(hours) h, count(theme) th", group="GROUP BY ALL", dates=False)
    exp.index = pd.to_datetime(exp.month)
    months = pd.date_range("2023-01-01", AS_OF, freq="MS")
    assert list(tot.index) == list(months)
    for m in months:
        n = int(exp.n.get(m, 0))
        assert tot.activities[m] == n, m
        if n:
            assert tot.beneficiaries[m] == exp.b[m] and tot.themed[m] == exp.th[m]
            assert tot.hours[m] == pytest.approx(exp.h[m])
    assert list(tot.partial) == [False] * (len(months) - 1) + [True]     # November 2026 is under way
    # per service type
    by = acts(con, p, "service_type, count(*) n", group="GROUP BY ALL", dates=False)
    got = df[df.service_type.notna()].groupby("service_type").activities.sum()
    assert {s: int(n) for s, n in got.items() if n} == dict(zip(by.service_type, by.n))
    shares = df[df.service_type.notna() & (df.activities > 0)].groupby("month").share_of_month.sum()
    assert all(abs(x - 1) < 1e-9 for x in shares)
    # rolling 12-month average over complete months, and the same month last year
    for i, m in enumerate(months):
        r = tot.loc[m]
        if 11 <= i < len(months) - 1:
            window = months[i - 11:i + 1]
            assert r.activities_r12 == pytest.approx(sum(int(exp.n.get(w, 0)) for w in window) / 12), m
            assert r.hours_r12 == pytest.approx(sum(float(exp.h.get(w, 0)) for w in window) / 12), m
        else:
            assert pd.isna(r.activities_r12), m
        if i >= 12:
            assert r.activities_ly == int(exp.n.get(months[i - 12], 0)), m
        else:
            assert pd.isna(r.activities_ly), m
    # the window's months add up to the window's total when the window is whole months
    if p["date_from"].day == 1 and p["date_to"] in (AS_OF, (pd.Timestamp(p["date_to"]) + pd.offsets.MonthEnd(0)).date()):
        win = tot[(tot.index >= pd.Timestamp(p["date_from"])) & (tot.index <= pd.Timestamp(p["date_to"]))]
        assert win.activities.sum() == run("volunteer_kpis", p).activities.iloc[0]


def test_monthly_themes(con):
    p = COMBOS[0].values[0]
    df = run("volunteer_monthly", p)
    themes = con.execute("SELECT month, theme FROM monthly_themes WHERE county_code = '140423'").df()
    expected = dict(zip(pd.to_datetime(themes.month), themes.theme))
    for m, th in zip(pd.to_datetime(df.month), df.theme):
        assert th == expected[m]
    assert (df.theme == "学雷锋志愿服务月").any()


@pytest.mark.parametrize("p", COMBOS)
@pytest.mark.parametrize("year", [2026, 2024])
def test_yoy(con, p, year):
    df = run("volunteer_yoy", p, year=year).set_index("month_no")
    assert list(df.index) == list(range(1, 13))
    for y, col in ((year, "activities"), (year - 1, "activities_prev")):
        q = dict(p, date_from=date(y, 1, 1), date_to=date(y, 12, 31))
        e = acts(con, q, "month(activity_date) mo, count(*) n, sum(volunteers) v", group="GROUP BY ALL")
        e = dict(zip(e.mo, e.n))
        for mo in range(1, 13):
            if date(y, mo, 1) > AS_OF:
                assert pd.isna(df[col][mo])
            else:
                assert df[col][mo] == e.get(mo, 0), (y, mo)
    last = min(AS_OF, date(year, 12, 31))
    cur = acts(con, dict(p, date_from=date(year, 1, 1), date_to=last), "count(*) n").n.iloc[0]
    prev = acts(con, dict(p, date_from=date(year - 1, 1, 1), date_to=last.replace(year=year - 1)), "count(*) n").n.iloc[0]
    assert (df.activities_ytd.iloc[0], df.activities_ytd_prev.iloc[0]) == (cur, prev)


@pytest.mark.parametrize("p", COMBOS)
def test_calendar_and_active_days(con, p):
    for year in (2025, 2026):
        cal = run("volunteer_calendar", p, year=year)
        last = min(AS_OF, date(year, 12, 31))
        assert len(cal) == (last - date(year, 1, 1)).days + 1
        q = dict(p, date_from=date(year, 1, 1), date_to=last)
        e = acts(con, q, "activity_date d, count(*) n", group="GROUP BY ALL")
        got = cal[cal.activities > 0]
        assert dict(zip(pd.to_datetime(got.day), got.activities)) == dict(zip(pd.to_datetime(e.d), e.n))
        assert set(cal.weekday) <= set(range(1, 8)) and cal.week.min() == 0 and cal.week.max() <= 53
        assert all(pd.Timestamp(d).isoweekday() == w for d, w in zip(cal.day, cal.weekday))

        days = run("volunteer_active_days", p, year=year)
        overall = days[days.town_code.isna()].iloc[0]
        assert overall.elapsed_days == len(cal) and overall.active_days == len(e)
        assert overall.share == pytest.approx(len(e) / len(cal))
        per = acts(con, q, "town_code, count(DISTINCT activity_date) n", group="GROUP BY ALL")
        per = dict(zip(per.town_code, per.n))
        towns = days[days.town_code.notna()]
        for code, n in zip(towns.town_code, towns.active_days):
            assert n == per.get(code, 0), code
        assert set(per) <= set(towns.town_code)
        if p["towns"]:
            assert set(towns.town_code) == set(p["towns"])


# ── towns, stations, teams, idle, list ───────────────────────────────────────────────────────
@pytest.mark.parametrize("p", COMBOS)
def test_towns(con, p):
    df = run("volunteer_towns", p).set_index("town_code")
    q = dict(p, towns=[])   # the town chart is the selector: never narrowed by the town filter
    e = acts(con, q, "town_code, count(*) n, count(*) FILTER (WHERE site_level = '站') sn, "
                     "count(DISTINCT site_id) FILTER (WHERE site_level = '站') act", group="GROUP BY ALL")
    st = con.execute("SELECT town_code, count(*) n FROM v_sites WHERE level = '站' GROUP BY ALL").df()
    assert set(df.index) == set(st.town_code) and len(df) == 9
    for code, n in zip(st.town_code, st.n):
        r = df.loc[code]
        row = e[e.town_code == code]
        acts_n, sn, act = (int(row.n.iloc[0]), int(row.sn.iloc[0]), int(row.act.iloc[0])) if len(row) else (0, 0, 0)
        assert (r.stations, r.activities, r.station_activities, r.active_stations) == (n, acts_n, sn, act)
        assert abs(r.per_station - sn / n) <= 0.05 + 1e-9   # one decimal
    assert list(df.per_station) == sorted(df.per_station, reverse=True)


@pytest.mark.parametrize("p", COMBOS)
def test_top_stations_and_teams(con, p):
    df = run("volunteer_top_stations", p)
    e = acts(con, p, "site_id, count(*) n, max(activity_date) AS last_day", group="GROUP BY ALL",
             extra="AND site_level = '站'")
    e = e.sort_values(["n", "site_id"], ascending=[False, True]).head(10)
    assert list(zip(df.site_id, df.activities)) == list(zip(e.site_id, e.n))
    assert list(pd.to_datetime(df.last_date)) == list(pd.to_datetime(e.last_day))

    tm = run("volunteer_top_teams", p)
    e = acts(con, p, "team_id, count(*) n, sum(volunteers) v", group="GROUP BY ALL")
    e = e.sort_values(["n", "team_id"], ascending=[False, True]).head(10)
    assert list(zip(tm.team_id, tm.activities, tm.volunteers)) == list(zip(e.team_id, e.n, e.v))


@pytest.mark.parametrize("p", COMBOS)
@pytest.mark.parametrize("idle_days", [30, 90])
def test_idle(con, p, idle_days):
    df = run("volunteer_idle", p, idle_days=idle_days)
    w, args = where(dict(p, date_to=p["date_to"]), dates=False)
    last = con.execute(f"SELECT site_id, max(activity_date) AS last_day FROM v_activities WHERE {w} "
                       f"AND activity_date <= ? AND site_level = '站' GROUP BY ALL", args + [p["date_to"]]).df()
    last = dict(zip(last.site_id, pd.to_datetime(last.last_day).dt.date))
    tw, targs = where({"towns": p["towns"]}, dates=False)
    stations = con.execute(f"SELECT site_id FROM v_sites WHERE level = '站' AND {tw}", targs).df().site_id
    cutoff = p["date_to"] - timedelta(days=idle_days)
    expected = {s for s in stations if s not in last or last[s] <= cutoff}
    assert set(df.site_id) == expected and (df.idle_total == len(expected)).all()
    for sid, d in zip(df.site_id, df.days_idle):
        assert (pd.isna(d) and sid not in last) or d == (p["date_to"] - last[sid]).days
    known = df.days_idle.dropna().tolist()
    assert known == sorted(known, reverse=True)


def test_idle_finds_the_stations_that_went_quiet(con):
    """About 7% of stations stop some weeks before as_of: most of them show up with N = 30."""
    p = COMBOS[0].values[0]
    df = run("volunteer_idle", p, idle_days=30)
    assert 17 <= len(df) <= 80
    assert (df.days_idle >= 35).sum() >= 15


@pytest.mark.parametrize("p", COMBOS)
def test_activity_list(con, p):
    df = run("volunteer_activities", p, limit=50, offset=0)
    e = acts(con, p, "activity_id, activity_date, title, participants", extra="ORDER BY activity_date DESC, "
             "activity_id DESC LIMIT 50")
    assert list(df.activity_id) == list(e.activity_id)
    assert list(df.participants) == list(e.participants)
    total = acts(con, p, "count(*) n").n.iloc[0]
    assert len(run("volunteer_activities", p, limit=100_000, offset=0)) == total


def test_marks(con):
    p = dict(COMBOS[3].values[0])
    df = run("volunteer_marks", p)
    e = con.execute("SELECT name, start_date FROM campaigns WHERE name = '文明集市' OR name LIKE '12·5%' "
                    "ORDER BY start_date").df()
    assert list(pd.to_datetime(df.start_date)) == list(pd.to_datetime(e.start_date))
    assert set(df.kind) == {"market", "dec5"}
    assert all(pd.Timestamp(d).month == 9 for k, d in zip(df.kind, df.start_date) if k == "market")


def test_options(con):
    o = run("volunteer_options", {})
    assert o[o.kind == "stype"].value.tolist() == ["理论宣讲", "文化惠民", "项目品牌", "乡风文明", "扶危帮困"]
    assert o[o.kind == "ttype"].value.tolist() == ["总队", "分队", "站队", "专业队", "协会"]
    assert o[o.kind == "year"].value.tolist() == ["2023", "2024", "2025", "2026"]


# ── micro-wishes ──────────────────────────────────────────────────────────────────────────────
def wishes(con, p, select, extra=""):
    w, args = where({"towns": p["towns"]}, dates=False, town_col="s.town_code")
    return con.execute(f"SELECT {select} FROM micro_wishes w JOIN v_sites s USING (site_id) WHERE {w} {extra}",
                       args).df()


@pytest.mark.parametrize("p", COMBOS)
def test_wish_funnel_and_days(con, p):
    f = run("volunteer_wish_funnel", p).iloc[0]
    d0, d1 = p["date_from"], p["date_to"]
    df = wishes(con, p, "w.*")
    for c in ("published_date", "claimed_date", "done_date"):
        df[c] = pd.to_datetime(df[c])
    d0, d1 = pd.Timestamp(d0), pd.Timestamp(d1)
    cohort = df[df.published_date.between(d0, d1)]
    assert f.published == len(cohort)
    assert f.claimed == (cohort.claimed_date <= d1).sum()
    assert f.done == (cohort.done_date <= d1).sum()
    assert f.published >= f.claimed >= f.done
    done = df[df.done_date.between(d0, d1)]
    assert f.done_in_window == len(done)
    if len(done):
        days = (done.done_date - done.published_date).dt.days
        assert f.median_days == pytest.approx(days.median())
        assert f.p90_days == pytest.approx(days.quantile(0.9))
    else:
        assert pd.isna(f.median_days)
    open_ = df[(df.claimed_date <= d1 - pd.Timedelta(days=30)) & ~(df.done_date <= d1)]
    assert f.overdue == len(open_)

    b = run("volunteer_wish_days", p)
    assert b.wishes.sum() == len(done) and list(b.bucket) == [1, 2, 3, 4, 5, 6]
    days = (done.done_date - done.published_date).dt.days
    for lo, hi, n in zip(b.lo, b.hi, b.wishes):
        assert n == ((days >= lo) & ((days <= hi) if not pd.isna(hi) else True)).sum()


@pytest.mark.parametrize("p", COMBOS)
def test_wish_branches(con, p):
    br = run("volunteer_wish_branches", p)
    df = wishes(con, p, "w.branch_id, w.claimed_date, w.done_date", extra="AND w.branch_id IS NOT NULL")
    d0, d1 = pd.Timestamp(p["date_from"]), pd.Timestamp(p["date_to"])
    df["claimed_date"], df["done_date"] = pd.to_datetime(df.claimed_date), pd.to_datetime(df.done_date)
    df = df[df.claimed_date <= d1]
    is_open = ~(df.done_date <= d1)
    g = pd.DataFrame({
        "claimed": df.claimed_date.ge(d0).groupby(df.branch_id).sum(),
        "done": (df.claimed_date.ge(d0) & df.done_date.le(d1)).groupby(df.branch_id).sum(),
        "open": is_open.groupby(df.branch_id).sum(),
        "overdue": (is_open & (df.claimed_date <= d1 - pd.Timedelta(days=30))).groupby(df.branch_id).sum()})
    g = g[(g.claimed > 0) | (g.open > 0)]
    assert len(br) == min(15, len(g))
    for r in br.itertuples():
        e = g.loc[r.branch_id]
        assert (r.claimed, r.done, r.open, r.overdue) == (e.claimed, e.done, e.open, e.overdue), r.branch_id
    assert list(br.overdue) == sorted(br.overdue, reverse=True)
    if len(br):
        assert br.overdue.iloc[0] == g.overdue.max()


def test_branches_that_never_deliver_rank_first(con):
    p = dict(COMBOS[3].values[0])   # all time
    br = run("volunteer_wish_branches", p)
    assert br.overdue.iloc[0] >= 5 and (br.head(5).oldest_open_days > 60).all()


# ── trainings ─────────────────────────────────────────────────────────────────────────────────
def trainings(con, p, select, group=""):
    w, args = where({"towns": p["towns"]}, dates=False, town_col="s.town_code")
    return con.execute(f"SELECT {select} FROM trainings t JOIN v_sites s USING (site_id) WHERE {w} "
                       f"AND t.training_date BETWEEN ? AND ? {group}", args + [p["date_from"], p["date_to"]]).df()


@pytest.mark.parametrize("p", COMBOS)
def test_trainings(con, p):
    k = run("volunteer_training_kpis", p).iloc[0]
    e = trainings(con, p, "count(*) n, count(*) FILTER (WHERE t.is_free) f, coalesce(sum(trainees), 0) tr, "
                          "count(DISTINCT site_id) h").iloc[0]
    assert (k.sessions, k.free_sessions, k.trainees, k.hosts) == (e.n, e.f, e.tr, e.h)

    m = run("volunteer_trainings_monthly", p)
    assert m.sessions.sum() == e.n and m.trainees.sum() == e.tr
    assert set(m.host_group) <= {"farmer", "maker", "base", "institute"}
    farmer = trainings(con, p, "count(*) n", group="AND s.name = '职业农民培训基地'").n.iloc[0]
    assert m[m.host_group == "farmer"].sessions.sum() == farmer

    b = run("volunteer_training_bases", p)
    e = trainings(con, p, "site_id, count(*) n, sum(trainees) tr", group="GROUP BY ALL")
    e = e.sort_values(["tr", "n", "site_id"], ascending=[False, False, True]).head(10)
    assert list(zip(b.site_id, b.sessions, b.trainees)) == list(zip(e.site_id, e.n, e.tr))


def test_farmer_base_to_date(con):
    p = dict(COMBOS[3].values[0], towns=[])
    b = run("volunteer_training_bases", p)
    row = b[b.name == "职业农民培训基地"].iloc[0]
    live = con.execute("SELECT sum(trainees) FROM trainings JOIN sites USING (site_id) "
                       "WHERE name = '职业农民培训基地' AND training_date <= ?", [p["date_to"]]).fetchone()[0]
    assert row.trainees_to_date == live and row.trainees == live
    # X20 (累计 2500余) describes 2023 to the end of 2025 (docs/data.md): the same query up to then gives it
    x20 = con.execute("SELECT computed FROM v_fact_check WHERE fact_id = 'X20'").fetchone()[0]
    b = run("volunteer_training_bases", dict(p, date_to=date(2025, 12, 31)))
    row = b[b.name == "职业农民培训基地"].iloc[0]
    assert row.trainees_to_date == x20 and row.trainees == x20 and live > x20


# ── AppTest: the page and its interactions ─────────────────────────────────────────────────────
def _count(con, p):
    return acts(con, p, "count(*) n").n.iloc[0]


def _window(start, end=AS_OF, **kw):
    return dict(towns=kw.get("towns", []), stypes=kw.get("stypes", []), ttypes=kw.get("ttypes", []),
                date_from=start, date_to=end)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def texts(at):
    return [e.value for kind in ("info", "warning", "success", "caption", "markdown") for e in getattr(at, kind)]


def qp(at, key):
    v = at.query_params.get(key)
    return v if isinstance(v, list) or v is None else [v]


def no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


def test_page_default(rendered, con):
    """The headline tiles, then the section bar on its first section (the monthly trend), and nothing of the
    other sections: a click reruns the script, so a hidden section costs no query and no figure (issue 21)."""
    at = rendered(PAGE)
    no_exception(at)
    assert at.title[0].value == "志愿服务活动趋势"
    n = _count(con, _window(date(2026, 1, 1)))
    assert metric(at, "活动场次") == fmt.num(n)
    bar = at.segmented_control(key="vol_view")
    assert bar.value == "trend" and list(bar.options) == ["月度趋势", "同比·天天有活动", "服务类型·一月一主题", "乡镇比较",
                                                          "站点与队伍", "微心愿", "公益培训", "活动明细·导出"]
    assert "view" not in at.query_params                  # the default section is left out of the URL
    assert [s.value for s in at.subheader] == ["月度趋势"]
    assert [c.proto.id for c in at.get("plotly_chart")] and len(at.get("plotly_chart")) == 1
    assert chart_titles(at)[0].startswith("每月活动场次")
    assert not at.dataframe and not at.download_button
    assert not any("无数据" in x for x in texts(at))


# each section: its heading, its charts (by title) and its tables (by a column), and none of the others'
SECTIONS = {"trend": ("月度趋势", ["每月活动场次"], []),
            "yoy": ("年度对比与天天有活动", ["逐月对比", "各乡镇有活动天数占比", "每日活动场次"], []),
            "mix": ("服务类型与一月一主题", ["服务类型构成"], ["themed_share"]),
            "towns": ("乡镇比较", ["站均活动场次"], []),
            "top": ("站点与队伍", [], ["short_name", "team_type", "days_idle"]),
            "wishes": ("微心愿", ["发布 → 认领 → 完成", "从发布到完成的天数"], ["done_rate", "oldest_open_days"]),
            "trainings": ("公益培训", ["每月培训人次"], ["trainees_to_date"]),
            "list": ("活动明细与导出", [], [])}


@pytest.mark.parametrize("view", list(SECTIONS))
def test_each_section_shows_only_its_own_elements(rendered, view):
    at = rendered(PAGE, {"view": view, "range": "all"})
    no_exception(at)
    assert at.segmented_control(key="vol_view").value == view
    assert at.query_params.get("view") in ((None,) if view == "trend" else (view, [view]))
    heading, charts, columns = SECTIONS[view]
    assert [s.value for s in at.subheader] == [heading]
    titles = chart_titles(at)
    assert len(titles) == len(charts) and all(any(c in x for x in titles) for c in charts), titles
    shown = {c for d in at.dataframe for c in d.value.columns}
    assert all(c in shown for c in columns), shown
    for other, (_, _, other_columns) in SECTIONS.items():
        if other != view:
            assert not shown & (set(other_columns) - set(columns)), (other, shown)
    assert bool(at.download_button) == (view == "list")          # the export lives with the list
    assert metric(at, "活动场次") and at.expander                 # the tiles and the reconcile stay on every section


# micro-wishes and trainings have no service or team type (volunteer.scope_note): that URL leaves them data
@pytest.mark.parametrize("view", [v for v in SECTIONS if v not in ("wishes", "trainings")])
def test_page_empty_result_shows_no_data(rendered, view):
    at = rendered(PAGE, {"town": "王桥镇", "stype": "理论宣讲", "ttype": "协会", "range": "all", "view": view})
    no_exception(at)
    assert metric(at, "活动场次") == "0"
    infos = [i.value for i in at.info]
    assert any("无数据" in i for i in infos), infos
    # the time series with nothing to show are not drawn (an empty axis never appears)
    assert not any("每月活动场次" in x or "每日活动场次" in x or "服务类型构成" in x for x in chart_titles(at))


def chart_titles(at):
    return [json.loads(c.proto.spec).get("layout", {}).get("title", {}).get("text", "") for c in at.get("plotly_chart")]


def test_service_type_filter(make_app, con):
    at = make_app(PAGE, query={"range": "all"})
    at.run()
    at.multiselect(key="vol_stype").set_value(["理论宣讲"]).run()
    no_exception(at)
    assert qp(at, "stype") == ["理论宣讲"]
    assert metric(at, "活动场次") == fmt.num(_count(con, _window(date(2023, 1, 1), stypes=["理论宣讲"])))
    assert any("服务类型与队伍类型只筛选" in x for x in texts(at))


def test_team_type_filter_from_url_and_widget(make_app, con):
    at = make_app(PAGE, query={"ttype": "站队", "range": "this_year"})
    at.run()
    no_exception(at)
    assert at.multiselect(key="vol_ttype").value == ["站队"]
    assert metric(at, "活动场次") == fmt.num(_count(con, _window(date(2026, 1, 1), ttypes=["站队"])))
    at.multiselect(key="vol_ttype").set_value(["站队", "专业队"]).run()
    assert qp(at, "ttype") == ["站队", "专业队"]
    assert metric(at, "活动场次") == fmt.num(_count(con, _window(date(2026, 1, 1), ttypes=["站队", "专业队"])))


def test_metric_switch(make_app):
    at = make_app(PAGE)
    at.run()
    assert any(x.startswith("每月活动场次") for x in chart_titles(at))
    at.segmented_control(key="vol_metric").set_value("beneficiaries").run()
    no_exception(at)
    assert qp(at, "metric") == ["beneficiaries"]
    assert any(x.startswith("每月受益群众人次") for x in chart_titles(at))
    # the year-on-year section draws the same measure, with the same control
    at.segmented_control(key="vol_view").set_value("yoy").run()
    no_exception(at)
    assert qp(at, "metric") == ["beneficiaries"] and qp(at, "view") == ["yoy"]
    assert at.segmented_control(key="vol_metric").value == "beneficiaries"
    assert any("逐月对比 · 受益群众人次" in x for x in chart_titles(at))


def test_year_select(make_app, con):
    at = make_app(PAGE, query={"view": "yoy"})
    at.run()
    at.selectbox(key="vol_year").set_value("2025").run()
    no_exception(at)
    assert qp(at, "year") == ["2025"]
    days = con.execute("SELECT count(DISTINCT activity_date) FROM v_activities "
                       "WHERE year(activity_date) = 2025").fetchone()[0]
    assert any(f"2025年截至数据日共 365 天，其中 {days} 天" in x for x in texts(at))
    assert any("2025年每日活动场次" in x for x in chart_titles(at))


def test_idle_selector(make_app, con):
    at = make_app(PAGE, query={"idle": "90", "view": "top"})
    at.run()
    no_exception(at)
    assert at.selectbox(key="vol_idle").value == "90"
    n = len(queries.execute("volunteer_idle", towns=[], stypes=[], ttypes=[], date_to=AS_OF, idle_days=90))
    assert any(f"{n} / 238 个村（社区）站 90 天内没有活动" in w.value for w in at.warning)
    at.selectbox(key="vol_idle").set_value("30").run()
    assert "idle" not in at.query_params      # the default is left out of the URL
    idle_table = next(d.value for d in at.dataframe if "map_url" in d.value.columns)
    assert idle_table.map_url.str.match(r"^stations\?site=S-\d{12}$").all()


def test_month_focus_and_clear(make_app, con):
    at = make_app(PAGE, query={"range": "all", "month": "2025-09"})
    at.run()
    no_exception(at)
    assert any("已聚焦 2025年9月" in i.value for i in at.info)
    n = _count(con, _window(date(2025, 9, 1), date(2025, 9, 30)))
    assert metric(at, "活动场次") == fmt.num(n)
    # the trend keeps the whole window
    assert any(x.startswith("每月活动场次") for x in chart_titles(at))
    # the focus sits above the section bar: another section counts the same month
    at.segmented_control(key="vol_view").set_value("top").run()
    assert any("已聚焦 2025年9月" in i.value for i in at.info) and qp(at, "month") == ["2025-09"]
    assert metric(at, "活动场次") == fmt.num(n)
    at.button(key="vol_clear_focus").click().run()
    assert "month" not in at.query_params
    assert metric(at, "活动场次") == fmt.num(_count(con, _window(date(2023, 1, 1))))


def test_month_outside_window_is_dropped(rendered):
    at = rendered(PAGE, {"month": "2024-05"})     # default range: this year (2026)
    no_exception(at)
    assert "month" not in at.query_params
    assert not any("已聚焦" in i.value for i in at.info)


def test_town_filter_narrows_page(rendered, con):
    at = rendered(PAGE, {"town": "古韩镇", "range": "all", "view": "towns"})
    no_exception(at)
    assert metric(at, "活动场次") == fmt.num(_count(con, _window(date(2023, 1, 1), towns=[GUHAN])))
    assert metric(at, "有活动的村站").endswith("/43")
    assert any("59 支" in x and "✓" in x for x in texts(at))


def test_bad_parameters_fall_back_with_notices(rendered):
    at = rendered(PAGE, {"stype": "不存在", "metric": "x", "year": "1999", "idle": "5", "month": "2025-13",
                         "view": "charts"})
    no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    for param in ("stype", "metric", "year", "idle", "view"):
        assert f"参数 {param} 的值" in warnings, param
    assert "月份「2025-13」无效" in warnings          # months are read by civic/app/filters.py read_month
    for param in ("stype", "metric", "year", "idle", "month", "view"):
        assert param not in at.query_params
    assert at.segmented_control(key="vol_view").value == "trend"        # the first section
    assert [s.value for s in at.subheader] == ["月度趋势"]


def test_a_hidden_sections_parameters_stay_in_the_url(make_app):
    """Filters never change silently: the year (the yoy section's), the metric and the idle days stay in the
    URL, rerun after rerun, while another section is open, and apply again when their section is back."""
    at = make_app(PAGE, query={"year": "2025", "metric": "hours", "idle": "90", "view": "list"})
    at.run()
    no_exception(at)
    for _ in range(2):            # Streamlit drops a widget's state after a run that does not draw it
        assert (qp(at, "year"), qp(at, "metric"), qp(at, "idle"), qp(at, "view")) == (["2025"], ["hours"], ["90"],
                                                                                      ["list"])
        assert not any(s.key in ("vol_year", "vol_metric", "vol_idle") for s in (*at.selectbox, *at.segmented_control))
        at.run()
        no_exception(at)
    at.segmented_control(key="vol_view").set_value("mix").run()         # another hidden-params section
    at.segmented_control(key="vol_view").set_value("yoy").run()
    no_exception(at)
    assert qp(at, "view") == ["yoy"] and qp(at, "idle") == ["90"]
    assert at.selectbox(key="vol_year").value == "2025" and at.segmented_control(key="vol_metric").value == "hours"
    assert any("2025年与2024年逐月对比 · 服务时长" in x for x in chart_titles(at))
    at.selectbox(key="vol_year").set_value("2024").run()               # chosen on its widget, then hidden
    at.segmented_control(key="vol_view").set_value("top").run()
    assert at.selectbox(key="vol_idle").value == "90" and qp(at, "year") == ["2024"]
    at.segmented_control(key="vol_view").set_value("trend").run()       # back to the default: left out of the URL
    at.run()
    assert "view" not in at.query_params and qp(at, "year") == ["2024"] and qp(at, "idle") == ["90"]


def test_english(rendered):
    at = rendered(PAGE, {"lang": "en", "range": "last_12m"})
    no_exception(at)
    assert at.title[0].value == "Volunteer activity trends"
    assert "Monthly trend" in [s.value for s in at.subheader]
    assert any(x.startswith("Activities per month") for x in chart_titles(at))


def test_export_of_filtered_list(make_app, con):
    """The download runs the list query with the same filters and a higher limit, guarded by export.py."""
    from civic.app import export
    p = dict(_window(date(2025, 1, 1), date(2025, 3, 31), towns=[GUHAN], stypes=["文化惠民"]), limit=100_000, offset=0)
    df = queries.execute("volunteer_activities", **p)
    assert len(df) == _count(con, p)
    csv = export.to_csv_bytes(df).decode("utf-8-sig")
    assert csv.count("\n") == len(df) + 1


def test_download_buttons_accept_a_deferred_frame():
    from streamlit.testing.v1 import AppTest

    def script():
        import pandas as pd

        from civic.app import export
        calls = []
        export.download_buttons(lambda: calls.append(1) or pd.DataFrame({"a": ["=1+1", "x"]}), "f", key="k")
        import streamlit as st
        st.write(f"calls={len(calls)}")

    at = AppTest.from_function(script)
    at.run()
    assert not at.exception
    assert [b.label for b in at.download_button] == ["下载 CSV", "下载 Excel"]
    assert at.markdown[0].value == "calls=0"     # nothing is built until a click


def test_a_town_bar_click_sets_the_township_with_the_app_wide_chip(make_app, con):
    """What the town chart's callback does (crossfilter.pick_town → set_town: the sidebar's key and the chip),
    then the page: the filter applies, the chip names the township, its clear restores the county."""
    from civic.app import crossfilter
    at = make_app(PAGE, {"range": "all", "view": "towns"}).run(timeout=120)
    no_exception(at)
    assert any(x.startswith("站均活动场次") for x in chart_titles(at))        # the chart whose bars are clicked
    at.session_state["f_towns"] = [GUHAN]
    at.session_state[crossfilter.CHIP] = {"code": GUHAN}
    at.run(timeout=120)
    no_exception(at)
    assert at.query_params["town"] in ("古韩镇", ["古韩镇"])
    assert metric(at, "活动场次") == fmt.num(_count(con, _window(date(2023, 1, 1), towns=[GUHAN])))
    chip = [m.value for m in at.markdown if "点击筛选" in m.value]
    assert chip and "古韩镇" in chip[0]
    at.button(key="xf_clear").click().run(timeout=120)
    assert "town" not in at.query_params and not [m for m in at.markdown if "点击筛选" in m.value]
    assert qp(at, "view") == ["towns"]                     # the click keeps the open section


# ── the activity list, a page at a time (issue 21: no unbounded grid is sent) ───────────────────────
def _list_table(at):
    return next(d.value for d in at.dataframe if "activity_id" in d.value.columns)


def test_activity_list_pages_follow_the_full_list(con):
    """Page k of the list ($offset) is rows k·50.. of the newest-first list, also across the cut day."""
    p = dict(_window(date(2025, 1, 1)), limit=100_000, offset=0)
    everything = run("volunteer_activities", p)
    for offset in (0, 50, 1_000, len(everything) - 7):
        page = run("volunteer_activities", p, limit=50, offset=offset)
        assert list(page.activity_id) == list(everything.activity_id.iloc[offset:offset + 50])


def test_activity_list_is_paged_and_a_filter_change_goes_back_to_page_one(make_app, con):
    from civic.app.widgets import PAGE_SIZE
    at = make_app(PAGE, query={"range": "all", "view": "list"})
    at.run()
    no_exception(at)
    assert not any("activity_id" in d.value.columns for d in at.dataframe)     # built on demand
    assert any(b.label == "下载 CSV" for b in at.download_button)              # the export needs no list
    at.session_state["vol_list_open"] = True                                   # the reader opens it
    at.run()
    total = _count(con, _window(date(2023, 1, 1)))
    pages = -(-total // PAGE_SIZE)
    everything = run("volunteer_activities", _window(date(2023, 1, 1)), limit=3 * PAGE_SIZE, offset=0)
    first = _list_table(at)
    assert len(first) == PAGE_SIZE and list(first.activity_id) == list(everything.activity_id[:PAGE_SIZE])
    assert f"第 1/{fmt.integer(pages)} 页 · 共 {fmt.integer(total)} 条" in [c.value for c in at.caption]
    at.button(key="vol_list_next").click().run()
    no_exception(at)
    assert list(_list_table(at).activity_id) == list(everything.activity_id[PAGE_SIZE:2 * PAGE_SIZE])
    at.number_input(key="vol_list_page").set_value(3).run()
    assert list(_list_table(at).activity_id) == list(everything.activity_id[2 * PAGE_SIZE:])
    assert at.query_params.get("range") in ("all", ["all"])          # paging changes no filter
    at.multiselect(key="vol_stype").set_value(["理论宣讲"]).run()       # new rows: back to page 1
    assert at.number_input(key="vol_list_page").value == 1
    shown = run("volunteer_activities", _window(date(2023, 1, 1), stypes=["理论宣讲"]), limit=PAGE_SIZE, offset=0)
    assert list(_list_table(at).activity_id) == list(shown.activity_id)
