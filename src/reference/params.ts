/**
 * Local parameters per period (docs/exports.md, "Reference data"): average wage, contribution base
 * floor and cap, employer rates per insurance type, whether maternity is separate. The user
 * edits them in a YAML file (`pipelines/local-params.yaml`); this module parses that file once
 * into typed, checked periods and answers "which set is in force on this date".
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../core/errors.ts';

/** The SI insurance types with an employer rate: pension, unemployment, medical, work injury, maternity. */
export const INSURANCE_TYPES = ['110', '210', '310', '410', '510'] as const;
export type InsuranceType = (typeof INSURANCE_TYPES)[number];

/** One parameter set, in force from `validFrom` to `validTo` (both inclusive, `YYYY-MM-DD`). */
export interface ParamSet {
  validFrom: string;
  validTo: string;
  /** Average monthly wage, yuan. */
  averageWage: number;
  baseFloorRatio: number;
  baseCapRatio: number;
  /** Contribution base floor, yuan a month: explicit `base_floor`, else average wage x ratio. */
  baseFloor: number;
  /** Contribution base cap, yuan a month: explicit `base_cap`, else average wage x ratio. */
  baseCap: number;
  employerRates: Record<InsuranceType, number>;
  maternitySeparate: boolean;
  /** The lowest yearly contribution tier of the residents' pension (yuan): what a 政府代缴 pays at least (assistance_not_covered). */
  residentPensionMinTier: number;
  /** The work-injury rate of a project's contract amount (按项目参保; project_uninsured's amount). */
  projectInjuryRate: number;
  /** The local plans' target for the share of new construction projects insured (新开工项目工伤保险参保率). */
  projectCoverageTarget: number;
}

/** A checked local parameters file: its periods, sorted by start date. */
export interface LocalParams {
  file: string;
  periods: ParamSet[];
}

/** One problem found in a parameters file: where (`periods[1].employer_rates.110`) and what. */
export interface ParamsProblem {
  path: string;
  message: string;
}

// A missing field says so; a field of the wrong type says what is expected.
const expected = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`);

const isoDate = z.preprocess(
  // A YAML 1.1 document turns 2025-07-01 into a (UTC) Date; YAML 1.2 keeps the text.
  (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : value),
  z
    .string({ error: expected('a date written YYYY-MM-DD') })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD' })
    .refine(isRealDate, { error: 'is not a calendar date' }),
);

const rate = z
  .number({ error: expected('a number such as 0.16 (a fraction, not a percentage)') })
  .min(0, { error: 'must be between 0 and 1 (0.16 means 16%)' })
  .max(1, { error: 'must be between 0 and 1 (0.16 means 16%)' });

const yuan = z.number({ error: expected('a number of yuan') }).positive({ error: 'must be greater than 0' });
const ratio = z.number({ error: expected('a number such as 0.6') }).positive({ error: 'must be greater than 0' });

/** The schema of one period as written in the YAML file. */
export const periodSchema = z.strictObject({
  valid_from: isoDate,
  valid_to: isoDate,
  average_wage: yuan,
  base_floor_ratio: ratio.default(0.6),
  base_cap_ratio: ratio.default(3),
  base_floor: yuan.optional(),
  base_cap: yuan.optional(),
  employer_rates: z.strictObject(
    { '110': rate, '210': rate, '310': rate, '410': rate, '510': rate },
    { error: expected('a mapping of insurance type to rate (110, 210, 310, 410, 510)') },
  ),
  maternity_separate: z.boolean({ error: expected('true or false') }).default(false),
  resident_pension_min_tier: yuan.default(200),
  project_injury_rate: rate.default(0.0015),
  project_coverage_target: rate.default(0.9),
});

/** The schema of the file's top level; each period is checked on its own so all problems show. */
export const localParamsFileSchema = z.strictObject(
  {
    periods: z.array(z.unknown(), { error: expected('a list of periods') }).min(1, { error: 'must hold at least one period' }),
  },
  { error: expected('a mapping with a "periods:" list') },
);

/** Reads, checks and normalises a local parameters YAML file; throws a `ConfigError` listing every problem. */
export function loadLocalParams(file: string): LocalParams {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read local parameters file "${file}": ${errorMessage(error)}`, { file });
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(`Local parameters file "${file}" is not valid YAML: ${errorMessage(error)}`, { file });
  }
  return checkLocalParams(raw, file);
}

