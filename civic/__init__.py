"""Shared code for the civic dashboard: data model, snapshots, queries, filters, i18n, charts, maps."""

import sys

# Inside a Streamlit server the first import of this package reroutes a fresh server's first request through
# app.py (civic/app/routing.py). The CLI and the tools import the package without Streamlit and skip this.
if "streamlit" in sys.modules:
    from civic.app.routing import leave_legacy_pages_mode

    leave_legacy_pages_mode()
