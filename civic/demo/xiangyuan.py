"""襄垣: one county's civilisation-practice network (sites, teams, campaigns, activities, party branches),
generated for replica r of `--scale N` (civic/demo/synth.py)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from civic.demo import geo
from civic.demo.calibration import (
    BASES,
    BENEFICIARIES_PER_YEAR,
    CAMPAIGNS_PER_YEAR,
    CULTURAL_RESOURCES,
    DATA_START,
    LINKAGE_ACTIVITIES_TOTAL,
    LINKAGE_TEAMS,
    MAKER_SPACE_ACTIVITIES_TOTAL,
    MARKET_ITEMS,
    PARTY_BRANCHES,
    PARTY_MEMBERS,
    REPORT_END,
    REPORTING_YEAR,
    TEAMS_TOTAL,
)
from civic.demo.common import (
    SynthConfig,
    activities_in_year,
    allocate_total,
    day_range,
    day_weights,
    replica_code,
    serials,
)
from civic.demo.samples import trainings, wishes
from civic.demo.vocabulary import (
    BASE_KINDS,
    CAMPAIGN_NAMES,
    DONGHU_SPACES,
    MARKET_ITEM_NAMES,
    MONTH_THEMES,
    SERVICE_TYPES,
    TEAM_SPECIALTIES,
    TYPE_TITLES,
)


def tables(rng: np.random.Generator, cfg: SynthConfig, r: int, ref: dict, layout: geo.CountyLayout) -> dict:
    cc = replica_code("140423", r)
    dx, dy = geo.replica_offset(r)
    suffix = "" if r == 0 else f"·仿真{r}"
    towns_all = ref["towns"][ref["towns"].county_code == "140423"].copy()
    villages = ref["villages"][ref["villages"].town_code.str.startswith("140423")].copy()
    out: dict[str, pd.DataFrame] = {}

    towns = towns_all.copy()
    towns["town_code"] = towns.town_code.map(lambda c: replica_code(c, r))
    towns["county_code"] = cc
    towns["name"] = towns.name + suffix
    seat = {t: layout.town_seat.get(t) for t in towns_all.town_code}
    towns["lon"] = [round(xy[0] + dx, 6) if xy else None for xy in (seat[t] for t in towns_all.town_code)]
    towns["lat"] = [round(xy[1] + dy, 6) if xy else None for xy in (seat[t] for t in towns_all.town_code)]
    towns["coord_quality"] = "approximate"
    towns["area_geojson"] = [geo.shift_geojson(layout.town_area_geojson[t], dx, dy)
                             if t in layout.town_area_geojson else None for t in towns_all.town_code]
    villages["village_code"] = villages.village_code.map(lambda c: replica_code(c, r))
    villages["town_code"] = villages.town_code.map(lambda c: replica_code(c, r))
    if r:
        villages["name"] = villages.name + suffix
        villages["name_full"] = villages.name_full + suffix
    out["towns"], out["villages"] = towns, villages
    if r:
        out["counties"] = pd.DataFrame([{"county_code": cc, "name": f"襄垣县{suffix}", "province": "山西省",
                                         "prefecture": "长治市", "programme": "文明实践",
                                         "lon": geo.XIANGYUAN_SEAT[0] + dx, "lat": geo.XIANGYUAN_SEAT[1] + dy,
                                         "is_replica": True}])

    real_towns = [t for t in towns_all.town_code if t != "140423402"]
    tcode = {t: replica_code(t, r) for t in towns_all.town_code}
    tname = dict(zip(towns_all.town_code, towns_all.name))
    gh = "140423100"

    # sites ---------------------------------------------------------------------------------
    sites: list[dict[str, Any]] = [
             {"site_id": f"C-{cc}", "level": "中心", "name": f"襄垣县新时代文明实践中心{suffix}", "town_code": tcode[gh],
              "village_code": None, "parent_site_id": None, "base_kind": None,
              "lon": layout.seat[0] + 0.004, "lat": layout.seat[1] + 0.002, "opened_date": date(2019, 6, 1)}]
    for t in real_towns:
        sx, sy = layout.town_seat[t]
        sites.append({"site_id": f"I-{tcode[t]}", "level": "所", "name": f"{tname[t]}新时代文明实践所{suffix}",
                      "town_code": tcode[t], "village_code": None, "parent_site_id": f"C-{cc}", "base_kind": None,
                      "lon": sx + (0.0 if t != gh else -0.006), "lat": sy + (0.0 if t != gh else 0.004),
                      "opened_date": date(2019, 9, 1)})
    stations = villages[villages.kind != "虚拟社区"].reset_index(drop=True)
    # plain arrays: per-row pandas access dominated the ×100 build
    st_code, st_town, st_name, st_kind = (stations[c].to_numpy(dtype=object)
                                          for c in ("village_code", "town_code", "name", "kind"))
    real_codes = villages.village_code.map(lambda c: c if r == 0 else "140423" + c[6:])
    village_real_code = dict(zip(villages.village_code, real_codes))
    for t in real_towns:
        in_town = st_town == tcode[t]
        cands = layout.town_points[t]
        is_urban = st_kind[in_town] == "社区"
        pos = np.zeros((int(in_town.sum()), 2))
        if is_urban.any():
            pos[is_urban] = geo.sample_positions(rng, cands, int(is_urban.sum()), near=layout.town_seat[t],
                                                 radius=0.025)
        if (~is_urban).any():
            pos[~is_urban] = geo.sample_positions(rng, cands, int((~is_urban).sum()))
        for code, vname, (x, y) in zip(st_code[in_town].tolist(), st_name[in_town].tolist(), pos.tolist()):
            sites.append({"site_id": f"S-{code}", "level": "站", "name": f"{vname}新时代文明实践站",
                          "town_code": tcode[t], "village_code": code, "parent_site_id": f"I-{tcode[t]}",
                          "base_kind": None, "lon": x, "lat": y,
                          "opened_date": date(2019, 10, 1) + timedelta(days=int(rng.integers(0, 700)))})
    named_bases = [("东湖综合文化空间", "文化空间", gh, (0.010, -0.006)),
                   ("上寺南街青年创客空间", "创客空间", gh, (-0.004, 0.005)),
                   ("职业农民培训基地", "培训基地", gh, (0.030, 0.018)),
                   ("襄垣县科技与科普服务平台", "科普", gh, (0.008, 0.012)),
                   ("襄垣县全民健身中心", "体育", gh, (-0.012, -0.004))]
    base_rows = []
    for name, kind, t, (ox, oy) in named_bases:
        base_rows.append((name, kind, t, layout.seat[0] + ox, layout.seat[1] + oy))
    vill_names_by_town = {t: st_name[st_town == tcode[t]].tolist() for t in real_towns}
    used = {b[0] for b in base_rows}
    k = 0
    while len(base_rows) < BASES:
        t = real_towns[k % len(real_towns)]
        vnames = vill_names_by_town[t]
        vname = vnames[int(rng.integers(len(vnames)))]
        label, kind = BASE_KINDS[int(rng.integers(len(BASE_KINDS)))]
        name = f"{vname.removesuffix(suffix)}{label}"
        k += 1
        if name in used:
            continue
        used.add(name)
        p = geo.sample_positions(rng, layout.town_points[t], 1)[0]
        base_rows.append((name, kind, t, p[0], p[1]))
    for i, (name, kind, t, x, y) in enumerate(base_rows, start=1):
        sites.append({"site_id": f"B-{cc}-{i:03d}", "level": "基地", "name": name + suffix, "town_code": tcode[t],
                      "village_code": None, "parent_site_id": f"C-{cc}", "base_kind": kind, "lon": x, "lat": y,
                      "opened_date": date(2020, 3, 1) + timedelta(days=int(rng.integers(0, 900)))})
    sites_df = pd.DataFrame(sites)
    sites_df["county_code"] = cc
    sites_df["coord_quality"] = "approximate"
    sites_df["lon"] = (sites_df.lon + dx).round(6)
    sites_df["lat"] = (sites_df.lat + dy).round(6)
    out["sites"] = sites_df
    s_ids, s_names = [d["site_id"] for d in sites], [d["name"] for d in sites]
    sid = {name.removesuffix(suffix): i for i, name in zip(s_ids, s_names)}
    donghu, maker, farmer = sid["东湖综合文化空间"], sid["上寺南街青年创客空间"], sid["职业农民培训基地"]
    out["base_spaces"] = pd.DataFrame({"site_id": donghu, "name": DONGHU_SPACES})

    station_kind = dict(zip(st_code, st_kind))
    linkage_villages = [c for c, real in village_real_code.items()
                        if real.startswith(gh) and (real in {"140423100252"} or station_kind.get(c) == "社区")]
    linkage = [f"I-{tcode[gh]}"] + [f"S-{c}" for c in linkage_villages]
    assert len(linkage) == 8, linkage
    linkage_set = set(linkage)
    circle = [f"C-{cc}", donghu, maker, farmer, sid["襄垣县科技与科普服务平台"]] + [f"S-{c}" for c in linkage_villages[:4]]
    out["site_groups"] = pd.DataFrame(
        [{"group_name": "古韩镇整体联动", "site_id": s} for s in linkage] +
        [{"group_name": "环东湖新时代文明实践圈", "site_id": s} for s in circle])

    res_v = rng.choice(st_code, size=CULTURAL_RESOURCES, replace=True)
    kinds = rng.choice(["乡村文化站", "农家书屋", "图书室", "文化广场"], size=CULTURAL_RESOURCES, p=[.35, .3, .2, .15])
    out["cultural_resources"] = pd.DataFrame({
        "resource_id": [f"R-{cc}-{i:04d}" for i in range(1, CULTURAL_RESOURCES + 1)], "kind": kinds,
        "village_code": res_v, "site_id": [f"S-{v}" for v in res_v]})

    # teams ---------------------------------------------------------------------------------
    teams: list[dict[str, Any]] = [
             {"team_id": f"T-{cc}-0000", "name": f"襄垣县新时代文明实践志愿服务总队{suffix}", "team_type": "总队",
              "town_code": None, "site_id": f"C-{cc}", "parent_team_id": None, "specialty": None}]
    for t in real_towns:
        teams.append({"team_id": f"T-{tcode[t]}-F", "name": f"{tname[t]}志愿服务分队{suffix}", "team_type": "分队",
                      "town_code": tcode[t], "site_id": f"I-{tcode[t]}", "parent_team_id": f"T-{cc}-0000",
                      "specialty": None})
    for code, name, town in zip(st_code.tolist(), st_name.tolist(), st_town.tolist()):
        teams.append({"team_id": f"T-{code}", "name": f"{name}志愿服务小队", "team_type": "站队",
                      "town_code": town, "site_id": f"S-{code}",
                      "parent_team_id": f"T-{town}-F", "specialty": None})
    for i, a in enumerate(["文化志愿者协会", "青年志愿者协会", "平安志愿者协会"]):
        teams.append({"team_id": f"T-{cc}-A{i}", "name": f"襄垣县{a}{suffix}", "team_type": "协会",
                      "town_code": None, "site_id": f"C-{cc}", "parent_team_id": f"T-{cc}-0000", "specialty": a[:2]})
    n_prof = TEAMS_TOTAL - len(teams)
    n_link = LINKAGE_TEAMS - (len(linkage) - 1)       # the 7 station teams already count
    site_town = {d["site_id"]: d["town_code"] for d in sites}
    site_short = {i: (name.removesuffix(suffix).replace("新时代文明实践站", "")
                      .replace("新时代文明实践所", "").replace("新时代文明实践中心", ""))
                  for i, name in zip(s_ids, s_names)}
    link_sites = rng.choice(linkage, size=n_link, p=[.16] + [.12] * 7)
    others_pool = [s for s in sites_df.site_id if s not in linkage_set]
    other_w = np.array([6.0 if s.startswith("C-") else 2.0 if s.startswith("I-") else 0.6 if s.startswith("B-")
                        else 1.0 for s in others_pool])
    other_sites = rng.choice(others_pool, size=n_prof - n_link, p=other_w / other_w.sum())
    count_at: dict[tuple[str, str], int] = {}
    for j, s in enumerate(list(link_sites) + list(other_sites)):
        spec = TEAM_SPECIALTIES[int(rng.integers(len(TEAM_SPECIALTIES)))]
        n = count_at[(s, spec)] = count_at.get((s, spec), 0) + 1
        ordinal = "" if n == 1 else f"第{n}"
        teams.append({"team_id": f"T-{cc}-P{j:04d}", "name": f"{site_short[s]}{spec}志愿服务{ordinal}队",
                      "team_type": "专业队", "town_code": site_town[s], "site_id": s,
                      "parent_team_id": f"T-{cc}-0000", "specialty": spec})
    teams_df = pd.DataFrame(teams)
    teams_df["county_code"] = cc
    teams_df["members"] = np.where(teams_df.team_type.isin(["总队", "分队", "协会"]),
                                   rng.integers(60, 400, len(teams_df)), rng.integers(8, 45, len(teams_df)))
    teams_df["founded_date"] = [date(2019, 9, 1) + timedelta(days=int(x)) for x in rng.integers(0, 1200, len(teams_df))]
    out["teams"] = teams_df

    # months, themes, campaigns ----------------------------------------------------------------
    out["monthly_themes"], camps, out["campaign_items"] = _campaigns(rng, cfg, cc)
    out["campaigns"] = camps

    # activities -------------------------------------------------------------------------------
    year_days: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    for y in range(DATA_START.year, cfg.as_of.year + 1):
        n = activities_in_year(y, cfg.as_of)
        d = day_range(date(y, 1, 1), min(date(y, 12, 31), cfg.as_of))
        w = day_weights(d)
        year_days.append(d)
        counts.append(allocate_total(rng, w, n))
    act_dates = np.repeat(np.concatenate(year_days), np.concatenate(counts))
    n_act = len(act_dates)
    site_ids = np.empty(n_act, dtype=object)
    # X18/X19 count DATA_START … REPORT_END: exactly the calibrated number of that period's rows go to the
    # 古韩镇 linkage sites and to the maker space; later rows (dates are sorted) get the same shares, so
    # the sites stay busy after the report without moving its figures, whatever as_of is.
    n_in = int(np.searchsorted(act_dates, np.datetime64(REPORT_END), side="right"))
    n_link_after = round((n_act - n_in) * LINKAGE_ACTIVITIES_TOTAL / n_in)
    n_maker_after = round((n_act - n_in) * MAKER_SPACE_ACTIVITIES_TOTAL / n_in)
    idx_in, idx_after = rng.permutation(n_in), n_in + rng.permutation(n_act - n_in)
    cut_in = np.cumsum([LINKAGE_ACTIVITIES_TOTAL, MAKER_SPACE_ACTIVITIES_TOTAL])
    cut_after = np.cumsum([n_link_after, n_maker_after])
    link_idx = np.concatenate([idx_in[:cut_in[0]], idx_after[:cut_after[0]]])
    maker_idx = np.concatenate([idx_in[cut_in[0]:cut_in[1]], idx_after[cut_after[0]:cut_after[1]]])
    rest_idx = np.concatenate([idx_in[cut_in[1]:], idx_after[cut_after[1]:]])
    site_ids[link_idx] = rng.choice(linkage, size=len(link_idx), p=[.2] + [.8 / 7] * 7)
    site_ids[maker_idx] = maker
    pool = [s for s in sites_df.site_id if s not in linkage_set and s != maker]
    town_factor = {t: f for t, f in zip(real_towns, rng.uniform(0.55, 1.5, len(real_towns)))}
    level_w = {"中心": 12.0, "所": 4.0, "站": 1.0, "基地": 0.7}
    site_level = {d["site_id"]: d["level"] for d in sites}
    raw_town = {tcode[t]: t for t in real_towns}
    pw = np.array([level_w[site_level[s]] * town_factor[raw_town[site_town[s]]] for s in pool])
    pw *= rng.lognormal(0, 0.55, len(pool))
    low = rng.random(len(pool)) < 0.06
    pw[low] *= 0.12
    site_ids[rest_idx] = rng.choice(pool, size=len(rest_idx), p=pw / pw.sum())
    # idle stations: nothing after a cutoff 35–240 days before as_of (the "empty shells" leaders ask about)
    station_pool = [s for s in pool if site_level[s] == "站"]
    idle = rng.choice(station_pool, size=max(1, round(len(station_pool) * 0.07)), replace=False)
    as_of64 = np.datetime64(cfg.as_of)
    idle_set = set(idle)
    # one factorisation serves every idle site: rows move only to non-idle sites, so later masks are unchanged
    codes0, uniq0 = pd.factorize(site_ids)
    code_of = {u: k for k, u in enumerate(uniq0)}
    for s in idle:
        cutoff = as_of64 - np.timedelta64(int(rng.integers(35, 240)), "D")
        same_town = [p for p in station_pool if site_town[p] == site_town[s] and p not in idle_set]
        m = (codes0 == code_of.get(s, -2)) & (act_dates > cutoff)
        if m.any():
            site_ids[m] = rng.choice(same_town, size=int(m.sum()))

    # team at the site, else the town's 分队, else the 总队
    teams_at: dict[str, list[str]] = {}
    for team in teams:
        teams_at.setdefault(team["site_id"], []).append(team["team_id"])
    team_ids = np.empty(n_act, dtype=object)
    # sites in sorted order, rows in their original order within a site (as a stable sort by site would)
    site_code, site_uniq = pd.factorize(site_ids, sort=True)
    order = np.argsort(site_code, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(site_code, minlength=len(site_uniq)))]
    for s, a, b in zip(site_uniq.tolist(), bounds[:-1].tolist(), bounds[1:].tolist()):
        at_site = teams_at.get(s) or ([f"T-{site_town[s]}-F"] if site_level[s] != "中心" else [f"T-{cc}-0000"])
        team_ids[order[a:b]] = np.asarray(at_site, dtype=object)[rng.integers(0, len(at_site), b - a)]

    month = pd.DatetimeIndex(act_dates).month.to_numpy()
    year = pd.DatetimeIndex(act_dates).year.to_numpy()
    probs = np.tile(np.array([.22, .28, .15, .20, .15]), (13, 1))
    probs[[12, 1, 2], 4] += .10
    probs[7, 0] += .10
    probs[3, 3] += .08
    probs = probs / probs.sum(axis=1, keepdims=True)
    cum = probs.cumsum(axis=1)[month]
    st_idx = (rng.random(n_act)[:, None] > cum).sum(axis=1).clip(0, 4)
    stypes = np.array(SERVICE_TYPES, dtype=object)[st_idx]
    theme_match = rng.random(n_act) < np.where(st_idx == 0, 0.6, 0.42)
    themes = np.where(theme_match, np.array([MONTH_THEMES[m] for m in range(1, 13)], dtype=object)[month - 1], None)

    camp_id = np.full(n_act, None, dtype=object)
    free = np.ones(n_act, dtype=bool)
    for c in camps.itertuples():
        m = (act_dates >= np.datetime64(c.start_date)) & (act_dates <= np.datetime64(c.end_date))
        pick = m & (rng.random(n_act) < (0.5 if c.name in ("文明集市",) or c.name.startswith("12·5") else 0.2))
        pick &= free
        camp_id[pick] = c.campaign_id
        free &= ~pick
    in_camp = ~free

    volunteers = 2 + rng.poisson(5, n_act) + np.where(in_camp, rng.poisson(8, n_act), 0)
    # σ 0.8 and ×2.5 in campaigns: a town's year is not one big event, nor a year its campaigns' timing
    benef_raw = rng.lognormal(0.6, 0.8, n_act) * np.where(in_camp, 2.5, 1)
    beneficiaries = np.zeros(n_act, dtype=np.int64)
    # calibrated years hit their totals; a later year (maybe partial) gets, month by month, the last
    # calibrated year's beneficiaries per activity of that month: its year-on-year change then follows
    # the activities', not the random timing of its campaigns
    last_cal = max(BENEFICIARIES_PER_YEAR)
    per_month = {}
    for y in np.unique(year):
        m = year == y
        if int(y) in BENEFICIARIES_PER_YEAR:
            beneficiaries[m] = allocate_total(rng, benef_raw[m], BENEFICIARIES_PER_YEAR[int(y)])
            if int(y) == last_cal:
                per_month = {mo: beneficiaries[m & (month == mo)].sum() / max(1, (m & (month == mo)).sum())
                             for mo in range(1, 13)}
            continue
        for mo in np.unique(month[m]):
            mm = m & (month == mo)
            beneficiaries[mm] = allocate_total(rng, benef_raw[mm], round(mm.sum() * per_month[int(mo)]))
    participants = volunteers + beneficiaries + rng.poisson(4, n_act)
    hours = volunteers * rng.choice([1.5, 2.0, 2.5, 3.0, 3.5], size=n_act)

    phrase_idx = rng.integers(0, 4, n_act)
    phrase_list = [TYPE_TITLES[t][i] for t in SERVICE_TYPES for i in range(4)]
    title_table = np.array([f"{site_short[s]}·{p}" for s in site_uniq.tolist() for p in phrase_list], dtype=object)
    titles = title_table[site_code * len(phrase_list) + st_idx * 4 + phrase_idx]

    out["activities"] = pd.DataFrame({
        "activity_id": f"A-{cc}-" + serials(n_act, 7),
        "activity_date": act_dates, "site_id": site_ids, "team_id": team_ids, "service_type": stypes,
        "theme": themes, "campaign_id": camp_id, "title": titles, "participants": participants,
        "volunteers": volunteers, "beneficiaries": beneficiaries, "hours": hours, "source": "synthetic"})

    # party branches and micro-wishes ------------------------------------------------------------
    branches = _party_branches(rng, cc, suffix, stations)
    out["party_branches"] = branches
    out["micro_wishes"] = wishes(rng, cfg, cc, branches, stations)

    # trainings ------------------------------------------------------------------------------
    out["trainings"] = trainings(rng, cfg, cc, farmer, [s for s in sites_df.site_id if s.startswith(("I-", "B-", "C-"))],
                                  dict(zip(sites_df.site_id, sites_df.town_code)))
    return out


def _campaigns(rng: np.random.Generator, cfg: SynthConfig, cc: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Monthly themes, each year's campaigns (the three fixed ones and a draw of the rest) and the 文明集市's items."""
    camp_rows: list[dict[str, Any]] = []
    item_rows: list[dict[str, Any]] = []
    months = pd.date_range(DATA_START, date(cfg.as_of.year, 12, 1), freq="MS")
    themes = pd.DataFrame({"month": months.date, "county_code": cc,
                          "theme": [MONTH_THEMES[m.month] for m in months]})
    for y in range(DATA_START.year, cfg.as_of.year + 1):
        n = CAMPAIGNS_PER_YEAR.get(y, 23)
        names = CAMPAIGN_NAMES[:3] + list(rng.choice(CAMPAIGN_NAMES[3:], size=n - 3, replace=False))
        for i, name in enumerate(names):
            if name == "文明集市":
                start = date(y, 9, 20)
            elif name.startswith("12·5"):
                start = date(y, 12, 1)
            elif name.startswith("学雷锋"):
                start = date(y, 3, 1)
            else:
                start = date(y, 1, 1) + timedelta(days=int(rng.integers(0, 350)))
            if start > cfg.as_of:
                continue
            span = 2 if name == "文明集市" else 10 if name.startswith("12·5") else int(rng.integers(1, 20))
            end = min(start + timedelta(days=span), date(y, 12, 31))
            cid = f"G-{cc}-{y}-{i:02d}"
            camp_rows.append({"campaign_id": cid, "county_code": cc, "name": name, "start_date": start, "end_date": end})
            if name == "文明集市":
                k = MARKET_ITEMS if y == REPORTING_YEAR else int(rng.integers(18, 23))
                for j, item in enumerate(MARKET_ITEM_NAMES[:k], start=1):
                    item_rows.append({"campaign_id": cid, "item_no": j, "name": item,
                                      "service_type": SERVICE_TYPES[j % 5]})
    return themes, pd.DataFrame(camp_rows), pd.DataFrame(item_rows)


