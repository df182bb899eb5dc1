-- Renovation works per category, planned vs done. $towns: town codes ([] = all).
SELECT k.category, k.unit, k.ord,
       coalesce(sum(w.planned_qty), 0) AS planned,
       coalesce(sum(w.done_qty), 0) AS done
FROM work_categories k
LEFT JOIN works w ON w.category = k.category
     AND w.compound_id IN (SELECT compound_id FROM compounds
                           WHERE len($towns) = 0 OR list_contains($towns, town_code))
GROUP BY ALL
ORDER BY k.ord;
