-- The scorecard's 会议 per township: cogov_meetings_kpis' in_window summed over the meeting types (every
-- meeting has one of its five, data/schema.sql's CHECK), grouped by the township of the meeting's
-- community (same join; checked against cogov_meetings_kpis per township in
-- tests/store/test_scorecard_queries.py). $county, $date_from, $date_to. Townships without meetings are absent.
SELECT v.town_code, count(*) AS in_window
FROM meetings m JOIN villages v ON v.village_code = m.community_code
WHERE m.meeting_date BETWEEN $date_from AND $date_to
  AND v.town_code IN (SELECT town_code FROM towns WHERE county_code = $county)
GROUP BY v.town_code
ORDER BY v.town_code;
