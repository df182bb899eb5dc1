-- One compound's funding by source. $compound: compound_id.
SELECT f.source, f.amount_yuan, f.amount_yuan / 1e4 AS amount_wan,
       f.amount_yuan / nullif(sum(f.amount_yuan) OVER (), 0) AS share
FROM funding f
WHERE f.compound_id = $compound
ORDER BY CASE f.source WHEN '财政奖补' THEN 1 WHEN '居民自筹' THEN 2 WHEN '集体经济' THEN 3 ELSE 4 END;
