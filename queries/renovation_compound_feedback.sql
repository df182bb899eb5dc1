-- One compound's feedback items (诉求), newest first, with days to resolve (or days open so far).
-- $compound: compound_id. $as_of: the data's day.
SELECT feedback_id, received_date, category, channel, summary, status, resolved_date,
       date_diff('day', received_date, coalesce(resolved_date, $as_of)) AS days
FROM feedback
WHERE compound_id = $compound
ORDER BY received_date DESC, feedback_id DESC;
