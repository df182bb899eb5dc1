-- Selected year against the previous year, month by month, for every metric. Months after the data's
-- last day are NULL. *_ytd / *_ytd_prev compare the same calendar days (1 Jan to the last data day of
-- $year, against the same days a year earlier). $towns, $stypes, $ttypes, $year (INTEGER).
WITH p AS (
    SELECT CAST($year AS INTEGER) AS y,
           (SELECT value FROM meta WHERE key = 'as_of')::DATE AS as_of
), cut AS (
    SELECT y, least(as_of, make_date(y, 12, 31)) AS last_day,
           -- the same day one year earlier (29 Feb → 28 Feb)
           least(as_of, make_date(y, 12, 31)) - INTERVAL 1 YEAR AS last_day_prev, as_of
    FROM p
), a AS (
    SELECT year(a.activity_date) AS y, month(a.activity_date) AS month_no, a.activity_date,
           a.participants, a.volunteers, a.beneficiaries, a.hours
    FROM activities a, cut
    WHERE a.activity_date BETWEEN make_date(cut.y - 1, 1, 1) AND make_date(cut.y, 12, 31)
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($towns) = 0 OR a.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
), agg AS (
    SELECT a.month_no,
           count(*) FILTER (WHERE a.y = cut.y) AS activities,
           count(*) FILTER (WHERE a.y = cut.y - 1) AS activities_prev,
           sum(a.participants) FILTER (WHERE a.y = cut.y) AS participants,
           sum(a.participants) FILTER (WHERE a.y = cut.y - 1) AS participants_prev,
           sum(a.volunteers) FILTER (WHERE a.y = cut.y) AS volunteers,
           sum(a.volunteers) FILTER (WHERE a.y = cut.y - 1) AS volunteers_prev,
           sum(a.beneficiaries) FILTER (WHERE a.y = cut.y) AS beneficiaries,
           sum(a.beneficiaries) FILTER (WHERE a.y = cut.y - 1) AS beneficiaries_prev,
           sum(a.hours) FILTER (WHERE a.y = cut.y) AS hours,
           sum(a.hours) FILTER (WHERE a.y = cut.y - 1) AS hours_prev,
           count(*) FILTER (WHERE a.y = cut.y AND a.activity_date <= cut.last_day) AS activities_ytd,
           count(*) FILTER (WHERE a.y = cut.y - 1 AND a.activity_date <= cut.last_day_prev) AS activities_ytd_prev,
           sum(a.participants) FILTER (WHERE a.y = cut.y AND a.activity_date <= cut.last_day) AS participants_ytd,
           sum(a.participants) FILTER (WHERE a.y = cut.y - 1 AND a.activity_date <= cut.last_day_prev) AS participants_ytd_prev,
           sum(a.volunteers) FILTER (WHERE a.y = cut.y AND a.activity_date <= cut.last_day) AS volunteers_ytd,
           sum(a.volunteers) FILTER (WHERE a.y = cut.y - 1 AND a.activity_date <= cut.last_day_prev) AS volunteers_ytd_prev,
           sum(a.beneficiaries) FILTER (WHERE a.y = cut.y AND a.activity_date <= cut.last_day) AS beneficiaries_ytd,
           sum(a.beneficiaries) FILTER (WHERE a.y = cut.y - 1 AND a.activity_date <= cut.last_day_prev) AS beneficiaries_ytd_prev,
           sum(a.hours) FILTER (WHERE a.y = cut.y AND a.activity_date <= cut.last_day) AS hours_ytd,
           sum(a.hours) FILTER (WHERE a.y = cut.y - 1 AND a.activity_date <= cut.last_day_prev) AS hours_ytd_prev
    FROM a, cut
    GROUP BY a.month_no
), months AS (
    SELECT unnest(range(1, 13)) AS month_no
)
SELECT m.month_no, cut.y AS year, cut.last_day,
       -- months of $year after the data's last day have no value; earlier empty months are 0
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN coalesce(g.activities, 0) END AS activities,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN coalesce(g.activities_prev, 0) END AS activities_prev,
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN coalesce(g.participants, 0) END AS participants,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN coalesce(g.participants_prev, 0) END AS participants_prev,
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN coalesce(g.volunteers, 0) END AS volunteers,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN coalesce(g.volunteers_prev, 0) END AS volunteers_prev,
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN coalesce(g.beneficiaries, 0) END AS beneficiaries,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN coalesce(g.beneficiaries_prev, 0) END AS beneficiaries_prev,
       CASE WHEN make_date(cut.y, m.month_no, 1) <= cut.as_of THEN coalesce(g.hours, 0) END AS hours,
       CASE WHEN make_date(cut.y - 1, m.month_no, 1) <= cut.as_of THEN coalesce(g.hours_prev, 0) END AS hours_prev,
       coalesce(sum(g.activities_ytd) OVER (), 0) AS activities_ytd,
       coalesce(sum(g.activities_ytd_prev) OVER (), 0) AS activities_ytd_prev,
       coalesce(sum(g.participants_ytd) OVER (), 0) AS participants_ytd,
       coalesce(sum(g.participants_ytd_prev) OVER (), 0) AS participants_ytd_prev,
       coalesce(sum(g.volunteers_ytd) OVER (), 0) AS volunteers_ytd,
       coalesce(sum(g.volunteers_ytd_prev) OVER (), 0) AS volunteers_ytd_prev,
       coalesce(sum(g.beneficiaries_ytd) OVER (), 0) AS beneficiaries_ytd,
       coalesce(sum(g.beneficiaries_ytd_prev) OVER (), 0) AS beneficiaries_ytd_prev,
       coalesce(sum(g.hours_ytd) OVER (), 0) AS hours_ytd,
       coalesce(sum(g.hours_ytd_prev) OVER (), 0) AS hours_ytd_prev
FROM months m CROSS JOIN cut
LEFT JOIN agg g USING (month_no)
ORDER BY m.month_no;
