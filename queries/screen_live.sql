-- 大屏 live counters for the 文明实践 network: the data's last day ($day) and its month ($month_from..$day).
-- Aggregates only (no titles, no people).
WITH pc AS (SELECT county_code FROM counties WHERE programme = '文明实践'),
st AS (SELECT site_id, level FROM sites WHERE county_code IN (SELECT county_code FROM pc)),
a AS (
    SELECT a.activity_date, a.site_id, st.level, a.participants, a.volunteers, a.beneficiaries, a.hours
    FROM activities a JOIN st USING (site_id)
    WHERE a.activity_date BETWEEN $month_from AND $day
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
