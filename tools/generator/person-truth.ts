/**
 * A JavaScript reference evaluator of the person rules of RULES.md ("Person level" and
 * "Precisely"), run over the clean person model (person-model.ts) and the clean employers, to
 * write `truth/person_findings.csv`. It reads the rule text literally and shares no code with
 * recon's SQL; where the text leaves a choice, the reading is marked "Interpretation" and listed
 * in truth/README.md (PERSON_INTERPRETATIONS).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { LocalParams } from '../../src/reference/params.ts';
import { isoOf, ymd } from './dates.ts';
import type { Employer } from './model.ts';
import { ageOn, birthOf, idCheckChar } from './person-ids.ts';
import type { Person } from './person-model.ts';
import { paramsForMonth } from './truth.ts';

/** The person rule ids of RULES.md, in table order (project_uninsured is not a person rule). */
export const PERSON_RULE_IDS = ['person_uninsured', 'person_base_low', 'person_lapsed', 'assistance_not_covered'] as const;
export type PersonRuleId = (typeof PERSON_RULE_IDS)[number];

/** One expected person finding (a row of person_findings.csv). */
export interface PersonFinding {
  rule: PersonRuleId;
  idNo: string;
  name: string;
  /** The employer the finding belongs to (its key in the model), null for person_lapsed and assistance_not_covered. */
  employer: string | null;
  uscc: string;
  severity: 'high' | 'medium' | 'low';
  /** Cents, null when the rule has no amount. */
  amount: number | null;
}

/** The parameters of the person rules, with RULES.md's defaults. */
export interface PersonParams {
  retirementMale: number;
  retirementFemale: number;
  daijiaoFromMonth: number;
  /** resident_pension_min_tier in cents; where it came from (for the README and the report). */
  minTier: number;
  minTierSource: string;
}

/** What the evaluator needs besides the person. */
export interface PersonTruthContext {
  asOf: number;
  closedMonth: number;
  params: LocalParams;
  person: PersonParams;
}

/** The employer facts the person rules read. */
export interface EmployerFacts {
  key: string;
  uscc: string;
  /** Enrolled: an active 110 enrollment row. */
  enrolled: boolean;
  /** Not findings (RULES.md): an individual business with no headcount evidence, established less than 30 days before D, closed/revoked/moved out. */
  excluded: boolean;
}

/** The categories of EXPORTS.md's assistance kind; others are a data-quality note, not a roll. */
export const AID_CATEGORIES = new Set([
  '城市低保',
  '农村低保',
  '特困供养',
  '重度残疾',
  '一级残疾',
  '二级残疾',
  '脱贫人口',
  '建档立卡贫困人口',
  '防止返贫监测对象',
]);
const PENSIONER_TYPES = new Set(['退休', '离休', '退职']);
const DEFAULT_MIN_TIER_YUAN = 200;

/**
 * The person-rule parameters: retirement ages and the 代缴 month are pipeline parameters with
 * RULES.md's defaults; `resident_pension_min_tier` is a local parameter, read from the local
 * parameters file when it has one (in the period in force on D, or at the top level), else 200 yuan.
 */
export function personParams(paramsFile: string, asOf: number): PersonParams {
  let raw: unknown;
  try {
    raw = parse(readFileSync(paramsFile, 'utf8'));
  } catch {
    raw = undefined;
  }
  const day = isoOf(asOf);
  let tier: number | undefined;
  let source = 'not in the local parameters file: the default';
  if (isRecord(raw)) {
    const periods = Array.isArray(raw['periods']) ? (raw['periods'] as unknown[]) : [];
    for (const p of periods) {
      if (!isRecord(p)) continue;
      const from = dateText(p['valid_from']);
      const to = dateText(p['valid_to']);
      if (from !== null && to !== null && from <= day && day <= to && typeof p['resident_pension_min_tier'] === 'number') {
        tier = p['resident_pension_min_tier'];
        source = `local parameters file, period ${from}..${to}`;
      }
    }
    if (tier === undefined && typeof raw['resident_pension_min_tier'] === 'number') {
      tier = raw['resident_pension_min_tier'];
      source = 'local parameters file';
    }
  }
  return {
    retirementMale: 60,
    retirementFemale: 55,
    daijiaoFromMonth: 7,
    minTier: Math.round((tier ?? DEFAULT_MIN_TIER_YUAN) * 100),
    minTierSource: source,
  };
}

