"""Shared code for the civic dashboard: data model, snapshots, queries, filters, i18n, charts, maps."""
