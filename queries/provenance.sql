-- Which tables are real, published, synthetic or mixed, and where they come from.
SELECT table_name, kind, source, note FROM provenance ORDER BY kind, table_name;
