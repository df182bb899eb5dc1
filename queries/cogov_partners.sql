-- 网格合伙人 and their 合伙项目 in the selected towns ($towns, [] = all, via the project's community),
-- by partner kind (物业/童心/商圈合伙人) and project kind.
WITH pp AS (
    SELECT p.*, r.kind AS partner_kind FROM partner_projects p
    JOIN partners r USING (partner_id)
    JOIN villages v ON v.village_code = p.community_code
    WHERE len($towns) = 0 OR list_contains($towns, v.town_code)
),
pk AS (SELECT * FROM (VALUES ('物业合伙人', 1), ('童心合伙人', 2), ('商圈合伙人', 3)) t(partner_kind, pk_ord)),
jk AS (SELECT * FROM (VALUES ('领办小区物业', 1), ('服务一老一小', 2), ('夜间经济', 3), ('便民服务', 4)) t(project_kind, jk_ord))
SELECT pk.partner_kind, pk.pk_ord, jk.project_kind, jk.jk_ord,
       count(pp.project_id) AS projects,
       count(DISTINCT pp.partner_id) AS partners,
       (SELECT count(DISTINCT partner_id) FROM pp WHERE pp.partner_kind = pk.partner_kind) AS partners_of_kind
FROM pk CROSS JOIN jk
LEFT JOIN pp ON pp.partner_kind = pk.partner_kind AND pp.kind = jk.project_kind
GROUP BY pk.partner_kind, pk.pk_ord, jk.project_kind, jk.jk_ord
ORDER BY pk.pk_ord, jk.jk_ord;
