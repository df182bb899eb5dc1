-- Trainings in the window and in the previous window: sessions, free sessions, trainees, hosts.
-- $towns, $date_from, $date_to, $prev_from, $prev_to.
SELECT count(*) FILTER (WHERE cur) AS sessions,
       count(*) FILTER (WHERE cur AND is_free) AS free_sessions,
       coalesce(sum(trainees) FILTER (WHERE cur), 0) AS trainees,
       count(DISTINCT site_id) FILTER (WHERE cur) AS hosts,
       count(*) FILTER (WHERE prev) AS sessions_prev,
       coalesce(sum(trainees) FILTER (WHERE prev), 0) AS trainees_prev
FROM (
    SELECT t.site_id, t.trainees, t.is_free,
           t.training_date BETWEEN $date_from AND $date_to AS cur,
           t.training_date BETWEEN $prev_from AND $prev_to AS prev
    FROM trainings t JOIN sites s USING (site_id)
    WHERE (len($towns) = 0 OR list_contains($towns, s.town_code))
);
