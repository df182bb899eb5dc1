-- Towns ranked by activities per station in the window (so big towns do not always win).
-- $towns, $date_from, $date_to.
WITH st AS (
    SELECT s.town_code, count(*) AS stations
    FROM sites s JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践' AND s.level = '站'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
    GROUP BY ALL
), ac AS (
    SELECT s.town_code, count(*) AS activities
    FROM activities a JOIN sites s USING (site_id)
    WHERE a.activity_date BETWEEN $date_from AND $date_to
    GROUP BY ALL
)
SELECT t.town_code, t.name AS town_name, st.stations, coalesce(ac.activities, 0) AS activities,
       round(coalesce(ac.activities, 0) / st.stations, 1) AS per_station
FROM st JOIN towns t USING (town_code) LEFT JOIN ac USING (town_code)
ORDER BY per_station DESC, t.town_code;
