-- 大屏: activities per service type of the 文明实践 network in $date_from..$date_to (all five types, zeros kept).
WITH types AS (
    SELECT * FROM (VALUES ('理论宣讲', 1), ('文化惠民', 2), ('项目品牌', 3), ('乡风文明', 4), ('扶危帮困', 5))
        AS t(service_type, ord)
)
SELECT types.service_type, count(a.activity_id) AS activities, coalesce(sum(a.volunteers), 0) AS volunteers
FROM types
LEFT JOIN (
    SELECT a.* FROM activities a JOIN sites s USING (site_id) JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践' AND a.activity_date BETWEEN $date_from AND $date_to
) a USING (service_type)
GROUP BY types.service_type, types.ord
ORDER BY types.ord;
