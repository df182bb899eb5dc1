-- A site's most recent activities in the window (newest first, at most 10).
-- $site VARCHAR; $date_from/$date_to DATE.
SELECT a.activity_date, a.title, a.service_type, a.participants, a.beneficiaries, a.volunteers,
       tm.name AS team_name
FROM activities a
LEFT JOIN teams tm USING (team_id)
WHERE a.site_id = $site AND a.activity_date BETWEEN $date_from AND $date_to
ORDER BY a.activity_date DESC, a.activity_id DESC
LIMIT 10;
