"""Deterministic synthetic records, calibrated to the published figures (data/published_facts.csv).

Real: place codes and names (NBS 2023), county outlines. Published: the 57 figures. Everything else is
generated here from a fixed seed and is marked synthetic in the data (`source`) and in the UI.

Reporting period (docs/data.md): the reports describe one moment, REPORT_END = the last day of
REPORTING_YEAR (2025-12-31). The 襄垣 annual figures (万余场活动, 3万余受益群众, 近100场培训, 1000余件微心愿,
20余个主题活动) count calendar 2025; the "累计" figures count DATA_START … REPORT_END; the "现状" figures are the
registries as they stood then. The data runs on to as_of (the build day) so the app looks live, and every
calibrated figure is met *inside its period* by construction: what is generated after REPORT_END follows
the same rates but never touches a published figure, whatever as_of is.

`--scale N` generates N copies of the 襄垣 network as N counties (replica 0 is the real one; the others get
codes 9rrr23…, clearly fake) and N times the 汉源 feedback. Figures are calibrated for N = 1 only.
"""
from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from civic import paths
from civic.demo import consultation, geo
from civic.domain import ACTIVITY_TITLES as TYPE_TITLES
from civic.domain import CONCERN_AREAS, MONTH_THEMES, SERVICE_TYPES, TEAM_SPECIALTIES
from civic.domain import NAMED_BASES as BASE_KINDS

REPORTING_YEAR = 2025
DATA_START = date(2023, 1, 1)
REPORT_END = date(REPORTING_YEAR, 12, 31)   # the moment the published figures describe (data/views.sql)
DEFAULT_SEED = 20251205

# Calibration targets. Each is inside its published band (see v_fact_check); changing one here is the
# only way to change what the default database reproduces.
ACTIVITIES_PER_YEAR = {2023: 9_420, 2024: 10_140, 2025: 10_868}
BENEFICIARIES_PER_YEAR = {2023: 28_410, 2024: 30_870, 2025: 33_624}
LINKAGE_ACTIVITIES_TOTAL = 3_412      # X18 古韩镇整体联动 累计 3000余 (DATA_START … REPORT_END)
MAKER_SPACE_ACTIVITIES_TOTAL = 336    # X19 上寺南街青年创客空间 300余 (DATA_START … REPORT_END)
LINKAGE_TEAMS = 59                    # X17
TEAMS_TOTAL = 1_046                   # X08 千余支
BASES = 108                           # X05 100余
CULTURAL_RESOURCES = 236              # X04 230余
PARTY_BRANCHES = 524                  # X13
PARTY_MEMBERS = 11_549                # X14
WISHES_DONE_PER_YEAR = {2023: 962, 2024: 1_047, 2025: 1_138}   # X15 1000余 (2025)
TRAININGS_2025 = 96                   # X11 近100场 (free trainings, county-wide)
TRAINEES_2025 = 1_084                 # X12 1000余人次
# X20 职业农民培训基地 累计 2500余人次 (DATA_START … REPORT_END): the base's free classes (they count in X11/X12
# too), (sessions, trainees) per year. Every year looks alike, so a year-on-year comparison of trainings
# stays small (docs/data.md). Years not listed get FARMER_BASE_TYPICAL (a whole year's schedule, cut at
# as_of). All trainings are free, so the volunteer page's trainee count and X12 are one figure.
FARMER_BASE_FREE = {2023: (30, 870), 2024: (31, 860), 2025: (28, 830)}
FARMER_BASE_TYPICAL = (30, 28.5)                                              # sessions/year, trainees/session
OTHER_TRAININGS_PER_YEAR, OTHER_TRAINEES_PER_SESSION = 68, 3.7                # the other hosts' free classes
CAMPAIGNS_PER_YEAR = {2023: 21, 2024: 22, 2025: 24}             # X10 20余个 (2025)
MARKET_ITEMS = 23                     # X22 20余项

COMPOUNDS = 92
# completed compounds' delay (actual − planned completion, days) as (share, low, high): a third early or on
# time, half a little late (≤ 30 days), a few clearly late (a sceptical reader expects some, not all)
COMPLETION_DELAY = [(0.35, -20, 0), (0.50, 1, 30), (0.15, 31, 75)]
# co-governance feedback: how long an item takes to close is lognormal (median ~12 days, long tail); an item
# received in the last FEEDBACK_STUCK_WINDOW days may instead stay open (FEEDBACK_STUCK_SHARE), so open items
# are mostly a few weeks old with a few long ones the page flags, never years old
FEEDBACK_RESOLVE_LOGNORMAL = (2.5, 0.85)
FEEDBACK_STUCK_SHARE, FEEDBACK_STUCK_WINDOW = 0.04, 180
BUILDINGS_TOTAL = 463                 # H12 460余
DONE_FLOOR_AREA = 213_640             # H19 20余万 m² (completed compounds)
WORKS_DONE = {                        # H15–H26
    "管线改造": 3_800, "拆除违建": 1_450, "地面硬化": 2_086, "坡屋面": 1_738, "停车位": 211, "充电棚": 21,
    "消防通道": 10, "灭火器材": 3_126, "垃圾分类点": 10, "路灯": 686, "便民设施": 3,
}
WORK_UNITS = {"管线改造": "米", "拆除违建": "平方米", "地面硬化": "平方米", "坡屋面": "户", "停车位": "个",
              "充电棚": "处", "消防通道": "处", "灭火器材": "个", "垃圾分类点": "个", "路灯": "盏", "便民设施": "个"}
FEEDBACK_TOTAL = 346                  # H09 300余 (received 2023-03-01 … REPORT_END)
POLICY_EVENTS = 34                    # H07 30余 (… REPORT_END)
BABA_MEETINGS, FORUMS = 27, 17        # H08 40余 (坝坝会 + 座谈会, … REPORT_END)
GRID_PARTY_MEMBERS = 1_236            # H06 1200余
GOVERNANCE_SCOPE = 55                 # H27
BODY_COUNTS = {"小区党组织": 48, "业主委员会": 29, "自管委": 28}   # H28–H30
PROPERTY_FIRMS = 3                    # H31

