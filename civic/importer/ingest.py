"""Import township 台账 (Excel/CSV) as a new data version: templates, parsing, row-level validation,
all-or-nothing publishing, idempotent upserts and an audit entry.

Flow: `check(data, file_name)` is the dry run (parse, validate every row against the current snapshot,
preview what would be added/updated). `commit(...)` takes the writer lock, copies the current snapshot
(snapshots.transaction), validates again against that copy (the data may have changed since the dry
run), writes, checkpoints, closes and publishes; any problem raises ImportRejected and nothing is
published. Re-importing a file (or rows that overlap by natural key) updates instead of adding.

Validation: each cell is parsed and range-checked by a pydantic model generated from the entity spec
(types, required fields, allowed values, bounds); references (places, sites, teams, compounds …),
cross-field rules and duplicate keys are checked against lookups loaded from the snapshot. Every
problem is reported at once as (row, column, value, reason in Chinese).

DuckDB facts that shape the writer (1.5.5): an UPDATE of a row that another table references is refused
when it would touch an indexed column, and on `sites` *any* UPDATE of a referenced row is refused (its
table CHECKs couple `level` with the foreign-key columns, so DuckDB rewrites the whole row). Leaf tables
and teams/compounds are updated in place (non-key columns only); sites are written by rebuilding the
working copy from schema.sql with the changed sites table (see `_rewrite_with_sites`).
"""
from __future__ import annotations

import contextlib
import csv
import difflib
import hashlib
import io
import logging
import math
import os
import random
import re
import sys
import threading
import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, Optional

import pandas as pd
import pyarrow as pa
from pydantic import BeforeValidator, Field, ValidationError, create_model
from pydantic_core import PydanticCustomError

from civic import paths
from civic.store import db, snapshots
from civic.text import pii

log = logging.getLogger(__name__)


