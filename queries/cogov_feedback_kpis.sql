-- Resident feedback (诉求) received in [$date_from, $date_to] in the selected towns ($towns, [] = all):
-- counts by current status, days to resolve among those resolved (median, 90th percentile, continuous
-- interpolation), and the items open now regardless of the window (`open_now`, `oldest_open_days`, and
-- `overdue_now`: open longer than $overdue_days, civic/measures.py FEEDBACK_OVERDUE_DAYS).
WITH fb AS (
    SELECT f.*, date_diff('day', f.received_date, f.resolved_date) AS days
    FROM feedback f JOIN compounds c USING (compound_id)
    WHERE len($towns) = 0 OR list_contains($towns, c.town_code)
),
w AS (SELECT * FROM fb WHERE received_date BETWEEN $date_from AND $date_to)
SELECT
    (SELECT count(*) FROM w) AS received,
    (SELECT count(*) FROM w WHERE status = '收集') AS collected,
    (SELECT count(*) FROM w WHERE status = '议事') AS discussing,
    (SELECT count(*) FROM w WHERE status = '办结') AS resolved,
    (SELECT quantile_cont(days, 0.5) FROM w WHERE status = '办结') AS median_days,
    (SELECT quantile_cont(days, 0.9) FROM w WHERE status = '办结') AS p90_days,
    (SELECT count(*) FROM fb WHERE status <> '办结') AS open_now,
    (SELECT max(date_diff('day', received_date, $as_of)) FROM fb WHERE status <> '办结') AS oldest_open_days,
    (SELECT count(*) FROM fb WHERE status <> '办结' AND date_diff('day', received_date, $as_of) > $overdue_days)
        AS overdue_now,
    (SELECT count(*) FROM fb) AS received_all;
