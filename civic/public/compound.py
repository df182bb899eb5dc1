"""Everything the residents' page of one compound shows, read through named queries (no SQL here).

The timing words reuse the renovation page's definitions: the compound's row of
queries/renovation_compounds.sql gives its planned start and finish and `delay_days` (one truth for
"滞后 N 天"), and its stage history is queries/renovation_compound_stages.sql.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from civic import stages
from civic.store import queries
from civic.text import fmt


@dataclass(frozen=True)
class CompoundPage:
    row: pd.Series             # renovation_compounds row: name, town/community, batch, status, plan dates, delay
    as_of: date
    stages: pd.DataFrame       # renovation_compound_stages
    works: pd.DataFrame        # renovation_compound_works
    funding: pd.DataFrame      # renovation_compound_funding
    meetings: pd.DataFrame     # public_compound_meetings
    next_meeting: pd.Series | None
    feedback: pd.DataFrame     # public_compound_feedback
    bodies: pd.DataFrame       # renovation_compound_bodies, present ones only

    @property
    def delay_days(self) -> int:
        """Days behind plan (0 when on plan or ahead); the renovation page's definition."""
        d = self.row.delay_days
        return 0 if pd.isna(d) else max(0, int(d))


def as_of() -> date:
    d = fmt._as_date(queries.scalar("meta_as_of"))
    if d is None:
        raise LookupError("meta has no as_of")
    return d


def all_compounds(as_of_day: date) -> pd.DataFrame:
    """Every compound with its timing (renovation_compounds.sql, no filters)."""
    return queries.run("renovation_compounds", towns=[], communities=[], batches=[], stages=[], types=[],
                       as_of=as_of_day)


def compound_ids() -> list[str]:
    return list(queries.run("public_compound_index", q="").compound_id)


def index(search: str = "") -> pd.DataFrame:
    """Compounds by town and community; `search` keeps those whose name contains it."""
    return queries.run("public_compound_index", q=search.strip()[:40])


def load(compound_id: str) -> CompoundPage | None:
    """The page's data, or None for an unknown id."""
    day = as_of()
    rows = all_compounds(day)
    rows = rows[rows.compound_id == compound_id]
    if rows.empty:
        return None
    nxt = queries.run("public_compound_next_meeting", compound=compound_id, as_of=day)
    bodies = queries.run("renovation_compound_bodies", compound=compound_id)
    return CompoundPage(
        row=rows.iloc[0], as_of=day,
        stages=queries.run("renovation_compound_stages", compound=compound_id, as_of=day),
        works=queries.run("renovation_compound_works", compound=compound_id),
        funding=queries.run("renovation_compound_funding", compound=compound_id),
        meetings=queries.run("public_compound_meetings", compound=compound_id),
        next_meeting=None if nxt.empty else nxt.iloc[0],
        feedback=queries.run("public_compound_feedback", compound=compound_id),
        bodies=bodies[bodies.present.astype(bool)])


def stage_word(status: str, lang: str | None = None) -> str:
    """The current-stage word (设计中, 已完成 …) from civic/stages.py."""
    return stages.now_label(status, lang)
