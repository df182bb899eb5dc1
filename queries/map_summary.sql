-- Headline numbers of the map's scope. $towns VARCHAR[] ([] = all); $date_from/$date_to DATE;
-- $as_of DATE (idle = no activity in the 30 days up to $as_of, as in map_sites). Reads activity_facts and
-- site_activity (derived tables, data/views.sql) like map_sites.
WITH scope AS (
    SELECT s.*
    FROM sites s JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
),
win AS (
    SELECT f.site_id, count(*) AS activities, sum(f.beneficiaries) AS beneficiaries
    FROM activity_facts f
    WHERE f.activity_date BETWEEN $date_from AND $date_to
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
    GROUP BY f.site_id
),
recent AS (
    SELECT site_id
    FROM site_activity
    WHERE last_activity > CAST($as_of AS DATE) - INTERVAL 30 DAY
)
SELECT count(*) AS sites,
       count(*) FILTER (WHERE s.level = '中心') AS centres,
       count(*) FILTER (WHERE s.level = '所') AS institutes,
       count(*) FILTER (WHERE s.level = '站') AS stations,
       count(*) FILTER (WHERE s.level = '基地') AS bases,
       count(*) FILTER (WHERE s.level = '站' AND w.activities > 0) AS active_stations,
       count(*) FILTER (WHERE s.level = '站' AND r.site_id IS NULL) AS idle_stations,
       CAST(coalesce(sum(w.activities), 0) AS BIGINT) AS activities,
       CAST(coalesce(sum(w.beneficiaries), 0) AS BIGINT) AS beneficiaries,
       count(*) FILTER (WHERE s.coord_quality <> 'imported') AS approximate_sites
FROM scope s
LEFT JOIN win w USING (site_id)
LEFT JOIN recent r USING (site_id);
