-- Filtered compounds per town: compounds, completed, buildings, households, floor area (completed and total).
-- Filters ([] = all): $towns, $communities, $batches, $stages, $types.
WITH c AS (
    SELECT * FROM v_compounds
    WHERE (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($communities) = 0 OR list_contains($communities, community_code))
      AND (len($batches) = 0 OR list_contains($batches, batch))
      AND (len($stages) = 0 OR list_contains($stages, status))
      AND (len($types) = 0 OR list_contains($types, compound_type))
)
SELECT town_code, town_name,
       count(DISTINCT community_code) AS communities,
       count(*) AS compounds,
       count(*) FILTER (WHERE status = '完成') AS completed,
       sum(buildings) AS buildings,
       sum(households) AS households,
       coalesce(sum(floor_area_m2) FILTER (WHERE status = '完成'), 0) AS area_done_m2,
       sum(floor_area_m2) AS area_total_m2
FROM c
GROUP BY town_code, town_name
ORDER BY town_code;
