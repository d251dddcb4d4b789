-- The campaign views (targets and their completion, docs/campaign.md). They read the ledger
-- views (ledger_selected) and ledger_employer, so publish creates them after those.
-- 目标任务 as loaded: the current targets rows, 区县 resolved to a district code (a division
-- code as written, else a district of the city whose name or short name, without 区/市/县,
-- matches), 参保率目标 read as a fraction (95%, 95 and 0.95 are all 0.95), 征缴目标 in yuan.
-- One row per district and year: a later file (then a later line) wins.
CREATE OR REPLACE VIEW campaign_targets AS
WITH city AS (SELECT DISTINCT district_code AS code FROM employers WHERE coalesce(district_code, '') <> ''),
raw AS (
  SELECT t.file_id, t.src_line, t.as_of, t.year, t.district AS district_text,
         regexp_replace(t.district, '\s', '', 'g') AS d,
         t.target_units, t.target_persons,
         regexp_replace(replace(coalesce(t.target_coverage, ''), '％', '%'), '\s', '', 'g') AS cov,
         coalesce(t.target_collection, t.target_collection_wan * 10000) AS target_collection
  FROM targets_current t),
typed AS (
  SELECT raw.*,
         CASE WHEN cov = '' THEN NULL
              WHEN ends_with(cov, '%') THEN try_cast(rtrim(cov, '%') AS DOUBLE) / 100
              WHEN try_cast(cov AS DOUBLE) > 1.5 THEN try_cast(cov AS DOUBLE) / 100
              ELSE try_cast(cov AS DOUBLE) END AS target_coverage,
         coalesce(
           (SELECT min(dv.code) FROM ref_division dv WHERE dv.level = 'district' AND dv.code = raw.d),
           (SELECT min(dv.code) FROM ref_division dv JOIN city ON city.code = dv.code
             WHERE dv.name = raw.d OR (length(dv.name) > 2 AND regexp_replace(dv.name, '(区|市|县)$', '') = raw.d))) AS district_code
  FROM raw)
SELECT typed.district_code, dv.name AS district_name, typed.district_text, typed.year,
       typed.target_units, typed.target_persons, typed.target_coverage, typed.cov AS target_coverage_text,
       typed.target_collection, typed.file_id, typed.src_line, typed.as_of
FROM typed LEFT JOIN ref_division dv ON dv.code = typed.district_code
QUALIFY row_number() OVER (PARTITION BY coalesce(typed.district_code, typed.d), typed.year ORDER BY typed.as_of DESC, typed.file_id DESC, typed.src_line DESC) = 1
ORDER BY typed.district_code NULLS LAST, typed.year;

-- Actuals per district for the selected run (only when ledger_employer and employer_facts belong to it).
CREATE OR REPLACE VIEW campaign_actual AS
SELECT le.district_code,
       count(*) FILTER (WHERE le.should_enroll) AS should_enroll,
       count(*) FILTER (WHERE le.enrolled) AS insured_units,
       coalesce(sum(f.insured_110) FILTER (WHERE le.enrolled), 0) AS insured_persons,
       CAST(count(*) FILTER (WHERE le.enrolled) AS DOUBLE) / nullif(count(*) FILTER (WHERE le.should_enroll), 0) AS coverage_rate,
       coalesce(sum(le.collected_ytd), 0) AS collected
FROM ledger_employer le JOIN employer_facts f USING (employer_id)
WHERE le.run_id = (SELECT run_id FROM ledger_selected WHERE facts_current) AND le.district_code <> ''
GROUP BY ALL;

-- Actual, target, completion and rank per district for the selected run, and a 全市合计 row
-- (district_code NULL). This is what district_progress keeps for every run.
CREATE OR REPLACE VIEW campaign_progress_now AS
WITH s AS (SELECT run_id, as_of, year(as_of) AS year, CAST(date_trunc('month', as_of) AS DATE) AS month FROM ledger_selected WHERE facts_current),
t AS (SELECT ct.* FROM campaign_targets ct, s WHERE ct.year = s.year AND ct.district_code IS NOT NULL),
d AS (
  SELECT s.run_id, s.as_of, s.month, s.year, k.district_code, coalesce(dv.name, k.district_code) AS district_name,
         coalesce(a.should_enroll, 0) AS should_enroll, coalesce(a.insured_units, 0) AS insured_units,
         coalesce(a.insured_persons, 0) AS insured_persons, a.coverage_rate, coalesce(a.collected, 0) AS collected,
         t.target_units, t.target_persons, t.target_coverage, t.target_collection
  FROM (SELECT district_code FROM t UNION SELECT district_code FROM campaign_actual) k
  CROSS JOIN s
  LEFT JOIN campaign_actual a USING (district_code) LEFT JOIN t USING (district_code)
  LEFT JOIN ref_division dv ON dv.code = k.district_code),
