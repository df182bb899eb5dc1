-- 改造进度漏斗: for each stage 未启动 → 设计 → 施工 → 验收 → 完成, how many filtered compounds are at it now
-- (`at_stage`) and how many have reached it or gone beyond (`reached`), with their buildings, households and
-- floor area. Filters ([] = all): $towns, $communities, $batches, $stages, $types.
WITH c AS (
    SELECT * FROM v_compounds
    WHERE (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($communities) = 0 OR list_contains($communities, community_code))
      AND (len($batches) = 0 OR list_contains($batches, batch))
      AND (len($stages) = 0 OR list_contains($stages, status))
      AND (len($types) = 0 OR list_contains($types, compound_type))
),
lv AS (SELECT * FROM (VALUES ('未启动', 0), ('设计', 1), ('施工', 2), ('验收', 3), ('完成', 4)) t(stage, lvl)),
cl AS (SELECT c.*, lv.lvl FROM c JOIN lv ON lv.stage = c.status)
SELECT lv.stage, lv.lvl,
       count(cl.compound_id) FILTER (WHERE cl.lvl = lv.lvl) AS at_stage,
       count(cl.compound_id) AS reached,
       coalesce(sum(cl.buildings), 0) AS buildings,
       coalesce(sum(cl.households), 0) AS households,
       coalesce(sum(cl.floor_area_m2), 0) AS floor_area_m2
FROM lv
LEFT JOIN cl ON cl.lvl >= lv.lvl
GROUP BY lv.stage, lv.lvl
ORDER BY lv.lvl;
