"""Template and sample workbooks: an .xlsx per data type with Chinese headers, a notes sheet and drop-down
lists, and realistic sample rows new to the current snapshot (the demo feed and the admin page)."""
from __future__ import annotations

import copy
import csv
import io
import os
import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from civic.domain import (
    ACTIVITY_TITLES,
    BATCHES,
    CONCERN_AREAS,
    DECIDING_MEETING_TYPES,
    FEEDBACK_CHANNELS,
    MEETING_TYPES,
    MONTH_THEMES,
    NAMED_BASES,
    SCHEDULED_MEETING_TYPES,
    SERVICE_TYPES,
    TEAM_SPECIALTIES,
)
from civic.importer import lookups
from civic.importer.cells import _fmt_num, _is_blank, _nfkc
from civic.importer.lookups import Lookups
from civic.importer.problems import DATA_SHEET, NOTES_SHEET
from civic.importer.rules import _show
from civic.importer.specs import _PLACE_NOTE, ENTITIES, Col, Entity
from civic.importer.validate import _col_letter
from civic.importer.write import _arrow, _table_types, key_match, keyed_rows
from civic.store import db, lake, snapshots

if TYPE_CHECKING:      # openpyxl is imported where a workbook is made (it is slow to import)
    from pathlib import Path

    import duckdb
    from openpyxl.worksheet.worksheet import Worksheet


# ── templates and samples ─────────────────────────────────────────────────────────────────────
def _allowed_text(ent: Entity, c: Col, lk: Lookups | None) -> str:
    if c.name == "category" and ent.name == "works":
        units = lk.work_units if lk else {}
        return "、".join(f"{k}（{u}）" for k, u in units.items()) if units else "见改造内容类别"
    if c.name == "category" and ent.name == "feedback":
        return "、".join(lk.concern_areas) if lk else "8 个方面"
    if c.choices:
        return "、".join(c.choices)
    return {"int": "整数", "float": "数字", "date": "日期", "bool": "是 / 否", "lon": "经度（数字）",
            "lat": "纬度（数字）", "ref": "名称或代码", "text": f"文字（最多 {c.max_len} 字）"}[c.kind] + (
        f"，{_fmt_num(c.lo)}–{_fmt_num(c.hi)}" if c.kind in ("int", "float") and c.hi is not None else "")


def template_bytes(entity: str, rows: list[dict] | None = None, lk: Lookups | None = None) -> bytes:
    """An .xlsx template: data sheet (Chinese headers + an example row, or the given rows) and a notes sheet."""
    import openpyxl
    ent = ENTITIES[entity]
    if lk is None:
        lk = _current_lookups()
    wb = openpyxl.Workbook()
    _data_sheet(wb.active, ent, rows, lk)
    _notes_sheet(wb.create_sheet(NOTES_SHEET), ent, lk)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _current_lookups() -> Lookups | None:
    """The current snapshot's lookups (for drop-down lists and notes), or None when there is no data yet."""
    try:
        con, path = _open_current()
        try:
            return _lookups_of(con, path)
        finally:
            con.close()
    except (snapshots.NoSnapshot, OSError):
        return None


def _open_current() -> tuple[duckdb.DuckDBPyConnection, Path | None]:
    """The current data, read-only: the published snapshot and its file, or the lake in the cluster mode
    (CIVIC_LAKE; no file)."""
    if lake.enabled():
        return lake.connect(), None
    path = snapshots.current().path
    return db.connect_read(path), path


def _lookups_of(con: duckdb.DuckDBPyConnection, path: Path | None) -> Lookups:
    """A published snapshot's lookups are built once per file (lookups.of_snapshot); the lake's each time."""
    return lookups.of_snapshot(con, path) if path is not None else Lookups(con)


