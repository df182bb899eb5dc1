-- Works per category for the filtered compounds: planned and done quantities, and the county-wide
-- published total (H15–H26) with its v_fact_check result. `is_all` says whether the filters keep every
-- compound (only then is the published total comparable).
-- Filters ([] = all): $towns, $communities, $batches, $stages, $types.
WITH c AS (
    SELECT * FROM v_compounds
    WHERE (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($communities) = 0 OR list_contains($communities, community_code))
      AND (len($batches) = 0 OR list_contains($batches, batch))
      AND (len($stages) = 0 OR list_contains($stages, status))
      AND (len($types) = 0 OR list_contains($types, compound_type))
),
m AS (
    SELECT * FROM (VALUES ('管线改造', 'H15'), ('拆除违建', 'H16'), ('地面硬化', 'H17'), ('坡屋面', 'H18'),
                          ('停车位', 'H20'), ('充电棚', 'H21'), ('消防通道', 'H22'), ('灭火器材', 'H23'),
                          ('垃圾分类点', 'H24'), ('路灯', 'H25'), ('便民设施', 'H26')) t(category, fact_id)
)
SELECT k.category, k.unit, k.ord,
       coalesce(sum(w.planned_qty), 0) AS planned,
       coalesce(sum(w.done_qty), 0) AS done,
       count(w.work_id) AS compounds,
       100.0 * coalesce(sum(w.done_qty), 0) / nullif(sum(w.planned_qty), 0) AS done_pct,
       m.fact_id, f.published, f.qualifier, f.ok AS published_ok,
       100.0 * f.published / nullif(sum(w.planned_qty), 0) AS published_pct,
       (SELECT count(*) FROM c) = (SELECT count(*) FROM compounds) AS is_all
FROM work_categories k
LEFT JOIN works w ON w.category = k.category AND w.compound_id IN (SELECT compound_id FROM c)
LEFT JOIN m ON m.category = k.category
LEFT JOIN v_fact_check f ON f.fact_id = m.fact_id
GROUP BY k.category, k.unit, k.ord, m.fact_id, f.published, f.qualifier, f.ok
ORDER BY k.ord;
