-- Village stations with no activity in the 30 days up to $as_of ("empty shells"), longest idle first.
-- $towns VARCHAR[] ([] = all); $as_of DATE. Last activity from site_activity (derived, up to meta.as_of).
-- short_label is the village name, with its town only where another station of the county shares the name.
WITH scope AS (
    SELECT s.*
    FROM sites s JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践' AND s.level = '站'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
)
, shared_names AS (
    SELECT s.county_code, coalesce(v.name, s.name) AS label
    FROM sites s JOIN counties c USING (county_code)
    LEFT JOIN villages v ON v.village_code = s.village_code
    WHERE c.programme = '文明实践' AND s.level = '站'
    GROUP BY ALL
    HAVING count(*) > 1
)
SELECT s.site_id, s.name, coalesce(v.name, s.name) AS label,
       CASE WHEN d.label IS NULL THEN coalesce(v.name, s.name)
            ELSE coalesce(v.name, s.name) || '（' || t.name || '）' END AS short_label,
       s.village_code, t.name AS town_name,
       l.last_activity,
       CAST(date_diff('day', l.last_activity, CAST($as_of AS DATE)) AS INTEGER) AS idle_days
FROM scope s
LEFT JOIN site_activity l USING (site_id)
LEFT JOIN towns t ON t.town_code = s.town_code
LEFT JOIN villages v ON v.village_code = s.village_code
LEFT JOIN shared_names d ON d.county_code = s.county_code AND d.label = coalesce(v.name, s.name)
WHERE l.last_activity IS NULL OR l.last_activity <= CAST($as_of AS DATE) - INTERVAL 30 DAY
ORDER BY l.last_activity NULLS FIRST, s.site_id;
