-- Training hosts in the window, most trainees first (top 10), with sessions, free sessions, trainees
-- and the host's trainees to date (累计, up to $date_to). $towns, $date_from, $date_to.
WITH g AS (
    SELECT t.site_id,
           count(*) FILTER (WHERE t.training_date >= $date_from) AS sessions,
           count(*) FILTER (WHERE t.training_date >= $date_from AND t.is_free) AS free_sessions,
           coalesce(sum(t.trainees) FILTER (WHERE t.training_date >= $date_from), 0) AS trainees,
           sum(t.trainees) AS trainees_to_date
    FROM trainings t
    WHERE t.training_date <= $date_to
    GROUP BY t.site_id
)
SELECT g.site_id, s.name, s.level, s.base_kind, tw.name AS town_name,
       g.sessions, g.free_sessions, g.trainees, g.trainees_to_date
FROM g JOIN sites s USING (site_id) LEFT JOIN towns tw ON tw.town_code = s.town_code
WHERE g.sessions > 0 AND (len($towns) = 0 OR list_contains($towns, s.town_code))
ORDER BY g.trainees DESC, g.sessions DESC, g.site_id
LIMIT 10;
