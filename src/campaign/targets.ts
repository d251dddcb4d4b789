import type { Db } from '../db/database.ts';
import type { Logger } from '../core/log.ts';

/**
 * Targets (目标任务) and their completion per district: the SQL of the campaign views and the
 * per-run history table `district_progress`. Every number of the 目标完成情况 sheet and of the
 * monthly bulletin is a row of these views, so `recon query` reproduces it (docs/campaign.md).
 *
 * Definitions (per district, for a run with as-of date D, target year Y = year(D)):
 * - insured units (参保单位数): employers active and enrolled in pension (110), as 汇总 counts them
 *   (`ledger_employer.enrolled`);
 * - insured persons (参保人数): the pension insured count of those employers in the closed month M
 *   (`employer_facts.insured_110`: paid count, else the enrollment's count);
 * - coverage rate (参保率): insured units / employers that should be insured (`ledger_employer.should_enroll`),
 *   the 汇总 参保率;
 * - collected (征缴金额): contributions paid (all types) for the months of Y up to D (`employer_payments`);
 * - completion of a target: actual / target; a target that is blank or 0 is not given;
 * - overall completion (综合完成率): the mean of the completions of the targets given;
 * - rank (排名): by overall completion, highest first, equal completions share a rank (RANK());
 *   districts without any target are not ranked;
 * - change since last month: against the last run (by as-of date, then run id) whose as-of date
 *   falls in the month before D's month;
 * - the city (全市合计, district_code NULL): every district's actuals against the sum of the
 *   districts' targets; its coverage target is the districts' targets weighted by their
 *   should-be-insured employers.
 */

