-- 天天有活动 as a measurable figure: the share of the days of $year (up to the data's last day) with at
-- least one filtered activity, for all selected towns together (town_code NULL, first row) and per town
-- with village stations. $towns, $stypes, $ttypes, $year (INTEGER).
WITH p AS (
    SELECT make_date(CAST($year AS INTEGER), 1, 1) AS d0,
           least(make_date(CAST($year AS INTEGER), 12, 31), (SELECT value FROM meta WHERE key = 'as_of')::DATE) AS d1
), scope AS (
    SELECT DISTINCT s.town_code
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
), a AS (
    SELECT s.town_code, a.activity_date
    FROM activities a JOIN sites s USING (site_id), p
    WHERE a.activity_date BETWEEN p.d0 AND p.d1
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    GROUP BY s.town_code, a.activity_date
), per_town AS (
    SELECT town_code, count(*) AS active_days FROM a GROUP BY town_code
), elapsed AS (
    SELECT greatest(CAST(p.d1 - p.d0 AS INTEGER) + 1, 0) AS days FROM p
)
SELECT NULL::VARCHAR AS town_code, NULL::VARCHAR AS town_name,
       (SELECT count(DISTINCT activity_date) FROM a) AS active_days, e.days AS elapsed_days,
       CASE WHEN e.days > 0 THEN (SELECT count(DISTINCT activity_date) FROM a) / e.days END AS share
FROM elapsed e
UNION ALL
SELECT * FROM (
    SELECT sc.town_code, t.name, coalesce(pt.active_days, 0), e.days,
           CASE WHEN e.days > 0 THEN coalesce(pt.active_days, 0) / e.days END
    FROM scope sc JOIN towns t USING (town_code) LEFT JOIN per_town pt USING (town_code), elapsed e
    ORDER BY 5 DESC, 1
);
