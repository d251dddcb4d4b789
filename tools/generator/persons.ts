/**
 * The people behind the employers. For each employer (in the order the generator streams them)
 * this builds who earns its wages and who is insured at its unit, consistent with the employer
 * model: the wage earners of each withholding month ARE its headcount and their 正常工资薪金
 * incomes sum exactly to the month's wages; the people paid at its unit in a month ARE the
 * payment row's count and their bases sum to its base_total. It adds people who live near it
 * (resident pension, 灵活就业, assistance rolls), plants the cases of person-cases.ts on the
 * hosts that fit, writes every person's rows and evaluates the person rules for them.
 *
 * Everything here draws from its own random streams (`persons:<employer>`, `person-case:...`),
 * never from the employer's, so the employer files are byte-identical with or without people.
 * Memory stays flat: an employer's people are written and evaluated before the next employer;
 * only planted people waiting for a second host are kept.
 */
import { firstDayOfMonth, isoOf, ymd } from './dates.ts';
import type { GenContext } from './factory.ts';
import type { Employer, InsType, SiStatus } from './model.ts';
import { personName, tradeName } from './names.ts';
import type { CaseContext, HostRef, PersonCase, SlotPlan } from './person-cases.ts';
import { PERSON_CASES, plantedBirth } from './person-cases.ts';
import type { PersonFiles } from './person-files.ts';
import { IdAllocator, MIGRANT_REGIONS, birthOf, breakIdCheck, hkPermitNumber, idCheckChar, passportNumber, yearsBefore } from './person-ids.ts';
import type { AidOffice, IitRow, Person, ResidentRow } from './person-model.ts';
import { PERSON_RULE_IDS, employerFacts, evaluatePerson } from './person-truth.ts';
import type { EmployerFacts, PersonFinding, PersonRuleId, PersonTruthContext } from './person-truth.ts';
import { Rng } from './random.ts';
import { paramsForMonth } from './truth.ts';
import type { DelimitedWriter } from './writers.ts';

/** One round of every planted case per this many employers. */
export const ROUND_EMPLOYERS = 300;
/** Chance per slot and month that the person in a wage slot is replaced by a new hire. */
const TURNOVER = 0.012;

/** What the person part of a run did. */
export interface PersonSummary {
  persons: number;
  /** People with at least one qualifying wage row. */
  wageEarners: number;
  findings: Record<PersonRuleId, number>;
  /** Planted people per case (complete ones). */
  cases: Record<string, number>;
  /** Planted people whose evaluated findings differ from their case's expectation (should be empty). */
  mismatches: string[];
  /** Planted people whose second host never came (the run ended first): evaluated, not checked. */
  incomplete: number;
  /** The agent and month the iit_detail correction replaces (mixed formats), as `<employer key> <YYYY-MM>`. */
  correction: string | null;
  /** resident_pension_min_tier (yuan) and where it came from. */
  minTier: { yuan: number; source: string };
}

/** A person holding one wage/insurance slot of an employer for a run of months. */
interface Tenure {
  p: Person;
  k: number;
  first: number;
  last: number;
  hired: number | null;
  left: number | null;
  planted?: Assignment;
  /** The status of the person's rows at the unit once they are no longer its insured (drawn once). */
  leaver?: SiStatus;
}

/** A planted case being built: its person and the hosts found so far. */
interface Pending {
  c: PersonCase;
  round: number;
  person: Person;
  hosts: (HostRef & { facts: EmployerFacts })[];
  /** Hosts whose rows have been written. */
  done: number;
}

/** One slot plan of a case placed at the current employer. */
interface Assignment {
  pending: Pending;
  plan: SlotPlan;
  /** The wage slot (U, Ue, I), or -1. */
  k: number;
  /** For I plans: the person's base and income of M-2..M (cents). */
  base?: number;
  income?: number;
}

/** The month arrays of one employer, indexed by month - firstMonth. */
interface Months {
  n: number;
  R: number[];
  W: number[];
  types: { type: InsType; status: SiStatus; enrolledOn: number; decl: number[]; paid: boolean[]; base: number[] }[];
  declAny: number[];
  /** Insured count of the enrollment (the unit's current insured). */
  N: number;
  /** First slot never insured at the unit. */
  uStart: number;
  /** Slots that exist at all. */
  K: number;
}

/** Builds, writes and evaluates the people of a run. */
export class PersonBuilder {
  readonly summary: PersonSummary = {
    persons: 0,
    wageEarners: 0,
    findings: Object.fromEntries(PERSON_RULE_IDS.map((r) => [r, 0])) as Record<PersonRuleId, number>,
    cases: {},
    mismatches: [],
    incomplete: 0,
    correction: null,
    minTier: { yuan: 0, source: '' },
  };
  private readonly ids: IdAllocator;
  private serial = 0;
  private personNo = 0;
  private round = 0;
  private queue: Pending[] = [];
  /** Planted people with hosts still to come. */
  private readonly waiting = new Set<Pending>();
  private readonly firstMonth: number;
  private readonly lastMonth: number;
  private readonly M: number;
  private readonly cap: number;
  private readonly floorM: number;

