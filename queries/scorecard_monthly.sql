-- The scorecard's sparklines and small multiples: one value per township and month in
-- [$month_from, $month_to] (first days of months) for the county $county: activities at the township's
-- sites (襄垣, from activity_months as 总览's trend) or 诉求 received in the township's compounds (汉源, as
-- cogov_feedback_monthly). Months without any are absent (the caller fills 0). Only the townships of the
-- county are read: at ×100 activity_months holds 900 townships, and turning 10,800 rows into 襄垣's ten
-- sparklines cost more than the query (issue 21).
SELECT m.town_code, m.month, CAST(sum(m.activities) AS DOUBLE) AS value
FROM activity_months m JOIN towns t ON t.town_code = m.town_code AND t.county_code = $county
WHERE $county = '140423' AND m.month BETWEEN $month_from AND $month_to
GROUP BY ALL
UNION ALL
SELECT c.town_code, CAST(date_trunc('month', f.received_date) AS DATE), CAST(count(*) AS DOUBLE)
FROM feedback f JOIN compounds c USING (compound_id) JOIN towns t ON t.town_code = c.town_code AND t.county_code = $county
WHERE $county = '511823' AND f.received_date >= $month_from
  AND f.received_date < CAST($month_to::DATE + INTERVAL 1 MONTH AS DATE)
GROUP BY ALL
ORDER BY 1, 2;
