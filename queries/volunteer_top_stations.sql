-- The most active village stations in the window (top 10 by filtered activities).
-- Ranked on the activity table alone, then joined to names. $towns, $stypes, $ttypes, $date_from, $date_to.
WITH g AS (
    SELECT a.site_id, count(*) AS activities, sum(a.beneficiaries) AS beneficiaries,
           sum(a.volunteers) AS volunteers, sum(a.hours) AS hours, max(a.activity_date) AS last_date
    FROM activities a
    WHERE a.activity_date BETWEEN $date_from AND $date_to
      AND a.site_id IN (SELECT site_id FROM sites WHERE level = '站'
                        AND (len($towns) = 0 OR list_contains($towns, town_code)))
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    GROUP BY a.site_id
    ORDER BY activities DESC, a.site_id
    LIMIT 10
)
SELECT g.site_id, s.name, t.name AS town_name, g.activities, g.beneficiaries, g.volunteers, g.hours, g.last_date
FROM g JOIN sites s USING (site_id) LEFT JOIN towns t ON t.town_code = s.town_code
ORDER BY g.activities DESC, g.site_id;
