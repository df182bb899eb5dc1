-- The scorecard's 培训 per township: volunteer_training_kpis' sessions and trainees in [$date_from,
-- $date_to], grouped by the township of the hosting site (same tables and conditions; checked against
-- volunteer_training_kpis per township in tests/store/test_scorecard_queries.py).
-- $county, $date_from, $date_to. Townships without any training are absent (0 sessions, 0 trainees there).
SELECT s.town_code,
       count(*) FILTER (WHERE t.training_date BETWEEN $date_from AND $date_to) AS sessions,
       coalesce(sum(t.trainees) FILTER (WHERE t.training_date BETWEEN $date_from AND $date_to), 0) AS trainees
FROM trainings t JOIN sites s USING (site_id)
WHERE s.county_code = $county
GROUP BY s.town_code
ORDER BY s.town_code;
