-- The monthly bulletin (bulletin.ts): the run it reports on and the trend since the start of
-- the year, read from the runs table and the campaign views (targets.sql).

-- step: bulletin.run
-- The last published run whose as-of date falls in the month starting $month_start.
SELECT run_id, as_of FROM runs
WHERE command = 'run' AND status IN ('succeeded', 'warnings') AND as_of IS NOT NULL AND date_trunc('month', as_of) = CAST($month_start AS DATE)
ORDER BY as_of DESC, run_id DESC LIMIT 1;

-- step: bulletin.trend
-- Every district's (and the city's) completion per month of $year up to the month.
SELECT strftime(month, '%Y-%m') AS m, district_code, district_name, completion FROM campaign_monthly
WHERE year = $year AND month <= CAST($month_start AS DATE) ORDER BY month, district_code;

-- step: bulletin.trend.cases
-- Cases opened and resolved city-wide per month of $year up to the month.
SELECT strftime(month, '%Y-%m') AS m, sum(opened) AS opened, sum(resolved) AS resolved FROM campaign_case_flow
WHERE year(month) = $year AND month <= CAST($month_start AS DATE) GROUP BY month ORDER BY month;
