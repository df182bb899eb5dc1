-- Towns compared in the window: all practice towns with village stations (the chart is the town
-- selector, so $towns does not narrow it). per_station = activities held at the town's village stations
-- / its village stations (so big towns with the county centre and bases do not always win);
-- activities = all activities at the town's sites (stations, institute, bases, centre).
-- $stypes, $ttypes, $date_from, $date_to.
-- Counts and sums per town and site level: the window's whole calendar months [m0, m1) from
-- activity_months (data/views.sql: activities pre-summed per month, town, service type, team type and
-- site level), the days at either end from activity_facts (activities with their site's town and team's
-- type, sorted by date, so a day range reads only its row groups); m0 is the first month starting on or
-- after $date_from, m1 the month holding the day after $date_to. Without a team-type filter the months
-- come from activity_town_months (no team type or site level, ~5× fewer rows; station_activities counts
-- the village stations' share), and without any type filter (the page's default) the days from
-- activity_town_days (per day and town). DuckDB folds the bound $stypes/$ttypes, so only the branches
-- that apply are scanned.
-- Active stations (at least one filtered activity in the window): when no service or team type is
-- chosen and the window reaches the last activity day (which is not after meta.as_of), a station is
-- active exactly when its last activity (site_activity) is on or after $date_from; otherwise they are
-- counted from activity_facts. Only the path that applies is read.
WITH st AS (
    SELECT s.town_code, count(*) AS stations
    FROM sites s JOIN counties c USING (county_code)
    WHERE s.level = '站' AND c.programme = '文明实践'
    GROUP BY s.town_code
), edge AS NOT MATERIALIZED (
    -- the window's edge days: one row per activity, or, without a service-type or team-type filter, one row
    -- per day and town from the rollup (as volunteer_kpis); each day range below is its own plain range
    SELECT f.activity_date, f.town_code, 1 AS n, CAST(f.site_level = '站' AS INTEGER) AS sn,
           f.beneficiaries, f.volunteers, f.hours
    FROM activity_facts f
    WHERE (len($stypes) > 0 OR len($ttypes) > 0)
      AND (len($stypes) = 0 OR list_contains($stypes, f.service_type))
      AND (len($ttypes) = 0 OR list_contains($ttypes, f.team_type))
    UNION ALL
    SELECT d.activity_date, d.town_code, d.activities, d.station_activities, d.beneficiaries, d.volunteers, d.hours
    FROM activity_town_days d
    WHERE len($stypes) = 0 AND len($ttypes) = 0
), sums AS (
    SELECT town_code, sum(n) AS n, sum(sn) AS sn, sum(beneficiaries) AS be, sum(volunteers) AS vo, sum(hours) AS ho
    FROM edge
    WHERE activity_date BETWEEN $date_from
              AND least($date_to::DATE, CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE) - 1)
    GROUP BY ALL
    UNION ALL
    SELECT town_code, sum(n), sum(sn), sum(beneficiaries), sum(volunteers), sum(hours)
    FROM edge
    WHERE activity_date BETWEEN greatest(CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE),
                                         CAST(date_trunc('month', $date_to::DATE + 1) AS DATE))
              AND $date_to
    GROUP BY ALL
    UNION ALL
    SELECT m.town_code, sum(m.activities), sum(m.activities) FILTER (WHERE m.site_level = '站'),
           sum(m.beneficiaries), sum(m.volunteers), sum(m.hours)
    FROM activity_months m
    WHERE len($ttypes) > 0 AND list_contains($ttypes, m.team_type)
      AND m.month >= CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE)
      AND m.month < CAST(date_trunc('month', $date_to::DATE + 1) AS DATE)
      AND (len($stypes) = 0 OR list_contains($stypes, m.service_type))
    GROUP BY ALL
    UNION ALL
    -- without a team-type filter: the whole months from the rollup without team type and site level
    SELECT m.town_code, sum(m.activities), sum(m.station_activities),
           sum(m.beneficiaries), sum(m.volunteers), sum(m.hours)
    FROM activity_town_months m
    WHERE len($ttypes) = 0
      AND m.month >= CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE)
      AND m.month < CAST(date_trunc('month', $date_to::DATE + 1) AS DATE)
      AND (len($stypes) = 0 OR list_contains($stypes, m.service_type))
    GROUP BY ALL
), ac AS (
    SELECT town_code, sum(n) AS activities, sum(sn) AS station_activities,
           sum(be) AS beneficiaries, sum(vo) AS volunteers, sum(ho) AS hours
    FROM sums
    GROUP BY town_code
), fast AS (
    -- whether the site_activity shortcut applies (never NULL: one of the two paths below always runs)
    SELECT len($stypes) = 0 AND len($ttypes) = 0
           AND coalesce(l.last_day <= l.as_of AND l.last_day <= $date_to, l.last_day IS NULL) AS ok
    FROM (SELECT (SELECT max(activity_date) FROM activity_facts) AS last_day,
                 (SELECT value FROM meta WHERE key = 'as_of')::DATE AS as_of) l
), act AS (
    SELECT s.town_code, count(*) AS active_stations
    FROM site_activity sa JOIN sites s USING (site_id)
    WHERE s.level = '站' AND sa.last_activity >= $date_from AND (SELECT ok FROM fast)
    GROUP BY s.town_code
    UNION ALL
    SELECT f.town_code, count(DISTINCT f.site_id)
    FROM activity_facts f
    WHERE f.site_level = '站' AND f.activity_date BETWEEN $date_from AND $date_to
      AND (len($stypes) = 0 OR list_contains($stypes, f.service_type))
      AND (len($ttypes) = 0 OR list_contains($ttypes, f.team_type))
      AND NOT (SELECT ok FROM fast)
    GROUP BY f.town_code
)
SELECT st.town_code, t.name AS town_name, st.stations,
       CAST(coalesce(ac.activities, 0) AS BIGINT) AS activities,
       CAST(coalesce(ac.station_activities, 0) AS BIGINT) AS station_activities,
       coalesce(act.active_stations, 0) AS active_stations,
       coalesce(ac.beneficiaries, 0) AS beneficiaries,
       coalesce(ac.volunteers, 0) AS volunteers,
       coalesce(ac.hours, 0) AS hours,
       round(coalesce(ac.station_activities, 0) / st.stations, 1) AS per_station
FROM st JOIN towns t USING (town_code) LEFT JOIN ac USING (town_code) LEFT JOIN act USING (town_code)
ORDER BY per_station DESC, st.town_code;
