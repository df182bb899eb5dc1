-- The most active village stations in the window (top 10 by filtered activities).
-- $towns, $stypes, $ttypes, $date_from, $date_to.
SELECT a.site_id, s.name, t.name AS town_name, count(*) AS activities,
       sum(a.beneficiaries) AS beneficiaries, sum(a.volunteers) AS volunteers, sum(a.hours) AS hours,
       max(a.activity_date) AS last_date
FROM activities a JOIN sites s USING (site_id) LEFT JOIN towns t ON t.town_code = s.town_code
WHERE s.level = '站'
  AND a.activity_date BETWEEN $date_from AND $date_to
  AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
  AND (len($towns) = 0 OR list_contains($towns, s.town_code))
  AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
GROUP BY a.site_id, s.name, t.name
ORDER BY activities DESC, a.site_id
LIMIT 10;
