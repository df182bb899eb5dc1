"""The reporting period and the calibration targets of the synthetic data (civic/demo/synth.py).

Each target is inside its published band (see v_fact_check; the Xnn/Hnn codes are the rows of
data/published_facts.csv); changing one here is the only way to change what the default database reproduces.
"""
from __future__ import annotations

from datetime import date

REPORTING_YEAR = 2025
DATA_START = date(2023, 1, 1)
REPORT_END = date(REPORTING_YEAR, 12, 31)   # the moment the published figures describe (data/views.sql)
DEFAULT_SEED = 20251205

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
