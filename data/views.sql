-- Stable SQL interface (documented in README). Recreated by every build; an import refreshes only the
-- rows of the derived tables its records touch (see "Derived read tables").
-- Names and columns of the v_* views are a contract with analysts: add columns, never rename.

CREATE OR REPLACE VIEW v_sites AS
SELECT s.site_id, s.level, s.name, s.village_code, s.town_code, t.name AS town_name,
       s.lon, s.lat, s.coord_quality,
       s.county_code, s.parent_site_id, s.base_kind, v.kind AS village_kind
FROM sites s
LEFT JOIN towns t USING (town_code)
LEFT JOIN villages v USING (village_code);

CREATE OR REPLACE VIEW v_activities AS
SELECT a.activity_id, a.activity_date, a.site_id, s.town_code, a.service_type, a.theme,
       a.participants, a.volunteers, a.beneficiaries, a.hours,
       s.county_code, s.level AS site_level, a.team_id, tm.team_type, a.campaign_id, a.title, a.source
FROM activities a
JOIN sites s USING (site_id)
LEFT JOIN teams tm USING (team_id);

CREATE OR REPLACE VIEW v_compounds AS
SELECT c.compound_id, c.name, c.town_code, c.community_code, c.compound_type, c.batch, c.status,
       c.buildings, c.households, c.floor_area_m2,
       t.name AS town_name, v.name AS community_name, c.built_year, c.is_key, c.in_governance_scope,
       c.lon, c.lat, c.coord_quality
FROM compounds c
JOIN towns t USING (town_code)
JOIN villages v ON v.village_code = c.community_code;

-- Every published figure beside a value computed from the data tables.
-- `computed` is never read from published_facts: it is computed from the data tables by v_fact_computed
-- and stored in fact_computed each time a snapshot is written. `ok` applies the qualifier:
--   exact      computed = published
--   more_than  "X余": published < computed < published + step, step = 10^(trailing zeros of X)
--              (1200余 → 1201..1299, 3万余 → 30001..39999, 千余 → 1001..1999)
--   less_than  "近X": 0.9·X <= computed < X
--
-- Period (docs/data.md; published_facts.period says it in words). The reports describe one moment, the
-- end of the reporting year: p.d1 = 31 Dec of meta.reporting_year. Each figure is computed over the
-- period it describes, never "up to today", so the data can run on (and imports add this year's
-- records) without moving a figure about the reported period:
--   2025年               records dated in the reporting year (X09–X12, X15, X16, X22)
--   累计（2023年起）     records dated meta.data_start … p.d1 (H07–H09, X18–X20)
--   现状                 the registries as they stood at p.d1: rows that carry a start date (sites opened,
--                        teams founded, bodies established, firms introduced, projects started) count only
--                        when it is on or before p.d1 (a site without one counts); undated registries
--                        (compounds, works, grid, branches, resources) count as they are
-- The period (yr, d0, d1) and `last_day`, the last day any figure reads activities on: an import of
-- activities all dated after it leaves every figure as it was (civic/store/schema.py refresh_derived).
CREATE OR REPLACE VIEW fact_period AS
SELECT yr, d0, d1, greatest(d1, make_date(yr, 12, 31)) AS last_day FROM (
    SELECT CAST((SELECT value FROM meta WHERE key = 'reporting_year') AS INTEGER) AS yr,
           CAST((SELECT value FROM meta WHERE key = 'data_start') AS DATE) AS d0,
           coalesce(CAST((SELECT value FROM meta WHERE key = 'report_end') AS DATE),
                    make_date(CAST((SELECT value FROM meta WHERE key = 'reporting_year') AS INTEGER), 12, 31)) AS d1
);

