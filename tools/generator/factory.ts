/**
 * Builds clean employers: the registry entry, the taxpayer with its withholding, the SI unit
 * with enrollment and ledger. Scenarios (scenarios.ts) compose these calls; the factory keeps
 * names unique and derives every amount from the local parameters of its month.
 */
import type { LocalParams } from '../../src/reference/params.ts';
import type { City, District } from './city.ts';
import { USCC_PREFIX, idTaxpayerId, legacyTaxId, makeOrgCode, makeRegNo, makeResidentId, makeUnitId, makeUscc } from './codes.ts';
import { dayOf, firstDayOfMonth, monthOfDay } from './dates.ts';
import type { Employer, EmployerKind, Enrollment, InsType, PaymentRow, RegClass, SiStatus, TaxStatus, WithholdingRow } from './model.ts';
import type { NamedEntity } from './names.ts';
import {
  type ENTERPRISE_INDUSTRIES,
  address,
  bracketVariant,
  coopName,
  enterpriseName,
  individualName,
  nameKey,
  personName,
  socialOrgName,
  spaceVariant,
  tradeName,
  traditionalVariant,
} from './names.ts';
import type { Rng } from './random.ts';
import { paramsForMonth } from './truth.ts';

/** Everything a build needs that is the same for all employers of a run. */
export interface GenContext {
  city: City;
  asOf: number;
  /** Closed month M at the default lag. */
  M: number;
  /** The 12 ledger months: the months up to the month before D. */
  firstMonth: number;
  lastMonth: number;
  params: LocalParams;
  mandatory: InsType[];
}

/** Options of a new employer. */
export interface CreateOptions {
  district?: District;
  establishedDaysAgo?: number;
  employees?: number | null;
  /** Force a name (pairs) instead of drawing one. */
  named?: NamedEntity;
  trade?: string;
  industry?: (typeof ENTERPRISE_INDUSTRIES)[number];
  form?: 'limited' | 'limited_liability';
}

/** How one ledger cell is paid: in full, not declared, declared and unpaid, or short by N cents. */
export type Pay = 'full' | 'none' | 'zero' | number;

/** Options of an SI unit. */
export interface SiOptions {
  types?: Partial<Record<InsType, SiStatus>>;
  enrolledOn?: number;
  /** Insured people at a month offset from M. */
  insured: (off: number) => number;
  /** Base per insured person (cents) at an offset. */
  basePerPerson?: (off: number) => number;
  /** Base total override (cents) at an offset. */
  baseTotal?: (off: number) => number | undefined;
  pay?: (off: number, type: InsType) => Pay;
  usccWritten?: 'valid' | 'none' | 'broken';
}

const STATUS_TEXT: Record<'registration' | 'civil_org', Partial<Record<RegClass, readonly string[]>>> = {
  registration: {
    active: ['存续', '存续', '存续', '在业', '开业', '在营', '在册', '正常', '存续（在营、开业、在册）'],
    closed: ['注销', '注销', '吊销，已注销', '撤销'],
    revoked: ['吊销', '吊销，未注销', '吊销,未注销'],
    moved_out: ['迁出'],
    suspended: ['停业', '歇业'],
    liquidating: ['清算'],
  },
  civil_org: { active: ['正常'], closed: ['注销'], revoked: ['撤销'] },
};

/** Creates employers and their records for one run. */
export class EmployerFactory {
  private readonly names = new Set<string>();
  private unitSerial = 0;
  private regSerial = 0;

  constructor(readonly ctx: GenContext) {}

  /** Month offset from M. */
  off(month: number): number {
    return month - this.ctx.M;
  }

