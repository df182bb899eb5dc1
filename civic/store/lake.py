"""The cluster mode's system of record: a DuckLake with its catalog in PostgreSQL and its data files in a
shared folder (NFS in production, a local folder here). Chosen by CIVIC_LAKE, the connection string
(`ducklake:postgres:dbname=lake host=… port=… user=…`); without it nothing here runs and the embedded
snapshots (snapshots.py) are the store, exactly as before.

What the lake gives that the snapshot files cannot: many writers at once. Each import is one DuckLake
transaction; DuckLake retries a commit whose changes do not collide with what committed meanwhile (two
townships appending activities), and refuses one that does (both rewrote `meta`'s 数据截至). The importer
retries a refused commit from scratch (validation included) a few times and then says so in Chinese.
A killed import never commits: its rows are not in any snapshot (data files it had written are orphans
that DuckLake's cleanup removes). Every lake snapshot is a version (`v` + its snapshot id); a rollback
writes the tables as they were at an earlier snapshot (time travel) as a new snapshot, so the log of
versions only grows, as in the embedded mode. The audit entry of a commit is its DuckLake commit message
(author, note, the entry as JSON in extra_info): it is committed with the data or not at all.

The lake holds the derived tables and views of data/views.sql too (the activity rollups, one definition:
the derive_<table> views): `migrate` builds them from the base tables, and each import refreshes the rows
it touches inside its own transaction (schema.refresh_derived, as in a snapshot file). A reader copies
them with the base tables instead of rebuilding them (civic/cluster, docs/deploy.md).
"""
from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

import duckdb

from civic import paths
from civic.store import db, schema, snapshots

ENV_URL = "CIVIC_LAKE"
ENV_DATA = "CIVIC_LAKE_DATA"
AUDIT_KEY = "civic"             # commit_extra_info is {"civic": <audit entry>} for the commits we make
BASE_TABLES = (*schema.LOAD_ORDER, "published_facts", "provenance", "vocabulary", "meta")


class LakeUnavailable(snapshots.NoSnapshot):
    """The catalog cannot be reached, or no lake has been created there yet (to callers, like no published
    data: they already say so in Chinese and exit non-zero)."""


def url() -> str | None:
    value = os.environ.get(ENV_URL, "").strip()
    return value or None


def enabled() -> bool:
    return url() is not None


def data_path() -> Path:
    """Where a new lake puts its data files (the lake remembers it; later connections need not say)."""
    return Path(os.environ.get(ENV_DATA) or paths.data_dir() / "lake").resolve()


def version_of(snapshot_id: int) -> str:
    return f"v{int(snapshot_id):06d}"


def snapshot_id(version: str) -> int:
    text = version.strip().lstrip("v")
    if not text.isdigit():
        raise ValueError(f"版本号格式应为 v000009 (bad version {version!r})")
    return int(text)


def _quote(text: str) -> str:
    return text.replace("'", "''")