PROGRAMME_COMMUNITIES = {  # 4 in 富林镇, 2 in 九襄镇 (H10); the article does not name them, we chose:
    "511823100005": "饮泉", "511823100006": "西园", "511823100007": "流沙河", "511823100008": "滨湖",
    "511823101001": "九龙桥", "511823101002": "梨城",
}
SERVICE_FACILITY_AREAS = ["养老", "托育", "文体", "助餐", "快递收发"]

CAMPAIGN_NAMES = ["文明集市", "12·5国际志愿者日系列活动", "环东湖新时代文明实践圈志愿服务", "学雷锋志愿服务月",
                  "我们的节日·春节", "我们的节日·元宵", "我们的节日·清明", "我们的节日·端午", "我们的节日·七夕",
                  "我们的节日·中秋", "我们的节日·重阳", "全民国家安全教育日", "世界读书日全民阅读",
                  "公民道德宣传日", "国家宪法日普法", "文明交通劝导", "移风易俗百场宣讲", "科普大篷车进乡村",
                  "全民健身日", "护河志愿行动", "敬老月关爱行动", "防范电信诈骗宣传", "夏季送清凉",
                  "新春送万福", "志愿服务进校园", "最美家庭评选"]
MARKET_ITEM_NAMES = ["理论政策宣讲", "移风易俗文艺展演", "非遗展示", "科普宣传", "消防知识体验", "义诊问诊",
                     "法律咨询", "反诈宣传", "理发义剪", "家电维修", "农技咨询", "就业信息发布", "手工挂面展示",
                     "书法写春联", "亲子阅读", "垃圾分类互动", "文明餐桌倡议", "卫生健康咨询", "老年人智能手机教学",
                     "心理健康咨询", "禁毒宣传", "交通安全体验", "志愿者招募"]
DONGHU_SPACES = ["城市书房", "书法馆", "亲子阅读馆", "非遗传习馆", "文化创意馆", "戏曲赏析厅", "读者交流区"]


# ── helpers ──────────────────────────────────────────────────────────────────────────────────
def allocate_total(rng: np.random.Generator, weights, total: int, minimum: int = 0) -> np.ndarray:
    """Integers >= minimum, proportional to weights in expectation, summing exactly to total."""
    w = np.asarray(weights, dtype=float)
    n = len(w)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError(f"cannot give {n} items at least {minimum} from {total}")
    p = w / w.sum() if w.sum() > 0 else np.full(n, 1 / n)
    return rng.multinomial(rest, p) + minimum


def display_name(full: str, kind: str) -> str:
    """西关村村委会 → 西关村; 永安社区居委会 → 永安社区; 五阳煤矿居委会 → 五阳煤矿社区."""
    for suffix in ("村民委员会", "居民委员会", "村委会", "居委会"):
        if full.endswith(suffix):
            name = full[: -len(suffix)]
            break
    else:
        name = full
    if kind == "村" and not name.endswith("村"):
        name += "村"
    if kind == "社区" and not name.endswith("社区"):
        name += "社区"
    return name


def _read_csv(name: str) -> list[dict]:
    with open(paths.REFERENCE_DIR / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _dates(start: date, end: date) -> np.ndarray:
    return np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")


def _spring_festival(year: int) -> date:
    return {2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
            2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26)}.get(year, date(year, 2, 1))


def day_weights(days: np.ndarray) -> np.ndarray:
    """Seasonality: quiet winter and Spring Festival, 学雷锋 in March, a peak around 12·5."""
    d = pd.DatetimeIndex(days)
    month_factor = np.array([0, .72, .62, 1.35, 1.0, 1.05, 1.0, .92, .85, 1.05, 1.02, 1.0, 1.22])
    w = month_factor[d.month] * np.where(d.dayofweek >= 5, 1.15, 1.0)
    w = w * np.where((d.month == 12) & (d.day == 5), 6.0, 1.0)
    w = w * np.where((d.month == 12) & (d.day <= 10), 1.5, 1.0)
    w = w * np.where((d.month == 3) & (d.day == 5), 4.0, 1.0)
    for y in set(d.year):
        sf = np.datetime64(_spring_festival(int(y)))
        off = (days - sf).astype(int)
        w = w * np.where((off >= -3) & (off <= 6), 0.3, 1.0)
    return w


def activities_in_year(year: int, as_of: date) -> int:
    annual = ACTIVITIES_PER_YEAR.get(year, round(11_300 * 1.03 ** (year - 2026)))
    if year < as_of.year:
        return annual
    # the year so far gets its seasonal share (quiet winter), not its share of days: otherwise the year
    # to date would look 20–40 % busier than the same months last year
    full = day_weights(_dates(date(year, 1, 1), date(year, 12, 31)))
    return round(annual * full[:as_of.timetuple().tm_yday].sum() / full.sum())


@dataclass
class SynthConfig:
    seed: int = DEFAULT_SEED
    scale: int = 1
    as_of: date = field(default_factory=date.today)

    def __post_init__(self):
        if self.scale < 1:
            raise ValueError("scale must be >= 1")
        if self.as_of < date(REPORTING_YEAR + 1, 1, 1):
            raise ValueError(f"as_of must be after the reporting year {REPORTING_YEAR}")


# ── reference data ───────────────────────────────────────────────────────────────────────────
def reference_frames() -> dict[str, pd.DataFrame]:
    counties = pd.DataFrame([
        {"county_code": "140423", "name": "襄垣县", "province": "山西省", "prefecture": "长治市",
         "programme": "文明实践", "lon": geo.XIANGYUAN_SEAT[0], "lat": geo.XIANGYUAN_SEAT[1], "is_replica": False},
        {"county_code": "511823", "name": "汉源县", "province": "四川省", "prefecture": "雅安市",
         "programme": "小区治理", "lon": geo.HANYUAN_SEAT[0], "lat": geo.HANYUAN_SEAT[1], "is_replica": False},
    ])
    town_rows = [r for r in _read_csv("towns.csv") if r["town_code"]]
    towns = pd.DataFrame([{
        "town_code": r["town_code"], "county_code": r["county_code"], "name": r["town_name"],
        "kind": "开发区" if r["town_name"].endswith("开发区") else ("乡" if r["town_name"].endswith("乡") else "镇"),
    } for r in town_rows])
    vill = _read_csv("xiangyuan_villages.csv") + _read_csv("hanyuan_communities.csv")
    villages = pd.DataFrame([{
        "village_code": r["code"], "town_code": r["town_code"], "name_full": r["name"],
        "name": display_name(r["name"], r["kind"]), "kind": r["kind"]} for r in vill])
    return {"counties": counties, "towns": towns, "villages": villages}


