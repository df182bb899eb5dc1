-- Silent village stations (报送完整性): no activity in the $days days up to $as_of, i.e. the last one is on
-- or before $as_of - $days, or there is none (the volunteer page's idle rule, volunteer_idle, without its
-- 200-row cap). When $month is set (a clicked heatmap cell: its first day), instead the stations of
-- $towns with no activity in that month. With the station's team(s) (teams based at the station).
-- $towns ([] = all practice townships), $days (INTEGER), $as_of, $month (DATE or NULL).
WITH st AS (
    SELECT s.site_id, s.name, s.town_code
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
), in_month AS (
    SELECT DISTINCT site_id FROM activity_facts
    WHERE $month IS NOT NULL AND month = $month AND activity_date <= $as_of
), silent AS MATERIALIZED (
    -- two plain branches, one of which is empty (a CASE around NOT IN cost ~0.5 s at ×100)
    SELECT st.*, sa.last_activity
    FROM st LEFT JOIN site_activity sa USING (site_id)
    WHERE $month IS NULL
      AND (sa.last_activity IS NULL OR sa.last_activity <= $as_of::DATE - CAST($days AS INTEGER))
    UNION ALL
    SELECT st.*, sa.last_activity
    FROM st LEFT JOIN site_activity sa USING (site_id)
    WHERE $month IS NOT NULL AND st.site_id NOT IN (SELECT site_id FROM in_month)
), team AS (
    -- only the silent stations' teams (at ×100 aggregating every team cost most of the query)
    SELECT tm.site_id, string_agg(tm.name, '、' ORDER BY tm.name) AS team
    FROM teams tm JOIN silent USING (site_id) GROUP BY tm.site_id
)
SELECT s.site_id, s.name, t.name AS town_name, s.town_code, s.last_activity AS last_date,
       CAST($as_of::DATE - s.last_activity AS INTEGER) AS days_silent, team.team
FROM silent s
LEFT JOIN team USING (site_id)
JOIN towns t ON t.town_code = s.town_code
ORDER BY s.town_code, s.last_activity NULLS FIRST, s.site_id;
