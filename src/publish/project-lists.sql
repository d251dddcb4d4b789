-- The project ledger and the lists of uninsured new projects (project-lists.ts). Both read
-- project_permits (the rules stage's project facts, src/rules/project-facts.sql) and the run's
-- project_uninsured findings.

-- step: project_lists.views
-- RULES.md "Ledgers, per district" (新开工项目工伤保险参保率): per district of the project (else
-- of its contractor), the permits issued in the calendar year of D up to D - 7 days, the insured
-- among them (a project enrolment on or before D, by permit number or by contractor and
-- normalised name), the rate and whether it reaches the target (local parameter
-- project_coverage_target of the period containing D, default 0.9). district_code NULL is the
-- 合计 row; '' a permit with no district. D is that of the run that built project_permits.
CREATE OR REPLACE VIEW ledger_project_district AS
WITH d AS (SELECT max(run_id) AS run_id, max(as_of) AS as_of FROM project_permits),
target AS (
  SELECT coalesce((SELECT max(project_coverage_target) FROM ref_local_params, d WHERE d.as_of BETWEEN valid_from AND valid_to), 0.9) AS target),
due AS (
  SELECT coalesce(pp.district_code, '') AS district_code, pp.insured_by IS NOT NULL AS insured
  FROM project_permits pp JOIN d USING (run_id)
  WHERE pp.issued_on >= CAST(date_trunc('year', d.as_of) AS DATE) AND pp.issued_on <= d.as_of - INTERVAL 7 DAY),
counted AS (
  SELECT CASE WHEN grouping(district_code) = 1 THEN NULL ELSE district_code END AS district_code,
         count(*) AS permits, count(*) FILTER (WHERE insured) AS insured
  FROM due GROUP BY ROLLUP (district_code))
SELECT (SELECT run_id FROM d) AS run_id, (SELECT as_of FROM d) AS as_of, c.district_code,
       CASE WHEN c.district_code IS NULL THEN '合计' WHEN c.district_code = '' THEN '未知区县' ELSE coalesce(dv.name, '区县' || c.district_code) END AS district_name,
       c.permits, c.insured,
       CASE WHEN c.permits > 0 THEN round(c.insured / c.permits, 4) END AS rate,
       CAST(t.target AS DOUBLE) AS target,
       CASE WHEN c.permits > 0 THEN c.insured >= c.permits * t.target END AS reached
FROM counted c CROSS JOIN target t
LEFT JOIN ref_division dv ON dv.level = 'district' AND dv.code = c.district_code
ORDER BY c.district_code IS NULL, c.district_code = '', c.district_code;

-- step: project_lists.record
-- The run's rows of the view kept in ledger_project_runs (the bulletin ranks past months on
-- them); none when the run had no permits (project_permits is then empty).
DELETE FROM ledger_project_runs WHERE run_id = $run;
INSERT INTO ledger_project_runs
SELECT run_id, district_code, district_name, permits, insured, rate, target, reached, now()
FROM ledger_project_district WHERE run_id = $run;

-- step: project_lists.rows
-- The run's project_uninsured findings with their permit (cases referred to the SI office
-- left out, as on the worklists), per district of the project, the oldest permit first.
SELECT coalesce(pp.district_code, '') AS district_code,
       CASE WHEN coalesce(pp.district_code, '') = '' THEN '未知区县' ELSE coalesce(dv.name, '区县' || pp.district_code) END AS district,
       pp.project_name, f.permit_no, coalesce(e.name, pp.contractor_name) AS contractor, pp.contractor_uscc,
       CAST(pp.contract_amount AS DOUBLE) AS contract_amount, strftime(pp.issued_on, '%Y-%m-%d') AS issued_on,
       date_diff('day', pp.issued_on, f.as_of) AS days_since, CAST(f.amount AS DOUBLE) AS amount, f.case_id,
       CASE pp.contractor_issue WHEN 'unknown_contractor' THEN '施工单位不在登记库中' WHEN 'invalid_uscc' THEN '施工单位信用代码校验不通过'
            WHEN 'missing_uscc' THEN '无施工单位信用代码' END AS note
FROM findings f JOIN project_permits pp USING (permit_no)
LEFT JOIN employers e ON e.employer_id = nullif(f.employer_id, '')
LEFT JOIN ref_division dv ON dv.level = 'district' AND dv.code = pp.district_code
WHERE f.run_id = $run AND f.rule_id = 'project_uninsured' AND f.permit_no <> ''
  AND f.case_id NOT IN (SELECT case_id FROM case_referrals_active)
ORDER BY coalesce(pp.district_code, '') = '', coalesce(pp.district_code, ''), pp.issued_on, f.permit_no;
