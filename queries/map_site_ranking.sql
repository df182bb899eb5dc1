-- The sites an institute (所) or the county centre (中心) leads, ranked by activity in the window:
-- an institute's village stations, or the centre's township institutes (each with its stations).
-- $site VARCHAR (the parent); $date_from/$date_to DATE; $as_of DATE (idle as in map_sites).
WITH kids AS (
    SELECT s.site_id, s.level, s.name, CASE s.level WHEN '所' THEN replace(s.name, '新时代文明实践所', '实践所')
                ELSE coalesce(v.name, s.name) END AS label, s.town_code
    FROM sites s LEFT JOIN villages v USING (village_code)
    WHERE s.parent_site_id = $site AND s.level IN ('所', '站')
),
members AS (   -- a child and, for an institute, its own stations
    SELECT k.site_id AS child_id, k.site_id AS site_id FROM kids k
    UNION ALL
    SELECT k.site_id, s.site_id FROM kids k JOIN sites s ON s.parent_site_id = k.site_id AND s.level = '站'
),
win AS (
    SELECT m.child_id, count(a.activity_id) AS activities, CAST(coalesce(sum(a.beneficiaries), 0) AS BIGINT) AS beneficiaries
    FROM members m LEFT JOIN activities a
      ON a.site_id = m.site_id AND a.activity_date BETWEEN $date_from AND $date_to
    GROUP BY m.child_id
),
last AS (
    SELECT k.site_id, max(a.activity_date) AS last_activity
    FROM kids k LEFT JOIN activities a ON a.site_id = k.site_id AND a.activity_date <= $as_of
    GROUP BY k.site_id
)
SELECT k.site_id, k.level, k.name, k.label, k.town_code, w.activities, w.beneficiaries, l.last_activity,
       (l.last_activity IS NULL OR l.last_activity <= CAST($as_of AS DATE) - INTERVAL 30 DAY) AS idle
FROM kids k JOIN win w ON w.child_id = k.site_id JOIN last l USING (site_id)
ORDER BY w.activities DESC, w.beneficiaries DESC, k.site_id;
