-- The grid per programme community in the selected towns ($towns, [] = all): county units, their party
-- members, the community's 大党委 (if any) and its members, key compounds paired with county leaders.
SELECT v.town_code, t.name AS town_name, v.village_code AS community_code, v.name AS community_name,
       (SELECT count(*) FROM grid_units u WHERE u.community_code = v.village_code) AS units,
       (SELECT coalesce(sum(u.party_members), 0) FROM grid_units u WHERE u.community_code = v.village_code) AS party_members,
       (SELECT count(*) FROM grid_party_committees g WHERE g.community_code = v.village_code) AS committees,
       (SELECT count(*) FROM grid_committee_members m JOIN grid_party_committees g USING (committee_id)
        WHERE g.community_code = v.village_code) AS committee_members,
       (SELECT count(DISTINCT l.compound_id) FROM leader_links l JOIN compounds c USING (compound_id)
        WHERE c.community_code = v.village_code) AS key_compounds
FROM communities m
JOIN villages v ON v.village_code = m.community_code
JOIN towns t ON t.town_code = v.town_code
WHERE m.in_programme AND (len($towns) = 0 OR list_contains($towns, v.town_code))
ORDER BY v.village_code;