def _party_branches(rng: np.random.Generator, cc: str, suffix: str, stations: pd.DataFrame) -> pd.DataFrame:
    """One branch per station, second branches at every other station and the county departments' branches."""
    br_rows: list[tuple[str, str | None]] = []
    st_rows = stations.reset_index(drop=True)
    extra = PARTY_BRANCHES - len(st_rows)
    st_names, st_towns = st_rows["name"].tolist(), st_rows.town_code.tolist()
    for name, town in zip(st_names, st_towns):
        br_rows.append((f"{name}党支部", town))
    depts = ["县委办", "县政府办", "组织部", "宣传部", "统战部", "政法委", "发改局", "教育局", "科技局", "公安局", "民政局",
             "司法局", "财政局", "人社局", "自然资源局", "生态环境局", "住建局", "交通局", "水利局", "农业农村局", "商务局",
             "文旅局", "卫健局", "应急局", "审计局", "市场监管局", "统计局", "医保局", "信访局", "融媒体中心"]
    k = 0
    while len(br_rows) < PARTY_BRANCHES:
        if k < len(st_rows) and k % 2 == 0 and len(br_rows) < len(st_rows) + extra // 2:
            br_rows.append((f"{st_names[k]}第二党支部", st_towns[k]))
        else:
            dept = depts[k % len(depts)]
            n = k // len(depts) + 1
            br_rows.append((f"县{dept}第{n}党支部{suffix}", None))
        k += 1
    members = allocate_total(rng, rng.lognormal(0, 0.5, PARTY_BRANCHES), PARTY_MEMBERS, minimum=5)
    return pd.DataFrame({"branch_id": [f"P-{cc}-{i:04d}" for i in range(1, PARTY_BRANCHES + 1)],
                        "name": [b[0] for b in br_rows], "county_code": cc,
                        "town_code": [b[1] for b in br_rows], "members": members})
