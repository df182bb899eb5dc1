-- Monthly volunteer activity over the whole data period, totals (service_type NULL) and per service type
-- (the page shows the months of its window; the query does not depend on the dates, so changing the date
-- range is served from the cache). Whole calendar months; the month of the data's last day is partial
-- (`partial`). <metric>_r12 is the average of the 12 complete months ending with that month, <metric>_ly
-- the same month one year earlier; NULL without enough history. Months without activity are 0.
-- `theme` is the month's 一月一主题 (襄垣's; replicas share it), `themed` the activities that matched it
-- (themed_share of all), share_of_month a service type's share of the month's activities.
-- Reads activity_months (data/views.sql: activities already summed per calendar month, town, service
-- type, team type and site level, about a quarter of the activity rows at province scale), since every
-- figure here is a whole-month sum; the filters are plain columns of it. Without a team-type filter (the
-- page's default) it reads activity_town_months instead (the same sums without team type and site level,
-- ~5× fewer rows); DuckDB folds the bound $ttypes, so only one of the two branches is scanned.
-- $towns (VARCHAR[], [] = all), $stypes, $ttypes (likewise).
WITH bounds AS (
    SELECT max(CASE WHEN key = 'data_start' THEN value END)::DATE AS data_start,
           max(CASE WHEN key = 'as_of' THEN value END)::DATE AS as_of
    FROM meta
), g AS (
    SELECT m.month, m.service_type,
           sum(m.activities) AS activities, sum(m.participants) AS participants, sum(m.volunteers) AS volunteers,
           sum(m.beneficiaries) AS beneficiaries, sum(m.hours) AS hours, sum(m.themed) AS themed
    FROM activity_months m
    WHERE len($ttypes) > 0 AND list_contains($ttypes, m.team_type)
      AND (len($stypes) = 0 OR list_contains($stypes, m.service_type))
      AND (len($towns) = 0 OR list_contains($towns, m.town_code))
    GROUP BY ALL
    UNION ALL
    -- without a team-type filter: the same sums from the rollup without team type and site level
    SELECT m.month, m.service_type,
           sum(m.activities), sum(m.participants), sum(m.volunteers), sum(m.beneficiaries), sum(m.hours), sum(m.themed)
    FROM activity_town_months m
    WHERE len($ttypes) = 0
      AND (len($stypes) = 0 OR list_contains($stypes, m.service_type))
      AND (len($towns) = 0 OR list_contains($towns, m.town_code))
    GROUP BY ALL
), agg AS (
    SELECT month, service_type, activities, participants, volunteers, beneficiaries, hours, themed
    FROM g
    UNION ALL
    SELECT month, NULL, sum(activities), sum(participants), sum(volunteers),
           sum(beneficiaries), sum(hours), sum(themed)
    FROM g
    GROUP BY month
), spine AS (
    SELECT CAST(unnest(generate_series(date_trunc('month', b.data_start), date_trunc('month', b.as_of),
                                       INTERVAL 1 MONTH)) AS DATE) AS month
    FROM bounds b
), keys AS (
    SELECT NULL::VARCHAR AS service_type
    UNION ALL
    SELECT DISTINCT service_type FROM g
), themes AS (
    SELECT month, arg_min(theme, county_code) AS theme FROM monthly_themes GROUP BY month
), grid AS (
    SELECT s.month, k.service_type, th.theme,
           CAST(coalesce(x.activities, 0) AS BIGINT) AS activities,
           coalesce(x.participants, 0) AS participants, coalesce(x.volunteers, 0) AS volunteers,
           coalesce(x.beneficiaries, 0) AS beneficiaries, coalesce(x.hours, 0) AS hours,
           CAST(coalesce(x.themed, 0) AS BIGINT) AS themed,
           s.month + INTERVAL 1 MONTH <= b.as_of + INTERVAL 1 DAY AS complete
    FROM spine s CROSS JOIN keys k CROSS JOIN bounds b
    LEFT JOIN agg x ON x.month = s.month AND x.service_type IS NOT DISTINCT FROM k.service_type
    LEFT JOIN themes th ON th.month = s.month
), win AS (
    SELECT *,
           count(*) FILTER (WHERE complete) OVER w12 AS n12,
           avg(activities) OVER w12 AS activities_r12,
           avg(participants) OVER w12 AS participants_r12,
           avg(volunteers) OVER w12 AS volunteers_r12,
           avg(beneficiaries) OVER w12 AS beneficiaries_r12,
           avg(hours) OVER w12 AS hours_r12,
           lag(activities, 12) OVER wl AS activities_ly,
           lag(participants, 12) OVER wl AS participants_ly,
           lag(volunteers, 12) OVER wl AS volunteers_ly,
           lag(beneficiaries, 12) OVER wl AS beneficiaries_ly,
           lag(hours, 12) OVER wl AS hours_ly
    FROM grid
    WINDOW w12 AS (PARTITION BY service_type ORDER BY month ROWS BETWEEN 11 PRECEDING AND CURRENT ROW),
           wl AS (PARTITION BY service_type ORDER BY month)
)
SELECT month, service_type, theme, activities, participants, volunteers, beneficiaries, hours, themed,
       CASE WHEN activities > 0 THEN themed / activities END AS themed_share,
       -- a service type's share of the month's activities (NULL on the total rows)
       CASE WHEN service_type IS NOT NULL THEN
           activities / nullif(sum(activities) FILTER (WHERE service_type IS NOT NULL)
                                   OVER (PARTITION BY month), 0) END AS share_of_month,
       NOT complete AS partial,
       CASE WHEN n12 = 12 AND complete THEN activities_r12 END AS activities_r12,
       CASE WHEN n12 = 12 AND complete THEN participants_r12 END AS participants_r12,
       CASE WHEN n12 = 12 AND complete THEN volunteers_r12 END AS volunteers_r12,
       CASE WHEN n12 = 12 AND complete THEN beneficiaries_r12 END AS beneficiaries_r12,
       CASE WHEN n12 = 12 AND complete THEN hours_r12 END AS hours_r12,
       activities_ly, participants_ly, volunteers_ly, beneficiaries_ly, hours_ly
FROM win
ORDER BY month, service_type NULLS FIRST;
