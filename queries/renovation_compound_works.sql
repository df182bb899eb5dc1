-- One compound's works: planned and done per category, with units. $compound: compound_id.
SELECT k.category, k.unit, k.ord, w.planned_qty, w.done_qty,
       100.0 * w.done_qty / nullif(w.planned_qty, 0) AS done_pct, w.done_date
FROM works w JOIN work_categories k USING (category)
WHERE w.compound_id = $compound
ORDER BY k.ord;
