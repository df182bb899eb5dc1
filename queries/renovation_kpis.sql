-- 老旧小区改造 headline figures for the filtered compounds.
-- Filters ([] = all): $towns, $communities, $batches, $stages (current status), $types. $as_of: the data's day.
-- "Late" (滞后): see docs/renovation.md; delay_days > 0.
WITH c AS (
    SELECT * FROM v_compounds
    WHERE (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($communities) = 0 OR list_contains($communities, community_code))
      AND (len($batches) = 0 OR list_contains($batches, batch))
      AND (len($stages) = 0 OR list_contains($stages, status))
      AND (len($types) = 0 OR list_contains($types, compound_type))
),
ct AS (
    SELECT c.compound_id, c.status,
           CASE c.status
               WHEN '完成' THEN date_diff('day', max(s.planned_end) FILTER (WHERE s.stage = '完成'),
                                           max(s.actual_end) FILTER (WHERE s.stage = '完成'))
               WHEN '未启动' THEN date_diff('day', max(s.planned_start) FILTER (WHERE s.stage = '设计'), $as_of)
               ELSE date_diff('day', max(s.planned_end) FILTER (WHERE s.stage = c.status), $as_of)
           END AS delay_days
    FROM c JOIN compound_stages s USING (compound_id)
    GROUP BY c.compound_id, c.status
)
SELECT
    (SELECT count(*) FROM compounds) AS compounds_all,
    count(*) AS compounds,
    count(*) FILTER (WHERE status = '完成') AS completed,
    count(*) FILTER (WHERE status IN ('设计', '施工', '验收')) AS in_progress,
    count(*) FILTER (WHERE status = '未启动') AS not_started,
    coalesce(sum(buildings), 0) AS buildings,
    coalesce(sum(households), 0) AS households,
    coalesce(sum(floor_area_m2) FILTER (WHERE status = '完成'), 0) AS area_done_m2,
    coalesce(sum(floor_area_m2), 0) AS area_total_m2,
    (SELECT count(*) FROM ct WHERE status <> '完成' AND delay_days > 0) AS late_open,
    (SELECT count(*) FROM ct WHERE status = '完成' AND delay_days > 0) AS late_done,
    (SELECT count(*) FROM c WHERE is_key) AS key_compounds
FROM c;
