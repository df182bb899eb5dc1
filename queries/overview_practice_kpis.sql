-- 文明实践 KPIs for the window and the previous window of the same length.
-- $towns: town codes ([] = all); $date_from/$date_to; $prev_from/$prev_to.
-- Activities are read in $date_from..$date_to and $prev_from..least($prev_to, $date_to) (the previous
-- window is cut at $date_to). Counts and sums per window: its whole calendar months [m0, m1) (m0 the
-- first month starting on or after its first day, m1 the month holding the day after its last day) from
-- activity_months (data/views.sql: activities pre-summed per month, town, county, ...), the days before
-- m0 and from m1 on from activity_facts (activities with their site's town, county and level, sorted by
-- date, so each day range reads only its row groups). Active stations: when the window reaches the last
-- activity day (which is not after meta.as_of), a station is active exactly when its last activity
-- (site_activity) is on or after $date_from; otherwise they are counted from activity_facts. Only the
-- path that applies is read.
WITH pc AS (SELECT county_code FROM counties WHERE programme = '文明实践'),
scope_sites AS (
    SELECT s.* FROM sites s
    WHERE s.county_code IN (SELECT county_code FROM pc)
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
),
f AS NOT MATERIALIZED (
    SELECT f.activity_date, f.site_id, f.site_level, f.volunteers, f.beneficiaries
    FROM activity_facts f
    WHERE f.county_code IN (SELECT county_code FROM pc)
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
),
m AS NOT MATERIALIZED (
    SELECT m.month, m.activities, m.volunteers, m.beneficiaries
    FROM activity_months m
    WHERE m.county_code IN (SELECT county_code FROM pc)
      AND (len($towns) = 0 OR list_contains($towns, m.town_code))
),
bc AS (
    SELECT d0, d1, CAST(date_trunc('month', d0 - 1) + INTERVAL 1 MONTH AS DATE) AS m0,
           CAST(date_trunc('month', d1 + 1) AS DATE) AS m1
    FROM (SELECT $date_from::DATE AS d0, $date_to::DATE AS d1)
),
bp AS (
    SELECT d0, d1, CAST(date_trunc('month', d0 - 1) + INTERVAL 1 MONTH AS DATE) AS m0,
           CAST(date_trunc('month', d1 + 1) AS DATE) AS m1
    FROM (SELECT $prev_from::DATE AS d0, least($prev_to::DATE, $date_to::DATE) AS d1)
),
parts AS (
    -- each day range its own scan with a plain range (one scan on both would read everything between)
    SELECT true AS cur, count(*) AS n, sum(volunteers) AS vo, sum(beneficiaries) AS be
    FROM f, bc WHERE f.activity_date BETWEEN bc.d0 AND least(bc.d1, bc.m0 - 1)
    UNION ALL
    SELECT true, count(*), sum(volunteers), sum(beneficiaries)
    FROM f, bc WHERE f.activity_date BETWEEN greatest(bc.m0, bc.m1) AND bc.d1
    UNION ALL
    SELECT true, sum(activities), sum(volunteers), sum(beneficiaries)
    FROM m, bc WHERE m.month >= bc.m0 AND m.month < bc.m1
    UNION ALL
    SELECT false, count(*), sum(volunteers), sum(beneficiaries)
    FROM f, bp WHERE f.activity_date BETWEEN bp.d0 AND least(bp.d1, bp.m0 - 1)
    UNION ALL
    SELECT false, count(*), sum(volunteers), sum(beneficiaries)
    FROM f, bp WHERE f.activity_date BETWEEN greatest(bp.m0, bp.m1) AND bp.d1
    UNION ALL
    SELECT false, sum(activities), sum(volunteers), sum(beneficiaries)
    FROM m, bp WHERE m.month >= bp.m0 AND m.month < bp.m1
),
fast AS (
    -- whether the site_activity shortcut applies (never NULL: one of the two paths below always runs)
    SELECT coalesce(l.last_day <= l.as_of AND l.last_day <= $date_to, l.last_day IS NULL) AS ok
    FROM (SELECT (SELECT max(activity_date) FROM activity_facts) AS last_day,
                 (SELECT value FROM meta WHERE key = 'as_of')::DATE AS as_of) l
),
slow AS (
    -- the counted path's last day: a day before any data when the shortcut applies, so that its
    -- date-sorted scan reads no row group then (NOT ok drops its rows in any case)
    SELECT CASE WHEN ok THEN DATE '0001-01-01' ELSE $date_to::DATE END AS d1 FROM fast
),
active AS (
    SELECT count(*) AS n
    FROM site_activity sa JOIN scope_sites s USING (site_id)
    WHERE s.level = '站' AND sa.last_activity >= $date_from AND (SELECT ok FROM fast)
    UNION ALL
    -- distinct stations per county (a station has one county), then only the 文明实践 counties: a join on
    -- the counties before the grouping would keep slow.d1 from pruning the scan
    SELECT sum(n) FROM (
        SELECT a.county_code, count(DISTINCT a.site_id) AS n
        FROM activity_facts a, slow
        WHERE a.site_level = '站' AND a.activity_date BETWEEN $date_from AND slow.d1
          AND (len($towns) = 0 OR list_contains($towns, a.town_code))
          AND NOT (SELECT ok FROM fast)
        GROUP BY a.county_code
    )
    WHERE county_code IN (SELECT county_code FROM pc)
),
wishes AS (
    SELECT w.done_date FROM micro_wishes w JOIN scope_sites s USING (site_id)
    WHERE w.status = '完成' AND w.done_date BETWEEN least($prev_from, $date_from) AND $date_to
)
SELECT
    (SELECT count(*) FROM scope_sites WHERE level = '站') AS stations,
    (SELECT count(*) FROM villages v JOIN towns t USING (town_code)
      WHERE t.county_code IN (SELECT county_code FROM pc) AND v.kind <> '虚拟社区'
        AND (len($towns) = 0 OR list_contains($towns, v.town_code))) AS villages,
    (SELECT sum(n) FROM active)::BIGINT AS active_stations,
    CAST(coalesce(sum(n) FILTER (WHERE cur), 0) AS BIGINT) AS activities,
    CAST(coalesce(sum(n) FILTER (WHERE NOT cur), 0) AS BIGINT) AS activities_prev,
    coalesce(sum(vo) FILTER (WHERE cur), 0) AS volunteers,
    coalesce(sum(vo) FILTER (WHERE NOT cur), 0) AS volunteers_prev,
    coalesce(sum(be) FILTER (WHERE cur), 0) AS beneficiaries,
    coalesce(sum(be) FILTER (WHERE NOT cur), 0) AS beneficiaries_prev,
    (SELECT count(*) FROM wishes WHERE done_date BETWEEN $date_from AND $date_to) AS wishes_done,
    (SELECT count(*) FROM wishes WHERE done_date BETWEEN $prev_from AND $prev_to) AS wishes_done_prev
FROM parts;