  /** A new active employer with a registry entry and nothing else. */
  create(rng: Rng, key: string, scenario: string, kind: EmployerKind, opts: CreateOptions = {}): Employer {
    const { city, asOf } = this.ctx;
    const district = opts.district ?? rng.pick(city.districts);
    const street = rng.pick(district.streets).name;
    const established = asOf - (opts.establishedDaysAgo ?? rng.int(800, 6500));
    let named = opts.named;
    for (let attempt = 0; named === undefined; attempt++) {
      const trade = attempt === 0 && opts.trade !== undefined ? opts.trade : tradeName(rng) + (attempt > 8 ? tradeName(rng) : '');
      const candidate =
        kind === 'enterprise'
          ? enterpriseName(rng, city, district, trade, opts.industry, opts.form)
          : kind === 'individual'
            ? individualName(rng, city, district, trade)
            : kind === 'coop'
              ? coopName(rng, city, district, street, trade)
              : socialOrgName(rng, city, district, trade);
      if (this.claimName(candidate.name)) named = candidate;
    }
    const modern = established >= dayOf('2015-10-01');
    const orgCode = makeOrgCode(rng, modern || kind !== 'enterprise');
    const prefix =
      kind === 'enterprise'
        ? USCC_PREFIX.enterprise
        : kind === 'individual'
          ? USCC_PREFIX.individual
          : kind === 'coop'
            ? USCC_PREFIX.coop
            : named.socialCategory === '1'
              ? USCC_PREFIX.social_group
              : named.socialCategory === '2'
                ? USCC_PREFIX.social_service
                : USCC_PREFIX.foundation;
    const uscc = makeUscc(prefix, district.code, orgCode);
    const source = kind === 'social_org' ? 'civil_org' : 'registration';
    const employees =
      opts.employees !== undefined
        ? opts.employees
        : kind === 'enterprise'
          ? rng.chance(0.5)
            ? null
            : rng.int(1, 30)
          : kind === 'social_org'
            ? rng.int(2, 15)
            : null;
    const capital =
      kind === 'enterprise'
        ? {
            amount: rng.pick([3, 10, 50, 100, 200, 500, 1000, 5000]),
            currency: named.entityType.includes('外商') ? ('万美元' as const) : ('万元人民币' as const),
          }
        : kind === 'coop'
          ? { amount: rng.pick([10, 50, 100, 300]), currency: '万元人民币' as const }
          : null;
    this.regSerial++;
    return {
      key,
      scenario,
      kind,
      uscc,
      orgCode,
      name: named.name,
      districtCode: district.code,
      street,
      address: address(rng, city, district, street),
      legalRep: personName(rng),
      established,
      industryCode: named.industryCode,
      industryLabel: named.industryLabel,
      entityType: kind === 'social_org' ? (named.orgType ?? named.entityType) : named.entityType,
      orgType: named.orgType ?? null,
      capital,
      employees,
      phone: rng.chance(0.5) ? `0512-6${rng.int(100, 999)}${rng.int(1000, 9999)}` : `1${rng.pick(['3', '5', '8'])}${rng.int(100000000, 999999999)}`,
      registry: {
        source,
        statusText: rng.pick(STATUS_TEXT[source].active ?? ['存续']),
        statusClass: 'active',
        closedOn: null,
        regNo: source === 'registration' && !modern ? makeRegNo(district.code, this.regSerial) : null,
      },
      tax: null,
      si: null,
      hard: [],
    };
  }

  /** Reserves a name (normalised) city-wide; false when it is taken. */
  claimName(name: string): boolean {
    const k = nameKey(name);
    if (this.names.has(k)) return false;
    this.names.add(k);
    return true;
  }

  /** Sets the registry status class; `closedDaysAgo` null means the export gives no date. */
  setRegistry(e: Employer, rng: Rng, cls: RegClass, closedDaysAgo: number | null = null): void {
    const texts = STATUS_TEXT[e.registry.source][cls];
    if (texts === undefined) throw new Error(`no ${cls} status text for ${e.registry.source}`);
    e.registry.statusClass = cls;
    e.registry.statusText = rng.pick(texts);
    const closing = cls === 'closed' || cls === 'revoked' || cls === 'moved_out';
    // Civil-affairs exports have no closing date column.
    e.registry.closedOn = closing && closedDaysAgo !== null && e.registry.source === 'registration' ? this.ctx.asOf - closedDaysAgo : null;
  }

  /** Adds the taxpayer record. */
  addTax(e: Employer, rng: Rng, status: TaxStatus = '正常', idKind: 'uscc' | 'legacy15' | 'id20' = 'uscc'): void {
    const district = this.ctx.city.districts.find((d) => d.code === e.districtCode);
    let id = e.uscc;
    if (idKind === 'legacy15') {
      id = legacyTaxId(e.districtCode, e.orgCode);
      e.hard.push('tax_legacy15');
    } else if (idKind === 'id20') {
      id = idTaxpayerId(makeResidentId(rng, e.districtCode), rng);
      e.hard.push('tax_id_number');
    }
    e.tax = {
      id,
      idKind,
      name: this.variantName(e, rng, 0.06, 'tax'),
      status,
      registeredOn: e.established + rng.int(3, 40),
      office: `国家税务总局${this.ctx.city.name}${district?.name ?? ''}税务局${rng.chance(0.4) ? rng.pick(['第一税务分局', '第二税务分局', '税源管理科']) : ''}`,
      withholding: [],
    };
  }

  /** Adds withholding rows: `headcount(off)` null means no row that month. */
  addWithholding(e: Employer, headcount: (off: number) => number | null, wage: (off: number) => number): void {
    if (e.tax === null) throw new Error('withholding needs a taxpayer');
    const start = Math.max(this.ctx.firstMonth, monthOfDay(e.established) + 1);
    const rows: WithholdingRow[] = [];
    for (let m = start; m <= this.ctx.lastMonth; m++) {
      const h = headcount(this.off(m));
      if (h === null) continue;
      const wages = h * wage(this.off(m));
      rows.push({ month: m, headcount: h, wages, taxPaid: Math.round(wages * 0.012) });
    }
    e.tax.withholding = rows;
  }

