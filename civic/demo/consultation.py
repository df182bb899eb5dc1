"""议事结果 for the residents' public page: what each compound meeting decided, its approval, the next meeting.

The report says residents decide "改不改、改哪里、怎么改" in 坝坝会 and 议事会, that 议事会 decisions go to the
town party committee (报镇党委审批) and that results are published. The generator's `meetings` table has the
meetings (date, type, topic) but not their outcome, so this module adds two tables:

- `meeting_decisions`: one row per compound 坝坝会 / 议事会: the decision in plain words and, for a 议事会,
  its approval (报镇党委审批 while the town committee has it, 通过 with the approval date once approved);
  a 坝坝会 collects opinions and needs no approval (NULL).
- `scheduled_meetings` (id `schedule_id`): the next announced meeting of a compound still under way (after the data's day).

It draws from its own generator seeded from the main seed, so adding it leaves every other table (and the
57 published-figure checks) exactly as they were.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

SEED_STREAM = 20_019          # a stream of its own: np.random.default_rng([seed, SEED_STREAM])
APPROVAL_DAYS = (4, 21)       # 报镇党委审批 → 通过 takes this many days (inclusive range)
NEXT_MEETING_DAYS = (6, 40)   # the next meeting is announced this many days ahead of the data's day

# decisions by what the meeting was about; {work} is one of the compound's planned works
DECISIONS = {
    "坝坝会": ["多数居民同意先做{work}，意见汇总后提交议事会",
              "居民提出{work}施工时间避开上下学时段，已记录",
              "{work}方案张贴公示七天，无异议"],
    "议事会": ["表决通过{work}方案，居民自筹部分按户均摊",
              "同意{work}分两期实施，先做主要通道",
              "确定{work}施工单位进场时间，施工期间每周通报进度",
              "通过{work}增项，资金由联帮包单位补足"],
}
NEXT_TOPICS = {"设计": "改造方案征求意见", "施工": "施工进度通报与问题协商", "验收": "竣工验收居民评议",
               "未启动": "是否纳入改造征求意见"}


def generate(seed: int, as_of: date, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The two tables, from the already generated meetings, compounds and works (read, never changed)."""
    rng = np.random.default_rng([seed, SEED_STREAM])
    return {"meeting_decisions": _decisions(rng, as_of, tables["meetings"], tables["works"]),
            "scheduled_meetings": _scheduled(rng, as_of, tables["compounds"])}


def _decisions(rng: np.random.Generator, as_of: date, meetings: pd.DataFrame, works: pd.DataFrame) -> pd.DataFrame:
    planned = works.groupby("compound_id").category.apply(list).to_dict()
    rows = []
    held = meetings[meetings.meeting_type.isin(list(DECISIONS)) & meetings.compound_id.notna()]
    for m in held.itertuples(index=False):
        options = planned.get(m.compound_id) or ["小区改造"]
        work = options[int(rng.integers(len(options)))]
        texts = DECISIONS[m.meeting_type]
        decision = texts[int(rng.integers(len(texts)))].format(work=work)
        approval, approved = None, None
        if m.meeting_type == "议事会":
            approved = m.meeting_date + timedelta(days=int(rng.integers(APPROVAL_DAYS[0], APPROVAL_DAYS[1] + 1)))
            # the town committee has not answered yet when its answer would fall after the data's day
            approval, approved = ("通过", approved) if approved <= as_of else ("报镇党委审批", None)
        rows.append({"meeting_id": m.meeting_id, "decision": decision, "approval": approval,
                     "approved_date": approved, "source": "synthetic"})
    return pd.DataFrame(rows, columns=["meeting_id", "decision", "approval", "approved_date", "source"])


def _scheduled(rng: np.random.Generator, as_of: date, compounds: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for c in compounds.itertuples(index=False):
        # finished compounds have no more renovation meetings; about two in three of the others have one announced
        if c.status == "完成" or rng.random() > 0.65:
            continue
        kind = "议事会" if c.status in ("设计", "施工") and rng.random() < 0.5 else "坝坝会"
        day = as_of + timedelta(days=int(rng.integers(NEXT_MEETING_DAYS[0], NEXT_MEETING_DAYS[1] + 1)))
        rows.append({"schedule_id": schedule_id(c.compound_id, day), "compound_id": c.compound_id,
                     "meeting_date": day, "meeting_type": kind,
                     "topic": NEXT_TOPICS[c.status], "source": "synthetic"})
    return pd.DataFrame(rows, columns=["schedule_id", "compound_id", "meeting_date", "meeting_type", "topic", "source"])


def schedule_id(compound_id: str, day: date) -> str:
    """A generated announcement's id, from its natural key (one announcement per compound and day); imported
    ones are SM-IMP-<hash> (civic/importer/write.py make_id)."""
    return f"SM-{compound_id}-{day:%Y-%m-%d}"   # not …-20261202: "008-20261202" reads as a landline number