CREATE OR REPLACE VIEW v_fact_computed AS
WITH p AS (SELECT yr, d0, d1 FROM fact_period),
xy AS (SELECT '140423' AS cc),
linkage AS (SELECT site_id FROM site_groups WHERE group_name = '古韩镇整体联动'),
-- sites and teams as they stood at the report's date
sites_then AS (SELECT s.* FROM sites s, p WHERE s.opened_date IS NULL OR s.opened_date <= p.d1),
teams_then AS (SELECT t.* FROM teams t, p WHERE t.founded_date <= p.d1),
bodies_then AS (SELECT g.* FROM governance_bodies g, p WHERE g.established_date <= p.d1)
SELECT * FROM (VALUES
  ('H01', (SELECT count(*) FROM grid_party_committees)),
  ('H02', (SELECT count(*) FROM grid_committee_members)),
  ('H03', (SELECT count(DISTINCT leader_id) FROM leader_links)),
  ('H04', (SELECT count(DISTINCT compound_id) FROM leader_links)),
  ('H05', (SELECT count(*) FROM grid_units)),
  ('H06', (SELECT sum(party_members) FROM grid_units)),
  ('H07', (SELECT count(*) FROM meetings, p WHERE meeting_type = '政策宣传' AND meeting_date BETWEEN p.d0 AND p.d1)),
  ('H08', (SELECT count(*) FROM meetings, p WHERE meeting_type IN ('坝坝会', '座谈会')
           AND meeting_date BETWEEN p.d0 AND p.d1)),
  ('H09', (SELECT count(*) FROM feedback, p WHERE received_date BETWEEN p.d0 AND p.d1)),
  ('H10', (SELECT count(*) FROM communities WHERE in_programme)),
  ('H11', (SELECT count(*) FROM compounds)),
  ('H12', (SELECT sum(buildings) FROM compounds)),
  ('H13', (SELECT count(*) FROM service_facility_areas)),
  ('H14', (SELECT count(*) FROM concern_areas)),
  ('H15', (SELECT sum(done_qty) FROM works WHERE category = '管线改造')),
  ('H16', (SELECT sum(done_qty) FROM works WHERE category = '拆除违建')),
  ('H17', (SELECT sum(done_qty) FROM works WHERE category = '地面硬化')),
  ('H18', (SELECT sum(done_qty) FROM works WHERE category = '坡屋面')),
  ('H19', (SELECT sum(floor_area_m2) FROM compounds WHERE status = '完成')),
  ('H20', (SELECT sum(done_qty) FROM works WHERE category = '停车位')),
  ('H21', (SELECT sum(done_qty) FROM works WHERE category = '充电棚')),
  ('H22', (SELECT sum(done_qty) FROM works WHERE category = '消防通道')),
  ('H23', (SELECT sum(done_qty) FROM works WHERE category = '灭火器材')),
  ('H24', (SELECT sum(done_qty) FROM works WHERE category = '垃圾分类点')),
  ('H25', (SELECT sum(done_qty) FROM works WHERE category = '路灯')),
  ('H26', (SELECT sum(done_qty) FROM works WHERE category = '便民设施')),
  ('H27', (SELECT count(*) FROM compounds WHERE in_governance_scope)),
  ('H28', (SELECT count(DISTINCT g.compound_id) FROM bodies_then g JOIN compounds c USING (compound_id)
           WHERE c.in_governance_scope AND g.body_type = '小区党组织')),
  ('H29', (SELECT count(DISTINCT g.compound_id) FROM bodies_then g JOIN compounds c USING (compound_id)
           WHERE c.in_governance_scope AND g.body_type = '业主委员会')),
  ('H30', (SELECT count(DISTINCT g.compound_id) FROM bodies_then g JOIN compounds c USING (compound_id)
           WHERE c.in_governance_scope AND g.body_type = '自管委')),
  ('H31', (SELECT count(*) FROM property_firms, p WHERE introduced_date <= p.d1)),
  ('H32', (SELECT count(*) FROM partner_projects, p WHERE start_date <= p.d1)),
  ('H33', (SELECT count(*) FROM partners)),
  ('H34', (SELECT count(DISTINCT source) FROM funding)),
  ('X01', (SELECT count(*) FROM sites_then, xy WHERE level = '中心' AND county_code = xy.cc)),
  ('X02', (SELECT count(*) FROM sites_then, xy WHERE level = '所' AND county_code = xy.cc)),
  ('X03', (SELECT count(*) FROM sites_then, xy WHERE level = '站' AND county_code = xy.cc)),
  ('X04', (SELECT count(*) FROM cultural_resources r JOIN villages v USING (village_code)
           JOIN towns t USING (town_code), xy WHERE t.county_code = xy.cc)),
  ('X05', (SELECT count(*) FROM sites_then, xy WHERE level = '基地' AND county_code = xy.cc)),
  ('X06', (SELECT count(*) FROM teams_then, xy WHERE team_type = '分队' AND county_code = xy.cc)),
  ('X07', (SELECT count(*) FROM teams_then, xy WHERE team_type = '站队' AND county_code = xy.cc)),
  ('X08', (SELECT count(*) FROM teams_then, xy WHERE county_code = xy.cc)),
  ('X09', (SELECT count(*) FROM v_activities, p, xy
           WHERE county_code = xy.cc AND year(activity_date) = p.yr)),
  ('X10', (SELECT count(*) FROM campaigns, p, xy WHERE county_code = xy.cc AND year(start_date) = p.yr)),
  ('X11', (SELECT count(*) FROM trainings t JOIN sites s USING (site_id), p, xy
           WHERE s.county_code = xy.cc AND t.is_free AND year(t.training_date) = p.yr)),
  ('X12', (SELECT sum(trainees) FROM trainings t JOIN sites s USING (site_id), p, xy
           WHERE s.county_code = xy.cc AND t.is_free AND year(t.training_date) = p.yr)),
  ('X13', (SELECT count(*) FROM party_branches, xy WHERE county_code = xy.cc)),
  ('X14', (SELECT sum(members) FROM party_branches, xy WHERE county_code = xy.cc)),
  ('X15', (SELECT count(*) FROM micro_wishes w JOIN sites s USING (site_id), p, xy
           WHERE s.county_code = xy.cc AND w.status = '完成' AND year(w.done_date) = p.yr)),
  ('X16', (SELECT sum(beneficiaries) FROM v_activities, p, xy
           WHERE county_code = xy.cc AND year(activity_date) = p.yr)),
  ('X17', (SELECT count(*) FROM teams_then WHERE team_type IN ('站队', '专业队')
           AND site_id IN (SELECT site_id FROM linkage))),
  ('X18', (SELECT count(*) FROM activities, p WHERE site_id IN (SELECT site_id FROM linkage)
           AND activity_date BETWEEN p.d0 AND p.d1)),
  ('X19', (SELECT count(*) FROM activities a JOIN sites s USING (site_id), p WHERE s.name = '上寺南街青年创客空间'
           AND a.activity_date BETWEEN p.d0 AND p.d1)),
  ('X20', (SELECT sum(trainees) FROM trainings t JOIN sites s USING (site_id), p WHERE s.name = '职业农民培训基地'
           AND t.training_date BETWEEN p.d0 AND p.d1)),
  ('X21', (SELECT count(*) FROM base_spaces b JOIN sites s USING (site_id) WHERE s.name = '东湖综合文化空间')),
  ('X22', (SELECT count(*) FROM campaign_items i JOIN campaigns c USING (campaign_id), p
           WHERE c.name = '文明集市' AND year(c.start_date) = p.yr)),
  ('X23', (SELECT count(*) FROM villages v JOIN sites_then s USING (village_code)
           WHERE v.kind = '社区' AND s.site_id IN (SELECT site_id FROM linkage)))
) AS t(fact_id, computed);

