-- Selected year against the previous year, month by month, for every metric. Months after the data's
-- last day are NULL. *_ytd / *_ytd_prev compare the same calendar days (1 Jan to the last data day of
-- $year, against the same days a year earlier). $towns, $stypes, $ttypes, $year (INTEGER).
-- The monthly figures are whole-month sums, read from activity_months (data/views.sql: activities
-- pre-summed per month, town, service type, team type and site level), or without a team-type filter (the
-- page's default) from activity_town_months (the same without team type and site level, ~5× fewer rows;
-- DuckDB folds the bound $ttypes, so only one branch is scanned). The year-to-date figures need
-- day precision: the months that end on or before the cut-off day come from the same monthly sums, the
-- days of a cut-off month that is not over from activity_facts (activities with their site's town and
-- team's type, sorted by date, so the range reads only its row groups).
WITH p AS (
    SELECT CAST($year AS INTEGER) AS y, (SELECT value FROM meta WHERE key = 'as_of')::DATE AS as_of
), cut0 AS (
    SELECT y, as_of, least(as_of, make_date(y, 12, 31)) AS last_day,
           -- the same day one year earlier (29 Feb → 28 Feb)
           CAST(least(as_of, make_date(y, 12, 31)) - INTERVAL 1 YEAR AS DATE) AS last_day_prev
    FROM p
), cut AS (
    -- the first month not wholly on or before the cut-off day: whole months before it, days from it on
    SELECT *, CAST(date_trunc('month', last_day + 1) AS DATE) AS m_cut,
           CAST(date_trunc('month', last_day_prev + 1) AS DATE) AS m_cut_prev
    FROM cut0
), mon AS (
    SELECT m.month, sum(m.activities) AS n, sum(m.participants) AS pa, sum(m.volunteers) AS vo,
           sum(m.beneficiaries) AS be, sum(m.hours) AS ho
    FROM activity_months m, cut
    WHERE len($ttypes) > 0 AND list_contains($ttypes, m.team_type)
      AND m.month BETWEEN make_date(cut.y - 1, 1, 1) AND make_date(cut.y, 12, 31)
      AND (len($stypes) = 0 OR list_contains($stypes, m.service_type))
      AND (len($towns) = 0 OR list_contains($towns, m.town_code))
    GROUP BY m.month
    UNION ALL
    -- without a team-type filter: the same from the rollup without team type and site level
    SELECT m.month, sum(m.activities), sum(m.participants), sum(m.volunteers), sum(m.beneficiaries), sum(m.hours)
    FROM activity_town_months m, cut
    WHERE len($ttypes) = 0
      AND m.month BETWEEN make_date(cut.y - 1, 1, 1) AND make_date(cut.y, 12, 31)
      AND (len($stypes) = 0 OR list_contains($stypes, m.service_type))
      AND (len($towns) = 0 OR list_contains($towns, m.town_code))
    GROUP BY m.month
), edge AS (
    -- one plain range per year, each its own scan (an OR of the two, or one join on both, would not
    -- prune the date-sorted row groups)
    SELECT true AS cur, count(*) AS n, sum(f.participants) AS pa,
           sum(f.volunteers) AS vo, sum(f.beneficiaries) AS be, sum(f.hours) AS ho
    FROM activity_facts f, cut
    WHERE f.activity_date BETWEEN greatest(cut.m_cut, make_date(cut.y, 1, 1)) AND cut.last_day
      AND (len($stypes) = 0 OR list_contains($stypes, f.service_type))
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
      AND (len($ttypes) = 0 OR list_contains($ttypes, f.team_type))
    UNION ALL
    SELECT false, count(*), sum(f.participants), sum(f.volunteers), sum(f.beneficiaries), sum(f.hours)
    FROM activity_facts f, cut
    WHERE f.activity_date BETWEEN greatest(cut.m_cut_prev, make_date(cut.y - 1, 1, 1)) AND cut.last_day_prev
      AND (len($stypes) = 0 OR list_contains($stypes, f.service_type))
      AND (len($towns) = 0 OR list_contains($towns, f.town_code))
      AND (len($ttypes) = 0 OR list_contains($ttypes, f.team_type))
), agg AS (
    SELECT month(mon.month) AS month_no,
           sum(n) FILTER (WHERE year(month) = cut.y) AS activities,
           sum(n) FILTER (WHERE year(month) = cut.y - 1) AS activities_prev,
           sum(pa) FILTER (WHERE year(month) = cut.y) AS participants,
           sum(pa) FILTER (WHERE year(month) = cut.y - 1) AS participants_prev,
           sum(vo) FILTER (WHERE year(month) = cut.y) AS volunteers,
           sum(vo) FILTER (WHERE year(month) = cut.y - 1) AS volunteers_prev,
           sum(be) FILTER (WHERE year(month) = cut.y) AS beneficiaries,
           sum(be) FILTER (WHERE year(month) = cut.y - 1) AS beneficiaries_prev,
           sum(ho) FILTER (WHERE year(month) = cut.y) AS hours,
           sum(ho) FILTER (WHERE year(month) = cut.y - 1) AS hours_prev
    FROM mon, cut
    GROUP BY month(mon.month)
), ytd AS (
    -- whole months before the cut-off month, then that month's days up to the cut-off day
    SELECT year(mon.month) = cut.y AS cur, n, pa, vo, be, ho
    FROM mon, cut
    WHERE (year(mon.month) = cut.y AND mon.month < cut.m_cut)
       OR (year(mon.month) = cut.y - 1 AND mon.month < cut.m_cut_prev)
    UNION ALL
    SELECT cur, n, pa, vo, be, ho FROM edge
), tot AS (
    -- plain totals, not sum(...) OVER (): that window over an empty join hit a DuckDB 1.5.5 internal error
    SELECT sum(n) FILTER (WHERE cur) AS activities_ytd,
           sum(n) FILTER (WHERE NOT cur) AS activities_ytd_prev,
           sum(pa) FILTER (WHERE cur) AS participants_ytd,
           sum(pa) FILTER (WHERE NOT cur) AS participants_ytd_prev,
           sum(vo) FILTER (WHERE cur) AS volunteers_ytd,
           sum(vo) FILTER (WHERE NOT cur) AS volunteers_ytd_prev,
           sum(be) FILTER (WHERE cur) AS beneficiaries_ytd,
           sum(be) FILTER (WHERE NOT cur) AS beneficiaries_ytd_prev,
           sum(ho) FILTER (WHERE cur) AS hours_ytd,
           sum(ho) FILTER (WHERE NOT cur) AS hours_ytd_prev
    FROM ytd
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
