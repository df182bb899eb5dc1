"""The words the synthetic records are made of: service types, concern areas, themes, campaign and team names.

The demo's own word lists; the ones real data must use too come from civic/domain.py.
"""
from __future__ import annotations

# The words real data must use too (schema CHECKs, the importer) live in civic/domain.py; the generator
# takes them from there. The rest are the demo's own.
from civic.domain import ACTIVITY_TITLES as TYPE_TITLES
from civic.domain import CONCERN_AREAS, MONTH_THEMES, SERVICE_TYPES, TEAM_SPECIALTIES
from civic.domain import NAMED_BASES as BASE_KINDS

__all__ = ["BASE_KINDS", "CAMPAIGN_NAMES", "CONCERN_AREAS", "DONGHU_SPACES", "MARKET_ITEM_NAMES", "MONTH_THEMES",
           "SERVICE_FACILITY_AREAS", "SERVICE_TYPES", "TEAM_SPECIALTIES", "TYPE_TITLES"]

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
