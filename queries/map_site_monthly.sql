-- A site's activities and beneficiaries per month, zero months included, for the detail sparkline.
-- $site VARCHAR; $date_from/$date_to DATE. The span is the window, widened to at least the 12 months
-- ending with $date_to so that a short window still shows a trend.
WITH span AS (
    SELECT date_trunc('month', least(CAST($date_from AS DATE),
                                     CAST($date_to AS DATE) - INTERVAL 11 MONTH)) AS m0,
           date_trunc('month', CAST($date_to AS DATE)) AS m1
),
months AS (
    SELECT CAST(generate_series AS DATE) AS month
    FROM span, generate_series(span.m0, span.m1, INTERVAL 1 MONTH)
),
acts AS (
    SELECT CAST(date_trunc('month', a.activity_date) AS DATE) AS month, count(*) AS activities,
           CAST(sum(a.beneficiaries) AS BIGINT) AS beneficiaries
    FROM activities a, span
    WHERE a.site_id = $site AND a.activity_date >= span.m0 AND a.activity_date <= $date_to
    GROUP BY 1
)
SELECT m.month, coalesce(a.activities, 0) AS activities, coalesce(a.beneficiaries, 0) AS beneficiaries,
       (m.month >= date_trunc('month', CAST($date_from AS DATE))) AS in_window
FROM months m LEFT JOIN acts a USING (month)
ORDER BY m.month;
