/**
 * Loads the reference data into DuckDB: `ref_division` (provinces down to streets),
 * `ref_industry` (GB/T 4754-2017 sections and divisions with their risk flags) and
 * `ref_local_params` (one row per parameter period). Tables are replaced on every load, so a
 * run always sees the files as they are now.
 */
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps } from '../db/steps.ts';
import { INDUSTRIES_FILE, loadIndustries } from './industries.ts';
import { INSURANCE_TYPES, loadLocalParams, type LocalParams } from './params.ts';

export interface ReferenceSummary {
  divisions: number;
  industries: number;
  localParams: LocalParams;
}

const DIVISION_FILES = {
  provinces: fileURLToPath(new URL('./divisions/provinces.csv', import.meta.url)),
  cities: fileURLToPath(new URL('./divisions/cities.csv', import.meta.url)),
  areas: fileURLToPath(new URL('./divisions/areas.csv', import.meta.url)),
  streets: fileURLToPath(new URL('./divisions/streets.csv', import.meta.url)),
};

const step = sqlSteps(new URL('./reference.sql', import.meta.url));

/** Creates (or replaces) ref_division, ref_industry and ref_local_params; the parameters file is checked first. */
/** `localParamsFile`: the user's local parameters YAML (`pipelines/local-params.yaml`). */
export async function loadReferenceTables(db: Db, localParamsFile: string): Promise<ReferenceSummary> {
  // Parse the user's file before touching the database: a typo there should stop the run
  // with the list of problems, not leave half-loaded tables behind.
  const localParams = loadLocalParams(localParamsFile);
  // Checked in JS too, so a broken industries file fails with a line number.
  loadIndustries(INDUSTRIES_FILE);

  const periods = localParams.periods.map((set) => ({
    valid_from: set.validFrom,
    valid_to: set.validTo,
    average_wage: set.averageWage,
    base_floor: set.baseFloor,
    base_cap: set.baseCap,
    ...Object.fromEntries(INSURANCE_TYPES.map((type) => [`rate_${type}`, set.employerRates[type]])),
    maternity_separate: set.maternitySeparate,
    resident_pension_min_tier: set.residentPensionMinTier,
    project_injury_rate: set.projectInjuryRate,
    project_coverage_target: set.projectCoverageTarget,
  }));
  await runSteps(db, [
    { name: 'reference.divisions', sql: step('reference.divisions'), params: DIVISION_FILES },
    { name: 'reference.industries', sql: step('reference.industries'), params: { industries: INDUSTRIES_FILE } },
    { name: 'reference.local_params', sql: step('reference.local_params'), params: { periods: JSON.stringify(periods) } },
  ]);
  const [counts] = await db.all<{ divisions: number; industries: number }>(step('reference.counts'), undefined, { step: 'reference.counts' });
  return { divisions: counts?.divisions ?? 0, industries: counts?.industries ?? 0, localParams };
}
