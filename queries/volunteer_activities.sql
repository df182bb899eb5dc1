-- The filtered activity list, newest first, at most $limit rows (the page shows the latest rows; the
-- export runs the same query with a higher limit). Two cheap steps before any join: count the filtered
-- activities per day to find the earliest day the newest $limit rows need, then read only those days.
-- $towns, $stypes, $ttypes, $date_from, $date_to, $limit (INTEGER).
WITH days AS (
    SELECT a.activity_date AS d, count(*) AS n
    FROM activities a
    WHERE a.activity_date BETWEEN $date_from AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($towns) = 0 OR a.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    GROUP BY a.activity_date
), cut AS (
    SELECT coalesce(min(d), $date_from::DATE) AS d
    FROM (SELECT d, n, sum(n) OVER (ORDER BY d DESC) AS running FROM days)
    WHERE running - n < CAST($limit AS BIGINT)
), a AS (
    SELECT a.*
    FROM activities a, cut
    WHERE a.activity_date BETWEEN cut.d AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($towns) = 0 OR a.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    ORDER BY a.activity_date DESC, a.activity_id DESC
    LIMIT CAST($limit AS BIGINT)
)
SELECT a.activity_id, a.activity_date, a.title, s.name AS site_name, t.name AS town_name,
       a.service_type, tm.name AS team_name, tm.team_type, a.theme, c.name AS campaign,
       a.participants, a.volunteers, a.beneficiaries, a.hours, a.site_id
FROM a
JOIN sites s ON s.site_id = a.site_id
LEFT JOIN towns t ON t.town_code = s.town_code
LEFT JOIN teams tm ON tm.team_id = a.team_id
LEFT JOIN campaigns c ON c.campaign_id = a.campaign_id
ORDER BY a.activity_date DESC, a.activity_id DESC;
