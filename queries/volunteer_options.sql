-- Filter options of the volunteer page: the service types (the schema's CHECK domain, in its order), the
-- team types that exist (in the schema's order) and the years of the data period (meta data_start to
-- as_of). kind = 'stype' | 'ttype' | 'year'. No parameters; no scan of the activity table.
WITH m AS (
    SELECT max(CASE WHEN key = 'data_start' THEN value END)::DATE AS data_start,
           max(CASE WHEN key = 'as_of' THEN value END)::DATE AS as_of
    FROM meta
)
SELECT kind, value FROM (
    SELECT 'stype' AS kind, unnest(['理论宣讲', '文化惠民', '项目品牌', '乡风文明', '扶危帮困']) AS value,
           unnest(range(1, 6)) AS ord
    UNION ALL
    SELECT DISTINCT 'ttype', team_type, list_position(['总队', '分队', '站队', '专业队', '协会'], team_type)
    FROM teams
    UNION ALL
    SELECT 'year', CAST(y AS VARCHAR), y
    FROM m, (SELECT unnest(range(year((SELECT data_start FROM m)), year((SELECT as_of FROM m)) + 1)) AS y)
)
ORDER BY kind, ord NULLS LAST, value;