-- The figures materialised (a derived table, see below): pages read them on every visit, and its 57
-- sub-queries scan the data tables, which change only when a snapshot is written.
CREATE OR REPLACE VIEW derive_fact_computed AS
SELECT fact_id, CAST(computed AS DOUBLE) AS computed FROM v_fact_computed;
CREATE OR REPLACE TABLE fact_computed AS SELECT * FROM derive_fact_computed;

CREATE OR REPLACE VIEW v_fact_check AS
SELECT f.fact_id, f.metric_zh AS metric, f.value AS published, f.qualifier,
       CAST(c.computed AS DOUBLE) AS computed,
       coalesce(CASE f.qualifier
         WHEN 'exact' THEN c.computed = f.value
         WHEN 'more_than' THEN c.computed > f.value AND c.computed < f.value + (
             -- step = 10^(number of trailing zeros of the published value)
             SELECT max(pow(10, k)) FROM range(0, 9) r(k) WHERE f.value % pow(10, k) = 0)
         WHEN 'less_than' THEN c.computed >= 0.9 * f.value AND c.computed < f.value
       END, false) AS ok,
       f.county, f.program, f.unit, f.note, f.source_sentence, f.period
FROM published_facts f
LEFT JOIN fact_computed c USING (fact_id);

-- ── Derived read tables ─────────────────────────────────────────────────────────────────────
-- Derived from the data tables, never written otherwise, and not part of the SQL contract: the named
-- queries read them so that a filter click does not join and scan four million activity rows at province
-- scale (issue 9, BENCHMARKS.md). Their provenance kind is `derived` (civic/store/schema.py).
-- Each one is defined once, by its view derive_<table>: a build (and `python -m civic build --if-missing`,
-- which re-applies this file to a snapshot built by an older version of it) fills the table from the whole
-- view, here; an import replaces only the rows its records touch with the same view's rows for them
-- (civic/store/schema.py refresh_derived: activities by id, months, days and sites by key), so both paths hold
-- the same rows (tests/store/test_derived.py).

