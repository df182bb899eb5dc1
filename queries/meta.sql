-- Build metadata: as_of, data_start, reporting_year, scale, datum, generator_hash, built_at.
SELECT key, value FROM meta ORDER BY key;
