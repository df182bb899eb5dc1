-- 文明实践阵地地图: every practice site in scope (centre, institutes, stations, bases) with its activity.
-- $towns VARCHAR[] of town codes ([] = all); $date_from/$date_to DATE (inclusive window); $as_of DATE (the
-- data's last day, meta.as_of). activities/beneficiaries count the window; last_activity and idle do not:
-- idle = no activity in the 30 days up to and including $as_of ($as_of - 29 … $as_of).
-- Reads the derived tables (data/views.sql): activity_facts (date-sorted, town on every row) for the
-- window, site_activity for the last activity (up to meta.as_of, which is the $as_of the page passes).
-- The window join is LEFT: activities of sites outside `scope` (other programmes) never reach the result.
WITH scope AS (
    SELECT s.*
    FROM sites s JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
),
win AS (
    SELECT f.site_id, count(*) AS activities, CAST(sum(f.beneficiaries) AS BIGINT) AS beneficiaries,
           CAST(sum(f.volunteers) AS BIGINT) AS volunteers
    FROM activity_facts f
    WHERE f.activity_date BETWEEN $date_from AND $date_to
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
    GROUP BY f.site_id
),
ranked AS (
    -- team names for the tooltip: 站队 first, then 分队, 总队, others (an ordered list() aggregate cost
    -- ~0.3 s at ×100; a row_number() window and three plain max() do not)
    SELECT tm.site_id, tm.name, tm.members,
           row_number() OVER (PARTITION BY tm.site_id
                              ORDER BY CASE tm.team_type WHEN '站队' THEN 0 WHEN '分队' THEN 1 WHEN '总队' THEN 2
                                                         ELSE 3 END, tm.team_id) AS rn
    FROM teams tm SEMI JOIN scope s ON s.site_id = tm.site_id
),
tm AS (
    SELECT site_id, count(*) AS teams, CAST(sum(members) AS BIGINT) AS team_members,
           concat_ws('、', max(name) FILTER (WHERE rn = 1), max(name) FILTER (WHERE rn = 2),
                     max(name) FILTER (WHERE rn = 3)) AS names
    FROM ranked
    GROUP BY site_id
)
SELECT s.site_id, s.level, s.name,
       CASE s.level WHEN '所' THEN replace(s.name, '新时代文明实践所', '实践所')
                 WHEN '中心' THEN replace(s.name, '新时代文明实践中心', '实践中心')
                 ELSE coalesce(v.name, s.name) END AS label,
       s.village_code, v.kind AS village_kind, s.town_code, t.name AS town_name, s.county_code,
       s.parent_site_id, s.base_kind, s.lon, s.lat, s.coord_quality,
       coalesce(w.activities, 0) AS activities,
       coalesce(w.beneficiaries, 0) AS beneficiaries,
       coalesce(w.volunteers, 0) AS volunteers,
       l.last_activity,
       (l.last_activity IS NULL OR l.last_activity <= CAST($as_of AS DATE) - INTERVAL 30 DAY) AS idle,
       coalesce(tm.teams, 0) AS teams,
       coalesce(tm.team_members, 0) AS team_members,
       coalesce(tm.names, '') AS team_names
FROM scope s
LEFT JOIN towns t USING (town_code)
LEFT JOIN villages v USING (village_code)
LEFT JOIN win w USING (site_id)
LEFT JOIN site_activity l USING (site_id)
LEFT JOIN tm USING (site_id)
ORDER BY CASE s.level WHEN '中心' THEN 0 WHEN '所' THEN 1 WHEN '站' THEN 2 ELSE 3 END, s.county_code,
         s.town_code, s.site_id;
