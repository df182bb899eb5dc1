-- Key events to annotate on the monthly trend: 文明集市 (each September) and the 12·5 国际志愿者日
-- series (December), overlapping the window. One row per kind and start date (replicas share dates).
-- kind = 'market' | 'dec5'. $date_from, $date_to.
SELECT DISTINCT CASE WHEN name = '文明集市' THEN 'market' ELSE 'dec5' END AS kind,
       min(name) OVER (PARTITION BY start_date) AS name, start_date, end_date,
       date_trunc('month', start_date)::DATE AS month
FROM campaigns
WHERE (name = '文明集市' OR name LIKE '12·5%')
  AND start_date <= $date_to AND end_date >= $date_from
ORDER BY start_date, kind;
