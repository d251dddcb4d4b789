import type { Db } from '../db/database.ts';

/** Case tables: one case per (employer, rule), with its id kept across runs. */
export const CASES_SCHEMA_SQL = `
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
`;

/**
 * Moves cases to this run's findings (`_findings`: employer_id, rule_id, evidence): a case
 * keeps its id whatever happens to it, so a rule that flaps reopens the same case instead of
 * minting a new one.
 *
 *   found, no case          -> new
 *   found, new/reopened     -> open
 *   found, resolved         -> reopened
 *   found, exempt           -> reopened (the exemption step let it through: its facts changed)
 *   not found, new/open/reopened -> resolved
 */
export async function updateCases(db: Db, runId: string): Promise<{ opened: number; resolved: number; reopened: number }> {
  // One statement per step, so the run log times each. New cases get their ids first, so
  // the transitions are built with every id in place (no UPDATE of 200k+ rows).
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _new_cases AS
     SELECT 'C' || lpad(CAST(nextval('case_seq') AS VARCHAR), 8, '0') AS case_id, employer_id, rule_id
     FROM (SELECT employer_id, rule_id FROM _findings f ANTI JOIN cases c USING (employer_id, rule_id) ORDER BY rule_id, employer_id)`,
    undefined,
    { step: 'cases.new' },
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _transitions AS
     SELECT coalesce(c.case_id, n.case_id) AS case_id, f.employer_id, f.rule_id, c.state AS from_state,
            CASE WHEN c.case_id IS NULL THEN 'new'
                 WHEN c.state IN ('new', 'reopened', 'open') THEN 'open'
                 ELSE 'reopened' END AS to_state,
            CASE WHEN c.case_id IS NULL THEN 'found'
                 WHEN c.state = 'exempt' THEN 'found again with changed facts'
                 WHEN c.state = 'resolved' THEN 'found again'
                 ELSE 'still found' END AS reason
     FROM _findings f LEFT JOIN cases c USING (employer_id, rule_id) LEFT JOIN _new_cases n USING (employer_id, rule_id)
     UNION ALL
     SELECT c.case_id, c.employer_id, c.rule_id, c.state, 'resolved', 'no longer found'
     FROM cases c ANTI JOIN _findings f USING (employer_id, rule_id)
     WHERE c.state IN ('new', 'open', 'reopened')`,
    undefined,
    { step: 'cases.transitions' },
  );
  await db.run(
    `INSERT INTO cases (case_id, employer_id, rule_id, state, opened_run, state_run, last_found_run)
     SELECT case_id, employer_id, rule_id, 'new', $run, $run, $run FROM _new_cases`,
    { run: runId },
    { step: 'cases.insert' },
  );
  await db.run(
    `UPDATE cases c SET
       state = t.to_state,
       state_run = CASE WHEN t.from_state = t.to_state THEN c.state_run ELSE $run END,
       last_found_run = CASE WHEN t.to_state = 'resolved' THEN c.last_found_run ELSE $run END,
       reopen_count = c.reopen_count + CASE WHEN t.to_state = 'reopened' THEN 1 ELSE 0 END,
       exempt_evidence = CASE WHEN t.to_state = 'reopened' THEN NULL ELSE c.exempt_evidence END
     FROM _transitions t WHERE t.case_id = c.case_id AND t.from_state IS NOT NULL`,
    { run: runId },
    { step: 'cases.update' },
  );
  await db.run(
    `INSERT INTO case_events
     SELECT case_id, $run, from_state, to_state, reason, current_timestamp FROM _transitions
     WHERE from_state IS NULL OR from_state <> to_state`,
    { run: runId },
    { step: 'cases.events' },
  );
  const counts = await db.one<{ opened: bigint; resolved: bigint; reopened: bigint }>(
    `SELECT count(*) FILTER (WHERE to_state = 'new') AS opened, count(*) FILTER (WHERE to_state = 'resolved') AS resolved,
            count(*) FILTER (WHERE to_state = 'reopened') AS reopened FROM _transitions`,
  );
  return { opened: Number(counts?.opened ?? 0), resolved: Number(counts?.resolved ?? 0), reopened: Number(counts?.reopened ?? 0) };
}
