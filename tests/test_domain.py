"""civic/domain.py is the one home of the closed lists: every CHECK (x IN (...)) in data/schema.sql spells
out exactly one of its lists, and the build writes them all into the `vocabulary` table."""
from __future__ import annotations

import re

import duckdb

from civic import domain, paths

# (table, column) → the list its CHECK must equal
EXPECTED = {
    ("provenance", "kind"): domain.PROVENANCE_KINDS,
    ("counties", "programme"): domain.PROGRAMMES,
    ("towns", "kind"): domain.TOWN_KINDS,
    ("towns", "coord_quality"): domain.COORD_QUALITIES,
    ("villages", "kind"): domain.VILLAGE_KINDS,
    ("sites", "level"): domain.SITE_LEVELS,
    ("sites", "coord_quality"): domain.COORD_QUALITIES,
    ("cultural_resources", "kind"): domain.CULTURAL_RESOURCE_KINDS,
    ("teams", "team_type"): domain.TEAM_TYPES,
    ("activities", "service_type"): domain.SERVICE_TYPES,
    ("activities", "source"): domain.ROW_SOURCES,
    ("campaign_items", "service_type"): domain.SERVICE_TYPES,
    ("micro_wishes", "status"): domain.WISH_STATUS,
    ("micro_wishes", "source"): domain.ROW_SOURCES,
    ("trainings", "source"): domain.ROW_SOURCES,
    ("compounds", "compound_type"): domain.COMPOUND_TYPES,
    ("compounds", "batch"): domain.BATCHES,
    ("compounds", "status"): domain.STAGES,
    ("compounds", "coord_quality"): domain.COORD_QUALITIES,
    ("compound_stages", "stage"): domain.STAGE_STEPS,
    ("works", "source"): domain.ROW_SOURCES,
    ("funding", "source"): domain.FUNDING_SOURCES,
    ("governance_bodies", "body_type"): domain.BODY_TYPES,
    ("feedback", "channel"): domain.FEEDBACK_CHANNELS,
    ("feedback", "status"): domain.FEEDBACK_STATUS,
    ("feedback", "source"): domain.ROW_SOURCES,
    ("meetings", "meeting_type"): domain.MEETING_TYPES,
    ("meetings", "source"): domain.ROW_SOURCES,
    ("meeting_decisions", "approval"): domain.APPROVAL_STATES,
    ("meeting_decisions", "source"): domain.ROW_SOURCES,
    ("scheduled_meetings", "meeting_type"): domain.SCHEDULED_MEETING_TYPES,
    ("scheduled_meetings", "source"): domain.ROW_SOURCES,
    ("partners", "kind"): domain.PARTNER_KINDS,
    ("partner_projects", "kind"): domain.PARTNER_PROJECT_KINDS,
    ("published_facts", "qualifier"): domain.FACT_QUALIFIERS,
}


def schema_checks() -> dict[tuple[str, str], tuple[str, ...]]:
    """Every `CHECK (column IN ('a', 'b', …))` in data/schema.sql, by (table, column)."""
    sql = paths.SCHEMA_SQL.read_text(encoding="utf-8")
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for block in re.split(r"(?=CREATE TABLE )", sql):
        table = re.match(r"CREATE TABLE (\w+)", block)
        if not table:
            continue
        for col, values in re.findall(r"CHECK \((\w+) IN \(([^)]*)\)\)", block):
            found[(table.group(1), col)] = tuple(re.findall(r"'([^']*)'", values))
    return found


def test_every_check_list_is_a_domain_list():
    checks = schema_checks()
    assert len(checks) >= 25        # the parser still finds them
    assert set(checks) == set(EXPECTED), "a CHECK list was added or removed: name its list in domain.py"
    for where, values in checks.items():
        assert values == EXPECTED[where], where


def test_vocabulary_lists_are_closed_and_named():
    for name, values in domain.VOCABULARIES.items():
        assert values and len(set(values)) == len(values), name
    assert set(domain.STAGES_UNDER_WAY) < set(domain.STAGES)
    assert set(domain.COUNTY_NAMES) == set(domain.COUNTY_CODES)


def test_vocabulary_table_holds_the_domain_lists():
    con = duckdb.connect()
    con.execute(paths.SCHEMA_SQL.read_text(encoding="utf-8"))
    con.executemany("INSERT INTO vocabulary VALUES ($vocabulary, $value, $ord)", domain.vocabulary_rows())
    got: dict[str, list[str]] = {}
    for name, value in con.execute("SELECT vocabulary, value FROM vocabulary ORDER BY vocabulary, ord").fetchall():
        got.setdefault(name, []).append(value)
    assert {k: tuple(v) for k, v in got.items()} == domain.VOCABULARIES


def test_importer_takes_its_vocabulary_from_domain_not_the_generator():
    """The importer validates real uploads: it must not depend on the synthetic generator (civic/demo)."""
    import ast
    for path in sorted((paths.ROOT / "civic" / "importer").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith("civic.demo") for n in names), path.name
