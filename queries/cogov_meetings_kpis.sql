-- Meetings by type: in [$date_from, $date_to] and cumulative (since the data starts) in the selected towns.
-- $towns: town codes ([] = all), via the meeting's community.
WITH mt AS (
    SELECT m.* FROM meetings m JOIN villages v ON v.village_code = m.community_code
    WHERE len($towns) = 0 OR list_contains($towns, v.town_code)
)
SELECT ty.meeting_type, ty.ord,
       count(mt.meeting_id) FILTER (WHERE mt.meeting_date BETWEEN $date_from AND $date_to) AS in_window,
       count(mt.meeting_id) AS cumulative,
       coalesce(sum(mt.attendees) FILTER (WHERE mt.meeting_date BETWEEN $date_from AND $date_to), 0) AS attendees
FROM (VALUES ('坝坝会', 1), ('座谈会', 2), ('议事会', 3), ('联席会议', 4), ('政策宣传', 5)) AS ty(meeting_type, ord)
LEFT JOIN mt ON mt.meeting_type = ty.meeting_type
GROUP BY ty.meeting_type, ty.ord
ORDER BY ty.ord;
