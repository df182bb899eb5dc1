-- 大屏: activities per town of the 文明实践 network in $date_from..$date_to, with its station count.
-- Towns with at least one site; activities at the town's sites are counted from activity_facts
-- (data/views.sql: activities with their site's town, sorted by date, so the window reads only its row
-- groups) per town, then joined to the towns.
WITH tw AS (
    SELECT t.town_code, t.name AS town_name, count(*) FILTER (WHERE s.level = '站') AS stations
    FROM towns t
    JOIN counties c USING (county_code)
    JOIN sites s ON s.town_code = t.town_code
    WHERE c.programme = '文明实践'
    GROUP BY t.town_code, t.name
), ac AS (
    SELECT f.town_code, count(*) AS activities
    FROM activity_facts f
    WHERE f.activity_date BETWEEN $date_from AND $date_to
    GROUP BY f.town_code
)
SELECT tw.town_code, tw.town_name, tw.stations, coalesce(ac.activities, 0) AS activities
FROM tw LEFT JOIN ac USING (town_code)
ORDER BY activities DESC, tw.town_code;
