-- Gantt rows for the filtered compounds, one row per bar:
--   kind 'plan'      the planned window (design start → planned completion), one per compound;
--   kind 'actual'    each stage the compound has actually been in; an ongoing stage runs to $as_of;
--   kind 'milestone' the actual completion day of a completed compound.
-- Stage records are read against the compound's status (the authority, as in the published figures): a
-- stage before the status is finished, the status's stage is ongoing (its end is ignored), later stages
-- have not started (their actual dates are ignored).
-- A compound is late (滞后) when delay_days > 0: for a completed compound, actual − planned completion;
-- otherwise $as_of − the planned end of its current stage (for 未启动, the planned design start).
-- A bar is late when it finished after its planned end, or is still running past it.
-- Filters ([] = all): $towns, $communities, $batches, $stages, $types.
WITH c AS (
    SELECT * FROM v_compounds
    WHERE (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($communities) = 0 OR list_contains($communities, community_code))
      AND (len($batches) = 0 OR list_contains($batches, batch))
      AND (len($stages) = 0 OR list_contains($stages, status))
      AND (len($types) = 0 OR list_contains($types, compound_type))
),
lv AS (SELECT * FROM (VALUES ('未启动', 0), ('设计', 1), ('施工', 2), ('验收', 3), ('完成', 4)) t(stage, lvl)),
es AS (
    SELECT s.compound_id, s.stage, sl.lvl, s.planned_start, s.planned_end,
           CASE WHEN sl.lvl <= cl.lvl THEN s.actual_start END AS actual_start,
           CASE WHEN sl.lvl < cl.lvl OR cl.lvl = 4 THEN s.actual_end END AS actual_end
    FROM compound_stages s
    JOIN c USING (compound_id)
    JOIN lv sl ON sl.stage = s.stage
    JOIN lv cl ON cl.stage = c.status
),
ct AS (
    SELECT c.compound_id, c.name, c.batch, c.status, c.community_name, c.town_name,
           CASE c.batch WHEN '实施一批' THEN 1 WHEN '谋划一批' THEN 2 ELSE 3 END AS batch_ord,
           max(es.planned_start) FILTER (WHERE es.stage = '设计') AS plan_start,
           max(es.planned_end) FILTER (WHERE es.stage = '完成') AS plan_done,
           max(es.actual_end) FILTER (WHERE es.stage = '完成') AS actual_done,
           CASE c.status
               WHEN '完成' THEN date_diff('day', max(es.planned_end) FILTER (WHERE es.stage = '完成'),
                                           max(es.actual_end) FILTER (WHERE es.stage = '完成'))
               WHEN '未启动' THEN date_diff('day', max(es.planned_start) FILTER (WHERE es.stage = '设计'), $as_of)
               ELSE date_diff('day', max(es.planned_end) FILTER (WHERE es.stage = c.status), $as_of)
           END AS delay_days
    FROM c JOIN es USING (compound_id)
    GROUP BY c.compound_id, c.name, c.batch, c.status, c.community_name, c.town_name
),
bars AS (
    SELECT compound_id, 'plan' AS kind, NULL AS stage, 0 AS lvl, plan_start AS bar_start, plan_done AS bar_end,
           plan_start AS planned_start, plan_done AS planned_end, false AS ongoing
    FROM ct
    UNION ALL
    SELECT compound_id, 'actual', stage, lvl, actual_start, coalesce(actual_end, $as_of),
           planned_start, planned_end, actual_end IS NULL
    FROM es
    WHERE stage <> '完成' AND actual_start IS NOT NULL
    UNION ALL
    SELECT compound_id, 'milestone', stage, lvl, actual_end, actual_end, planned_start, planned_end, false
    FROM es
    WHERE stage = '完成' AND actual_end IS NOT NULL
)
SELECT ct.compound_id, ct.name, ct.batch, ct.batch_ord, ct.status, ct.community_name, ct.town_name,
       ct.plan_start, ct.plan_done, ct.actual_done, ct.delay_days, ct.delay_days > 0 AS late,
       b.kind, b.stage, b.lvl, b.bar_start, b.bar_end, b.planned_start, b.planned_end, b.ongoing,
       epoch_ms(CAST(b.bar_end AS TIMESTAMP)) - epoch_ms(CAST(b.bar_start AS TIMESTAMP)) AS dur_ms,
       date_diff('day', b.bar_start, b.bar_end) AS days,
       CASE WHEN b.kind = 'plan' THEN NULL
            ELSE date_diff('day', b.planned_end, b.bar_end) END AS bar_delay_days,
       b.kind <> 'plan' AND b.bar_end > b.planned_end AS bar_late,
       dense_rank() OVER (ORDER BY ct.batch_ord, ct.plan_start, ct.compound_id) AS row_ord
FROM ct JOIN bars b USING (compound_id)
ORDER BY row_ord, b.kind DESC, b.lvl;
