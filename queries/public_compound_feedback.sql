-- One compound's feedback (诉求) counted by category: received, in progress (收集/议事), closed (办结), and
-- the median days from receipt to closing over the closed ones. The last row (category NULL) is the total
-- over all categories. $compound: compound_id.
SELECT category,
       count(*) AS received,
       count(*) FILTER (WHERE status <> '办结') AS in_progress,
       count(*) FILTER (WHERE status = '办结') AS closed,
       median(date_diff('day', received_date, resolved_date)) FILTER (WHERE status = '办结') AS median_days
FROM feedback
WHERE compound_id = $compound
GROUP BY GROUPING SETS ((category), ())
ORDER BY category IS NULL, received DESC, category;
