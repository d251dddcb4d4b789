-- Release 0.1: the tables every open created (the inbox's manifest, rejects and value issues;
-- the runs). The kind tables (registration, si_payment, ...) follow their export contracts and
-- are kept in step by migrate.ts, not here.
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL);
CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;
CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR PRIMARY KEY,
  pipeline VARCHAR,
  command VARCHAR NOT NULL,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  status VARCHAR NOT NULL,
  as_of DATE,
  output_dir VARCHAR,
  files_loaded INTEGER,
  files_refused INTEGER,
  files_skipped INTEGER,
  rows_loaded BIGINT,
  rows_rejected BIGINT,
  summary JSON
);
CREATE TABLE IF NOT EXISTS manifest (
  file_id INTEGER PRIMARY KEY,
  run_id VARCHAR NOT NULL,
  path VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  size_bytes BIGINT NOT NULL,
  kind VARCHAR,
  format VARCHAR,
  encoding VARCHAR,
  delimiter VARCHAR,
  sheet VARCHAR,
  header_line INTEGER,
  column_map JSON,
  as_of DATE,
  as_of_source VARCHAR,
  period_min DATE,
  period_max DATE,
  rows_read BIGINT,
  rows_loaded BIGINT,
  rows_rejected BIGINT,
  values_flagged BIGINT,
  status VARCHAR NOT NULL,
  message VARCHAR,
  loaded_at TIMESTAMP NOT NULL
);
-- A file (or, for monthly kinds, one month of it) replaced by a later delivery of the same records.
CREATE TABLE IF NOT EXISTS supersessions (
  kind VARCHAR NOT NULL,
  file_id INTEGER NOT NULL,
  period DATE,
  by_file_id INTEGER NOT NULL,
  run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS rejects (
  run_id VARCHAR NOT NULL,
  file_id INTEGER NOT NULL,
  file_name VARCHAR NOT NULL,
  kind VARCHAR,
  line BIGINT,
  column_name VARCHAR,
  reason VARCHAR NOT NULL,
  raw VARCHAR
);
CREATE TABLE IF NOT EXISTS value_issues (
  run_id VARCHAR NOT NULL,
  file_id INTEGER NOT NULL,
  file_name VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  line BIGINT,
  column_name VARCHAR NOT NULL,
  value VARCHAR,
  reason VARCHAR NOT NULL,
  action VARCHAR NOT NULL
);