def connect(lake_url: str | None = None, create: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as `lake` and made the default catalog, so the same SQL
    (unqualified table names) runs on the lake and on a snapshot file. `create`: make the lake if the
    catalog has none yet (only `migrate` does; a writer never creates an empty lake by accident)."""
    target = lake_url or url()
    if not target:
        raise LakeUnavailable(f"{ENV_URL} 未设置 (not set)")
    con = db.connect_write(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")     # a clerk's import printed DuckDB's bar on stdout
        _attach(con, target, create)
        con.execute("USE lake")
    except LakeUnavailable:
        con.close()
        raise
    return con


def _attach(con: duckdb.DuckDBPyConnection, target: str, create: bool = False) -> None:
    try:
        db.load_extension(con, "postgres", entry="postgres_scanner")
        db.load_extension(con, "ducklake")
        options = f"DATA_PATH '{_quote(str(data_path()))}/'" if create else "CREATE_IF_NOT_EXISTS false"
        con.execute(f"ATTACH '{_quote(target)}' AS lake ({options})")
    except duckdb.Error as exc:
        raise LakeUnavailable(f"无法连接数据湖（{_short(exc)}）；请确认 PostgreSQL 已启动（make cluster）"
                              f" (cannot attach the lake)") from exc


def materialise(dest: Path, lake_url: str | None = None) -> str:
    """Write the lake's current snapshot into a new local DuckDB file (today's read-optimised reader: the
    constraints of schema.sql, the derived tables and views of data/views.sql). Every table is read at one
    snapshot id, so the file is one consistent version. Returns that version."""
    con = db.connect_write(dest)
    try:
        con.execute("SET enable_progress_bar = false")
        _attach(con, lake_url or url() or "")
        row = con.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()
        sid = int(row[0]) if row and row[0] is not None else 0
        con.execute(paths.SCHEMA_SQL.read_text(encoding="utf-8"))
        have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'"
                                          ).fetchall()}
        for t in BASE_TABLES:
            if t in have:
                con.execute(f'INSERT INTO main."{t}" BY NAME SELECT * FROM lake.main."{t}" AT (VERSION => {sid})')
        if set(schema.DERIVED_TABLES) <= have:
            for t in schema.DERIVED_TABLES:
                con.execute(f'CREATE TABLE main."{t}" AS SELECT * FROM lake.main."{t}" AT (VERSION => {sid}) '
                            f"ORDER BY {schema.derived_order(t)}")
            copy_views(con)
            con.execute("DETACH lake")
        else:       # a lake migrated before it carried the derived tables: rebuild them here
            con.execute("DETACH lake")
            schema.apply_views(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return version_of(sid)


def refresh(dest: Path, since: str, lake_url: str | None = None) -> str | None:
    """Bring `dest`, a copy of a local file that holds lake version `since`, up to the lake's current snapshot
    by applying only what changed since (civic/cluster/follow.py): rows appended to a table are appended
    (DuckLake's table_changes); in a keyed table that lost rows (an update, a rollback) the rows of the keys
    the changes name are re-read (_apply_keyed); an unkeyed one (the rollups an import rewrites) is copied
    whole at the new snapshot. Returns the new version, or None when the file cannot be
    brought up this way (a table created or altered, or a table other tables reference lost rows): then the
    caller materialises the whole snapshot."""
    con = db.connect_write(dest)
    try:
        con.execute("SET enable_progress_bar = false")
        _attach(con, lake_url or url() or "")
        row = con.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()
        sid, old = (int(row[0]) if row and row[0] is not None else 0), snapshot_id(since)
        changes = _table_changes(con, old)
        local = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                                           "current_database() AND schema_name = 'main'").fetchall()}
        referenced = {r[0] for r in con.execute("SELECT referenced_table FROM duckdb_constraints() WHERE "
                                                "constraint_type = 'FOREIGN KEY'").fetchall()}
        if changes is None or sid < old or not set(changes) <= local \
                or any("delete" in kinds and t in referenced for t, kinds in changes.items()):
            return None
        keys = _primary_keys(con)
        for t, kinds in sorted(changes.items()):
            order = f" ORDER BY {schema.derived_order(t)}" if t in schema.DERIVED_TABLES else ""
            if "delete" in kinds and t in keys:
                _apply_keyed(con, t, keys[t], old, sid)
            elif "delete" in kinds:
                con.execute(f'DELETE FROM main."{t}"')
                con.execute(f'INSERT INTO main."{t}" BY NAME SELECT * FROM lake.main."{t}" AT (VERSION => {sid}){order}')
            else:
                con.execute(f'INSERT INTO main."{t}" BY NAME SELECT * EXCLUDE (snapshot_id, rowid, change_type) '
                            f"FROM ducklake_table_changes('lake', 'main', '{t}', {old + 1}, {sid}) "
                            f"WHERE change_type = 'insert'{order}")
        con.execute("DETACH lake")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return version_of(sid)


def _primary_keys(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The local file's tables with a primary key, and its columns."""
    return {t: list(cols) for t, cols in con.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
        "AND database_name = current_database() AND schema_name = 'main'").fetchall()}


def _apply_keyed(con: duckdb.DuckDBPyConnection, table: str, key: list[str], old: int, sid: int) -> None:
    """A keyed table some of whose rows were updated or deleted since snapshot `old`: every key the lake's
    changes name is deleted here, then those keys' rows as of `sid` are inserted (whatever happened to a key
    in between, its last state wins). Emptying the table and copying it whole instead ran for minutes at ×100:
    4 M activities re-inserted against a primary-key index that still held their old entries."""
    cols = ", ".join(f'"{c}"' for c in key)
    match = " AND ".join(f't."{c}" = k."{c}"' for c in key)
    con.execute(f'CREATE TEMP TABLE changed_keys AS SELECT DISTINCT {cols} FROM '
                f"ducklake_table_changes('lake', 'main', '{table}', {old + 1}, {sid})")
    try:
        con.execute(f'DELETE FROM main."{table}" t USING changed_keys k WHERE {match}')
        con.execute(f'INSERT INTO main."{table}" BY NAME SELECT t.* FROM (SELECT * FROM lake.main."{table}" '
                    f'AT (VERSION => {sid})) t SEMI JOIN changed_keys k ON {match}')
    finally:
        con.execute("DROP TABLE changed_keys")


