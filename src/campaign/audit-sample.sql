-- 年度稽核抽查 (audit-sample.ts): the pool of employers that can be drawn this month, the
-- stratified risk-weighted draw into audit_samples and its record in audit_sample_runs, and
-- the rows of the auditors' sheets. Scratch tables start with _as_; sampleAuditMonth drops them.
--
-- Placeholders of audit.pool, filled in audit-sample.ts from code constants (never from data):
--   {{size_band}}           CASE WHEN size < 10 THEN '0-9人' ... END, from SIZE_BANDS;
--   {{points_<factor>}}     the points of each risk factor (RISK_FACTORS);
--   {{title_<factor>}}      its title as a literal (the reasons shown on the sheet).

-- step: audit.pool
-- The pool: enrolled employers (active AND enrolled in 110) not sampled in $year and not on a
-- worklist (no case new/open/reopened), with size (max of pension insured count and
-- withholding headcount), size band, stratum (district x size band) and risk score.
CREATE OR REPLACE TEMP TABLE _as_pool AS
WITH enrolled AS (
  SELECT f.employer_id, coalesce(e.district_code, '') AS district_code, coalesce(dv.name, '未知区县') AS district_name,
         greatest(coalesce(f.insured_110, 0), coalesce(f.hw, 0)) AS size, f.industry_code
  FROM employer_facts f JOIN employers e USING (employer_id)
  LEFT JOIN ref_division dv ON dv.level = 'district' AND dv.code = e.district_code
  WHERE f.active AND f.enrolled),
hist AS (SELECT DISTINCT employer_id FROM findings),
owed AS (SELECT employer_id, sum(amount_due - amount_paid) AS owed FROM employer_payments GROUP BY employer_id),
-- Average pension base per insured person in the latest month paid.
base AS (
  SELECT employer_id, arg_max(base_total / insured_count, period) AS avg_base
  FROM employer_payments WHERE insurance_code = '110' AND insured_count > 0 GROUP BY employer_id),
med AS (SELECT median(avg_base) AS m FROM base WHERE employer_id IN (SELECT employer_id FROM enrolled)),
facts AS (
  SELECT n.*,
         n.employer_id IN (SELECT employer_id FROM hist) AS findings_history,
         coalesce(o.owed >= 100, false) AS arrears,
         coalesce(b.avg_base < (SELECT m FROM med), false) AS low_base,
         coalesce(i.work_injury_high_risk, false) AS high_risk_industry
  FROM enrolled n
  LEFT JOIN owed o USING (employer_id)
  LEFT JOIN base b USING (employer_id)
  -- The industry as the selective_enrollment rule reads it: a section letter, else the division (two digits).
  LEFT JOIN ref_industry i
    ON i.code = CASE WHEN regexp_full_match(upper(n.industry_code), '[A-T]') THEN upper(n.industry_code)
                     ELSE regexp_extract(upper(n.industry_code), '^[A-T]?(\d{2})', 1) END)
SELECT employer_id, district_code, district_name, size,
       {{size_band}} AS size_band,
       district_name || '·' || {{size_band}} AS stratum,
       1 + {{points_findings_history}} * findings_history::INTEGER + {{points_arrears}} * arrears::INTEGER
         + {{points_low_base}} * low_base::INTEGER + {{points_high_risk_industry}} * high_risk_industry::INTEGER AS risk_score,
       concat_ws('、', CASE WHEN findings_history THEN {{title_findings_history}} END, CASE WHEN arrears THEN {{title_arrears}} END,
                 CASE WHEN low_base THEN {{title_low_base}} END, CASE WHEN high_risk_industry THEN {{title_high_risk_industry}} END) AS risk_reasons
FROM facts
WHERE employer_id NOT IN (SELECT employer_id FROM audit_samples WHERE year = $year)
  AND employer_id NOT IN (SELECT employer_id FROM cases WHERE state IN ('new', 'open', 'reopened'));

