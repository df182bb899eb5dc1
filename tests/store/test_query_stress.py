"""Every named query, run concurrently from several threads on filters that match nothing and on no filter.

DuckDB 1.5.5 raised "INTERNAL Error: Attempted to access index 0 within vector of size 0" for window
aggregates over empty filtered joins run from concurrent cursors, and then invalidated the whole
connection (every later query of every session failed). Two volunteer queries were rewritten for it; this
test guards all of them, the way the app runs them: one cursor per thread of one read-only connection.
"""
from __future__ import annotations

import threading
from datetime import date

import pytest

from civic.store import db, queries

AS_OF = date(2026, 11, 26)
BASE = dict(date_from=date(2026, 1, 1), date_to=AS_OF, prev_from=date(2025, 1, 1), prev_to=date(2025, 11, 26),
            as_of=AS_OF, year=2026, day=AS_OF, month_from=date(2025, 12, 1), n=20, idle_days=30, limit=200, offset=0,
            overdue_days=60, month_to=date(2026, 11, 1), month=date(2026, 11, 1), days=30, section="all")
# 王桥镇 has stations but no activity of this service type by a team of this type: empty joins
EMPTY = dict(BASE, county="140423", q="没有这个小区", towns=["140423101"], stypes=["理论宣讲"], ttypes=["协会"],
             site="S-000000000000",
             compound="C-none", batches=["储备一批"], communities=["511823000000"], stages=["验收"], types=["none"])
NONE = dict(BASE, county="511823", q="", towns=[], stypes=[], ttypes=[], site="I-140423103", compound="C-none", batches=[],
            communities=[], stages=[], types=[])
THREADS, ROUNDS = 4, 3


@pytest.mark.parametrize("params", [EMPTY, NONE], ids=["empty", "unfiltered"])
def test_every_query_survives_concurrent_cursors(data_dir, params):
    names = queries.names()
    errors: list[str] = []

    def worker(k: int) -> None:
        for r in range(ROUNDS):
            for name in names[k:] + names[:k]:          # threads start at different queries
                try:
                    queries.execute(name, **params)
                except Exception as exc:  # noqa: BLE001 - collected and reported below
                    errors.append(f"{name}: {exc}"[:300])

    threads = [threading.Thread(target=worker, args=(i * len(names) // THREADS,)) for i in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(600)
    assert not errors, "\n".join(errors[:10])
    # the connection is still usable afterwards (an internal error would have invalidated it)
    _, cur = db.reader()
    assert cur.execute("SELECT count(*) FROM activities").fetchone()[0] > 0


def test_empty_filters_give_empty_or_zero_results(data_dir):
    kpis = queries.execute("volunteer_kpis", **EMPTY).iloc[0]
    assert kpis.activities == 0 and kpis.activities_prev == 0
    assert queries.execute("map_site", **EMPTY).empty
    assert (queries.execute("volunteer_calendar", **EMPTY).activities == 0).all()
