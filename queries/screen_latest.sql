-- 大屏 ticker: the latest $n activities up to $day. Site names and counts only: no titles (free text may
-- name people), no teams, no people.
-- Reads activity_facts (data/views.sql: activities with their site's county, sorted by date, so a date
-- range reads only its row groups). The activities per day, newest first, give the earliest day the
-- latest $n need: counted over the 31 days up to $day, and over the days before only when those hold
-- fewer than $n. Only the days from that one on are read for the rows, then joined to the site and town
-- names. Counts are per day and county first, then restricted to 文明实践 counties (a join before the
-- grouping would stop the skipped part from being skipped).
WITH pc AS (
    SELECT county_code FROM counties WHERE programme = '文明实践'
), recent AS (
    SELECT f.activity_date AS d, f.county_code, count(*) AS n
    FROM activity_facts f
    WHERE f.activity_date BETWEEN $day::DATE - 31 AND $day
    GROUP BY ALL
), enough AS (
    SELECT coalesce(sum(n), 0) >= CAST($n AS BIGINT) AS ok FROM recent WHERE county_code IN (SELECT county_code FROM pc)
), older AS (
    SELECT f.activity_date AS d, f.county_code, count(*) AS n
    FROM activity_facts f
    WHERE f.activity_date < $day::DATE - 31 AND NOT (SELECT ok FROM enough)
    GROUP BY ALL
), days AS (
    SELECT d, sum(n) AS n
    FROM (SELECT * FROM recent UNION ALL SELECT * FROM older)
    WHERE county_code IN (SELECT county_code FROM pc)
    GROUP BY d
), cut AS (
    SELECT min(d) AS d
    FROM (SELECT d, n, sum(n) OVER (ORDER BY d DESC) AS running FROM days)
    WHERE running - n < CAST($n AS BIGINT)
), a AS (
    SELECT f.activity_date, f.activity_id, f.site_id, f.service_type, f.participants, f.volunteers, f.beneficiaries
    FROM activity_facts f, cut
    WHERE f.activity_date BETWEEN cut.d AND $day
      AND f.county_code IN (SELECT county_code FROM pc)
    ORDER BY f.activity_date DESC, f.activity_id DESC
    LIMIT $n
)
SELECT a.activity_date,
       a.activity_id,
       replace(s.name, '新时代文明实践', '') AS site_name,
       s.level,
       t.name AS town_name,
       a.service_type,
       a.participants,
       a.volunteers,
       a.beneficiaries
FROM a
JOIN sites s USING (site_id)
LEFT JOIN towns t ON t.town_code = s.town_code
ORDER BY a.activity_date DESC, a.activity_id DESC;