def _data_sheet(ws: Worksheet, ent: Entity, rows: list[dict] | None, lk: Lookups | None) -> None:
    """Headers (red: required, blue: optional, each with its note), the example row or `rows`, drop-downs."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    ws.title = DATA_SHEET
    req_fill = PatternFill("solid", fgColor="FDE2E1")
    opt_fill = PatternFill("solid", fgColor="E8EEF7")
    for j, c in enumerate(ent.cols, start=1):
        cell = ws.cell(row=1, column=j, value=c.zh)
        cell.font = Font(bold=True)
        cell.fill = req_fill if c.required else opt_fill
        cell.alignment = Alignment(horizontal="center")
        cell.comment = Comment(("必填。" if c.required else "选填。") + c.note, "civic")
        ws.column_dimensions[_col_letter(j - 1)].width = max(10, min(30, len(c.zh) * 2 + 4))
    body = rows if rows is not None else [{c.name: c.example for c in ent.cols}]
    for i, r in enumerate(body, start=2):
        for j, c in enumerate(ent.cols, start=1):
            v = r.get(c.name)
            if _is_blank(v):
                continue
            cell = ws.cell(row=i, column=j, value=v)
            if isinstance(v, date):
                cell.number_format = "yyyy-mm-dd"
            if rows is None:
                cell.font = Font(italic=True, color="808080")
    ws.freeze_panes = "A2"
    _drop_downs(ws, ent, lk, len(body))


def _drop_downs(ws: Worksheet, ent: Entity, lk: Lookups | None, n_body: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation
    for j, c in enumerate(ent.cols, start=1):
        choices = c.choices or ((tuple(lk.work_units) if ent.name == "works" and c.name == "category" else
                                 lk.concern_areas if ent.name == "feedback" and c.name == "category" else ())
                                if lk else ())
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=not c.required,
                                showErrorMessage=False)
            ws.add_data_validation(dv)
            dv.add(f"{_col_letter(j - 1)}2:{_col_letter(j - 1)}{max(n_body + 1, 1000)}")


def _notes_sheet(notes: Worksheet, ent: Entity, lk: Lookups | None) -> None:
    """填写说明: what the data type is, how rows are recognised, and each column's format and allowed values."""
    from openpyxl.styles import Alignment, Font
    notes.append([f"模板：{ent.zh}（{ent.name}）"])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append([ent.note + f" 同一条记录以「{ent.key_zh}」识别：重复导入会更新而不会重复计数。"])
    notes.append(["第一张工作表第 1 行是列名（中文或英文均可），第 2 行起每行一条记录；灰色斜体的示例行导入时会被跳过。"
                  "日期可写 2025-03-08、2025/3/8 或 2025年3月8日。不要以 = + - @ 开头填写文字。"])
    notes.append([])
    notes.append(["列名", "英文列名", "是否必填", "格式 / 允许值", "示例", "说明"])
    for cell in notes[5]:
        cell.font = Font(bold=True)
    for c in ent.cols:
        notes.append([c.zh, c.name, "必填" if c.required else "选填", _allowed_text(ent, c, lk), _show(c.example),
                      c.note])
    if any(c.name in ("town", "village", "site") for c in ent.cols) and ent.name in (
            "activities", "micro_wishes", "trainings"):
        notes.append([])
        notes.append(["地点", "", "", _PLACE_NOTE])
    for col, w in zip("ABCDEF", (18, 18, 10, 48, 24, 60)):
        notes.column_dimensions[col].width = w
    for row in notes.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def sample_rows(entity: str, n: int, seed: int | None = None, con=None, day: date | None = None) -> list[dict]:
    """N valid, realistic records that are new to the current snapshot (importing them adds exactly N rows).
    Dates fall in the last weeks up to 数据截至, or all on `day` (the demo feed uses today)."""
    own = con is None
    if own:
        con, path = _open_current()
    try:
        lk = copy.copy(_lookups_of(con, path) if own else Lookups(con))    # a copy: sample_day is ours
        lk.sample_day = day
        rng = random.Random(seed if seed is not None else int.from_bytes(os.urandom(8), "big"))
        gen = _SAMPLERS[entity]
        ent = ENTITIES[entity]
        rows: list[dict] = []
        keys: set = set()
        tries = 0
        limit = n * 50 + 200
        while len(rows) < n:
            # Candidates are drawn in batches and only their keys are looked up (never the whole table:
            # 4 M activity keys at province scale took 8 s). The draws and the skips are those of a
            # one-by-one loop, so a seed gives the same rows as before.
            batch = [gen(rng, lk, len(rows)) for _ in range(min(max(2 * (n - len(rows)), 16), limit - tries))]
            if not batch:
                raise ValueError(f"只能生成 {len(rows)} 条新的「{ent.zh}」记录（可用组合已用完）")
            existing = _existing_keys(con, ent, [key for _, key in batch])
            for r, key in batch:
                tries += 1
                if key in existing or key in keys:
                    continue
                keys.add(key)
                rows.append(r)
                if len(rows) == n:
                    break
        return rows
    finally:
        if own:
            con.close()


