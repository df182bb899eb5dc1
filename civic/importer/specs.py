"""What each importable data type looks like: its columns (Chinese and English headers, kinds, bounds,
allowed values from civic/domain.py) and natural key."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from civic.domain import (
    APPROVAL_STATES,
    BASE_KINDS,
    BATCHES,
    COMPOUND_TYPES,
    DECIDING_MEETING_TYPES,
    FEEDBACK_CHANNELS,
    FEEDBACK_STATUS,
    MEETING_TYPES,
    SCHEDULED_MEETING_TYPES,
    SERVICE_TYPES,
    SITE_LEVELS,
    STAGES,
    TEAM_TYPES,
    WISH_CATEGORIES,
    WISH_STATUS,
)

# ── entity specs ──────────────────────────────────────────────────────────────────────────────
# participants at one activity, by site level ("10,000 people at a village activity" is a typo)
PARTICIPANT_CAP = {"站": 1500, "基地": 3000, "所": 3000, "中心": 5000}
# planned/done quantity of one work item per compound, by unit
WORK_QTY_CAP = {"米": 50_000, "平方米": 200_000, "户": 5_000, "个": 5_000, "处": 500, "盏": 2_000}


@dataclass(frozen=True)
class Col:
    name: str                       # English header and field name
    zh: str                         # Chinese header
    kind: str                       # text int float date bool choice lon lat ref
    required: bool = False
    note: str = ""                  # notes sheet: what to fill in (Chinese)
    example: Any = None
    choices: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    max_len: int = 60
    aliases: tuple[str, ...] = ()
    future_ok: bool = False         # dates: may be after today (plans)


@dataclass(frozen=True)
class Entity:
    name: str
    zh: str
    table: str
    id_col: str
    id_prefix: str
    cols: tuple[Col, ...]
    key_fields: tuple[str, ...]     # natural key, in table columns
    key_zh: str                     # the natural key, in words, for messages and notes
    event_dates: tuple[str, ...] = ()   # table date columns that move "数据截至" forward
    note: str = ""

    def col(self, name: str) -> Col:
        return next(c for c in self.cols if c.name == name)

    @property
    def required(self) -> list[Col]:
        return [c for c in self.cols if c.required]


_PLACE_NOTE = ("乡镇、所属村、实践站点至少填一项：填站点名称最准确；只填村时记入该村的实践站，只填乡镇时记入乡镇实践所。"
               "名称可带或不带“村委会/居委会”后缀，也可填统计用区划代码。")

ENTITIES: dict[str, Entity] = {}


def _entity(e: Entity) -> Entity:
    ENTITIES[e.name] = e
    return e


_entity(Entity(
    "activities", "志愿服务活动", "activities", "activity_id", "A",
    (Col("activity_date", "活动日期", "date", True, "活动举办日期，如 2025-03-08、2025/3/8 或 2025年3月8日", date(2025, 3, 8),
         aliases=("日期", "服务日期")),
     Col("town", "乡镇", "ref", False, "所属乡镇（街道），名称或9位代码", "古韩镇", aliases=("所属乡镇", "乡镇（街道）", "镇")),
     Col("village", "所属村", "ref", False, "所属村（社区），名称或12位代码", "西关村",
         aliases=("村（社区）", "所属村（社区）", "村", "村社区", "社区")),
     Col("site", "实践站点", "ref", False, "实践中心/所/站/基地的名称（可不填）", "",
         aliases=("站点", "站点名称", "实践站", "活动地点", "阵地")),
     Col("title", "活动名称", "text", True, "活动标题", "学雷锋志愿服务进村入户", aliases=("活动标题", "名称")),
     Col("service_type", "服务类别", "choice", True, "五类服务之一", "乡风文明", choices=SERVICE_TYPES,
         aliases=("活动类别", "服务类型", "类别")),
     Col("theme", "月度主题", "text", False, "对应的“一月一主题”（可不填）", "学雷锋志愿服务月", aliases=("主题",)),
     Col("team", "志愿队伍", "ref", False, "承办的志愿服务队伍名称（可不填）", "", aliases=("队伍", "服务队伍")),
     Col("participants", "参与人数", "int", True, "参与活动总人数（含志愿者）", 36, lo=0, hi=5000, aliases=("参加人数",)),
     Col("volunteers", "志愿者人数", "int", True, "参与的志愿者人数", 8, lo=0, hi=1000, aliases=("志愿者",)),
     Col("beneficiaries", "受益人数", "int", True, "受益群众人次", 25, lo=0, hi=5000, aliases=("受益群众", "服务对象人数")),
     Col("hours", "服务时长（小时）", "float", True, "志愿服务总时长（小时，志愿者人数×每人时长）", 16, lo=0, hi=5000,
         aliases=("服务时长", "时长", "志愿服务时长")),
     ),
    ("activity_date", "site_id", "title"), "同一日期、同一站点、同一活动名称", event_dates=("activity_date",),
    note="每行一场志愿服务活动。"))

_entity(Entity(
    "sites", "实践阵地（站点）", "sites", "site_id", "X",
    (Col("name", "站点名称", "text", True, "站点全称，如“西关村新时代文明实践站”；与已有站点同名时更新其信息",
         "西关村新时代文明实践站", aliases=("名称", "阵地名称")),
     Col("level", "级别", "choice", True, "中心 / 所 / 站 / 基地", "站", choices=SITE_LEVELS, aliases=("站点级别", "类型")),
     Col("town", "乡镇", "ref", False, "所、站、基地必填", "古韩镇", aliases=("所属乡镇",)),
     Col("village", "所属村", "ref", False, "实践站必填（每个村只有一个实践站）", "西关村",
         aliases=("村（社区）", "所属村（社区）")),
     Col("base_kind", "基地类型", "choice", False, "基地填写：" + "、".join(BASE_KINDS), "", choices=BASE_KINDS),
     Col("lon", "经度", "lon", False, "GCJ-02 经度（高德/腾讯坐标拾取器），新站点必填；填写后位置标记为实测", 113.0512,
         aliases=("经度(GCJ-02)",)),
     Col("lat", "纬度", "lat", False, "GCJ-02 纬度，与经度一起填写", 36.5338, aliases=("纬度(GCJ-02)",)),
     Col("opened_date", "启用日期", "date", False, "站点启用日期（可不填）", date(2019, 10, 1), aliases=("建成日期",)),
     ),
    ("name",), "同一站点名称（实践站也按所属村匹配）",
    note="新增站点或更新已有站点（名称、类型、坐标）。填写经纬度即以实测坐标替换示意位置。"))

_entity(Entity(
    "teams", "志愿服务队伍", "teams", "team_id", "T",
    (Col("name", "队伍名称", "text", True, "队伍全称；与已有队伍同名时更新其信息", "西关村志愿服务小队", aliases=("名称",)),
     Col("team_type", "队伍类型", "choice", True, "总队 / 分队 / 站队 / 专业队 / 协会", "站队", choices=TEAM_TYPES,
         aliases=("类型",)),
     Col("town", "乡镇", "ref", False, "分队、站队必填", "古韩镇", aliases=("所属乡镇",)),
     Col("site", "所属站点", "ref", False, "队伍所在的实践站点名称（可不填）", "西关村新时代文明实践站",
         aliases=("实践站点", "站点")),
     Col("specialty", "服务专长", "text", False, "如 理论宣讲、医疗健康、助老（可不填）", ""),
     Col("members", "队员人数", "int", True, "在册队员人数", 20, lo=0, hi=2000, aliases=("人数", "成员人数")),
     Col("founded_date", "成立日期", "date", True, "队伍成立日期", date(2020, 5, 4), aliases=("成立时间",)),
     ),
    ("name",), "同一队伍名称",
    note="新增或更新志愿服务队伍。"))

_entity(Entity(
    "micro_wishes", "微心愿", "micro_wishes", "wish_id", "W",
    (Col("published_date", "发布日期", "date", True, "心愿发布日期", date(2025, 3, 1), aliases=("日期",)),
     Col("town", "乡镇", "ref", False, "所属乡镇", "古韩镇", aliases=("所属乡镇",)),
     Col("village", "所属村", "ref", False, "心愿所在村（社区）", "西关村", aliases=("村（社区）", "所属村（社区）")),
     Col("site", "实践站点", "ref", False, "发布心愿的实践站（可不填，默认所属村的实践站）", "", aliases=("站点",)),
     Col("category", "心愿类别", "choice", True, "、".join(WISH_CATEGORIES), "助老助残", choices=WISH_CATEGORIES,
         aliases=("类别",)),
     Col("title", "心愿内容", "text", True, "心愿简述（不含个人姓名、电话等隐私信息）", "为独居老人添置取暖器", max_len=80,
         aliases=("心愿", "内容")),
     Col("status", "状态", "choice", True, "发布 / 认领 / 完成", "完成", choices=WISH_STATUS, aliases=("办理状态",)),
     Col("branch", "认领党支部", "ref", False, "认领或完成时必填：党支部名称", "西关村党支部", aliases=("认领单位", "党支部")),
     Col("claimed_date", "认领日期", "date", False, "认领或完成时必填", date(2025, 3, 3)),
     Col("done_date", "完成日期", "date", False, "完成时必填", date(2025, 3, 10)),
     ),
    ("site_id", "title", "published_date"), "同一站点、同一心愿内容、同一发布日期",
    event_dates=("published_date", "claimed_date", "done_date"), note="每行一个微心愿。"))

_entity(Entity(
    "trainings", "公益培训", "trainings", "training_id", "K",
    (Col("training_date", "培训日期", "date", True, "培训举办日期", date(2025, 4, 12), aliases=("日期",)),
     Col("town", "乡镇", "ref", False, "所属乡镇", "古韩镇", aliases=("所属乡镇",)),
     Col("village", "所属村", "ref", False, "举办村（社区）（可不填）", "", aliases=("村（社区）", "所属村（社区）")),
     Col("site", "实践站点", "ref", False, "举办培训的站点或基地名称", "职业农民培训基地", aliases=("站点", "培训地点")),
     Col("title", "培训名称", "text", True, "培训主题", "职业农民培训·果蔬种植技术", aliases=("名称", "培训主题")),
     Col("trainees", "培训人数", "int", True, "参训人次", 30, lo=0, hi=1000, aliases=("参训人数", "人数")),
     Col("is_free", "是否免费", "bool", False, "是 / 否（不填视为“是”）", "是", aliases=("免费",)),
     ),
    ("training_date", "site_id", "title"), "同一日期、同一站点、同一培训名称", event_dates=("training_date",),
    note="每行一场公益培训。"))

_entity(Entity(
    "compounds", "改造小区", "compounds", "compound_id", "HY",
    (Col("name", "小区名称", "text", True, "小区名称；与已有小区同名时更新其信息", "德鑫小区", aliases=("名称",)),
     Col("town", "乡镇", "ref", False, "可不填（由所属社区确定）；填写时须与社区一致", "富林镇", aliases=("所属乡镇",)),
     Col("community", "所属社区", "ref", True, "社区名称（可带“居委会”）或12位代码", "饮泉社区", aliases=("社区",)),
     Col("compound_type", "小区类型", "choice", True, "老旧小区 / 库区安置小区", "老旧小区", choices=COMPOUND_TYPES,
         aliases=("类型",)),
     Col("batch", "改造批次", "choice", True, "实施一批 / 谋划一批 / 储备一批", "实施一批", choices=BATCHES, aliases=("批次",)),
     Col("status", "改造状态", "choice", True, "未启动 / 设计 / 施工 / 验收 / 完成", "完成", choices=STAGES,
         aliases=("状态", "进度")),
     Col("buildings", "楼栋数", "int", True, "楼栋数", 6, lo=1, hi=200, aliases=("栋数",)),
     Col("households", "户数", "int", True, "住户户数", 168, lo=1, hi=10_000, aliases=("住户数",)),
     Col("floor_area_m2", "建筑面积（平方米）", "float", True, "总建筑面积（平方米）", 15120, lo=1, hi=2_000_000,
         aliases=("建筑面积", "面积")),
     Col("built_year", "建成年份", "int", True, "建成年份（四位数）", 1998, lo=1950, hi=date.today().year, aliases=("建成年代",)),
     Col("is_key", "重点小区", "bool", False, "是 / 否（不填视为“否”）", "否", aliases=("是否重点小区",)),
     Col("in_governance_scope", "纳入共治", "bool", False, "是否纳入小区共治统计范围（不填视为“否”）", "是",
         aliases=("纳入共治范围",)),
     Col("lon", "经度", "lon", False, "GCJ-02 经度（可不填）；填写后位置标记为实测", 102.6771),
     Col("lat", "纬度", "lat", False, "GCJ-02 纬度，与经度一起填写", 29.3499),
     ),
    ("name",), "同一小区名称", note="新增或更新改造小区。"))

_entity(Entity(
    "works", "改造工程量", "works", "work_id", "WK",
    (Col("compound", "小区名称", "ref", True, "已有小区的名称或编号", "德鑫小区", aliases=("小区",)),
     Col("category", "改造内容", "choice", True, "改造内容类别（见说明）", "管线改造", aliases=("工程类别", "类别")),
     Col("planned_qty", "计划量", "float", True, "计划工程量（单位见说明）", 120, lo=0, hi=200_000, aliases=("计划工程量",)),
     Col("done_qty", "完成量", "float", True, "累计完成工程量（不超过计划量）", 120, lo=0, hi=200_000, aliases=("完成工程量",)),
     Col("done_date", "完成日期", "date", False, "全部完成的日期（未完成可不填）", date(2025, 10, 20)),
     ),
    ("compound_id", "category"), "同一小区、同一改造内容", event_dates=("done_date",),
    note="每个小区每类改造内容一行；重复导入即更新进度。"))

_entity(Entity(
    "feedback", "群众诉求", "feedback", "feedback_id", "FB",
    (Col("compound", "小区名称", "ref", True, "已有小区的名称或编号", "德鑫小区", aliases=("小区",)),
     Col("received_date", "收到日期", "date", True, "收到诉求的日期", date(2025, 5, 6), aliases=("日期", "反映日期")),
     Col("category", "诉求类别", "choice", True, "8 个方面之一（见说明）", "排水", aliases=("类别",)),
     Col("channel", "反映渠道", "choice", True, "、".join(FEEDBACK_CHANNELS), "坝坝会", choices=FEEDBACK_CHANNELS,
         aliases=("渠道",)),
     Col("summary", "诉求内容", "text", True, "诉求简述（不含个人隐私信息）", "雨污管道堵塞", max_len=120, aliases=("内容",)),
     Col("status", "办理状态", "choice", True, "收集 / 议事 / 办结", "办结", choices=FEEDBACK_STATUS, aliases=("状态",)),
     Col("resolved_date", "办结日期", "date", False, "办结时必填", date(2025, 5, 20)),
     ),
    ("compound_id", "received_date", "category", "summary"), "同一小区、同一日期、同一类别、同一诉求内容",
    event_dates=("received_date", "resolved_date"), note="每行一条群众诉求。"))

_entity(Entity(
    "meetings", "议事会议", "meetings", "meeting_id", "MT",
    (Col("meeting_date", "会议日期", "date", True, "会议日期", date(2025, 6, 18), aliases=("日期",)),
     Col("meeting_type", "会议类型", "choice", True, "、".join(MEETING_TYPES), "坝坝会", choices=MEETING_TYPES,
         aliases=("类型",)),
     Col("community", "所属社区", "ref", False, "社区名称或代码；填了小区时可不填", "饮泉社区", aliases=("社区",)),
     Col("compound", "小区名称", "ref", False, "会议涉及的小区（可不填）", "德鑫小区", aliases=("小区",)),
     Col("attendees", "参会人数", "int", True, "参会人数", 45, lo=0, hi=2000, aliases=("人数",)),
     Col("topic", "会议主题", "text", True, "会议主题", "改造方案征求意见", aliases=("主题", "议题")),
     ),
    ("meeting_date", "meeting_type", "community_code", "compound_id", "topic"), "同一日期、类型、社区、小区和主题",
    event_dates=("meeting_date",), note="每行一场会议（坝坝会、座谈会、议事会、联席会议、政策宣传）。"))

_entity(Entity(
    "meeting_decisions", "议事结果", "meeting_decisions", "meeting_id", "MT",
    (Col("meeting", "会议编号", "ref", False, "已导入会议的编号（如 MT-0394）；不填时按小区、会议日期和会议类型查找会议",
         "MT-0394", aliases=("会议ID",)),
     Col("compound", "小区名称", "ref", False, "会议所在小区（未填会议编号时必填）", "流沙花园", aliases=("小区",)),
     Col("meeting_date", "会议日期", "date", False, "会议召开日期（未填会议编号时必填）", date(2026, 8, 12),
         aliases=("日期",)),
     Col("meeting_type", "会议类型", "choice", False, "、".join(DECIDING_MEETING_TYPES) + "（同一小区同一天有多场会议时必填）",
         "议事会", choices=DECIDING_MEETING_TYPES, aliases=("类型",)),
     Col("decision", "议事结果", "text", True,
         "会议议定的事项，用群众看得懂的话写（不含姓名、电话等个人信息）；将在居民公开页展示",
         "确定充电棚施工单位进场时间，施工期间每周通报进度", max_len=120, aliases=("议定事项", "决议", "结果")),
     Col("approval", "审批状态", "choice", False, "议事会必填：报镇党委审批 / 通过；坝坝会、座谈会不填",
         "通过",
         choices=APPROVAL_STATES, aliases=("审批",)),
     Col("approved_date", "审批通过日期", "date", False, "审批状态为“通过”时必填，不早于会议日期", date(2026, 8, 17),
         aliases=("通过日期", "审批日期")),
     ),
    ("meeting_id",), "同一场会议（每场会议一条议事结果）",
    note="每行一场会议的议事结果（会议须已在「议事会议」中导入）。议事会的决定报镇党委审批，通过后填写审批通过日期。"))

_entity(Entity(
    "scheduled_meetings", "会议预告", "scheduled_meetings", "schedule_id", "SM",
    (Col("compound", "小区名称", "ref", True, "已有小区的名称或编号", "流沙花园", aliases=("小区",)),
     Col("meeting_date", "会议日期", "date", True, "预告的会议日期，须晚于数据截至日期", date(2026, 12, 20),
         aliases=("日期", "预告日期"), future_ok=True),
     Col("meeting_type", "会议类型", "choice", True, "、".join(SCHEDULED_MEETING_TYPES), "坝坝会",
         choices=SCHEDULED_MEETING_TYPES, aliases=("类型",)),
     Col("topic", "会议主题", "text", True, "会议主题（不含个人信息）；将在居民公开页展示", "施工进度通报与问题协商",
         aliases=("主题", "议题")),
     ),
    ("compound_id", "meeting_date"), "同一小区、同一会议日期",
    note="每行一场已确定日期、尚未召开的会议，在居民公开页显示为“下次会议”。开完后请在「议事会议」中导入该会议。"))