c AS (
  SELECT d.*,
         CAST(insured_units AS DOUBLE) / nullif(target_units, 0) AS completion_units,
         CAST(insured_persons AS DOUBLE) / nullif(target_persons, 0) AS completion_persons,
         coverage_rate / nullif(target_coverage, 0) AS completion_coverage,
         CAST(collected AS DOUBLE) / nullif(target_collection, 0) AS completion_collection
  FROM d),
m AS (
  SELECT c.*,
         CAST((completion_units IS NOT NULL) AS INTEGER) + CAST((completion_persons IS NOT NULL) AS INTEGER)
           + CAST((completion_coverage IS NOT NULL) AS INTEGER) + CAST((completion_collection IS NOT NULL) AS INTEGER) AS targets_given
  FROM c),
r AS (
  SELECT m.*,
         (coalesce(completion_units, 0) + coalesce(completion_persons, 0) + coalesce(completion_coverage, 0) + coalesce(completion_collection, 0))
           / nullif(targets_given, 0) AS completion
  FROM m),
tot AS (
  -- The city: actuals of every district against the sum of the districts' targets (the city's
  -- own target); the coverage target weighted by should-be-insured employers (the rate the
  -- city reaches when every district meets its own target).
  SELECT any_value(run_id) AS run_id, any_value(as_of) AS as_of, any_value(month) AS month, any_value(year) AS year,
         NULL::VARCHAR AS district_code, '全市合计' AS district_name,
         sum(should_enroll) AS should_enroll, sum(insured_units) AS insured_units, sum(insured_persons) AS insured_persons,
         CAST(sum(insured_units) AS DOUBLE) / nullif(sum(should_enroll), 0) AS coverage_rate, sum(collected) AS collected,
         sum(target_units) FILTER (WHERE target_units > 0) AS target_units,
         sum(target_persons) FILTER (WHERE target_persons > 0) AS target_persons,
         sum(target_coverage * should_enroll) FILTER (WHERE target_coverage > 0) / nullif(sum(should_enroll) FILTER (WHERE target_coverage > 0), 0) AS target_coverage,
         sum(target_collection) FILTER (WHERE target_collection > 0) AS target_collection
  FROM r HAVING count(*) > 0),
tc AS (
  SELECT tot.*,
         CAST(insured_units AS DOUBLE) / nullif(target_units, 0) AS completion_units,
         CAST(insured_persons AS DOUBLE) / nullif(target_persons, 0) AS completion_persons,
         coverage_rate / nullif(target_coverage, 0) AS completion_coverage,
         CAST(collected AS DOUBLE) / nullif(target_collection, 0) AS completion_collection
  FROM tot),
tm AS (
  SELECT tc.*,
         CAST((completion_units IS NOT NULL) AS INTEGER) + CAST((completion_persons IS NOT NULL) AS INTEGER)
           + CAST((completion_coverage IS NOT NULL) AS INTEGER) + CAST((completion_collection IS NOT NULL) AS INTEGER) AS targets_given
  FROM tc)
SELECT run_id, as_of, month, year, district_code, district_name, should_enroll, insured_units, insured_persons, coverage_rate, collected,
       target_units, target_persons, target_coverage, target_collection,
       completion_units, completion_persons, completion_coverage, completion_collection, targets_given, completion,
       CASE WHEN completion IS NOT NULL THEN CAST(rank() OVER (ORDER BY completion DESC NULLS LAST) AS INTEGER) END AS rank
FROM r
UNION ALL
SELECT run_id, as_of, month, year, district_code, district_name, should_enroll, insured_units, insured_persons, coverage_rate, collected,
       target_units, target_persons, target_coverage, target_collection,
       completion_units, completion_persons, completion_coverage, completion_collection, targets_given,
       (coalesce(completion_units, 0) + coalesce(completion_persons, 0) + coalesce(completion_coverage, 0) + coalesce(completion_collection, 0))
         / nullif(targets_given, 0) AS completion,
       NULL::INTEGER AS rank
