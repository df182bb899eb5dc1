-- 大屏 renovation funnel (all of 汉源's compounds): for each stage 未启动 → 设计 → 施工 → 验收 → 完成, the
-- compounds at it now (`at_stage`) and those that reached it or went beyond (`reached`). Same definition as
-- the renovation page's funnel, without its filters.
WITH lv AS (SELECT * FROM (VALUES ('未启动', 0), ('设计', 1), ('施工', 2), ('验收', 3), ('完成', 4)) t(stage, lvl)),
cl AS (SELECT c.compound_id, c.households, lv.lvl FROM compounds c JOIN lv ON lv.stage = c.status)
SELECT lv.stage, lv.lvl,
       count(cl.compound_id) FILTER (WHERE cl.lvl = lv.lvl) AS at_stage,
       count(cl.compound_id) AS reached,
       coalesce(sum(cl.households), 0) AS households
FROM lv
LEFT JOIN cl ON cl.lvl >= lv.lvl
GROUP BY lv.stage, lv.lvl
ORDER BY lv.lvl;
