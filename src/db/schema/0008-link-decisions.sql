-- Release 0.6: linking an analyst can correct (issue 19; docs/rules.md "Linking", "Review
-- decisions"). The kind tables gain si_enrollment.org_code and registration.former_names from
-- their contracts (migrate.ts); here: the review pairs across runs and the decisions on them.

-- Every pair ever proposed for review (a record without a code link and the employer, by its
-- code cluster `uscc:<USCC>`, its name is closest to), under a stable id the review workbook
-- carries: 'P' and 10 hex characters of md5(source, record_key, candidate_cluster).
CREATE TABLE IF NOT EXISTS link_review_pairs (
  pair_id VARCHAR PRIMARY KEY,
  source VARCHAR NOT NULL,
  record_key VARCHAR NOT NULL,
  candidate_cluster VARCHAR NOT NULL,
  first_run VARCHAR NOT NULL,
  first_listed DATE NOT NULL,
  last_run VARCHAR NOT NULL
);

-- The pairs of the latest run carry their id and the as-of date they were first listed.
ALTER TABLE link_review ADD COLUMN IF NOT EXISTS pair_id VARCHAR;
ALTER TABLE link_review ADD COLUMN IF NOT EXISTS first_listed DATE;

-- A person's judgement of a pair, from a returned review workbook (review/待人工确认.xlsx) or
-- `recon links decide`: same (是同一单位), different (不是同一单位) or unsure (无法确定). Every
-- row is kept; the latest by decided_on, then received_at, counts. The linker applies them
-- before the name steps of every later run.
CREATE TABLE IF NOT EXISTS link_decisions (
  pair_id VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  record_key VARCHAR NOT NULL,
  candidate_cluster VARCHAR NOT NULL,
  decision VARCHAR NOT NULL,
  checker VARCHAR,
  decided_on DATE NOT NULL,
  file_name VARCHAR NOT NULL,
  file_row VARCHAR NOT NULL,
  file_sha256 VARCHAR,
  received_at TIMESTAMP NOT NULL,
  run_id VARCHAR NOT NULL
);

-- Each returned review workbook read (by its SHA-256: a file left in <inbox>/feedback/ is read
-- once), what came of it, and the rows that could not be taken, with why.
CREATE TABLE IF NOT EXISTS link_decision_files (
  file_sha256 VARCHAR PRIMARY KEY,
  file_name VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  rows_read INTEGER NOT NULL,
  rows_stored INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  message VARCHAR,
  received_at TIMESTAMP NOT NULL,
  run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS link_decision_rejects (
  file_sha256 VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  file_row VARCHAR NOT NULL,
  pair_id VARCHAR,
  answer VARCHAR,
  code VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  received_at TIMESTAMP NOT NULL,
  run_id VARCHAR NOT NULL
);
