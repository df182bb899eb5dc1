-- Idle village stations: no filtered activity in the $idle_days days up to $date_to (the window's last
-- day), i.e. the last one is on or before $date_to - $idle_days, or there is none at all.
-- days_idle = $date_to - last_date (NULL when never active). Longest idle first; the 200 longest are
-- returned, idle_total counts them all. $towns, $stypes, $ttypes, $date_to, $idle_days (INTEGER).
-- Written with joins and a plain count: an IN-subquery on teams plus count(*) OVER () hit a DuckDB 1.5.5
-- internal error ("index 0 within vector of size 0") when the filtered activity set was empty.
WITH st AS (
    SELECT s.site_id, s.name, s.town_code
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
), last AS (
    SELECT a.site_id, max(a.activity_date) AS last_date
    FROM activities a
    JOIN st USING (site_id)
    LEFT JOIN teams tm ON tm.team_id = a.team_id
    WHERE a.activity_date <= $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($ttypes) = 0 OR list_contains($ttypes, tm.team_type))
    GROUP BY a.site_id
), idle AS (
    SELECT st.site_id, st.name, st.town_code, l.last_date
    FROM st LEFT JOIN last l USING (site_id)
    WHERE l.last_date IS NULL OR l.last_date <= $date_to::DATE - CAST($idle_days AS INTEGER)
)
SELECT i.site_id, i.name, t.name AS town_name, i.last_date,
       CAST($date_to::DATE - i.last_date AS INTEGER) AS days_idle,
       (SELECT count(*) FROM idle) AS idle_total
FROM idle i LEFT JOIN towns t ON t.town_code = i.town_code
ORDER BY i.last_date NULLS FIRST, i.site_id
LIMIT 200;
