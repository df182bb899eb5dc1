-- Every town with whether it has practice sites or renovation compounds (filter options).
SELECT t.town_code, t.name, t.county_code, t.kind,
       EXISTS (SELECT 1 FROM sites s WHERE s.town_code = t.town_code) AS has_sites,
       EXISTS (SELECT 1 FROM compounds c WHERE c.town_code = t.town_code) AS has_compounds
FROM towns t
ORDER BY t.county_code, t.town_code;
