-- Monthly activities and beneficiaries in the window. $towns, $date_from, $date_to.
SELECT date_trunc('month', a.activity_date)::DATE AS month,
       count(*) AS activities,
       sum(a.beneficiaries) AS beneficiaries
FROM activities a
JOIN sites s USING (site_id)
JOIN counties c USING (county_code)
WHERE c.programme = '文明实践'
  AND a.activity_date BETWEEN $date_from AND $date_to
  AND (len($towns) = 0 OR list_contains($towns, s.town_code))
GROUP BY ALL
ORDER BY month;
