-- One compound's 坝坝会 and 议事会 (and a 座谈会 once a decision of it is imported), newest first, with what
-- they decided and the decision's approval (NULL approval: a 坝坝会 / 座谈会 collects opinions; a meeting
-- without a recorded decision shows none).
-- $compound: compound_id.
SELECT m.meeting_id, m.meeting_date, m.meeting_type, m.topic, d.decision, d.approval, d.approved_date
FROM meetings m
LEFT JOIN meeting_decisions d USING (meeting_id)
WHERE m.compound_id = $compound AND (m.meeting_type IN ('坝坝会', '议事会') OR d.meeting_id IS NOT NULL)
ORDER BY m.meeting_date DESC, m.meeting_id DESC;
