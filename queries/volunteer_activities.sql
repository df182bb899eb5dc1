-- The filtered activity list, newest first: $limit rows after the first $offset (the page shows one page
-- of the list, its pager moving $offset; the export runs the same query from 0 with a higher limit). Two cheap steps on activity_facts (data/views.sql:
-- activities with their site's town and team's type, sorted by date, so a date range reads only its row
-- groups): count the filtered activities per day to find the earliest day the newest $offset + $limit rows
-- need, then pick those ids among those days. Only then are the rows' details (title, campaign)
-- read from the activity table, for those ids and days. $towns, $stypes, $ttypes, $date_from, $date_to,
-- $limit, $offset (INTEGER).
WITH days AS (
    SELECT f.activity_date AS d, count(*) AS n
    FROM activity_facts f
    WHERE f.activity_date BETWEEN $date_from AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, f.service_type))
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
      AND (len($ttypes) = 0 OR list_contains($ttypes, f.team_type))
    GROUP BY f.activity_date
), cut AS (
    SELECT coalesce(min(d), $date_from::DATE) AS d
    FROM (SELECT d, n, sum(n) OVER (ORDER BY d DESC) AS running FROM days)
    WHERE running - n < CAST($limit AS BIGINT) + CAST($offset AS BIGINT)
), ids AS (
    SELECT f.activity_id
    FROM activity_facts f, cut
    WHERE f.activity_date BETWEEN cut.d AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, f.service_type))
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
      AND (len($ttypes) = 0 OR list_contains($ttypes, f.team_type))
    ORDER BY f.activity_date DESC, f.activity_id DESC
    LIMIT CAST($limit AS BIGINT) OFFSET CAST($offset AS BIGINT)
), a AS (
    SELECT a.* FROM activities a, cut
    WHERE a.activity_date BETWEEN cut.d AND $date_to
      AND a.activity_id IN (SELECT activity_id FROM ids)
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
