-- Feedback per month in [$date_from, $date_to]: received, and resolved (by resolution month).
-- $towns: town codes ([] = all). Months without any record are included with zeros.
WITH fb AS (
    SELECT f.* FROM feedback f JOIN compounds c USING (compound_id)
    WHERE len($towns) = 0 OR list_contains($towns, c.town_code)
),
months AS (
    SELECT CAST(m AS DATE) AS month
    FROM range(CAST(date_trunc('month', CAST($date_from AS DATE)) AS TIMESTAMP),
               CAST(CAST($date_to AS DATE) AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 MONTH) r(m)
)
SELECT m.month,
       (SELECT count(*) FROM fb WHERE date_trunc('month', received_date) = m.month
            AND received_date BETWEEN $date_from AND $date_to) AS received,
       (SELECT count(*) FROM fb WHERE status = '办结' AND date_trunc('month', resolved_date) = m.month
            AND resolved_date BETWEEN $date_from AND $date_to) AS resolved
FROM months m
ORDER BY m.month;
