-- The most active village stations in the window (top 10 by filtered activities).
-- Ranked on the activity rows alone, then joined to names. $towns, $stypes, $ttypes, $date_from, $date_to.
-- With towns chosen, the rows come from activity_facts (data/views.sql: activities with their site's
-- town and level and team's type, sorted by date): plain column filters on the window's row groups. For
-- all towns, from the activity table itself: most of the window's rows are grouped then, and a per-site
-- grouping is cheaper on its dictionary-compressed site_id than on activity_facts' FSST-compressed one.
-- Exactly one branch applies (and, the parameters being constants when the query is planned, only that
-- one is read).
WITH rows AS (
    SELECT a.site_id, a.activity_date, a.beneficiaries, a.volunteers, a.hours
    FROM activity_facts a
    WHERE len($towns) > 0
      AND a.activity_date BETWEEN $date_from AND $date_to
      AND a.site_level = '站'
      AND list_contains($towns, a.town_code)
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($ttypes) = 0 OR list_contains($ttypes, a.team_type))
    UNION ALL
    SELECT a.site_id, a.activity_date, a.beneficiaries, a.volunteers, a.hours
    FROM activities a
    WHERE len($towns) = 0
      AND a.activity_date BETWEEN $date_from AND $date_to
      AND a.site_id IN (SELECT site_id FROM sites WHERE level = '站')
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
), g AS (
    SELECT site_id, count(*) AS activities, sum(beneficiaries) AS beneficiaries,
           sum(volunteers) AS volunteers, sum(hours) AS hours, max(activity_date) AS last_date
    FROM rows
    GROUP BY site_id
    ORDER BY activities DESC, site_id
    LIMIT 10
)
-- short_name: 榆林村新时代文明实践站 → 榆林村 (the table's column says it is a station)
SELECT g.site_id, s.name, coalesce(nullif(regexp_replace(s.name, '新时代文明实践站$', ''), ''), s.name) AS short_name,
       t.name AS town_name, g.activities, g.beneficiaries, g.volunteers, g.hours, g.last_date
FROM g JOIN sites s USING (site_id) LEFT JOIN towns t ON t.town_code = s.town_code
ORDER BY g.activities DESC, g.site_id;
