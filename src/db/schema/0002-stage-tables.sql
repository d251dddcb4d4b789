-- Release 0.1 created these tables when a stage first ran (and added two columns there), so a
-- 0.1 database has some of them, or all. Here they get their 0.1 shapes wherever one is
-- missing; from now on no stage creates or alters a table.

-- Linking: employer ids kept across runs, and what each run found about the records.
CREATE SEQUENCE IF NOT EXISTS employer_seq START 1;
CREATE TABLE IF NOT EXISTS employer_keys (
  key VARCHAR NOT NULL,
  employer_id VARCHAR NOT NULL,
  first_run VARCHAR NOT NULL,
  last_run VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS dq_issues (
  run_id VARCHAR NOT NULL,
  category VARCHAR NOT NULL,
  source VARCHAR,
  record_key VARCHAR,
  name VARCHAR,
  employer_id VARCHAR,
  detail VARCHAR
);
-- Rebuilt by every run's linking.
CREATE TABLE IF NOT EXISTS link_records (
  source VARCHAR, record_key VARCHAR, code VARCHAR, name VARCHAR, district_code VARCHAR, street VARCHAR, legal_rep VARCHAR,
  type_text VARCHAR, status_class VARCHAR, established_on DATE, employees INTEGER, code_kind VARCHAR, name_basic VARCHAR,
  uscc VARCHAR, org_code VARCHAR, region VARCHAR, name_norm VARCHAR
);
CREATE TABLE IF NOT EXISTS link_review (
  run_id VARCHAR, source VARCHAR, record_key VARCHAR, name VARCHAR, district_code VARCHAR, candidate_name VARCHAR,
  candidate_cluster VARCHAR, score DOUBLE, reason VARCHAR
);
CREATE TABLE IF NOT EXISTS employer_links (
  employer_id VARCHAR, source VARCHAR, record_key VARCHAR, method VARCHAR, score DOUBLE, rule VARCHAR, name VARCHAR,
  name_norm VARCHAR, district_code VARCHAR, code_kind VARCHAR
);
CREATE TABLE IF NOT EXISTS employers (
  employer_id VARCHAR, uscc VARCHAR, org_code VARCHAR, name VARCHAR, name_norm VARCHAR, kind VARCHAR, district_code VARCHAR,
  street VARCHAR, legal_rep VARCHAR, in_registration BOOLEAN, in_civil BOOLEAN, in_tax BOOLEAN, in_si BOOLEAN, records BIGINT
);

-- Rules: the facts of the latest run, the findings of every run, the cases across runs.
CREATE TABLE IF NOT EXISTS employer_facts (
  employer_id VARCHAR, name VARCHAR, uscc VARCHAR, kind VARCHAR, district_code VARCHAR, street VARCHAR, legal_rep VARCHAR,
  phone VARCHAR, address VARCHAR, reg_status VARCHAR, reg_status_text VARCHAR, closed_on DATE, civil_status VARCHAR,
  tax_status VARCHAR, taxpayer_active BOOLEAN, active BOOLEAN, closed BOOLEAN, established_on DATE, registry_employees INTEGER,
  industry_code VARCHAR, w_months BIGINT, hw HUGEINT, a_avg DOUBLE, h HUGEINT, no_staff_6m BOOLEAN, registered_si BOOLEAN,
  enrolled BOOLEAN, status_110 VARCHAR, active_types VARCHAR[], insured_110 HUGEINT
);
CREATE TABLE IF NOT EXISTS findings (
  run_id VARCHAR NOT NULL,
  case_id VARCHAR NOT NULL,
  rule_id VARCHAR NOT NULL,
  rule_version INTEGER NOT NULL,
  employer_id VARCHAR NOT NULL,
  severity VARCHAR NOT NULL,
  amount DECIMAL(18, 2),
  amount_formula VARCHAR,
  evidence JSON,
  evidence_text VARCHAR,
  as_of DATE NOT NULL,
  month DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS exemptions (run_id VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, reason VARCHAR NOT NULL, count BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS rule_runs (run_id VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, version INTEGER NOT NULL, params JSON, found BIGINT, exempted BIGINT, ms BIGINT);
CREATE SEQUENCE IF NOT EXISTS case_seq START 1;
CREATE TABLE IF NOT EXISTS cases (
  case_id VARCHAR PRIMARY KEY,
  employer_id VARCHAR NOT NULL,
  rule_id VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  opened_run VARCHAR NOT NULL,
  state_run VARCHAR NOT NULL,
  last_found_run VARCHAR,
  reopen_count INTEGER NOT NULL DEFAULT 0,
  exempt_evidence VARCHAR,
  UNIQUE (employer_id, rule_id)
);
CREATE TABLE IF NOT EXISTS case_events (
  case_id VARCHAR NOT NULL,
  run_id VARCHAR NOT NULL,
  from_state VARCHAR,
  to_state VARCHAR NOT NULL,
  reason VARCHAR,
  changed_at TIMESTAMP NOT NULL
);

-- Returned worklists: every file read, every filled row.
CREATE TABLE IF NOT EXISTS feedback_files (
  sha256 VARCHAR PRIMARY KEY,
  file VARCHAR NOT NULL,
  run_id VARCHAR NOT NULL,
  received_at TIMESTAMP NOT NULL,
  rows_read INTEGER NOT NULL,
  rows_applied INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
  case_id VARCHAR,
  run_id VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  file_sha256 VARCHAR NOT NULL,
  sheet VARCHAR NOT NULL,
  "row" INTEGER NOT NULL,
  result VARCHAR,
  checked_on DATE,
  checker VARCHAR,
  remarks VARCHAR,
  received_at TIMESTAMP NOT NULL,
  status VARCHAR NOT NULL,
  reason_code VARCHAR,
  reason VARCHAR
);
-- 整改期限: 0.1 added it when the blacklist came (files returned before have none).
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS deadline DATE;

-- 社会保险登记告知书: one notice per employer and reason.
CREATE SEQUENCE IF NOT EXISTS notice_seq START 1;
CREATE TABLE IF NOT EXISTS notices (
  notice_id VARCHAR PRIMARY KEY,
  employer_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  case_id VARCHAR,
  sent_on DATE NOT NULL,
  deadline DATE,
  run_id VARCHAR NOT NULL
);

-- Targets' completion per run and district (全市合计: district_code NULL).
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

-- The annual audit sample (年度稽核抽查).
CREATE TABLE IF NOT EXISTS audit_samples (
  sample_id VARCHAR PRIMARY KEY,
  year INTEGER NOT NULL,
  month INTEGER NOT NULL,
  employer_id VARCHAR NOT NULL,
  stratum VARCHAR NOT NULL,
  district_code VARCHAR,
  size_band VARCHAR NOT NULL,
  risk_score INTEGER NOT NULL,
  risk_reasons VARCHAR,
  run_id VARCHAR NOT NULL,
  sampled_at TIMESTAMP NOT NULL,
  audited_on DATE,
  audit_result VARCHAR,
  auditor VARCHAR,
  audit_remarks VARCHAR,
  audit_deadline DATE,
  feedback_run VARCHAR,
  UNIQUE (year, employer_id)
);
CREATE TABLE IF NOT EXISTS audit_sample_runs (
  year INTEGER,
  month INTEGER,
  run_id VARCHAR NOT NULL,
  rate DOUBLE NOT NULL,
  enrolled INTEGER NOT NULL,
  target INTEGER NOT NULL,
  before INTEGER NOT NULL,
  pool INTEGER NOT NULL,
  drawn INTEGER NOT NULL,
  sampled_at TIMESTAMP NOT NULL,
  PRIMARY KEY (year, month)
);
ALTER TABLE audit_sample_runs ADD COLUMN IF NOT EXISTS pool_mean_risk DOUBLE;
ALTER TABLE audit_sample_runs ADD COLUMN IF NOT EXISTS drawn_mean_risk DOUBLE;

-- Reference data, reloaded by every run.
CREATE TABLE IF NOT EXISTS ref_division (
  code VARCHAR, name VARCHAR, level VARCHAR, parent_code VARCHAR, province_code VARCHAR, city_code VARCHAR, district_code VARCHAR, gb_code VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_industry (
  code VARCHAR, level VARCHAR, name VARCHAR, parent VARCHAR, work_injury_high_risk BOOLEAN, pneumoconiosis_priority BOOLEAN
);
CREATE TABLE IF NOT EXISTS ref_local_params (
  valid_from DATE NOT NULL,
  valid_to DATE NOT NULL,
  average_wage DECIMAL(18, 2) NOT NULL,
  base_floor DECIMAL(18, 2) NOT NULL,
  base_cap DECIMAL(18, 2) NOT NULL,
  rate_110 DECIMAL(8, 5) NOT NULL,
  rate_210 DECIMAL(8, 5) NOT NULL,
  rate_310 DECIMAL(8, 5) NOT NULL,
  rate_410 DECIMAL(8, 5) NOT NULL,
  rate_510 DECIMAL(8, 5) NOT NULL,
  maternity_separate BOOLEAN NOT NULL
);

-- The findings of the latest run (0.1 recreated this view on every rules run).
CREATE OR REPLACE VIEW findings_latest AS
  SELECT * FROM findings WHERE run_id = (SELECT max(run_id) FROM findings);
