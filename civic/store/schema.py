"""The database's shape: every table's load order and provenance, data/schema.sql, data/views.sql and the
derived tables they rebuild, and loading rows into an empty database. What fills it: civic/demo/build.py (the
demo data) or the importer (real data)."""
from __future__ import annotations

import csv
import hashlib
from typing import Callable

import pandas as pd
import pyarrow as pa

from civic import domain, paths
from civic.store import db

LOAD_ORDER = [
    "counties", "towns", "villages", "sites", "base_spaces", "site_groups", "cultural_resources", "teams",
    "monthly_themes", "campaigns", "campaign_items", "activities", "party_branches", "micro_wishes", "trainings",
    "communities", "concern_areas", "service_facility_areas", "compounds", "compound_stages", "work_categories",
    "works", "funding", "property_firms", "governance_bodies", "feedback", "meetings", "meeting_decisions",
    "scheduled_meetings", "grid_party_committees",
    "grid_committee_members", "grid_units", "leader_links", "partners", "partner_projects",
]

PROVENANCE = {
    "counties": ("real", "NBS 2023 codes; seat coordinates DataV.GeoAtlas (GCJ-02)", "replicas for --scale are synthetic"),
    "towns": ("mixed", "NBS 2023 codes and names; town areas/seats generated (示意)", "coord_quality = approximate"),
    "villages": ("real", "NBS 2023 统计用区划代码 via modood/Administrative-divisions-of-China", None),
    "sites": ("mixed", "one 站 per real NBS unit; names of named bases from the report; positions generated (示意)", None),
    "base_spaces": ("mixed", "5 spaces named in the report, 2 synthetic", "7 in all (X21)"),
    "site_groups": ("mixed", "古韩镇整体联动 and 环东湖文明实践圈 as described in the report", None),
    "cultural_resources": ("synthetic", "generated, count calibrated to X04", None),
    "teams": ("synthetic", "generated, counts calibrated to X06–X08, X17", None),
    "monthly_themes": ("synthetic", "一月一主题 themes invented for the demo", None),
    "campaigns": ("synthetic", "names follow the report (文明集市, 12·5); counts calibrated to X10", None),
    "campaign_items": ("synthetic", "calibrated to X22", None),
    "activities": ("synthetic", "generated, calibrated to X09, X16, X18, X19", "imports add source = import"),
    "party_branches": ("synthetic", "calibrated to X13, X14", None),
    "micro_wishes": ("synthetic", "calibrated to X15", None),
    "trainings": ("synthetic", "calibrated to X11, X12, X20", None),
    "communities": ("real", "NBS 2023 communities of 富林镇/九襄镇; programme membership chosen (4+2, H10)", None),
    "concern_areas": ("mixed", "道路、电力、通信 from the report; 5 more chosen to make 8 (H14)", None),
    "service_facility_areas": ("mixed", "养老、托育、文体 from the report; 2 more chosen to make 5 (H13)", None),
    "compounds": ("synthetic", "92 compounds (H11), buildings/area calibrated (H12, H19); 德鑫小区 named in the report", None),
    "compound_stages": ("synthetic", "generated", None),
    "work_categories": ("published", "categories and units from the report", None),
    "works": ("synthetic", "done totals calibrated to H15–H26", None),
    "funding": ("synthetic", "four sources from the report (H34); amounts generated", None),
    "property_firms": ("synthetic", "3 firms (H31); names invented", None),
    "governance_bodies": ("synthetic", "calibrated to H27–H30", None),
    "feedback": ("synthetic", "calibrated to H09", None),
    "meetings": ("synthetic", "calibrated to H07, H08", None),
    "meeting_decisions": ("synthetic", "议事结果 and 报镇党委审批 as the report describes them; texts generated",
                          "civic/demo/consultation.py"),
    "scheduled_meetings": ("synthetic", "next meeting per compound under way; generated", "civic/demo/consultation.py"),
    "grid_party_committees": ("synthetic", "calibrated to H01", None),
    "grid_committee_members": ("synthetic", "calibrated to H02", None),
    "grid_units": ("synthetic", "calibrated to H05, H06", None),
    "leader_links": ("synthetic", "calibrated to H03, H04; no personal data", None),
    "partners": ("synthetic", "calibrated to H33", None),
    "partner_projects": ("synthetic", "calibrated to H32", None),
    "published_facts": ("published", "shared/facts/seed_facts.csv + source sentences from the two reports", None),
    "fact_computed": ("derived", "v_fact_computed materialised: the 57 published figures computed from the data",
                      "rebuilt by every build and import; read-only"),
    "activity_facts": ("derived", "activities joined with sites and teams, sorted by date (data/views.sql)",
                       "rebuilt by every build and import; read-only"),
    "activity_months": ("derived", "activity_facts summed by month, town, service type, team type, site level",
                        "rebuilt by every build and import; read-only"),
    "activity_town_months": ("derived", "activity_months summed by month, town and service type (no team type, "
                             "site level)", "rebuilt by every build and import; read-only"),
    "activity_town_days": ("derived", "activity_facts summed by day and town", "rebuilt by every build and import; read-only"),
    "site_activity": ("derived", "each site's last activity up to meta.as_of (data/views.sql)",
                      "rebuilt by every build and import; read-only"),
}