def _table_changes(con: duckdb.DuckDBPyConnection, since: int) -> dict[str, set[str]] | None:
    """Each table whose rows changed after snapshot `since`, with the kinds of change ("insert", "delete"),
    or None when something else changed (a table or view created, altered or dropped)."""
    names = dict(con.execute("SELECT table_id, table_name FROM __ducklake_metadata_lake.ducklake_table "
                             "WHERE end_snapshot IS NULL").fetchall())
    kind_of = {"tables_inserted_into": "insert", "inlined_insert": "insert", "tables_deleted_from": "delete",
               "inlined_delete": "delete"}
    out: dict[str, set[str]] = {}
    for (changes,) in con.execute("SELECT changes FROM lake.snapshots() WHERE snapshot_id > $s",
                                  {"s": since}).fetchall():
        for kind, ids in (changes or {}).items():
            if kind not in kind_of:
                return None
            for table_id in ids:
                if int(table_id) not in names:
                    return None
                out.setdefault(names[int(table_id)], set()).add(kind_of[kind])
    return out


def copy_views(con: duckdb.DuckDBPyConnection) -> None:
    """The lake's views (data/views.sql's, as the lake was last migrated) into the local file's main schema.
    A view binds its dependencies when created, so those whose dependencies are not there yet wait a round."""
    pending = dict(con.execute("SELECT view_name, sql FROM duckdb_views() WHERE database_name = 'lake' "
                               "AND schema_name = 'main'").fetchall())
    while pending:
        failed: dict[str, str] = {}
        for name, sql in pending.items():
            try:
                con.execute(sql)
            except duckdb.CatalogException:
                failed[name] = sql
        if len(failed) == len(pending):
            raise RuntimeError(f"数据湖的视图无法复制 (views depend on missing objects: {sorted(failed)})")
        pending = failed


def ensure_derived(con: duckdb.DuckDBPyConnection) -> bool:
    """The lake's derived tables and views built from its base tables (inside the caller's transaction) when
    it lacks them or they were built by another version of data/views.sql. Returns whether it built them."""
    if set(schema.DERIVED_TABLES) <= tables(con) and schema.meta_value(con, "views_hash") == schema.views_hash():
        return False
    schema.apply_views(con)
    return True


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200]