def _upload_limit_mb() -> int:
    """The one upload limit, in MB: `server.maxUploadSize` in .streamlit/config.toml, which Streamlit's
    uploader also enforces, so its "… MB per file" and our label and check never disagree.
    CIVIC_IMPORT_MAX_MB may lower it (tests, a smaller office machine), never raise it above the uploader's."""
    import tomllib
    try:
        conf = tomllib.loads((paths.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
        mb = int(conf["server"]["maxUploadSize"])
    except (OSError, KeyError, ValueError, TypeError, tomllib.TOMLDecodeError):
        mb = 10
    env = os.environ.get("CIVIC_IMPORT_MAX_MB")
    if env:
        try:
            mb = min(mb, max(1, int(float(env))))
        except ValueError:
            pass
    return mb


MAX_MB = _upload_limit_mb()
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ROWS = 50_000
# rows a reader may pass before it gives up (blank and header rows included): a 1M-row sheet is refused
# after reading this many, not after validating 50,000 of them
MAX_PHYSICAL_ROWS = MAX_ROWS + 1_000
# wall-clock budget of one check or import (reading, validating, planning); env for tests
TIME_BUDGET_S = float(os.environ.get("CIVIC_IMPORT_BUDGET_S", "120"))
# did-you-mean runs only on values of a plausible name length, against at most this many candidates
SUGGEST_MAX_LEN = 60
SUGGEST_MAX_CANDIDATES = 3_000
MIN_DATE = date(2000, 1, 1)
HEADER_SCAN_ROWS = 10
FORMULA_PREFIXES = ("=", "+", "-", "@")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_SHEET = "数据"
NOTES_SHEET = "填写说明"


# ── results ───────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Problem:
    """One reason a file or a row cannot be imported. `row` is the spreadsheet row number (None: file)."""
    row: int | None
    column: str
    value: str
    reason: str
    code: str = "invalid"

    def text(self) -> str:
        where = f"第{self.row}行" if self.row else ""
        col = f"「{self.column}」" if self.column else ""
        sep = "：" if (where or col) else ""
        return f"{where}{col}{sep}{self.reason}"


@dataclass
class Report:
    """The outcome of a dry run or an import."""
    file_name: str
    sha256: str
    size: int
    entity: str | None = None
    n_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preview: pd.DataFrame | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    base_version: str | None = None
    version: str | None = None
    committed: bool = False
    masked: int = 0                 # free-text cells whose personal data was masked (pii_mode="mask")
    pii_mode: str = "reject"

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return self.added + self.updated

    def problems_frame(self) -> pd.DataFrame:
        df = pd.DataFrame([{"行": p.row, "列": p.column, "值": p.value, "原因": p.reason, "说明": p.text()}
                           for p in self.problems], columns=["行", "列", "值", "原因", "说明"])
        df["行"] = df["行"].astype("Int64")
        return df

    def text(self) -> str:
        ent = ENTITIES[self.entity].zh if self.entity in ENTITIES else "未识别"
        head = f"文件 {self.file_name}（{self.size:,} 字节，sha256 {self.sha256[:12]}…）· 数据类型：{ent} · 数据行：{self.n_rows}"
        lines = [head]
        lines += [f"提示：{w}" for w in self.warnings]
        if self.problems:
            lines.append(f"发现 {len(self.problems)} 个问题，未导入任何数据：")
            lines += [f"  {p.text()}" for p in self.problems]
        else:
            verb = "已导入" if self.committed else "预检通过，可导入"
            lines.append(f"{verb}：新增 {self.added} 行，更新 {self.updated} 行，未变 {self.unchanged} 行"
                         + (f" → 数据版本 {self.version}" if self.version else ""))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"file_name": self.file_name, "sha256": self.sha256, "size": self.size, "entity": self.entity,
                "rows": self.n_rows, "ok": self.ok, "committed": self.committed, "added": self.added,
                "updated": self.updated, "unchanged": self.unchanged, "base_version": self.base_version,
                "version": self.version, "warnings": self.warnings, "masked": self.masked,
                "pii_mode": self.pii_mode,
                "problems": [{"row": p.row, "column": p.column, "value": p.value, "reason": p.reason,
                              "code": p.code, "text": p.text()} for p in self.problems]}


class ImportRejected(Exception):
    """The file has problems; nothing was written. `report.problems` lists all of them."""

    def __init__(self, report: Report):
        super().__init__(report.text())
        self.report = report


class _FileProblem(Exception):
    def __init__(self, *problems: Problem):
        super().__init__(problems[0].reason if problems else "")
        self.problems = list(problems)


def _file_problem(reason: str, code: str, column: str = "", value: str = "") -> _FileProblem:
    return _FileProblem(Problem(None, column, value, reason, code))


# ── time budget and cancellation ──────────────────────────────────────────────────────────────
# One check or import runs in one thread; its deadline and its "is anyone still waiting?" callable live
# here so that the readers and the row loop can stop it without threading arguments through every helper.
_guard = threading.local()


@contextlib.contextmanager
def _budget(seconds: float | None, cancelled: Callable[[], bool] | None):
    old = getattr(_guard, "state", None)
    _guard.state = (time.monotonic() + (seconds if seconds is not None else TIME_BUDGET_S), cancelled, seconds)
    try:
        yield
    finally:
        _guard.state = old


def _tick() -> None:
    """Raise a file-level problem when the budget is spent or the caller (an admin session) has gone."""
    state = getattr(_guard, "state", None)
    if state is None:
        return
    deadline, cancelled, seconds = state
    if cancelled is not None and cancelled():
        raise _file_problem("导入已取消（页面已关闭），未导入任何数据", "cancelled")
    if time.monotonic() > deadline:
        limit = seconds if seconds is not None else TIME_BUDGET_S
        raise _file_problem(f"文件处理超过 {limit:.0f} 秒仍未完成，已停止，未导入任何数据；请拆分后再导入", "timeout")


# ── entity specs ──────────────────────────────────────────────────────────────────────────────
SERVICE_TYPES = ("理论宣讲", "文化惠民", "项目品牌", "乡风文明", "扶危帮困")
SITE_LEVELS = ("中心", "所", "站", "基地")
BASE_KINDS = ("文化空间", "创客空间", "培训基地", "科普", "体育", "红色教育", "其他")
TEAM_TYPES = ("总队", "分队", "站队", "专业队", "协会")
WISH_CATEGORIES = ("助老助残", "助学", "生活用品", "就医帮扶", "环境整治", "文体器材", "农技指导", "法律咨询", "其他")
WISH_STATUS = ("发布", "认领", "完成")
COMPOUND_TYPES = ("老旧小区", "库区安置小区")
BATCHES = ("实施一批", "谋划一批", "储备一批")
COMPOUND_STATUS = ("未启动", "设计", "施工", "验收", "完成")
CHANNELS = ("坝坝会", "座谈会", "网格员走访", "微信群", "议事会", "热线电话")
FEEDBACK_STATUS = ("收集", "议事", "办结")
MEETING_TYPES = ("坝坝会", "座谈会", "议事会", "联席会议", "政策宣传")
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
     Col("status", "改造状态", "choice", True, "未启动 / 设计 / 施工 / 验收 / 完成", "完成", choices=COMPOUND_STATUS,
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
     Col("channel", "反映渠道", "choice", True, "、".join(CHANNELS), "坝坝会", choices=CHANNELS, aliases=("渠道",)),
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


# ── cell parsing (pydantic) ───────────────────────────────────────────────────────────────────
_UNIT_RE = re.compile(r"(人次|人|场|小时|h|个|户|栋|平方米|㎡|m²|m2|米|盏|处|次|元)$", re.I)
_DATE_RES = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "免费", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "x", "收费", "f"}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")     # Unicode category Cc, exactly
# no column allows more than 120 characters: a longer cell is reported at once and never processed further
MAX_CELL_CHARS = 200


def _nfkc(s: str) -> str:
    """The form names and keys are compared in: NFKC (full-width letters and digits → ASCII) without
    invisible format characters (zero-width space, BOM, soft hyphen …), so 'ＸＸ' and 'X\u200bX' match."""
    return pii.invisible_free(unicodedata.normalize("NFKC", s)).strip()


def _err(code: str, msg: str, **ctx) -> PydanticCustomError:
    return PydanticCustomError(code, msg, ctx or None)


def _is_blank(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and v.strip() == "")


def _parse_number(v, col: Col):
    if isinstance(v, bool):
        raise _err("bad_number", "应为数字")
    if isinstance(v, (int, float)):
        x = v
    else:
        s = _nfkc(str(v)).replace(",", "").replace(" ", "")
        s = _UNIT_RE.sub("", s)
        try:
            x = float(s)
        except ValueError:
            raise _err("bad_number", "应为数字") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise _err("bad_number", "应为数字")
    if col.kind == "int":
        if float(x) != int(x):
            raise _err("not_integer", "应为整数")
        return int(x)
    return float(x)


def excel_serial_to_date(n: float) -> date:
    return date(1899, 12, 30) + timedelta(days=int(n))


def parse_date(v) -> date:
    """2025-03-08, 2025/3/8, 2025.3.8, 2025年3月8日, 20250308, an Excel serial (45724) or a datetime."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if math.isfinite(v) and 20_000 <= v <= 80_000:
            return excel_serial_to_date(v)
        raise _err("bad_date", "不是有效日期（应如 2025-03-08）")
    s = _nfkc(str(v)).replace(" ", " ")
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return parse_date(float(s))
    for rx in _DATE_RES:
        m = rx.match(s)
        if m:
            y, mo, d = (int(g) for g in m.groups()[:3])
            try:
                day = date(y, mo, d)
            except ValueError:
                raise _err("impossible_date", "日期不存在（{y}年{mo}月{d}日）", y=y, mo=mo, d=d) from None
            hh, mm, ss = (int(g) if g else 0 for g in (m.groups()[3:] + (None, None, None))[:3])
            if hh > 23 or mm > 59 or ss > 59:
                raise _err("impossible_date", "时间不存在（{t}）", t=s.split(" ")[-1].split("T")[-1])
            return day
    raise _err("bad_date", "不是有效日期（应如 2025-03-08、2025/3/8 或 2025年3月8日）")


def _cell_validator(col: Col) -> Callable[[Any], Any]:
    def check(v):
        if _is_blank(v):
            if col.required:
                raise _err("required", "必填，不能为空")
            return None
        if col.kind in ("int", "float", "lon", "lat"):
            return _parse_number(v, col)
        if col.kind == "date":
            d = parse_date(v)
            if d > date.today() and not col.future_ok:
                raise _err("future_date", "日期 {d} 晚于今天（{today}），不能导入未来的记录",
                           d=d.isoformat(), today=date.today().isoformat())
            if d < MIN_DATE:
                raise _err("old_date", "日期 {d} 早于 2000 年，请核对", d=d.isoformat())
            return d
        if col.kind == "bool":
            s = _nfkc(str(v)).lower()
            if s in _TRUE:
                return True
            if s in _FALSE:
                return False
            raise _err("bad_bool", "应填“是”或“否”")
        if isinstance(v, float) and not math.isfinite(v):
            raise _err("bad_value", "不是有效内容（单元格是无穷大或非数值）")
        s = str(v).strip() if not isinstance(v, float) or v != int(v) else str(int(v))
        s = re.sub(r"\s+", " ", pii.invisible_free(s))
        if _CONTROL.search(s):
            raise _err("control_char", "含有不可见的控制字符")
        # length first: nothing below (did-you-mean, place lookups) should ever see a 15,000-character value
        if len(s) > col.max_len:
            raise _err("too_long", "内容过长（{n} 字，最多 {max} 字）", n=len(s), max=col.max_len)
        if col.kind == "choice" and col.choices:
            if s in col.choices:
                return s
            n = _nfkc(s)
            if n in col.choices:
                return n
            hint = _suggest(n, col.choices)
            raise _err("bad_choice", "“{v}”不是允许的值（允许：{allowed}）" + (f"，是否为“{hint}”？" if hint else ""),
                       v=s, allowed="、".join(col.choices))
        return s
    return check


def _field_type(col: Col):
    if col.kind in ("int", "float"):
        base = int if col.kind == "int" else float
        inner = Annotated[base, Field(ge=col.lo, le=col.hi)]
    elif col.kind in ("lon", "lat"):
        inner = float
    elif col.kind == "date":
        inner = date
    elif col.kind == "bool":
        inner = bool
    else:
        inner = str
    return Annotated[Optional[inner], BeforeValidator(_cell_validator(col))]


_MODELS: dict[str, type] = {}


def row_model(ent: Entity):
    """The pydantic model that parses and range-checks one row of `ent` (cached)."""
    m = _MODELS.get(ent.name)
    if m is None:
        fields = {c.name: (_field_type(c), None) for c in ent.cols}
        m = create_model(f"{ent.name.title().replace('_', '')}Row", **fields)
        _MODELS[ent.name] = m
    return m


def _pydantic_reason(e: dict, col: Col) -> tuple[str, str]:
    t = e["type"]
    ctx = e.get("ctx") or {}
    if t == "greater_than_equal":
        if ctx.get("ge") == 0:
            return "negative", f"不能为负数（{e['input']}）"
        return "too_small", f"不能小于 {_fmt_num(ctx.get('ge'))}（{e['input']}）"
    if t == "less_than_equal":
        return "absurd", f"数值 {_fmt_num(e['input'])} 超过合理上限 {_fmt_num(ctx.get('le'))}，请核对"
    if t in ("int_parsing", "float_parsing", "int_type", "float_type"):
        return "bad_number", "应为数字"
    if t.startswith("date"):
        return "bad_date", "不是有效日期"
    if t in ("bad_number", "not_integer", "bad_date", "impossible_date", "future_date", "old_date", "bad_bool",
             "bad_choice", "too_long", "required", "control_char", "bad_value"):
        return t, e["msg"]
    return "invalid", e["msg"]


def _fmt_num(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x == int(x):
        x = int(x)
    return f"{x:,}" if isinstance(x, (int, float)) else str(x)


# ── did-you-mean ──────────────────────────────────────────────────────────────────────────────
# Characters often confused in place names because they sound alike (same Mandarin syllable, any tone).
# Used only to rank did-you-mean suggestions: 西观村 → 西关村 rather than 西港村.
_SOUND_ALIKE = [
    "关观官冠馆管", "港岗刚钢", "庄装桩妆", "家加佳嘉", "河和合荷禾", "沟钩勾", "峪玉裕域预育", "坪平萍评屏瓶",
    "堡宝保报", "岭领陵令玲铃灵", "寨债", "村存", "店电殿垫", "营迎盈赢", "王望旺汪", "阳杨洋扬羊",
    "东冬董", "西希溪昔惜", "南楠难", "上尚", "下夏", "前钱潜", "后候厚侯", "山善珊", "泉全权", "湾弯",
    "桥乔侨", "城成程承诚", "新心欣馨辛", "安岸", "兴星幸杏", "林临琳霖", "石十实时", "头投", "庙妙",
    "窑姚尧遥", "韩寒含涵", "良梁粮凉", "虒斯司思", "漳章张彰樟", "里李理礼", "寺四似", "峰风丰锋枫",
    "龙隆", "福富付伏", "贤闲", "济吉集", "郭国果", "赵照", "黄皇", "常长昌", "段断", "吕旅", "任仁",
    "仙先鲜", "井景静境", "岩严", "陈晨辰", "周洲州舟", "胡湖壶", "庞旁", "白百柏", "杜渡度", "郝好",
    "园元源圆远", "沙纱", "滨宾", "饮引", "流刘留", "梨离", "九久", "富付", "林霖", "苑院愿", "花华",
]
_SOUND = {ch: g[0] for g in _SOUND_ALIKE for ch in g}


def _sound(s: str) -> str:
    return "".join(_SOUND.get(ch, ch) for ch in s)


def _similarity(a: str, b: str) -> float:
    plain = difflib.SequenceMatcher(None, a, b).ratio()
    sound = difflib.SequenceMatcher(None, _sound(a), _sound(b)).ratio()
    return (plain + sound) / 2


def _suggest(value: str, candidates: Iterable[str], cutoff: float = 0.5) -> str | None:
    """The closest candidate (by spelling and by sound), or None when nothing is close enough.

    Bounded: difflib is quadratic in the lengths, so a value longer than any name gets no suggestion, only
    the first SUGGEST_MAX_CANDIDATES candidates are scored, and the cheap upper bounds
    (real_quick_ratio, quick_ratio) skip candidates that cannot beat the best so far."""
    if not value or len(value) > SUGGEST_MAX_LEN:
        return None
    best, score = None, cutoff
    for i, c in enumerate(dict.fromkeys(c for c in candidates if c)):
        if i >= SUGGEST_MAX_CANDIDATES:
            break
        if len(c) > SUGGEST_MAX_LEN:
            continue
        sm = difflib.SequenceMatcher(None, value, c)
        # the average with the sound-alike ratio is at most (plain + 1) / 2
        if (sm.real_quick_ratio() + 1) / 2 <= score or (sm.quick_ratio() + 1) / 2 <= score:
            continue
        sc = (sm.ratio() + difflib.SequenceMatcher(None, _sound(value), _sound(c)).ratio()) / 2
        if sc > score:
            best, score = c, sc
    return best


def _not_found(value: str, candidates: Iterable[str]) -> str:
    hint = _suggest(value, candidates)
    return f"找不到\"{value}\"，是否为\"{hint}\"？" if hint else f"找不到\"{value}\""


# ── reading files ─────────────────────────────────────────────────────────────────────────────
@dataclass
class Sheet:
    """Rows of one table: `rows` are (spreadsheet row number, cells)."""
    kind: str                       # xlsx | csv
    rows: list[tuple[int, list[Any]]]
    encoding: str | None = None
    sheet_name: str | None = None
    entity_hint: str | None = None  # from a template's notes sheet


def sniff_kind(data: bytes, file_name: str = "") -> str:
    """xlsx | csv, or raise with the reason the file is not a spreadsheet we accept."""
    if not data or not data.strip():
        raise _file_problem("文件为空", "empty")
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _file_problem("不支持旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 或 CSV 后再导入", "not_spreadsheet")
    if data[:5] == b"%PDF-" or data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or data[:4] == b"GIF8":
        raise _file_problem("这不是电子表格文件（看起来是 PDF 或图片），请上传 .xlsx 或 .csv", "not_spreadsheet")
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_problem("这不是电子表格文件（二进制内容），请上传 .xlsx 或 .csv", "not_spreadsheet")
    low = head.lstrip().lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml", b"{", b"[")):
        raise _file_problem("这不是电子表格文件（看起来是网页、XML 或 JSON），请上传 .xlsx 或 .csv", "not_spreadsheet")
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with BOM, UTF-8, UTF-16 with BOM, or GBK (as GB18030, its superset).

    A byte-order mark is a promise: a file that starts with one but is not in that encoding (GBK saved
    behind a UTF-8 BOM by some editors) is refused rather than guessed at, since a wrong guess would import
    mojibake that passes every check."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _file_problem(f"文件开头标明为 UTF-8 编码，但第 {exc.start + 4:,} 字节起的内容不是 UTF-8"
                                "（可能是 GBK），请用 Excel 或 WPS 重新“另存为”UTF-8 CSV 或 .xlsx", "encoding") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _file_problem("文件开头标明为 UTF-16 编码，但内容不是有效的 UTF-16，"
                                "请重新“另存为”UTF-8 CSV 或 .xlsx", "encoding") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise _file_problem("无法识别文件编码（支持 UTF-8、UTF-8 BOM 和 GBK）", "encoding") from None
    return text, "gbk"


def _read_csv(data: bytes) -> Sheet:
    text, enc = decode_text(data)
    if "\x00" in text:
        raise _file_problem("这不是电子表格文件（含有二进制内容），请上传 .xlsx 或 .csv", "not_spreadsheet")
    sample = text[:8192]
    first = next((ln for ln in sample.splitlines() if ln.strip()), "")
    delim = max([",", "\t", ";", "，"], key=lambda d: first.count(d))
    if first.count(delim) == 0:
        delim = ","
    rows = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        for i, rec in enumerate(reader, start=1):
            rows.append((i, rec))
            if len(rows) > MAX_PHYSICAL_ROWS:
                raise _too_many_rows()
            if i % 2000 == 0:
                _tick()
    except csv.Error:
        raise _file_problem(f"CSV 格式错误（第 {reader.line_num} 行附近），请用表格软件重新“另存为”CSV", "bad_csv") from None
    return Sheet("csv", rows, encoding=enc)


def _too_many_rows() -> _FileProblem:
    return _file_problem(f"数据行超过上限 {MAX_ROWS:,} 行，请拆分后再导入", "too_many_rows")


# Excel writes characters XML cannot hold as _xHHHH_ escapes (_x0000_ is NUL); openpyxl's read-only mode
# leaves them as text, so unescape them here and let the control-character check see what Excel shows.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _ooxml_unescape(v):
    if isinstance(v, str) and "_x" in v:
        return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), v)
    return v


class BadCell:
    """A worksheet cell openpyxl cannot decode (a shared-string index out of range, a number that is not a
    number, a boolean that is not 0/1 …): kept as its raw text so the row gets a reason, not the file a crash."""

    def __init__(self, raw, data_type: str):
        self.raw = "" if raw is None else str(raw)[:60]
        self.data_type = data_type

    def __str__(self) -> str:
        return self.raw


def _install_lenient_cells() -> None:
    """Wrap openpyxl's cell parser so that, inside an import only (a thread-local flag), a cell it cannot
    decode becomes a BadCell (or, for a typed date t="d" that is not ISO 8601, its text, which parse_date
    then judges) instead of an exception that ends the whole read. Outside an import it behaves as before."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet import _reader
    parser = _reader.WorkSheetParser
    if getattr(parser.parse_cell, "_civic_lenient", False):
        return
    original = parser.parse_cell

    def parse_cell(self, element):
        try:
            return original(self, element)
        except Exception:  # openpyxl raises ValueError, IndexError, TypeError, KeyError …
            if not getattr(_guard, "lenient", False):
                raise
            data_type = element.get("t", "n")
            raw = element.findtext(_reader.VALUE_TAG, None)
            try:
                row, column = coordinate_to_tuple(element.get("r") or "")
            except Exception:  # noqa: BLE001 - the coordinate itself may be the damage
                row, column = self.row_counter, self.col_counter + 1
            self.col_counter = column
            value = raw if data_type == "d" and raw else BadCell(raw, data_type)
            return {"row": row, "column": column, "value": value, "data_type": "s", "style_id": 0}
    parse_cell._civic_lenient = True
    parser.parse_cell = parse_cell



def _refuse_long_sheets(zf: zipfile.ZipFile) -> None:
    """Count the <row> elements of every worksheet part, streaming, and stop at the cap. openpyxl's read-only
    mode parses a whole sheet that has no <dimension> just to size it (a 1M-row sheet: over a minute), so
    an over-long sheet must be refused before openpyxl sees it. Blank rows count: they are rows too."""
    for name in zf.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        n, tail = 0, b""
        with zf.open(name) as fh:
            while chunk := fh.read(1 << 20):
                buf = tail + chunk
                n += buf.count(b"<row ") + buf.count(b"<row>") + buf.count(b":row ") + buf.count(b":row>")
                tail = buf[-5:]
                # a tag split across chunks is counted in the next buffer, not twice: drop it from this one
                n -= tail.count(b"<row ") + tail.count(b"<row>") + tail.count(b":row ") + tail.count(b":row>")
                if n > MAX_PHYSICAL_ROWS:
                    raise _file_problem(f"数据行超过上限 {MAX_ROWS:,} 行（工作表中已超过 {MAX_PHYSICAL_ROWS:,} 行，"
                                        "含空行），请拆分后再导入；多出的若是空行，请在 Excel 中删除后再保存", "too_many_rows")
                _tick()


def _read_xlsx(data: bytes) -> Sheet:
    import openpyxl
    _install_lenient_cells()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
        unzipped = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError, zlib.error):
        raise _file_problem("文件已损坏，无法作为 Excel 工作簿打开", "not_spreadsheet") from None
    if "xl/workbook.xml" not in names:
        raise _file_problem("这是压缩包而不是 Excel 工作簿（.xlsx），请上传 .xlsx 或 .csv", "not_spreadsheet")
    if unzipped > MAX_UNZIPPED:
        raise _file_problem("工作簿解压后过大，请拆分后再导入", "too_big")
    try:
        bad_member = zf.testzip()       # every part's CRC: a cut or patched part fails here, by name
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error):
        bad_member = "?"
    if bad_member is not None:
        raise _file_problem(f"工作簿已损坏（其中的“{bad_member[:60]}”校验失败），请在 Excel 中打开后重新保存",
                            "not_spreadsheet")
    _refuse_long_sheets(zf)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on damaged files
        log.warning("openpyxl could not open an uploaded workbook", exc_info=True)
        raise _file_problem("工作簿已损坏或不是 Excel 保存的 .xlsx（结构无法识别），请在 Excel 或 WPS 中打开后"
                            "重新“另存为” .xlsx", "not_spreadsheet") from None
    name = "?"
    rows: list[tuple[int, list]] = []
    _guard.lenient = True
    try:
        hint = None
        if NOTES_SHEET in wb.sheetnames:
            for row in wb[NOTES_SHEET].iter_rows(min_row=1, max_row=1, values_only=True):
                m = re.search(r"[(（]([a-z_]+)[)）]", str(row[0] if row else ""))
                if m and m.group(1) in ENTITIES:
                    hint = m.group(1)
        candidates = [n for n in wb.sheetnames if n != NOTES_SHEET]
        preferred = [n for n in candidates if n in (DATA_SHEET, "data", "Data")]
        name = (preferred or candidates or wb.sheetnames)[0]
        ws = wb[name]
        for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((i, [_ooxml_unescape(v) for v in values]))
            if len(rows) > MAX_PHYSICAL_ROWS:
                raise _too_many_rows()
            if i % 2000 == 0:
                _tick()
    except _FileProblem:
        raise
    except Exception:  # damaged sheet XML (cut short, not well-formed, wrong structure)
        log.warning("openpyxl failed while reading sheet %r after %d rows", name, len(rows), exc_info=True)
        where = f"，读到第 {len(rows) + 1} 行附近时出错" if rows else ""
        raise _file_problem(f"工作簿已损坏：工作表「{pii.mask(str(name)[:31])}」的内容不完整或格式错误{where}。"
                            "请在 Excel 或 WPS 中打开后重新保存", "not_spreadsheet") from None
    finally:
        _guard.lenient = False
        wb.close()
    return Sheet("xlsx", rows, sheet_name=name, entity_hint=hint)