  constructor(
    private readonly seed: number,
    private readonly ctx: GenContext,
    private readonly truth: PersonTruthContext,
    private readonly files: PersonFiles,
    private readonly findingsOut: DelimitedWriter,
    private readonly casesOut: DelimitedWriter,
  ) {
    const D = ctx.asOf;
    this.firstMonth = ctx.firstMonth;
    this.lastMonth = ctx.lastMonth;
    this.M = ctx.M;
    const pm = paramsForMonth(ctx.params, ctx.M);
    this.cap = Math.round(pm.baseCap * 100);
    this.floorM = Math.round(pm.baseFloor * 100);
    this.ids = new IdAllocator({
      work_m: { from: yearsBefore(D, 60) + 1, to: yearsBefore(D, 18), base: 0, size: 600 },
      work_f: { from: yearsBefore(D, 55) + 1, to: yearsBefore(D, 18), base: 0, size: 600 },
      old: { from: yearsBefore(D, 90), to: yearsBefore(D, 61), base: 600, size: 100 },
      aid: { from: yearsBefore(D, 85), to: yearsBefore(D, 16), base: 700, size: 100 },
    });
    this.summary.minTier = { yuan: truth.person.minTier / 100, source: truth.person.minTierSource };
    findingsOut.write(['rule_id', 'id_no', 'person_name', 'uscc', 'severity', 'amount']);
    casesOut.write(['case', 'round', 'person_key', 'id_type', 'id_no', 'id_written', 'hosts', 'expected', 'found', 'note']);
  }

