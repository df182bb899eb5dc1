-- Idle village stations: no filtered activity in the $idle_days days up to $date_to (the window's last
-- day), i.e. the last one is on or before $date_to - $idle_days, or there is none at all.
-- days_idle = $date_to - last_date (NULL when never active). Longest idle first; the 200 longest are
-- returned, idle_total counts them all. $towns, $stypes, $ttypes, $date_to, $idle_days (INTEGER).
-- A station's last filtered activity up to $date_to: when no service or team type is chosen and $date_to
-- reaches the last activity day (which is not after meta.as_of), it is the station's last activity in
-- site_activity (data/views.sql, per site, up to as_of); otherwise it is the latest matching row of
-- activity_facts (activities with their site's town, level and team's type, sorted by date), filtered on
-- those columns alone. Only the path that applies is read. `last` is materialised so that the join to
-- the stations does not push a site_id filter into that scan (checked on every row of a string column,
-- it cost more than the scan).
-- Written with joins and a plain count: an IN-subquery on teams plus count(*) OVER () hit a DuckDB 1.5.5
-- internal error ("index 0 within vector of size 0") when the filtered activity set was empty.
WITH st AS (
    SELECT s.site_id, s.name, s.town_code
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
), fast AS (
    -- whether the site_activity shortcut applies (never NULL: one of the two paths below always runs)
    SELECT len($stypes) = 0 AND len($ttypes) = 0
           AND coalesce(l.last_day <= l.as_of AND l.last_day <= $date_to, l.last_day IS NULL) AS ok
    FROM (SELECT (SELECT max(activity_date) FROM activity_facts) AS last_day,
                 (SELECT value FROM meta WHERE key = 'as_of')::DATE AS as_of) l
), last AS MATERIALIZED (
    SELECT sa.site_id, sa.last_activity AS last_date
    FROM site_activity sa
    JOIN st USING (site_id)
    WHERE (SELECT ok FROM fast)
    UNION ALL
    SELECT f.site_id, max(f.activity_date)
    FROM activity_facts f
    WHERE f.activity_date <= $date_to
      AND f.site_level = '站'
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
      AND (len($stypes) = 0 OR list_contains($stypes, f.service_type))
      AND (len($ttypes) = 0 OR list_contains($ttypes, f.team_type))
      AND NOT (SELECT ok FROM fast)
    GROUP BY f.site_id
), idle AS (
    SELECT st.site_id, st.name, st.town_code, l.last_date
    FROM st LEFT JOIN last l USING (site_id)
    WHERE l.last_date IS NULL OR l.last_date <= $date_to::DATE - CAST($idle_days AS INTEGER)
)
-- short_name as in volunteer_top_stations; map_url: the map page's detail of the station (relative)
SELECT i.site_id, i.name, coalesce(nullif(regexp_replace(i.name, '新时代文明实践站$', ''), ''), i.name) AS short_name,
       t.name AS town_name, i.last_date,
       'stations?site=' || url_encode(i.site_id) AS map_url,
       CAST($date_to::DATE - i.last_date AS INTEGER) AS days_idle,
       (SELECT count(*) FROM idle) AS idle_total
FROM idle i LEFT JOIN towns t ON t.town_code = i.town_code
ORDER BY i.last_date NULLS FIRST, i.site_id
LIMIT 200;
