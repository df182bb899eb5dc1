-- 老旧小区改造: filter options. The programme's communities (in the selected towns) and every compound.
-- $towns: town codes ([] = all).
SELECT 'community' AS kind, v.village_code AS value, v.name AS label, t.name AS town_name, v.town_code,
       v.village_code AS sort_key
FROM communities m
JOIN villages v ON v.village_code = m.community_code
JOIN towns t ON t.town_code = v.town_code
WHERE m.in_programme AND (len($towns) = 0 OR list_contains($towns, v.town_code))
UNION ALL
SELECT 'compound', c.compound_id, c.name, c.town_name, c.town_code, c.compound_id
FROM v_compounds c
ORDER BY kind, sort_key;
