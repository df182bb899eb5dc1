-- Village stations with no activity in the 30 days up to $as_of ("empty shells"), longest idle first.
-- $towns VARCHAR[] ([] = all); $as_of DATE. Last activity from site_activity (derived, up to meta.as_of).
-- short_label is the village name, with its town only where another station of the county shares the name.
WITH stations AS (
    SELECT s.site_id, s.name, s.county_code, s.town_code, s.village_code, coalesce(v.name, s.name) AS label
    FROM sites s JOIN counties c USING (county_code)
    LEFT JOIN villages v ON v.village_code = s.village_code
    WHERE c.programme = '文明实践' AND s.level = '站'
),
shared_names AS (
    SELECT county_code, label FROM stations GROUP BY ALL HAVING count(*) > 1
)
SELECT s.site_id, s.name, s.label,
       CASE WHEN d.label IS NULL THEN s.label ELSE s.label || '（' || t.name || '）' END AS short_label,
       s.village_code, t.name AS town_name,
       l.last_activity,
       CAST(date_diff('day', l.last_activity, CAST($as_of AS DATE)) AS INTEGER) AS idle_days
FROM stations s
LEFT JOIN site_activity l USING (site_id)
LEFT JOIN towns t ON t.town_code = s.town_code
LEFT JOIN shared_names d ON d.county_code = s.county_code AND d.label = s.label
WHERE (len($towns) = 0 OR list_contains($towns, s.town_code))
  AND (l.last_activity IS NULL OR l.last_activity <= CAST($as_of AS DATE) - INTERVAL 30 DAY)
ORDER BY l.last_activity NULLS FIRST, s.site_id;