  /**
   * The people of one employer: wage earners, its insured, neighbours, and planted cases on it.
   * `hostsCases` false (the planted linking cases): its own people only, no planted person on it.
   */
  addEmployer(e: Employer, index: number, hostsCases = true): void {
    const rng = new Rng(this.seed, `persons:${e.key}`);
    const mo = this.months(e);
    const facts = employerFacts(e, this.ctx.asOf, this.M);
    const assignments = hostsCases ? this.assign(e, index, mo, facts) : [];
    const local: Person[] = [];

    // ---- who holds which slot in which month
    const occ: (Tenure | null)[][] = Array.from({ length: mo.K }, () => new Array<Tenure | null>(mo.n).fill(null));
    const tenures: Tenure[][] = Array.from({ length: mo.K }, () => []);
    const exists = (k: number, i: number): boolean => k < (mo.R[i] as number) || k < (mo.declAny[i] as number);
    for (const a of assignments) {
      if (a.k < 0) continue;
      const [fi, li] = this.range(a.plan);
      const t: Tenure = { p: a.pending.person, k: a.k, first: -1, last: -1, hired: null, left: null, planted: a };
      for (let i = fi; i <= li; i++) {
        if (!exists(a.k, i)) continue;
        (occ[a.k] as (Tenure | null)[])[i] = t;
        if (t.first < 0) t.first = i;
        t.last = i;
      }
      t.hired = this.plantedHire(a.plan, t, e);
      if (a.plan.leftOnLast) t.left = Math.min(this.ctx.asOf, firstDayOfMonth(this.firstMonth + t.last) + 19);
    }
    for (let k = 0; k < mo.K; k++) {
      const row = occ[k] as (Tenure | null)[];
      const list = tenures[k] as Tenure[];
      let cur: Tenure | null = null;
      for (let i = 0; i < mo.n; i++) {
        if (!exists(k, i)) continue;
        const planted = row[i];
        if (planted) {
          if (cur !== planted) list.push(planted);
          cur = planted;
          continue;
        }
        if (cur === null || cur.planted !== undefined || rng.chance(TURNOVER)) {
          const p = this.workingPerson(e, rng);
          local.push(p);
          cur = { p, k, first: i, last: i, hired: this.hire(e, rng, p, i), left: null };
          list.push(cur);
        }
        cur.last = i;
        row[i] = cur;
      }
      // A slot the enrollment counts but no month shows (enrolled, nothing declared, no wages yet).
      if (list.length === 0 && k < mo.N) {
        const p = this.workingPerson(e, rng);
        local.push(p);
        list.push({ p, k, first: -1, last: -1, hired: null, left: null });
      }
      for (const t of list)
        if (t.planted === undefined && t.last >= 0 && t.last < mo.n - 1 && rng.chance(0.7)) t.left = this.dayIn(rng, this.firstMonth + t.last, t.hired);
    }

    // ---- the wage rows, month by month
    const idxM = this.M - this.firstMonth;
    const bonusMonth = rng.chance(0.08) ? this.januaryIndex() : -1;
    const contractor = e.tax !== null && e.tax.withholding.length > 0 && rng.chance(0.04) ? this.workingPerson(e, rng) : null;
    const contractorMonths = new Set<number>();
    if (contractor !== null) {
      local.push(contractor);
      const months = (e.tax?.withholding ?? []).map((w) => w.month - this.firstMonth).filter((i) => i >= 0 && i < mo.n);
      for (let j = rng.int(1, 3); j > 0; j--) contractorMonths.add(rng.pick(months));
    }
    for (let i = 0; i < mo.n; i++) {
      const R = mo.R[i] as number;
      const month = this.firstMonth + i;
      const overrides = new Map<number, number>();
      if (i >= idxM - 2 && i <= idxM)
        for (let k = 0; k < R; k++) {
          const a = (occ[k] as (Tenure | null)[])[i]?.planted;
          if (a?.income !== undefined) overrides.set(k, a.income);
        }
      const shares = split(mo.W[i] as number, R, overrides);
      for (let k = 0; k < R; k++) {
        const t = (occ[k] as (Tenure | null)[])[i] as Tenure;
        const plan = t.planted?.plan;
        const row: IitRow = {
          employer: e.key,
          month,
          item: '正常工资薪金',
          income: shares[k] as number,
          employmentType: plan?.employmentType ?? '雇员',
          employedOn: t.hired,
          leftOn: i === t.last ? t.left : null,
        };
        if (plan === undefined) {
          if (rng.chance(0.04)) row.itemBlank = true;
          if (rng.chance(0.04)) row.typeBlank = true;
        } else Object.assign(row, t.planted?.pending.c.iitId?.(t.p) ?? {});
        if (plan?.split && i === idxM && row.income > 1) {
          const first = Math.floor(row.income * 0.6);
          this.iit(t.p, { ...row, income: first }, e, t);
          this.iit(t.p, { ...row, income: row.income - first }, e, t);
        } else this.iit(t.p, row, e, t);
      }
      if (i === bonusMonth)
        for (let k = 0; k < R; k++) {
          const t = (occ[k] as (Tenure | null)[])[i] as Tenure;
          if (t.planted !== undefined) continue;
          const income = (shares[k] as number) * rng.int(1, 3);
          if (income > 0)
            this.iit(t.p, { employer: e.key, month, item: '全年一次性奖金收入', income, employmentType: '雇员', employedOn: t.hired, leftOn: null }, e, t);
        }
      if (contractor !== null && contractorMonths.has(i))
        this.iit(
          contractor,
          { employer: e.key, month, item: '劳务报酬', income: rng.int(2000, 20000) * 100, employmentType: '其他', employedOn: null, leftOn: null },
          e,
          null,
        );
      for (const a of assignments) {
        if (a.plan.host !== 'agent') continue;
        const [fi, li] = this.range(a.plan);
        if (i < fi || i > li) continue;
        const row: IitRow = {
          employer: e.key,
          month,
          item: a.plan.item ?? '劳务报酬',
          income: 350_000 + 10_000 * (a.pending.person.key.charCodeAt(a.pending.person.key.length - 1) % 10),
          employmentType: a.plan.employmentType ?? '其他',
          employedOn: null,
          leftOn: null,
        };
        this.iit(a.pending.person, { ...row, ...(a.pending.c.iitId?.(a.pending.person) ?? {}) }, e, null);
      }
    }

    // ---- the unit's insured: one row per person and insurance type
    const si = e.si;
    if (si !== null) {
      for (const ty of mo.types) {
        const baseShares: number[][] = [];
        for (let i = 0; i < mo.n; i++) {
          const C = ty.decl[i] as number;
          const overrides = new Map<number, number>();
          for (let k = 0; k < C && k < mo.K && i >= idxM - 2 && i <= idxM; k++) {
            const a = (occ[k] as (Tenure | null)[])[i]?.planted;
            if (a?.base !== undefined) overrides.set(k, a.base);
          }
          baseShares.push(split(ty.base[i] as number, C, overrides));
        }
        for (let k = 0; k < mo.K; k++) {
          const list = tenures[k] as Tenure[];
          list.forEach((t, j) => {
            let lastPaid = -1;
            let lastDeclared = -1;
            let firstDeclared = -1;
            for (let i = Math.max(0, t.first); i <= t.last && t.first >= 0; i++) {
              if ((occ[k] as (Tenure | null)[])[i] !== t || k >= (ty.decl[i] as number)) continue;
              if (firstDeclared < 0) firstDeclared = i;
              lastDeclared = i;
              if (ty.paid[i]) lastPaid = i;
            }
            const current = j === list.length - 1 && k < mo.N;
            if (!current && lastDeclared < 0) return;
            const baseAt = lastPaid >= 0 ? lastPaid : lastDeclared;
            if (!current && t.leaver === undefined) t.leaver = rng.chance(0.6) ? 'suspended' : 'terminated';
            const status: SiStatus = current ? ty.status : (t.leaver as SiStatus);
            const since = firstDeclared >= 0 ? firstDayOfMonth(this.firstMonth + firstDeclared) : (t.hired ?? ty.enrolledOn);
            t.p.si.push({
              unitId: si.unitId,
              employer: e.key,
              type: ty.type,
              status,
              personType: '在职',
              enrolledOn: Math.max(ty.enrolledOn, Math.min(since, t.hired ?? since)),
              base: baseAt >= 0 ? ((baseShares[baseAt] as number[])[k] as number) : null,
              lastPaid: lastPaid >= 0 ? this.firstMonth + lastPaid : null,
              districtCode: e.districtCode,
              street: e.street,
            });
          });
        }
      }
    }

    // ---- neighbours: resident pension, 灵活就业, assistance rolls
    const neighbours = rng.weighted({ n0: 50, n1: 32, n2: 13, n3: 5 });
    for (let j = Number(neighbours.slice(1)); j > 0; j--) local.push(this.neighbour(e, rng));

    for (const p of local) this.finish(p, (key) => (key === e.key ? facts : missingEmployer(key)));
    for (const a of assignments) {
      a.pending.done++;
      if (a.pending.done === a.pending.c.slots.length) this.complete(a.pending);
    }
  }

