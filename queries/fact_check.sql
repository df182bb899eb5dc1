-- Every published figure beside the value computed from the data (see data/views.sql).
SELECT fact_id, county, program, metric, published, qualifier, unit, computed, ok, period, source_sentence, note
FROM v_fact_check
ORDER BY fact_id;
