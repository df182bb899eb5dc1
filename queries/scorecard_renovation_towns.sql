-- The scorecard's 老旧小区 per township: renovation_kpis' compounds, completed and late_open with no other
-- filter, grouped by township. "Late" (滞后) is renovation_kpis' delay_days > 0 (docs/renovation.md), the
-- same CASE on the same view; tests/store/test_scorecard_queries.py checks it equals renovation_kpis per
-- township. $county; $as_of: the data's day. Townships without compounds are absent.
WITH ct AS (
    SELECT c.compound_id, c.town_code, c.status,
           CASE c.status
               WHEN '完成' THEN date_diff('day', max(s.planned_end) FILTER (WHERE s.stage = '完成'),
                                           max(s.actual_end) FILTER (WHERE s.stage = '完成'))
               WHEN '未启动' THEN date_diff('day', max(s.planned_start) FILTER (WHERE s.stage = '设计'), $as_of)
               ELSE date_diff('day', max(s.planned_end) FILTER (WHERE s.stage = c.status), $as_of)
           END AS delay_days
    FROM v_compounds c JOIN compound_stages s USING (compound_id)
    WHERE c.town_code IN (SELECT town_code FROM towns WHERE county_code = $county)
    GROUP BY c.compound_id, c.town_code, c.status
), late AS (
    SELECT town_code, count(*) FILTER (WHERE status <> '完成' AND delay_days > 0) AS late_open
    FROM ct GROUP BY town_code
)
SELECT c.town_code, count(*) AS compounds,
       count(*) FILTER (WHERE c.status = '完成') AS completed,
       coalesce(any_value(l.late_open), 0) AS late_open
FROM v_compounds c LEFT JOIN late l USING (town_code)
WHERE c.town_code IN (SELECT town_code FROM towns WHERE county_code = $county)
GROUP BY c.town_code
ORDER BY c.town_code;
