-- Headline figures of the window and of the previous window (suffix _prev), for the filtered
-- activities: activities, participants, volunteers (人次), beneficiaries (人次), hours, themed activities;
-- plus the village stations in scope. (Active stations per town come from volunteer_towns.)
-- One pass grouped by the period flag only, then the two rows are pivoted. The two windows must not
-- overlap (the page's previous window always ends before the window starts).
-- $towns, $stypes, $ttypes, $date_from, $date_to, $prev_from, $prev_to.
WITH g AS (
    SELECT a.activity_date BETWEEN $date_from AND $date_to AS cur,
           count(*) AS n, sum(a.participants) AS pa, sum(a.volunteers) AS vo, sum(a.beneficiaries) AS be,
           sum(a.hours) AS ho, count(a.theme) AS th
    FROM activities a
    WHERE (a.activity_date BETWEEN $date_from AND $date_to OR a.activity_date BETWEEN $prev_from AND $prev_to)
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($towns) = 0 OR a.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
    GROUP BY cur
)
SELECT CAST(coalesce(sum(n) FILTER (WHERE cur), 0) AS BIGINT) AS activities,
       coalesce(sum(pa) FILTER (WHERE cur), 0) AS participants,
       coalesce(sum(vo) FILTER (WHERE cur), 0) AS volunteers,
       coalesce(sum(be) FILTER (WHERE cur), 0) AS beneficiaries,
       coalesce(sum(ho) FILTER (WHERE cur), 0) AS hours,
       CAST(coalesce(sum(th) FILTER (WHERE cur), 0) AS BIGINT) AS themed,
       CAST(coalesce(sum(n) FILTER (WHERE NOT cur), 0) AS BIGINT) AS activities_prev,
       coalesce(sum(pa) FILTER (WHERE NOT cur), 0) AS participants_prev,
       coalesce(sum(vo) FILTER (WHERE NOT cur), 0) AS volunteers_prev,
       coalesce(sum(be) FILTER (WHERE NOT cur), 0) AS beneficiaries_prev,
       coalesce(sum(ho) FILTER (WHERE NOT cur), 0) AS hours_prev,
       (SELECT count(*) FROM sites s JOIN counties c USING (county_code)
        WHERE s.level = '站' AND c.programme = '文明实践'
          AND (len($towns) = 0 OR list_contains($towns, s.town_code))) AS stations
FROM g;
