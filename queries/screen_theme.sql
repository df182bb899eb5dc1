-- 大屏: this month's theme (the month holding $day) of the 文明实践 county, with the activities that carried
-- it this month (up to $day), and next month's theme. One row, or none when no theme is set for the month.
-- (One row per 文明实践 county with a theme for the month: one county in the real data, more with replicas;
-- ordered by county code, so the first row is the lowest-coded county's.)
-- The month's activities are read from activity_facts (data/views.sql: activities with their site's
-- county, sorted by date, so the month's range reads only its row groups), counted per county and theme.
WITH th AS (
    SELECT m.county_code, m.month, m.theme
    FROM monthly_themes m JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践' AND m.month = date_trunc('month', $day)::DATE
), a AS (
    SELECT f.county_code, f.theme, count(*) AS n, sum(f.volunteers) AS vo, sum(f.beneficiaries) AS be,
           count(DISTINCT f.site_id) AS sites
    FROM activity_facts f
    WHERE f.activity_date BETWEEN date_trunc('month', $day)::DATE AND $day
      AND f.theme IS NOT NULL
    GROUP BY f.county_code, f.theme
)
SELECT th.theme, th.month,
       coalesce(a.n, 0) AS activities,
       coalesce(a.vo, 0) AS volunteers,
       coalesce(a.be, 0) AS beneficiaries,
       coalesce(a.sites, 0) AS sites,
       (SELECT n.theme FROM monthly_themes n
         WHERE n.county_code = th.county_code AND n.month = (th.month + INTERVAL 1 MONTH)::DATE) AS next_theme
FROM th
LEFT JOIN a ON a.county_code = th.county_code AND a.theme = th.theme
ORDER BY th.county_code;
