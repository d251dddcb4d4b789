-- Release 0.3: where an employer's address and phone come from, what each returned answer did
-- to its case, the cases handed to the SI office's clean-up list, and returned files refused
-- as a whole (docs/rules.md, "Answers on returned worklists").

-- The source of employer_facts.address / phone: registration (市场监管 住所), tax_registration
-- (税务 生产经营地址) or civil_org (民政 住所); NULL when no source has one.
ALTER TABLE employer_facts ADD COLUMN IF NOT EXISTS address_source VARCHAR;
ALTER TABLE employer_facts ADD COLUMN IF NOT EXISTS phone_source VARCHAR;

-- What an applied answer did to its case: exempt, open or refer (NULL on rejected rows and on
-- rows applied before 0.3).
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS effect VARCHAR;
-- The 退回说明 workbook written for a returned file with rejected rows, relative to the folder
-- of the run (or command) that read it.
ALTER TABLE feedback_files ADD COLUMN IF NOT EXISTS return_note VARCHAR;

-- A case whose answer confirms the finding but whose fix is another office's (target
-- si_cleanup: 社保注销清理清单). The case stays open and keeps being found; it leaves the
-- worklists while the referral holds: until a later answer on the case (ended_at) or a state
-- change of the case after referred_at (resolved, exempt, reopened).
CREATE TABLE IF NOT EXISTS case_referrals (
  case_id VARCHAR NOT NULL,
  target VARCHAR NOT NULL,
  result VARCHAR NOT NULL,
  checked_on DATE,
  checker VARCHAR,
  remarks VARCHAR,
  file VARCHAR NOT NULL,
  sheet VARCHAR NOT NULL,
  "row" INTEGER NOT NULL,
  run_id VARCHAR NOT NULL,
  referred_at TIMESTAMP NOT NULL,
  ended_at TIMESTAMP,
  ended_reason VARCHAR
);

-- A returned file that could not be read as a worklist at all (damaged, not a worklist, its
-- header row moved or a column deleted). Nothing of it was applied; it is tried again on the
-- next run while it stays in feedback/ (a fixed file has a new hash anyway).
CREATE TABLE IF NOT EXISTS feedback_refusals (
  run_id VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  file_sha256 VARCHAR,
  reason_code VARCHAR NOT NULL,
  message VARCHAR NOT NULL,
  message_zh VARCHAR NOT NULL,
  return_note VARCHAR,
  refused_at TIMESTAMP NOT NULL
);
