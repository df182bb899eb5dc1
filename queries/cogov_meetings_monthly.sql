-- Consultation meetings and policy publicity per month and type in [$date_from, $date_to].
-- $towns: town codes ([] = all), via the meeting's community. Every month × type appears (zeros included).
WITH mt AS (
    SELECT m.* FROM meetings m JOIN villages v ON v.village_code = m.community_code
    WHERE (len($towns) = 0 OR list_contains($towns, v.town_code))
      AND m.meeting_date BETWEEN $date_from AND $date_to
),
months AS (
    SELECT CAST(m AS DATE) AS month
    FROM range(CAST(date_trunc('month', CAST($date_from AS DATE)) AS TIMESTAMP),
               CAST(CAST($date_to AS DATE) AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 MONTH) r(m)
),
ty AS (SELECT * FROM (VALUES ('坝坝会', 1), ('座谈会', 2), ('议事会', 3), ('联席会议', 4), ('政策宣传', 5)) t(meeting_type, ord))
SELECT months.month, ty.meeting_type, ty.ord, count(mt.meeting_id) AS meetings,
       coalesce(sum(mt.attendees), 0) AS attendees
FROM months CROSS JOIN ty
LEFT JOIN mt ON mt.meeting_type = ty.meeting_type AND date_trunc('month', mt.meeting_date) = months.month
GROUP BY months.month, ty.meeting_type, ty.ord
ORDER BY months.month, ty.ord;
