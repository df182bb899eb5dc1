-- The published 襄垣 figures this page shows, each beside the value computed here from the data
-- tables with the report's own scope (not the page filters), checked with v_fact_check's rule.
--   X09 activities and X16 beneficiaries of the reporting year; X15 micro-wishes done in it;
--   X11 / X12 free trainings and trainees in it; X17 / X18 古韩镇整体联动: 站队 and 专业队 teams at its
--   8 sites, and all their activities to date; X19 上寺南街青年创客空间 activities to date;
--   X20 职业农民培训基地 trainees to date.  No parameters.
-- The activity figures come from the derived tables of data/views.sql instead of a pass over the
-- activity table: X09 / X16 (whole calendar year) from activity_months; X18 / X19 (all activities of a
-- few sites) from site_activity's per-site totals up to meta.as_of, plus any activity_facts rows after
-- as_of (a date range at the end of the date-sorted table, so only its last row groups are read).
WITH p AS (
    SELECT CAST((SELECT value FROM meta WHERE key = 'reporting_year') AS INTEGER) AS yr
), linkage AS (
    SELECT site_id FROM site_groups WHERE group_name = '古韩镇整体联动'
), maker AS (
    SELECT site_id FROM sites WHERE name = '上寺南街青年创客空间'
), yr_acts AS (
    SELECT CAST(coalesce(sum(m.activities), 0) AS BIGINT) AS x09, sum(m.beneficiaries) AS x16
    FROM activity_months m, p
    WHERE m.county_code = '140423' AND year(m.month) = p.yr
), to_date AS (
    -- per site: its activities up to as_of (site_activity), and any after it
    SELECT site_id, activities_total AS n FROM site_activity
    UNION ALL
    SELECT f.site_id, count(*)
    FROM activity_facts f
    WHERE f.activity_date > coalesce((SELECT value FROM meta WHERE key = 'as_of')::DATE, DATE '0001-01-01')
    GROUP BY f.site_id
), acts AS (
    SELECT y.x09, y.x16,
           (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM to_date WHERE site_id IN (SELECT site_id FROM linkage)) AS x18,
           (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM to_date WHERE site_id IN (SELECT site_id FROM maker)) AS x19
    FROM yr_acts y
), mine AS (
    SELECT 'X09' AS fact_id, (SELECT x09 FROM acts) AS value
    UNION ALL SELECT 'X16', (SELECT x16 FROM acts)
    UNION ALL SELECT 'X15', (SELECT count(*) FROM micro_wishes w JOIN sites s USING (site_id), p
                              WHERE s.county_code = '140423' AND w.status = '完成' AND year(w.done_date) = p.yr)
    UNION ALL SELECT 'X11', (SELECT count(*) FROM trainings t JOIN sites s USING (site_id), p
                              WHERE s.county_code = '140423' AND t.is_free AND year(t.training_date) = p.yr)
    UNION ALL SELECT 'X12', (SELECT sum(t.trainees) FROM trainings t JOIN sites s USING (site_id), p
                              WHERE s.county_code = '140423' AND t.is_free AND year(t.training_date) = p.yr)
    UNION ALL SELECT 'X17', (SELECT count(*) FROM teams
                              WHERE team_type IN ('站队', '专业队') AND site_id IN (SELECT site_id FROM linkage))
    UNION ALL SELECT 'X18', (SELECT x18 FROM acts)
    UNION ALL SELECT 'X19', (SELECT x19 FROM acts)
    UNION ALL SELECT 'X20', (SELECT sum(t.trainees) FROM trainings t JOIN sites s USING (site_id)
                              WHERE s.name = '职业农民培训基地')
)
SELECT f.fact_id, f.metric_zh AS metric, f.value AS published, f.qualifier, f.unit, f.period,
       CAST(m.value AS DOUBLE) AS computed,
       -- the qualifier rule of v_fact_check (data/views.sql), applied here so the view's other 48
       -- figures are not computed on every cold start
       coalesce(CASE f.qualifier
         WHEN 'exact' THEN m.value = f.value
         WHEN 'more_than' THEN m.value > f.value AND m.value < f.value + (
             SELECT max(pow(10, k)) FROM range(0, 9) r(k) WHERE f.value % pow(10, k) = 0)
         WHEN 'less_than' THEN m.value >= 0.9 * f.value AND m.value < f.value
       END, false) AS ok,
       (SELECT count(*) FROM linkage) AS linkage_sites
FROM mine m JOIN published_facts f USING (fact_id)
ORDER BY f.fact_id;
