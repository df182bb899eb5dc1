-- The filtered activity list, newest first, at most $limit rows (the page shows the latest rows; the
-- export runs the same query with a higher limit). $towns, $stypes, $ttypes, $date_from, $date_to,
-- $limit (INTEGER).
SELECT a.activity_id, a.activity_date, a.title, s.name AS site_name, t.name AS town_name,
       a.service_type, tm.name AS team_name, tm.team_type, a.theme, c.name AS campaign,
       a.participants, a.volunteers, a.beneficiaries, a.hours, a.site_id
FROM activities a
JOIN sites s USING (site_id)
LEFT JOIN towns t ON t.town_code = s.town_code
LEFT JOIN teams tm ON tm.team_id = a.team_id
LEFT JOIN campaigns c ON c.campaign_id = a.campaign_id
WHERE a.activity_date BETWEEN $date_from AND $date_to
  AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
  AND (len($towns) = 0 OR list_contains($towns, s.town_code))
  AND (len($ttypes) = 0 OR list_contains($ttypes, tm.team_type))
ORDER BY a.activity_date DESC, a.activity_id DESC
LIMIT CAST($limit AS BIGINT);
