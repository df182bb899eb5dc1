-- Towns compared in the window: all practice towns with village stations (the chart is the town
-- selector, so $towns does not narrow it). per_station = activities held at the town's village stations
-- / its village stations (so big towns with the county centre and bases do not always win);
-- activities = all activities at the town's sites (stations, institute, bases, centre).
-- Activities are first totalled per site (one pass, no join), then rolled up to towns.
-- $stypes, $ttypes, $date_from, $date_to.
WITH st AS (
    SELECT s.town_code, count(*) AS stations
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
    GROUP BY s.town_code
), per_site AS (
    SELECT a.site_id, count(*) AS n, sum(a.beneficiaries) AS be, sum(a.volunteers) AS vo, sum(a.hours) AS ho
    FROM activities a
    WHERE a.activity_date BETWEEN $date_from AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    GROUP BY a.site_id
), ac AS (
    SELECT s.town_code, sum(p.n) AS activities,
           sum(p.n) FILTER (WHERE s.level = '站') AS station_activities,
           count(*) FILTER (WHERE s.level = '站') AS active_stations,
           sum(p.be) AS beneficiaries, sum(p.vo) AS volunteers, sum(p.ho) AS hours
    FROM per_site p JOIN sites s USING (site_id)
    GROUP BY s.town_code
)
SELECT st.town_code, t.name AS town_name, st.stations,
       CAST(coalesce(ac.activities, 0) AS BIGINT) AS activities,
       CAST(coalesce(ac.station_activities, 0) AS BIGINT) AS station_activities,
       coalesce(ac.active_stations, 0) AS active_stations,
       coalesce(ac.beneficiaries, 0) AS beneficiaries,
       coalesce(ac.volunteers, 0) AS volunteers,
       coalesce(ac.hours, 0) AS hours,
       round(coalesce(ac.station_activities, 0) / st.stations, 1) AS per_station
FROM st JOIN towns t USING (town_code) LEFT JOIN ac USING (town_code)
ORDER BY per_station DESC, st.town_code;
