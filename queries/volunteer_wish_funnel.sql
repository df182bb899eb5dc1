-- 微心愿 in the window, for wishes at stations of the selected towns.
-- Funnel (a cohort): published = posted in the window; claimed / done = of those, claimed / done by
-- $date_to. done_in_window counts completions dated in the window (the published "认领微心愿办实事"
-- figure counts these for the reporting year). Days to complete (posted → done, and claimed → done) for
-- the wishes done in the window: median and 90th percentile. overdue = claims older than 30 days, not
-- done by $date_to, whenever claimed. $towns, $date_from, $date_to.
WITH w AS (
    SELECT w.*
    FROM micro_wishes w
    WHERE (len($towns) = 0 OR w.site_id IN (SELECT site_id FROM sites WHERE list_contains($towns, town_code)))
)
SELECT count(*) FILTER (WHERE published_date BETWEEN $date_from AND $date_to) AS published,
       count(*) FILTER (WHERE published_date BETWEEN $date_from AND $date_to
                        AND claimed_date <= $date_to) AS claimed,
       count(*) FILTER (WHERE published_date BETWEEN $date_from AND $date_to
                        AND done_date <= $date_to) AS done,
       count(*) FILTER (WHERE done_date BETWEEN $date_from AND $date_to) AS done_in_window,
       count(*) FILTER (WHERE claimed_date BETWEEN $date_from AND $date_to) AS claimed_in_window,
       median(done_date - published_date) FILTER (WHERE done_date BETWEEN $date_from AND $date_to) AS median_days,
       quantile_cont(done_date - published_date, 0.9)
           FILTER (WHERE done_date BETWEEN $date_from AND $date_to) AS p90_days,
       median(done_date - claimed_date) FILTER (WHERE done_date BETWEEN $date_from AND $date_to) AS median_claim_days,
       count(*) FILTER (WHERE claimed_date <= $date_to::DATE - 30
                        AND (done_date IS NULL OR done_date > $date_to)) AS overdue
FROM w;
