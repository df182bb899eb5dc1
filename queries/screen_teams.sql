-- 大屏: volunteer teams of the 文明实践 county and their registered members (a count, no people).
SELECT count(*) AS teams, coalesce(sum(members), 0) AS members
FROM teams t JOIN counties c USING (county_code)
WHERE c.programme = '文明实践';
