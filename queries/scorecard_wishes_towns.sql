-- The scorecard's 微心愿 per township: volunteer_wish_funnel's published, done and done_in_window, grouped
-- by the township of the wish's station instead of filtered to chosen townships (same table, same
-- conditions; tests/store/test_scorecard_queries.py checks it equals volunteer_wish_funnel per township).
-- $county, $date_from, $date_to. Townships without any wish are absent (the funnel's counts are 0 there).
SELECT s.town_code,
       count(*) FILTER (WHERE w.published_date BETWEEN $date_from AND $date_to) AS published,
       count(*) FILTER (WHERE w.published_date BETWEEN $date_from AND $date_to
                        AND w.done_date <= $date_to) AS done,
       count(*) FILTER (WHERE w.done_date BETWEEN $date_from AND $date_to) AS done_in_window
FROM micro_wishes w JOIN sites s USING (site_id)
WHERE s.county_code = $county
GROUP BY s.town_code
ORDER BY s.town_code;
