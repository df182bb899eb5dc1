-- The most active volunteer teams in the window (top 10 by filtered activities), with their type and
-- home town (NULL for county-level teams). $towns, $stypes, $ttypes, $date_from, $date_to.
WITH a AS (
    SELECT a.team_id, count(*) AS activities, sum(a.volunteers) AS volunteers, sum(a.hours) AS hours,
           sum(a.beneficiaries) AS beneficiaries
    FROM activities a
    WHERE a.activity_date BETWEEN $date_from AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($towns) = 0 OR a.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    GROUP BY a.team_id
    ORDER BY activities DESC, a.team_id
    LIMIT 10
)
SELECT a.team_id, tm.name, tm.team_type, t.name AS town_name, tm.members,
       a.activities, a.volunteers, a.hours, a.beneficiaries
FROM a JOIN teams tm USING (team_id) LEFT JOIN towns t ON t.town_code = tm.town_code
ORDER BY a.activities DESC, a.team_id;
