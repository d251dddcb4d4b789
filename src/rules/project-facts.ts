import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps } from '../db/steps.ts';
import type { RunDates } from '../config/context.ts';
import { CODE_MACROS_SQL } from '../link/codes-sql.ts';
import { normaliseName } from '../link/names.ts';

const step = sqlSteps(new URL('./project-facts.sql', import.meta.url));

/**
 * The project facts' table, by the name the project rules read it under: `project_facts` is
 * `project_permits` (a table, rebuilt each run: the project ledger and lists read it after the
 * rules, and analysts in the published database).
 */
export const PROJECT_FACT_TABLES = { project_facts: 'project_permits' } as const;

/** The default work-injury rate of a contract amount when no local parameter period gives one. */
export const DEFAULT_PROJECT_INJURY_RATE = 0.0015;

/** The normalised project name: the employer name rules (link/names.ts normaliseName), compared exactly. */
export function projectNameKey(name: string): string {
  return normaliseName(name);
}

/**
 * Builds project_permits for the run (project-facts.sql) and reports unlinkable contractors in
 * dq_issues. Returns the parameter the project rules read besides the common ones:
 * `$injury_rate` (project_injury_rate in force on D, else in M; default 0.0015).
 */
export async function buildProjectFacts(db: Db, dates: RunDates, run: string): Promise<Record<string, number>> {
  const distinct = await db.all<{ name: string }>(
    `SELECT DISTINCT project_name AS name FROM construction_permit_current WHERE project_name IS NOT NULL
     UNION SELECT DISTINCT project_name FROM si_project_current WHERE project_name IS NOT NULL ORDER BY 1`,
    undefined,
    { step: 'rules.project.distinct_names' },
  );
  const names = JSON.stringify(distinct.map((d) => ({ name: d.name, name_key: projectNameKey(d.name) })));
  const params = { as_of: dates.asOf, month: dates.closedMonth, run };
  await runSteps(db, [
    { name: 'rules.project.macros', sql: CODE_MACROS_SQL },
    { name: 'rules.project.names', sql: step('rules.project.names'), params: { names }, creates: ['_prj_names'] },
    { name: 'rules.project.enrolments', sql: step('rules.project.enrolments'), params: { as_of: dates.asOf }, creates: ['_prj_enrolled'] },
    { name: 'rules.project.permits', sql: step('rules.project.permits'), params: { run, as_of: dates.asOf } },
    { name: 'rules.project.data_quality', sql: step('rules.project.data_quality'), params: { run } },
  ]);
  const p = await db.one<{ injury_rate: unknown }>(step('rules.project.params'), params, { step: 'rules.project.params' });
  const rate = p?.injury_rate === null || p?.injury_rate === undefined ? DEFAULT_PROJECT_INJURY_RATE : Number(p.injury_rate);
  return { injury_rate: rate };
}

/** `project_facts AS NOT MATERIALIZED (FROM project_permits)`: a project rule's binding (after the employer facts' WITH). */
export function projectFactBindings(): string {
  return Object.entries(PROJECT_FACT_TABLES)
    .map(([name, table]) => `${name} AS NOT MATERIALIZED (FROM ${table})`)
    .join(', ');
}