def _existing_keys(con, ent: Entity, candidates: list[tuple]) -> set[tuple]:
    """Which of the candidate natural keys the table already holds: one bound query over the candidates."""
    if not candidates:
        return set()
    fields = ("name",) if ent.name in ("sites", "teams", "compounds") else ent.key_fields
    types = _table_types(con, ent.table)
    cand = _arrow([dict(zip(fields, k)) for k in set(candidates)], {f: types[f] for f in fields})
    on = key_match(con, ent.table, fields, k="c")
    cols = ", ".join(f'c."{f}"' for f in fields)
    con.register("_candidates", cand)
    try:
        src = keyed_rows(con, ent, "_candidates", [k[0] for k in candidates])
        found = con.execute(f'SELECT DISTINCT {cols} FROM _candidates c SEMI JOIN {src} t ON {on}').fetchall()
    finally:
        con.unregister("_candidates")
    return {tuple(r) for r in found}


def _sample_end(lk: Lookups) -> date:
    return lk.sample_day or min(lk.as_of(), date.today())


def _recent_day(rng: random.Random, lk: Lookups, span: int = 60) -> date:
    if lk.sample_day:
        return lk.sample_day
    return _sample_end(lk) - timedelta(days=rng.randint(0, span))


def _station_place(rng: random.Random, lk: Lookups, levels=("站",)) -> tuple[str, dict]:
    key = ("stations", levels)
    if key not in lk.memo:      # drawn from for every sample row: sorted once per snapshot (70 k sites at ×100)
        lk.memo[key] = sorted(s for s, r in lk.sites.items() if r["level"] in levels
                              and r["county_code"] in lk.practice_counties
                              and not lk.counties[r["county_code"]]["is_replica"])
    sid = rng.choice(lk.memo[key])
    r = lk.sites[sid]
    place = {"town": lk.towns[r["town_code"]]["name"] if r["town_code"] else None,
             "village": lk.villages[r["village_code"]]["name"] if r["village_code"] else None,
             "site": r["name"]}
    return sid, place


def _short_site(name: str) -> str:
    for s in ("新时代文明实践中心", "新时代文明实践所", "新时代文明实践站"):
        name = name.replace(s, "")
    return name


def _s_activities(rng, lk, i):
    sid, place = _station_place(rng, lk, ("站", "站", "站", "所", "基地"))
    d = _recent_day(rng, lk, 45)
    st = rng.choice(SERVICE_TYPES)
    title = f"{_short_site(place['site'])}·{rng.choice(ACTIVITY_TITLES[st])}"
    vol = rng.randint(3, 14)
    ben = rng.randint(8, 60)
    teams = _teams_of(lk).get(sid, [])
    row = {"activity_date": d, **place, "title": title, "service_type": st,
           "theme": MONTH_THEMES[d.month] if rng.random() < 0.4 else None,
           "team": lk.teams[rng.choice(teams)]["name"] if teams and rng.random() < 0.6 else None,
           "participants": vol + ben + rng.randint(0, 6), "volunteers": vol, "beneficiaries": ben,
           "hours": vol * rng.choice([1.5, 2.0, 2.5, 3.0])}
    if row["team"] and len(lk.team_by_name.get(_nfkc(row["team"]), [])) > 1:
        row["team"] = None
    return row, (d, sid, title)


def _teams_of(lk: Lookups) -> dict[str, list[str]]:
    """Each site's teams, sorted (once per snapshot)."""
    if "teams_of" not in lk.memo:
        by_site: dict[str, list[str]] = {}
        for t in sorted(lk.teams):
            by_site.setdefault(lk.teams[t]["site_id"], []).append(t)
        lk.memo["teams_of"] = by_site
    return lk.memo["teams_of"]


