import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps, type SqlStep } from '../db/steps.ts';
import type { RunDates } from '../config/context.ts';
import type { RulesConfig } from '../config/pipeline-file.ts';
import { RuleError } from '../core/errors.ts';

const step = sqlSteps(new URL('./person-facts.sql', import.meta.url));

/**
 * The run's temporary person fact tables, by the name the person rules read them under
 * (person-facts.sql says what each holds). Like the employer facts (FACT_TABLES) they stay for
 * the rest of the run, for the stages that count from the same facts (the person ledgers).
 */
export const PERSON_FACT_TABLES = {
  person_facts: '_pf_person',
  person_jobs: '_pf_jobs',
  person_months: '_pf_months',
  person_assistance: '_pf_aid',
} as const;

/** The year Y whose 政府代缴 covers a person on D: D's year from month `fromMonth` on, else the year before. */
export function daijiaoYear(asOf: string, fromMonth: number): number {
  const year = Number(asOf.slice(0, 4));
  return Number(asOf.slice(5, 7)) >= fromMonth ? year : year - 1;
}

/** The parameters of the person facts and rules: D, M, the retirement ages and the 代缴 year. */
export function personFactParams(dates: RunDates, rules: Pick<RulesConfig, 'retirementAge' | 'daijiaoFromMonth'>): Record<string, string | number> {
  return {
    as_of: dates.asOf,
    month: dates.closedMonth,
    retirement_male: rules.retirementAge.male,
    retirement_female: rules.retirementAge.female,
    daijiao_year: daijiaoYear(dates.asOf, rules.daijiaoFromMonth),
  };
}

/** The steps that build the person facts of a run (person-facts.sql). */
export function personFactSteps(dates: RunDates, rules: Pick<RulesConfig, 'retirementAge' | 'daijiaoFromMonth'>): SqlStep[] {
  const params = personFactParams(dates, rules);
  return [
    { name: 'rules.person.months', sql: step('rules.person.months'), params, creates: [PERSON_FACT_TABLES.person_months] },
    { name: 'rules.person.agent_rows', sql: step('rules.person.agent_rows'), params, creates: ['_pf_agent_rows'] },
    { name: 'rules.person.jobs', sql: step('rules.person.jobs'), params, creates: [PERSON_FACT_TABLES.person_jobs] },
    { name: 'rules.person.persons', sql: step('rules.person.persons'), params, creates: [PERSON_FACT_TABLES.person_facts] },
    { name: 'rules.person.assistance', sql: step('rules.person.assistance'), params, creates: [PERSON_FACT_TABLES.person_assistance] },
  ];
}

/**
 * Builds the person facts and returns the parameters the person rules read besides the common
 * ones: `$cap` (the base cap of M), `$min_tier` (resident_pension_min_tier in force on D, else
 * in M), `$daijiao_year`, `$retirement_male`, `$retirement_female`.
 */
export async function buildPersonFacts(
  db: Db,
  dates: RunDates,
  rules: Pick<RulesConfig, 'retirementAge' | 'daijiaoFromMonth'>,
): Promise<Record<string, string | number>> {
  await runSteps(db, personFactSteps(dates, rules));
  const params = personFactParams(dates, rules);
  const p = await db.one<{ cap: unknown; min_tier: unknown }>(step('rules.person.params'), params, { step: 'rules.person.params' });
  if (p?.cap === null || p?.cap === undefined)
    throw new RuleError(`No local parameters cover the month ${dates.closedMonth.slice(0, 7)}: add a period to the local parameters file.`);
  return {
    cap: Number(p.cap),
    min_tier: p.min_tier === null || p.min_tier === undefined ? 200 : Number(p.min_tier),
    daijiao_year: params['daijiao_year'] as number,
    retirement_male: rules.retirementAge.male,
    retirement_female: rules.retirementAge.female,
  };
}

/** `person_facts AS NOT MATERIALIZED (FROM _pf_person), ...`: the person rules' binding of the person fact names (after the employer facts' WITH). */
export function personFactBindings(): string {
  return Object.entries(PERSON_FACT_TABLES)
    .map(([name, table]) => `${name} AS NOT MATERIALIZED (FROM ${table})`)
    .join(', ');
}
