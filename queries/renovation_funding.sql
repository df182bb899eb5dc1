-- Funding of the filtered compounds by batch and source (财政奖补 / 居民自筹 / 集体经济 / 联帮包单位), in yuan
-- and 万元.
-- Filters ([] = all): $towns, $communities, $batches, $stages, $types.
WITH c AS (
    SELECT * FROM v_compounds
    WHERE (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($communities) = 0 OR list_contains($communities, community_code))
      AND (len($batches) = 0 OR list_contains($batches, batch))
      AND (len($stages) = 0 OR list_contains($stages, status))
      AND (len($types) = 0 OR list_contains($types, compound_type))
),
src AS (SELECT * FROM (VALUES ('财政奖补', 1), ('居民自筹', 2), ('集体经济', 3), ('联帮包单位', 4)) t(source, ord))
SELECT c.batch, CASE c.batch WHEN '实施一批' THEN 1 WHEN '谋划一批' THEN 2 ELSE 3 END AS batch_ord,
       f.source, src.ord AS source_ord,
       sum(f.amount_yuan) AS amount_yuan,
       count(DISTINCT f.compound_id) AS compounds,
       sum(sum(f.amount_yuan)) OVER (PARTITION BY c.batch) AS batch_total_yuan,
       sum(f.amount_yuan) / 1e4 AS amount_wan,
       sum(sum(f.amount_yuan)) OVER (PARTITION BY c.batch) / 1e4 AS batch_total_wan
FROM c
JOIN funding f USING (compound_id)
JOIN src ON src.source = f.source
GROUP BY c.batch, f.source, src.ord
ORDER BY batch_ord, source_ord;
