-- 老旧小区改造 KPIs (current state). $towns: town codes ([] = all).
SELECT
    count(*) AS compounds,
    count(*) FILTER (WHERE status = '完成') AS completed,
    count(*) FILTER (WHERE status IN ('设计', '施工', '验收')) AS in_progress,
    count(*) FILTER (WHERE status = '未启动') AS not_started,
    coalesce(sum(buildings), 0) AS buildings,
    coalesce(sum(households), 0) AS households,
    coalesce(sum(floor_area_m2) FILTER (WHERE status = '完成'), 0) AS area_done_m2,
    coalesce(sum(floor_area_m2), 0) AS area_total_m2
FROM compounds
WHERE len($towns) = 0 OR list_contains($towns, town_code);
