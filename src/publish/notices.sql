-- 社会保险登记告知书 (notices.ts): who gets a notice this run, recorded in `notices`, and the
-- rows of the letters and of 告知清单. Parameters: $as_of (D), $run, $issued_on (the day the
-- notices are issued: the run's start in Asia/Shanghai, not D).

-- step: notices.select
-- Employers established within the 30 days up to D (new_employer), and employers whose
-- `uninsured` case is new in this run (uninsured_case); active, not registered with SI, not
-- individual businesses without headcount evidence, and never twice for the same reason (a
-- new_employer notice also covers the uninsured case that follows it). A notice is dated and
-- numbered by the day it is issued.
CREATE OR REPLACE TEMP TABLE _nt_new AS
WITH candidates AS (
  SELECT f.employer_id, 'new_employer' AS kind, NULL::VARCHAR AS case_id, f.established_on, 1 AS pref
  FROM employer_facts f
  WHERE f.established_on > CAST($as_of AS DATE) - INTERVAL 30 DAY AND f.established_on <= CAST($as_of AS DATE)
  UNION ALL
  SELECT f.employer_id, 'uninsured_case', c.case_id, f.established_on, 2
  FROM cases c JOIN employer_facts f USING (employer_id)
  WHERE c.rule_id = 'uninsured' AND c.state = 'new' AND c.state_run = $run)
SELECT x.* FROM candidates x JOIN employer_facts f USING (employer_id)
WHERE f.active AND NOT f.registered_si
  -- docs/rules.md: individual businesses without headcount evidence are not findings, nor noticed.
  AND NOT (f.kind = 'individual_business' AND coalesce(f.h, 0) = 0)
  AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.employer_id = x.employer_id
                    AND (n.kind = x.kind OR (x.kind = 'uninsured_case' AND n.kind = 'new_employer')))
QUALIFY row_number() OVER (PARTITION BY x.employer_id ORDER BY x.pref) = 1;
INSERT INTO notices
SELECT 'GZ' || strftime(CAST($issued_on AS DATE), '%Y%m%d') || '-' || lpad(CAST(nextval('notice_seq') AS VARCHAR), 6, '0'),
       employer_id, kind, case_id, CAST($issued_on AS DATE), CAST(established_on + INTERVAL 30 DAY AS DATE), $run
FROM (SELECT * FROM _nt_new ORDER BY employer_id);
DROP TABLE _nt_new;

-- step: notices.count
SELECT count(*) AS n FROM notices WHERE run_id = $run;

-- step: notices.rows
-- The run's notices with what the letter and the list show. The address is the employer's best
-- one (employer_facts: registry 住所, tax 生产经营地址, civil-affairs 住所) with its source.
SELECT n.notice_id, n.kind, e.name, e.uscc, e.legal_rep, f.phone, f.address, f.address_source,
       strftime(f.established_on, '%Y-%m-%d') AS established_on, strftime(n.deadline, '%Y-%m-%d') AS deadline,
       strftime(n.sent_on, '%Y-%m-%d') AS sent_on,
       coalesce(d.name, CASE WHEN e.district_code IS NOT NULL THEN '区县' || e.district_code END, '未知区县') AS district
FROM notices n JOIN employers e USING (employer_id) LEFT JOIN employer_facts f USING (employer_id)
LEFT JOIN ref_division d ON d.level = 'district' AND d.code = e.district_code
WHERE n.run_id = $run ORDER BY district, n.notice_id;
