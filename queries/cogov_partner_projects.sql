-- The partnership projects (合伙项目) in the selected towns ($towns, [] = all) with their partner.
SELECT p.project_id, p.name AS project, p.kind AS project_kind, r.name AS partner, r.kind AS partner_kind,
       v.name AS community_name, t.name AS town_name, p.start_date
FROM partner_projects p
JOIN partners r USING (partner_id)
JOIN villages v ON v.village_code = p.community_code
JOIN towns t ON t.town_code = v.town_code
WHERE len($towns) = 0 OR list_contains($towns, v.town_code)
ORDER BY p.start_date, p.project_id;