def _s_sites(rng, lk, i):
    sid, place = _station_place(rng, lk, ("站",))
    r = lk.sites[sid]
    label, kind = rng.choice(NAMED_BASES)
    name = f"{place['village']}{label}"
    return ({"name": name, "level": "基地", "town": place["town"], "village": None, "base_kind": kind,
             "lon": round(r["lon"] + rng.uniform(-0.004, 0.004), 6), "lat": round(r["lat"] + rng.uniform(-0.003, 0.003), 6),
             "opened_date": _recent_day(rng, lk, 700)}, (name,))


def _s_teams(rng, lk, i):
    sid, place = _station_place(rng, lk, ("站", "所", "基地"))
    spec = rng.choice(TEAM_SPECIALTIES)
    name = f"{_short_site(place['site'])}{spec}志愿服务队"
    if rng.random() < 0.5:
        name = f"{_short_site(place['site'])}{spec}志愿服务第{rng.randint(2, 5)}队"
    return ({"name": name, "team_type": "专业队", "town": place["town"], "site": place["site"], "specialty": spec,
             "members": rng.randint(8, 45), "founded_date": _recent_day(rng, lk, 500)}, (name,))


_WISH_TITLES = {"助老助残": ["为独居老人添置取暖器", "为残疾人家庭安装扶手", "陪伴空巢老人过生日"],
                "助学": ["为留守儿童送学习用品", "为困难学生添置书桌", "课后作业辅导"],
                "生活用品": ["为困难家庭添置生活用品", "为低保户更换电饭煲", "添置过冬棉被"],
                "就医帮扶": ["陪同行动不便老人就医", "代购常用药品", "协助办理慢病卡"],
                "环境整治": ["清理村口垃圾堆放点", "修补村内小路", "清理排水沟"],
                "文体器材": ["为村文化广场添置音响", "添置乒乓球台", "为舞蹈队添置服装"],
                "农技指导": ["果树修剪技术指导", "小米种植技术指导", "大棚蔬菜病虫害防治"],
                "法律咨询": ["土地流转合同咨询", "赡养纠纷法律咨询", "务工欠薪法律援助"]}


def _s_wishes(rng, lk, i):
    sid, place = _station_place(rng, lk, ("站",))
    cat = rng.choice(sorted(_WISH_TITLES))
    title = rng.choice(_WISH_TITLES[cat])
    pub = _recent_day(rng, lk, 60)
    end = _sample_end(lk)
    status = rng.choice(["发布", "认领", "完成", "完成"])
    row = {"published_date": pub, **place, "category": cat, "title": title, "status": status,
           "branch": None, "claimed_date": None, "done_date": None}
    if status != "发布":
        town = lk.sites[sid]["town_code"]
        branches = sorted(b for b, r in lk.branches.items() if r["town_code"] == town
                          and len(lk.branch_by_name.get(_nfkc(r["name"]), [])) == 1)
        row["branch"] = lk.branches[rng.choice(branches)]["name"]
        claimed = min(end, pub + timedelta(days=rng.randint(0, 5)))
        row["claimed_date"] = claimed
        if status == "完成":
            row["done_date"] = min(end, claimed + timedelta(days=rng.randint(1, 20)))
    return row, (sid, title, pub)


def _s_trainings(rng, lk, i):
    sid, place = _station_place(rng, lk, ("所", "基地", "中心"))
    topics = ["手工挂面制作技艺", "果蔬种植技术", "电商直播带货", "家政服务技能", "中式烹调", "老年人智能手机使用",
              "急救知识", "养殖技术", "创业指导", "书法入门"]
    d = _recent_day(rng, lk, 60)
    title = f"公益培训·{rng.choice(topics)}"
    place = {**place, "village": None}
    return ({"training_date": d, **place, "title": title, "trainees": rng.randint(6, 40), "is_free": "是"},
            (d, sid, title))


