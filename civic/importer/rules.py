"""Per-entity rules: a row's validated cells, checked against the lookups and across fields, become a
table row (Rec) or row-level problems."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable

from civic.domain import DECIDING_MEETING_TYPES
from civic.importer.cells import _fmt_num, _is_blank, _nfkc, _suggest
from civic.importer.lookups import Bad, Lookups
from civic.importer.problems import Problem
from civic.importer.specs import PARTICIPANT_CAP, WORK_QTY_CAP, Entity
from civic.text import pii


# ── per-entity rules: validated cells → table row ─────────────────────────────────────────────
@dataclass
class Rec:
    row: int
    key: tuple
    values: dict                    # the full table row for an insert (without the id)
    update: dict                    # the columns to overwrite when the key already exists
    display: dict                   # what the preview shows
    site_fallback: tuple | None = None   # sites: (village_code,) to match a station by village


class RowCtx:
    def __init__(self, ent: Entity, row: int, raw: dict, lk: Lookups):
        self.ent, self.row, self.raw, self.lk = ent, row, raw, lk
        self.problems: list[Problem] = []

    def bad(self, field_name: str, reason: str, code: str = "invalid", value=None) -> None:
        col = self.ent.col(field_name)
        v = self.raw.get(field_name) if value is None else value
        self.problems.append(Problem(self.row, col.zh, pii.mask(_show(v))[:60], reason, code))

    def resolve(self, field_name: str, fn: Callable[[str], str]) -> str | None:
        v = self.raw.get(field_name)
        if _is_blank(v):
            return None
        if self.ent.col(field_name).zh in {p.column for p in self.problems if p.row == self.row}:
            return None     # already reported (too long, personal data …): no lookup, no did-you-mean
        try:
            return fn(str(v).strip())
        except Bad as b:
            self.bad(field_name, b.reason, b.code)
            return None


def _show(v) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and math.isfinite(v) and v == int(v):
        return str(int(v))
    return str(v)


def _place_site(cx: RowCtx, m, counties: set[str], default_institute: bool = True) -> str | None:
    """Town / village / site columns → the site an activity, wish or training belongs to."""
    lk = cx.lk
    town = cx.resolve("town", lambda s: lk.town(s, counties))
    village = cx.resolve("village", lambda s: lk.village(s, town, counties))
    if cx.problems:
        return None
    if not _is_blank(cx.raw.get("site")):
        return cx.resolve("site", lambda s: lk.site(s, town, village, counties))
    if village:
        sid = lk.station_of.get(village)
        if sid is None:
            cx.bad("village", f"\"{cx.raw['village']}\"还没有实践站，请在「实践站点」填写站点名称", "unknown_site")
        return sid
    if town and default_institute:
        sid = lk.institute_of.get(town)
        if sid is None:
            cx.bad("town", f"{lk.towns[town]['name']}没有实践所，请填写所属村或实践站点", "unknown_site")
        return sid
    if town:
        cx.bad("village", "请填写所属村或实践站点", "required", value="")
        return None
    cx.bad("village" if "village" in {c.name for c in cx.ent.cols} else "site",
           "乡镇、所属村、实践站点至少填写一项", "required", value="")
    return None


def _rule_activities(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    sid = _place_site(cx, m, lk.practice_counties)
    team = cx.resolve("team", lk.team)
    if sid is None:
        return None
    level = lk.sites[sid]["level"]
    cap = PARTICIPANT_CAP.get(level, 5000)
    if m.participants is not None and m.participants > cap:
        cx.bad("participants", f"参与人数 {m.participants:,} 对{_LEVEL_WORD[level]}活动不合理（上限 {cap:,}），请核对", "absurd")
    if None not in (m.participants, m.volunteers) and m.volunteers > m.participants:
        cx.bad("volunteers", f"志愿者人数（{m.volunteers}）不能多于参与人数（{m.participants}）", "inconsistent")
    if None not in (m.hours, m.volunteers) and m.hours > max(m.volunteers, 1) * 24:
        cx.bad("hours", f"服务时长 {_fmt_num(m.hours)} 小时超过志愿者人数×24 小时，请核对", "absurd")
    if cx.problems:
        return None
    vals = {"activity_date": m.activity_date, "site_id": sid, "team_id": team, "service_type": m.service_type,
            "theme": m.theme, "campaign_id": None, "title": m.title, "participants": m.participants,
            "volunteers": m.volunteers, "beneficiaries": m.beneficiaries, "hours": m.hours, "source": "import"}
    upd = {k: vals[k] for k in ("team_id", "service_type", "theme", "participants", "volunteers", "beneficiaries",
                                "hours", "source")}
    return Rec(cx.row, (m.activity_date, sid, m.title), vals, upd, {"站点": lk.sites[sid]["name"]})


_LEVEL_WORD = {"站": "村级", "基地": "基地", "所": "乡镇级", "中心": "县级"}


def _coords(cx: RowCtx, m, county: str) -> tuple[float | None, float | None]:
    lon, lat = m.lon, m.lat
    if lon is None and lat is None:
        return None, None
    if lon is None or lat is None:
        cx.bad("lon" if lon is None else "lat", "经度和纬度须同时填写", "required", value="")
        return None, None
    if not cx.lk.in_bbox(county, lon, lat):
        if cx.lk.in_bbox(county, lat, lon):
            cx.bad("lon", f"经纬度可能填反了（经度 {lon}，纬度 {lat}）", "bad_coords")
        else:
            name = cx.lk.counties.get(county, {}).get("name", county)
            cx.bad("lon", f"坐标（{lon}, {lat}）不在{name}范围内，请使用 GCJ-02 坐标（高德/腾讯拾取器）", "bad_coords")
        return None, None
    return round(lon, 6), round(lat, 6)


def _rule_sites(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    counties = lk.practice_counties
    town = cx.resolve("town", lambda s: lk.town(s, counties))
    village = cx.resolve("village", lambda s: lk.village(s, town, counties))
    if village and not town:
        town = lk.villages[village]["town_code"]
    if cx.problems or not m.name or not m.level:
        return None
    existing = lk.site_by_name.get(_nfkc(m.name), [])
    if len(existing) > 1 and village:
        existing = [s for s in existing if lk.sites[s]["village_code"] == village]
    if len(existing) > 1:
        cx.bad("name", f"已有多个名为\"{m.name}\"的站点，请填写所属村以区分", "ambiguous")
        return None
    if not existing and m.level == "站" and village and village in lk.station_of:
        existing = [lk.station_of[village]]
    county = (_check_known_site(cx, m, lk.sites[existing[0]], town, village) if existing
              else _check_new_site(cx, m, town, village))
    if county is None:
        return None
    if m.base_kind and m.level != "基地":
        cx.bad("base_kind", "只有基地填写基地类型", "conflict")
    lon, lat = _coords(cx, m, county)
    if cx.problems:
        return None
    if existing:
        return _site_update(cx, m, existing[0], lon, lat)
    return _site_insert(cx, m, county, town, village, lon, lat)


def _check_known_site(cx: RowCtx, m, old: dict, town: str | None, village: str | None) -> str:
    """A row naming a site the snapshot has: its level and place may not change. Returns its county."""
    lk = cx.lk
    if old["level"] != m.level:
        cx.bad("level", f"已有站点\"{old['name']}\"的级别为「{old['level']}」，不能改为「{m.level}」", "conflict")
    if town and old["town_code"] and town != old["town_code"]:
        cx.bad("town", f"已有站点\"{old['name']}\"属于{lk.towns[old['town_code']]['name']}，不能改为其他乡镇", "conflict")
    if village and old["village_code"] and village != old["village_code"]:
        cx.bad("village", f"已有站点\"{old['name']}\"属于{lk.villages[old['village_code']]['name']}，不能改为其他村",
               "conflict")
    return old["county_code"]


def _check_new_site(cx: RowCtx, m, town: str | None, village: str | None) -> str | None:
    """A row adding a site: what a new 所/站/基地 needs. Returns its county, or None when the row stops here."""
    lk = cx.lk
    if m.level == "中心":
        cx.bad("level", "不能通过导入新增县级实践中心", "conflict")
        return None
    if not town:
        cx.bad("town", "新增的所、站、基地必须填写乡镇", "required", value="")
        return None
    if m.level == "站":
        if not village:
            cx.bad("village", "新增实践站必须填写所属村", "required", value="")
            return None
        if lk.villages[village]["kind"] == "虚拟社区":
            cx.bad("village", "虚拟社区不设实践站", "conflict")
    if m.level == "所" and town in lk.institute_of:
        cx.bad("name", f"{lk.towns[town]['name']}已有实践所\"{lk.sites[lk.institute_of[town]]['name']}\"", "conflict")
    if m.level != "站" and village:
        cx.bad("village", "只有实践站填写所属村（基地、所请留空）", "conflict")
    if m.lon is None or m.lat is None:
        cx.bad("lon", "新增站点必须填写经纬度", "required", value="")
    return lk.towns[town]["county_code"]


def _site_update(cx: RowCtx, m, site_id: str, lon: float | None, lat: float | None) -> Rec:
    upd: dict[str, Any] = {"name": m.name}
    if lon is not None:
        upd.update(lon=lon, lat=lat, coord_quality="imported")
    if m.base_kind:
        upd["base_kind"] = m.base_kind
    if m.opened_date:
        upd["opened_date"] = m.opened_date
    return Rec(cx.row, (site_id,), {}, upd, {"操作对象": cx.lk.sites[site_id]["name"]}, site_fallback=(site_id,))


def _site_insert(cx: RowCtx, m, county: str, town: str | None, village: str | None,
                 lon: float | None, lat: float | None) -> Rec:
    lk = cx.lk
    parent = f"C-{county}" if f"C-{county}" in lk.sites else None
    if m.level == "站" and town:
        parent = lk.institute_of.get(town, parent)
    vals = {"level": m.level, "name": m.name, "county_code": county, "town_code": town, "village_code": village,
            "parent_site_id": parent, "base_kind": m.base_kind or (None if m.level != "基地" else "其他"),
            "lon": lon, "lat": lat, "coord_quality": "imported", "opened_date": m.opened_date}
    return Rec(cx.row, ("new", m.name), vals, {}, {"操作对象": m.name})


def _rule_teams(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    counties = lk.practice_counties
    town = cx.resolve("town", lambda s: lk.town(s, counties))
    site = cx.resolve("site", lambda s: lk.site(s, town, None, counties))
    if cx.problems or not m.name or not m.team_type:
        return None
    if site and not town:
        town = lk.sites[site]["town_code"]
    if m.team_type in ("分队", "站队") and not town:
        cx.bad("town", f"{m.team_type}必须填写乡镇", "required", value="")
        return None
    county = lk.towns[town]["county_code"] if town else (
        lk.sites[site]["county_code"] if site else sorted(c for c in counties if not lk.counties[c]["is_replica"])[0])
    existing = lk.team_by_name.get(_nfkc(m.name), [])
    if len(existing) > 1:
        cx.bad("name", f"已有多个名为\"{m.name}\"的队伍，无法确定更新哪一个", "ambiguous")
        return None
    head = f"T-{county}-0000" if f"T-{county}-0000" in lk.teams else None
    parent = head
    if m.team_type == "站队" and town and f"T-{town}-F" in lk.teams:
        parent = f"T-{town}-F"
    if m.team_type == "总队":
        parent = None
    vals = {"name": m.name, "team_type": m.team_type, "county_code": county, "town_code": town, "site_id": site,
            "parent_team_id": parent, "specialty": m.specialty, "members": m.members, "founded_date": m.founded_date}
    upd = {k: vals[k] for k in ("team_type", "town_code", "site_id", "specialty", "members", "founded_date")}
    return Rec(cx.row, (m.name,), vals, upd, {})


def _rule_wishes(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    sid = _place_site(cx, m, lk.practice_counties, default_institute=False)
    branch = cx.resolve("branch", lk.branch)
    if m.status in ("认领", "完成"):
        if _is_blank(cx.raw.get("branch")):
            cx.bad("branch", f"状态为“{m.status}”时必须填写认领党支部", "required", value="")
        if m.claimed_date is None and "claimed_date" not in _failed(cx):
            cx.bad("claimed_date", f"状态为“{m.status}”时必须填写认领日期", "required", value="")
    if m.status == "完成" and m.done_date is None and "done_date" not in _failed(cx):
        cx.bad("done_date", "状态为“完成”时必须填写完成日期", "required", value="")
    if m.status == "发布" and m.done_date is not None:
        cx.bad("done_date", "状态为“发布”的心愿不应有完成日期", "inconsistent")
    if m.published_date and m.claimed_date and m.claimed_date < m.published_date:
        cx.bad("claimed_date", f"认领日期 {m.claimed_date} 早于发布日期 {m.published_date}", "inconsistent")
    if m.claimed_date and m.done_date and m.done_date < m.claimed_date:
        cx.bad("done_date", f"完成日期 {m.done_date} 早于认领日期 {m.claimed_date}", "inconsistent")
    if cx.problems or sid is None:
        return None
    done = m.done_date if m.status == "完成" else None
    vals = {"branch_id": branch if m.status != "发布" else branch, "site_id": sid, "category": m.category,
            "title": m.title, "status": m.status, "published_date": m.published_date,
            "claimed_date": m.claimed_date, "done_date": done, "source": "import"}
    upd = {k: vals[k] for k in ("branch_id", "category", "status", "claimed_date", "done_date", "source")}
    return Rec(cx.row, (sid, m.title, m.published_date), vals, upd, {"站点": lk.sites[sid]["name"]})


def _failed(cx: RowCtx) -> set[str | None]:
    names = {c.zh: c.name for c in cx.ent.cols}
    return {names.get(p.column) for p in cx.problems}


def _rule_trainings(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    sid = _place_site(cx, m, lk.practice_counties)
    if cx.problems or sid is None:
        return None
    vals = {"training_date": m.training_date, "site_id": sid, "title": m.title, "trainees": m.trainees,
            "is_free": True if m.is_free is None else m.is_free, "source": "import"}
    upd = {k: vals[k] for k in ("trainees", "is_free", "source")}
    return Rec(cx.row, (m.training_date, sid, m.title), vals, upd, {"站点": lk.sites[sid]["name"]})


def _rule_compounds(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    counties = lk.renovation_counties
    town = cx.resolve("town", lambda s: lk.town(s, counties))
    comm = cx.resolve("community", lambda s: lk.village(s, town, counties, communities_only=True))
    if cx.problems or not m.name:
        return None
    town = lk.villages[comm]["town_code"]
    if m.households is not None and m.buildings is not None and m.households < m.buildings:
        cx.bad("households", f"户数（{m.households}）少于楼栋数（{m.buildings}），请核对", "inconsistent")
    if m.households and m.floor_area_m2:
        per = m.floor_area_m2 / m.households
        if not 15 <= per <= 600:
            cx.bad("floor_area_m2", f"户均建筑面积 {per:,.0f} 平方米不合理（应在 15–600 之间），请核对", "absurd")
    existing = lk.compound_by_name.get(_nfkc(m.name), [])
    county = lk.towns[town]["county_code"]
    lon, lat = _coords(cx, m, county)
    if cx.problems:
        return None
    vals = {"name": m.name, "community_code": comm, "town_code": town, "compound_type": m.compound_type,
            "batch": m.batch, "status": m.status, "buildings": m.buildings, "households": m.households,
            "floor_area_m2": m.floor_area_m2, "built_year": m.built_year,
            "is_key": bool(m.is_key), "in_governance_scope": bool(m.in_governance_scope),
            "lon": lon, "lat": lat, "coord_quality": "imported" if lon is not None else "approximate"}
    upd = {k: v for k, v in vals.items() if k != "name"}
    if existing:
        if lon is None:   # keep the position already known
            for k in ("lon", "lat", "coord_quality"):
                upd.pop(k)
        if m.is_key is None:
            upd.pop("is_key")
        if m.in_governance_scope is None:
            upd.pop("in_governance_scope")
    return Rec(cx.row, (m.name,), vals, upd, {"社区": lk.villages[comm]["name"]})


def _rule_works(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    cid = cx.resolve("compound", lk.compound)
    if m.category is not None and m.category not in lk.work_units:
        cx.bad("category", _choice_reason(m.category, lk.work_units), "bad_choice")
    if cx.problems or cid is None:
        return None
    unit = lk.work_units[m.category]
    cap = WORK_QTY_CAP.get(unit, 100_000)
    for f in ("planned_qty", "done_qty"):
        v = getattr(m, f)
        if v is not None and v > cap:
            cx.bad(f, f"数值 {_fmt_num(v)} {unit} 对一个小区不合理（上限 {cap:,} {unit}），请核对", "absurd")
    if None not in (m.planned_qty, m.done_qty) and m.done_qty > m.planned_qty:
        cx.bad("done_qty", f"完成量（{_fmt_num(m.done_qty)}）大于计划量（{_fmt_num(m.planned_qty)}）", "inconsistent")
    if m.done_date and m.done_qty is not None and m.planned_qty is not None and m.done_qty < m.planned_qty:
        cx.bad("done_date", "未全部完成时不应填写完成日期", "inconsistent")
    if cx.problems:
        return None
    vals = {"compound_id": cid, "category": m.category, "planned_qty": m.planned_qty, "done_qty": m.done_qty,
            "done_date": m.done_date, "source": "import"}
    upd = {k: vals[k] for k in ("planned_qty", "done_qty", "done_date", "source")}
    return Rec(cx.row, (cid, m.category), vals, upd, {"小区编号": cid, "单位": unit})


def _choice_reason(v: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    hint = _suggest(v, allowed)
    return f"“{v}”不是允许的值（允许：{'、'.join(allowed)}）" + (f"，是否为“{hint}”？" if hint else "")


def _rule_feedback(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    cid = cx.resolve("compound", lk.compound)
    if m.category is not None and m.category not in lk.concern_areas:
        cx.bad("category", _choice_reason(m.category, lk.concern_areas), "bad_choice")
    if m.status == "办结" and m.resolved_date is None and "resolved_date" not in _failed(cx):
        cx.bad("resolved_date", "状态为“办结”时必须填写办结日期", "required", value="")
    if m.status in ("收集", "议事") and m.resolved_date is not None:
        cx.bad("resolved_date", f"状态为“{m.status}”的诉求不应有办结日期", "inconsistent")
    if m.received_date and m.resolved_date and m.resolved_date < m.received_date:
        cx.bad("resolved_date", f"办结日期 {m.resolved_date} 早于收到日期 {m.received_date}", "inconsistent")
    if cx.problems or cid is None:
        return None
    vals = {"compound_id": cid, "received_date": m.received_date, "category": m.category, "channel": m.channel,
            "summary": m.summary, "status": m.status, "resolved_date": m.resolved_date, "source": "import"}
    upd = {k: vals[k] for k in ("channel", "status", "resolved_date", "source")}
    return Rec(cx.row, (cid, m.received_date, m.category, m.summary), vals, upd, {"小区编号": cid})


def _rule_meetings(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    counties = lk.renovation_counties
    comm = cx.resolve("community", lambda s: lk.village(s, None, counties, communities_only=True))
    cid = cx.resolve("compound", lk.compound)
    if cx.problems:
        return None
    if cid and comm and lk.compounds[cid]["community_code"] != comm:
        other = lk.villages[lk.compounds[cid]["community_code"]]["name"]
        cx.bad("compound", f"小区\"{cx.raw['compound']}\"属于{other}，不属于{lk.villages[comm]['name']}", "place_mismatch")
        return None
    if cid and not comm:
        comm = lk.compounds[cid]["community_code"]
    if not comm:
        cx.bad("community", "所属社区和小区名称至少填写一项", "required", value="")
        return None
    vals = {"meeting_date": m.meeting_date, "meeting_type": m.meeting_type, "community_code": comm,
            "compound_id": cid, "attendees": m.attendees, "topic": m.topic, "source": "import"}
    upd = {k: vals[k] for k in ("attendees", "source")}
    return Rec(cx.row, (m.meeting_date, m.meeting_type, comm, cid, m.topic), vals, upd,
               {"社区": lk.villages[comm]["name"]})


def _decision_meeting(cx: RowCtx, m) -> str | None:
    """The meeting a decision row refers to (by 会议编号, else 小区 + 日期 + 类型); it must exist and be a meeting
    whose outcome is published (坝坝会 / 座谈会 / 议事会 of a compound)."""
    lk = cx.lk
    cid = cx.resolve("compound", lk.compound)
    if cx.problems:
        return None
    by_id = not _is_blank(cx.raw.get("meeting"))
    try:
        mid = lk.meeting(str(cx.raw["meeting"]).strip() if by_id else None, cid, m.meeting_date, m.meeting_type)
    except Bad as b:
        where = "meeting" if by_id else ("compound" if cid is None else "meeting_date")
        cx.bad(where, b.reason, b.code)
        return None
    mt = lk.meetings[mid]
    for field_name, have, want in (("compound", cid, mt["compound_id"]), ("meeting_date", m.meeting_date, mt["meeting_date"]),
                                   ("meeting_type", m.meeting_type, mt["meeting_type"])):
        if have is not None and have != want:
            shown = lk.compounds[want]["name"] if field_name == "compound" and want else want
            cx.bad(field_name, f"与会议 {mid} 不一致（该会议为 {shown}）", "conflict")
    if mt["compound_id"] is None or mt["meeting_type"] not in DECIDING_MEETING_TYPES:
        cx.bad("meeting" if by_id else "meeting_type", f"会议 {mid} 是{mt['meeting_type']}"
               f"{'' if mt['compound_id'] else '（未关联小区）'}；只有小区的{'、'.join(DECIDING_MEETING_TYPES)}记录议事结果",
               "conflict", value=mid)
    return None if cx.problems else mid


def _rule_decisions(cx: RowCtx, m) -> Rec | None:
    mid = _decision_meeting(cx, m)
    if mid is None:
        return None
    mt = cx.lk.meetings[mid]
    kind, held = mt["meeting_type"], mt["meeting_date"]
    if kind == "议事会" and m.approval is None and "approval" not in _failed(cx):
        cx.bad("approval", "议事会的决定须报镇党委审批：请填写“报镇党委审批”或“通过”", "required", value="")
    if kind != "议事会" and m.approval is not None:
        cx.bad("approval", f"{kind}只收集意见，不报镇党委审批：审批状态请留空", "inconsistent")
    if m.approval == "通过" and m.approved_date is None and "approved_date" not in _failed(cx):
        cx.bad("approved_date", "审批状态为“通过”时必须填写审批通过日期", "required", value="")
    if m.approval != "通过" and m.approved_date is not None:
        cx.bad("approved_date", "只有审批状态为“通过”时填写审批通过日期", "inconsistent")
    if m.approved_date is not None and m.approved_date < held:
        cx.bad("approved_date", f"审批通过日期 {m.approved_date} 早于会议日期 {held}", "inconsistent")
    if cx.problems:
        return None
    vals = {"meeting_id": mid, "decision": m.decision, "approval": m.approval, "approved_date": m.approved_date,
            "source": "import"}
    upd = {k: vals[k] for k in ("decision", "approval", "approved_date", "source")}
    return Rec(cx.row, (mid,), vals, upd, {"会议": f"{mid} {held} {kind}"})


def _rule_scheduled(cx: RowCtx, m) -> Rec | None:
    lk = cx.lk
    cid = cx.resolve("compound", lk.compound)
    as_of = lk.as_of()
    # the public page shows an announcement only while it is ahead of the data's day
    if m.meeting_date is not None and m.meeting_date <= as_of:
        cx.bad("meeting_date", f"会议预告的日期须晚于数据截至日期 {as_of}；已召开的会议请在「议事会议」中导入",
               "inconsistent")
    if cid is not None and lk.compounds[cid]["status"] == "完成":
        cx.bad("compound", f"小区\"{lk.compounds[cid]['name']}\"已完成改造，不再预告改造议事会议", "conflict")
    if cx.problems or cid is None:
        return None
    vals = {"compound_id": cid, "meeting_date": m.meeting_date, "meeting_type": m.meeting_type, "topic": m.topic,
            "source": "import"}
    upd = {k: vals[k] for k in ("meeting_type", "topic", "source")}
    return Rec(cx.row, (cid, m.meeting_date), vals, upd, {"小区编号": cid})


RULES: dict[str, Callable[[RowCtx, Any], Rec | None]] = {
    "activities": _rule_activities, "sites": _rule_sites, "teams": _rule_teams, "micro_wishes": _rule_wishes,
    "trainings": _rule_trainings, "compounds": _rule_compounds, "works": _rule_works, "feedback": _rule_feedback,
    "meetings": _rule_meetings, "meeting_decisions": _rule_decisions, "scheduled_meetings": _rule_scheduled,
}
