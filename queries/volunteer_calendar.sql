-- 天天有活动: one row per day of $year up to the data's last day, with the filtered activities of that
-- day (0 when none), its ISO weekday (1 = Monday) and its week column in a Monday-first calendar.
-- $towns, $stypes, $ttypes, $year (INTEGER).
-- Reads activity_facts (data/views.sql: activities with their site's town and team's type, sorted by
-- date): the filters are plain columns, and the year's date range reads only its row groups.
-- Without a service-type or team-type filter (the page's default) it reads activity_town_days instead
-- (activities per day and town, ~3.5× fewer rows); DuckDB folds the bound $stypes/$ttypes, so only one of
-- the two branches is scanned.
WITH p AS (
    SELECT make_date(CAST($year AS INTEGER), 1, 1) AS d0,
           least(make_date(CAST($year AS INTEGER), 12, 31), (SELECT value FROM meta WHERE key = 'as_of')::DATE) AS d1
), days AS (
    SELECT CAST(unnest(generate_series(p.d0, p.d1, INTERVAL 1 DAY)) AS DATE) AS day FROM p WHERE p.d1 >= p.d0
), a AS (
    SELECT f.activity_date AS day, count(*) AS activities
    FROM activity_facts f, p
    WHERE (len($stypes) > 0 OR len($ttypes) > 0) AND f.activity_date BETWEEN p.d0 AND p.d1
      AND (len($stypes) = 0 OR list_contains($stypes, f.service_type))
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
      AND (len($ttypes) = 0 OR list_contains($ttypes, f.team_type))
    GROUP BY f.activity_date
    UNION ALL
    -- without a type filter: the same from the days × town rollup
    SELECT d.activity_date, CAST(sum(d.activities) AS BIGINT)
    FROM activity_town_days d, p
    WHERE len($stypes) = 0 AND len($ttypes) = 0 AND d.activity_date BETWEEN p.d0 AND p.d1
      AND (len($towns) = 0 OR list_contains($towns, d.town_code))
    GROUP BY d.activity_date
)
SELECT d.day, isodow(d.day) AS weekday,
       CAST((d.day - (p.d0 - CAST(isodow(p.d0) - 1 AS INTEGER))) // 7 AS INTEGER) AS week,
       coalesce(a.activities, 0) AS activities
FROM days d CROSS JOIN p LEFT JOIN a USING (day)
ORDER BY d.day;
