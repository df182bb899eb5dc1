-- 大屏: activities per service type of the 文明实践 network in $date_from..$date_to (all five types, zeros kept).
-- Reads activity_facts (data/views.sql: activities with their site's county, sorted by date, so the
-- window reads only its row groups) instead of joining the activity table to the sites.
WITH types AS (
    SELECT * FROM (VALUES ('理论宣讲', 1), ('文化惠民', 2), ('项目品牌', 3), ('乡风文明', 4), ('扶危帮困', 5))
        AS t(service_type, ord)
), a AS (
    SELECT f.service_type, count(*) AS n, sum(f.volunteers) AS vo
    FROM activity_facts f
    JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践' AND f.activity_date BETWEEN $date_from AND $date_to
    GROUP BY f.service_type
)
SELECT types.service_type, coalesce(a.n, 0) AS activities, coalesce(a.vo, 0) AS volunteers
FROM types
LEFT JOIN a USING (service_type)
ORDER BY types.ord;
