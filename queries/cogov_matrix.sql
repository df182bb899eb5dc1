-- Compound × body matrix for the governance count (55): one row per compound and body type, present or not.
-- Compounds with the fewest bodies come first. $towns: town codes ([] = all).
WITH scope AS (
    SELECT compound_id, name, community_name, town_name FROM v_compounds
    WHERE in_governance_scope AND (len($towns) = 0 OR list_contains($towns, town_code))
),
cells AS (
    SELECT s.compound_id, s.name, s.community_name, s.town_name, b.body_type, b.ord,
           g.body_id IS NOT NULL AS present, g.established_date, p.name AS firm_name
    FROM scope s
    CROSS JOIN (VALUES ('小区党组织', 1), ('业主委员会', 2), ('自管委', 3), ('物业企业', 4)) AS b(body_type, ord)
    LEFT JOIN governance_bodies g ON g.compound_id = s.compound_id AND g.body_type = b.body_type
    LEFT JOIN property_firms p ON p.firm_id = g.firm_id
)
SELECT *, CAST(present AS INTEGER) AS z,
       sum(CAST(present AS INTEGER)) OVER (PARTITION BY compound_id) AS bodies,
       dense_rank() OVER (ORDER BY bodies_sort, community_name, compound_id) AS row_ord
FROM (SELECT *, sum(CAST(present AS INTEGER)) OVER (PARTITION BY compound_id) AS bodies_sort FROM cells)
ORDER BY row_ord, ord;