/** Checks already-parsed parameters (the YAML as a plain object); `file` names the source in errors. */
export function checkLocalParams(raw: unknown, file: string): LocalParams {
  const problems: ParamsProblem[] = [];
  const top = localParamsFileSchema.safeParse(raw);
  if (!top.success) problems.push(...top.error.issues.map((issue) => toProblem(issue, [])));

  const rawPeriods = isRecord(raw) && Array.isArray(raw['periods']) ? (raw['periods'] as unknown[]) : [];
  const periods: ParamSet[] = [];
  const spans: { index: number; from: string; to: string }[] = [];
  rawPeriods.forEach((rawPeriod, index) => {
    const at = `periods[${index}]`;
    // The dates are read on their own, so a typo elsewhere in a period does not hide an
    // overlap with another one.
    const from = isoDate.safeParse(isRecord(rawPeriod) ? rawPeriod['valid_from'] : undefined);
    const to = isoDate.safeParse(isRecord(rawPeriod) ? rawPeriod['valid_to'] : undefined);
    if (from.success && to.success) {
      if (from.data > to.data) {
        problems.push({ path: `${at}.valid_to`, message: `${to.data} is before valid_from ${from.data}` });
      } else {
        spans.push({ index, from: from.data, to: to.data });
      }
    }
    const parsed = periodSchema.safeParse(rawPeriod);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => toProblem(issue, ['periods', index])));
      return;
    }
    const p = parsed.data;
    const set: ParamSet = {
      validFrom: p.valid_from,
      validTo: p.valid_to,
      averageWage: p.average_wage,
      baseFloorRatio: p.base_floor_ratio,
      baseCapRatio: p.base_cap_ratio,
      baseFloor: p.base_floor ?? cents(p.average_wage * p.base_floor_ratio),
      baseCap: p.base_cap ?? cents(p.average_wage * p.base_cap_ratio),
      employerRates: { ...p.employer_rates },
      maternitySeparate: p.maternity_separate,
      residentPensionMinTier: p.resident_pension_min_tier,
      projectInjuryRate: p.project_injury_rate,
      projectCoverageTarget: p.project_coverage_target,
    };
    if (set.baseFloor >= set.baseCap) {
      problems.push({
        path: `${at}.base_floor`,
        message: `the base floor (${set.baseFloor}) must be lower than the base cap (${set.baseCap})`,
      });
    }
    periods.push(set);
  });

  spans.sort((a, b) => a.from.localeCompare(b.from) || a.index - b.index);
  for (let i = 1; i < spans.length; i++) {
    const previous = spans[i - 1];
    const current = spans[i];
    if (previous !== undefined && current !== undefined && current.from <= previous.to) {
      problems.push({
        path: `periods[${current.index}].valid_from`,
        message: `period ${current.from}..${current.to} overlaps periods[${previous.index}] (${previous.from}..${previous.to})`,
      });
    }
  }

  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((problem) => `  - ${problem.path}: ${problem.message}`);
    throw new ConfigError(`Invalid local parameters file "${file}" (${count}):\n${lines.join('\n')}\nFix the file and run again.`, { file, problems });
  }
  return { file, periods: periods.sort((a, b) => a.validFrom.localeCompare(b.validFrom)) };
}

/** The parameter set in force on `date` (`YYYY-MM-DD`, or a Date read in local time); throws a `ConfigError` when none is. */
export function paramsFor(params: LocalParams, date: string | Date): ParamSet {
  const day = typeof date === 'string' ? date.slice(0, 10) : localDay(date);
  const found = params.periods.find((set) => set.validFrom <= day && day <= set.validTo);
  if (found === undefined) {
    const covered = params.periods.map((set) => `${set.validFrom}..${set.validTo}`).join(', ') || 'none';
    throw new ConfigError(`No local parameters in force on ${day} in "${params.file}" (periods: ${covered}); add a period that covers it`, {
      file: params.file,
      date: day,
    });
  }
  return found;
}

function toProblem(issue: z.core.$ZodIssue, prefix: (string | number)[]): ParamsProblem {
  const parts = [...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))];
  const path = parts.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`), '');
  return { path: path === '' ? '(top level)' : path, message: issue.message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRealDate(text: string): boolean {
  const [y = 0, m = 0, d = 0] = text.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function localDay(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}
