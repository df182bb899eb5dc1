-- The renovation figures of the published reports with the values computed live (v_fact_check):
-- communities, compounds and buildings (H10–H12), areas of concern (H13–H14), works and floor area
-- (H15–H26), funding sources (H34).
SELECT fact_id, metric, published, qualifier, unit, computed, ok, period
FROM v_fact_check
WHERE fact_id BETWEEN 'H10' AND 'H26' OR fact_id = 'H34'
ORDER BY fact_id;