@lru_cache(maxsize=16)
def _serials(n: int, width: int) -> np.ndarray:
    """'0000001' … as an object array, shared by every replica. Do not mutate: prefix it (which copies)."""
    return np.array([f"{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


# ── 襄垣: one county's practice network ──────────────────────────────────────────────────────
def _replica_code(code: str, r: int) -> str:
    return code if r == 0 else f"9{r:03d}23" + code[6:]


def _xiangyuan(rng: np.random.Generator, cfg: SynthConfig, r: int, ref: dict, layout: geo.CountyLayout) -> dict:
    cc = _replica_code("140423", r)
    dx, dy = geo.replica_offset(r)
    suffix = "" if r == 0 else f"·仿真{r}"
    towns_all = ref["towns"][ref["towns"].county_code == "140423"].copy()
    villages = ref["villages"][ref["villages"].town_code.str.startswith("140423")].copy()
    out: dict[str, pd.DataFrame] = {}

    towns = towns_all.copy()
    towns["town_code"] = towns.town_code.map(lambda c: _replica_code(c, r))
    towns["county_code"] = cc
    towns["name"] = towns.name + suffix
    seat = {t: layout.town_seat.get(t) for t in towns_all.town_code}
    towns["lon"] = [round(seat[t][0] + dx, 6) if seat[t] else None for t in towns_all.town_code]
    towns["lat"] = [round(seat[t][1] + dy, 6) if seat[t] else None for t in towns_all.town_code]
    towns["coord_quality"] = "approximate"
    towns["area_geojson"] = [geo.shift_geojson(layout.town_area_geojson[t], dx, dy)
                             if t in layout.town_area_geojson else None for t in towns_all.town_code]
    villages["village_code"] = villages.village_code.map(lambda c: _replica_code(c, r))
    villages["town_code"] = villages.town_code.map(lambda c: _replica_code(c, r))
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
    tcode = {t: _replica_code(t, r) for t in towns_all.town_code}
    tname = dict(zip(towns_all.town_code, towns_all.name))
    gh = "140423100"

    # sites ---------------------------------------------------------------------------------
    sites = [{"site_id": f"C-{cc}", "level": "中心", "name": f"襄垣县新时代文明实践中心{suffix}", "town_code": tcode[gh],
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
    teams = [{"team_id": f"T-{cc}-0000", "name": f"襄垣县新时代文明实践志愿服务总队{suffix}", "team_type": "总队",
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
    months = pd.date_range(DATA_START, date(cfg.as_of.year, 12, 1), freq="MS")
    out["monthly_themes"] = pd.DataFrame({"month": months.date, "county_code": cc,
                                          "theme": [MONTH_THEMES[m.month] for m in months]})
    camp_rows, item_rows = [], []
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
    camps = pd.DataFrame(camp_rows)
    out["campaigns"], out["campaign_items"] = camps, pd.DataFrame(item_rows)

    # activities -------------------------------------------------------------------------------
    days_all, counts = [], []
    for y in range(DATA_START.year, cfg.as_of.year + 1):
        n = activities_in_year(y, cfg.as_of)
        d = _dates(date(y, 1, 1), min(date(y, 12, 31), cfg.as_of))
        w = day_weights(d)
        days_all.append(d)
        counts.append(allocate_total(rng, w, n))
    days_all = np.concatenate(days_all)
    act_dates = np.repeat(days_all, np.concatenate(counts))
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
    for d in teams:
        teams_at.setdefault(d["site_id"], []).append(d["team_id"])
    team_ids = np.empty(n_act, dtype=object)
    # sites in sorted order, rows in their original order within a site (as a stable sort by site would)
    site_code, site_uniq = pd.factorize(site_ids, sort=True)
    order = np.argsort(site_code, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(site_code, minlength=len(site_uniq)))]
    for s, a, b in zip(site_uniq.tolist(), bounds[:-1].tolist(), bounds[1:].tolist()):
        cands = teams_at.get(s) or ([f"T-{site_town[s]}-F"] if site_level[s] != "中心" else [f"T-{cc}-0000"])
        team_ids[order[a:b]] = np.asarray(cands, dtype=object)[rng.integers(0, len(cands), b - a)]

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
        "activity_id": f"A-{cc}-" + _serials(n_act, 7),
        "activity_date": act_dates, "site_id": site_ids, "team_id": team_ids, "service_type": stypes,
        "theme": themes, "campaign_id": camp_id, "title": titles, "participants": participants,
        "volunteers": volunteers, "beneficiaries": beneficiaries, "hours": hours, "source": "synthetic"})

    # party branches and micro-wishes ------------------------------------------------------------
    br_rows = []
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
            d = depts[k % len(depts)]
            n = k // len(depts) + 1
            br_rows.append((f"县{d}第{n}党支部{suffix}", None))
        k += 1
    members = allocate_total(rng, rng.lognormal(0, 0.5, PARTY_BRANCHES), PARTY_MEMBERS, minimum=5)
    branches = pd.DataFrame({"branch_id": [f"P-{cc}-{i:04d}" for i in range(1, PARTY_BRANCHES + 1)],
                             "name": [b[0] for b in br_rows], "county_code": cc,
                             "town_code": [b[1] for b in br_rows], "members": members})
    out["party_branches"] = branches
    out["micro_wishes"] = _wishes(rng, cfg, cc, branches, stations)

    # trainings ------------------------------------------------------------------------------
    out["trainings"] = _trainings(rng, cfg, cc, farmer, [s for s in sites_df.site_id if s.startswith(("I-", "B-", "C-"))],
                                  dict(zip(sites_df.site_id, sites_df.town_code)))
    return out


def _wishes(rng, cfg: SynthConfig, cc: str, branches: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    cats = ["助老助残", "助学", "生活用品", "就医帮扶", "环境整治", "文体器材", "农技指导", "法律咨询"]
    titles = {"助老助残": "为独居老人添置取暖器", "助学": "为留守儿童送学习用品", "生活用品": "为困难家庭添置生活用品",
              "就医帮扶": "陪同行动不便老人就医", "环境整治": "清理村口垃圾堆放点", "文体器材": "为村文化广场添置音响",
              "农技指导": "果树修剪技术指导", "法律咨询": "土地流转合同咨询"}
    bw = branches.members.to_numpy(dtype=float)
    bad = rng.choice(len(branches), size=18, replace=False)   # claim and never deliver
    end = cfg.as_of
    # The scalar draws below stay in their original order (it is part of the output); only the date
    # arithmetic and the frame building are vectorised.
    lognormal, integers = rng.lognormal, rng.integers
    done_days, durs, lags = [], [], []
    for y in range(DATA_START.year, end.year + 1):
        last = min(date(y, 12, 31), end - timedelta(days=3))
        if last < date(y, 1, 1):      # as_of in the first days of January: nothing done yet this year
            continue
        n_done = WISHES_DONE_PER_YEAR.get(y, round(1_180 * ((last - date(y, 1, 1)).days + 1) / 365))
        done = _dates(date(y, 1, 1), last)
        done_days.append(rng.choice(done, size=n_done))
        for _ in range(n_done):
            durs.append(int(min(90, lognormal(2.3, 0.7))))
            lags.append(int(integers(0, 8)))
    # claimed, not done: most recent and normal; some old, concentrated in the "bad" branches
    open_claim, open_lag, fixed_branch = [], [], []
    for _ in range(70):
        open_claim.append(int(integers(1, 40)))
        open_lag.append(int(integers(0, 6)))
        fixed_branch.append(-1)
    for _ in range(55):
        open_claim.append(int(integers(60, 500)))
        open_lag.append(int(integers(0, 6)))
        fixed_branch.append(int(bad[int(integers(len(bad)))]))
    pub_age = [int(integers(0, 30)) for _ in range(48)]

    day = "timedelta64[D]"
    end64 = np.datetime64(end)
    done_d = np.concatenate(done_days).astype("datetime64[D]")
    claim_done = done_d - np.asarray(durs, dtype=day)
    open_claim_d = end64 - np.asarray(open_claim, dtype=day)
    n_done_all, n_open, n_pub = len(done_d), len(open_claim), len(pub_age)
    nat = np.full(n_open + n_pub, np.datetime64("NaT"), dtype="datetime64[D]")
    claim = np.concatenate([claim_done, open_claim_d, nat[:n_pub]])
    pub = np.concatenate([claim_done - np.asarray(lags, dtype=day), open_claim_d - np.asarray(open_lag, dtype=day),
                          end64 - np.asarray(pub_age, dtype=day)])
    done_at = np.concatenate([done_d, nat])
    status = np.array(["完成"] * n_done_all + ["认领"] * n_open + ["发布"] * n_pub, dtype=object)
    fixed = np.asarray([-1] * n_done_all + fixed_branch + [-1] * n_pub)
    n = len(status)
    branch_pick = rng.choice(len(branches), size=n, p=bw / bw.sum())
    stn = np.sort(stations.village_code.to_numpy())       # codes start with the town's: town order
    # done wishes: each year's are spread over the stations by one systematic draw with fixed station
    # weights, so a town's share is the same every year (within one wish) and year-on-year stays steady
    st_cum = np.cumsum(rng.lognormal(0, 0.3, len(stn)))
    st_cum /= st_cum[-1]
    done_station = []
    for block in done_days:
        per_station = np.diff(np.floor(np.r_[0.0, st_cum] * len(block) + rng.random()).astype(int))
        done_station.append(rng.permutation(np.repeat(stn, per_station)))
    wish_station = np.concatenate(done_station + [rng.choice(stn, size=n - n_done_all)])
    cat = rng.choice(cats, size=n)
    branch_id = branches.branch_id.to_numpy(dtype=object)[np.where(fixed >= 0, fixed, branch_pick)]
    branch_id[status == "发布"] = None
    published = np.maximum(pub, np.datetime64(DATA_START))
    df = pd.DataFrame({
        "wish_id": [f"W-{cc}-{i:05d}" for i in range(1, n + 1)],
        "branch_id": branch_id,
        "site_id": [f"S-{v}" for v in wish_station],
        "category": cat, "title": [titles[c] for c in cat],
        "status": status,
        "published_date": published,
        "claimed_date": np.maximum(claim, published),      # NaT stays NaT
        "done_date": done_at, "source": "synthetic"})
    return df


def _yearly_schedule(year: int, sessions: int, phase: float) -> np.ndarray:
    """`sessions` days spread evenly over the calendar year, offset by `phase` (0–1) of one interval."""
    n_days = 366 if calendar.isleap(year) else 365
    offsets = np.floor((np.arange(sessions) + phase) / sessions * n_days).astype(int)
    return np.datetime64(date(year, 1, 1)) + offsets.astype("timedelta64[D]")


def _trainings(rng, cfg: SynthConfig, cc: str, farmer: str, hosts: list[str], site_town: dict) -> pd.DataFrame:
    """Free trainings (常态化: each host holds its classes on the same yearly rhythm) at institutes, bases and
    the centre, and the farmers' base's own classes.

    Calibrated by construction: 2025's sessions and trainees are exactly TRAININGS_2025 and TRAINEES_2025
    (X11, X12), and the farmers' base holds exactly its FARMER_BASE_FREE trainees up to REPORT_END (X20).
    The other hosts never include the farmers' base, so no random draw can add to it. Each year's
    schedule is drawn for the whole year and cut at as_of, so the year to date compares with the same
    months of last year (and a town's share is the same every year: sessions per host come from one
    systematic draw over the hosts in town order, so each town gets its expected share within one)."""
    rows = []
    topics = ["手工挂面制作技艺", "果蔬种植技术", "电商直播带货", "家政服务技能", "中式烹调", "老年人智能手机使用",
              "急救知识", "养殖技术", "创业指导", "书法入门"]
    hosts = sorted((h for h in hosts if h != farmer), key=lambda h: (site_town[h], h))
    host_w = rng.lognormal(0, 0.5, len(hosts)) * np.array([2.0 if h.startswith("I-") else 1.0 for h in hosts])
    host_cum = np.cumsum(host_w / host_w.sum())
    host_u, host_phase, farmer_phase = rng.random(), rng.random(len(hosts)), rng.random()
    host_size = rng.lognormal(0, 0.35, len(hosts))      # a host's classes are about the same size every year
    last = np.datetime64(cfg.as_of)
    for y in range(DATA_START.year, cfg.as_of.year + 1):
        n_f, total_f = FARMER_BASE_FREE.get(y, (0, 0))
        if y not in FARMER_BASE_FREE:
            n_f = FARMER_BASE_TYPICAL[0]
            total_f = round(n_f * FARMER_BASE_TYPICAL[1])
        tr = allocate_total(rng, np.ones(n_f), total_f, minimum=10)
        for d, t in zip(_yearly_schedule(y, n_f, farmer_phase), tr):
            if d <= last:
                rows.append((d, farmer, f"职业农民培训·{topics[int(rng.integers(0, 5))]}", int(t), True))
        if y == REPORTING_YEAR:
            n_o = TRAININGS_2025 - FARMER_BASE_FREE[y][0]
            total_o = TRAINEES_2025 - FARMER_BASE_FREE[y][1]
        else:
            n_o = OTHER_TRAININGS_PER_YEAR
            total_o = round(n_o * OTHER_TRAINEES_PER_SESSION)
        per_host = np.diff(np.floor(np.r_[0.0, host_cum] * n_o + host_u).astype(int))
        size_w = np.repeat(host_size, per_host) * rng.lognormal(0, 0.15, n_o)
        tro = iter(allocate_total(rng, size_w, total_o, minimum=3).tolist())
        for h, k, ph in zip(hosts, per_host.tolist(), host_phase.tolist()):
            for d in _yearly_schedule(y, k, ph) if k else ():
                t = next(tro)
                if d <= last:
                    rows.append((d, h, f"公益培训·{topics[int(rng.integers(0, 10))]}", int(t), True))
    df = pd.DataFrame(rows, columns=["training_date", "site_id", "title", "trainees", "is_free"])
    df = df.sort_values("training_date", kind="stable").reset_index(drop=True)
    df.insert(0, "training_id", [f"K-{cc}-{i:04d}" for i in range(1, len(df) + 1)])
    df["training_date"] = pd.to_datetime(df.training_date).dt.date
    df["source"] = "synthetic"
    return df


# ── 汉源: renovation and co-governance ────────────────────────────────────────────────────────
def _hanyuan(rng: np.random.Generator, cfg: SynthConfig, ref: dict) -> dict:
    out: dict[str, pd.DataFrame] = {}
    vill = ref["villages"]
    comm = vill[vill.village_code.str.startswith("511823") & (vill.kind == "社区")]
    out["communities"] = pd.DataFrame({"community_code": comm.village_code,
                                       "in_programme": comm.village_code.isin(PROGRAMME_COMMUNITIES)})
    out["concern_areas"] = pd.DataFrame({"area": CONCERN_AREAS, "ord": range(1, 9)})
    out["service_facility_areas"] = pd.DataFrame({"area": SERVICE_FACILITY_AREAS, "ord": range(1, 6)})
    out["work_categories"] = pd.DataFrame({"category": list(WORK_UNITS), "unit": list(WORK_UNITS.values()),
                                           "ord": range(1, len(WORK_UNITS) + 1)})
    prog = list(PROGRAMME_COMMUNITIES)
    # compounds: batch → status plan
    plan = ([("实施一批", "完成")] * 30 + [("实施一批", "验收")] * 5 + [("实施一批", "施工")] * 3 +
            [("谋划一批", "施工")] * 10 + [("谋划一批", "设计")] * 14 + [("谋划一批", "未启动")] * 6 +
            [("储备一批", "设计")] * 4 + [("储备一批", "未启动")] * 20)
    assert len(plan) == COMPOUNDS
    order = rng.permutation(COMPOUNDS)
    comm_w = np.array([1.4, 1.2, 1.0, 1.1, 1.3, 0.9])
    comm_of = rng.choice(prog, size=COMPOUNDS, p=comm_w / comm_w.sum())
    # every programme community gets compounds
    comm_of[:6] = prog
    types = np.where(rng.random(COMPOUNDS) < 0.36, "库区安置小区", "老旧小区")
    prefixes = ["德鑫", "滨湖", "金鑫", "河畔", "安康", "幸福", "和平", "兴隆", "富源", "清溪", "锦绣", "阳光", "翠苑",
                "梨花", "花椒", "大渡", "汉源", "瀑布", "流沙", "飞越", "文化", "西园", "饮泉", "新城", "永安", "长青",
                "凤凰", "丽景", "枫林", "川兴", "九龙", "城南", "城北", "宏达", "利民", "福康"]
    names, seen = [], set()
    for i in range(COMPOUNDS):
        base = prefixes[i % len(prefixes)]
        suffix = "安置小区" if types[i] == "库区安置小区" else rng.choice(["小区", "花园", "苑", "家园"])
        nm = f"{base}{suffix}" if i < len(prefixes) else f"{base}{suffix}{['二', '三', '四'][i // len(prefixes) - 1]}期"
        while nm in seen:
            nm += "·B"
        seen.add(nm)
        names.append(nm)
    names[0] = "德鑫小区"
    batch = np.array([plan[j][0] for j in order])
    status = np.array([plan[j][1] for j in order])
    done_mask = status == "完成"
    buildings = allocate_total(rng, rng.lognormal(0, 0.5, COMPOUNDS), BUILDINGS_TOTAL, minimum=1)
    households = (buildings * rng.integers(14, 30, COMPOUNDS)).astype(int)
    area = households * rng.uniform(68, 96, COMPOUNDS)
    area[done_mask] = allocate_total(rng, area[done_mask], DONE_FLOOR_AREA, minimum=1500)
    households[done_mask] = np.maximum(households[done_mask], (area[done_mask] / 110).astype(int) + 1)
    built = np.where(types == "库区安置小区", rng.integers(2006, 2013, COMPOUNDS), rng.integers(1984, 2006, COMPOUNDS))
    town = np.array(["511823100" if c.startswith("511823100") else "511823101" for c in comm_of])
    centre = {"511823100": geo.HANYUAN_SEAT, "511823101": (102.768, 29.432)}
    lon = np.array([centre[t][0] for t in town]) + rng.uniform(-0.012, 0.012, COMPOUNDS)
    lat = np.array([centre[t][1] for t in town]) + rng.uniform(-0.009, 0.009, COMPOUNDS)
    key_idx = np.concatenate([np.flatnonzero(batch == "实施一批")[:24], np.flatnonzero(batch == "谋划一批")[:6]])
    is_key = np.zeros(COMPOUNDS, dtype=bool)
    is_key[key_idx] = True
    scope_idx = np.concatenate([np.flatnonzero(batch == "实施一批"), np.flatnonzero(batch == "谋划一批")[:GOVERNANCE_SCOPE - 38]])
    in_scope = np.zeros(COMPOUNDS, dtype=bool)
    in_scope[scope_idx] = True
    cid = [f"HY-{i:03d}" for i in range(1, COMPOUNDS + 1)]
    compounds = pd.DataFrame({"compound_id": cid, "name": names, "community_code": comm_of, "town_code": town,
                              "compound_type": types, "batch": batch, "status": status, "buildings": buildings,
                              "households": households, "floor_area_m2": area.round(0), "built_year": built,
                              "is_key": is_key, "in_governance_scope": in_scope, "lon": lon.round(6),
                              "lat": lat.round(6), "coord_quality": "approximate"})
    out["compounds"] = compounds

    # Stages. A compound's status is its current stage: earlier stages are finished, its own is ongoing,
    # later ones have not started. Completed compounds follow their batch's 2023–2025 calendar; their
    # completion delay is drawn first (COMPLETION_DELAY: most on time or a little late, a few over a
    # month, docs/data.md) and the stages' slips are shaped to give it. For the others the plan is
    # re-baselined around today, so some are behind plan and some on time, as a real 台账 would show.
    as_of = cfg.as_of
    stage_rows = []
    stage_names = ["设计", "施工", "验收", "完成"]
    durs = [75, 240, 30, 0]
    current = {"未启动": -1, "设计": 0, "施工": 1, "验收": 2, "完成": 3}
    batch_start = {"实施一批": date(2023, 3, 1), "谋划一批": date(2024, 9, 1), "储备一批": date(2026, 3, 1)}
    complete_by = date(REPORTING_YEAR, 12, 20)
    for i in range(COMPOUNDS):
        cur = current[status[i]]
        slips = [int(rng.gamma(1.5, 18)) - 10 for _ in stage_names]
        if status[i] == "完成":
            ps = [batch_start[batch[i]] + timedelta(days=int(rng.integers(0, 120)))]
            band = rng.choice(len(COMPLETION_DELAY), p=[b[0] for b in COMPLETION_DELAY])
            delay = int(rng.integers(COMPLETION_DELAY[band][1], COMPLETION_DELAY[band][2] + 1))
            start_off = int(rng.integers(-7, 15))
            # the stages absorb (delay − start offset) in proportion to their length: the chain then ends
            # exactly `delay` days after the planned completion
            extra = delay - start_off
            stage_len = [max(1, durs[k] + round(extra * durs[k] / sum(durs))) for k in range(3)]
            stage_len[1] += (sum(durs) + extra) - sum(stage_len)
            a0 = ps[0] + timedelta(days=start_off)
            a_starts, a_ends = [], []
            for k in range(3):
                a_starts.append(a0)
                a0 = a0 + timedelta(days=stage_len[k])
                a_ends.append(a0)
            done_day = min(a0, complete_by)
            if a0 > complete_by:   # squeeze the chain so the compound is done by the reporting year's end
                shift = a0 - complete_by
                a_starts = [d - shift for d in a_starts]
                a_ends = [d - shift for d in a_ends]
            a_starts.append(done_day)
            a_ends.append(done_day)
        else:
            if cur >= 0:
                cur_end = as_of + timedelta(days=int(rng.integers(-60, 150)))
                ps = [cur_end - timedelta(days=sum(durs[:cur + 1]))]
            else:
                ps = [as_of + timedelta(days=int(rng.integers(-45, 300)))]
            a_starts, a_ends = [None] * 4, [None] * 4
            if cur >= 0:
                a = as_of - timedelta(days=int(rng.integers(5, max(6, min(durs[cur], 120)))))
                a_starts[cur] = a
                for k in range(cur - 1, -1, -1):      # finished stages, backwards from the current one
                    a_ends[k] = a
                    a = a - timedelta(days=max(1, durs[k] + slips[k]))
                    a_starts[k] = a
        p = ps[0]
        for k, stage in enumerate(stage_names):
            pe = p + timedelta(days=durs[k])
            stage_rows.append({"compound_id": cid[i], "stage": stage, "planned_start": p, "planned_end": pe,
                               "actual_start": a_starts[k], "actual_end": a_ends[k]})
            p = pe
    out["compound_stages"] = pd.DataFrame(stage_rows)
    stage_df = out["compound_stages"]
    completion = stage_df[stage_df.stage == "完成"].set_index("compound_id").actual_start

    # works: done only where construction started; completed compounds carry most of it
    work_rows = []
    active = np.flatnonzero(np.isin(status, ["施工", "验收", "完成"]))
    planned_only = np.flatnonzero(np.isin(status, ["设计", "未启动"]))
    w_active = np.where(status[active] == "施工", 0.45, 1.0) * buildings[active]
    for cat, total in WORKS_DONE.items():
        small = total <= 25
        take = active if not small else rng.choice(active, size=min(len(active), total), replace=False)
        wt = w_active if not small else np.ones(len(take))
        done = allocate_total(rng, wt, total, minimum=0 if not small else 1) if not small else np.ones(len(take), int)
        if small and len(take) < total:
            done = allocate_total(rng, np.ones(len(take)), total, minimum=1)
        if cat == "坡屋面":
            done = np.minimum(done, households[take])
            done[np.argmax(households[take] - done)] += total - done.sum()
        for c_i, q in zip(take, done):
            if q == 0 and not small:
                continue
            ongoing = status[c_i] == "施工"
            planned = q * (rng.uniform(1.3, 2.0) if ongoing else 1.0)
            dd = completion.get(cid[c_i])
            dd = dd if isinstance(dd, date) else as_of - timedelta(days=int(rng.integers(3, 60)))
            work_rows.append((cid[c_i], cat, float(round(planned, 0) if not small else max(q, round(planned))),
                              float(q), dd))
        for c_i in planned_only:
            if small and rng.random() > 0.12:
                continue
            base = total / max(1, len(active)) * rng.uniform(0.5, 1.5) * buildings[c_i] / max(1, buildings.mean())
            work_rows.append((cid[c_i], cat, float(max(1, round(base))), 0.0, None))
    works = pd.DataFrame(work_rows, columns=["compound_id", "category", "planned_qty", "done_qty", "done_date"])
    works.insert(0, "work_id", [f"WK-{i:04d}" for i in range(1, len(works) + 1)])
    works["source"] = "synthetic"
    out["works"] = works

    fund_rows = []
    shares = {"财政奖补": 0.58, "居民自筹": 0.12, "集体经济": 0.10, "联帮包单位": 0.20}
    for i in np.flatnonzero(batch != "储备一批"):
        total = area[i] * rng.uniform(160, 320)
        mix = rng.dirichlet(np.array(list(shares.values())) * 40)
        for (src, _), m in zip(shares.items(), mix):
            fund_rows.append({"compound_id": cid[i], "source": src, "amount_yuan": round(total * m, -2)})
    out["funding"] = pd.DataFrame(fund_rows)

    # governance
    firms = pd.DataFrame({"firm_id": ["F1", "F2", "F3"],
                          "name": ["汉源县安居物业服务有限公司", "雅安市锦程物业管理有限公司", "汉源县梨城物业服务有限公司"],
                          "introduced_date": [date(2023, 6, 1), date(2024, 3, 15), date(2025, 4, 1)]})
    out["property_firms"] = firms
    body_rows = []
    scope = list(np.flatnonzero(in_scope))
    # some compounds have no body at all: they are the gaps the co-governance page lists
    for btype, n in BODY_COUNTS.items():
        w = np.array([3.0 if status[i] == "完成" else 1.0 for i in scope])
        chosen = rng.choice(scope, size=n, replace=False, p=w / w.sum())
        for i in chosen:
            body_rows.append({"compound_id": cid[i], "body_type": btype, "firm_id": None,
                              "established_date": date(2023, 5, 1) + timedelta(days=int(rng.integers(0, 900)))})
    managed = rng.choice([i for i in scope if status[i] == "完成"], size=12, replace=False)
    for j, i in enumerate(managed):
        f = firms.iloc[j % PROPERTY_FIRMS]
        body_rows.append({"compound_id": cid[i], "body_type": "物业企业", "firm_id": f.firm_id,
                          "established_date": f.introduced_date + timedelta(days=int(rng.integers(0, 200)))})
    bodies = pd.DataFrame(body_rows)
    bodies["established_date"] = [min(d, as_of) for d in bodies.established_date]
    bodies.insert(0, "body_id", [f"GB-{i:03d}" for i in range(1, len(bodies) + 1)])
    out["governance_bodies"] = bodies

    # feedback (×scale)
    summaries = {"道路": "小区道路破损坑洼", "电力": "楼道照明线路老化", "通信": "通信飞线杂乱", "供水": "供水管道漏水",
                 "排水": "雨污管道堵塞", "燃气": "燃气管道改造诉求", "消防": "消防通道被占用", "环境卫生": "垃圾清运不及时"}
    channels = ["坝坝会", "座谈会", "网格员走访", "微信群", "议事会", "热线电话"]
    fb = []
    # H09 counts items received up to REPORT_END: exactly FEEDBACK_TOTAL of them (×scale); after it items
    # keep arriving at the same rate
    fb_start = date(2023, 3, 1)
    span_in = (REPORT_END - fb_start).days
    n_in = FEEDBACK_TOTAL * cfg.scale
    n_after = round(FEEDBACK_TOTAL * (as_of - REPORT_END).days / (span_in + 1)) * cfg.scale   # --scale N: N×
    offsets = np.concatenate([rng.integers(0, span_in + 1, n_in),
                              span_in + 1 + rng.integers(0, (as_of - REPORT_END).days, n_after)])
    n_fb = n_in + n_after
    recv = np.sort(np.array([fb_start + timedelta(days=int(x)) for x in offsets]))
    cat_w = np.array([1.6, 1.0, 0.6, 1.2, 1.5, 0.7, 0.9, 1.3])
    fb_cat = rng.choice(CONCERN_AREAS, size=n_fb, p=cat_w / cat_w.sum())
    fb_comp = rng.choice(cid, size=n_fb)
    for i in range(n_fb):
        age = (as_of - recv[i]).days
        days = int(np.ceil(rng.lognormal(*FEEDBACK_RESOLVE_LOGNORMAL)))    # median ~12 days, long tail
        stuck = rng.random() < FEEDBACK_STUCK_SHARE and age <= FEEDBACK_STUCK_WINDOW   # a few long-open items
        if not stuck and days <= age:
            st, res = "办结", recv[i] + timedelta(days=days)
        else:
            st, res = ("议事" if rng.random() < 0.55 else "收集"), None
        fb.append({"feedback_id": f"FB-{i + 1:05d}", "compound_id": fb_comp[i], "received_date": recv[i],
                   "category": fb_cat[i], "channel": channels[int(rng.integers(len(channels)))],
                   "summary": summaries[fb_cat[i]], "status": st, "resolved_date": res, "source": "synthetic"})
    out["feedback"] = pd.DataFrame(fb)

    # meetings
    mt = []
    def add(kind, n, start):
        # n meetings up to REPORT_END (H07/H08 count those), then the same rate up to as_of
        s_in = (REPORT_END - start).days
        n_after = round(n * (as_of - REPORT_END).days / (s_in + 1))
        offsets = np.concatenate([rng.integers(0, s_in + 1, n),
                                  s_in + 1 + rng.integers(0, (as_of - REPORT_END).days, n_after)])
        for d in sorted(offsets):
            c = prog[int(rng.integers(len(prog)))]
            comp = rng.choice(compounds.compound_id[compounds.community_code == c].to_numpy())
            topics = {"坝坝会": "改造方案征求意见", "座谈会": "居民代表座谈", "议事会": "改造议事协商",
                      "政策宣传": "老旧小区改造政策宣传", "联席会议": "每月联席协商"}
            mt.append({"meeting_date": start + timedelta(days=int(d)), "meeting_type": kind, "community_code": c,
                       "compound_id": comp if kind != "政策宣传" else None,
                       "attendees": int(rng.integers(12, 120 if kind != "联席会议" else 30)), "topic": topics[kind]})
    add("坝坝会", BABA_MEETINGS, date(2023, 3, 1))
    add("座谈会", FORUMS, date(2023, 3, 1))
    add("政策宣传", POLICY_EVENTS, date(2023, 2, 1))
    add("议事会", 58, date(2023, 4, 1))
    m = date(2023, 6, 1)
    while m <= as_of:
        for c in prog:
            mt.append({"meeting_date": m + timedelta(days=int(rng.integers(5, 25))), "meeting_type": "联席会议",
                       "community_code": c, "compound_id": None, "attendees": int(rng.integers(8, 25)),
                       "topic": "每月联席协商"})
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    meetings = pd.DataFrame(mt)
    meetings = meetings[meetings.meeting_date <= as_of].sort_values("meeting_date", kind="stable").reset_index(drop=True)
    meetings.insert(0, "meeting_id", [f"MT-{i:04d}" for i in range(1, len(meetings) + 1)])
    meetings["source"] = "synthetic"
    out["meetings"] = meetings

    # grid
    big = ["511823100005", "511823100006", "511823100007", "511823101001"]
    out["grid_party_committees"] = pd.DataFrame({
        "committee_id": [f"DW{i}" for i in range(1, 5)],
        "name": [f"{PROGRAMME_COMMUNITIES[c]}社区大党委" for c in big], "community_code": big})
    depts = ["县住建局", "县经科局", "县应急管理局", "县民政局", "县财政局", "县自然资源局", "县卫健局", "县教育局",
             "县公安局", "县市场监管局", "县人社局", "县文广旅局", "县水务局", "县交通运输局", "县综合执法局", "县司法局"]
    out["grid_committee_members"] = pd.DataFrame({"member_id": [f"DM{i:02d}" for i in range(1, 17)],
                                                  "committee_id": [f"DW{i % 4 + 1}" for i in range(16)],
                                                  "department": depts})
    unit_names = depts + [f"县{x}" for x in ["发改局", "统计局", "审计局", "医保局", "林业局", "农业农村局", "商务局",
                                            "信访局", "税务局", "供电公司", "烟草专卖局", "邮政公司", "融媒体中心",
                                            "档案馆", "图书馆", "文化馆", "人民医院", "中医医院", "疾控中心", "妇幼保健院",
                                            "职业中学", "第一中学", "第二中学", "实验小学", "城关小学", "总工会",
                                            "团县委", "妇联", "科协", "残联", "红十字会", "工商联", "人大办", "政协办",
                                            "纪委监委", "组织部", "宣传部", "统战部", "政法委", "编办", "老干局",
                                            "党校", "机关事务中心", "城投公司", "农商银行", "人民法院", "人民检察院",
                                            "应急救援大队", "消防救援大队", "交警大队", "气象局", "移民中心",
                                            "农机中心", "水文站", "粮食储备库", "住房公积金中心", "不动产登记中心"]]
    unit_names = unit_names[:73]
    out["grid_units"] = pd.DataFrame({"unit_id": [f"GU{i:02d}" for i in range(1, 74)], "name": unit_names,
                                      "community_code": [prog[i % 6] for i in range(73)],
                                      "party_members": allocate_total(rng, rng.lognormal(0, 0.5, 73), GRID_PARTY_MEMBERS, 4)})
    key_ids = [cid[i] for i in key_idx]
    leaders = [f"LD{i:02d}" for i in range(1, 29)]
    links = [(leaders[i], key_ids[i]) for i in range(28)] + [(leaders[0], key_ids[28]), (leaders[1], key_ids[29])]
    out["leader_links"] = pd.DataFrame(links, columns=["leader_id", "compound_id"])
    partner_names = {"物业合伙人": ["安居物业合伙人", "锦程物业合伙人", "梨城物业合伙人", "邻里管家合伙人", "楼栋长联盟"],
                     "童心合伙人": ["童心托育中心", "小太阳课后服务站", "书香童年阅读社", "七彩童年艺术坊", "阳光助学社"],
                     "商圈合伙人": ["滨湖夜市商户联盟", "梨城商贸", "花椒特产合作社", "大渡河美食街商会", "城南便民超市"]}
    prt = [{"partner_id": f"GP{j + 1:02d}", "name": n, "kind": k}
           for j, (k, n) in enumerate((k, n) for k, ns in partner_names.items() for n in ns)]
    out["partners"] = pd.DataFrame(prt)
    kinds = {"物业合伙人": "领办小区物业", "童心合伙人": "服务一老一小", "商圈合伙人": "夜间经济"}
    proj = []
    for j in range(20):
        p = prt[j % 15]
        kind = kinds[p["kind"]] if j < 15 else "便民服务"
        proj.append({"project_id": f"PP{j + 1:02d}", "name": f"{p['name']}·{kind}项目{'' if j < 15 else '二'}",
                     "kind": kind, "partner_id": p["partner_id"], "community_code": prog[j % 6],
                     "start_date": date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 600)))})
    out["partner_projects"] = pd.DataFrame(proj)
    return out


def generate(cfg: SynthConfig, layout: geo.CountyLayout) -> dict[str, pd.DataFrame]:
    """All tables (except meta/provenance/published_facts), keyed by table name."""
    ref = reference_frames()
    tables: dict[str, list[pd.DataFrame]] = {"counties": [ref["counties"]]}
    hy_towns = ref["towns"][ref["towns"].county_code == "511823"].copy()
    hy_towns["coord_quality"] = "approximate"
    seats = {"511823100": geo.HANYUAN_SEAT, "511823101": (102.768, 29.432)}
    hy_towns["lon"] = [seats.get(t, (None, None))[0] for t in hy_towns.town_code]
    hy_towns["lat"] = [seats.get(t, (None, None))[1] for t in hy_towns.town_code]
    tables["towns"] = [hy_towns]
    tables["villages"] = [ref["villages"][ref["villages"].village_code.str.startswith("511823")]]
    for r in range(cfg.scale):
        rng = np.random.default_rng([cfg.seed, r])
        for name, df in _xiangyuan(rng, cfg, r, ref, layout).items():
            tables.setdefault(name, []).append(df)
    rng = np.random.default_rng([cfg.seed, 10_000])
    for name, df in _hanyuan(rng, cfg, ref).items():
        tables.setdefault(name, []).append(df)
    # 议事结果 and next meetings: a separate RNG stream, so every table above stays identical
    hanyuan = {k: v[-1] for k, v in tables.items()}
    for name, df in consultation.generate(cfg.seed, cfg.as_of, hanyuan).items():
        tables.setdefault(name, []).append(df)
    return {k: pd.concat(v, ignore_index=True) if len(v) > 1 else v[0] for k, v in tables.items()}
