"""Issue 21, "draw only what is visible": what a page sends per run stays small, and no grid carries an
unbounded list. Lists that grow with the data go through widgets.paged_table (one page of PAGE_SIZE rows);
the other grids are bounded by what they describe (towns, compounds, the top 10 …).

At ×1 these are regression guards: a new st.dataframe of a growing list, or a page at ×1 already sending
more than the issue's 200 kB, fails here. The ×100 figures are measured with the benchmark's element
bytes (devtools/bench/record.py element_bytes; BENCHMARKS.md)."""
from __future__ import annotations

import pytest

from civic.app.widgets import PAGE_SIZE
from devtools.bench.record import element_bytes

# the analyst pages with grids; the map (pages/stations.py) sends its deck, measured in docs/map.md
PAGES = ["overview", "renovation", "cogovernance", "volunteer", "scorecard", "completeness"]
BOUNDED_ROWS = 100          # the largest bounded grid at ×1: the overview's published figures (57 rows)


# the pages that build one analysis section at a time (URL view=): every section is checked
SECTIONS = {"renovation": ("works", "breakdown", "schedule", "compounds"), "cogovernance": ("feedback", "meetings", "grid")}
CASES = [(page, {}) for page in PAGES] + [(page, {"view": v}) for page, views in SECTIONS.items() for v in views]


@pytest.mark.parametrize("page,query", CASES, ids=lambda c: c if isinstance(c, str) else c.get("view", ""))
def test_every_grid_is_a_page_or_bounded_and_the_page_is_small(rendered, page, query):
    at = rendered(f"pages/{page}.py", query)
    assert not at.exception, [e.value for e in at.exception]
    rows = [len(d.value) for d in at.dataframe]
    assert all(n <= BOUNDED_ROWS for n in rows), rows
    assert element_bytes(at) <= 200_000


def test_the_growing_lists_send_one_page(make_app):
    """The volunteer activity list (tens of thousands of rows at ×1) is built when opened and arrives one
    page at a time, the pager saying where the reader is."""
    at = make_app("pages/volunteer.py", {"range": "all", "view": "list"})
    at.session_state["vol_list_open"] = True
    at.run()
    activities = next(d.value for d in at.dataframe if "activity_id" in d.value.columns)
    assert len(activities) == PAGE_SIZE
    assert any(c.value.startswith("第 1/") and "页 · 共" in c.value for c in at.caption)