def _s_compounds(rng, lk, i):
    prefixes = ["桂花", "紫荆", "玉兰", "银杏", "海棠", "青松", "瑞丰", "福瑞", "嘉禾", "南苑", "东升", "朝阳",
                "春晖", "锦华", "金沙", "月湾", "临江", "康乐", "怡和", "润泽"]
    suffix = rng.choice(["小区", "花园", "苑", "家园"])
    name = f"{rng.choice(prefixes)}{suffix}"
    if rng.random() < 0.5:
        name += rng.choice(["一期", "二期", "三期"])
    comms = sorted(c for c in lk.communities if lk.towns[lk.villages[c]["town_code"]]["county_code"] in lk.renovation_counties
                   and any(x["community_code"] == c for x in lk.compounds.values()))
    comm = rng.choice(comms)
    near = [x for x in lk.compounds.values() if x["community_code"] == comm and x["lon"] is not None]
    base = rng.choice(near) if near else None
    b = rng.randint(2, 9)
    hh = b * rng.randint(14, 30)
    ctype = "库区安置小区" if rng.random() < 0.35 else "老旧小区"
    batch = rng.choice(BATCHES)
    status = {"实施一批": rng.choice(["施工", "验收", "完成"]), "谋划一批": rng.choice(["设计", "施工"]),
              "储备一批": "未启动"}[batch]
    row = {"name": name, "town": lk.towns[lk.villages[comm]["town_code"]]["name"], "community": lk.villages[comm]["name"],
           "compound_type": ctype, "batch": batch, "status": status, "buildings": b, "households": hh,
           "floor_area_m2": round(hh * rng.uniform(68, 96)), "built_year": rng.randint(2006, 2012) if ctype == "库区安置小区"
           else rng.randint(1984, 2005), "is_key": "否", "in_governance_scope": "是" if batch != "储备一批" else "否",
           "lon": round(base["lon"] + rng.uniform(-0.003, 0.003), 6) if base else None,
           "lat": round(base["lat"] + rng.uniform(-0.002, 0.002), 6) if base else None}
    return row, (name,)


def _s_works(rng, lk, i):
    cid = rng.choice(sorted(c for c, r in lk.compounds.items()
                            if len(lk.compound_by_name.get(_nfkc(r["name"]), [])) == 1))
    cat = rng.choice(sorted(lk.work_units))
    unit = lk.work_units[cat]
    planned = {"米": rng.randint(40, 300), "平方米": rng.randint(30, 200), "户": rng.randint(10, 80)}.get(unit, rng.randint(1, 4))
    done = rng.choice([planned, round(planned * rng.uniform(0.3, 0.9))])
    return ({"compound": lk.compounds[cid]["name"], "category": cat, "planned_qty": planned, "done_qty": done,
             "done_date": _recent_day(rng, lk, 90) if done == planned else None}, (cid, cat))


def _s_feedback(rng, lk, i):
    summaries = {"道路": ["小区道路破损坑洼", "单元门前路面积水"], "电力": ["楼道照明线路老化", "楼道灯不亮"],
                 "通信": ["通信飞线杂乱", "光纤入户线路凌乱"], "供水": ["供水管道漏水", "高层水压不足"],
                 "排水": ["雨污管道堵塞", "化粪池外溢"], "燃气": ["燃气管道改造诉求", "燃气表箱锈蚀"],
                 "消防": ["消防通道被占用", "灭火器过期"], "环境卫生": ["垃圾清运不及时", "绿化带杂草丛生"]}
    cid = rng.choice(sorted(c for c, r in lk.compounds.items()
                            if len(lk.compound_by_name.get(_nfkc(r["name"]), [])) == 1))
    cat = rng.choice([c for c in CONCERN_AREAS if c in lk.concern_areas])
    d = _recent_day(rng, lk, 60)
    status = rng.choice(["收集", "议事", "办结", "办结"])
    end = _sample_end(lk)
    summary = rng.choice(summaries[cat])
    return ({"compound": lk.compounds[cid]["name"], "received_date": d, "category": cat, "channel": rng.choice(FEEDBACK_CHANNELS),
             "summary": summary, "status": status,
             "resolved_date": min(end, d + timedelta(days=rng.randint(1, 15))) if status == "办结" else None},
            (cid, d, cat, summary))