def read_sheet(data: bytes, file_name: str = "") -> Sheet:
    if len(data) > MAX_BYTES:
        raise _FileProblem(_too_big(len(data)))
    kind = sniff_kind(data, file_name)
    return _read_xlsx(data) if kind == "xlsx" else _read_csv(data)


# ── headers and entity detection ──────────────────────────────────────────────────────────────
def _norm_header(h) -> str:
    if h is None:
        return ""
    s = _nfkc(str(h)).lower()
    s = re.sub(r"[\s*＊:：]", "", s)
    s = s.replace("(", "（").replace(")", "）")
    return s


def _header_index(ent: Entity) -> dict[str, str]:
    idx = {}
    for c in ent.cols:
        for h in (c.zh, c.name, *c.aliases):
            idx.setdefault(_norm_header(h), c.name)
    return idx


def _match_headers(ent: Entity, headers: list) -> tuple[dict[int, str], list[str], list[int]]:
    """(column index → field, duplicated fields, unmatched non-empty columns)."""
    idx = _header_index(ent)
    out: dict[int, str] = {}
    dups, unknown = [], []
    for i, h in enumerate(headers):
        n = _norm_header(h)
        if not n:
            continue
        f = idx.get(n)
        if f is None:
            unknown.append(i)
        elif f in out.values():
            dups.append(f)
        else:
            out[i] = f
    return out, dups, unknown


