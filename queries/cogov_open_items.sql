-- Feedback items still open (收集 or 议事) in the selected towns, oldest first, whatever the date window.
-- $towns: town codes ([] = all). $as_of: the data's day. $overdue_days: open longer than this is `overdue`.
-- $limit rows after the first $offset (the page's table shows one page; its count is cogov_feedback_kpis'
-- open_now); $limit NULL: every row (the download, the briefing).
SELECT f.feedback_id, f.received_date, date_diff('day', f.received_date, $as_of) AS age_days,
       date_diff('day', f.received_date, $as_of) > $overdue_days AS overdue,
       f.status, f.category, f.channel, f.summary, c.compound_id, c.name AS compound_name,
       c.community_name, c.town_name
FROM feedback f JOIN v_compounds c USING (compound_id)
WHERE f.status <> '办结' AND (len($towns) = 0 OR list_contains($towns, c.town_code))
ORDER BY f.received_date, f.feedback_id
LIMIT $limit OFFSET $offset;