/** The per-run history: one row per district (and one 全市合计 row, district_code NULL) for every run. */
export const CAMPAIGN_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS district_progress (
  run_id VARCHAR NOT NULL,
  as_of DATE NOT NULL,
  month DATE NOT NULL,
  year INTEGER NOT NULL,
  district_code VARCHAR,
  district_name VARCHAR NOT NULL,
  should_enroll BIGINT,
  insured_units BIGINT,
  insured_persons BIGINT,
  coverage_rate DOUBLE,
  collected DECIMAL(18, 2),
  target_units BIGINT,
  target_persons BIGINT,
  target_coverage DOUBLE,
  target_collection DECIMAL(18, 2),
  completion_units DOUBLE,
  completion_persons DOUBLE,
  completion_coverage DOUBLE,
  completion_collection DOUBLE,
  targets_given INTEGER,
  completion DOUBLE,
  rank INTEGER,
  recorded_at TIMESTAMP NOT NULL
);
`;

/** The metrics compared month on month: actuals and completions. */
const CHANGED = ['insured_units', 'insured_persons', 'coverage_rate', 'collected', 'completion'] as const;

/** Columns `prev_*` and `*_change` of `cur` against `prev` (both district_progress rows). */
function changeColumns(): string {
  return [
    'prev.run_id AS prev_run_id',
    'prev.as_of AS prev_as_of',
    ...CHANGED.flatMap((c) => [`prev.${c} AS prev_${c}`, `cur.${c} - prev.${c} AS ${c}_change`]),
    'prev.rank AS prev_rank',
    // Positive: the district moved up (its rank number fell).
    'prev.rank - cur.rank AS rank_change',
  ].join(',\n       ');
}

/** The campaign views; they read the ledger views (`ledger_selected`, `ledger_employer`), so they are created after them. */
export const CAMPAIGN_VIEWS_SQL = `
-- 目标任务 as loaded: the current targets rows, 区县 resolved to a district code (a division
-- code as written, else a district of the city whose name or short name, without 区/市/县,
-- matches), 参保率目标 read as a fraction (95%, 95 and 0.95 are all 0.95), 征缴目标 in yuan.
-- One row per district and year: a later file (then a later line) wins.
CREATE OR REPLACE VIEW campaign_targets AS
WITH city AS (SELECT DISTINCT district_code AS code FROM employers WHERE coalesce(district_code, '') <> ''),
raw AS (
  SELECT t.file_id, t.src_line, t.as_of, t.year, t.district AS district_text,
         regexp_replace(t.district, '\\s', '', 'g') AS d,
         t.target_units, t.target_persons,
         regexp_replace(replace(coalesce(t.target_coverage, ''), '％', '%'), '\\s', '', 'g') AS cov,
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

-- Actuals per district for the selected run (only when employer_facts belongs to it).
CREATE OR REPLACE VIEW campaign_actual AS
WITH s AS (SELECT * FROM ledger_selected),
emp AS (
  SELECT le.district_code,
         count(*) FILTER (WHERE le.should_enroll) AS should_enroll,
         count(*) FILTER (WHERE le.enrolled) AS insured_units,
         coalesce(sum(f.insured_110) FILTER (WHERE le.enrolled), 0) AS insured_persons
  FROM ledger_employer le JOIN employer_facts f USING (employer_id)
  WHERE le.district_code <> '' GROUP BY ALL),
pay AS (
  SELECT e.district_code, sum(p.amount_paid) AS collected
  FROM employer_payments p JOIN employers e USING (employer_id) CROSS JOIN s
  WHERE s.facts_current AND coalesce(e.district_code, '') <> ''
    AND year(p.period) = year(s.as_of) AND p.period <= s.as_of
  GROUP BY ALL)
SELECT district_code, coalesce(emp.should_enroll, 0) AS should_enroll, coalesce(emp.insured_units, 0) AS insured_units,
       coalesce(emp.insured_persons, 0) AS insured_persons,
       CAST(emp.insured_units AS DOUBLE) / nullif(emp.should_enroll, 0) AS coverage_rate,
       coalesce(pay.collected, 0) AS collected
FROM emp FULL JOIN pay USING (district_code);

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
       ${changeColumns()}
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
       ${changeColumns()}
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
`;


/** Creates the campaign table and views (after the ledger views, which they read). */
export async function createCampaignViews(db: Db): Promise<void> {
  await db.run(CAMPAIGN_SCHEMA_SQL, undefined, { step: 'campaign.schema' });
  await db.run(CAMPAIGN_VIEWS_SQL, undefined, { step: 'campaign.views' });
}

/**
 * Records the selected run's progress (campaign_progress_now) in district_progress, replacing
 * what the run recorded before: the history the 目标完成情况 sheet and the bulletin compare with.
 * Returns the districts recorded (without the city row) and the targets rows whose 区县 was not recognised.
 */
export async function recordDistrictProgress(db: Db, runId: string, logger?: Logger): Promise<{ districts: number; unresolved: string[] }> {
  // Only the run whose facts the database holds can be measured; an older run keeps its record.
  const sel = await db.one<{ run_id: string; facts_current: boolean }>(`SELECT run_id, facts_current FROM ledger_selected`, undefined, { step: 'campaign.progress' });
  if (!sel || sel.run_id !== runId || !sel.facts_current) return { districts: 0, unresolved: [] };
  await db.run(`DELETE FROM district_progress WHERE run_id = $1`, [runId], { step: 'campaign.progress' });
  await db.run(
    `INSERT INTO district_progress BY NAME SELECT *, current_timestamp AS recorded_at FROM campaign_progress_now WHERE run_id = $1`,
    [runId],
    { step: 'campaign.progress' },
  );
  const n = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM district_progress WHERE run_id = $1 AND district_code IS NOT NULL`, [runId], { step: 'campaign.progress' });
  const unresolved = (await db.all<{ district_text: string }>(`SELECT district_text FROM campaign_targets WHERE district_code IS NULL ORDER BY district_text`, undefined, { step: 'campaign.progress' })).map(
    (r) => r.district_text,
  );
  if (unresolved.length) logger?.warn({ unresolved }, `targets: ${unresolved.length} 区县 not recognised (neither a division code nor a district of the city): ${unresolved.join(', ')}`);
  return { districts: Number(n?.n ?? 0), unresolved };
}