def _find_header_row(sheet: Sheet) -> int:
    """Index into sheet.rows of the header: the first of the top rows matching the most known headers."""
    known = set()
    for ent in ENTITIES.values():
        known |= set(_header_index(ent))
    best, best_i = 0, None
    for i, (_, cells) in enumerate(sheet.rows[:HEADER_SCAN_ROWS + 1]):
        score = sum(1 for c in cells if _norm_header(c) in known)
        if score > best:
            best, best_i = score, i
    if best_i is None or best < 2:
        first = next((i for i, (_, cells) in enumerate(sheet.rows) if any(not _is_blank(c) for c in cells)), None)
        if first is None:
            raise _file_problem("文件中没有任何内容", "empty")
        raise _file_problem("找不到表头：第一行应为列名（如「活动日期」「乡镇」），请使用下载的模板", "wrong_template")
    return best_i


def choose_entity(headers: list, entity: str | None, hint: str | None = None) -> tuple[Entity, dict[int, str]]:
    scored = []
    for ent in ENTITIES.values():
        colmap, dups, _ = _match_headers(ent, headers)
        got = set(colmap.values())
        missing = [c for c in ent.required if c.name not in got]
        scored.append((ent, colmap, missing, dups))
    complete = [s for s in scored if not s[2]]
    if entity:
        if entity not in ENTITIES:
            raise _file_problem(f"未知的数据类型“{entity}”（可选：{'、'.join(ENTITIES)}）", "wrong_template")
        ent, colmap, missing, dups = next(s for s in scored if s[0].name == entity)
        if missing:
            better = [s[0] for s in complete if s[0].name != entity]
            msg = f"模板不符：不是「{ent.zh}」模板，缺少必填列" + "、".join(f"「{c.zh}」" for c in missing)
            if better:
                msg += f"。这似乎是「{better[0].zh}」模板"
            raise _file_problem(msg, "wrong_template")
    else:
        if hint and any(s[0].name == hint for s in complete):
            ent, colmap, missing, dups = next(s for s in complete if s[0].name == hint)
        elif complete:
            complete.sort(key=lambda s: (-len(s[1]), -len(s[0].required)))
            if len(complete) > 1 and len(complete[0][1]) == len(complete[1][1]):
                raise _file_problem("无法判断数据类型（" + "、".join(s[0].zh for s in complete[:2]) +
                                    "），请指定数据类型", "wrong_template")
            ent, colmap, missing, dups = complete[0]
        else:
            scored.sort(key=lambda s: (len(s[2]), -len(s[1])))
            ent, _, missing, _ = scored[0]
            raise _file_problem("模板不符：无法识别为任何导入模板。最接近「" + ent.zh + "」模板，但缺少必填列" +
                                "、".join(f"「{c.zh}」" for c in missing) + "，请使用下载的模板", "wrong_template")
    if dups:
        raise _FileProblem(*[Problem(None, ent.col(f).zh, "", f"列「{ent.col(f).zh}」出现了不止一次", "duplicate_column")
                             for f in dict.fromkeys(dups)])
    return ent, colmap


# ── lookups (what the snapshot knows) ─────────────────────────────────────────────────────────
_VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")


def _stem_village(s: str) -> str:
    s = _nfkc(s)
    for suf in _VILLAGE_SUFFIXES:
        if s.endswith(suf) and len(s) > len(suf):
            s = s[: -len(suf)]
            break
    for suf in ("社区", "村"):
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)]
    return s


def _stem_town(s: str) -> str:
    s = _nfkc(s)
    for suf in ("街道办事处", "街道", "镇", "乡"):
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)]
    return s


