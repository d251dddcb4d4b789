-- Release 0.5: construction projects (issue 20; docs/exports.md kinds construction_permit and
-- si_project). The two kind tables follow their contracts (migrate.ts); here: findings and cases
-- that can belong to a building permit, the permits as the rules saw them, and two local
-- parameters.

-- A finding about a building permit carries its number (folded like codes; '' for every other
-- finding).
ALTER TABLE findings ADD COLUMN IF NOT EXISTS permit_no VARCHAR DEFAULT '';
UPDATE findings SET permit_no = '' WHERE permit_no IS NULL;
ALTER TABLE findings ALTER COLUMN permit_no SET NOT NULL;

-- A case is (employer, rule, person, permit): permit_no '' for every case but a project's, whose
-- employer_id is its contractor ('' when the contractor is not in the registry). Rebuilt like
-- 0005 (DuckDB cannot drop a UNIQUE constraint), every row kept; case_seq is untouched.
CREATE TABLE cases_0006 (
  case_id VARCHAR PRIMARY KEY,
  employer_id VARCHAR NOT NULL,
  rule_id VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  opened_run VARCHAR NOT NULL,
  state_run VARCHAR NOT NULL,
  last_found_run VARCHAR,
  reopen_count INTEGER NOT NULL DEFAULT 0,
  exempt_evidence VARCHAR,
  person_key VARCHAR NOT NULL DEFAULT '',
  permit_no VARCHAR NOT NULL DEFAULT '',
  UNIQUE (employer_id, rule_id, person_key, permit_no)
);
INSERT INTO cases_0006 (case_id, employer_id, rule_id, state, opened_run, state_run, last_found_run, reopen_count, exempt_evidence, person_key)
SELECT case_id, employer_id, rule_id, state, opened_run, state_run, last_found_run, reopen_count, exempt_evidence, person_key FROM cases;
DROP TABLE cases;
ALTER TABLE cases_0006 RENAME TO cases;

-- Rebuilt by every run's rules stage (src/rules/project-facts.sql): one row per permit number of
-- construction_permit_current (its earliest issued_on), its contractor as linked, and whether a
-- project enrolment (si_project_current, any status, enrolled on or before D) covers it, by the
-- permit number or by the contractor's USCC and the normalised project name. The project ledger
-- (ledger_project_district) and the lists read it.
CREATE TABLE IF NOT EXISTS project_permits (
  run_id VARCHAR NOT NULL,
  as_of DATE NOT NULL,
  permit_no VARCHAR NOT NULL,
  project_code VARCHAR,
  project_name VARCHAR,
  name_key VARCHAR,
  contractor_uscc VARCHAR,
  contractor_name VARCHAR,
  employer_id VARCHAR NOT NULL,
  contractor_issue VARCHAR,
  issued_on DATE,
  contract_amount DECIMAL(18, 2),
  district_code VARCHAR,
  status VARCHAR,
  insured_by VARCHAR,
  project_id VARCHAR,
  enrolled_on DATE
);

-- The work-injury rate of a project's contract amount (按项目参保: premium = contract amount x
-- rate) and the local plans' coverage target for new projects; local parameters per period
-- (pipelines/local-params.yaml project_injury_rate, project_coverage_target).
ALTER TABLE ref_local_params ADD COLUMN IF NOT EXISTS project_injury_rate DECIMAL(10, 6);
ALTER TABLE ref_local_params ADD COLUMN IF NOT EXISTS project_coverage_target DECIMAL(6, 4);
