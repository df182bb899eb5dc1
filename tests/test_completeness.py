"""civic/completeness.py's pure parts: which townships the heatmap draws when there are too many, and name lists
cut for a sentence (the page's AppTests are in tests/pages/test_completeness.py)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from civic import completeness as cp
from civic.text.i18n import use_lang

AS_OF = date(2026, 11, 26)


def _grid(shares_now: dict[str, float], share_before: float = 90.0) -> pd.DataFrame:
    """Two months per township: October at share_before, November (running, bar pro rata) at shares_now."""
    rows = []
    for code, now in shares_now.items():
        rows.append({"town_code": code, "month": date(2026, 10, 1), "share": share_before, "bar": cp.THRESHOLD})
        rows.append({"town_code": code, "month": date(2026, 11, 1), "share": now, "bar": cp.THRESHOLD * 26 / 30})
    return pd.DataFrame(rows)


def test_every_township_is_drawn_when_they_fit():
    g = _grid({f"T{i:03d}": 50.0 + i for i in range(cp.HEAT_ROWS)})
    rows, total = cp.heat_rows(g, AS_OF)
    assert total == cp.HEAT_ROWS and rows.equals(g)


def test_past_the_limit_the_lowest_against_this_months_bar_are_drawn_in_their_order():
    shares = {f"T{i:03d}": 100.0 - i for i in range(cp.HEAT_ROWS + 25)}    # the later, the lower
    shares["T000"] = None                                                   # no figure this month: drawn last
    g = _grid(shares)
    rows, total = cp.heat_rows(g, AS_OF)
    drawn = list(dict.fromkeys(rows.town_code))
    assert total == cp.HEAT_ROWS + 25 and len(drawn) == cp.HEAT_ROWS
    assert drawn == sorted(drawn)                                           # the grid's order, not the rank
    assert set(drawn) == {f"T{i:03d}" for i in range(25, cp.HEAT_ROWS + 25)}


def test_ties_this_month_are_broken_by_the_year():
    g = _grid({"A": 50.0, "B": 50.0, "C": 95.0})
    g.loc[(g.town_code == "B") & (g.month == date(2026, 10, 1)), "share"] = 10.0
    rows, total = cp.heat_rows(g, AS_OF, limit=1)
    assert total == 3 and set(rows.town_code) == {"B"}


def test_a_name_list_stops_after_the_limit_and_says_how_many_more():
    names = [f"镇{i}" for i in range(cp.LIST_NAMES + 3)]
    with use_lang("zh"):
        assert cp.name_list(names[:2]) == "镇0、镇1"
        cut = cp.name_list(names)
        assert cut.startswith("、".join(names[:cp.LIST_NAMES])) and "3" in cut and f"镇{cp.LIST_NAMES}" not in cut
    with use_lang("en"):
        assert cp.name_list(names).endswith("and 3 more")
