-- One compound's stage history, plan against actual. Stage records are read against the compound's status
-- (see renovation_gantt.sql): state 'done' (finished), 'current' (ongoing, runs to $as_of) or 'todo'.
-- delay_days: finished → actual end − planned end; current → $as_of − planned end; todo → $as_of − planned
-- start when the plan says it should have started, else NULL. $compound: compound_id.
WITH lv AS (SELECT * FROM (VALUES ('未启动', 0), ('设计', 1), ('施工', 2), ('验收', 3), ('完成', 4)) t(stage, lvl)),
es AS (
    SELECT s.stage, sl.lvl, s.planned_start, s.planned_end,
           CASE WHEN sl.lvl < cl.lvl OR cl.lvl = 4 THEN 'done' WHEN sl.lvl = cl.lvl THEN 'current' ELSE 'todo' END AS state,
           CASE WHEN sl.lvl <= cl.lvl THEN s.actual_start END AS actual_start,
           CASE WHEN sl.lvl < cl.lvl OR cl.lvl = 4 THEN s.actual_end END AS actual_end
    FROM compound_stages s
    JOIN compounds c USING (compound_id)
    JOIN lv sl ON sl.stage = s.stage
    JOIN lv cl ON cl.stage = c.status
    WHERE s.compound_id = $compound
)
SELECT stage, lvl, state, planned_start, planned_end, actual_start, actual_end,
       CASE state
           WHEN 'done' THEN date_diff('day', planned_end, actual_end)
           WHEN 'current' THEN date_diff('day', planned_end, $as_of)
           ELSE CASE WHEN planned_start < $as_of THEN date_diff('day', planned_start, $as_of) END
       END AS delay_days
FROM es
ORDER BY lvl;
