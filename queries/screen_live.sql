-- 大屏 live counters for the 文明实践 network: the data's last day ($day) and its month ($month_from..$day).
-- Aggregates only (no titles, no people).
-- Reads activity_facts (data/views.sql: activities with their site's county and level, sorted by date,
-- so the month's range reads only its row groups) instead of joining the activity table to the sites.
WITH pc AS (SELECT county_code FROM counties WHERE programme = '文明实践'),
st AS (SELECT site_id, level FROM sites WHERE county_code IN (SELECT county_code FROM pc)),
a AS (
    SELECT f.activity_date, f.site_id, f.site_level AS level, f.participants, f.volunteers, f.beneficiaries, f.hours
    FROM activity_facts f
    WHERE f.activity_date BETWEEN $month_from AND $day
      AND f.county_code IN (SELECT county_code FROM pc)
)
SELECT
    (SELECT count(*) FROM st WHERE level = '站') AS stations,
    count(*) FILTER (WHERE activity_date = $day) AS day_activities,
    coalesce(sum(participants) FILTER (WHERE activity_date = $day), 0) AS day_participants,
    coalesce(sum(volunteers) FILTER (WHERE activity_date = $day), 0) AS day_volunteers,
    count(DISTINCT site_id) FILTER (WHERE activity_date = $day) AS day_sites,
    count(*) AS month_activities,
    count(DISTINCT site_id) FILTER (WHERE level = '站') AS month_active_stations,
    coalesce(sum(volunteers), 0) AS month_volunteers,
    coalesce(sum(beneficiaries), 0) AS month_beneficiaries,
    coalesce(sum(hours), 0) AS month_hours
FROM a;
