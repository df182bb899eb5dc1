-- The scorecard's 闲置站点 per township: volunteer_idle's idle_total for every practice township at once
-- (no service or team type: the scorecard never narrows them), on the same views and with the same rule:
-- a village station is idle when its last activity up to $date_to is on or before $date_to - $idle_days,
-- or it has none. The last activity comes from site_activity when the window reaches the last activity
-- day (not after meta.as_of), else from activity_facts up to $date_to, exactly as volunteer_idle chooses.
-- tests/store/test_scorecard_queries.py checks it equals volunteer_idle run per township on several dates.
-- $county, $date_to, $idle_days (INTEGER). Townships without village stations are absent.
WITH st AS (
    SELECT s.site_id, s.town_code
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践' AND s.county_code = $county
), fast AS (
    SELECT coalesce(l.last_day <= l.as_of AND l.last_day <= $date_to, l.last_day IS NULL) AS ok
    FROM (SELECT (SELECT max(activity_date) FROM activity_facts) AS last_day,
                 (SELECT value FROM meta WHERE key = 'as_of')::DATE AS as_of) l
), last AS MATERIALIZED (
    SELECT sa.site_id, sa.last_activity AS last_date
    FROM site_activity sa
    JOIN st USING (site_id)
    WHERE (SELECT ok FROM fast)
    UNION ALL
    SELECT f.site_id, max(f.activity_date)
    FROM activity_facts f
    WHERE f.activity_date <= $date_to
      AND f.site_level = '站'
      AND NOT (SELECT ok FROM fast)
    GROUP BY f.site_id
)
SELECT st.town_code,
       count(*) FILTER (WHERE l.last_date IS NULL
                        OR l.last_date <= $date_to::DATE - CAST($idle_days AS INTEGER)) AS idle_total
FROM st LEFT JOIN last l USING (site_id)
GROUP BY st.town_code
ORDER BY st.town_code;
