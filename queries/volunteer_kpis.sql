-- Headline figures of the window and of the comparison window (suffix _prev: 同比 or 环比, see
-- civic/measures.py), for the filtered activities: activities, participants, volunteers (人次), beneficiaries (人次), hours, themed activities;
-- plus the village stations in scope. (Active stations per town come from volunteer_towns.)
-- The two windows may overlap (同比 of a window longer than a year): every part is tagged with its window.
-- Each window is split into its whole calendar months [m0, m1) (m0 the first month starting on or after
-- its first day, m1 the month holding the day after its last day), summed from activity_months
-- (data/views.sql: activities pre-summed per month, town, service type, team type and site level), and
-- the days before m0 and from m1 on, summed from activity_facts (activities with their site's town and
-- team's type, sorted by date). Each of those day ranges is its own plain range filter, so it reads only
-- its row groups. Everything is grouped by the window flag, then the two rows are pivoted.
-- The page's default has no type filter: then the months come from activity_town_months (no team type
-- or site level: ~5× fewer rows; it serves a service-type filter too) and the days from
-- activity_town_days (per day and town). DuckDB folds the bound $stypes/$ttypes, so only the branch
-- that applies is scanned.
-- $towns, $stypes, $ttypes, $date_from, $date_to, $prev_from, $prev_to.
WITH f AS NOT MATERIALIZED (
    -- one row per activity (n = 1, th = 1 when themed) ...
    SELECT activity_date, 1 AS n, participants, volunteers, beneficiaries, hours,
           CAST(theme IS NOT NULL AS INTEGER) AS th
    FROM activity_facts
    WHERE (len($stypes) > 0 OR len($ttypes) > 0)
      AND (len($stypes) = 0 OR list_contains($stypes, service_type))
      AND (len($towns) = 0 OR list_contains($towns, town_code))
      AND (len($ttypes) = 0 OR list_contains($ttypes, team_type))
    UNION ALL
    -- ... or, without a service-type or team-type filter, one row per day and town
    SELECT activity_date, activities, participants, volunteers, beneficiaries, hours, themed
    FROM activity_town_days
    WHERE len($stypes) = 0 AND len($ttypes) = 0
      AND (len($towns) = 0 OR list_contains($towns, town_code))
), days AS (
    -- the window's days before its first whole month, and from m1 on (or all of it, without whole months)
    SELECT true AS cur, * FROM f
    WHERE activity_date BETWEEN $date_from
              AND least($date_to::DATE, CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE) - 1)
    UNION ALL
    SELECT true, * FROM f
    WHERE activity_date BETWEEN greatest(CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE),
                                         CAST(date_trunc('month', $date_to::DATE + 1) AS DATE))
              AND $date_to
    UNION ALL
    -- the same for the comparison window
    SELECT false, * FROM f
    WHERE activity_date BETWEEN $prev_from
              AND least($prev_to::DATE, CAST(date_trunc('month', $prev_from::DATE - 1) + INTERVAL 1 MONTH AS DATE) - 1)
    UNION ALL
    SELECT false, * FROM f
    WHERE activity_date BETWEEN greatest(CAST(date_trunc('month', $prev_from::DATE - 1) + INTERVAL 1 MONTH AS DATE),
                                         CAST(date_trunc('month', $prev_to::DATE + 1) AS DATE))
              AND $prev_to
), mon AS NOT MATERIALIZED (
    SELECT m.month, m.activities, m.participants, m.volunteers, m.beneficiaries, m.hours, m.themed
    FROM activity_months m
    WHERE len($ttypes) > 0 AND list_contains($ttypes, m.team_type)
      AND (len($stypes) = 0 OR list_contains($stypes, m.service_type))
      AND (len($towns) = 0 OR list_contains($towns, m.town_code))
    UNION ALL
    SELECT m.month, m.activities, m.participants, m.volunteers, m.beneficiaries, m.hours, m.themed
    FROM activity_town_months m
    WHERE len($ttypes) = 0
      AND (len($stypes) = 0 OR list_contains($stypes, m.service_type))
      AND (len($towns) = 0 OR list_contains($towns, m.town_code))
), g AS (
    SELECT cur, sum(n) AS n, sum(participants) AS pa, sum(volunteers) AS vo, sum(beneficiaries) AS be,
           sum(hours) AS ho, sum(th) AS th
    FROM days
    GROUP BY cur
    UNION ALL
    SELECT true, sum(activities), sum(participants), sum(volunteers), sum(beneficiaries), sum(hours), sum(themed)
    FROM mon
    WHERE month >= CAST(date_trunc('month', $date_from::DATE - 1) + INTERVAL 1 MONTH AS DATE)
      AND month < CAST(date_trunc('month', $date_to::DATE + 1) AS DATE)
    UNION ALL
    SELECT false, sum(activities), sum(participants), sum(volunteers), sum(beneficiaries), sum(hours), sum(themed)
    FROM mon
    WHERE month >= CAST(date_trunc('month', $prev_from::DATE - 1) + INTERVAL 1 MONTH AS DATE)
      AND month < CAST(date_trunc('month', $prev_to::DATE + 1) AS DATE)
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
