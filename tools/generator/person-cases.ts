/**
 * The planted person cases: people whose rows put a person rule of RULES.md exactly on or
 * next to one of its boundaries. Each case says what kind of host employer it needs (a wage
 * slot that was never insured, an insured slot, a unit, an agent, or just a place to live),
 * which months the person holds the slot, the rows they have besides their wages, and what the
 * reference evaluator must find. The generator plants one round of every case per 300
 * employers (the first round at the start), on the first hosts that fit, without changing any
 * employer's counts or sums.
 */
import { yearsBefore } from './person-ids.ts';
import type { AidOffice, Person, PersonInsType, ResidentRow, SiPersonRow } from './person-model.ts';
import type { PersonRuleId } from './person-truth.ts';
import type { SiStatus } from './model.ts';

/**
 * What a slot plan needs from its host employer:
 * - `U`: a wage slot never insured at the unit, at an employer not enrolled (person_uninsured medium);
 * - `Ue`: the same at an enrolled employer (high);
 * - `I`: an insured and paid wage slot at an enrolled employer (person_base_low);
 * - `agent`: any withholding agent with a row in the months (extra, non-qualifying rows);
 * - `unit`: an enrolled SI unit (rows at the unit, no wages);
 * - `place`: any employer (only its district and street are used).
 * The employer exclusions of RULES.md never apply to a host of U, Ue or I.
 */
export type HostKind = 'U' | 'Ue' | 'I' | 'agent' | 'unit' | 'place';

/** One host of a case and how the person is paid there. */
export interface SlotPlan {
  host: HostKind;
  /** First and last month (offsets from M) of the wage slot or the extra rows; default -2 and the end of the ledger. */
  from?: number;
  to?: number;
  item?: string;
  employmentType?: string;
  /** 任职受雇从业日期: 'start' (default: hired when the slot starts, before the ledger when it starts with it), a day offset from D, or null (not written). */
  employedOn?: 'start' | { daysBeforeD: number } | null;
  /** Writes 离职日期 on the last month's row (a day of that month on or before D). */
  leftOnLast?: boolean;
  /** The income of the months M-2..M as a function of the host's default share and the base cap of M (cents); others at the host absorb the difference. */
  income?: (share: number, cap: number, base: number) => number;
  /** The person's monthly base at the unit (cents) as a function of the host's default per-person base and the base cap. */
  base?: (share: number, cap: number) => number;
  /** Writes the month-M wage as two rows (summed by the reader). */
  split?: boolean;
  /** The main iit_detail file writes this person's month-M row with a mistyped ID; a correction (更正申报) of the agent's month holds the right one. */
  correction?: boolean;
}

/** What a case's extra rows may use of a host. */
export interface HostRef {
  key: string;
  uscc: string;
  unitId: string | null;
  /** The unit's per-person 110 base in its latest declared month (cents), null without one. */
  base: number | null;
  districtCode: string;
  street: string;
}

/** The context a case builds its extra rows in. */
export interface CaseContext {
  asOf: number;
  M: number;
  /** The year of D. */
  year: number;
  /** Base floor of M, cents. */
  floor: number;
  minTier: number;
  /** A community name near the host. */
  community: string;
}

/** An expected finding: the rule, the host it belongs to (index into the slots), and the severity when RULES.md fixes it. */
export interface Expected {
  rule: PersonRuleId;
  host?: number;
  severity?: 'high' | 'medium' | 'low';
}

/** Who the person is: sex, age on D and where the birthday falls, the kind of document. */
export interface Identity {
  male: boolean;
  /** Age on D. */
  age: number;
  /** `today`: the birthday is D (just turned `age`); `tomorrow`: turns `age + 1` tomorrow; default: some day well away from D. */
  birthday?: 'today' | 'tomorrow';
  /** Other documents; `bad_check` / `bad_birth`: a resident ID that fails its check / has an impossible birth date. */
  document?: 'passport' | 'hk_permit' | 'bad_check' | 'bad_birth';
  /** The check character must be X (for the lower-case x spellings). */
  checkX?: boolean;
}