-- step: audit.counts
-- Enrolled employers now, sampled in $year before this month, and the pool.
SELECT (SELECT count(*) FROM employer_facts WHERE active AND enrolled) AS enrolled,
       (SELECT count(*) FROM audit_samples WHERE year = $year) AS before,
       (SELECT count(*) FROM _as_pool) AS pool;

-- step: audit.draw
-- This month's $n employers. Quotas per stratum by largest remainder in integers:
-- quota = floor(n·size/pool), the leftover to the largest remainders ($pool is at least 1).
CREATE OR REPLACE TEMP TABLE _as_strata AS
WITH s AS (SELECT stratum, count(*) AS size FROM _as_pool GROUP BY stratum),
b AS (SELECT stratum, size, ($n * size) // $pool AS base, ($n * size) % $pool AS remainder FROM s),
r AS (SELECT *, row_number() OVER (ORDER BY remainder DESC, stratum) AS rk, $n - sum(base) OVER () AS leftover FROM b)
SELECT stratum, size, CAST(base + CASE WHEN rk <= leftover THEN 1 ELSE 0 END AS INTEGER) AS quota FROM r;
-- Within a stratum, weighted sampling without replacement (Efraimidis-Spirakis): key ln(u) / risk
-- score, u uniform in (0, 1) from the first 52 bits of md5(year-month-employer), the largest keys drawn.
CREATE OR REPLACE TEMP TABLE _as_drawn AS
WITH keyed AS (
  SELECT p.*, ln((CAST(('0x' || substr(md5($year || '-' || $month || '-' || p.employer_id), 1, 13)) AS BIGINT) + 0.5) / 4503599627370496.0) / p.risk_score AS key
  FROM _as_pool p),
ranked AS (SELECT k.*, row_number() OVER (PARTITION BY k.stratum ORDER BY k.key DESC, k.employer_id) AS rk FROM keyed k)
SELECT r.* FROM ranked r JOIN _as_strata s USING (stratum) WHERE r.rk <= s.quota;
INSERT INTO audit_samples (sample_id, year, month, employer_id, stratum, district_code, size_band, risk_score, risk_reasons, run_id, sampled_at)
SELECT 'S' || $year || lpad(CAST($month AS VARCHAR), 2, '0') || '-' || lpad(CAST(row_number() OVER (ORDER BY stratum, rk) AS VARCHAR), 5, '0'),
       $year, $month, employer_id, stratum, district_code, size_band, risk_score, nullif(risk_reasons, ''), $run, CAST($now AS TIMESTAMP)
FROM _as_drawn;

-- step: audit.record
-- The month drawn: one row per year and month, so the month is never drawn twice.
INSERT INTO audit_sample_runs (year, month, run_id, rate, enrolled, target, before, pool, drawn, pool_mean_risk, drawn_mean_risk, sampled_at)
VALUES ($year, $month, $run, $rate, $enrolled, $target, $before, $pool, $drawn, $pool_mean_risk, $drawn_mean_risk, CAST($now AS TIMESTAMP));

-- step: audit.districts
-- The districts with employers drawn in $year-$month, one workbook each.
SELECT DISTINCT coalesce(dv.name, '未知区县') AS district FROM audit_samples a JOIN employers e USING (employer_id)
LEFT JOIN ref_division dv ON dv.level = 'district' AND dv.code = e.district_code WHERE a.year = $year AND a.month = $month ORDER BY district;

-- step: audit.rows
-- The employers of one district's sheet, highest risk first.
SELECT a.sample_id, e.name, e.uscc, e.legal_rep, f.phone, f.address, a.stratum, a.risk_score, a.risk_reasons,
       greatest(coalesce(f.insured_110, 0), coalesce(f.hw, 0)) AS size
FROM audit_samples a JOIN employers e USING (employer_id) LEFT JOIN employer_facts f USING (employer_id)
LEFT JOIN ref_division dv ON dv.level = 'district' AND dv.code = e.district_code
WHERE a.year = $year AND a.month = $month AND coalesce(dv.name, '未知区县') = $district
ORDER BY a.risk_score DESC, a.stratum, a.sample_id;