# Tables that data/views.sql rebuilds from the data tables (never imported, never copied between files).
DERIVED_TABLES = tuple(name for name, (kind, _, _) in PROVENANCE.items() if kind == "derived")


def views_hash() -> str:
    return hashlib.sha256(paths.VIEWS_SQL.read_bytes()).hexdigest()[:16]


def apply_views(con) -> None:
    """Run data/views.sql (views and derived tables) and record which version of it the file holds."""
    con.execute(paths.VIEWS_SQL.read_text(encoding="utf-8"))
    # delete + insert rather than INSERT OR REPLACE: the lake's meta (cluster mode) has no primary key
    con.execute("DELETE FROM meta WHERE key = 'views_hash'")
    con.execute("INSERT INTO meta VALUES ('views_hash', $h)", {"h": views_hash()})


# How a build orders each derived table (zone maps: a date window reads only its own row groups).
_DERIVED_ORDER = {"fact_computed": "fact_id", "activity_facts": "activity_date, town_code, site_id",
                  "activity_months": "month, town_code, service_type, team_type, site_level",
                  "activity_town_months": "month, town_code, service_type",
                  "activity_town_days": "activity_date, town_code", "site_activity": "site_id"}


def derived_order(table: str) -> str:
    return _DERIVED_ORDER[table]


def refresh_derived(con, *, added: list[str] | None = None, changed: list[str] | None = None,
                    as_of_before: str | None = None, full_activities: bool = False,
                    only_activities: bool = False) -> None:
    """Bring the derived tables up to date after an import, replacing only the rows it can have changed.

    `added` / `changed`: ids of the activities inserted / updated; `as_of_before`: meta.as_of before the
    import (site_activity counts activities up to it); `full_activities`: the change reaches activities
    beyond their ids (a team's type changed), so the activity tables are refilled whole; `only_activities`:
    no other data table changed, so the published figures (57 sub-queries over the whole data) are
    recomputed only when a touched activity falls in the period they read (fact_period). Every table is
    refilled from its one definition, the view derive_<table> in data/views.sql (what a build fills it
    from), for the keys whose rows can have changed; a snapshot written by another version of views.sql
    gets the whole file instead (it may lack those views)."""
    if meta_value(con, "views_hash") != views_hash():
        apply_views(con)
        return
    ids = {"added": list(added or []), "changed": list(changed or [])}
    touched = "SELECT unnest($added) UNION ALL SELECT unnest($changed)"
    in_period = con.execute(f"SELECT count(*) FROM activities WHERE activity_id IN ({touched}) AND activity_date "
                            "<= (SELECT last_day FROM fact_period)", ids).fetchone()
    if full_activities or not only_activities or (in_period and in_period[0]):
        _refill(con, "fact_computed")
    if full_activities:
        for t in ("activity_facts", "activity_months", "activity_town_months", "activity_town_days", "site_activity"):
            _refill(con, t)
        return
    # the days (and their months) of the touched activities, before (changed rows) and after
    _keep_keys(con, "activity_date", "SELECT activity_date FROM activity_facts WHERE activity_id IN "
               f"(SELECT unnest($changed)) UNION ALL SELECT activity_date FROM activities WHERE activity_id IN ({touched})",
               ids)
    _keep_keys(con, "month", "SELECT CAST(date_trunc('month', activity_date) AS DATE) FROM _keys_activity_date", {})
    if ids["changed"]:
        con.execute("DELETE FROM activity_facts WHERE activity_id IN (SELECT unnest($changed))",
                    {"changed": ids["changed"]})
    if ids["added"] or ids["changed"]:
        con.execute(f"INSERT INTO activity_facts SELECT * FROM derive_activity_facts WHERE activity_id IN ({touched}) "
                    f"ORDER BY {_DERIVED_ORDER['activity_facts']}", ids)
    _refill(con, "activity_months", key="month", keep_keys=True)
    _refill(con, "activity_town_months", key="month")       # from activity_months, so after it
    _refill(con, "activity_town_days", key="activity_date")
    # sites of the touched activities (an update never moves one: the site is part of its key), and those
    # with activities between the old and the new 数据截至, which enter (or leave) the count
    sites = f"SELECT site_id FROM activities WHERE activity_id IN ({touched})"
    params: dict[str, object] = dict(ids)
    as_of = meta_value(con, "as_of")
    if as_of_before is not None and as_of_before != as_of:
        sites += (" UNION ALL SELECT site_id FROM activities WHERE activity_date > least(CAST($a AS DATE), "
                  "CAST($b AS DATE)) AND activity_date <= greatest(CAST($a AS DATE), CAST($b AS DATE))")
        params.update(a=as_of_before, b=as_of)
    _keep_keys(con, "site_id", sites, params)
    _refill(con, "site_activity", key="site_id")


