-- The faint context layer: sites of the selected towns' counties that lie outside the selected towns.
-- $towns VARCHAR[]; empty when no town is selected (then every site is in scope, see map_sites).
SELECT s.site_id, s.level, s.name, CASE s.level WHEN '所' THEN replace(s.name, '新时代文明实践所', '实践所')
                 WHEN '中心' THEN replace(s.name, '新时代文明实践中心', '实践中心')
                 ELSE coalesce(v.name, s.name) END AS label, s.village_code,
       t.name AS town_name, s.lon, s.lat
FROM sites s
JOIN counties c USING (county_code)
LEFT JOIN towns t USING (town_code)
LEFT JOIN villages v USING (village_code)
WHERE c.programme = '文明实践'
  AND len($towns) > 0
  AND NOT list_contains($towns, s.town_code)
  AND s.county_code IN (SELECT county_code FROM towns WHERE list_contains($towns, town_code))
ORDER BY s.site_id;
