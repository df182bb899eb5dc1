-- Selected year against the previous year, month by month, for every metric. Months after the data's
-- last day are NULL. *_ytd / *_ytd_prev compare the same calendar days (1 Jan to the last data day of
-- $year, against the same days a year earlier). One pass grouped by day, then pivoted.
-- $towns, $stypes, $ttypes, $year (INTEGER).
WITH p AS (
    SELECT CAST($year AS INTEGER) AS y, (SELECT value FROM meta WHERE key = 'as_of')::DATE AS as_of
), cut AS (
    SELECT y, as_of, least(as_of, make_date(y, 12, 31)) AS last_day,
           -- the same day one year earlier (29 Feb → 28 Feb)
           CAST(least(as_of, make_date(y, 12, 31)) - INTERVAL 1 YEAR AS DATE) AS last_day_prev
    FROM p
), d AS (
    SELECT a.activity_date AS day, count(*) AS n, sum(a.participants) AS pa, sum(a.volunteers) AS vo,
           sum(a.beneficiaries) AS be, sum(a.hours) AS ho
    FROM activities a, cut
    WHERE a.activity_date BETWEEN make_date(cut.y - 1, 1, 1) AND make_date(cut.y, 12, 31)
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($towns) = 0 OR a.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    GROUP BY a.activity_date
), agg AS (
    SELECT month(d.day) AS month_no,
           sum(n) FILTER (WHERE year(day) = cut.y) AS activities,
           sum(n) FILTER (WHERE year(day) = cut.y - 1) AS activities_prev,
           sum(pa) FILTER (WHERE year(day) = cut.y) AS participants,
           sum(pa) FILTER (WHERE year(day) = cut.y - 1) AS participants_prev,
           sum(vo) FILTER (WHERE year(day) = cut.y) AS volunteers,
           sum(vo) FILTER (WHERE year(day) = cut.y - 1) AS volunteers_prev,
           sum(be) FILTER (WHERE year(day) = cut.y) AS beneficiaries,
           sum(be) FILTER (WHERE year(day) = cut.y - 1) AS beneficiaries_prev,
           sum(ho) FILTER (WHERE year(day) = cut.y) AS hours,
           sum(ho) FILTER (WHERE year(day) = cut.y - 1) AS hours_prev,
           sum(n) FILTER (WHERE year(day) = cut.y AND day <= cut.last_day) AS activities_ytd,
           sum(n) FILTER (WHERE year(day) = cut.y - 1 AND day <= cut.last_day_prev) AS activities_ytd_prev,
           sum(pa) FILTER (WHERE year(day) = cut.y AND day <= cut.last_day) AS participants_ytd,
           sum(pa) FILTER (WHERE year(day) = cut.y - 1 AND day <= cut.last_day_prev) AS participants_ytd_prev,
           sum(vo) FILTER (WHERE year(day) = cut.y AND day <= cut.last_day) AS volunteers_ytd,
           sum(vo) FILTER (WHERE year(day) = cut.y - 1 AND day <= cut.last_day_prev) AS volunteers_ytd_prev,
           sum(be) FILTER (WHERE year(day) = cut.y AND day <= cut.last_day) AS beneficiaries_ytd,
           sum(be) FILTER (WHERE year(day) = cut.y - 1 AND day <= cut.last_day_prev) AS beneficiaries_ytd_prev,
           sum(ho) FILTER (WHERE year(day) = cut.y AND day <= cut.last_day) AS hours_ytd,
           sum(ho) FILTER (WHERE year(day) = cut.y - 1 AND day <= cut.last_day_prev) AS hours_ytd_prev
    FROM d, cut
    GROUP BY month(d.day)
), tot AS (
    -- plain totals, not sum(...) OVER (): that window over an empty join hit a DuckDB 1.5.5 internal error
    SELECT sum(activities_ytd) AS activities_ytd,
           sum(activities_ytd_prev) AS activities_ytd_prev,
           sum(participants_ytd) AS participants_ytd,
           sum(participants_ytd_prev) AS participants_ytd_prev,
           sum(volunteers_ytd) AS volunteers_ytd,
           sum(volunteers_ytd_prev) AS volunteers_ytd_prev,
           sum(beneficiaries_ytd) AS beneficiaries_ytd,
           sum(beneficiaries_ytd_prev) AS beneficiaries_ytd_prev,
           sum(hours_ytd) AS hours_ytd,
           sum(hours_ytd_prev) AS hours_ytd_prev
    FROM agg
), months AS (
    SELECT unnest(range(1, 13)) AS month_no
)
SELECT m.month_no, cut.y AS year, cut.last_day,
       -- months of $year after the data's last day have no value; earlier empty months are 0
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN CAST(coalesce(g.activities, 0) AS BIGINT) END AS activities,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN CAST(coalesce(g.activities_prev, 0) AS BIGINT) END AS activities_prev,
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN coalesce(g.participants, 0) END AS participants,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN coalesce(g.participants_prev, 0) END AS participants_prev,
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN coalesce(g.volunteers, 0) END AS volunteers,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN coalesce(g.volunteers_prev, 0) END AS volunteers_prev,
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN coalesce(g.beneficiaries, 0) END AS beneficiaries,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN coalesce(g.beneficiaries_prev, 0) END AS beneficiaries_prev,
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN coalesce(g.hours, 0) END AS hours,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN coalesce(g.hours_prev, 0) END AS hours_prev,
       CAST(coalesce(tot.activities_ytd, 0) AS BIGINT) AS activities_ytd,
       CAST(coalesce(tot.activities_ytd_prev, 0) AS BIGINT) AS activities_ytd_prev,
       coalesce(tot.participants_ytd, 0) AS participants_ytd,
       coalesce(tot.participants_ytd_prev, 0) AS participants_ytd_prev,
       coalesce(tot.volunteers_ytd, 0) AS volunteers_ytd,
       coalesce(tot.volunteers_ytd_prev, 0) AS volunteers_ytd_prev,
       coalesce(tot.beneficiaries_ytd, 0) AS beneficiaries_ytd,
       coalesce(tot.beneficiaries_ytd_prev, 0) AS beneficiaries_ytd_prev,
       coalesce(tot.hours_ytd, 0) AS hours_ytd,
       coalesce(tot.hours_ytd_prev, 0) AS hours_ytd_prev
FROM months m CROSS JOIN cut CROSS JOIN tot
LEFT JOIN agg g USING (month_no)
ORDER BY m.month_no;
