-- Governance bodies present in one compound (all four types, present or not). $compound: compound_id.
SELECT b.body_type, b.ord, g.body_id IS NOT NULL AS present, g.established_date, p.name AS firm_name
FROM (VALUES ('小区党组织', 1), ('业主委员会', 2), ('自管委', 3), ('物业企业', 4)) AS b(body_type, ord)
LEFT JOIN governance_bodies g ON g.body_type = b.body_type AND g.compound_id = $compound
LEFT JOIN property_firms p ON p.firm_id = g.firm_id
ORDER BY b.ord;
