-- Gaps among the governance count (55): compounds lacking a party organisation, owners' committee or
-- self-management committee (物业企业 is optional and not counted as a gap). `no_body` marks compounds with
-- no governance body of any kind. $towns: town codes ([] = all).
WITH scope AS (
    SELECT compound_id, name, community_name, town_name, status, batch FROM v_compounds
    WHERE in_governance_scope AND (len($towns) = 0 OR list_contains($towns, town_code))
)
SELECT s.compound_id, s.name, s.town_name, s.community_name, s.status, s.batch,
       list(b.body_type ORDER BY b.ord) FILTER (WHERE g.body_id IS NULL AND b.ord <= 3) AS missing,
       count(*) FILTER (WHERE g.body_id IS NULL AND b.ord <= 3) AS n_missing,
       count(g.body_id) = 0 AS no_body
FROM scope s
CROSS JOIN (VALUES ('小区党组织', 1), ('业主委员会', 2), ('自管委', 3), ('物业企业', 4)) AS b(body_type, ord)
LEFT JOIN governance_bodies g ON g.compound_id = s.compound_id AND g.body_type = b.body_type
GROUP BY s.compound_id, s.name, s.town_name, s.community_name, s.status, s.batch
HAVING count(*) FILTER (WHERE g.body_id IS NULL AND b.ord <= 3) > 0
ORDER BY no_body DESC, n_missing DESC, s.community_name, s.compound_id;
