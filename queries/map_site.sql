-- One practice site for the map's detail panel (also validates the `site=` URL parameter), with its
-- activity in the window. $site VARCHAR (site_id, e.g. S-140423100252); $date_from/$date_to DATE;
-- $as_of DATE (idle = no activity in the 30 days up to $as_of, as in map_sites). No row if no such site.
WITH s AS (
    SELECT s.* FROM sites s JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践' AND s.site_id = $site
),
win AS (
    SELECT count(*) AS activities, CAST(coalesce(sum(beneficiaries), 0) AS BIGINT) AS beneficiaries,
           CAST(coalesce(sum(volunteers), 0) AS BIGINT) AS volunteers
    FROM activities WHERE site_id = $site AND activity_date BETWEEN $date_from AND $date_to
),
last AS (
    SELECT max(activity_date) AS last_activity FROM activities WHERE site_id = $site AND activity_date <= $as_of
),
tm AS (
    SELECT count(*) AS teams, CAST(coalesce(sum(members), 0) AS BIGINT) AS team_members
    FROM teams WHERE site_id = $site
)
SELECT s.site_id, s.level, s.name, CASE s.level WHEN '所' THEN replace(s.name, '新时代文明实践所', '实践所')
                 WHEN '中心' THEN replace(s.name, '新时代文明实践中心', '实践中心')
                 ELSE coalesce(v.name, s.name) END AS label, s.village_code, v.kind AS village_kind,
       s.town_code, t.name AS town_name, s.county_code, s.parent_site_id, p.name AS parent_name,
       s.base_kind, s.lon, s.lat, s.coord_quality, s.opened_date,
       win.activities, win.beneficiaries, win.volunteers, last.last_activity,
       (last.last_activity IS NULL OR last.last_activity <= CAST($as_of AS DATE) - INTERVAL 30 DAY) AS idle,
       tm.teams, tm.team_members
FROM s
CROSS JOIN win CROSS JOIN last CROSS JOIN tm
LEFT JOIN towns t ON t.town_code = s.town_code
LEFT JOIN villages v ON v.village_code = s.village_code
LEFT JOIN sites p ON p.site_id = s.parent_site_id;