  /** Finalises the planted people still waiting for a host (the run ended first). */
  finishRun(): void {
    for (const pending of [...this.waiting]) {
      this.summary.incomplete++;
      this.complete(pending, false);
    }
  }

  // ---- planting

  /** Places the pending cases whose next host this employer can be; starts a new round when the last one is placed. */
  private assign(e: Employer, index: number, mo: Months, facts: EmployerFacts): Assignment[] {
    if (this.queue.length === 0 && index >= this.round * ROUND_EMPLOYERS) {
      const round = this.round++;
      this.queue = PERSON_CASES.map((c) => this.startCase(c, round, e));
    }
    const out: Assignment[] = [];
    const usedSlots = new Set<number>();
    let overridden = false;
    const idxM = this.M - this.firstMonth;
    const pension = mo.types.find((t) => t.type === '110');
    let latest = -1;
    for (let i = 0; pension !== undefined && i < mo.n; i++) if ((pension.decl[i] as number) > 0) latest = i;
    const hostRef = (): HostRef & { facts: EmployerFacts } => ({
      key: e.key,
      uscc: e.uscc,
      unitId: e.si?.unitId ?? null,
      base: pension === undefined || latest < 0 ? null : Math.round((pension.base[latest] as number) / (pension.decl[latest] as number)),
      districtCode: e.districtCode,
      street: e.street,
      facts,
    });
    // An agent with a withholding row in every month of the range.
    const withholds = (fi: number, li: number): boolean => {
      const months = new Set((e.tax?.withholding ?? []).map((w) => w.month - this.firstMonth));
      for (let i = fi; i <= li; i++) if (!months.has(i)) return false;
      return fi <= li;
    };
    for (const pending of [...this.queue]) {
      const j = pending.hosts.length;
      const plan = pending.c.slots[j] as SlotPlan;
      if (pending.hosts.some((h) => h.key === e.key)) continue;
      let a: Assignment | null = null;
      if (plan.host === 'place') a = { pending, plan, k: -1 };
      else if (plan.host === 'unit') {
        if (e.si !== null && facts.enrolled && !facts.excluded) a = { pending, plan, k: -1 };
      } else if (plan.host === 'agent') {
        const [fi, li] = this.range(plan);
        if (!facts.excluded && withholds(fi, li)) a = { pending, plan, k: -1 };
      } else if (!facts.excluded && (plan.host === 'U' ? !facts.enrolled : facts.enrolled)) {
        const k = plan.host === 'I' ? this.freeInsuredSlot(mo, usedSlots) : this.freeWageSlot(mo, plan, usedSlots);
        if (k >= 0 && plan.host === 'I') {
          if (!overridden) {
            const share = (mo.W[idxM] as number) / (mo.R[idxM] as number);
            const ty = mo.types.find((t) => t.type === '110');
            const baseShare = ty === undefined ? 0 : (ty.base[idxM] as number) / (ty.decl[idxM] as number);
            const base = Math.round(plan.base?.(baseShare, this.cap) ?? baseShare);
            const income = Math.round(plan.income?.(share, this.cap, base) ?? share);
            if (this.fits(mo, base, income)) {
              a = { pending, plan, k, base, income };
              overridden = true;
            }
          }
        } else if (k >= 0) a = { pending, plan, k };
      }
      if (a === null) continue;
      if (a.k >= 0) usedSlots.add(a.k);
      if (plan.correction && this.files.corrects && this.files.correctedAgent() === undefined) {
        this.files.startCorrection(e, this.M);
        this.summary.correction = `${e.key} ${isoOf(firstDayOfMonth(this.M)).slice(0, 7)}`;
      }
      pending.hosts.push(hostRef());
      out.push(a);
      if (pending.hosts.length === pending.c.slots.length) this.queue.splice(this.queue.indexOf(pending), 1);
      if (pending.hosts.length === 1) this.waiting.add(pending);
    }
    return out;
  }

