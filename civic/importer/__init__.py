"""Import township 台账 (Excel/CSV) as a new data version. The public entry points (check, commit,
import_path, template_bytes, sample_bytes, ENTITIES, MAX_MB …) are in civic.importer.api; the module docstring
there maps the other modules."""
