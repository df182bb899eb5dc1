-- 文明实践 coverage of the overview and the screen: village stations built in scope and the village-level
-- units they should cover. $towns: town codes ([] = all).
-- Everything that depends on the dates is read from the queries every page shares (civic/measures.py):
-- activity measures from volunteer_kpis, active stations and the ranking from volunteer_towns, micro-wishes
-- done from volunteer_wish_funnel.
WITH pc AS (SELECT county_code FROM counties WHERE programme = '文明实践')
SELECT
    (SELECT count(*) FROM sites s
      WHERE s.county_code IN (SELECT county_code FROM pc) AND s.level = '站'
        AND (len($towns) = 0 OR list_contains($towns, s.town_code))) AS stations,
    (SELECT count(*) FROM villages v JOIN towns t USING (town_code)
      WHERE t.county_code IN (SELECT county_code FROM pc) AND v.kind <> '虚拟社区'
        AND (len($towns) = 0 OR list_contains($towns, v.town_code))) AS villages;
