-- The volunteer teams based at a site, with their activities in the window.
-- $site VARCHAR; $date_from/$date_to DATE.
SELECT tm.team_id, tm.name, tm.team_type, tm.specialty, tm.members, tm.founded_date,
       count(a.activity_id) AS activities
FROM teams tm
LEFT JOIN activities a ON a.team_id = tm.team_id AND a.activity_date BETWEEN $date_from AND $date_to
WHERE tm.site_id = $site
GROUP BY tm.team_id, tm.name, tm.team_type, tm.specialty, tm.members, tm.founded_date
ORDER BY CASE tm.team_type WHEN '站队' THEN 0 WHEN '分队' THEN 1 WHEN '总队' THEN 2 ELSE 3 END, tm.team_id;
