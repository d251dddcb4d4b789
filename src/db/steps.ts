import type { Db, Params } from './database.ts';
import { ident } from '../core/sql.ts';

/**
 * One named SQL statement (or script) of a stage. A stage's builder returns a list of them and
 * never touches the database; `runSteps` executes, times and logs them. `creates` names the
 * run-scoped tables the step makes (`run_*`): in debug mode each is kept as `debug.<step>__<table>`.
 */
export interface SqlStep {
  name: string;
  sql: string;
  params?: Params;
  creates?: readonly string[];
}

/** Whether to keep every step's tables in the database's `debug` schema (RECON_DEBUG_STEPS=1). */
export function debugSteps(): boolean {
  return process.env['RECON_DEBUG_STEPS'] === '1';
}

/**
 * Runs steps in order. Each goes through `Db.run` (its name in the log with its time, and in
 * any error with its SQL). With RECON_DEBUG_STEPS=1 the tables a step creates are copied to
 * `debug."<step>__<table>"` as they were right after it, for `recon query` to inspect.
 */
export async function runSteps(db: Db, steps: readonly SqlStep[]): Promise<void> {
  const keep = debugSteps() && !db.readOnly;
  if (keep) await db.run('CREATE SCHEMA IF NOT EXISTS debug');
  for (const s of steps) {
    await db.run(s.sql, s.params, { step: s.name });
    if (!keep) continue;
    for (const table of s.creates ?? []) {
      await db.run(`CREATE OR REPLACE TABLE debug.${ident(`${s.name}__${table}`)} AS FROM ${ident(table)}`, undefined, { step: `${s.name}.debug` });
    }
  }
}
