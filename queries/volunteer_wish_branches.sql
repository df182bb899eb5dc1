-- Party branches ranked by claims they have not delivered (leaders ask which branches claim and never
-- deliver). For wishes at stations of the selected towns:
--   claimed   claims dated in the window;  done  of those, done by $date_to;  done_rate = done / claimed
--   open      claims up to $date_to not done by then (claimed at any time)
--   overdue   open claims older than 30 days;  oldest_open_days  the oldest open claim's age at $date_to
-- Branches with an open claim or a claim in the window; most overdue first, top 15.
-- $towns, $date_from, $date_to.
WITH w AS (
    SELECT w.branch_id, w.claimed_date, w.done_date
    FROM micro_wishes w
    WHERE w.branch_id IS NOT NULL AND w.claimed_date <= $date_to
      AND (len($towns) = 0 OR w.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
), g AS (
    SELECT branch_id,
           count(*) FILTER (WHERE claimed_date >= $date_from) AS claimed,
           count(*) FILTER (WHERE claimed_date >= $date_from AND done_date <= $date_to) AS done,
           count(*) FILTER (WHERE done_date IS NULL OR done_date > $date_to) AS open,
           count(*) FILTER (WHERE (done_date IS NULL OR done_date > $date_to)
                            AND claimed_date <= $date_to::DATE - 30) AS overdue,
           max(CAST($date_to::DATE - claimed_date AS INTEGER))
               FILTER (WHERE done_date IS NULL OR done_date > $date_to) AS oldest_open_days
    FROM w
    GROUP BY branch_id
)
SELECT g.branch_id, b.name, t.name AS town_name, b.members, g.claimed, g.done,
       CASE WHEN g.claimed > 0 THEN g.done / g.claimed END AS done_rate,
       g.open, g.overdue, g.oldest_open_days
FROM g JOIN party_branches b USING (branch_id) LEFT JOIN towns t ON t.town_code = b.town_code
WHERE g.claimed > 0 OR g.open > 0
ORDER BY g.overdue DESC, g.oldest_open_days DESC NULLS LAST, done_rate NULLS FIRST, g.branch_id
LIMIT 15;
