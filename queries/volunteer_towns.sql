-- Towns compared in the window: all practice towns with village stations (the chart is the town
-- selector, so $towns does not narrow it). per_station = activities held at the town's village stations
-- / its village stations (so big towns with the county centre and bases do not always win);
-- activities = all activities at the town's sites (stations, institute, bases, centre).
-- $stypes, $ttypes, $date_from, $date_to.
WITH st AS (
    SELECT s.town_code, count(*) AS stations
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
    GROUP BY s.town_code
), ac AS (
    SELECT s.town_code, count(*) AS activities,
           count(*) FILTER (WHERE s.level = '站') AS station_activities,
           count(DISTINCT a.site_id) FILTER (WHERE s.level = '站') AS active_stations,
           sum(a.beneficiaries) AS beneficiaries, sum(a.volunteers) AS volunteers, sum(a.hours) AS hours
    FROM activities a JOIN sites s USING (site_id)
    WHERE a.activity_date BETWEEN $date_from AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    GROUP BY s.town_code
)
SELECT st.town_code, t.name AS town_name, st.stations,
       coalesce(ac.activities, 0) AS activities,
       coalesce(ac.station_activities, 0) AS station_activities,
       coalesce(ac.active_stations, 0) AS active_stations,
       coalesce(ac.beneficiaries, 0) AS beneficiaries,
       coalesce(ac.volunteers, 0) AS volunteers,
       coalesce(ac.hours, 0) AS hours,
       round(coalesce(ac.station_activities, 0) / st.stations, 1) AS per_station
FROM st JOIN towns t USING (town_code) LEFT JOIN ac USING (town_code)
ORDER BY per_station DESC, st.town_code;
