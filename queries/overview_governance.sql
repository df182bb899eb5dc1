-- Governance-body coverage among the compounds in the governance count (55). $towns ([] = all).
WITH scope AS (
    SELECT compound_id FROM compounds
    WHERE in_governance_scope AND (len($towns) = 0 OR list_contains($towns, town_code))
)
SELECT b.body_type,
       count(DISTINCT g.compound_id) AS covered,
       (SELECT count(*) FROM scope) AS scope
FROM (VALUES ('小区党组织', 1), ('业主委员会', 2), ('自管委', 3), ('物业企业', 4)) AS b(body_type, ord)
LEFT JOIN governance_bodies g ON g.body_type = b.body_type AND g.compound_id IN (SELECT compound_id FROM scope)
GROUP BY b.body_type, b.ord
ORDER BY b.ord;
