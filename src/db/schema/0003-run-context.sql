-- Release 0.2. A run records the dates it reasons about (docs/architecture.md, "Run context"),
-- so that views read the closed month from the run instead of recomputing it with a lag of
-- their own.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS closed_month DATE;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS lag_days INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS min_age_days INTEGER;
-- Runs of 0.1 recorded neither: the month their findings carry, else the one 0.1's ledgers
-- assumed (a lag of 15 days); the minimum age their uninsured rule ran with, else 30 days.
-- Their lag stays unknown (NULL).
UPDATE runs SET closed_month = coalesce(
    (SELECT max(f.month) FROM findings f WHERE f.run_id = runs.run_id),
    CAST(date_trunc('month', runs.as_of - INTERVAL 14 DAY) - INTERVAL 1 MONTH AS DATE))
WHERE closed_month IS NULL AND as_of IS NOT NULL;
UPDATE runs SET min_age_days = coalesce(
    (SELECT max(TRY_CAST(r.params->>'min_age_days' AS INTEGER)) FROM rule_runs r WHERE r.run_id = runs.run_id AND r.rule_id = 'uninsured'),
    30)
WHERE min_age_days IS NULL AND as_of IS NOT NULL;

-- What the ledger's rates count, per employer of the latest run (0.1 had a view of this name,
-- computed again by every reader). The publish stage refills it.
DROP VIEW IF EXISTS ledger_employer;
CREATE TABLE IF NOT EXISTS ledger_employer (
  run_id VARCHAR NOT NULL,
  employer_id VARCHAR NOT NULL,
  name VARCHAR,
  uscc VARCHAR,
  kind VARCHAR,
  district_code VARCHAR NOT NULL,
  district_name VARCHAR NOT NULL,
  street VARCHAR,
  active BOOLEAN,
  should_enroll BOOLEAN,
  enrolled BOOLEAN,
  due_m DECIMAL(38, 2) NOT NULL,
  paid_m DECIMAL(38, 2) NOT NULL,
  paid_in_full BOOLEAN,
  collected_ytd DECIMAL(38, 2) NOT NULL
);
