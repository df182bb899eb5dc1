-- Towns ranked by activities per station in the window (so big towns do not always win).
-- $towns, $date_from, $date_to.
-- Activities per town: the window's whole calendar months [m0, m1) (m0 the first month starting on or
-- after $date_from, m1 the month holding the day after $date_to) from activity_months (data/views.sql:
-- activities pre-summed per month, town, ...), the days before m0 and from m1 on from activity_facts
-- (activities with their site's town, sorted by date, so each day range reads only its row groups).
WITH st AS (
    SELECT s.town_code, count(*) AS stations
    FROM sites s JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践' AND s.level = '站'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
    GROUP BY ALL
), parts AS (
    SELECT f.town_code, count(*) AS activities
    FROM activity_facts f
    WHERE f.activity_date BETWEEN $date_from
              AND least($date_to::DATE, CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE) - 1)
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
    GROUP BY f.town_code
    UNION ALL
    SELECT f.town_code, count(*)
    FROM activity_facts f
    WHERE f.activity_date BETWEEN greatest(CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE),
                                           CAST(date_trunc('month', $date_to::DATE + 1) AS DATE))
              AND $date_to
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
    GROUP BY f.town_code
    UNION ALL
    SELECT m.town_code, sum(m.activities)
    FROM activity_months m
    WHERE m.month >= CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE)
      AND m.month < CAST(date_trunc('month', $date_to::DATE + 1) AS DATE)
      AND (len($towns) = 0 OR list_contains($towns, m.town_code))
    GROUP BY m.town_code
), ac AS (
    SELECT town_code, CAST(sum(activities) AS BIGINT) AS activities FROM parts GROUP BY town_code
)
SELECT t.town_code, t.name AS town_name, st.stations, coalesce(ac.activities, 0) AS activities,
       round(coalesce(ac.activities, 0) / st.stations, 1) AS per_station
FROM st JOIN towns t USING (town_code) LEFT JOIN ac USING (town_code)
ORDER BY per_station DESC, t.town_code;
