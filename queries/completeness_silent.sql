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
), team AS (
    SELECT site_id, string_agg(name, '、' ORDER BY name) AS team
    FROM teams WHERE site_id IS NOT NULL GROUP BY site_id
)
SELECT st.site_id, st.name, t.name AS town_name, st.town_code, sa.last_activity AS last_date,
       CAST($as_of::DATE - sa.last_activity AS INTEGER) AS days_silent, team.team
FROM st
LEFT JOIN site_activity sa USING (site_id)
LEFT JOIN team USING (site_id)
JOIN towns t ON t.town_code = st.town_code
WHERE CASE WHEN $month IS NULL
           THEN sa.last_activity IS NULL OR sa.last_activity <= $as_of::DATE - CAST($days AS INTEGER)
           ELSE st.site_id NOT IN (SELECT site_id FROM in_month) END
ORDER BY st.town_code, sa.last_activity NULLS FIRST, st.site_id;
