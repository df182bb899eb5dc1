"""The programmes' vocabulary, in one place: counties, town kinds, renovation stages and batches, service
types, feedback channels and states, meeting types and the other closed lists a row may hold.

data/schema.sql repeats each list in a CHECK (x IN (...)) so DuckDB refuses a stray word; tests/test_domain.py
asserts every such list equals the one here, so a word is added here and in the CHECK together. The build
writes these lists into the `vocabulary` table (civic/store/schema.py), so SQL can join on them rather than
spelling them out. The importer (civic/importer/specs.py) and the generator (civic/demo/synth.py) read their
allowed values from here; nothing here imports anything of the project.
"""
from __future__ import annotations

# ── counties ──────────────────────────────────────────────────────────────────────────────────
XIANGYUAN = "140423"        # 襄垣县 (山西省长治市): the civilisation-practice network
HANYUAN = "511823"          # 汉源县 (四川省雅安市): old-compound renovation and co-governance
COUNTY_CODES: tuple[str, ...] = (XIANGYUAN, HANYUAN)
COUNTY_NAMES: dict[str, str] = {XIANGYUAN: "襄垣县", HANYUAN: "汉源县"}
XIANGYUAN_SEAT_TOWN = "古韩镇"      # the county seat, whose stations form the 整体联动 group
PROGRAMMES: tuple[str, ...] = ("文明实践", "小区治理")

# ── places ────────────────────────────────────────────────────────────────────────────────────
TOWN_KINDS: tuple[str, ...] = ("镇", "乡", "街道", "开发区")
VILLAGE_KINDS: tuple[str, ...] = ("村", "社区", "虚拟社区")
COORD_QUALITIES: tuple[str, ...] = ("approximate", "imported")

# ── civilisation practice (襄垣县) ─────────────────────────────────────────────────────────────
SITE_LEVELS: tuple[str, ...] = ("中心", "所", "站", "基地")
# kinds of a 基地 (a site of level 基地) as the importer accepts them
BASE_KINDS: tuple[str, ...] = ("文化空间", "创客空间", "培训基地", "科普", "体育", "红色教育", "其他")
CULTURAL_RESOURCE_KINDS: tuple[str, ...] = ("乡村文化站", "农家书屋", "图书室", "文化广场")
TEAM_TYPES: tuple[str, ...] = ("总队", "分队", "站队", "专业队", "协会")
SERVICE_TYPES: tuple[str, ...] = ("理论宣讲", "文化惠民", "项目品牌", "乡风文明", "扶危帮困")
WISH_CATEGORIES: tuple[str, ...] = ("助老助残", "助学", "生活用品", "就医帮扶", "环境整治", "文体器材", "农技指导",
                                    "法律咨询", "其他")
WISH_STATUS: tuple[str, ...] = ("发布", "认领", "完成")

# ── renovation and co-governance (汉源县) ──────────────────────────────────────────────────────
COMPOUND_TYPES: tuple[str, ...] = ("老旧小区", "库区安置小区")
BATCHES: tuple[str, ...] = ("实施一批", "谋划一批", "储备一批")
# a compound's stage, in order (civic/stages.py says what each word counts on screen)
STAGES: tuple[str, ...] = ("未启动", "设计", "施工", "验收", "完成")
STAGES_UNDER_WAY: tuple[str, ...] = ("设计", "施工", "验收")
STAGE_STEPS: tuple[str, ...] = STAGES[1:]          # the stages a compound_stages row can record
FUNDING_SOURCES: tuple[str, ...] = ("财政奖补", "居民自筹", "集体经济", "联帮包单位")
BODY_TYPES: tuple[str, ...] = ("小区党组织", "业主委员会", "自管委", "物业企业")
FEEDBACK_CHANNELS: tuple[str, ...] = ("坝坝会", "座谈会", "网格员走访", "微信群", "议事会", "热线电话")
FEEDBACK_STATUS: tuple[str, ...] = ("收集", "议事", "办结")
MEETING_TYPES: tuple[str, ...] = ("坝坝会", "座谈会", "议事会", "联席会议", "政策宣传")
# the compound meetings whose outcome (议事结果) is recorded and published; only a 议事会 decision goes to the
# town party committee, so only it has an approval
DECIDING_MEETING_TYPES: tuple[str, ...] = ("坝坝会", "座谈会", "议事会")
APPROVAL_STATES: tuple[str, ...] = ("报镇党委审批", "通过")      # 通过 always with its approval date
# the meetings a compound announces ahead (scheduled_meetings)
SCHEDULED_MEETING_TYPES: tuple[str, ...] = ("坝坝会", "议事会")
PARTNER_KINDS: tuple[str, ...] = ("物业合伙人", "童心合伙人", "商圈合伙人")
PARTNER_PROJECT_KINDS: tuple[str, ...] = ("领办小区物业", "服务一老一小", "夜间经济", "便民服务")

