-- 文明实践阵地地图: every practice site in scope (centre, institutes, stations, bases) with its activity.
-- $towns VARCHAR[] of town codes ([] = all); $date_from/$date_to DATE (inclusive window); $as_of DATE (the
-- data's last day, meta.as_of). activities/beneficiaries count the window; last_activity and idle do not:
-- idle = no activity in the 30 days up to and including $as_of ($as_of - 29 … $as_of).
WITH scope AS (
    SELECT s.*
    FROM sites s JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
),
win AS (
    SELECT a.site_id, count(*) AS activities, CAST(sum(a.beneficiaries) AS BIGINT) AS beneficiaries,
           CAST(sum(a.volunteers) AS BIGINT) AS volunteers
    FROM activities a SEMI JOIN scope s ON s.site_id = a.site_id
    WHERE a.activity_date BETWEEN $date_from AND $date_to
    GROUP BY a.site_id
),
last AS (
    SELECT a.site_id, max(a.activity_date) AS last_activity
    FROM activities a SEMI JOIN scope s ON s.site_id = a.site_id
    WHERE a.activity_date <= $as_of
    GROUP BY a.site_id
),
tm AS (
    SELECT tm.site_id, count(*) AS teams, CAST(sum(tm.members) AS BIGINT) AS team_members,
           list(tm.name ORDER BY CASE tm.team_type WHEN '站队' THEN 0 WHEN '分队' THEN 1 WHEN '总队' THEN 2
                                                   ELSE 3 END, tm.team_id) AS names
    FROM teams tm SEMI JOIN scope s ON s.site_id = tm.site_id
    GROUP BY tm.site_id
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
       coalesce(array_to_string(list_slice(tm.names, 1, 3), '、'), '') AS team_names
FROM scope s
LEFT JOIN towns t USING (town_code)
LEFT JOIN villages v USING (village_code)
LEFT JOIN win w USING (site_id)
LEFT JOIN last l USING (site_id)
LEFT JOIN tm USING (site_id)
ORDER BY CASE s.level WHEN '中心' THEN 0 WHEN '所' THEN 1 WHEN '站' THEN 2 ELSE 3 END, s.county_code,
         s.town_code, s.site_id;
