-- Idle village stations: no filtered activity in the $idle_days days up to $date_to (the window's last
-- day), i.e. the last one is on or before $date_to - $idle_days, or there is none at all.
-- days_idle = $date_to - last_date (NULL when never active). Longest idle first; the 200 longest are
-- returned, idle_total counts them all. $towns, $stypes, $ttypes, $date_to, $idle_days (INTEGER).
WITH st AS (
    SELECT s.site_id, s.name, s.town_code
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
), last AS (
    SELECT a.site_id, max(a.activity_date) AS last_date
    FROM activities a
    WHERE a.activity_date <= $date_to
      AND a.site_id IN (SELECT site_id FROM st)
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    GROUP BY a.site_id
)
SELECT st.site_id, st.name, t.name AS town_name, l.last_date,
       CAST($date_to::DATE - l.last_date AS INTEGER) AS days_idle,
       count(*) OVER () AS idle_total
FROM st LEFT JOIN last l USING (site_id) LEFT JOIN towns t ON t.town_code = st.town_code
WHERE l.last_date IS NULL OR l.last_date <= $date_to::DATE - CAST($idle_days AS INTEGER)
ORDER BY l.last_date NULLS FIRST, st.site_id
LIMIT 200;