class Bad(Exception):
    """A reference that does not resolve; the message is the reason shown to the user."""

    def __init__(self, reason: str, code: str = "unknown_place"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


class Lookups:
    """Everything validation needs from a snapshot, loaded once per check."""

    def __init__(self, con):
        self.meta = {r["key"]: r["value"] for r in _rows(con, "SELECT key, value FROM meta")}
        self.counties = {r["county_code"]: r for r in _rows(con, "SELECT * FROM counties")}
        self.practice_counties = {c for c, r in self.counties.items() if r["programme"] == "文明实践"}
        self.renovation_counties = {c for c, r in self.counties.items() if r["programme"] == "小区治理"}
        self.towns = {r["town_code"]: r for r in _rows(con, "SELECT town_code, county_code, name, kind FROM towns")}
        self.villages = {r["village_code"]: r for r in
                         _rows(con, "SELECT village_code, town_code, name, name_full, kind FROM villages")}
        self.communities = {r["community_code"] for r in _rows(con, "SELECT community_code FROM communities")}
        self.sites = {r["site_id"]: r for r in _rows(
            con, "SELECT site_id, level, name, county_code, town_code, village_code, base_kind, lon, lat, "
                 "coord_quality, opened_date FROM sites")}
        self.teams = {r["team_id"]: r for r in _rows(
            con, "SELECT team_id, name, team_type, county_code, town_code, site_id FROM teams")}
        self.branches = {r["branch_id"]: r for r in _rows(
            con, "SELECT branch_id, name, county_code, town_code FROM party_branches")}
        self.compounds = {r["compound_id"]: r for r in _rows(
            con, "SELECT compound_id, name, community_code, town_code, lon, lat FROM compounds")}
        self.concern_areas = tuple(r["area"] for r in _rows(con, "SELECT area FROM concern_areas ORDER BY ord"))
        self.work_units = {r["category"]: r["unit"] for r in _rows(
            con, "SELECT category, unit FROM work_categories ORDER BY ord")}
        self._index()
        self.bbox = self._bboxes(con)

    def _index(self):
        def multi(pairs):
            d: dict[str, list[str]] = {}
            for k, v in pairs:
                if k:
                    d.setdefault(k, [])
                    if v not in d[k]:
                        d[k].append(v)
            return d
        self.town_by_name = multi([(_nfkc(r["name"]), c) for c, r in self.towns.items()] +
                                  [(_stem_town(r["name"]), c) for c, r in self.towns.items()])
        self.village_by_name = multi([(_nfkc(r["name"]), c) for c, r in self.villages.items()] +
                                     [(_nfkc(r["name_full"]), c) for c, r in self.villages.items()] +
                                     [(_stem_village(r["name_full"]), c) for c, r in self.villages.items()] +
                                     [(_stem_village(r["name"]), c) for c, r in self.villages.items()])
        self.site_by_name = multi((_nfkc(r["name"]), s) for s, r in self.sites.items())
        self.station_of = {r["village_code"]: s for s, r in self.sites.items() if r["level"] == "站" and r["village_code"]}
        self.institute_of = {r["town_code"]: s for s, r in self.sites.items() if r["level"] == "所"}
        self.team_by_name = multi((_nfkc(r["name"]), t) for t, r in self.teams.items())
        self.branch_by_name = multi((_nfkc(r["name"]), b) for b, r in self.branches.items())
        self.compound_by_name = multi((_nfkc(r["name"]), c) for c, r in self.compounds.items())

    def _bboxes(self, con) -> dict[str, tuple[float, float, float, float]]:
        out = {}
        pts = _rows(con, """
            SELECT county_code, min(lon) x0, max(lon) x1, min(lat) y0, max(lat) y1 FROM (
              SELECT county_code, lon, lat FROM sites
              UNION ALL SELECT t.county_code, c.lon, c.lat FROM compounds c JOIN towns t USING (town_code)
              UNION ALL SELECT county_code, lon, lat FROM counties) GROUP BY county_code""")
        for r in pts:
            if r["x0"] is None:
                continue
            m = 0.15
            out[r["county_code"]] = (r["x0"] - m, r["x1"] + m, r["y0"] - m, r["y1"] + m)
        return out

    # ── resolvers: return a code/id or raise Bad(reason) ─────────────────────────────────────
    def town(self, raw: str, counties: set[str] | None = None) -> str:
        s = _nfkc(raw)
        scope = [c for c, r in self.towns.items() if counties is None or r["county_code"] in counties]
        if re.fullmatch(r"\d{9}|\d{12}", s):
            code = s[:9] if len(s) == 9 or s.endswith("000") else None
            if code and code in self.towns and code in scope:
                return code
            raise Bad(f"找不到乡镇代码\"{raw}\"")
        hits = [c for c in self.town_by_name.get(s, []) + self.town_by_name.get(_stem_town(s), []) if c in scope]
        hits = list(dict.fromkeys(hits))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise Bad(f"乡镇\"{raw}\"有重名，请填写9位乡镇代码", "ambiguous")
        if counties is not None and (self.town_by_name.get(s) or self.town_by_name.get(_stem_town(s))):
            raise Bad(f"乡镇\"{raw}\"不在本项工作的县域内")
        raise Bad(_not_found(raw, [self.towns[c]["name"] for c in scope]))

    def village(self, raw: str, town: str | None = None, counties: set[str] | None = None,
                communities_only: bool = False) -> str:
        s = _nfkc(raw)

        def in_scope(c):
            r = self.villages[c]
            if communities_only and c not in self.communities:
                return False
            return counties is None or self.towns[r["town_code"]]["county_code"] in counties
        if re.fullmatch(r"\d{12}", s):
            if s in self.villages and in_scope(s):
                hits = [s]
            else:
                raise Bad(f"找不到{'社区' if communities_only else '村（社区）'}代码\"{raw}\"")
        else:
            hits = [c for c in self.village_by_name.get(s, []) + self.village_by_name.get(_stem_village(s), [])
                    if in_scope(c)]
            hits = list(dict.fromkeys(hits))
        if town and hits:
            here = [c for c in hits if self.villages[c]["town_code"] == town]
            if not here:
                other = self.towns[self.villages[hits[0]]["town_code"]]["name"]
                raise Bad(f"\"{raw}\"属于{other}，不属于{self.towns[town]['name']}", "place_mismatch")
            hits = here
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            where = "、".join(self.towns[self.villages[c]["town_code"]]["name"] for c in hits)
            raise Bad(f"\"{raw}\"有重名（{where}），请填写乡镇或使用12位代码", "ambiguous")
        scope = [c for c in self.villages if in_scope(c) and (town is None or self.villages[c]["town_code"] == town)]
        return self._raise_village_missing(raw, scope)

    def _raise_village_missing(self, raw: str, scope: list[str]):
        names = [self.villages[c]["name"] for c in scope]
        s = _nfkc(raw)
        hint = _suggest(s, names) or _suggest(_stem_village(s), [_stem_village(n) for n in names])
        if hint and hint not in names:
            hint = next((n for n in names if _stem_village(n) == hint), hint)
        raise Bad(f"找不到\"{raw}\"，是否为\"{hint}\"？" if hint else f"找不到\"{raw}\"")

    def site(self, raw: str, town: str | None = None, village: str | None = None,
             counties: set[str] | None = None) -> str:
        s = _nfkc(raw)
        if s in self.sites:
            hits = [s]
        else:
            hits = self.site_by_name.get(s, [])
        hits = [h for h in hits if counties is None or self.sites[h]["county_code"] in counties]
        if len(hits) > 1 and village:
            hits = [h for h in hits if self.sites[h]["village_code"] == village] or hits
        if len(hits) > 1 and town:
            hits = [h for h in hits if self.sites[h]["town_code"] == town] or hits
        if len(hits) > 1:
            raise Bad(f"站点\"{raw}\"有重名，请同时填写乡镇和所属村", "ambiguous")
        if not hits:
            scope = [r["name"] for r in self.sites.values()
                     if (counties is None or r["county_code"] in counties) and (town is None or r["town_code"] == town)]
            raise Bad(_not_found(raw, scope), "unknown_site")
        sid = hits[0]
        r = self.sites[sid]
        if town and r["town_code"] and r["town_code"] != town:
            raise Bad(f"站点\"{raw}\"属于{self.towns[r['town_code']]['name']}，不属于{self.towns[town]['name']}",
                      "place_mismatch")
        if village and r["village_code"] and r["village_code"] != village:
            raise Bad(f"站点\"{raw}\"属于{self.villages[r['village_code']]['name']}，"
                      f"不属于{self.villages[village]['name']}", "place_mismatch")
        return sid

    def _by_name(self, raw: str, index: dict, table: dict, what: str, code: str, id_ok: bool = True) -> str:
        s = _nfkc(raw)
        if id_ok and s in table:
            return s
        hits = index.get(s, [])
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise Bad(f"{what}\"{raw}\"有重名，请填写编号", "ambiguous")
        raise Bad(_not_found(raw, index.keys()), code)

    def team(self, raw: str) -> str:
        return self._by_name(raw, self.team_by_name, self.teams, "队伍", "unknown_team")

    def branch(self, raw: str) -> str:
        return self._by_name(raw, self.branch_by_name, self.branches, "党支部", "unknown_branch")

    def compound(self, raw: str) -> str:
        return self._by_name(raw, self.compound_by_name, self.compounds, "小区", "unknown_compound")

    def in_bbox(self, county: str, lon: float, lat: float) -> bool:
        b = self.bbox.get(county)
        return b is None or (b[0] <= lon <= b[1] and b[2] <= lat <= b[3])

    def as_of(self) -> date:
        return date.fromisoformat(self.meta["as_of"])


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
    if existing:
        old = lk.sites[existing[0]]
        if old["level"] != m.level:
            cx.bad("level", f"已有站点\"{old['name']}\"的级别为「{old['level']}」，不能改为「{m.level}」", "conflict")
        if town and old["town_code"] and town != old["town_code"]:
            cx.bad("town", f"已有站点\"{old['name']}\"属于{lk.towns[old['town_code']]['name']}，不能改为其他乡镇", "conflict")
        if village and old["village_code"] and village != old["village_code"]:
            cx.bad("village", f"已有站点\"{old['name']}\"属于{lk.villages[old['village_code']]['name']}，不能改为其他村",
                   "conflict")
        county = old["county_code"]
    else:
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
        county = lk.towns[town]["county_code"]
    if m.base_kind and m.level != "基地":
        cx.bad("base_kind", "只有基地填写基地类型", "conflict")
    lon, lat = _coords(cx, m, county)
    if cx.problems:
        return None
    if existing:
        old = lk.sites[existing[0]]
        upd = {"name": m.name}
        if lon is not None:
            upd.update(lon=lon, lat=lat, coord_quality="imported")
        if m.base_kind:
            upd["base_kind"] = m.base_kind
        if m.opened_date:
            upd["opened_date"] = m.opened_date
        return Rec(cx.row, (existing[0],), {}, upd, {"操作对象": old["name"]}, site_fallback=(existing[0],))
    parent = f"C-{county}" if f"C-{county}" in lk.sites else None
    if m.level == "站":
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


def _failed(cx: RowCtx) -> set[str]:
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


RULES: dict[str, Callable[[RowCtx, Any], Rec | None]] = {
    "activities": _rule_activities, "sites": _rule_sites, "teams": _rule_teams, "micro_wishes": _rule_wishes,
    "trainings": _rule_trainings, "compounds": _rule_compounds, "works": _rule_works, "feedback": _rule_feedback,
    "meetings": _rule_meetings,
}


# ── validating a whole sheet ──────────────────────────────────────────────────────────────────
@dataclass
class Parsed:
    entity: Entity
    records: list[Rec]
    problems: list[Problem]
    warnings: list[str]
    n_rows: int
    display_rows: list[dict]
    masked: list[tuple[int, str, str]] = field(default_factory=list)   # (row, column, kinds) masked cells


def _example_row(ent: Entity) -> list[str]:
    return [_norm_cell(c.example) for c in ent.cols]


def _norm_cell(v) -> str:
    return _nfkc(_show(v)) if not _is_blank(v) else ""


PII_MODES = ("reject", "mask")
FREE_TEXT_KINDS = ("text", "ref")


def _screen_cells(ent: Entity, row_no: int, raw: dict, clean: dict, pii_mode: str,
                  problems: list[Problem], masked: list[tuple[int, str, str]], skip: set = frozenset()) -> None:
    """Cells openpyxl could not decode, and personal data in every free-text cell (titles, notes,
    feedback, names of places and teams): rejected with the row and column named, or masked in place."""
    for f, v in raw.items():
        if f in skip:
            continue
        col = ent.col(f)
        if isinstance(v, BadCell):
            problems.append(Problem(row_no, col.zh, v.raw, f"单元格无法读取（类型“{v.data_type[:10]}”的内容无效），"
                                    "请在 Excel 中重新输入该单元格", "bad_cell"))
            clean[f] = None
            continue
        if col.kind not in FREE_TEXT_KINDS or _is_blank(v) or isinstance(v, (bool, date)):
            continue
        if isinstance(v, float) and not math.isfinite(v):
            continue
        text = v if isinstance(v, str) else _show(v)
        found = pii.kinds(text)
        if not found:
            continue
        shown = pii.mask(text)
        if pii_mode == "mask":
            clean[f] = raw[f] = shown
            masked.append((row_no, col.zh, "、".join(found)))
        else:
            problems.append(Problem(row_no, col.zh, shown[:60],
                                    f"含有个人信息（{'、'.join(found)}），请删除后再导入；"
                                    "如确需保留其余内容，可选择“遮盖个人信息后导入”", "personal_data"))
            clean[f] = None


def parse(sheet: Sheet, lk: Lookups, entity: str | None = None, pii_mode: str = "reject") -> Parsed:
    """Map headers, parse and check every row; never raises for row problems (they are returned)."""
    if pii_mode not in PII_MODES:
        raise ValueError(f"pii_mode must be one of {PII_MODES}")
    h = _find_header_row(sheet)
    header_no, headers = sheet.rows[h]
    ent, colmap = choose_entity(headers, entity, sheet.entity_hint)
    _, _, unknown = _match_headers(ent, headers)
    warnings = []
    body = sheet.rows[h + 1:]
    for i in unknown:
        if any(i < len(cells) and not _is_blank(cells[i]) for _, cells in body):
            warnings.append(f"列「{pii.mask(_show(headers[i]))[:60]}」不在「{ent.zh}」模板中，已忽略")
    nameless = [i for i, hd in enumerate(headers) if _is_blank(hd)]
    for i in nameless:
        if any(i < len(cells) and not _is_blank(cells[i]) for _, cells in body):
            warnings.append(f"第 {_col_letter(i)} 列没有列名，已忽略其内容")
    model = row_model(ent)
    example = _example_row(ent)
    problems: list[Problem] = []
    records: list[Rec] = []
    display_rows: list[dict] = []
    n_rows = 0
    skipped_example = False
    masked: list[tuple[int, str, str]] = []
    for row_no, cells in body:
        if row_no % 500 == 0:
            _tick()
        raw = {f: (cells[i] if i < len(cells) else None) for i, f in colmap.items()}
        raw = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
        if all(_is_blank(v) for v in raw.values()):
            continue
        huge = {f: len(v) for f, v in raw.items() if isinstance(v, str) and len(v) > MAX_CELL_CHARS}
        if not huge and [_norm_cell(raw.get(c.name)) for c in ent.cols] == example:
            skipped_example = True
            continue
        n_rows += 1
        if n_rows > MAX_ROWS:
            raise _file_problem(f"数据行超过上限 {MAX_ROWS:,} 行，请拆分后再导入", "too_many_rows")
        row_problems: list[Problem] = []
        for f, n in huge.items():       # checked first: no lookup, screen or did-you-mean on 15,000 characters
            col = ent.col(f)
            raw[f] = raw[f][:20] + "…"
            row_problems.append(Problem(row_no, col.zh, pii.mask(raw[f]), f"内容过长（{n} 字，最多 {col.max_len} 字）",
                                        "too_long"))
        clean = {f: (None if f in huge else v) for f, v in raw.items()}
        _screen_cells(ent, row_no, raw, clean, pii_mode, row_problems, masked, skip=set(huge))
        for f, v in raw.items():
            if ent.col(f).zh in {p.column for p in row_problems}:
                continue
            if isinstance(v, str) and v.startswith(FORMULA_PREFIXES):
                col = ent.col(f)
                numeric_ok = False
                if col.kind in ("int", "float", "lon", "lat"):
                    try:
                        float(_nfkc(v).replace(",", ""))
                        numeric_ok = True
                    except ValueError:
                        pass
                if not numeric_ok:
                    row_problems.append(Problem(row_no, col.zh, v[:40], "以 = + - @ 开头的内容可能被表格软件当作公式执行"
                                                "（公式注入），请删除开头的符号或改为纯文本", "formula"))
                    clean[f] = None
        bad_fields = {p.column for p in row_problems}
        try:
            m = model.model_validate(clean)
        except ValidationError as exc:
            for e in exc.errors():
                col = ent.col(e["loc"][0])
                if col.zh in bad_fields:
                    continue
                code, reason = _pydantic_reason(e, col)
                row_problems.append(Problem(row_no, col.zh, pii.mask(_show(raw.get(col.name)))[:60], reason, code))
            # keep checking references and cross-field rules on the cells that did parse
            failed = {p.column for p in row_problems}
            m = _partial({k: v for k, v in clean.items() if ent.col(k).zh not in failed}, ent)
        cx = RowCtx(ent, row_no, raw, lk)
        cx.problems = row_problems
        rec = RULES[ent.name](cx, m)
        if not cx.problems and rec is not None:
            records.append(rec)
        problems.extend(cx.problems)
        display_rows.append({"行": row_no, **{ent.col(f).zh: _show(raw.get(f)) for f in
                                               [c.name for c in ent.cols if c.name in raw]},
                             **(rec.display if rec else {})})
    if skipped_example:
        warnings.append("已跳过模板中的示例行")
    if masked:
        cells = "、".join(f"第{r}行「{c}」" for r, c, _ in masked[:10]) + ("等" if len(masked) > 10 else "")
        warnings.append(f"已遮盖 {len(masked)} 个单元格中的个人信息（{cells}）")
    if n_rows == 0:
        raise _file_problem("文件中只有模板的示例行（导入时会跳过），没有要导入的数据" if skipped_example
                            else "文件中没有数据行（表头下面是空的）", "empty")
    problems.extend(_duplicates(ent, records))
    problems.sort(key=lambda p: (p.row or 0, [c.zh for c in ent.cols].index(p.column)
                                 if p.column in [c.zh for c in ent.cols] else 99))
    return Parsed(ent, records, problems, warnings, n_rows, display_rows, masked)


class _Lenient:
    """Field access for a row whose failed cells are None (so rules can still check the rest)."""

    def __init__(self, d: dict):
        self.__dict__.update(d)


def _partial(ok: dict, ent: Entity) -> _Lenient:
    """The good cells parsed, the failed ones None (so the rules can still check the rest of the row)."""
    values = {}
    for c in ent.cols:
        v = None
        if c.name in ok:
            try:
                v = _cell_validator(c)(ok[c.name])
            except PydanticCustomError:
                v = None
            if v is not None and c.kind in ("int", "float") and (
                    (c.lo is not None and v < c.lo) or (c.hi is not None and v > c.hi)):
                v = None
        values[c.name] = v
    return _Lenient(values)


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _duplicates(ent: Entity, records: list[Rec]) -> list[Problem]:
    seen: dict[tuple, int] = {}
    out = []
    first_key_col = ent.cols[0].zh
    for r in records:
        k = _key_norm(r.key)
        if k in seen:
            out.append(Problem(r.row, first_key_col, "", f"与第{seen[k]}行重复（{ent.key_zh}）", "duplicate_key"))
        else:
            seen[k] = r.row
    return out


# ── planning and writing ──────────────────────────────────────────────────────────────────────
@dataclass
class Plan:
    inserts: list[tuple[str, dict]]         # (new id, row)
    updates: list[tuple[str, dict]]         # (existing id, changed columns)
    unchanged: list[str]
    actions: dict[int, str]                 # spreadsheet row → 新增/更新/不变


def _table_types(con, table: str) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute(f'DESCRIBE "{table}"').fetchall()}