def _s_meetings(rng, lk, i):
    kind = rng.choice(MEETING_TYPES)
    topics = {"坝坝会": "改造方案征求意见", "座谈会": "居民代表座谈", "议事会": "改造议事协商",
              "政策宣传": "老旧小区改造政策宣传", "联席会议": "每月联席协商"}
    cids = sorted(c for c, r in lk.compounds.items() if len(lk.compound_by_name.get(_nfkc(r["name"]), [])) == 1)
    cid = rng.choice(cids)
    comm = lk.compounds[cid]["community_code"]
    with_compound = kind in ("坝坝会", "座谈会", "议事会")
    d = _recent_day(rng, lk, 60)
    return ({"meeting_date": d, "meeting_type": kind, "community": lk.villages[comm]["name"],
             "compound": lk.compounds[cid]["name"] if with_compound else None,
             "attendees": rng.randint(12, 110) if kind != "联席会议" else rng.randint(8, 25), "topic": topics[kind]},
            (d, kind, comm, cid if with_compound else None, topics[kind]))


def _s_decisions(rng, lk, i):
    """A decision for a compound meeting that has none yet (a 议事会's approval as the report describes it)."""
    open_ = sorted(m for m, r in lk.meetings.items() if m not in lk.decided and r["compound_id"]
                   and r["meeting_type"] in DECIDING_MEETING_TYPES and r["meeting_date"] <= _sample_end(lk))
    if not open_:
        raise ValueError("所有小区会议都已有议事结果，请先导入新的议事会议")
    mid = rng.choice(open_)
    r = lk.meetings[mid]
    cid, kind, held = r["compound_id"], r["meeting_type"], r["meeting_date"]
    work = rng.choice(sorted(lk.work_units)) if lk.work_units else "小区改造"
    text = rng.choice(_DECISION_TEXTS[kind]).format(work=work)
    row = {"meeting": None, "compound": lk.compounds[cid]["name"], "meeting_date": held, "meeting_type": kind,
           "decision": text, "approval": None, "approved_date": None}
    if len([m for m, x in lk.meetings.items() if x["compound_id"] == cid and x["meeting_date"] == held]) > 1:
        row["meeting"] = mid        # several meetings that day: name the one meant
    if kind == "议事会":
        approved = held + timedelta(days=rng.randint(4, 21))
        if approved <= _sample_end(lk):
            row.update(approval="通过", approved_date=approved)
        else:
            row["approval"] = "报镇党委审批"
    return row, (mid,)


_DECISION_TEXTS = {"坝坝会": ["多数居民同意先做{work}，意见汇总后提交议事会", "{work}方案张贴公示七天，无异议"],
                   "座谈会": ["居民代表建议{work}与雨季错开施工，已转施工单位", "座谈收集{work}意见十二条，逐条答复"],
                   "议事会": ["表决通过{work}方案，居民自筹部分按户均摊", "同意{work}分两期实施，先做主要通道"]}


def _s_scheduled(rng, lk, i):
    """An announced meeting of a compound still under way, a few weeks after the data's day."""
    cids = sorted(c for c, r in lk.compounds.items() if r["status"] != "完成"
                  and len(lk.compound_by_name.get(_nfkc(r["name"]), [])) == 1)
    cid = rng.choice(cids)
    day = max(lk.as_of(), lk.sample_day or lk.as_of()) + timedelta(days=rng.randint(6, 40))
    kind = rng.choice(SCHEDULED_MEETING_TYPES)
    topic = rng.choice(["改造方案征求意见", "施工进度通报与问题协商", "竣工验收居民评议", "小区公约修订"])
    return ({"compound": lk.compounds[cid]["name"], "meeting_date": day, "meeting_type": kind, "topic": topic},
            (cid, day))


_SAMPLERS = {"activities": _s_activities, "sites": _s_sites, "teams": _s_teams, "micro_wishes": _s_wishes,
             "trainings": _s_trainings, "compounds": _s_compounds, "works": _s_works, "feedback": _s_feedback,
             "meetings": _s_meetings, "meeting_decisions": _s_decisions, "scheduled_meetings": _s_scheduled}


def sample_bytes(entity: str, n: int, seed: int | None = None, fmt: str = "xlsx", day: date | None = None) -> bytes:
    """A filled template (xlsx) or a CSV (UTF-8 with BOM, Chinese headers) with N new records."""
    rows = sample_rows(entity, n, seed, day=day)
    if fmt == "xlsx":
        return template_bytes(entity, rows)
    ent = ENTITIES[entity]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.zh for c in ent.cols])
    for r in rows:
        w.writerow([_show(r.get(c.name)) for c in ent.cols])
    return buf.getvalue().encode("utf-8-sig")
