-- Towns of the practice counties: seat, whether selected, and per-town totals
-- for the window. The areas themselves come from map_town_areas (maps.with_areas joins them): geometry
-- does not change with the filters. $towns VARCHAR[] ([] = all; `selected` is then true for every town);
-- $date_from/$date_to DATE; $as_of DATE (idle = no activity in the 30 days up to $as_of, as in map_sites).
-- Reads activity_facts and site_activity (derived tables, data/views.sql).
WITH tw AS (
    SELECT t.*
    FROM towns t JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
),
st AS (
    SELECT s.town_code, count(*) AS sites, count(*) FILTER (WHERE s.level = '站') AS stations
    FROM sites s SEMI JOIN tw ON tw.town_code = s.town_code
    GROUP BY s.town_code
),
idle AS (
    SELECT s.town_code, count(*) AS idle_stations
    FROM sites s LEFT JOIN site_activity l USING (site_id)
    WHERE s.level = '站' AND (l.last_activity IS NULL OR l.last_activity <= CAST($as_of AS DATE) - INTERVAL 30 DAY)
    GROUP BY s.town_code
),
ac AS (
    SELECT f.town_code, count(*) AS activities, CAST(sum(f.beneficiaries) AS BIGINT) AS beneficiaries
    FROM activity_facts f
    WHERE f.activity_date BETWEEN $date_from AND $date_to
    GROUP BY f.town_code
)
SELECT tw.town_code, tw.name, tw.county_code, tw.kind, tw.lon, tw.lat,
       (len($towns) = 0 OR list_contains($towns, tw.town_code)) AS selected,
       coalesce(st.sites, 0) AS sites, coalesce(st.stations, 0) AS stations,
       coalesce(idle.idle_stations, 0) AS idle_stations,
       coalesce(ac.activities, 0) AS activities, coalesce(ac.beneficiaries, 0) AS beneficiaries
FROM tw
LEFT JOIN st USING (town_code)
LEFT JOIN idle USING (town_code)
LEFT JOIN ac USING (town_code)
WHERE tw.area_geojson IS NOT NULL OR coalesce(st.sites, 0) > 0
ORDER BY tw.county_code, tw.town_code;
