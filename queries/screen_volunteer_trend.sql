-- 大屏: monthly volunteer service of the 文明实践 network in $date_from..$date_to:
-- activities, volunteer person-times (人次) and service hours. Aggregates only.
-- The window's whole calendar months [m0, m1) (m0 the first month starting on or after $date_from, m1
-- the month holding the day after $date_to) are read from activity_months (data/views.sql: activities
-- pre-summed per month, town, county, service type, team type and site level); the days before m0 and
-- from m1 on from activity_facts (activities with their site's county, sorted by date), each day range a
-- plain range filter so that it reads only its row groups.
WITH parts AS (
    SELECT f.month, count(*) AS activities, sum(f.volunteers) AS volunteers, sum(f.hours) AS hours
    FROM activity_facts f
    JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
      AND f.activity_date BETWEEN $date_from
              AND least($date_to::DATE, CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE) - 1)
    GROUP BY f.month
    UNION ALL
    SELECT f.month, count(*), sum(f.volunteers), sum(f.hours)
    FROM activity_facts f
    JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
      AND f.activity_date BETWEEN greatest(CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE),
                                           CAST(date_trunc('month', $date_to::DATE + 1) AS DATE))
              AND $date_to
    GROUP BY f.month
    UNION ALL
    SELECT m.month, sum(m.activities), sum(m.volunteers), sum(m.hours)
    FROM activity_months m
    JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
      AND m.month >= CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE)
      AND m.month < CAST(date_trunc('month', $date_to::DATE + 1) AS DATE)
    GROUP BY m.month
)
SELECT month, CAST(sum(activities) AS BIGINT) AS activities,
       coalesce(sum(volunteers), 0) AS volunteers,
       coalesce(sum(hours), 0) AS hours
FROM parts
GROUP BY month
ORDER BY month;
