"""汉源: old-compound renovation and co-governance (compounds, works, feedback, policy events, bodies)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from civic.demo import geo
from civic.demo.calibration import (
    BABA_MEETINGS,
    BODY_COUNTS,
    BUILDINGS_TOTAL,
    COMPLETION_DELAY,
    COMPOUNDS,
    DONE_FLOOR_AREA,
    FEEDBACK_RESOLVE_LOGNORMAL,
    FEEDBACK_STUCK_SHARE,
    FEEDBACK_STUCK_WINDOW,
    FEEDBACK_TOTAL,
    FORUMS,
    GOVERNANCE_SCOPE,
    GRID_PARTY_MEMBERS,
    POLICY_EVENTS,
    PROGRAMME_COMMUNITIES,
    PROPERTY_FIRMS,
    REPORT_END,
    REPORTING_YEAR,
    WORK_UNITS,
    WORKS_DONE,
)
from civic.demo.common import SynthConfig, allocate_total
from civic.demo.vocabulary import CONCERN_AREAS, SERVICE_FACILITY_AREAS


def tables(rng: np.random.Generator, cfg: SynthConfig, ref: dict) -> dict:
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
            starts: list[date] = []
            ends: list[date] = []
            for k in range(3):
                starts.append(a0)
                a0 = a0 + timedelta(days=stage_len[k])
                ends.append(a0)
            done_day = min(a0, complete_by)
            if a0 > complete_by:   # squeeze the chain so the compound is done by the reporting year's end
                shift = a0 - complete_by
                starts = [d - shift for d in starts]
                ends = [d - shift for d in ends]
            a_starts: list[date | None] = [*starts, done_day]
            a_ends: list[date | None] = [*ends, done_day]
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
    work_rows: list[tuple[str, str, float, float, date | None]] = []
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
    for c_i in np.flatnonzero(batch != "储备一批"):
        cost = area[c_i] * rng.uniform(160, 320)
        mix = rng.dirichlet(np.array(list(shares.values())) * 40)
        for (src, _), m in zip(shares.items(), mix):
            fund_rows.append({"compound_id": cid[c_i], "source": src, "amount_yuan": round(cost * m, -2)})
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

    out["feedback"] = _feedback(rng, cfg, cid)

    out["meetings"] = _meetings(rng, as_of, prog, compounds)

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
        partner = prt[j % 15]
        kind = kinds[partner["kind"]] if j < 15 else "便民服务"
        proj.append({"project_id": f"PP{j + 1:02d}", "name": f"{partner['name']}·{kind}项目{'' if j < 15 else '二'}",
                     "kind": kind, "partner_id": partner["partner_id"], "community_code": prog[j % 6],
                     "start_date": date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 600)))})
    out["partner_projects"] = pd.DataFrame(proj)
    return out


def _feedback(rng: np.random.Generator, cfg: SynthConfig, cid: list[str]) -> pd.DataFrame:
    """Co-governance feedback (×scale): H09 up to REPORT_END, the same rate after it; lognormal times to close."""
    as_of = cfg.as_of
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
    return pd.DataFrame(fb)


def _meetings(rng: np.random.Generator, as_of: date, prog: list[str], compounds: pd.DataFrame) -> pd.DataFrame:
    """坝坝会, 座谈会, policy events and 议事会 (H07, H08 up to REPORT_END) and the monthly 联席会议."""
    mt: list[dict[str, Any]] = []
    def add(kind: str, n: int, start: date) -> None:
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
    return meetings
