-- 大屏: activities per town of the 文明实践 network in $date_from..$date_to, with its station count.
SELECT t.town_code, t.name AS town_name,
       count(DISTINCT s.site_id) FILTER (WHERE s.level = '站') AS stations,
       count(a.activity_id) AS activities
FROM towns t
JOIN counties c USING (county_code)
JOIN sites s ON s.town_code = t.town_code
LEFT JOIN activities a ON a.site_id = s.site_id AND a.activity_date BETWEEN $date_from AND $date_to
WHERE c.programme = '文明实践'
GROUP BY ALL
ORDER BY activities DESC, t.town_code;
