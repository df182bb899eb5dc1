-- Filter options of the volunteer page: the service types and team types that occur (in the schema's
-- order), and the years with activities. kind = 'stype' | 'ttype' | 'year'. No parameters.
SELECT kind, value FROM (
    SELECT DISTINCT 'stype' AS kind, service_type AS value,
           list_position(['理论宣讲', '文化惠民', '项目品牌', '乡风文明', '扶危帮困'], service_type) AS ord
    FROM activities
    UNION ALL
    SELECT DISTINCT 'ttype', team_type,
           list_position(['总队', '分队', '站队', '专业队', '协会'], team_type)
    FROM teams
    UNION ALL
    SELECT DISTINCT 'year', CAST(year(activity_date) AS VARCHAR), year(activity_date)
    FROM activities
)
ORDER BY kind, ord NULLS LAST, value;
