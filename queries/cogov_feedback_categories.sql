-- Feedback received in [$date_from, $date_to] by the 8 areas of concern (道路、电力、通信 …) and current status.
-- Every area × status appears (zeros included). $towns: town codes ([] = all).
WITH fb AS (
    SELECT f.* FROM feedback f JOIN compounds c USING (compound_id)
    WHERE (len($towns) = 0 OR list_contains($towns, c.town_code))
      AND f.received_date BETWEEN $date_from AND $date_to
),
st AS (SELECT * FROM (VALUES ('收集', 1), ('议事', 2), ('办结', 3)) t(status, status_ord))
SELECT a.area, a.ord, st.status, st.status_ord, count(fb.feedback_id) AS items,
       sum(count(fb.feedback_id)) OVER (PARTITION BY a.area) AS area_total
FROM concern_areas a
CROSS JOIN st
LEFT JOIN fb ON fb.category = a.area AND fb.status = st.status
GROUP BY a.area, a.ord, st.status, st.status_ord
ORDER BY a.ord, st.status_ord;
