-- 文明实践 KPIs for the window and the previous window of the same length.
-- $towns: town codes ([] = all); $date_from/$date_to; $prev_from/$prev_to.
WITH pc AS (SELECT county_code FROM counties WHERE programme = '文明实践'),
scope_sites AS (
    SELECT s.* FROM sites s
    WHERE s.county_code IN (SELECT county_code FROM pc)
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
),
acts AS (
    SELECT a.activity_date, a.volunteers, a.beneficiaries, a.site_id, s.level
    FROM activities a JOIN scope_sites s USING (site_id)
    WHERE a.activity_date BETWEEN least($prev_from, $date_from) AND $date_to
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
    (SELECT count(DISTINCT site_id) FROM acts WHERE level = '站' AND activity_date BETWEEN $date_from AND $date_to) AS active_stations,
    count(*) FILTER (WHERE activity_date BETWEEN $date_from AND $date_to) AS activities,
    count(*) FILTER (WHERE activity_date BETWEEN $prev_from AND $prev_to) AS activities_prev,
    coalesce(sum(volunteers) FILTER (WHERE activity_date BETWEEN $date_from AND $date_to), 0) AS volunteers,
    coalesce(sum(volunteers) FILTER (WHERE activity_date BETWEEN $prev_from AND $prev_to), 0) AS volunteers_prev,
    coalesce(sum(beneficiaries) FILTER (WHERE activity_date BETWEEN $date_from AND $date_to), 0) AS beneficiaries,
    coalesce(sum(beneficiaries) FILTER (WHERE activity_date BETWEEN $prev_from AND $prev_to), 0) AS beneficiaries_prev,
    (SELECT count(*) FROM wishes WHERE done_date BETWEEN $date_from AND $date_to) AS wishes_done,
    (SELECT count(*) FROM wishes WHERE done_date BETWEEN $prev_from AND $prev_to) AS wishes_done_prev
FROM acts;
