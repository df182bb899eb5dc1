-- One compound's next announced meeting after the data's day (none: no row). $compound, $as_of.
SELECT schedule_id, meeting_date, meeting_type, topic
FROM scheduled_meetings
WHERE compound_id = $compound AND meeting_date > $as_of
ORDER BY meeting_date
LIMIT 1;