/** A planted case. */
export interface PersonCase {
  id: string;
  note: string;
  who: Identity;
  slots: SlotPlan[];
  /** Rows besides the wage rows (si_person, resident_pension, assistance), once all hosts are known. */
  rows?: (p: Person, hosts: HostRef[], c: CaseContext) => void;
  /** How the iit rows write the ID (and its type): planted spellings. */
  iitId?: (p: Person) => { idWritten?: string; idTypeWritten?: string | null };
  expect: Expected[];
}

// ---- row helpers for the cases

function si(
  p: Person,
  host: HostRef,
  c: CaseContext,
  opts: {
    /** At the host's unit (default: none, insured on their own), or at a unit outside the fixture. */
    unit?: 'host' | string;
    type?: PersonInsType;
    status?: SiStatus;
    personType?: string;
    lastPaid: number | null;
    base?: number | null;
    idWritten?: string;
    nameWritten?: string;
  },
): void {
  const atHost = opts.unit === 'host';
  const unitId = atHost ? host.unitId : (opts.unit ?? null);
  const row: SiPersonRow = {
    unitId,
    employer: atHost ? host.key : null,
    type: opts.type ?? '110',
    status: opts.status ?? 'active',
    personType: opts.personType ?? (unitId !== null ? '在职' : '灵活就业'),
    enrolledOn: c.asOf - 2000,
    base: opts.base === undefined ? (atHost ? (host.base ?? c.floor) : c.floor) : opts.base,
    lastPaid: opts.lastPaid,
    districtCode: host.districtCode,
    street: host.street,
  };
  if (opts.idWritten !== undefined) row.idWritten = opts.idWritten;
  if (opts.nameWritten !== undefined) row.nameWritten = opts.nameWritten;
  p.si.push(row);
}

function resident(
  p: Person,
  h: HostRef,
  year: number,
  status: ResidentRow['status'],
  funding: ResidentRow['funding'],
  paid: number | null,
  identity = '普通',
): void {
  p.resident.push({ year, status, funding, paid, identity, districtCode: h.districtCode, street: h.street });
}

const OFFICE: Record<string, AidOffice> = {
  城市低保: 'civil',
  农村低保: 'civil',
  特困供养: 'civil',
  临时救助: 'civil',
  重度残疾: 'disability',
  一级残疾: 'disability',
  二级残疾: 'disability',
  脱贫人口: 'rural',
  建档立卡贫困人口: 'rural',
  防止返贫监测对象: 'rural',
};

function aid(p: Person, h: HostRef, c: CaseContext, category: string, opts: { since?: number | null; until?: number | null; idWritten?: string } = {}): void {
  const row = {
    category,
    office: OFFICE[category] ?? 'civil',
    since: opts.since === undefined ? c.asOf - 900 : opts.since,
    until: opts.until ?? null,
    districtCode: h.districtCode,
    street: h.street,
    community: c.community,
  };
  p.aid.push(opts.idWritten === undefined ? row : { ...row, idWritten: opts.idWritten });
}

const place = (h: HostRef[]): HostRef => h[0] as HostRef;
const U: SlotPlan = { host: 'U' };
const adult = (male: boolean, age = 35): Identity => ({ male, age });

