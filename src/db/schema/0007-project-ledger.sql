-- Release 0.6: the project ledger per run (issue 20), kept like ledger_person_district so the
-- monthly bulletin can rank districts on the project insurance rate of a past month's run.

-- Per run and district of the project (district_code NULL: the 合计 row; '' 未知区县): the
-- permits issued this year up to D - 7 days, the insured among them, the rate and the target as
-- ledger_project_district had them when publish recorded the run (src/publish/project-lists.ts).
CREATE TABLE IF NOT EXISTS ledger_project_runs (
  run_id VARCHAR NOT NULL,
  district_code VARCHAR,
  district_name VARCHAR NOT NULL,
  permits BIGINT NOT NULL,
  insured BIGINT NOT NULL,
  rate DOUBLE,
  target DOUBLE NOT NULL,
  reached BOOLEAN,
  recorded_at TIMESTAMP NOT NULL
);