  /** A wage slot never insured at the unit that holds wages in every month of the plan, from the top. */
  private freeWageSlot(mo: Months, plan: SlotPlan, used: Set<number>): number {
    const [fi, li] = this.range(plan);
    let top = Number.POSITIVE_INFINITY;
    for (let i = fi; i <= li; i++) top = Math.min(top, mo.R[i] as number);
    for (let k = (Number.isFinite(top) ? top : 0) - 1; k >= mo.uStart; k--) if (!used.has(k) && k >= 1) return k;
    return -1;
  }

  /** A slot insured and paid in 110 and holding wages in each of M-2..M, currently insured, from the top. */
  private freeInsuredSlot(mo: Months, used: Set<number>): number {
    const ty = mo.types.find((t) => t.type === '110');
    if (ty === undefined || ty.status !== 'active') return -1;
    const idxM = this.M - this.firstMonth;
    let top = mo.N;
    for (let i = idxM - 2; i <= idxM; i++) {
      if (i < 0 || !ty.paid[i]) return -1;
      top = Math.min(top, mo.R[i] as number, ty.decl[i] as number);
    }
    for (let k = top - 1; k >= 1; k--) if (!used.has(k)) return k;
    return -1;
  }

  /** Whether the others at the host still earn and declare within 25% of their share once one person has this base and income. */
  private fits(mo: Months, base: number, income: number): boolean {
    const ty = mo.types.find((t) => t.type === '110');
    if (ty === undefined) return false;
    const idxM = this.M - this.firstMonth;
    for (let i = Math.max(0, idxM - 2); i <= idxM; i++) {
      const R = mo.R[i] as number;
      const C = ty.decl[i] as number;
      if (R < 3 || C < 3) return false;
      const share = (mo.W[i] as number) / R;
      const others = ((mo.W[i] as number) - income) / (R - 1);
      const baseShare = (ty.base[i] as number) / C;
      const otherBase = ((ty.base[i] as number) - base) / (C - 1);
      if (Math.abs(others - share) > 0.25 * share || Math.abs(otherBase - baseShare) > 0.25 * baseShare) return false;
    }
    return true;
  }

  /** A new planted person for a case (identity drawn from the case's own stream). */
  private startCase(c: PersonCase, round: number, e: Employer): Pending {
    const rng = new Rng(this.seed, `person-case:${round}:${c.id}`);
    const who = c.who;
    const birth = plantedBirth(who, this.ctx.asOf, rng.int(0, 299));
    let idType = '居民身份证';
    let idNo: string;
    if (who.document === 'passport') {
      idType = '外国护照';
      idNo = passportNumber(rng);
    } else if (who.document === 'hk_permit') {
      idType = '港澳居民居住证';
      idNo = hkPermitNumber(birth, rng);
    } else if (who.document === 'bad_birth') {
      const { y } = ymd(birth);
      const first17 = `${e.districtCode}${y}0230${String(801 + 2 * rng.int(0, 90) + (who.male ? 0 : 1)).padStart(3, '0')}`;
      idNo = first17 + idCheckChar(first17);
    } else {
      const valid = this.ids.plant(e.districtCode, birth, who.male, who.checkX === true);
      idNo = who.document === 'bad_check' ? breakIdCheck(valid) : valid;
    }
    const name =
      who.document === 'passport'
        ? `${rng.pick(['JOHN', 'DAVID', 'MARIA', 'KIM', 'ANNA', 'PETER'])} ${rng.pick(['SMITH', 'LEE', 'MILLER', 'PARK', 'NGUYEN'])}`
        : personName(rng);
    return { c, round, person: this.newPerson(idType, idNo, name, c.id), hosts: [], done: 0 };
  }