/** The cases, in planting order. */
export const PERSON_CASES: PersonCase[] = [
  // ---- person_uninsured: employment, age, hiring
  {
    id: 'p_uninsured',
    note: 'wage earner in M-2..M at an employer without SI (medium)',
    who: adult(true),
    slots: [U],
    expect: [{ rule: 'person_uninsured', host: 0, severity: 'medium' }],
  },
  {
    id: 'p_uninsured_enrolled_employer',
    note: 'wage earner never insured at an enrolled employer (漏保 inside an insured unit: high)',
    who: adult(false, 30),
    slots: [{ host: 'Ue' }],
    expect: [{ rule: 'person_uninsured', host: 0, severity: 'high' }],
  },
  {
    id: 'p_uninsured_full_year',
    note: 'wage earner all 12 months (amount: 12 months of floor x pension rate)',
    who: adult(true, 44),
    slots: [{ host: 'U', from: -11 }],
    expect: [{ rule: 'person_uninsured', host: 0, severity: 'medium' }],
  },
  { id: 'p_only_in_M', note: 'hired in M: employee in M only, not in M-1 (not employed)', who: adult(true, 25), slots: [{ host: 'U', from: 0 }], expect: [] },
  {
    id: 'p_only_in_M1',
    note: 'left in M-1: employee in M-5..M-1 only (not employed)',
    who: adult(false, 27),
    slots: [{ host: 'U', from: -5, to: -1, leftOnLast: true }],
    expect: [],
  },
  {
    id: 'p_age_16_today',
    note: '16th birthday on D (working age), hired without an employment date',
    who: { male: true, age: 16, birthday: 'today' },
    slots: [{ host: 'U', from: -1, employedOn: null }],
    expect: [{ rule: 'person_uninsured', host: 0 }],
  },
  {
    id: 'p_age_16_tomorrow',
    note: 'turns 16 the day after D (15 on D: not working age)',
    who: { male: false, age: 15, birthday: 'tomorrow' },
    slots: [{ host: 'U', from: -1, employedOn: null }],
    expect: [],
  },
  { id: 'p_male_60_today', note: 'man turning 60 on D (retirement age reached)', who: { male: true, age: 60, birthday: 'today' }, slots: [U], expect: [] },
  {
    id: 'p_male_60_tomorrow',
    note: 'man turning 60 the day after D (59: working age)',
    who: { male: true, age: 59, birthday: 'tomorrow' },
    slots: [U],
    expect: [{ rule: 'person_uninsured', host: 0 }],
  },
  { id: 'p_female_55_today', note: 'woman turning 55 on D (retirement age reached)', who: { male: false, age: 55, birthday: 'today' }, slots: [U], expect: [] },
  {
    id: 'p_female_55_tomorrow',
    note: 'woman turning 55 the day after D (54: working age)',
    who: { male: false, age: 54, birthday: 'tomorrow' },
    slots: [U],
    expect: [{ rule: 'person_uninsured', host: 0 }],
  },
  {
    id: 'p_hired_30d',
    note: 'employment date exactly D - 30 days (art. 58 deadline passed; the date is later than the wage months, as a re-hire date can be)',
    who: adult(true, 22),
    slots: [{ host: 'U', from: -1, employedOn: { daysBeforeD: 30 } }],
    expect: [{ rule: 'person_uninsured', host: 0 }],
  },
  {
    id: 'p_hired_29d',
    note: 'employment date D - 29 days (still within 30 days; later than the wage months, as a re-hire date can be)',
    who: adult(false, 23),
    slots: [{ host: 'U', from: -1, employedOn: { daysBeforeD: 29 } }],
    expect: [],
  },
  {
    id: 'p_left_in_M',
    note: 'row for M carries 离职日期 in M (before D): not employed',
    who: adult(true, 41),
    slots: [{ host: 'U', to: 0, leftOnLast: true }],
    expect: [],
  },
  {
    id: 'p_two_employers',
    note: 'employee of two employers in M-1 and M: one finding at each',
    who: adult(false, 38),
    slots: [U, U],
    expect: [
      { rule: 'person_uninsured', host: 0 },
      { rule: 'person_uninsured', host: 1 },
    ],
  },
  {
    id: 'p_job_change',
    note: 'employee of E1 up to M-1 (left), of E2 from M-1: a finding at E2 only',
    who: adult(true, 29),
    slots: [
      { host: 'U', from: -6, to: -1, leftOnLast: true },
      { host: 'U', from: -1 },
    ],
    expect: [{ rule: 'person_uninsured', host: 1 }],
  },
  {
    id: 'p_rehired_pensioner',
    note: '退休返聘: si_person 110 row 退休 (terminated), paid wages at 57: pensioner, no subject',
    who: adult(true, 57),
    slots: [U],
    rows: (p, h, c) => si(p, place(h), c, { status: 'terminated', personType: '退休', lastPaid: c.M - 30 }),
    expect: [],
  },
  {
    id: 'p_rehired_resident_pensioner',
    note: 'paid wages, resident pension 领取待遇 for the year before D: pensioner, no subject',
    who: adult(false, 53),
    slots: [U],
    rows: (p, h, c) => resident(p, place(h), c.year - 1, 'receiving', null, null),
    expect: [],
  },
  {
    id: 'p_intern',
    note: '实习学生（全日制学历教育） with 正常工资薪金: not 雇员, not a qualifying row',
    who: adult(true, 20),
    slots: [{ host: 'U', employmentType: '实习学生（全日制学历教育）' }],
    expect: [],
  },
  {
    id: 'p_labour_only',
    note: '劳务报酬 rows in M-1 and M (not in the headcount, not qualifying)',
    who: adult(true, 46),
    slots: [{ host: 'agent', from: -1, to: 0, item: '劳务报酬', employmentType: '其他', employedOn: null }],
    expect: [],
  },
  {
    id: 'p_empty_id_type',
    note: '证件类型 left empty on every row: a resident ID',
    who: adult(false, 33),
    slots: [U],
    iitId: () => ({ idTypeWritten: null }),
    expect: [{ rule: 'person_uninsured', host: 0 }],
  },
  { id: 'p_foreigner', note: '外国护照: counted, never a subject', who: { male: true, age: 36, document: 'passport' }, slots: [U], expect: [] },
  {
    id: 'p_hk_permit',
    note: '港澳居民居住证 whose number passes the resident-ID check: another ID type, never a subject',
    who: { male: false, age: 31, document: 'hk_permit' },
    slots: [U],
    expect: [],
  },
  {
    id: 'p_invalid_check',
    note: 'ID with a wrong check character: data quality, never a subject',
    who: { male: true, age: 34, document: 'bad_check' },
    slots: [U],
    expect: [],
  },
  {
    id: 'p_invalid_birth',
    note: 'ID with an impossible birth date (30 February) and a correct check character',
    who: { male: false, age: 36, document: 'bad_birth' },
    slots: [U],
    expect: [],
  },
  {
    id: 'p_id_lower_x',
    note: 'ID ending in X, written with a lower-case x in iit_detail (the truth has upper-case X)',
    who: { male: true, age: 42, checkX: true },
    slots: [U],
    iitId: (p) => ({ idWritten: p.idNo.toLowerCase() }),
    expect: [{ rule: 'person_uninsured', host: 0 }],
  },
  {
    id: 'p_id_fullwidth',
    note: 'ID written in full-width digits in iit_detail',
    who: adult(false, 39),
    slots: [U],
    iitId: (p) => ({ idWritten: fullWidthId(p.idNo) }),
    expect: [{ rule: 'person_uninsured', host: 0 }],
  },
  {
    id: 'p_id15_enrolled',
    note: 'wage earner at an uninsured employer, enrolled on their own (灵活就业) under the 15-digit form of the ID: enrolled, no finding',
    who: adult(true, 48),
    slots: [U],
    rows: (p, h, c) => si(p, place(h), c, { lastPaid: c.M, idWritten: p.idNo.slice(0, 6) + p.idNo.slice(8, 17) }),
    expect: [],
  },
  {
    id: 'p_id_lower_x_enrolled',
    note: 'enrolled (灵活就业) with the ID written with a lower-case x in si_person, upper-case in iit_detail: no finding',
    who: { male: false, age: 37, checkX: true },
    slots: [U],
    rows: (p, h, c) => si(p, place(h), c, { lastPaid: c.M, idWritten: p.idNo.toLowerCase() }),
    expect: [],
  },
  {
    id: 'p_id_fullwidth_enrolled',
    note: 'enrolled (灵活就业) with the ID written in full-width digits in si_person: no finding',
    who: adult(true, 43),
    slots: [U],
    rows: (p, h, c) => si(p, place(h), c, { lastPaid: c.M - 1, idWritten: fullWidthId(p.idNo) }),
    expect: [],
  },
  {
    id: 'p_name_mismatch_enrolled',
    note: 'enrolled under another spelling of the name: rows join on the ID alone',
    who: adult(false, 45),
    slots: [U],
    rows: (p, h, c) => si(p, place(h), c, { lastPaid: c.M, nameWritten: `${p.name.slice(0, 1)}${p.name.length > 2 ? '晓' : '小'}${p.name.slice(-1)}` }),
    expect: [],
  },
  {
    id: 'p_enrolled_120',
    note: 'enrolled in 机关事业单位养老保险 (120) at a public institution outside the fixture: an enrolled person',
    who: adult(true, 50),
    slots: [U],
    rows: (p, h, c) => si(p, place(h), c, { unit: `9${place(h).districtCode.slice(2)}${p.key.slice(-7).padStart(7, '0')}`, type: '120', lastPaid: c.M }),
    expect: [],
  },
  {
    id: 'p_enrolled_unpaid',
    note: 'active 110 row at the employer, last paid M-3, still paid wages (the employer stopped paying for them: high)',
    who: adult(true, 40),
    slots: [{ host: 'Ue' }],
    rows: (p, h, c) => si(p, place(h), c, { unit: 'host', lastPaid: c.M - 3 }),
    expect: [{ rule: 'person_uninsured', host: 0, severity: 'high' }],
  },
  {
    id: 'p_enrolled_paid_m2',
    note: 'active 110 row at the employer, last paid M-2 (not before M-2): no finding',
    who: adult(false, 41),
    slots: [{ host: 'Ue' }],
    rows: (p, h, c) => si(p, place(h), c, { unit: 'host', lastPaid: c.M - 2 }),
    expect: [],
  },
  {
    id: 'p_enrolled_never_paid',
    note: 'active 110 row at the employer without a last paid month (never "unpaid since before M-2")',
    who: adult(true, 36),
    slots: [{ host: 'Ue' }],
    rows: (p, h, c) => si(p, place(h), c, { unit: 'host', lastPaid: null }),
    expect: [],
  },
  {
    id: 'p_suspended_elsewhere_employed',
    note: 'suspended 110 row (last paid M-4) and paid wages in M: person_uninsured, not person_lapsed',
    who: adult(false, 32),
    slots: [U],
    rows: (p, h, c) => si(p, place(h), c, { status: 'suspended', lastPaid: c.M - 4 }),
    expect: [{ rule: 'person_uninsured', host: 0 }],
  },
  {
    id: 'p_correction',
    note: 'the earlier iit_detail delivery has a mistyped ID on the month-M row; the correction (更正申报) of the agent month has it right (mixed formats)',
    who: adult(true, 28),
    slots: [{ host: 'U', correction: true }],
    expect: [{ rule: 'person_uninsured', host: 0 }],
  },

  // ---- person_base_low (insured slots at enrolled employers)
  {
    id: 'p_base_just_below',
    note: 'base b, income 1.25 b + 0.01 (base < 0.8 W by a cent); the month-M wage in two rows',
    who: adult(true, 38),
    slots: [{ host: 'I', from: -11, base: (share) => Math.floor(share / 400) * 400, income: (_s, _cap, base) => (base * 5) / 4 + 1, split: true }],
    expect: [{ rule: 'person_base_low', host: 0, severity: 'medium' }],
  },
  {
    id: 'p_base_at_080',
    note: 'base exactly 0.8 x W: not lower',
    who: adult(false, 35),
    slots: [{ host: 'I', from: -11, base: (share) => Math.floor(share / 400) * 400, income: (_s, _cap, base) => (base * 5) / 4 }],
    expect: [],
  },
  {
    id: 'p_base_diff_500',
    note: 'base 1,600, W 2,100: W - base = 500.00 (>= 500)',
    who: adult(true, 26),
    slots: [{ host: 'I', from: -11, base: () => 160_000, income: () => 210_000 }],
    expect: [{ rule: 'person_base_low', host: 0, severity: 'medium' }],
  },
  {
    id: 'p_base_diff_499',
    note: 'base 1,600, W 2,099.99: W - base = 499.99 (< 500)',
    who: adult(false, 24),
    slots: [{ host: 'I', from: -11, base: () => 160_000, income: () => 209_999 }],
    expect: [],
  },
  {
    id: 'p_base_capped_ok',
    note: 'income 1.5 x cap, base 0.8 x cap: W = cap, base = 0.8 W (low only if W were not capped)',
    who: adult(true, 47),
    slots: [{ host: 'I', from: -11, base: (_s, cap) => (cap * 4) / 5, income: (_s, cap) => Math.round(cap * 1.5) }],
    expect: [],
  },
  {
    id: 'p_base_capped_low',
    note: 'income 1.5 x cap, base 0.8 x cap - 1,000: W = cap, low',
    who: adult(false, 44),
    slots: [{ host: 'I', from: -11, base: (_s, cap) => (cap * 4) / 5 - 100_000, income: (_s, cap) => Math.round(cap * 1.5) }],
    expect: [{ rule: 'person_base_low', host: 0, severity: 'medium' }],
  },

  // ---- person_lapsed
  {
    id: 'p_lapsed_3m',
    note: '灵活就业, active 110 row, last paid M-3: lapsed (low)',
    who: adult(true, 37),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => si(p, place(h), c, { lastPaid: c.M - 3 }),
    expect: [{ rule: 'person_lapsed', severity: 'low' }],
  },
  {
    id: 'p_lapsed_2m',
    note: 'last paid M-2: not lapsed',
    who: adult(false, 36),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => si(p, place(h), c, { lastPaid: c.M - 2 }),
    expect: [],
  },
  {
    id: 'p_lapsed_12m',
    note: 'suspended 110 row, last paid M-12: lapsed 12 months (medium)',
    who: adult(true, 45),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => si(p, place(h), c, { status: 'suspended', lastPaid: c.M - 12 }),
    expect: [{ rule: 'person_lapsed', severity: 'medium' }],
  },
  {
    id: 'p_lapsed_11m',
    note: 'last paid M-11: lapsed 11 months (low)',
    who: adult(false, 46),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => si(p, place(h), c, { status: 'suspended', lastPaid: c.M - 11 }),
    expect: [{ rule: 'person_lapsed', severity: 'low' }],
  },
  {
    id: 'p_lapsed_at_unit',
    note: 'suspended 110 row at an enrolled unit, last paid M-5, no wages anywhere in M',
    who: adult(true, 33),
    slots: [{ host: 'unit' }],
    rows: (p, h, c) => si(p, place(h), c, { unit: 'host', status: 'suspended', lastPaid: c.M - 5 }),
    expect: [{ rule: 'person_lapsed', severity: 'low' }],
  },
  {
    id: 'p_lapsed_terminated',
    note: 'only a terminated 110 row (transferred out), last paid M-6: not lapsed',
    who: adult(false, 34),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => si(p, place(h), c, { status: 'terminated', lastPaid: c.M - 6 }),
    expect: [],
  },
  {
    id: 'p_lapsed_resident_this_year',
    note: 'lapsed, but an active resident pension row (正常参保) for the year of D: not lapsed',
    who: adult(true, 52),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => {
      si(p, place(h), c, { status: 'suspended', lastPaid: c.M - 8 });
      resident(p, place(h), c.year, 'active', 'personal', 30_000);
    },
    expect: [],
  },
  {
    id: 'p_lapsed_resident_last_year',
    note: 'lapsed, an active resident pension row only for the year before D: lapsed',
    who: adult(false, 50),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => {
      si(p, place(h), c, { lastPaid: c.M - 7 });
      resident(p, place(h), c.year - 1, 'active', 'personal', 30_000);
    },
    expect: [{ rule: 'person_lapsed', severity: 'low' }],
  },
  {
    id: 'p_lapsed_labour_in_M',
    note: 'lapsed, paid only 劳务报酬 in M (non-qualifying rows do not exclude): lapsed',
    who: adult(true, 39),
    slots: [{ host: 'agent', from: 0, to: 0, item: '劳务报酬', employmentType: '其他', employedOn: null }],
    rows: (p, h, c) => si(p, place(h), c, { status: 'suspended', lastPaid: c.M - 6 }),
    expect: [{ rule: 'person_lapsed', severity: 'low' }],
  },
  {
    id: 'p_lapsed_never_paid',
    note: 'active 110 row with no last paid month: never lapsed',
    who: adult(false, 30),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => si(p, place(h), c, { lastPaid: null }),
    expect: [],
  },
  {
    id: 'p_lapsed_pensioner',
    note: 'suspended 110 row last paid M-8 and person_type 退休: pensioner',
    who: adult(false, 52),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => si(p, place(h), c, { status: 'suspended', personType: '退休', lastPaid: c.M - 8 }),
    expect: [],
  },
  {
    id: 'p_lapsed_female_55',
    note: 'woman aged 55 on D (birthday today), last paid M-6: not working age',
    who: { male: false, age: 55, birthday: 'today' },
    slots: [{ host: 'place' }],
    rows: (p, h, c) => si(p, place(h), c, { status: 'suspended', lastPaid: c.M - 6 }),
    expect: [],
  },

  // ---- assistance_not_covered
  {
    id: 'p_aid_uncovered',
    note: '城市低保, no resident pension at all',
    who: adult(true, 45),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '城市低保'),
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_covered',
    note: '农村低保 with 政府代缴 for year Y',
    who: adult(false, 48),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => {
      aid(p, place(h), c, '农村低保');
      resident(p, place(h), daijiao(c), 'active', 'daijiao', c.minTier, '低保');
    },
    expect: [],
  },
  {
    id: 'p_aid_daijiao_last_year',
    note: '特困供养 with 政府代缴 only for Y - 1 (Y = the year of D from July, else the year before)',
    who: adult(true, 51),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => {
      aid(p, place(h), c, '特困供养');
      resident(p, place(h), daijiao(c) - 1, 'active', 'daijiao', c.minTier, '特困');
    },
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_subsidy_only',
    note: '脱贫人口 with a 财政补贴 row for Y (a subsidy, not a 代缴)',
    who: adult(false, 42),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => {
      aid(p, place(h), c, '脱贫人口');
      resident(p, place(h), daijiao(c), 'active', 'subsidy', 10_000, '脱贫人口');
    },
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_daijiao_suspended',
    note: '重度残疾 with a 政府代缴 row for Y whose status is 暂停 (counts whatever its status)',
    who: adult(true, 40),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => {
      aid(p, place(h), c, '重度残疾');
      resident(p, place(h), daijiao(c), 'suspended', 'daijiao', c.minTier, '重度残疾');
    },
    expect: [],
  },
  {
    id: 'p_aid_two_rolls',
    note: 'on two rolls (民政 城市低保 and 残联 一级残疾): one finding',
    who: adult(false, 47),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => {
      aid(p, place(h), c, '城市低保');
      aid(p, place(h), c, '一级残疾');
    },
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_until_yesterday',
    note: 'assistance ended the day before D',
    who: adult(true, 44),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '农村低保', { until: c.asOf - 1 }),
    expect: [],
  },
  {
    id: 'p_aid_until_today',
    note: 'assistance ends on D (still active)',
    who: adult(false, 43),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '防止返贫监测对象', { until: c.asOf }),
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_since_tomorrow',
    note: 'assistance starts the day after D',
    who: adult(true, 41),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '建档立卡贫困人口', { since: c.asOf + 1 }),
    expect: [],
  },
  {
    id: 'p_aid_since_today',
    note: 'assistance starts on D',
    who: adult(false, 40),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '二级残疾', { since: c.asOf }),
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_no_since',
    note: 'no start date (counts from always)',
    who: adult(true, 55),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '脱贫人口', { since: null }),
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_age_60_today',
    note: 'turns 60 on D: too old for the 代缴 rule',
    who: { male: true, age: 60, birthday: 'today' },
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '城市低保'),
    expect: [],
  },
  {
    id: 'p_aid_age_60_tomorrow',
    note: 'turns 60 the day after D (59)',
    who: { male: true, age: 59, birthday: 'tomorrow' },
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '城市低保'),
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_female_57',
    note: 'woman aged 57 (past the female retirement age, but the rule reads 16 <= age < 60)',
    who: adult(false, 57),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '重度残疾'),
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_student_16',
    note: '16th birthday on D (students count: no export says who studies)',
    who: { male: false, age: 16, birthday: 'today' },
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '农村低保'),
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_age_15',
    note: 'turns 16 the day after D (15)',
    who: { male: true, age: 15, birthday: 'tomorrow' },
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '农村低保'),
    expect: [],
  },
  {
    id: 'p_aid_enrolled',
    note: 'on the roll but enrolled on their own (active 110 row)',
    who: adult(true, 49),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => {
      aid(p, place(h), c, '脱贫人口');
      si(p, place(h), c, { lastPaid: c.M });
    },
    expect: [],
  },
  {
    id: 'p_aid_pensioner',
    note: 'on the roll, si_person 退休 (retired early, terminated 110 row)',
    who: adult(false, 52),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => {
      aid(p, place(h), c, '特困供养');
      si(p, place(h), c, { status: 'terminated', personType: '退休', lastPaid: c.M - 40 });
    },
    expect: [],
  },
  {
    id: 'p_aid_unlisted_category',
    note: 'only on a roll whose category is not listed (临时救助: data quality)',
    who: adult(true, 38),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '临时救助'),
    expect: [],
  },
  {
    id: 'p_aid_id15',
    note: 'the roll writes the 15-digit form of the ID (the truth has the 18-character form)',
    who: adult(false, 53),
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '城市低保', { idWritten: p.idNo.slice(0, 6) + p.idNo.slice(8, 17) }),
    expect: [{ rule: 'assistance_not_covered', severity: 'medium' }],
  },
  {
    id: 'p_aid_invalid_id',
    note: 'on the roll with an ID that fails its check: data quality, never a subject',
    who: { male: true, age: 46, document: 'bad_check' },
    slots: [{ host: 'place' }],
    rows: (p, h, c) => aid(p, place(h), c, '农村低保'),
    expect: [],
  },
];

/** The year whose 政府代缴 covers people on D (July rule). */
function daijiao(c: CaseContext): number {
  const m = new Date(c.asOf * 86_400_000).getUTCMonth() + 1;
  return m >= 7 ? c.year : c.year - 1;
}

function fullWidthId(id: string): string {
  return [...id].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');
}

/** The birth date of a planted identity on D. */
export function plantedBirth(who: Identity, asOf: number, jitter: number): number {
  if (who.birthday === 'today') return yearsBefore(asOf, who.age);
  if (who.birthday === 'tomorrow') return yearsBefore(asOf + 1, who.age + 1);
  // Some day 30-330 days after the last birthday: well away from D.
  return yearsBefore(asOf, who.age) - 30 - (jitter % 300);
}
