-- The residents' index (public server): every compound by town and community, searchable by name.
-- $q: part of a compound's name ('' = all).
SELECT c.compound_id, c.name, c.town_name, c.community_name, c.status, c.batch
FROM v_compounds c
WHERE $q = '' OR contains(c.name, $q)
ORDER BY c.town_code, c.community_code, c.name, c.compound_id;
