-- Trainings per month in the window by host group: 'farmer' 职业农民培训基地, 'maker' 上寺南街青年创客空间,
-- 'base' other practice bases, 'institute' the county centre and township institutes.
-- sessions, free_sessions, trainees. $towns, $date_from, $date_to.
SELECT date_trunc('month', t.training_date)::DATE AS month,
       CASE WHEN s.name = '职业农民培训基地' THEN 'farmer'
            WHEN s.name = '上寺南街青年创客空间' THEN 'maker'
            WHEN s.level = '基地' THEN 'base'
            ELSE 'institute' END AS host_group,
       count(*) AS sessions, count(*) FILTER (WHERE t.is_free) AS free_sessions, sum(t.trainees) AS trainees
FROM trainings t JOIN sites s USING (site_id)
WHERE t.training_date BETWEEN $date_from AND $date_to
  AND (len($towns) = 0 OR list_contains($towns, s.town_code))
GROUP BY ALL
ORDER BY month, host_group;
