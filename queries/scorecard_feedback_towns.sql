-- The scorecard's 诉求 per township: cogov_feedback_kpis' received, resolved and median_days (days to
-- resolve, continuous median, among the resolved) for feedback received in [$date_from, $date_to], grouped
-- by the compound's township (same join and conditions; checked against cogov_feedback_kpis per township
-- in tests/store/test_scorecard_queries.py). $county, $date_from, $date_to. Townships without feedback in the window are absent.
SELECT c.town_code,
       count(*) AS received,
       count(*) FILTER (WHERE f.status = '办结') AS resolved,
       quantile_cont(date_diff('day', f.received_date, f.resolved_date), 0.5)
           FILTER (WHERE f.status = '办结') AS median_days
FROM feedback f JOIN compounds c USING (compound_id)
WHERE f.received_date BETWEEN $date_from AND $date_to
  AND c.town_code IN (SELECT town_code FROM towns WHERE county_code = $county)
GROUP BY c.town_code
ORDER BY c.town_code;