  /** Writes a planted person once every host has been processed: extra rows, truth, the expectation check. */
  private complete(pending: Pending, check = true): void {
    this.waiting.delete(pending);
    const p = pending.person;
    const community = `${tradeName(new Rng(this.seed, `community:${p.key}`))}社区`;
    const c: CaseContext = { asOf: this.ctx.asOf, M: this.M, year: ymd(this.ctx.asOf).y, floor: this.floorM, minTier: this.truth.person.minTier, community };
    pending.c.rows?.(p, pending.hosts, c);
    const facts = new Map(pending.hosts.map((h) => [h.key, h.facts]));
    const found = this.finish(p, (key) => facts.get(key) ?? missingEmployer(key));
    const label = (f: { rule: string; employer: string | null; severity?: string }): string => {
      const host = f.employer === null ? -1 : pending.hosts.findIndex((h) => h.key === f.employer);
      return `${f.rule}${host >= 0 ? `@${host}` : ''}`;
    };
    const expectedLabel = (x: { rule: string; host?: number }): string => `${x.rule}${x.host !== undefined ? `@${x.host}` : ''}`;
    const got = found.map(label).sort();
    const want = pending.c.expect.map(expectedLabel).sort();
    const severityOk = pending.c.expect.every((x) => x.severity === undefined || found.some((f) => label(f) === expectedLabel(x) && f.severity === x.severity));
    if (check) {
      this.summary.cases[pending.c.id] = (this.summary.cases[pending.c.id] ?? 0) + 1;
      if (got.join(',') !== want.join(',') || !severityOk)
        this.summary.mismatches.push(`${p.key} ${pending.c.id}: expected [${want.join(',')}] got [${found.map((f) => `${label(f)}:${f.severity}`).join(',')}]`);
    }
    const written = new Set<string>();
    for (const r of [...p.iit, ...p.si, ...p.resident, ...p.aid]) if (r.idWritten !== undefined) written.add(r.idWritten);
    const uscc = (h: number | undefined): string => (h === undefined ? '' : (pending.hosts[h]?.uscc ?? ''));
    this.casesOut.write([
      pending.c.id,
      String(pending.round),
      p.key,
      p.idType,
      p.idNo,
      [...written].join('|'),
      pending.hosts.map((h) => h.uscc).join(';'),
      pending.c.expect.map((x) => `${x.rule}${x.host !== undefined ? `@${uscc(x.host)}` : ''}${x.severity ? `:${x.severity}` : ''}`).join(';'),
      found.map((f) => `${f.rule}${f.uscc ? `@${f.uscc}` : ''}:${f.severity}`).join(';'),
      check ? pending.c.note : `${pending.c.note} (incomplete: the run ended before its last host)`,
    ]);
  }

  // ---- people

  private newPerson(idType: string, idNo: string, name: string, plantedCase: string | null): Person {
    this.serial++;
    return { key: `P${String(this.serial).padStart(8, '0')}`, idType, idNo, name, personNo: null, case: plantedCase, iit: [], si: [], resident: [], aid: [] };
  }

  /** A working-age background person (18..59 men, 18..54 women), most from the employer's district, the rest migrants. */
  private workingPerson(e: Employer, rng: Rng): Person {
    const male = rng.chance(0.56);
    const region = rng.chance(0.55) ? e.districtCode : rng.pick(MIGRANT_REGIONS);
    const { id } = this.ids.next(region, male ? 'work_m' : 'work_f', male);
    return this.newPerson('居民身份证', id, personName(rng), null);
  }

  /** Someone living near the employer: a resident pension contributor or pensioner, 灵活就业, or on an assistance roll. */
  private neighbour(e: Employer, rng: Rng): Person {
    const what = rng.weighted({ contributor: 45, pensioner: 25, flexible: 15, assisted: 15 });
    const male = rng.chance(0.5);
    const region = e.districtCode;
    const pool = what === 'pensioner' ? 'old' : what === 'assisted' ? 'aid' : male ? 'work_m' : 'work_f';
    const { id, birth } = this.ids.next(region, pool, male);
    const p = this.newPerson('居民身份证', id, personName(rng), null);
    const year = ymd(this.ctx.asOf).y;
    const where = { districtCode: e.districtCode, street: e.street };
    const rp = (y: number, status: ResidentRow['status'], funding: ResidentRow['funding'], paid: number | null, identity = '普通'): void => {
      p.resident.push({ year: y, status, funding, paid, identity, ...where });
    };
    if (what === 'contributor') {
      const paid = rng.pick([20_000, 30_000, 50_000, 100_000, 200_000]);
      rp(year - 1, 'active', 'personal', paid);
      rp(year, 'active', 'personal', rng.chance(0.85) ? paid : null);
    } else if (what === 'pensioner') {
      rp(year - 1, 'receiving', null, null);
      rp(year, 'receiving', null, null);
    } else if (what === 'flexible') {
      this.flexible(p, rng, where);
    } else {
      const age = Math.floor((this.ctx.asOf - birth) / 365.25);
      const category = rng.weighted(AID_WEIGHTS);
      const since = rng.chance(0.1) ? null : this.ctx.asOf - rng.int(60, 3000);
      const until = rng.chance(0.05) ? this.ctx.asOf - rng.int(1, 400) : null;
      const community = rng.chance(0.5) ? `${tradeName(rng)}社区` : `${tradeName(rng)}村`;
      p.aid.push({ category, office: officeOf(category), since, until, community, ...where });
      if (rng.chance(0.08)) {
        const other = rng.weighted(AID_WEIGHTS);
        if (officeOf(other) !== officeOf(category)) p.aid.push({ category: other, office: officeOf(other), since, until: null, community, ...where });
      }
      const identity = IDENTITY[category] ?? '普通';
      const Y = ymd(this.ctx.asOf).m >= this.truth.person.daijiaoFromMonth ? year : year - 1;
      if (age >= 60) {
        if (rng.chance(0.8)) {
          rp(year - 1, 'receiving', null, null, identity);
          rp(year, 'receiving', null, null, identity);
        }
      } else {
        const cover = rng.weighted({ daijiao: 65, lastYear: 8, none: 10, flexible: 5, personal: 7, subsidy: 5 });
        const tier = this.truth.person.minTier;
        if (cover === 'daijiao') {
          rp(Y - 1, 'active', 'daijiao', tier, identity);
          rp(Y, 'active', 'daijiao', tier, identity);
        } else if (cover === 'lastYear') rp(Y - 1, 'active', 'daijiao', tier, identity);
        else if (cover === 'flexible') this.flexible(p, rng, where, true);
        else if (cover === 'personal') rp(Y, 'active', 'personal', 20_000, identity);
        else if (cover === 'subsidy') rp(Y, 'active', 'subsidy', 10_000, identity);
      }
    }
    return p;
  }