# ── where a row came from, and what a published figure says ───────────────────────────────────
ROW_SOURCES: tuple[str, ...] = ("synthetic", "import")
PROVENANCE_KINDS: tuple[str, ...] = ("real", "published", "synthetic", "derived", "mixed")
FACT_QUALIFIERS: tuple[str, ...] = ("exact", "more_than", "less_than")

# ── the words the synthetic generator and the importer's samples write (not closed lists) ─────
# 8 个方面群众所急所盼 (H14): 道路、电力、通信 from the report, 5 more chosen to make 8
CONCERN_AREAS: tuple[str, ...] = ("道路", "电力", "通信", "供水", "排水", "燃气", "消防", "环境卫生")
# 一月一主题, by month (invented for the demo)
MONTH_THEMES: dict[int, str] = {
    1: "新春文明行动", 2: "移风易俗树新风", 3: "学雷锋志愿服务月", 4: "文明祭扫·缅怀先烈",
    5: "劳动最光荣", 6: "关爱未成年人", 7: "党在我心中", 8: "平安襄垣·清凉夏日",
    9: "尊师重教", 10: "爱国主义教育月", 11: "消防安全宣传月", 12: "国际志愿者日"}
# activity titles by service type
ACTIVITY_TITLES: dict[str, list[str]] = {
    "理论宣讲": ["理论宣讲进村入户", "党的创新理论微宣讲", "政策解读面对面", "百姓宣讲团宣讲"],
    "文化惠民": ["文艺演出下乡", "广场舞展演", "送电影下乡", "书香阅读分享会"],
    "项目品牌": ["红马甲便民服务", "环东湖文明实践行", "文明实践+项目展示", "青年志愿服务项目"],
    "乡风文明": ["移风易俗宣传", "好家风好家训分享", "文明新风评议", "道德讲堂"],
    "扶危帮困": ["关爱空巢老人", "困难群众慰问", "留守儿童陪伴", "助残帮扶"],
}
TEAM_SPECIALTIES: list[str] = ["理论宣讲", "文艺", "医疗健康", "法律服务", "科普", "环境保护", "助老", "关爱儿童",
                               "平安巡防", "移风易俗", "巾帼", "青年", "红马甲", "农技", "阅读推广", "体育健身"]
# named bases (a village's …基地) and the base kind each is (one of BASE_KINDS)
NAMED_BASES: list[tuple[str, str]] = [
    ("红色教育基地", "红色教育"), ("农耕文化基地", "其他"), ("科普教育基地", "科普"),
    ("体育健身基地", "体育"), ("非遗传承基地", "文化空间"), ("家风家训馆", "其他"),
    ("移风易俗示范基地", "其他"), ("农家书屋示范点", "文化空间"), ("乡村振兴实践基地", "其他")]

# Every closed list by the name it has in the `vocabulary` table.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "county": COUNTY_CODES, "programme": PROGRAMMES, "town_kind": TOWN_KINDS, "village_kind": VILLAGE_KINDS,
    "coord_quality": COORD_QUALITIES, "site_level": SITE_LEVELS, "base_kind": BASE_KINDS,
    "cultural_resource_kind": CULTURAL_RESOURCE_KINDS, "team_type": TEAM_TYPES, "service_type": SERVICE_TYPES,
    "wish_category": WISH_CATEGORIES, "wish_status": WISH_STATUS, "compound_type": COMPOUND_TYPES,
    "batch": BATCHES, "stage": STAGES, "stage_step": STAGE_STEPS, "funding_source": FUNDING_SOURCES,
    "body_type": BODY_TYPES, "feedback_channel": FEEDBACK_CHANNELS, "feedback_status": FEEDBACK_STATUS,
    "meeting_type": MEETING_TYPES, "deciding_meeting_type": DECIDING_MEETING_TYPES,
    "approval_state": APPROVAL_STATES, "scheduled_meeting_type": SCHEDULED_MEETING_TYPES,
    "partner_kind": PARTNER_KINDS, "partner_project_kind": PARTNER_PROJECT_KINDS,
    "row_source": ROW_SOURCES, "provenance_kind": PROVENANCE_KINDS, "fact_qualifier": FACT_QUALIFIERS,
}


def vocabulary_rows() -> list[dict[str, object]]:
    """The `vocabulary` table's rows: (vocabulary, value, ord), ord counting from 1 in the order above."""
    return [{"vocabulary": name, "value": v, "ord": i}
            for name, values in VOCABULARIES.items() for i, v in enumerate(values, start=1)]
