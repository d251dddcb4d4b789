-- Release 0.4: the person level (issue 18; docs/exports.md kinds iit_detail, si_person,
-- resident_pension, assistance). The four kind tables follow their contracts (migrate.ts);
-- here: the people, the withholding agents and SI units resolved to employers, and findings and
-- cases that can belong to a person.

-- One row per person: a valid resident ID (normalised to 18 characters, upper-case X) of the
-- four person kinds' current data. The key ('P' + 9 digits) is given once and never changes;
-- a person no longer in the data keeps the row (last_run says when they were last seen).
-- Full ID numbers live only here and in the four kind tables: every other table says person_key.
-- New keys continue from the largest one given (no sequence: they follow the ID order).
CREATE TABLE IF NOT EXISTS persons (
  person_key VARCHAR PRIMARY KEY,
  id_no VARCHAR NOT NULL UNIQUE,
  birth_date DATE,
  sex VARCHAR,
  person_name VARCHAR,
  first_run VARCHAR,
  last_run VARCHAR
);

-- Rebuilt by every run's linking: each distinct (taxpayer_id, agent_name) of iit_detail_current
-- and the employer its agent is linked to (rows join on IS NOT DISTINCT FROM both columns).
CREATE TABLE IF NOT EXISTS iit_agents (
  taxpayer_id VARCHAR,
  agent_name VARCHAR,
  employer_id VARCHAR NOT NULL
);

-- Rebuilt by every run's linking: every unit id of si_enrollment / si_payment current data and
-- its employer.
CREATE TABLE IF NOT EXISTS si_units (
  unit_id VARCHAR PRIMARY KEY,
  employer_id VARCHAR NOT NULL
);

-- A finding about a person carries the person's key ('' for employer findings); employer_id is
-- '' for a finding that belongs to a person alone.
ALTER TABLE findings ADD COLUMN IF NOT EXISTS person_key VARCHAR DEFAULT '';
UPDATE findings SET person_key = '' WHERE person_key IS NULL;
ALTER TABLE findings ALTER COLUMN person_key SET NOT NULL;

-- A case is (employer, rule, person): person_key '' for employer cases, employer_id '' for a
-- case of a person alone. DuckDB cannot drop a UNIQUE constraint, so the table is rebuilt with
-- every row (case ids, states, counters) as it was; case_seq is untouched, so ids go on.
CREATE TABLE cases_0005 (
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
  UNIQUE (employer_id, rule_id, person_key)
);
INSERT INTO cases_0005 (case_id, employer_id, rule_id, state, opened_run, state_run, last_found_run, reopen_count, exempt_evidence)
SELECT case_id, employer_id, rule_id, state, opened_run, state_run, last_found_run, reopen_count, exempt_evidence FROM cases;
DROP TABLE cases;
ALTER TABLE cases_0005 RENAME TO cases;

-- A supersession can replace one record of a file (or month): a withholding agent's month of
-- iit_detail (a correction, 更正申报), a category of the assistance rolls. NULL: the whole file
-- (or month), as before.
ALTER TABLE supersessions ADD COLUMN IF NOT EXISTS record_key VARCHAR;

-- The minimum contribution tier of the residents' pension (yuan a year), a local parameter per
-- period like the others (pipelines/local-params.yaml resident_pension_min_tier).
ALTER TABLE ref_local_params ADD COLUMN IF NOT EXISTS resident_pension_min_tier DECIMAL(18, 2);

-- The person ledger per run and district (district_code NULL: the 合计 row), kept like
-- district_progress so the bulletin can report past months; the publish stage fills it.
CREATE TABLE IF NOT EXISTS ledger_person_district (
  run_id VARCHAR NOT NULL,
  district_code VARCHAR,
  district_name VARCHAR NOT NULL,
  wage_earners BIGINT,
  wage_earners_enrolled BIGINT,
  lapsed BIGINT,
  assistance BIGINT,
  assistance_covered BIGINT,
  recorded_at TIMESTAMP NOT NULL
);