  /** A 110 row of someone insured on their own (灵活就业): paid to M mostly, lapsed or never paid sometimes. */
  private flexible(p: Person, rng: Rng, where: { districtCode: string; street: string }, paidUp = false): void {
    const how = paidUp ? 'current' : rng.weighted({ current: 60, recent: 10, lapsed: 25, never: 5 });
    const lastPaid = how === 'current' ? this.M : how === 'recent' ? this.M - 1 : how === 'lapsed' ? this.M - rng.int(3, 30) : null;
    const status: SiStatus = how === 'lapsed' && rng.chance(0.5) ? 'suspended' : 'active';
    const base = rng.pick([this.floorM, Math.round(this.floorM * 1.3), Math.round(this.floorM * 1.6)]);
    const enrolledOn = this.ctx.asOf - rng.int(400, 4000);
    for (const type of rng.chance(0.7) ? (['110', '310'] as const) : (['110'] as const))
      p.si.push({ unitId: null, employer: null, type, status, personType: '灵活就业', enrolledOn, base, lastPaid, ...where });
    // Some who stopped paying as 灵活就业 moved to the resident pension this year.
    if (how === 'lapsed' && rng.chance(0.1))
      p.resident.push({ year: ymd(this.ctx.asOf).y, status: 'active', funding: 'personal', paid: 30_000, identity: '普通', ...where });
  }

  /** Writes a person's non-wage rows, evaluates the person rules and writes the findings. */
  private finish(p: Person, employer: (key: string) => EmployerFacts): PersonFinding[] {
    if (p.si.length > 0 && p.personNo === null) p.personNo = `32${String(++this.personNo).padStart(10, '0')}`;
    for (const r of p.si) this.files.siRow(p, r);
    for (const r of p.resident) this.files.residentRow(p, r);
    for (const r of p.aid) this.files.aidRow(p, r);
    this.summary.persons++;
    if (p.iit.some((r) => r.item === '正常工资薪金' && r.employmentType === '雇员' && r.income > 0)) this.summary.wageEarners++;
    const found = evaluatePerson(p, employer, this.truth);
    for (const f of found) {
      this.summary.findings[f.rule]++;
      this.findingsOut.write([f.rule, f.idNo, f.name, f.uscc, f.severity, f.amount === null ? '' : (f.amount / 100).toFixed(2)]);
    }
    return found;
  }

  /** Adds and writes one iit_detail row (a planted correction writes the month-M row with a mistyped ID in the earlier file). */
  private iit(p: Person, row: IitRow, e: Employer, t: Tenure | null): void {
    p.iit.push(row);
    const stale = t?.planted?.plan.correction && row.month === this.M && p.idType === '居民身份证' ? { idWritten: breakIdCheck(p.idNo) } : undefined;
    this.files.iit(p, row, e, stale);
  }

  // ---- dates and months

