-- The grid in the selected towns ($towns, [] = all): 社区大党委, their part-time members, county leaders
-- paired with key compounds, county units in the grid and their party members.
SELECT
    (SELECT count(*) FROM grid_party_committees g JOIN villages v ON v.village_code = g.community_code
     WHERE len($towns) = 0 OR list_contains($towns, v.town_code)) AS committees,
    (SELECT count(*) FROM grid_committee_members m JOIN grid_party_committees g USING (committee_id)
     JOIN villages v ON v.village_code = g.community_code
     WHERE len($towns) = 0 OR list_contains($towns, v.town_code)) AS committee_members,
    (SELECT count(DISTINCT l.leader_id) FROM leader_links l JOIN compounds c USING (compound_id)
     WHERE len($towns) = 0 OR list_contains($towns, c.town_code)) AS leaders,
    (SELECT count(DISTINCT l.compound_id) FROM leader_links l JOIN compounds c USING (compound_id)
     WHERE len($towns) = 0 OR list_contains($towns, c.town_code)) AS key_compounds,
    (SELECT count(*) FROM grid_units u JOIN villages v ON v.village_code = u.community_code
     WHERE len($towns) = 0 OR list_contains($towns, v.town_code)) AS units,
    (SELECT coalesce(sum(u.party_members), 0) FROM grid_units u JOIN villages v ON v.village_code = u.community_code
     WHERE len($towns) = 0 OR list_contains($towns, v.town_code)) AS party_members;