  /** Adds the SI unit with enrollment rows and the ledger. */
  addSi(e: Employer, rng: Rng, opts: SiOptions): void {
    const types = opts.types ?? Object.fromEntries(this.ctx.mandatory.map((t) => [t, 'active' as SiStatus]));
    const enrolledOn = opts.enrolledOn ?? Math.max(e.established + rng.int(10, 80), this.ctx.asOf - 6000);
    const district = this.ctx.city.districts.find((d) => d.code === e.districtCode);
    this.unitSerial++;
    const usccWritten = opts.usccWritten ?? (rng.chance(0.1) ? 'none' : rng.chance(0.02) ? 'broken' : 'valid');
    if (usccWritten === 'none') e.hard.push('si_without_uscc');
    if (usccWritten === 'broken') e.hard.push('si_uscc_bad_check_char');
    const unit = {
      unitId: makeUnitId(district?.code ?? e.districtCode, this.unitSerial),
      usccWritten,
      name: this.variantName(e, rng, usccWritten === 'valid' ? 0.06 : 0.85, 'si'),
      enrollments: [] as Enrollment[],
      payments: [] as PaymentRow[],
    };
    const pay = opts.pay ?? ((_off: number, type: InsType): Pay => (types[type] === 'active' ? 'full' : 'none'));
    const basePerPerson = opts.basePerPerson ?? ((): number => 800_000);
    const startMonth = Math.max(this.ctx.firstMonth, monthOfDay(enrolledOn));
    for (const type of Object.keys(types) as InsType[]) {
      const status = types[type] as SiStatus;
      unit.enrollments.push({ type, status, enrolledOn, insuredCount: opts.insured(Math.min(0, this.off(this.ctx.lastMonth))) });
      for (let m = startMonth; m <= this.ctx.lastMonth; m++) {
        const off = this.off(m);
        const how = pay(off, type);
        if (how === 'none') continue;
        const count = opts.insured(off);
        const base = opts.baseTotal?.(off) ?? count * basePerPerson(off);
        const rate = paramsForMonth(this.ctx.params, m).employerRates[type];
        const due = Math.round(base * rate);
        const paid = how === 'full' ? due : how === 'zero' ? 0 : Math.max(0, due - how);
        unit.payments.push({
          month: m,
          type,
          count,
          base,
          due,
          paid,
          paidOn: paid > 0 ? firstDayOfMonth(m + 1) + rng.int(5, 24) : null,
        });
      }
    }
    e.si = unit;
  }

  /** The standard compliant employer: taxpayer 正常, steady withholding, all mandatory types active and paid. */
  standard(
    e: Employer,
    rng: Rng,
    h: number,
    opts: { wage?: number; ratio?: number; idKind?: 'uscc' | 'legacy15' | 'id20'; si?: Partial<SiOptions> } = {},
  ): void {
    const wage = opts.wage ?? rng.int(650, 1500) * 1000;
    const ratio = opts.ratio ?? rng.int(92, 100) / 100;
    this.addTax(e, rng, '正常', opts.idKind ?? this.defaultIdKind(e, rng));
    this.addWithholding(
      e,
      () => h,
      () => wage,
    );
    this.addSi(e, rng, { insured: () => h, basePerPerson: () => Math.round((wage * ratio) / 100) * 100, ...opts.si });
  }

  /** Legacy 15-character tax numbers for some pre-2015 enterprises, USCC otherwise. */
  defaultIdKind(e: Employer, rng: Rng): 'uscc' | 'legacy15' {
    return e.kind === 'enterprise' && e.established < dayOf('2015-10-01') && rng.chance(0.25) ? 'legacy15' : 'uscc';
  }

  /** The name as another agency writes it: traditional characters, other brackets, stray spaces. */
  private variantName(e: Employer, rng: Rng, p: number, where: 'tax' | 'si'): string {
    if (!rng.chance(p)) return e.name;
    const roll = rng.int(0, 9);
    if (roll < 5) {
      const t = traditionalVariant(e.name);
      if (t !== undefined) {
        e.hard.push(`${where}_traditional`);
        return t;
      }
    }
    if (roll < 8) {
      const b = bracketVariant(e.name);
      if (b !== undefined) {
        e.hard.push(`${where}_brackets`);
        return b;
      }
    }
    e.hard.push(`${where}_spaces`);
    return spaceVariant(rng, e.name);
  }
}