def current_version(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()
    return version_of(row[0] if row and row[0] is not None else 0)


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = 'main'").fetchall()}


def commit(con: duckdb.DuckDBPyConnection, note: str, audit: dict) -> str:
    """Commit the open transaction with its audit entry as the commit message. Returns the new version.
    Raises duckdb.TransactionException on a conflict DuckLake could not resolve (nothing is committed)."""
    entry = {"ts": datetime.now().astimezone().isoformat(timespec="seconds"), **audit, "note": note}
    con.execute("CALL lake.set_commit_message($author, $note, extra_info => $extra)",
                {"author": str(audit.get("user", "")), "note": note,
                 "extra": json.dumps({AUDIT_KEY: entry}, ensure_ascii=False, default=str)})
    con.execute("COMMIT")
    return current_version(con)


def is_conflict(exc: BaseException) -> bool:
    """DuckLake refused the commit because another one changed the same data (a lost connection is not)."""
    return isinstance(exc, duckdb.Error) and "conflict" in str(exc).lower()


def short(exc: BaseException) -> str:
    return _short(exc)


def migrate(snapshot: Path, lake_url: str | None = None, user: str = "") -> dict:
    """Create the lake from a published snapshot file, or bring an existing lake up to it: tables it lacks are
    copied, columns it lacks are added (a newer schema.sql). One transaction; data already in the lake is never
    overwritten (it may hold imports the snapshot has not). Returns what it did."""
    con = connect(lake_url, create=True)
    try:
        have = tables(con)
        con.execute(f"ATTACH '{_quote(str(snapshot))}' AS src (READ_ONLY)")
        src_tables = [t for t in BASE_TABLES if t in _src_tables(con)]
        con.execute("BEGIN")
        created, altered = [], []
        for t in src_tables:
            if t not in have:
                con.execute(f'CREATE TABLE lake.main."{t}" AS SELECT * FROM src.main."{t}"')
                created.append(t)
                continue
            lake_cols = {r[0] for r in con.execute(f'DESCRIBE lake.main."{t}"').fetchall()}
            for name, typ in con.execute(f'SELECT column_name, data_type FROM duckdb_columns() '
                                         f"WHERE database_name = 'src' AND table_name = '{t}' ORDER BY column_index"
                                         ).fetchall():
                if name not in lake_cols:
                    con.execute(f'ALTER TABLE lake.main."{t}" ADD COLUMN "{name}" {typ}')
                    altered.append(f"{t}.{name}")
        derived = ensure_derived(con)
        if not created and not altered and not derived:
            con.execute("ROLLBACK")
            return {"created": [], "altered": [], "derived": False, "version": current_version(con)}
        action = "lake_create" if not have else "lake_migrate"
        version = commit(con, f"{action} from {snapshot.name}",
                         {"action": action, "user": user, "source": str(snapshot), "tables": len(created),
                          "columns": len(altered), "derived": derived})
        return {"created": created, "altered": altered, "derived": derived, "version": version}
    finally:
        con.close()


def _src_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' AND schema_name = 'main'").fetchall()}


def versions(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict]:
    """The newest lake snapshots, newest first, with their audit entries (None for commits not made by us)."""
    rows = con.execute("SELECT snapshot_id, snapshot_time::VARCHAR, author, commit_message, commit_extra_info "
                       "FROM lake.snapshots() ORDER BY snapshot_id DESC LIMIT $n", {"n": limit}).fetchall()
    out = []
    for sid, ts, author, message, extra in rows:
        entry = None
        if extra:
            try:
                entry = json.loads(extra).get(AUDIT_KEY)
            except (json.JSONDecodeError, AttributeError):
                entry = None
        out.append({"version": version_of(sid), "published_at": ts, "note": message or "", "user": author,
                    "audit": entry})
    return out


def _changed_tables(con: duckdb.DuckDBPyConnection, since: int) -> set[str] | None:
    """Names of the tables whose rows changed after snapshot `since`, or None when something else changed
    (a table created or altered): then every table is restored."""
    changes = _table_changes(con, since)
    return None if changes is None else set(changes)


def rollback(version: str | None = None, user: str = "") -> dict:
    """Time travel: make the tables what they were at an earlier snapshot, as a new snapshot (audited).
    Default: the snapshot before the current one."""
    con = connect()
    try:
        current = snapshot_id(current_version(con))
        target = current - 1 if version is None else snapshot_id(version)
        known = {r[0] for r in con.execute("SELECT snapshot_id FROM lake.snapshots()").fetchall()}
        if target not in known or target >= current:
            raise ValueError(f"数据湖中没有可回滚到的更早版本 {version_of(target)} (no such earlier lake snapshot)")
        con.execute("BEGIN")
        changed = _changed_tables(con, target)
        restore = sorted(tables(con)) if changed is None else sorted(changed)
        for t in restore:
            # read the old rows before deleting: inside one transaction DuckLake applies the transaction's own
            # deletes to a time-travel scan of the same table too (measured: the table came back empty)
            con.execute(f'CREATE OR REPLACE TEMP TABLE _was AS SELECT * FROM "{t}" AT (VERSION => {target})')
            con.execute(f'DELETE FROM "{t}"')
            con.execute(f'INSERT INTO "{t}" SELECT * FROM temp.main._was')
            con.execute("DROP TABLE temp.main._was")
        new = commit(con, f"rollback to {version_of(target)}",
                     {"action": "rollback", "user": user, "from_version": version_of(current),
                      "to_version": version_of(target), "tables": restore})
        return {"version": new, "from_version": version_of(current), "to_version": version_of(target),
                "note": f"rollback to {version_of(target)}"}
    finally:
        con.close()


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    return int(row[0]) if row else 0


_LOCAL_NOTE = re.compile(r"^lake (v\d{6})$")


def local_note(version: str) -> str:
    """The note of a replica's local snapshot that holds lake `version` (civic/cluster/follow.py)."""
    return f"lake {version}"


def lake_version_of_note(note: str) -> str | None:
    m = _LOCAL_NOTE.match(note or "")
    return m.group(1) if m else None


def rollback_snapshot(version: str | None, user: str) -> snapshots.Snapshot:
    """rollback() in the form snapshots.rollback() returns (the CLI and the admin page print it). In a replica
    the admin page offers the replica's local versions: one that holds a lake version means that version."""
    if version is not None:
        local = {s.version: s.note for s in snapshots.list_snapshots()}
        version = lake_version_of_note(local.get(version, "")) or version
    done = rollback(version, user)
    return snapshots.Snapshot(version=done["version"], path=data_path(), published_at="", note=done["note"])


def status(counted: dict[str, str]) -> dict:
    """What `python -m civic status --json` prints in the cluster mode."""
    try:
        con = connect()
    except LakeUnavailable as exc:
        return {"engine": "ducklake", "lake": url(), "version": None, "error": str(exc), "counts": {},
                "snapshots": [], "imports": []}
    try:
        counts = {k: _count(con, t) for k, t in counted.items()}
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        history = versions(con, limit=20)
        version = current_version(con)
    finally:
        con.close()
    return {"engine": "ducklake", "lake": url(), "data_path": str(data_path()), "version": version,
            "published_at": history[0]["published_at"] if history else None, "meta": meta, "counts": counts,
            "snapshots": [{k: v[k] for k in ("version", "published_at", "note")} for v in history],
            "imports": [{**v["audit"], "version": v["version"]} for v in history if v["audit"]][:10]}
