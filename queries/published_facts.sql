-- The published figures with the values computed live (v_fact_check, data/views.sql): one query for every
-- page's reconciliation table. $section picks the page's figures:
--   'all'          every published figure (总览)
--   'renovation'   communities, compounds and buildings (H10–H12), areas of concern (H13–H14), works and
--                  floor area (H15–H26), funding sources (H34)
--   'cogovernance' grid (H01–H06), consultation and feedback (H07–H09), governance bodies (H27–H31),
--                  partners (H32–H33)
--   'volunteer'    the 襄垣 figures the volunteer page shows: X09 / X16 activities and beneficiaries, X15
--                  micro-wishes done, X11 / X12 free trainings and trainees, X17 古韩镇整体联动 teams, X18 their
--                  activities, X19 青年创客空间 activities, X20 职业农民培训基地 trainees
-- Each figure keeps the report's own scope and period, not the page filters (fact_computed is materialised
-- at publish time). linkage_sites: the number of 古韩镇整体联动 sites, which the X17 / X18 note names.
SELECT f.fact_id, f.county, f.program, f.metric, f.published, f.qualifier, f.unit, f.computed, f.ok, f.period,
       f.source_sentence, f.note,
       (SELECT count(*) FROM site_groups WHERE group_name = '古韩镇整体联动') AS linkage_sites
FROM v_fact_check f
WHERE CASE $section
          WHEN 'all' THEN true
          WHEN 'renovation' THEN f.fact_id BETWEEN 'H10' AND 'H26' OR f.fact_id = 'H34'
          WHEN 'cogovernance' THEN f.fact_id BETWEEN 'H01' AND 'H09' OR f.fact_id BETWEEN 'H27' AND 'H33'
          WHEN 'volunteer' THEN f.fact_id IN ('X09', 'X11', 'X12', 'X15', 'X16', 'X17', 'X18', 'X19', 'X20')
          ELSE false
      END
ORDER BY f.fact_id;
