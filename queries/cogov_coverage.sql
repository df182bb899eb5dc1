-- Governance-body coverage among the compounds in the governance count (全县55个小区), by body type.
-- `covered` = compounds with that body; for 物业企业 also the number of distinct firms (引进物业3家).
-- $towns: town codes ([] = all). Agrees with overview_governance.
WITH scope AS (
    SELECT compound_id FROM compounds
    WHERE in_governance_scope AND (len($towns) = 0 OR list_contains($towns, town_code))
)
SELECT b.body_type, b.ord,
       count(DISTINCT g.compound_id) AS covered,
       (SELECT count(*) FROM scope) AS scope,
       (SELECT count(*) FROM scope) - count(DISTINCT g.compound_id) AS missing,
       count(DISTINCT g.compound_id) / nullif((SELECT count(*) FROM scope), 0) AS share,
       count(DISTINCT g.firm_id) AS firms
FROM (VALUES ('小区党组织', 1), ('业主委员会', 2), ('自管委', 3), ('物业企业', 4)) AS b(body_type, ord)
LEFT JOIN governance_bodies g ON g.body_type = b.body_type AND g.compound_id IN (SELECT compound_id FROM scope)
GROUP BY b.body_type, b.ord
ORDER BY b.ord;