/** The facts of an employer the person rules need, read from the clean employer model. */
export function employerFacts(e: Employer, asOf: number, M: number): EmployerFacts {
  const rows = (e.tax?.withholding ?? []).filter((w) => w.month >= M - 2 && w.month <= M);
  const H = rows.length > 0 ? Math.max(...rows.map((w) => w.headcount)) : e.employees;
  const cls = e.registry.statusClass;
  return {
    key: e.key,
    uscc: e.uscc,
    enrolled: (e.si?.enrollments ?? []).some((en) => en.type === '110' && en.status === 'active'),
    excluded: (e.kind === 'individual' && H === null) || e.established > asOf - 30 || cls === 'closed' || cls === 'revoked' || cls === 'moved_out',
  };
}

/** Whether a number is a resident ID that can be a subject: 18 characters, its check character, a birth date from 1900-01-01 to D. */
export function validResidentId(id: string, asOf: number): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  if (idCheckChar(id.slice(0, 17)) !== id.charAt(17)) return false;
  const birth = birthOf(id);
  return birth !== null && birth >= FIRST_DAY_1900 && birth <= asOf;
}
const FIRST_DAY_1900 = Date.UTC(1900, 0, 1) / 86_400_000;

/** The year Y whose 政府代缴 covers a person on D: D's year from month `daijiao_from_month` on, else the year before. */
export function daijiaoYear(asOf: number, fromMonth: number): number {
  const { y, m } = ymd(asOf);
  return m >= fromMonth ? y : y - 1;
}

/**
 * Evaluates the four person rules for one person at D. `employer` resolves an employer key of
 * the person's rows (every withholding agent and unit of the model belongs to one).
 */
