-- Days from posting to completion of the micro-wishes done in the window, in fixed buckets
-- (lo..hi days, hi NULL = open-ended). Empty buckets are 0. $towns, $date_from, $date_to.
WITH b AS (
    SELECT * FROM (VALUES (1, 0, 7), (2, 8, 14), (3, 15, 30), (4, 31, 60), (5, 61, 90), (6, 91, NULL))
        AS b(bucket, lo, hi)
), d AS (
    SELECT w.done_date - w.published_date AS days
    FROM micro_wishes w
    WHERE w.done_date BETWEEN $date_from AND $date_to
      AND (len($towns) = 0 OR w.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
)
SELECT b.bucket, b.lo, b.hi, count(d.days) AS wishes
FROM b LEFT JOIN d ON d.days >= b.lo AND (b.hi IS NULL OR d.days <= b.hi)
GROUP BY b.bucket, b.lo, b.hi
ORDER BY b.bucket;
