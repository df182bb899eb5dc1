-- The most active volunteer teams in the window (top 10 by filtered activities), with their type and
-- home town (NULL for county-level teams). $towns, $stypes, $ttypes, $date_from, $date_to.
-- With towns chosen, the rows come from activity_facts (data/views.sql: activities with their site's
-- town and team's type, sorted by date): plain column filters on the window's row groups. For all towns,
-- from the activity table itself: most of the window's rows are grouped then, and a per-team grouping is
-- cheaper on its dictionary-compressed team_id than on activity_facts' FSST-compressed one. Exactly one
-- branch applies (and, the parameters being constants when the query is planned, only that one is read).
WITH rows AS (
    SELECT a.team_id, a.volunteers, a.hours, a.beneficiaries
    FROM activity_facts a
    WHERE len($towns) > 0
      AND a.activity_date BETWEEN $date_from AND $date_to
      AND list_contains($towns, a.town_code)
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($ttypes) = 0 OR list_contains($ttypes, a.team_type))
    UNION ALL
    SELECT a.team_id, a.volunteers, a.hours, a.beneficiaries
    FROM activities a
    WHERE len($towns) = 0
      AND a.activity_date BETWEEN $date_from AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
), a AS (
    SELECT team_id, count(*) AS activities, sum(volunteers) AS volunteers, sum(hours) AS hours,
           sum(beneficiaries) AS beneficiaries
    FROM rows
    GROUP BY team_id
    ORDER BY activities DESC, team_id
    LIMIT 10
)
SELECT a.team_id, tm.name, tm.team_type, t.name AS town_name, tm.members,
       a.activities, a.volunteers, a.hours, a.beneficiaries
FROM a JOIN teams tm USING (team_id) LEFT JOIN towns t ON t.town_code = tm.town_code
ORDER BY a.activities DESC, a.team_id;