def meta_value(con, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = $k", {"k": key}).fetchone()
    return None if row is None else row[0]


def _keep_keys(con, key: str, keys_sql: str, params: dict) -> None:
    """The keys whose derived rows are to be replaced, kept in a temporary table `_keys_<key>`."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _keys_{key} AS SELECT DISTINCT * FROM ({keys_sql}) k({key})", params)


def _refill(con, table: str, key: str | None = None, keep_keys: bool = False) -> None:
    """Replace a derived table's rows (all, or those whose `key` is in `_keys_<key>`) by its view's rows.
    The keys are dropped afterwards unless `keep_keys` (another table is refilled by the same keys)."""
    where, params = "", {}
    if key:
        bounds = con.execute(f"SELECT min({key}), max({key}) FROM _keys_{key}").fetchone()
        if bounds is None or bounds[0] is None:
            if not keep_keys:
                con.execute(f"DROP TABLE _keys_{key}")
            return
        # the range as constants: DuckDB pushes it through the view's GROUP BY into the scan (zone maps),
        # which it does not do for the IN (subquery) alone (8 s instead of 0.3 s for 4 M activities)
        where = f" WHERE {key} BETWEEN $lo AND $hi AND {key} IN (SELECT {key} FROM _keys_{key})"
        params = {"lo": bounds[0], "hi": bounds[1]}
    con.execute(f"DELETE FROM {table}{where}", params)
    con.execute(f"INSERT INTO {table} SELECT * FROM derive_{table}{where} ORDER BY {_DERIVED_ORDER[table]}", params)
    if key and not keep_keys:
        con.execute(f"DROP TABLE _keys_{key}")


def refresh_views(say: Callable[[str], None] = lambda s: None) -> bool:
    """Bring the published snapshot up to this version's data/views.sql (an upgrade keeps its data,
    imports included, but the pages read derived tables it may not have yet). Publishes a new version
    only when the file was written by another version of views.sql. Returns whether it published."""
    from civic.store import snapshots
    con = db.connect_read(snapshots.current().path)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'views_hash'").fetchone()
    finally:
        con.close()
    if row is not None and row[0] == views_hash():
        return False
    say("数据视图已更新，正在重建派生表 (data/views.sql changed: rebuilding the derived tables) …")
    with snapshots.transaction("views: data/views.sql re-applied", audit={"action": "views"}) as work:
        con = db.connect_write(work)
        try:
            apply_views(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
    return True


def insert(con, table: str, df: pd.DataFrame) -> None:
    # Scanning an Arrow table is much faster than scanning pandas' Arrow-backed strings (which DuckDB
    # converts to Python objects first); the inserted values are the same. Mixed object columns that
    # Arrow cannot type fall back to the pandas scan.
    try:
        src = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        src = df
    con.register("_src", src)
    try:
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _src')
    finally:
        con.unregister("_src")


def published_facts_frame() -> pd.DataFrame:
    with open(paths.FACTS_CSV, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    df = pd.DataFrame(rows)
    df["value"] = df.value.astype(float)
    df["note"] = df.note.replace("", None)
    return df


def load(con, tables: dict[str, pd.DataFrame], meta: dict[str, str],
         progress: Callable[[str], None] = lambda s: None) -> dict[str, int]:
    """DDL, the given rows (every table of LOAD_ORDER), the published figures, provenance, the vocabulary,
    meta and the views into an empty database. Returns the row counts."""
    con.execute(paths.SCHEMA_SQL.read_text(encoding="utf-8"))
    counts = {}
    for name in LOAD_ORDER:
        df = tables[name]
        insert(con, name, df)
        counts[name] = len(df)
        progress(f"  {name:<24} {len(df):>10,}")
    insert(con, "published_facts", published_facts_frame())
    prov = pd.DataFrame([{"table_name": k, "kind": v[0], "source": v[1], "note": v[2]} for k, v in PROVENANCE.items()])
    insert(con, "provenance", prov)
    insert(con, "vocabulary", pd.DataFrame(domain.vocabulary_rows()))
    insert(con, "meta", pd.DataFrame({"key": list(meta), "value": list(meta.values())}))
    apply_views(con)
    return counts
