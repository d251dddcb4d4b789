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

-- step: bulletin.people
-- The people of the run $run per district and the 合计 row (district_code NULL), as publish
-- recorded them (ledger_person_district), with the people found uninsured at an employer of the
-- district (person_uninsured findings of the run; 合计 counts each person once).
WITH uninsured AS (
  SELECT CASE WHEN grouping(district_code) = 1 THEN '合计' ELSE district_code END AS k, count(DISTINCT person_key) AS uninsured
  FROM (SELECT f.person_key, coalesce(e.district_code, '') AS district_code
        FROM findings f JOIN employers e ON e.employer_id = f.employer_id
        WHERE f.run_id = $run AND f.rule_id = 'person_uninsured' AND f.person_key <> '')
  GROUP BY GROUPING SETS ((district_code), ()))
SELECT l.district_code, l.district_name, l.wage_earners, l.wage_earners_enrolled, l.lapsed, l.assistance, l.assistance_covered,
       coalesce(u.uninsured, 0) AS uninsured
FROM ledger_person_district l LEFT JOIN uninsured u ON u.k = coalesce(l.district_code, '合计')
WHERE l.run_id = $run
ORDER BY l.district_code IS NULL, l.district_code = '', l.district_code;

-- step: bulletin.projects
-- 新开工项目工伤保险参保率 of the run $run per district and the 合计 row (district_code NULL), as
-- publish recorded them (ledger_project_runs), the districts with permits ranked on the rate
-- (then on the permits: more projects first); 未知区县 and districts without permits unranked.
WITH r AS (SELECT *, district_code IS NOT NULL AND district_code <> '' AND permits > 0 AS ranked FROM ledger_project_runs WHERE run_id = $run)
SELECT district_code, district_name, permits, insured, rate, target, reached,
       CASE WHEN ranked THEN rank() OVER (PARTITION BY ranked ORDER BY rate DESC, permits DESC) END AS rank
FROM r
ORDER BY district_code IS NULL, rank NULLS LAST, district_code;
