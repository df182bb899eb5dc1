-- Monthly activities and beneficiaries in the window. $towns, $date_from, $date_to.
-- The window's whole calendar months [m0, m1) (m0 the first month starting on or after $date_from, m1
-- the month holding the day after $date_to) are read from activity_months (data/views.sql: activities
-- pre-summed per month, town, county, service type, team type and site level); the days before m0 and
-- from m1 on from activity_facts (activities with their site's town and county, sorted by date), each
-- day range a plain range filter so that it reads only its row groups.
WITH parts AS (
    SELECT f.month, count(*) AS activities, sum(f.beneficiaries) AS beneficiaries
    FROM activity_facts f
    JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
      AND f.activity_date BETWEEN $date_from
              AND least($date_to::DATE, CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE) - 1)
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
    GROUP BY f.month
    UNION ALL
    SELECT f.month, count(*), sum(f.beneficiaries)
    FROM activity_facts f
    JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
      AND f.activity_date BETWEEN greatest(CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE),
                                           CAST(date_trunc('month', $date_to::DATE + 1) AS DATE))
              AND $date_to
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
    GROUP BY f.month
    UNION ALL
    SELECT m.month, sum(m.activities), sum(m.beneficiaries)
    FROM activity_months m
    JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
      AND m.month >= CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE)
      AND m.month < CAST(date_trunc('month', $date_to::DATE + 1) AS DATE)
      AND (len($towns) = 0 OR list_contains($towns, m.town_code))
    GROUP BY m.month
)
SELECT month, CAST(sum(activities) AS BIGINT) AS activities, sum(beneficiaries) AS beneficiaries
FROM parts
GROUP BY month
ORDER BY month;
