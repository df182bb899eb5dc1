-- A site's service-type mix in the window. $site VARCHAR; $date_from/$date_to DATE.
SELECT a.service_type, count(*) AS activities, CAST(sum(a.beneficiaries) AS BIGINT) AS beneficiaries
FROM activities a
WHERE a.site_id = $site AND a.activity_date BETWEEN $date_from AND $date_to
GROUP BY a.service_type
ORDER BY activities DESC, a.service_type;
