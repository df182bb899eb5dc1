"""Personal data that got into the database before the import rule (issue 20 §4) never reaches a viewer:
every named query's text cells leave masked, so the map's station detail, the volunteer list and the screen
show 138****8000, never the number."""
from __future__ import annotations

import pandas as pd

from civic.store import db, queries, schema, snapshots

PII_TITLE = "联系人张三，电话13800138000，身份证110101199003078881"


def _plant_title(site_id: str | None = None) -> tuple[str, str]:
    """Write PII_TITLE into the newest activity (of `site_id`, if given) as an old version would have kept it."""
    with snapshots.transaction("test: an old title with personal data") as work:
        c = db.connect_write(work)
        sid = site_id or c.execute("SELECT site_id FROM activities a JOIN sites s USING (site_id) "
                                   "WHERE s.level = '站' ORDER BY activity_date DESC LIMIT 1").fetchone()[0]
        aid, day = c.execute("SELECT activity_id, activity_date FROM activities WHERE site_id = $s "
                             "ORDER BY activity_date DESC LIMIT 1", {"s": sid}).fetchone()
        c.execute("UPDATE activities SET title = $t WHERE activity_id = $a", {"t": PII_TITLE, "a": aid})
        schema.apply_views(c)
        c.execute("CHECKPOINT")
        c.close()
    return sid, day.isoformat()


def test_screened_masks_text_cells_only():
    df = pd.DataFrame({"title": [PII_TITLE, "植树", None], "n": [13800138000, 2, 3]})
    out = queries._screened(df)
    assert out.title[0] == "联系人张三，电话138****8000，身份证110101********8881"
    assert out.title[1] == "植树" and out.n[0] == 13800138000        # numbers are not text


def test_station_detail_and_queries_never_show_the_number(private_data_dir, make_app):
    sid, day = _plant_title()
    recent = queries.run("map_site_recent", site=sid, date_from=day, date_to=day)
    assert PII_TITLE not in set(recent.title) and any("138****8000" in t for t in recent.title)
    at = make_app(page="pages/stations.py", query={"site": sid, "range": "all"}).run()
    assert not at.exception
    shown = [str(df.value.to_dict()) for df in at.dataframe] + [m.value for m in at.markdown]
    assert not any("13800138000" in s or "110101199003078881" in s for s in shown)
    assert any("138****8000" in s for s in shown)
