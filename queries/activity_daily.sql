-- Daily activity measures in $date_from..$date_to, every day of the window (0 on a day without one): the
-- trend of a window that touches at most two calendar months (civic/measures.py trend_grain), where a
-- monthly chart would be one or two dots. Shared by 总览 and 志愿服务活动趋势; sums the same columns as
-- volunteer_kpis, so the days add up to the tiles. Reads activity_facts (data/views.sql: activities with
-- their site's town and team's type, sorted by date, so the window reads only its row groups).
-- $towns, $stypes, $ttypes, $date_from, $date_to.
WITH days AS (
    SELECT CAST(unnest(generate_series($date_from::DATE, $date_to::DATE, INTERVAL 1 DAY)) AS DATE) AS day
), a AS (
    SELECT activity_date AS day, count(*) AS activities, sum(participants) AS participants,
           sum(volunteers) AS volunteers, sum(beneficiaries) AS beneficiaries, sum(hours) AS hours
    FROM activity_facts
    WHERE activity_date BETWEEN $date_from AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, service_type))
      AND (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($ttypes) = 0 OR list_contains($ttypes, team_type))
    GROUP BY activity_date
)
SELECT d.day, CAST(coalesce(a.activities, 0) AS BIGINT) AS activities,
       coalesce(a.participants, 0) AS participants, coalesce(a.volunteers, 0) AS volunteers,
       coalesce(a.beneficiaries, 0) AS beneficiaries, coalesce(a.hours, 0) AS hours
FROM days d LEFT JOIN a USING (day)
ORDER BY d.day;
