-- 报送完整性: for each township of the practice county ($towns, [] = all) and each month in
-- [$month_from, $month_to] (first days of months): its village stations and how many of them reported at
-- least one activity that month (share = reporting / stations × 100). Months are counted up to $as_of
-- (the data's last day): the current month is partial, and days_in / days_total say how much of it.
WITH st AS (
    SELECT s.site_id, s.town_code
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
), months AS (
    SELECT CAST(m AS DATE) AS month
    FROM range(CAST($month_from::DATE AS TIMESTAMP), CAST($month_to::DATE AS TIMESTAMP) + INTERVAL 1 DAY,
               INTERVAL 1 MONTH) r(m)
), rep AS (
    SELECT f.town_code, f.month, count(DISTINCT f.site_id) AS reporting
    FROM activity_facts f JOIN st USING (site_id)
    WHERE f.site_level = '站' AND f.month BETWEEN $month_from AND $month_to AND f.activity_date <= $as_of
    GROUP BY ALL
), n AS (SELECT town_code, count(*) AS stations FROM st GROUP BY town_code)
SELECT n.town_code, t.name AS town_name, m.month, n.stations,
       CAST(coalesce(rep.reporting, 0) AS INTEGER) AS reporting,
       round(coalesce(rep.reporting, 0) * 100.0 / n.stations, 1) AS share,
       CAST(least($as_of::DATE, last_day(m.month)) - m.month + 1 AS INTEGER) AS days_in,
       CAST(day(last_day(m.month)) AS INTEGER) AS days_total
FROM n CROSS JOIN months m
JOIN towns t ON t.town_code = n.town_code
LEFT JOIN rep ON rep.town_code = n.town_code AND rep.month = m.month
ORDER BY n.town_code, m.month;
