import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps, type SqlStep } from '../db/steps.ts';
import type { RunDates } from '../config/context.ts';

const step = sqlSteps(new URL('./facts.sql', import.meta.url));

/**
 * The run's temporary fact tables, by the name rules read them under. The rules stage binds
 * these names in each rule's statement (so a rule reads the run's tables, and the same SQL run
 * by an analyst reads the views of those names); later stages that need them get them here.
 */
export const FACT_TABLES = {
  employer_withholding: '_facts_withholding',
  employer_payments: '_facts_payments',
  employer_enrollment: '_facts_enrollment',
} as const;

/** The steps that build the facts of a run (facts.sql): the temporary monthly tables, `employer_facts`, the analysts' views. */
export function factSteps(dates: RunDates): SqlStep[] {
  const params = { month: dates.closedMonth };
  return [
    { name: 'rules.facts.withholding', sql: step('rules.facts.withholding'), creates: [FACT_TABLES.employer_withholding] },
    { name: 'rules.facts.payments', sql: step('rules.facts.payments'), creates: [FACT_TABLES.employer_payments] },
    { name: 'rules.facts.enrollment', sql: step('rules.facts.enrollment'), creates: [FACT_TABLES.employer_enrollment] },
    { name: 'rules.facts.employers', sql: step('rules.facts.employers'), params },
    { name: 'rules.facts.views', sql: step('rules.facts.views') },
  ];
}

/** Builds the facts tables for a run. */
export async function buildFacts(db: Db, dates: RunDates): Promise<void> {
  await runSteps(db, factSteps(dates));
}

/** `WITH employer_withholding AS (FROM _facts_withholding), ...`: a rule statement's binding of the fact names to the run's tables. */
export function factBindings(): string {
  return `WITH ${Object.entries(FACT_TABLES)
    .map(([name, table]) => `${name} AS NOT MATERIALIZED (FROM ${table})`)
    .join(', ')}`;
}
