"""Renovation stages: the one place that says what each stage word counts.

A compound's `status` is one of ORDER. Two kinds of count are shown, and each has its own words, so that the
same word never counts two things (issue: the funnel's top bar read "未启动 92" while the filter's 未启动
meant 26 compounds; the screen said 未启动 26 in one scene and 未启动 92 in another):

- **now** — compounds whose current stage is X: `tv("stage", X)` (未启动 / 设计中 / 施工中 / 验收中 / 已完成).
  Used by the stage filter, tables, the compound card, the page's and the screen's "by stage" bars.
- **reached** — compounds at stage X or beyond: `reached_label(X)` (全部小区 / 已进入设计 / 已进入施工 /
  已进入验收 / 已完成). Used only by funnels.
- **name** — the stage itself, where nothing is counted: `name_label(X)` (设计 / 施工 / 验收 / 完成), in a
  compound's stage history and the Gantt's stage bars ("设计 · 已完成", not "设计中 · 已完成").
- **under way** — 设计 + 施工 + 验收 (UNDER_WAY): `t("stages.under_way")` (推进中), never 在建, which reads as
  "under construction" only.

Both counts come from one query, queries/renovation_funnel.sql (`at_stage`, `reached`), through `counts()`:
the renovation page (with its filters) and the screen (without) call it alike.

The headline figures (compounds, 已完成 / 推进中 / 未启动, buildings, households, floor area, behind schedule)
come from one query too, queries/renovation_kpis.sql, through `headline()`: the renovation page, 总览 and the
screen show the same numbers (tests/pages/test_pages_agree.py).
"""
from __future__ import annotations

import pandas as pd

from civic import domain
from civic.store import queries
from civic.text.i18n import t, tv

ORDER = domain.STAGES
UNDER_WAY = domain.STAGES_UNDER_WAY


def now_label(stage: str, lang: str | None = None) -> str:
    """Words for "compounds whose current stage is `stage`"."""
    return tv("stage", stage, lang)


def reached_label(stage: str, lang: str | None = None) -> str:
    """Words for "compounds at `stage` or beyond" (a funnel level)."""
    return t(f"stages.reached.{stage}", lang)


def name_label(stage: str, lang: str | None = None) -> str:
    """The stage's name, where no compounds are counted (a stage history row, a Gantt bar)."""
    return t(f"stages.name.{stage}", lang)


def counts(towns=(), communities=(), batches=(), stages=(), types=()) -> pd.DataFrame:
    """Per stage in ORDER: `at_stage` (now) and `reached` (at or beyond), with buildings, households and floor
    area of the compounds reached. Filters: empty = all."""
    return queries.run("renovation_funnel", towns=list(towns), communities=list(communities),
                       batches=list(batches), stages=list(stages), types=list(types))


def headline(as_of, towns=(), communities=(), batches=(), stages=(), types=()) -> pd.Series:
    """The renovation's headline figures for the filtered compounds (empty = all), one row of
    queries/renovation_kpis.sql; `as_of` (the data's last day) dates the behind-schedule count."""
    return queries.run("renovation_kpis", towns=list(towns), communities=list(communities), batches=list(batches),
                       stages=list(stages), types=list(types), as_of=as_of).iloc[0]
