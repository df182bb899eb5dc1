-- Monthly volunteer activity in the window, totals (service_type NULL) and per service type.
-- Value columns count the activities inside [$date_from, $date_to] (edge months may be partial: `partial`).
-- <metric>_r12 is the average of the 12 complete calendar months ending with that month and
-- <metric>_ly the same month one year earlier; both use whole months regardless of the window, and are
-- NULL without enough history. Months without activity are 0. `theme` is the month's 一月一主题
-- (襄垣's; replicas share it), `themed` the activities that matched it (themed_share of all), and
-- share_of_month a service type's share of the month's activities.
-- $towns (VARCHAR[], [] = all), $stypes, $ttypes (likewise), $date_from, $date_to.
WITH m AS (
    SELECT date_trunc('month', $date_from::DATE)::DATE AS m_from,
           date_trunc('month', $date_to::DATE)::DATE AS m_to
), a AS (
    SELECT date_trunc('month', a.activity_date)::DATE AS month, a.service_type,
           a.activity_date BETWEEN $date_from AND $date_to AS inside,
           a.participants, a.volunteers, a.beneficiaries, a.hours, a.theme
    FROM activities a, m
    WHERE a.activity_date >= m.m_from - INTERVAL 23 MONTH
      AND a.activity_date < m.m_to + INTERVAL 1 MONTH
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($towns) = 0 OR a.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
), agg AS (
    SELECT month, service_type,
           count(*) FILTER (WHERE inside) AS activities,
           coalesce(sum(participants) FILTER (WHERE inside), 0) AS participants,
           coalesce(sum(volunteers) FILTER (WHERE inside), 0) AS volunteers,
           coalesce(sum(beneficiaries) FILTER (WHERE inside), 0) AS beneficiaries,
           coalesce(sum(hours) FILTER (WHERE inside), 0) AS hours,
           count(theme) FILTER (WHERE inside) AS themed,
           count(*) AS activities_m, sum(participants) AS participants_m, sum(volunteers) AS volunteers_m,
           sum(beneficiaries) AS beneficiaries_m, sum(hours) AS hours_m
    FROM a
    GROUP BY GROUPING SETS ((month), (month, service_type))
), bounds AS (
    SELECT max(CASE WHEN key = 'data_start' THEN value END)::DATE AS data_start,
           max(CASE WHEN key = 'as_of' THEN value END)::DATE AS as_of
    FROM meta
), spine AS (
    SELECT CAST(unnest(generate_series(greatest(m.m_from - INTERVAL 23 MONTH,
                                                date_trunc('month', b.data_start)),
                                       m.m_to, INTERVAL 1 MONTH)) AS DATE) AS month
    FROM m, bounds b
), keys AS (
    SELECT NULL::VARCHAR AS service_type
    UNION ALL
    SELECT DISTINCT service_type FROM agg WHERE service_type IS NOT NULL
), themes AS (
    SELECT month, arg_min(theme, county_code) AS theme FROM monthly_themes GROUP BY month
), grid AS (
    SELECT s.month, k.service_type, th.theme,
           coalesce(g.activities, 0) AS activities, coalesce(g.participants, 0) AS participants,
           coalesce(g.volunteers, 0) AS volunteers, coalesce(g.beneficiaries, 0) AS beneficiaries,
           coalesce(g.hours, 0) AS hours, coalesce(g.themed, 0) AS themed,
           coalesce(g.activities_m, 0) AS activities_m, coalesce(g.participants_m, 0) AS participants_m,
           coalesce(g.volunteers_m, 0) AS volunteers_m, coalesce(g.beneficiaries_m, 0) AS beneficiaries_m,
           coalesce(g.hours_m, 0) AS hours_m,
           -- a month counts as complete history once it lies wholly inside the data period
           s.month >= date_trunc('month', b.data_start) AND s.month + INTERVAL 1 MONTH <= b.as_of + INTERVAL 1 DAY
               AS complete
    FROM spine s CROSS JOIN keys k CROSS JOIN bounds b
    LEFT JOIN agg g ON g.month = s.month AND g.service_type IS NOT DISTINCT FROM k.service_type
    LEFT JOIN themes th ON th.month = s.month
), win AS (
    SELECT *,
           count(*) FILTER (WHERE complete) OVER w12 AS n12,
           avg(activities_m) OVER w12 AS activities_r12,
           avg(participants_m) OVER w12 AS participants_r12,
           avg(volunteers_m) OVER w12 AS volunteers_r12,
           avg(beneficiaries_m) OVER w12 AS beneficiaries_r12,
           avg(hours_m) OVER w12 AS hours_r12,
           lag(activities_m, 12) OVER wl AS activities_ly,
           lag(participants_m, 12) OVER wl AS participants_ly,
           lag(volunteers_m, 12) OVER wl AS volunteers_ly,
           lag(beneficiaries_m, 12) OVER wl AS beneficiaries_ly,
           lag(hours_m, 12) OVER wl AS hours_ly,
           lag(month, 12) OVER wl AS month_ly
    FROM grid
    WINDOW w12 AS (PARTITION BY service_type ORDER BY month ROWS BETWEEN 11 PRECEDING AND CURRENT ROW),
           wl AS (PARTITION BY service_type ORDER BY month)
)
SELECT w.month, w.service_type, w.theme,
       w.activities, w.participants, w.volunteers, w.beneficiaries, w.hours, w.themed,
       CASE WHEN w.activities > 0 THEN w.themed / w.activities END AS themed_share,
       -- a service type's share of the month's activities (NULL on the total rows)
       CASE WHEN w.service_type IS NOT NULL THEN
           w.activities / nullif(sum(w.activities) FILTER (WHERE w.service_type IS NOT NULL)
                                     OVER (PARTITION BY w.month), 0) END AS share_of_month,
       (w.month < $date_from::DATE OR w.month + INTERVAL 1 MONTH - INTERVAL 1 DAY > $date_to::DATE
        OR NOT w.complete) AS partial,
       CASE WHEN w.n12 = 12 AND w.complete THEN w.activities_r12 END AS activities_r12,
       CASE WHEN w.n12 = 12 AND w.complete THEN w.participants_r12 END AS participants_r12,
       CASE WHEN w.n12 = 12 AND w.complete THEN w.volunteers_r12 END AS volunteers_r12,
       CASE WHEN w.n12 = 12 AND w.complete THEN w.beneficiaries_r12 END AS beneficiaries_r12,
       CASE WHEN w.n12 = 12 AND w.complete THEN w.hours_r12 END AS hours_r12,
       CASE WHEN w.month_ly IS NOT NULL AND w.month_ly >= date_trunc('month', b.data_start) THEN w.activities_ly END AS activities_ly,
       CASE WHEN w.month_ly IS NOT NULL AND w.month_ly >= date_trunc('month', b.data_start) THEN w.participants_ly END AS participants_ly,
       CASE WHEN w.month_ly IS NOT NULL AND w.month_ly >= date_trunc('month', b.data_start) THEN w.volunteers_ly END AS volunteers_ly,
       CASE WHEN w.month_ly IS NOT NULL AND w.month_ly >= date_trunc('month', b.data_start) THEN w.beneficiaries_ly END AS beneficiaries_ly,
       CASE WHEN w.month_ly IS NOT NULL AND w.month_ly >= date_trunc('month', b.data_start) THEN w.hours_ly END AS hours_ly
FROM win w, m, bounds b
WHERE w.month BETWEEN m.m_from AND m.m_to
ORDER BY w.month, w.service_type NULLS FIRST;
