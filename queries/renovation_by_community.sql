-- Filtered compounds by town and community and current stage, with buildings, households and floor area.
-- Filters ([] = all): $towns, $communities, $batches, $stages, $types.
WITH c AS (
    SELECT * FROM v_compounds
    WHERE (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($communities) = 0 OR list_contains($communities, community_code))
      AND (len($batches) = 0 OR list_contains($batches, batch))
      AND (len($stages) = 0 OR list_contains($stages, status))
      AND (len($types) = 0 OR list_contains($types, compound_type))
),
lv AS (SELECT * FROM (VALUES ('未启动', 0), ('设计', 1), ('施工', 2), ('验收', 3), ('完成', 4)) t(stage, lvl))
SELECT c.town_code, c.town_name, c.community_code, c.community_name, c.status AS stage, lv.lvl,
       count(*) AS compounds,
       sum(c.buildings) AS buildings, sum(c.households) AS households, sum(c.floor_area_m2) AS floor_area_m2,
       sum(count(*)) OVER (PARTITION BY c.community_code) AS community_total
FROM c JOIN lv ON lv.stage = c.status
GROUP BY c.town_code, c.town_name, c.community_code, c.community_name, c.status, lv.lvl
ORDER BY c.town_code, c.community_code, lv.lvl;