export function evaluatePerson(p: Person, employer: (key: string) => EmployerFacts, ctx: PersonTruthContext): PersonFinding[] {
  const D = ctx.asOf;
  const M = ctx.closedMonth;
  // Subjects: resident IDs only (居民身份证 or no type), valid number and birth date.
  if (p.idType !== '居民身份证' || !validResidentId(p.idNo, D)) return [];
  const birth = birthOf(p.idNo) as number;
  const age = ageOn(birth, D);
  const male = Number(p.idNo.charAt(16)) % 2 === 1;
  const workingAge = age >= 16 && age < (male ? ctx.person.retirementMale : ctx.person.retirementFemale);
  const yearD = ymd(D).y;

  // Pensioner: si_person 退休/离休/退职 of any type and status, or a resident pension 领取待遇 of a year up to D's.
  const pensioner = p.si.some((r) => PENSIONER_TYPES.has(r.personType)) || p.resident.some((r) => r.status === 'receiving' && r.year <= yearD);
  if (pensioner) return [];

  const enrolled = p.si.some((r) => (r.type === '110' || r.type === '120') && r.status === 'active');
  let lastPaid: number | null = null;
  for (const r of p.si) if (r.type === '110' && r.lastPaid !== null && (lastPaid === null || r.lastPaid > lastPaid)) lastPaid = r.lastPaid;
  const unpaidSinceBeforeM2 = lastPaid !== null && lastPaid < M - 2;

  // Qualifying wage rows: 正常工资薪金 (or none), 雇员 (or none), income > 0.
  const qualifying = p.iit.filter((r) => r.item === '正常工资薪金' && r.employmentType === '雇员' && r.income > 0);
  const atEmployer = new Map<string, Map<number, typeof qualifying>>();
  for (const r of qualifying) {
    const months = atEmployer.get(r.employer) ?? new Map<number, typeof qualifying>();
    const list = months.get(r.month) ?? [];
    list.push(r);
    months.set(r.month, list);
    atEmployer.set(r.employer, months);
  }
  const out: PersonFinding[] = [];
  const paramsM = paramsForMonth(ctx.params, M);

  for (const [key, months] of [...atEmployer.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const rowsM = months.get(M);
    if (rowsM === undefined || !months.has(M - 1)) continue;
    // Interpretation: "a person whose row at E for M has left_on on or before D" - any qualifying row of M.
    if (rowsM.some((r) => r.leftOn !== null && r.leftOn <= D)) continue;
    const facts = employer(key);
    if (facts.excluded) continue;

    // person_uninsured
    const hired = rowsM.map((r) => r.employedOn).filter((d): d is number => d !== null);
    const employedOn = hired.length > 0 ? Math.min(...hired) : null;
    if (workingAge && (!enrolled || unpaidSinceBeforeM2) && (employedOn === null || employedOn <= D - 30)) {
      let amount = 0;
      for (let m = M - 11; m <= M; m++) {
        if (!months.has(m)) continue;
        const set = paramsForMonth(ctx.params, m);
        amount += toCents(set.baseFloor) * set.employerRates['110'];
      }
      out.push({
        rule: 'person_uninsured',
        idNo: p.idNo,
        name: p.name,
        employer: key,
        uscc: facts.uscc,
        severity: facts.enrolled ? 'high' : 'medium',
        amount: Math.round(amount),
      });
    }

    // person_base_low: the largest base on the person's active 110 rows at units of E.
    const bases = p.si.filter((r) => r.type === '110' && r.status === 'active' && r.employer === key && r.base !== null).map((r) => r.base as number);
    if (bases.length > 0) {
      const base = Math.max(...bases);
      let sum = 0;
      let n = 0;
      for (let m = M - 2; m <= M; m++) {
        const income = (months.get(m) ?? []).reduce((s, r) => s + r.income, 0);
        if (income > 0) {
          sum += income;
          n++;
        }
      }
      const cap = toCents(paramsM.baseCap);
      // W = min(I, cap) with I = sum / n, compared exactly: base < 0.8 W and W - base >= 500 yuan.
      const capped = sum >= n * cap;
      const low = capped ? base * 5 < cap * 4 && cap - base >= 50_000 : base * 5 * n < sum * 4 && sum - n * base >= 50_000 * n;
      if (n > 0 && low) {
        const gap = capped ? cap - base : (sum - n * base) / n;
        out.push({
          rule: 'person_base_low',
          idNo: p.idNo,
          name: p.name,
          employer: key,
          uscc: facts.uscc,
          severity: 'medium',
          amount: Math.round(gap * paramsM.employerRates['110'] * 3),
        });
      }
    }
  }

  // person_lapsed: a 110 row active or suspended; last paid before M-2; no qualifying wage row in M from anyone;
  // no active resident pension for D's year. Belongs to the person only.
  const open110 = p.si.some((r) => r.type === '110' && (r.status === 'active' || r.status === 'suspended'));
  const employeeInM = qualifying.some((r) => r.month === M);
  const residentActive = p.resident.some((r) => r.year === yearD && r.status === 'active');
  if (open110 && workingAge && unpaidSinceBeforeM2 && !employeeInM && !residentActive) {
    const months = M - (lastPaid as number);
    out.push({ rule: 'person_lapsed', idNo: p.idNo, name: p.name, employer: null, uscc: '', severity: months >= 12 ? 'medium' : 'low', amount: null });
  }

  // assistance_not_covered: on a listed roll on D, 16 <= age < 60, not enrolled, no 政府代缴 row for Y (any status).
  const onRoll = p.aid.some((r) => AID_CATEGORIES.has(r.category) && (r.since === null || r.since <= D) && (r.until === null || r.until >= D));
  const Y = daijiaoYear(D, ctx.person.daijiaoFromMonth);
  const covered = p.resident.some((r) => r.year === Y && r.funding === 'daijiao');
  if (onRoll && age >= 16 && age < 60 && !enrolled && !covered) {
    out.push({
      rule: 'assistance_not_covered',
      idNo: p.idNo,
      name: p.name,
      employer: null,
      uscc: '',
      severity: 'medium',
      amount: ctx.person.minTier,
    });
  }
  return out;
}

/** Interpretations of the person rules (truth/README.md). */
export const PERSON_INTERPRETATIONS = [
  'Subjects: a person is one normalised resident ID; rows with another ID type (外国护照, 港澳居民居住证, ...) never make a subject, nor does an ID that fails its check character or has an impossible birth date (not a calendar date, before 1900-01-01, after D).',
  'Age: whole years completed on D, the birthday counting (born 1970-10-31 is 56 on 2026-10-31). Working age: 16 <= age < 60 (men, 17th digit odd) or 55 (women); retirement ages are the defaults retirement_age.male = 60 and retirement_age.female = 55.',
  "Pensioner: any si_person row with person_type 退休/离休/退职 (any type, any status), or a resident_pension row of a year up to D's with status 领取待遇. Pensioners are no subject of any person rule (person_base_low included).",
  'Qualifying wage row: income_item 正常工资薪金 or empty, employment_type 雇员 or empty, income > 0. Employee of E in m: a qualifying row of period m whose agent is E. Monthly income at E: the sum of the qualifying rows at E of the month (two rows of one agent, person, month and item are summed).',
  'Employed at E: qualifying rows at E in both M-1 and M, and no qualifying row at E for M with left_on on or before D.',
  "Enrolled person: an si_person row of type 110 or 120 with status active (1 / 参保缴费 / 正常参保), at any unit or none. Last paid month: the latest last_paid_period over the person's 110 rows of any status; none when no row has one.",
  'person_uninsured: employed at E, working age, not a pensioner, not enrolled - or enrolled with a last paid month before M-2 -, employed_on (the earliest of the qualifying rows at E for M, when given) on or before D - 30 days; the employer exclusions of RULES.md apply to E (closed/revoked/moved out, established less than 30 days before D, an individual business without headcount evidence); 停业/歇业/清算 employers are included. One finding per person and employer. Severity high when E is enrolled (an active 110 enrollment row), else medium.',
  'person_uninsured amount: the sum over the months m of M-11..M in which the person has a qualifying row at E of base_floor(m) x employer pension rate(m), each month with the parameter period containing it; rounded to the cent at the end.',
  "person_base_low: employed at E; base = the largest base of the person's active 110 rows at the SI unit of E; I = the mean of the monthly income at E over the months of M-2..M where it is > 0; W = min(I, base cap of the parameter period containing M); finding when base < 0.8 x W and W - base >= 500.00, evaluated exactly (no rounding of I). Amount: (W - base) x employer pension rate of M x 3, rounded to the cent. Severity medium.",
  "person_lapsed: a 110 row with status active or suspended; working age; not a pensioner; a last paid month before M-2; no qualifying row for M from any agent (non-qualifying rows such as 劳务报酬 do not count); no resident_pension row for D's year with status 正常参保. Severity low, medium when M - last paid month >= 12 (lapsed 12 months or more). No employer (uscc empty), no amount.",
  'assistance_not_covered: an assistance row of a listed category (城市低保, 农村低保, 特困供养, 重度残疾, 一级残疾, 二级残疾, 脱贫人口, 建档立卡贫困人口, 防止返贫监测对象) active on D (since empty or <= D, until empty or >= D); 16 <= age < 60 for both sexes; not a pensioner; not an enrolled person; no resident_pension row for year Y with funding 政府代缴 (any status), Y = the year of D when D is in or after month 7 (daijiao_from_month), else the year before. 财政补贴 and 个人缴费 are not 代缴. One finding per person, however many rolls. Amount: resident_pension_min_tier. Severity medium.',
  'iit_detail corrections: the later file wins per (withholding agent, month); the truth is the corrected data.',
];

function toCents(yuan: number): number {
  return Math.round(yuan * 100);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dateText(value: unknown): string | null {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  return typeof value === 'string' ? value : null;
}
