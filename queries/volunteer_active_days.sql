-- 天天有活动 as a measurable figure: the share of the days of $year (up to the data's last day) with at
-- least one filtered activity, for all selected towns together (town_code NULL, first row) and per town
-- with village stations. $towns, $stypes, $ttypes, $year (INTEGER).
-- Reads activity_facts (data/views.sql: activities with their site's town and team's type, sorted by
-- date): the filters are plain columns, and the year's date range reads only its row groups.
-- Without a service-type or team-type filter (the page's default) it reads activity_town_days instead
-- (activities per day and town, ~3.5× fewer rows); DuckDB folds the bound $stypes/$ttypes, so only one of
-- the two branches is scanned. Each town's active days are collected as a bitstring over the days of the
-- year (bit n = day of year n), so the grouping is per town rather than per town and day; OR-ing the
-- towns' bitstrings gives the days of all.
WITH p AS (
    SELECT make_date(CAST($year AS INTEGER), 1, 1) AS d0,
           least(make_date(CAST($year AS INTEGER), 12, 31), (SELECT value FROM meta WHERE key = 'as_of')::DATE) AS d1
), scope AS (
    SELECT DISTINCT s.town_code
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
), a AS (
    SELECT f.town_code, bitstring_agg(dayofyear(f.activity_date), 1, 366) AS days
    FROM activity_facts f, p
    WHERE (len($stypes) > 0 OR len($ttypes) > 0) AND f.activity_date BETWEEN p.d0 AND p.d1
      AND (len($stypes) = 0 OR list_contains($stypes, f.service_type))
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
      AND (len($ttypes) = 0 OR list_contains($ttypes, f.team_type))
    GROUP BY f.town_code
    UNION ALL
    -- without a type filter: the same from the days × town rollup
    SELECT d.town_code, bitstring_agg(dayofyear(d.activity_date), 1, 366)
    FROM activity_town_days d, p
    WHERE len($stypes) = 0 AND len($ttypes) = 0 AND d.activity_date BETWEEN p.d0 AND p.d1
      AND (len($towns) = 0 OR list_contains($towns, d.town_code))
    GROUP BY d.town_code
), per_town AS (
    SELECT town_code, bit_count(days) AS active_days FROM a
), all_towns AS (
    SELECT coalesce(bit_count(bit_or(days)), 0) AS active_days FROM a
), elapsed AS (
    SELECT greatest(CAST(p.d1 - p.d0 AS INTEGER) + 1, 0) AS days FROM p
)
SELECT NULL::VARCHAR AS town_code, NULL::VARCHAR AS town_name,
       al.active_days, e.days AS elapsed_days,
       CASE WHEN e.days > 0 THEN al.active_days / e.days END AS share
FROM elapsed e, all_towns al
UNION ALL
SELECT * FROM (
    SELECT sc.town_code, t.name, coalesce(pt.active_days, 0), e.days,
           CASE WHEN e.days > 0 THEN coalesce(pt.active_days, 0) / e.days END
    FROM scope sc JOIN towns t USING (town_code) LEFT JOIN per_town pt USING (town_code), elapsed e
    ORDER BY 5 DESC, 1
);