def _arrow(rows: list[dict], types: dict[str, str]) -> pa.Table:
    pa_types = {"VARCHAR": pa.string(), "DATE": pa.date32(), "INTEGER": pa.int32(), "BIGINT": pa.int64(),
                "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_()}
    cols = list(rows[0].keys())
    return pa.table({c: pa.array([r.get(c) for r in rows], type=pa_types.get(types[c], pa.string())) for c in cols})


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
        except (TypeError, ValueError):
            return False
    if isinstance(a, datetime):
        a = a.date()
    if isinstance(b, datetime):
        b = b.date()
    return a == b


def make_id(ent: Entity, key: tuple) -> str:
    h = hashlib.sha1("|".join(_show(k) for k in key).encode("utf-8")).hexdigest()[:12]
    return f"{ent.id_prefix}-IMP-{h}"


def plan(con, ent: Entity, records: list[Rec], lk: Lookups) -> Plan:
    """Match records to existing rows by natural key; decide insert / update / unchanged."""
    table, idc = ent.table, ent.id_col
    inserts, updates, unchanged, actions = [], [], [], {}
    if not records:
        return Plan(inserts, updates, unchanged, actions)
    existing: dict[tuple, dict] = {}
    if ent.name == "sites":
        ids = [r.site_fallback[0] for r in records if r.site_fallback]
        if ids:
            for row in _rows(con, "SELECT * FROM sites WHERE site_id IN (SELECT unnest($ids))", {"ids": ids}):
                existing[(row["site_id"],)] = row
    else:
        # Free-text key parts (titles, names, topics) are compared in Python in normal form (_key_norm:
        # NFKC, no invisible characters, one space), so a title re-imported with full-width letters or a
        # zero-width space updates the row instead of adding it again; SQL joins on the other key parts.
        types = _table_types(con, table)
        exact = [k for k in ent.key_fields if k not in _free_text_keys(ent)]
        if exact:
            keys = [dict(zip(ent.key_fields, r.key)) for r in records]
            con.register("_keys", _arrow([{k: d[k] for k in exact} for d in keys], {k: types[k] for k in exact}))
            try:
                on = " AND ".join(f't."{k}" IS NOT DISTINCT FROM k."{k}"' for k in exact)
                found = _rows(con, f'SELECT DISTINCT t.* FROM "{table}" t JOIN _keys k ON {on} ORDER BY t."{idc}"')
            finally:
                con.unregister("_keys")
        else:
            found = _rows(con, f'SELECT * FROM "{table}" ORDER BY "{idc}"')
        for row in found:
            existing.setdefault(_key_norm(tuple(row[k] for k in ent.key_fields)), row)
    taken = set()
    for r in records:
        old = existing.get(_key_norm(r.key))
        if old is None:
            if ent.name == "sites":
                new_id = _new_site_id(r.values, lk, taken)
            else:
                new_id = make_id(ent, r.key)
            taken.add(new_id)
            inserts.append((new_id, r.values))
            actions[r.row] = "新增"
            continue
        changed = {k: v for k, v in r.update.items() if not _same(old.get(k), v)}
        if changed:
            updates.append((old[idc], changed))
            actions[r.row] = "更新"
        else:
            unchanged.append(old[idc])
            actions[r.row] = "不变"
    return Plan(inserts, updates, unchanged, actions)


def _key_norm(key: tuple) -> tuple:
    """A natural key in the form rows are matched in, within a file and across imports."""
    return tuple(k.date() if isinstance(k, datetime) else re.sub(r"\s+", " ", _nfkc(k)) if isinstance(k, str) else k
                 for k in key)


def _free_text_keys(ent: Entity) -> set[str]:
    return {c.name for c in ent.cols if c.kind == "text" and c.name in ent.key_fields}


def _new_site_id(vals: dict, lk: Lookups, taken: set) -> str:
    if vals["level"] == "站" and vals["village_code"]:
        sid = f"S-{vals['village_code']}"
        if sid not in lk.sites and sid not in taken:
            return sid
    prefix = {"所": "I", "站": "S", "基地": "B", "中心": "C"}[vals["level"]]
    h = hashlib.sha1(f"{vals['name']}|{vals['town_code']}".encode()).hexdigest()[:10]
    return f"{prefix}-IMP-{h}"


def _apply_in_place(con, ent: Entity, p: Plan) -> None:
    table, idc = ent.table, ent.id_col
    types = _table_types(con, table)
    if p.inserts:
        rows = [{idc: i, **v} for i, v in p.inserts]
        con.register("_ins", _arrow(rows, types))
        try:
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _ins')
        finally:
            con.unregister("_ins")
    # group updates by the set of columns they change, one UPDATE … FROM per group
    groups: dict[tuple, list[dict]] = {}
    for i, ch in p.updates:
        groups.setdefault(tuple(sorted(ch)), []).append({idc: i, **ch})
    for cols, rows in groups.items():
        con.register("_upd", _arrow(rows, types))
        try:
            sets = ", ".join(f'"{c}" = u."{c}"' for c in cols)
            con.execute(f'UPDATE "{table}" SET {sets} FROM _upd u WHERE "{table}"."{idc}" = u."{idc}"')
        finally:
            con.unregister("_upd")


def _rewrite_with_sites(work: Path, p: Plan) -> None:
    """Rebuild the working copy with a changed `sites` table (in-place UPDATE of referenced sites is refused
    by DuckDB). Schema from data/schema.sql, every other table copied as it is, views re-applied."""
    from civic.store import build as build_mod
    src = db.connect_write(work)
    try:
        sites = _rows(src, "SELECT * FROM sites ORDER BY site_id")
        tables = [r[0] for r in src.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'"
        ).fetchall()]
    finally:
        src.close()
    by_id = {s["site_id"]: s for s in sites}
    for i, ch in p.updates:
        by_id[i].update(ch)
    for i, v in p.inserts:
        by_id[i] = {"site_id": i, **v}
    order = [t for t in build_mod.LOAD_ORDER if t in tables]
    order += [t for t in tables if t not in order and t not in build_mod.DERIVED_TABLES]
    out = work.with_name(work.stem + "-rewrite.duckdb")
    out.unlink(missing_ok=True)
    con = db.connect_write(out)
    try:
        con.execute(paths.SCHEMA_SQL.read_text(encoding="utf-8"))
        path = str(work).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS old (READ_ONLY)")
        types = _table_types(con, "sites")
        for t in order:
            if t == "sites":
                rows = list(by_id.values())
                con.register("_sites", _arrow([{c: r.get(c) for c in types} for r in rows], types))
                con.execute('INSERT INTO sites BY NAME SELECT * FROM _sites')
                con.unregister("_sites")
            else:
                con.execute(f'INSERT INTO main."{t}" BY NAME SELECT * FROM old."{t}"')
        con.execute("DETACH old")
        con.execute(paths.VIEWS_SQL.read_text(encoding="utf-8"))
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        out.unlink(missing_ok=True)
        out.with_name(out.name + ".wal").unlink(missing_ok=True)
        raise
    con.close()
    os.replace(out, work)


