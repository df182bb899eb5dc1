-- 大屏 ticker: the latest $n activities up to $day. Site names and counts only: no titles (free text may
-- name people), no teams, no people.
SELECT a.activity_date,
       a.activity_id,
       replace(s.name, '新时代文明实践', '') AS site_name,
       s.level,
       t.name AS town_name,
       a.service_type,
       a.participants,
       a.volunteers,
       a.beneficiaries
FROM activities a
JOIN sites s USING (site_id)
JOIN counties c ON c.county_code = s.county_code
LEFT JOIN towns t ON t.town_code = s.town_code
WHERE c.programme = '文明实践' AND a.activity_date <= $day
ORDER BY a.activity_date DESC, a.activity_id DESC
LIMIT $n;