-- activities with their site's town/county/level and team type, sorted by date so that a date window
-- reads only the row groups it needs (DuckDB's min/max zone maps).
CREATE OR REPLACE VIEW derive_activity_facts AS
SELECT a.activity_date, CAST(date_trunc('month', a.activity_date) AS DATE) AS month,
       a.activity_id, a.site_id, s.level AS site_level, s.town_code, s.county_code,
       a.service_type, a.team_id, tm.team_type, a.theme,
       a.participants, a.volunteers, a.beneficiaries, a.hours
FROM activities a
JOIN sites s USING (site_id)
LEFT JOIN teams tm USING (team_id);
CREATE OR REPLACE TABLE activity_facts AS
SELECT * FROM derive_activity_facts ORDER BY activity_date, town_code, site_id;

-- calendar months × town × service type × team type × site level (whole-period monthly series)
CREATE OR REPLACE VIEW derive_activity_months AS
SELECT month, town_code, county_code, service_type, team_type, site_level,
       count(*) AS activities, CAST(sum(participants) AS BIGINT) AS participants,
       CAST(sum(volunteers) AS BIGINT) AS volunteers, CAST(sum(beneficiaries) AS BIGINT) AS beneficiaries,
       sum(hours) AS hours, count(theme) AS themed
FROM activity_facts
GROUP BY ALL;
CREATE OR REPLACE TABLE activity_months AS
SELECT * FROM derive_activity_months ORDER BY month, town_code, service_type, team_type, site_level;

-- The common case of the volunteer page (no service-type or team-type filter) reads two coarser rollups:
-- activity_months is only ~4× smaller than the activities, because the type dimensions are fine. Both
-- carry station_activities (activities at village stations, site level 站), the only site-level figure
-- those queries need. A query reads them only when $ttypes (and, for the days, $stypes) is empty: DuckDB
-- folds the bound parameter, so the branch that does not apply is never scanned.
-- calendar months × town × service type (~5× fewer rows than activity_months at ×100)
CREATE OR REPLACE VIEW derive_activity_town_months AS
SELECT month, town_code, county_code, service_type,
       CAST(sum(activities) AS BIGINT) AS activities,
       CAST(coalesce(sum(activities) FILTER (WHERE site_level = '站'), 0) AS BIGINT) AS station_activities,
       CAST(sum(participants) AS BIGINT) AS participants, CAST(sum(volunteers) AS BIGINT) AS volunteers,
       CAST(sum(beneficiaries) AS BIGINT) AS beneficiaries, sum(hours) AS hours,
       CAST(sum(themed) AS BIGINT) AS themed
FROM activity_months
GROUP BY ALL;
CREATE OR REPLACE TABLE activity_town_months AS
SELECT * FROM derive_activity_town_months ORDER BY month, town_code, service_type;

-- days × town, sorted by day (a window's edge days, the calendar and the active days: ~3.5× fewer rows
-- than the activities at ×100)
CREATE OR REPLACE VIEW derive_activity_town_days AS
SELECT activity_date, town_code, county_code, count(*) AS activities,
       count(*) FILTER (WHERE site_level = '站') AS station_activities,
       CAST(sum(participants) AS BIGINT) AS participants, CAST(sum(volunteers) AS BIGINT) AS volunteers,
       CAST(sum(beneficiaries) AS BIGINT) AS beneficiaries, sum(hours) AS hours, count(theme) AS themed
FROM activity_facts
GROUP BY ALL;
CREATE OR REPLACE TABLE activity_town_days AS
SELECT * FROM derive_activity_town_days ORDER BY activity_date, town_code;

-- every site's last activity up to the data's last day (meta.as_of): idle stations without a full scan
CREATE OR REPLACE VIEW derive_site_activity AS
SELECT site_id, max(activity_date) AS last_activity, count(*) AS activities_total
FROM activities
WHERE activity_date <= (SELECT CAST(value AS DATE) FROM meta WHERE key = 'as_of')
GROUP BY site_id;
CREATE OR REPLACE TABLE site_activity AS SELECT * FROM derive_site_activity ORDER BY site_id;
