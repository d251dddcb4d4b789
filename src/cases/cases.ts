import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps } from '../db/steps.ts';
import type { DatedRunContext } from '../config/context.ts';

const step = sqlSteps(new URL('./cases.sql', import.meta.url));

export interface CaseCounts {
  opened: number;
  resolved: number;
  reopened: number;
}

/**
 * The cases stage: moves every case to this run's findings (the rules stage's
 * `_rule_findings`, see cases.sql for the transitions), records the findings with their case
 * ids in `findings` and recreates the view `person_findings_latest`. A case is (employer, rule,
 * person): person findings have cases of their own, with ids kept across runs like any other.
 */
export async function updateCases(db: Db, ctx: DatedRunContext): Promise<CaseCounts> {
  const run = { run: ctx.runId };
  await runSteps(db, [
    { name: 'cases.new', sql: step('cases.new'), creates: ['_case_new'] },
    { name: 'cases.transitions', sql: step('cases.transitions'), creates: ['_case_transitions'] },
    { name: 'cases.insert', sql: step('cases.insert'), params: run },
    { name: 'cases.update', sql: step('cases.update'), params: run },
    { name: 'cases.events', sql: step('cases.events'), params: run },
    { name: 'cases.findings', sql: step('cases.findings'), params: { ...run, as_of: ctx.dates.asOf, month: ctx.dates.closedMonth } },
    { name: 'cases.views', sql: step('cases.views') },
  ]);
  const counts = await db.one<{ opened: bigint; resolved: bigint; reopened: bigint }>(step('cases.counts'), undefined, { step: 'cases.counts' });
  const result = { opened: Number(counts?.opened ?? 0), resolved: Number(counts?.resolved ?? 0), reopened: Number(counts?.reopened ?? 0) };
  ctx.logger.info(result, `cases: ${result.opened} new, ${result.resolved} resolved, ${result.reopened} reopened`);
  return result;
}
