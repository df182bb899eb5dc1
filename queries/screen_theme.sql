-- 大屏: this month's theme (the month holding $day) of the 文明实践 county, with the activities that carried
-- it this month (up to $day), and next month's theme. One row, or none when no theme is set for the month.
WITH th AS (
    SELECT m.county_code, m.month, m.theme
    FROM monthly_themes m JOIN counties c USING (county_code)
    WHERE c.programme = '文明实践' AND m.month = date_trunc('month', $day)::DATE
)
SELECT th.theme, th.month,
       count(a.activity_id) AS activities,
       coalesce(sum(a.volunteers), 0) AS volunteers,
       coalesce(sum(a.beneficiaries), 0) AS beneficiaries,
       count(DISTINCT a.site_id) AS sites,
       (SELECT n.theme FROM monthly_themes n
         WHERE n.county_code = th.county_code AND n.month = (th.month + INTERVAL 1 MONTH)::DATE) AS next_theme
FROM th
LEFT JOIN sites s ON s.county_code = th.county_code
LEFT JOIN activities a ON a.site_id = s.site_id AND a.theme = th.theme
     AND a.activity_date BETWEEN th.month AND $day
GROUP BY th.theme, th.month, th.county_code;