FROM tm;

-- The last run of each month with a progress record: what the bulletin and the trend use.
CREATE OR REPLACE VIEW campaign_month_runs AS
SELECT month, run_id, as_of FROM (SELECT DISTINCT month, run_id, as_of FROM district_progress)
QUALIFY row_number() OVER (PARTITION BY month ORDER BY as_of DESC, run_id DESC) = 1
ORDER BY month;

-- Per month (its last run) and district: progress, and the change against the last run of the month before.
CREATE OR REPLACE VIEW campaign_monthly AS
WITH cur AS (SELECT p.* FROM district_progress p JOIN campaign_month_runs USING (run_id))
SELECT cur.*,
       prev.run_id AS prev_run_id,
       prev.as_of AS prev_as_of,
       prev.insured_units AS prev_insured_units,
       cur.insured_units - prev.insured_units AS insured_units_change,
       prev.insured_persons AS prev_insured_persons,
       cur.insured_persons - prev.insured_persons AS insured_persons_change,
       prev.coverage_rate AS prev_coverage_rate,
       cur.coverage_rate - prev.coverage_rate AS coverage_rate_change,
       prev.collected AS prev_collected,
       cur.collected - prev.collected AS collected_change,
       prev.completion AS prev_completion,
       cur.completion - prev.completion AS completion_change,
       prev.rank AS prev_rank,
       -- Positive: the district moved up (its rank number fell).
       prev.rank - cur.rank AS rank_change
FROM cur LEFT JOIN cur prev
  ON prev.month = CAST(cur.month - INTERVAL 1 MONTH AS DATE) AND prev.district_code IS NOT DISTINCT FROM cur.district_code
ORDER BY cur.month, cur.district_code IS NULL, cur.rank NULLS LAST, cur.district_code;

-- 目标完成情况: the selected run's progress and its change since the last run of the month before.
CREATE OR REPLACE VIEW ledger_targets AS
WITH s AS (SELECT run_id, as_of FROM ledger_selected),
cur AS (SELECT p.* FROM district_progress p JOIN s USING (run_id)),
pr AS (
  SELECT m.run_id FROM campaign_month_runs m, s
  WHERE m.month = CAST(date_trunc('month', s.as_of) - INTERVAL 1 MONTH AS DATE)),
prev AS (SELECT p.* FROM district_progress p JOIN pr USING (run_id))
SELECT cur.*,
       prev.run_id AS prev_run_id,
       prev.as_of AS prev_as_of,
       prev.insured_units AS prev_insured_units,
       cur.insured_units - prev.insured_units AS insured_units_change,
       prev.insured_persons AS prev_insured_persons,
       cur.insured_persons - prev.insured_persons AS insured_persons_change,
       prev.coverage_rate AS prev_coverage_rate,
       cur.coverage_rate - prev.coverage_rate AS coverage_rate_change,
       prev.collected AS prev_collected,
       cur.collected - prev.collected AS collected_change,
       prev.completion AS prev_completion,
       cur.completion - prev.completion AS completion_change,
       prev.rank AS prev_rank,
       -- Positive: the district moved up (its rank number fell).
       prev.rank - cur.rank AS rank_change
FROM cur LEFT JOIN prev ON prev.district_code IS NOT DISTINCT FROM cur.district_code
ORDER BY cur.district_code IS NULL, cur.rank NULLS LAST, cur.district_code;

-- New, reopened, resolved and exempt cases per month (of the run's as-of date) and district.
CREATE OR REPLACE VIEW campaign_case_flow AS
SELECT CAST(date_trunc('month', r.as_of) AS DATE) AS month, coalesce(e.district_code, '') AS district_code,
       coalesce(any_value(dv.name), '未知区县') AS district_name,
       count(DISTINCT ce.case_id) FILTER (WHERE ce.to_state = 'new') AS opened,
       count(DISTINCT ce.case_id) FILTER (WHERE ce.to_state = 'reopened') AS reopened,
       count(DISTINCT ce.case_id) FILTER (WHERE ce.to_state = 'resolved') AS resolved,
       count(DISTINCT ce.case_id) FILTER (WHERE ce.to_state = 'exempt') AS exempt
FROM case_events ce JOIN runs r USING (run_id) JOIN cases c USING (case_id)
LEFT JOIN employers e ON e.employer_id = c.employer_id LEFT JOIN ref_division dv ON dv.code = e.district_code
WHERE r.as_of IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2;
