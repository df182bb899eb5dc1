-- The data's last day ("数据截至").
SELECT value AS as_of FROM meta WHERE key = 'as_of';