def _bump_meta(con, ent: Entity, p: Plan, lk: Lookups, report: Report, user: str) -> None:
    """Move "数据截至" (meta.as_of) forward to the newest imported event, never past today."""
    latest = None
    for _, row in [*p.inserts, *p.updates]:
        for c in ent.event_dates:
            d = row.get(c)
            if isinstance(d, date) and (latest is None or d > latest):
                latest = d
    as_of = lk.as_of()
    if latest and as_of < latest <= date.today():
        con.execute("UPDATE meta SET value = $v WHERE key = 'as_of'", {"v": latest.isoformat()})
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    for k, v in (("last_import_at", stamp), ("last_import_file", report.file_name[:200]),
                 ("last_import_by", user[:100])):
        con.execute("DELETE FROM meta WHERE key = $k", {"k": k})
        con.execute("INSERT INTO meta VALUES ($k, $v)", {"k": k, "v": v})


# ── public API ────────────────────────────────────────────────────────────────────────────────
def _stall(stage: str) -> None:
    """Test hook for the kill -9 test: CIVIC_TEST_STALL=<stage> parks the importer at that point."""
    if os.environ.get("CIVIC_TEST_STALL") == stage:
        print(f"STALL {stage}", file=sys.stderr, flush=True)
        time.sleep(3600)


