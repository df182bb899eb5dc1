-- The co-governance figures of the published reports with the values computed live (v_fact_check):
-- grid (H01–H06), consultation and feedback (H07–H09), governance bodies (H27–H31), partners (H32–H33).
SELECT fact_id, metric, published, qualifier, unit, computed, ok, period
FROM v_fact_check
WHERE fact_id IN ('H01', 'H02', 'H03', 'H04', 'H05', 'H06', 'H07', 'H08', 'H09',
                  'H27', 'H28', 'H29', 'H30', 'H31', 'H32', 'H33')
ORDER BY fact_id;
