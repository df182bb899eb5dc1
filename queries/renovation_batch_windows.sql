-- Planned window of each batch (first planned design start → last planned completion), for the S-curve's
-- batch bands. Filters ([] = all): $towns, $communities, $batches, $stages, $types.
WITH c AS (
    SELECT * FROM v_compounds
    WHERE (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($communities) = 0 OR list_contains($communities, community_code))
      AND (len($batches) = 0 OR list_contains($batches, batch))
      AND (len($stages) = 0 OR list_contains($stages, status))
      AND (len($types) = 0 OR list_contains($types, compound_type))
)
SELECT c.batch,
       CASE c.batch WHEN '实施一批' THEN 1 WHEN '谋划一批' THEN 2 ELSE 3 END AS ord,
       min(s.planned_start) FILTER (WHERE s.stage = '设计') AS plan_start,
       max(s.planned_end) FILTER (WHERE s.stage = '完成') AS plan_done,
       count(DISTINCT c.compound_id) AS compounds
FROM c JOIN compound_stages s USING (compound_id)
GROUP BY c.batch
ORDER BY ord;
