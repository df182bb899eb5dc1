"""Where things live. Every path the product uses is derived here, overridable by environment."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
REFERENCE_DIR = ROOT / "data" / "reference"
SCHEMA_SQL = ROOT / "data" / "schema.sql"
VIEWS_SQL = ROOT / "data" / "views.sql"
FACTS_CSV = ROOT / "data" / "published_facts.csv"
FONTS_DIR = ROOT / "static" / "fonts"


def data_dir() -> Path:
    """The folder holding snapshots, the current pointer and the audit log.

    CIVIC_DATA_DIR lets tests and benchmarks use their own folder without touching data/.
    """
    return Path(os.environ.get("CIVIC_DATA_DIR", ROOT / "data")).resolve()
