-- The published 襄垣 figures this page shows, with the values of v_fact_check (data/views.sql): one
-- definition and one period per figure for every page (fact_computed is materialised at publish time,
-- so this reads 57 stored rows). Each figure keeps the report's own scope and period, not the page
-- filters: X09 / X16 activities and beneficiaries, X15 micro-wishes done, X11 / X12 free trainings and
-- trainees, all of the reporting year; X17 古韩镇整体联动 站队 and 专业队 teams; X18 their activities,
-- X19 上寺南街青年创客空间 activities and X20 职业农民培训基地 trainees, 累计 from meta.data_start to the end
-- of the reporting year.  No parameters.
SELECT f.fact_id, f.metric, f.published, f.qualifier, f.unit, f.period, f.computed, f.ok,
       (SELECT count(*) FROM site_groups WHERE group_name = '古韩镇整体联动') AS linkage_sites
FROM v_fact_check f
WHERE f.fact_id IN ('X09', 'X11', 'X12', 'X15', 'X16', 'X17', 'X18', 'X19', 'X20')
ORDER BY f.fact_id;
