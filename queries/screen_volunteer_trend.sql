-- 大屏: monthly volunteer service of the 文明实践 network in $date_from..$date_to:
-- activities, volunteer person-times (人次) and service hours. Aggregates only.
SELECT date_trunc('month', a.activity_date)::DATE AS month,
       count(*) AS activities,
       coalesce(sum(a.volunteers), 0) AS volunteers,
       coalesce(sum(a.hours), 0) AS hours
FROM activities a
JOIN sites s USING (site_id)
JOIN counties c USING (county_code)
WHERE c.programme = '文明实践'
  AND a.activity_date BETWEEN $date_from AND $date_to
GROUP BY ALL
ORDER BY month;
