-- 大屏 S-curve (all of 汉源's compounds): cumulative compounds completed per month, planned (the 完成 stage's
-- planned end) against actual (completion date of compounds whose status is 完成; the actual line stops at
-- $as_of). Same definition as the renovation page's S-curve, without its filters.
WITH ct AS (
    SELECT c.compound_id,
           max(s.planned_start) FILTER (WHERE s.stage = '设计') AS plan_start,
           max(s.planned_end) FILTER (WHERE s.stage = '完成') AS plan_done,
           max(s.actual_end) FILTER (WHERE s.stage = '完成' AND c.status = '完成') AS actual_done
    FROM compounds c JOIN compound_stages s USING (compound_id)
    GROUP BY c.compound_id
),
months AS (
    SELECT CAST(m AS DATE) AS month
    FROM range(CAST(date_trunc('month', (SELECT min(least(plan_start, plan_done)) FROM ct)) AS TIMESTAMP),
               CAST(date_trunc('month', greatest((SELECT max(plan_done) FROM ct), $as_of)) AS TIMESTAMP)
                   + INTERVAL 1 MONTH,
               INTERVAL 1 MONTH) r(m)
)
SELECT month,
       (SELECT count(*) FROM ct WHERE plan_done <= last_day(months.month)) AS planned_cum,
       CASE WHEN month <= $as_of
            THEN (SELECT count(*) FROM ct WHERE actual_done <= least(last_day(months.month), $as_of)) END AS actual_cum,
       (SELECT count(*) FROM ct) AS compounds
FROM months
ORDER BY month;