def _new_report(data: bytes, file_name: str) -> Report:
    return Report(file_name=Path(file_name or "upload").name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _preview(parsed: Parsed, p: Plan | None) -> pd.DataFrame:
    df = pd.DataFrame(parsed.display_rows)
    if df.empty:
        return df
    if p is not None:
        df.insert(1, "操作", [p.actions.get(r, "—") for r in df["行"]])
    return df


def _run_checks(con, data: bytes, report: Report, entity: str | None,
                pii_mode: str = "reject") -> tuple[Parsed | None, Plan | None, Lookups | None]:
    try:
        sheet = read_sheet(data, report.file_name)
        lk = Lookups(con)
        parsed = parse(sheet, lk, entity, pii_mode)
        _tick()
    except _FileProblem as fp:
        report.problems = fp.problems
        return None, None, None
    except Exception as exc:  # noqa: BLE001 - the import boundary: no traceback ever reaches a user
        _unreadable(report, exc)
        return None, None, None
    report.entity = parsed.entity.name
    report.n_rows = parsed.n_rows
    report.warnings = parsed.warnings
    report.problems = parsed.problems
    report.masked = len(parsed.masked)
    p = None
    if not parsed.problems:
        p = plan(con, parsed.entity, parsed.records, lk)
        report.added, report.updated, report.unchanged = len(p.inserts), len(p.updates), len(p.unchanged)
    report.preview = _preview(parsed, p)
    return parsed, p, lk


def _unreadable(report: Report, exc: BaseException) -> None:
    """Any unexpected error while reading or validating: one file-level reason, the traceback in the log."""
    log.error("import of %r failed unexpectedly", report.file_name, exc_info=exc)
    report.problems = [Problem(None, "", "", f"文件无法读取：{report.file_name}（处理时出现意外错误，已记录在服务器日志中），"
                                             "未导入任何数据。请在 Excel 或 WPS 中打开后重新保存再试", "unreadable")]


def _dry_run(data: bytes, file_name: str, entity: str | None, pii_mode: str = "reject"):
    report = _new_report(data, file_name)
    report.pii_mode = pii_mode
    if len(data) > MAX_BYTES:       # before anything is parsed
        report.problems = [_too_big(len(data))]
        return report, None, None, None
    snap = snapshots.current()
    report.base_version = snap.version
    con = db.connect_read(snap.path)
    try:
        parsed, p, lk = _run_checks(con, data, report, entity, pii_mode)
    finally:
        con.close()
    return report, parsed, p, lk


def _too_big(size: int) -> Problem:
    return Problem(None, "", "", f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_MB} MB），请拆分后再导入", "too_big")


def audit_attempt(report: Report, action: str, result: str, user: str | None = None, **extra) -> None:
    """One audit line per attempt, accepted or not: who, when, file name and hash, entity, rows, result and
    the number of reasons (never the reasons themselves: they may quote what a row contained)."""
    entry = {"action": action, "user": user or snapshots._user(), "entity": report.entity,
             "file_name": report.file_name, "sha256": report.sha256, "size": report.size, "rows": report.n_rows,
             "result": result, "problems": len(report.problems), "masked": report.masked,
             "pii_mode": report.pii_mode, **extra}
    try:
        snapshots.append_audit(entry)
    except OSError:     # a full disk must not turn a clear rejection into a traceback
        log.error("could not write the audit line for %r", report.file_name, exc_info=True)


def check(data: bytes, file_name: str = "upload", entity: str | None = None, *, user: str | None = None,
          pii_mode: str = "reject", cancelled: Callable[[], bool] | None = None,
          budget_s: float | None = None, audit: bool = True) -> Report:
    """Dry run against the current snapshot: parse, validate every row, preview. Writes no data; logs the
    attempt in the audit log (action import_check, result passed/rejected) unless audit=False."""
    with _budget(budget_s, cancelled):
        report = _dry_run(data, file_name, entity, pii_mode)[0]
    if audit:
        audit_attempt(report, "import_check", "passed" if report.ok else "rejected", user)
    return report


def _is_disk_full(exc: BaseException) -> bool:
    import errno
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left" in text or "disk full" in text or "disk quota" in text


def commit(data: bytes, file_name: str = "upload", entity: str | None = None, user: str | None = None,
           note: str | None = None, *, pii_mode: str = "reject", cancelled: Callable[[], bool] | None = None,
           budget_s: float | None = None) -> Report:
    """Validate and publish as a new data version, all or nothing. Raises ImportRejected with every problem.

    Every attempt leaves one audit line (result imported, unchanged, rejected or failed). A write that fails
    (a full disk, a damaged working copy) is reported as a file-level problem; the working file is removed
    at once by snapshots.transaction."""
    import duckdb
    user = user or snapshots._user()
    report = _new_report(data, file_name)
    report.pii_mode = pii_mode
    try:
        with _budget(budget_s, cancelled):
            return _commit(data, file_name, entity, user, note, pii_mode)
    except ImportRejected as exc:
        audit_attempt(exc.report, "import", "rejected", user)
        raise
    except (snapshots.WriterBusy, snapshots.NoSnapshot):
        audit_attempt(report, "import", "failed", user, note="writer busy or no published data")
        raise
    except _FileProblem as fp:          # timeout or cancellation while re-validating under the lock
        report.problems = fp.problems
    except (OSError, duckdb.Error) as exc:
        log.error("import of %r could not be written", report.file_name, exc_info=True)
        reason = ("磁盘空间不足，无法写入新的数据版本" if _is_disk_full(exc)
                  else f"写入数据文件时出错（{getattr(exc, 'strerror', None) or '存储故障'}）")
        report.problems = [Problem(None, "", "", f"导入失败：{reason}。未导入任何数据，临时文件已删除；"
                                                 "请联系管理员清理磁盘后重试", "write_failed")]
    except Exception as exc:  # noqa: BLE001 - the import boundary
        _unreadable(report, exc)
    audit_attempt(report, "import", "failed" if report.problems and report.problems[0].code == "write_failed"
                  else "rejected", user)
    raise ImportRejected(report)


def _commit(data: bytes, file_name: str, entity: str | None, user: str, note: str | None, pii_mode: str) -> Report:
    report, parsed, p, lk = _dry_run(data, file_name, entity, pii_mode)   # fail fast without the writer lock
    if not report.ok:
        raise ImportRejected(report)
    _stall("validated")
    audit = {"action": "import", "user": user, "entity": report.entity, "file_name": report.file_name,
             "sha256": report.sha256, "size": report.size, "rows": report.n_rows, "result": "imported",
             "problems": 0, "masked": report.masked, "pii_mode": pii_mode}
    ent = ENTITIES[report.entity]
    note = note or f"import {ent.name} {report.file_name}"
    with snapshots.transaction(note, audit=audit) as work:
        _stall("copied")
        con = db.connect_write(work)
        try:
            if snapshots.current().version != report.base_version:
                # another writer published since the dry run: validate again against what we now hold
                report.base_version = snapshots.current().version
                parsed, p, lk = _run_checks(con, data, report, ent.name, pii_mode)
                if not report.ok:
                    raise ImportRejected(report)
            audit.update(rows_added=report.added, rows_updated=report.updated, rows_unchanged=report.unchanged)
            if not p.inserts and not p.updates:
                audit["result"] = "unchanged"
                raise snapshots.NoChange()
            if ent.name != "sites":
                _apply_in_place(con, ent, p)
            _bump_meta(con, ent, p, lk, report, user)
            from civic.store import build as build_mod
            build_mod.apply_views(con)      # refreshes the materialised published-figure check
            _stall("written")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        if ent.name == "sites":
            _rewrite_with_sites(work, p)
        _stall("closed")
    report.version = audit.get("version") or snapshots.current().version
    report.committed = True
    return report


def import_path(path: Path | str, entity: str | None = None, dry_run: bool = False, user: str | None = None,
                pii_mode: str = "reject") -> Report:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        r = Report(file_name=path.name, sha256="", size=0)
        r.problems = [Problem(None, "", str(path), f"无法读取文件：{exc.strerror}", "unreadable")]
        raise ImportRejected(r) from None
    if size > MAX_BYTES:            # refused before it is read
        with open(path, "rb") as fh:
            head = fh.read(1024)
        r = _new_report(head, path.name)
        r.sha256 = ""               # not the file's hash: the file was not read
        r.size = size
        r.problems = [_too_big(size)]
        audit_attempt(r, "import_check" if dry_run else "import", "rejected", user)
        raise ImportRejected(r)
    try:
        data = path.read_bytes()
    except OSError as exc:
        r = Report(file_name=path.name, sha256="", size=size)
        r.problems = [Problem(None, "", path.name, f"无法读取文件：{exc.strerror}", "unreadable")]
        raise ImportRejected(r) from None
    if dry_run:
        rep = check(data, path.name, entity, user=user, pii_mode=pii_mode)
        if not rep.ok:
            raise ImportRejected(rep)
        return rep
    return commit(data, path.name, entity, user, pii_mode=pii_mode)


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
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    ent = ENTITIES[entity]
    if lk is None:
        try:
            snap = snapshots.current()
            con = db.connect_read(snap.path)
            try:
                lk = Lookups(con)
            finally:
                con.close()
        except (snapshots.NoSnapshot, OSError):
            lk = None
    wb = openpyxl.Workbook()
    ws = wb.active
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
    for j, c in enumerate(ent.cols, start=1):
        choices = c.choices or ((tuple(lk.work_units) if ent.name == "works" and c.name == "category" else
                                 lk.concern_areas if ent.name == "feedback" and c.name == "category" else ())
                                if lk else ())
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=not c.required,
                                showErrorMessage=False)
            ws.add_data_validation(dv)
            dv.add(f"{_col_letter(j - 1)}2:{_col_letter(j - 1)}{max(len(body) + 1, 1000)}")
    notes = wb.create_sheet(NOTES_SHEET)
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
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sample_rows(entity: str, n: int, seed: int | None = None, con=None, day: date | None = None) -> list[dict]:
    """N valid, realistic records that are new to the current snapshot (importing them adds exactly N rows).
    Dates fall in the last weeks up to 数据截至, or all on `day` (the demo feed uses today)."""
    own = con is None
    if own:
        con = db.connect_read(snapshots.current().path)
    try:
        lk = Lookups(con)
        lk.sample_day = day
        rng = random.Random(seed if seed is not None else int.from_bytes(os.urandom(8), "big"))
        gen = _SAMPLERS[entity]
        ent = ENTITIES[entity]
        existing = _existing_keys(con, ent)
        rows, keys = [], set()
        tries = 0
        while len(rows) < n:
            tries += 1
            if tries > n * 50 + 200:
                raise ValueError(f"只能生成 {len(rows)} 条新的「{ent.zh}」记录（可用组合已用完）")
            r, key = gen(rng, lk, len(rows))
            if key in existing or key in keys:
                continue
            keys.add(key)
            rows.append(r)
        return rows
    finally:
        if own:
            con.close()


def _existing_keys(con, ent: Entity) -> set:
    if ent.name in ("sites", "teams", "compounds"):
        return {(r[0],) for r in con.execute(f'SELECT name FROM "{ent.table}"').fetchall()}
    cols = ", ".join(f'"{k}"' for k in ent.key_fields)
    return {tuple(r) for r in con.execute(f'SELECT {cols} FROM "{ent.table}"').fetchall()}


def _sample_end(lk: Lookups) -> date:
    return getattr(lk, "sample_day", None) or min(lk.as_of(), date.today())


def _recent_day(rng: random.Random, lk: Lookups, span: int = 60) -> date:
    if getattr(lk, "sample_day", None):
        return lk.sample_day
    return _sample_end(lk) - timedelta(days=rng.randint(0, span))


def _station_place(rng: random.Random, lk: Lookups, levels=("站",)) -> tuple[str, dict]:
    sites = [s for s, r in lk.sites.items() if r["level"] in levels and r["county_code"] in lk.practice_counties
             and not lk.counties[r["county_code"]]["is_replica"]]
    sid = rng.choice(sorted(sites))
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
    from civic.demo.synth import MONTH_THEMES, TYPE_TITLES
    sid, place = _station_place(rng, lk, ("站", "站", "站", "所", "基地"))
    d = _recent_day(rng, lk, 45)
    st = rng.choice(SERVICE_TYPES)
    title = f"{_short_site(place['site'])}·{rng.choice(TYPE_TITLES[st])}"
    vol = rng.randint(3, 14)
    ben = rng.randint(8, 60)
    teams = sorted(t for t, r in lk.teams.items() if r["site_id"] == sid)
    row = {"activity_date": d, **place, "title": title, "service_type": st,
           "theme": MONTH_THEMES[d.month] if rng.random() < 0.4 else None,
           "team": lk.teams[rng.choice(teams)]["name"] if teams and rng.random() < 0.6 else None,
           "participants": vol + ben + rng.randint(0, 6), "volunteers": vol, "beneficiaries": ben,
           "hours": vol * rng.choice([1.5, 2.0, 2.5, 3.0])}
    if row["team"] and len(lk.team_by_name.get(_nfkc(row["team"]), [])) > 1:
        row["team"] = None
    return row, (d, sid, title)


def _s_sites(rng, lk, i):
    from civic.demo.synth import BASE_KINDS as SYN_BASES
    sid, place = _station_place(rng, lk, ("站",))
    r = lk.sites[sid]
    label, kind = rng.choice(SYN_BASES)
    name = f"{place['village']}{label}"
    return ({"name": name, "level": "基地", "town": place["town"], "village": None, "base_kind": kind,
             "lon": round(r["lon"] + rng.uniform(-0.004, 0.004), 6), "lat": round(r["lat"] + rng.uniform(-0.003, 0.003), 6),
             "opened_date": _recent_day(rng, lk, 700)}, (name,))


def _s_teams(rng, lk, i):
    from civic.demo.synth import TEAM_SPECIALTIES
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
    from civic.demo.synth import CONCERN_AREAS
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
    return ({"compound": lk.compounds[cid]["name"], "received_date": d, "category": cat, "channel": rng.choice(CHANNELS),
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


_SAMPLERS = {"activities": _s_activities, "sites": _s_sites, "teams": _s_teams, "micro_wishes": _s_wishes,
             "trainings": _s_trainings, "compounds": _s_compounds, "works": _s_works, "feedback": _s_feedback,
             "meetings": _s_meetings}


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
