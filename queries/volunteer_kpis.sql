-- Headline figures of the window and of the previous window (suffix _prev), for the filtered
-- activities: activities, participants, volunteers (人次), beneficiaries (人次), hours, themed activities,
-- active village stations and active teams; plus the village stations in scope.
-- $towns, $stypes, $ttypes, $date_from, $date_to, $prev_from, $prev_to.
WITH a AS (
    SELECT a.activity_date, a.site_id, a.team_id, a.participants, a.volunteers, a.beneficiaries, a.hours,
           a.theme, s.level,
           a.activity_date BETWEEN $date_from AND $date_to AS cur,
           a.activity_date BETWEEN $prev_from AND $prev_to AS prev
    FROM activities a JOIN sites s USING (site_id)
    WHERE (a.activity_date BETWEEN $date_from AND $date_to OR a.activity_date BETWEEN $prev_from AND $prev_to)
      AND (len($stypes) = 0 OR list_contains($stypes, a.service_type))
      AND (len($towns) = 0 OR list_contains($towns, s.town_code))
      AND (len($ttypes) = 0 OR a.team_id IN (SELECT team_id FROM teams WHERE list_contains($ttypes, team_type)))
)
SELECT count(*) FILTER (WHERE cur) AS activities,
       coalesce(sum(participants) FILTER (WHERE cur), 0) AS participants,
       coalesce(sum(volunteers) FILTER (WHERE cur), 0) AS volunteers,
       coalesce(sum(beneficiaries) FILTER (WHERE cur), 0) AS beneficiaries,
       coalesce(sum(hours) FILTER (WHERE cur), 0) AS hours,
       count(theme) FILTER (WHERE cur) AS themed,
       count(DISTINCT site_id) FILTER (WHERE cur AND level = '站') AS active_stations,
       count(DISTINCT team_id) FILTER (WHERE cur) AS active_teams,
       count(*) FILTER (WHERE prev) AS activities_prev,
       coalesce(sum(participants) FILTER (WHERE prev), 0) AS participants_prev,
       coalesce(sum(volunteers) FILTER (WHERE prev), 0) AS volunteers_prev,
       coalesce(sum(beneficiaries) FILTER (WHERE prev), 0) AS beneficiaries_prev,
       coalesce(sum(hours) FILTER (WHERE prev), 0) AS hours_prev,
       count(DISTINCT site_id) FILTER (WHERE prev AND level = '站') AS active_stations_prev,
       (SELECT count(*) FROM sites s JOIN counties c USING (county_code)
        WHERE s.level = '站' AND c.programme = '文明实践'
          AND (len($towns) = 0 OR list_contains($towns, s.town_code))) AS stations
FROM a;