  private months(e: Employer): Months {
    const n = this.lastMonth - this.firstMonth + 1;
    const R = new Array<number>(n).fill(0);
    const W = new Array<number>(n).fill(0);
    for (const w of e.tax?.withholding ?? []) {
      const i = w.month - this.firstMonth;
      if (i < 0 || i >= n) continue;
      R[i] = w.headcount;
      W[i] = w.wages;
    }
    const types: Months['types'] = [];
    for (const en of e.si?.enrollments ?? []) {
      const decl = new Array<number>(n).fill(0);
      const paid = new Array<boolean>(n).fill(false);
      const base = new Array<number>(n).fill(0);
      for (const pay of e.si?.payments ?? []) {
        if (pay.type !== en.type) continue;
        const i = pay.month - this.firstMonth;
        if (i < 0 || i >= n) continue;
        decl[i] = pay.count;
        paid[i] = pay.paid > 0;
        base[i] = pay.base;
      }
      types.push({ type: en.type, status: en.status, enrolledOn: en.enrolledOn, decl, paid, base });
    }
    const declAny = new Array<number>(n).fill(0);
    for (const t of types) for (let i = 0; i < n; i++) declAny[i] = Math.max(declAny[i] as number, t.decl[i] as number);
    const N = Math.max(0, ...(e.si?.enrollments ?? []).map((en) => en.insuredCount));
    const uStart = Math.max(N, ...declAny);
    const K = Math.max(uStart, ...R);
    return { n, R, W, types, declAny, N, uStart, K };
  }

  /** The month indexes [first, last] of a plan (defaults: M-2 to the end of the ledger), clamped to the ledger. */
  private range(plan: SlotPlan): [number, number] {
    const n = this.lastMonth - this.firstMonth + 1;
    const fi = Math.max(0, this.M + (plan.from ?? -2) - this.firstMonth);
    const li = Math.min(n - 1, plan.to === undefined ? n - 1 : this.M + plan.to - this.firstMonth);
    return [fi, li];
  }

  private januaryIndex(): number {
    for (let i = 0; i <= this.lastMonth - this.firstMonth; i++) if ((this.firstMonth + i) % 12 === 0) return i;
    return -1;
  }

  /** 任职受雇从业日期 of a background person: before the ledger when the slot starts with it, else in the first month. */
  private hire(e: Employer, rng: Rng, p: Person, i: number): number {
    const sixteen = yearsBefore(birthOf(p.idNo) ?? 0, -16);
    const start = firstDayOfMonth(this.firstMonth);
    if (i === 0) {
      const lo = Math.max(e.established + 1, sixteen, start - 3650);
      return lo >= start ? start - 1 : rng.int(lo, start - 1);
    }
    return this.dayIn(rng, this.firstMonth + i, Math.max(e.established, sixteen - 1));
  }

  private plantedHire(plan: SlotPlan, t: Tenure, e: Employer): number | null {
    if (plan.employedOn === null) return null;
    if (plan.employedOn !== undefined && plan.employedOn !== 'start') return this.ctx.asOf - plan.employedOn.daysBeforeD;
    if (t.first <= 0) return Math.max(e.established + 1, firstDayOfMonth(this.firstMonth) - 400);
    return Math.max(e.established + 1, firstDayOfMonth(this.firstMonth + t.first) + 2);
  }

  /** A day of a month after `after` (when given), at most the 28th. */
  private dayIn(rng: Rng, month: number, after: number | null): number {
    const start = firstDayOfMonth(month);
    const lo = Math.max(start, (after ?? start - 1) + 1);
    return lo > start + 27 ? lo : rng.int(lo, start + 27);
  }
}

/** Splits a total (cents) over `n` slots: overrides as given, the rest in equal shares, remainder cents to the first. */
function split(total: number, n: number, overrides: Map<number, number>): number[] {
  const out = new Array<number>(n).fill(0);
  if (n <= 0) return out;
  let rest = total;
  let free = n;
  for (const [k, v] of overrides) {
    if (k >= n) continue;
    out[k] = v;
    rest -= v;
    free--;
  }
  if (free <= 0) return out;
  const share = Math.floor(rest / free);
  let extra = rest - share * free;
  for (let k = 0; k < n; k++) {
    if (overrides.has(k)) continue;
    out[k] = share + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
  }
  return out;
}

function missingEmployer(key: string): EmployerFacts {
  throw new Error(`person row refers to employer ${key}, which is not among its hosts`);
}

const AID_WEIGHTS = {
  城市低保: 20,
  农村低保: 20,
  特困供养: 8,
  重度残疾: 12,
  一级残疾: 4,
  二级残疾: 6,
  脱贫人口: 18,
  建档立卡贫困人口: 6,
  防止返贫监测对象: 6,
} as const;

const IDENTITY: Record<string, string> = {
  城市低保: '低保',
  农村低保: '低保',
  特困供养: '特困',
  重度残疾: '重度残疾',
  一级残疾: '重度残疾',
  二级残疾: '重度残疾',
  脱贫人口: '脱贫人口',
  建档立卡贫困人口: '脱贫人口',
  防止返贫监测对象: '脱贫人口',
};

function officeOf(category: string): AidOffice {
  if (category.includes('残疾')) return 'disability';
  if (category.includes('低保') || category.includes('特困')) return 'civil';
  return 'rural';
}
