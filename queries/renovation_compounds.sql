-- The filtered compounds, one row each, with their timing against plan (see renovation_gantt.sql for the
-- definitions of delay_days and late). Ordered by batch, then planned start.
-- Filters ([] = all): $towns, $communities, $batches, $stages, $types. $as_of: the data's day.
WITH c AS (
    SELECT * FROM v_compounds
    WHERE (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($communities) = 0 OR list_contains($communities, community_code))
      AND (len($batches) = 0 OR list_contains($batches, batch))
      AND (len($stages) = 0 OR list_contains($stages, status))
      AND (len($types) = 0 OR list_contains($types, compound_type))
)
SELECT c.compound_id, c.name, c.town_name, c.community_name, c.compound_type, c.batch, c.status,
       c.buildings, c.households, c.floor_area_m2, c.is_key,
       CASE c.batch WHEN '实施一批' THEN 1 WHEN '谋划一批' THEN 2 ELSE 3 END AS batch_ord,
       max(s.planned_start) FILTER (WHERE s.stage = '设计') AS plan_start,
       max(s.planned_end) FILTER (WHERE s.stage = '完成') AS plan_done,
       max(s.actual_end) FILTER (WHERE s.stage = '完成' AND c.status = '完成') AS actual_done,
       CASE c.status
           WHEN '完成' THEN date_diff('day', max(s.planned_end) FILTER (WHERE s.stage = '完成'),
                                       max(s.actual_end) FILTER (WHERE s.stage = '完成'))
           WHEN '未启动' THEN date_diff('day', max(s.planned_start) FILTER (WHERE s.stage = '设计'), $as_of)
           ELSE date_diff('day', max(s.planned_end) FILTER (WHERE s.stage = c.status), $as_of)
       END AS delay_days
FROM c JOIN compound_stages s USING (compound_id)
GROUP BY c.compound_id, c.name, c.town_name, c.community_name, c.compound_type, c.batch, c.status,
         c.buildings, c.households, c.floor_area_m2, c.is_key
ORDER BY batch_ord, plan_start, c.compound_id;
