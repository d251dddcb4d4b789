/**
 * The scenario catalogue. Each scenario builds one employer (two for the name pairs) whose
 * records trigger a known set of rules, or just miss one at a threshold. The small fixture
 * holds every scenario `n` times; larger runs add background employers in city-like
 * proportions. `expect` is what the reference evaluator must find; generate.ts checks it.
 */
import type { EmployerFactory } from './factory.ts';
import type { Employer, EmployerKind, InsType } from './model.ts';
import { isWorkInjuryHighRisk } from '../../src/reference/industries.ts';
import { ENTERPRISE_INDUSTRIES, districtPrefix, individualName, tradeName } from './names.ts';
import type { Rng } from './random.ts';
import type { RuleId } from './truth.ts';
import { LINK_SCENARIOS } from './link-cases.ts';

/** A scenario: label, count in the fixed set, expected rules, builder. */
export interface Scenario {
  id: string;
  n: number;
  expect: RuleId[];
  /** What it shows (for truth/README.md). */
  note: string;
  build: (f: EmployerFactory, rng: Rng, nextKey: () => string) => Employer[];
}

// The same reference table the rules use decides which industries are high-risk.
const NORMAL = ENTERPRISE_INDUSTRIES.filter((i) => !isWorkInjuryHighRisk(i.code));
const HIGH = ENTERPRISE_INDUSTRIES.filter((i) => isWorkInjuryHighRisk(i.code));

/** Short-hand for a single-employer scenario. */
function one(
  id: string,
  n: number,
  expect: RuleId[],
  note: string,
  kind: EmployerKind,
  body: (f: EmployerFactory, rng: Rng, e: Employer) => void,
  create: Parameters<EmployerFactory['create']>[4] | ((rng: Rng) => Parameters<EmployerFactory['create']>[4]) = {},
): Scenario {
  return {
    id,
    n,
    expect,
    note,
    build: (f, rng, nextKey) => {
      const opts = typeof create === 'function' ? create(rng) : create;
      const e = f.create(rng, nextKey(), id, kind, opts);
      body(f, rng, e);
      return [e];
    },
  };
}

const only = (types: InsType[], status: 'active' | 'suspended' | 'terminated' = 'active'): Partial<Record<InsType, typeof status>> =>
  Object.fromEntries(types.map((t) => [t, status]));
const allTypes = (f: EmployerFactory, status: 'active' | 'suspended' | 'terminated'): Partial<Record<InsType, typeof status>> => only(f.ctx.mandatory, status);
const wage = (rng: Rng): number => rng.int(650, 1500) * 1000;
const normal = (rng: Rng): { industry: (typeof ENTERPRISE_INDUSTRIES)[number] } => ({ industry: rng.pick(NORMAL) });

/** The fixed scenarios: every rule positive several times, and the near misses. */
export const SCENARIOS: Scenario[] = [
  // ---- background that must produce nothing
  one('compliant', 6, [], 'taxpayer, withholding, all mandatory types enrolled and paid', 'enterprise', (f, rng, e) => f.standard(e, rng, rng.int(1, 40))),
  one(
    'compliant_highrisk',
    2,
    [],
    'high-risk industry with 410 enrolled (near miss for selective high)',
    'enterprise',
    (f, rng, e) => f.standard(e, rng, rng.int(5, 40)),
    (rng) => ({ industry: rng.pick(HIGH) }),
  ),
  one('compliant_individual', 3, [], 'individual business with staff, insured', 'individual', (f, rng, e) =>
    f.standard(e, rng, rng.int(1, 3), { idKind: rng.chance(0.5) ? 'id20' : 'uscc' }),
  ),
  one('compliant_coop', 2, [], 'farmer cooperative insured', 'coop', (f, rng, e) => f.standard(e, rng, rng.int(2, 6))),
  one('compliant_social_org', 2, [], 'social organisation insured', 'social_org', (f, rng, e) => {
    const h = rng.int(3, 15);
    e.employees = h;
    f.standard(e, rng, h);
  }),
  one('closed_inactive', 2, [], 'closed long ago, nothing open', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'closed', rng.int(400, 2000));
    if (rng.chance(0.5)) f.addTax(e, rng, '注销');
  }),
  one('revoked_inactive', 1, [], 'revoked, taxpayer abnormal, not insured', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'revoked', rng.chance(0.5) ? null : rng.int(400, 2000));
    f.addTax(e, rng, '非正常');
  }),

  // ---- uninsured
  one('uninsured_withholding', 3, ['uninsured', 'tax_not_insured'], 'withholds for staff, no SI at all', 'enterprise', (f, rng, e) => {
    const h = rng.int(5, 30);
    f.addTax(e, rng);
    f.addWithholding(
      e,
      () => h,
      () => wage(rng),
    );
  }),
  one('uninsured_no_evidence', 2, ['uninsured'], 'enterprise, no tax data, no reported staff (severity medium)', 'enterprise', () => undefined, {
    employees: null,
  }),
  one(
    'uninsured_registry_employees',
    2,
    ['uninsured'],
    'taxpayer without withholding, annual report says 8 staff (H from registry)',
    'enterprise',
    (f, rng, e) => f.addTax(e, rng),
    { employees: 8 },
  ),
  one('uninsured_coop', 2, ['uninsured'], 'farmer cooperative not insured', 'coop', () => undefined, { employees: 4 }),
  one(
    'uninsured_social_org',
    2,
    ['uninsured', 'tax_not_insured'],
    'social organisation withholding, not insured',
    'social_org',
    (f, rng, e) => {
      f.addTax(e, rng);
      f.addWithholding(
        e,
        () => 6,
        () => 600_000,
      );
    },
    { employees: 6 },
  ),
  one('uninsured_individual_withholding', 2, ['uninsured', 'tax_not_insured'], 'individual business withholding for 2 staff', 'individual', (f, rng, e) => {
    f.addTax(e, rng);
    f.addWithholding(
      e,
      () => 2,
      () => 550_000,
    );
  }),
  one('uninsured_individual_employees', 2, ['uninsured'], 'individual business, registry reports 3 staff, no tax data', 'individual', () => undefined, {
    employees: 3,
  }),
  one('exempt_individual_no_evidence', 2, [], 'individual business, no headcount evidence, not insured (exempt)', 'individual', () => undefined, {
    employees: null,
  }),
  one(
    'exempt_individual_no_evidence_enrolled',
    2,
    [],
    'individual business without evidence, only 110, stopped declaring (selective/lapsed/not_declared exempt)',
    'individual',
    (f, rng, e) => {
      f.addSi(e, rng, { types: only(['110']), insured: () => 1, basePerPerson: () => 540_000, pay: (off) => (off <= -5 ? 'full' : 'none') });
    },
    { employees: null },
  ),
  one(
    'individual_zero_staff',
    2,
    [],
    'individual business declaring 0 staff (H = 0: evidence, not >= 1)',
    'individual',
    (f, rng, e) => {
      f.addTax(e, rng);
      f.addWithholding(
        e,
        () => 0,
        () => 0,
      );
    },
    { employees: 0 },
  ),
  one('uninsured_established_30d', 2, ['uninsured'], 'established exactly 30 days before D', 'enterprise', () => undefined, {
    establishedDaysAgo: 30,
    employees: null,
  }),
  one('exempt_established_29d', 2, [], 'established 29 days before D (exempt)', 'enterprise', () => undefined, { establishedDaysAgo: 29, employees: null }),
  one(
    'uninsured_h0',
    2,
    ['uninsured'],
    'taxpayer declaring 0 staff, not insured (uninsured medium, no tax_not_insured)',
    'enterprise',
    (f, rng, e) => {
      f.addTax(e, rng);
      f.addWithholding(
        e,
        () => 0,
        () => 0,
      );
    },
    { employees: null },
  ),
  one('not_active_no_si', 2, [], 'registry suspended or liquidating, taxpayer suspended, not insured', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, rng.chance(0.5) ? 'suspended' : 'liquidating');
    f.addTax(e, rng, '停业');
  }),
  one(
    'withholding_stopped',
    1,
    ['uninsured'],
    'withholding stopped 3 months before M (Hw = 0, H unknown)',
    'enterprise',
    (f, rng, e) => {
      f.addTax(e, rng);
      f.addWithholding(
        e,
        (off) => (off <= -3 ? 5 : null),
        () => 700_000,
      );
    },
    { employees: null },
  ),

  // ---- tax_not_insured
  one('tax_not_insured_registry_suspended', 2, ['tax_not_insured'], 'registry 停业 but taxpayer 正常 and withholding', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'suspended');
    f.addTax(e, rng);
    f.addWithholding(
      e,
      () => 4,
      () => 650_000,
    );
  }),
  one(
    'tax_not_insured_legacy_id',
    2,
    ['uninsured', 'tax_not_insured'],
    'taxpayer under a legacy 15-character number (region + organisation code)',
    'enterprise',
    (f, rng, e) => {
      f.addTax(e, rng, '正常', 'legacy15');
      f.addWithholding(
        e,
        () => 10,
        () => 800_000,
      );
    },
    { establishedDaysAgo: 5000 },
  ),
  one('taxpayer_abnormal_withholding', 1, ['uninsured'], 'taxpayer 非正常 (no tax_not_insured) with withholding', 'enterprise', (f, rng, e) => {
    f.addTax(e, rng, '非正常');
    f.addWithholding(
      e,
      () => 3,
      () => 600_000,
    );
  }),
  one('exempt_closed_withholding', 2, [], 'closed in the registry 90 days ago, taxpayer still 正常 and withholding (exempt)', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'closed', 90);
    f.addTax(e, rng);
    f.addWithholding(
      e,
      () => 6,
      () => 700_000,
    );
  }),

  // ---- under_enrolled (ratio of insured to staff kept above 0.8 so the base rule stays quiet)
  one(
    'under_enrolled_gap3',
    2,
    ['under_enrolled'],
    'A = 20, insured 17: gap 3 = max(3, 2)',
    'enterprise',
    (f, rng, e) => underEnrolled(f, rng, e, () => 20, 17),
    normal,
  ),
  one('under_enrolled_ok_gap2', 2, [], 'A = 20, insured 18: gap 2 < 3', 'enterprise', (f, rng, e) => underEnrolled(f, rng, e, () => 20, 18), normal),
  one(
    'under_enrolled_10pct',
    2,
    ['under_enrolled'],
    'A = 50, insured 45: gap 5 = 10% of A',
    'enterprise',
    (f, rng, e) => underEnrolled(f, rng, e, () => 50, 45),
    normal,
  ),
  one('under_enrolled_ok_10pct', 2, [], 'A = 50, insured 46: gap 4 < 10% of A', 'enterprise', (f, rng, e) => underEnrolled(f, rng, e, () => 50, 46), normal),
  one(
    'under_enrolled_two_months',
    1,
    ['under_enrolled'],
    'withholding only in M-1 and M (30 each), insured 26',
    'enterprise',
    (f, rng, e) => underEnrolled(f, rng, e, (off) => (off === -2 ? null : 30), 26),
    normal,
  ),

  // ---- under_declared_base
  one(
    'under_declared_ratio079',
    2,
    ['under_declared_base'],
    'base 0.79 x wages, difference well over 10,000',
    'enterprise',
    (f, rng, e) => declared(f, rng, e, 10, 1_000_000, () => 790_000),
    normal,
  ),
  one('under_declared_ok_ratio081', 2, [], 'base 0.81 x wages', 'enterprise', (f, rng, e) => declared(f, rng, e, 10, 1_000_000, () => 810_000), normal),
  one(
    'under_declared_diff10000',
    1,
    ['under_declared_base'],
    'ratio 0.78, difference exactly 10,000.00 over M-2..M',
    'enterprise',
    (f, rng, e) => declared(f, rng, e, 2, 750_000, undefined, (off) => (off === 0 ? 1_166_666 : off >= -2 ? 1_166_667 : 1_500_000)),
    normal,
  ),
  one(
    'under_declared_ok_diff9990',
    1,
    [],
    'ratio 0.78, difference 9,990.00 (< 10,000)',
    'enterprise',
    (f, rng, e) => declared(f, rng, e, 2, 750_000, undefined, (off) => (off >= -2 ? 1_167_000 : 1_500_000)),
    normal,
  ),
  one(
    'under_declared_below_floor',
    2,
    ['under_declared_base'],
    'base = wages = 5,000 a person, under the 5,400 floor',
    'enterprise',
    (f, rng, e) => declared(f, rng, e, 3, 500_000, () => 500_000),
    normal,
  ),
  one(
    'under_declared_ok_at_floor',
    2,
    [],
    'base = wages = 5,400 a person, exactly the floor',
    'enterprise',
    (f, rng, e) => declared(f, rng, e, 3, 540_000, () => 540_000),
    normal,
  ),

  // ---- selective_enrollment
  one(
    'selective_missing_410_highrisk',
    2,
    ['selective_enrollment'],
    'high-risk industry without work-injury 410 (high)',
    'enterprise',
    (f, rng, e) => {
      f.standard(e, rng, rng.int(5, 30), { si: { types: only(['110', '210', '310']) } });
    },
    (rng) => ({ industry: rng.pick(HIGH) }),
  ),
  one(
    'selective_missing_210',
    2,
    ['selective_enrollment'],
    'no unemployment 210 row (medium)',
    'enterprise',
    (f, rng, e) => {
      f.standard(e, rng, rng.int(3, 20), { si: { types: only(['110', '310', '410']) } });
    },
    normal,
  ),
  one(
    'selective_310_suspended',
    1,
    ['selective_enrollment'],
    'medical 310 row suspended (not active)',
    'enterprise',
    (f, rng, e) => {
      f.standard(e, rng, rng.int(3, 20), {
        si: { types: { ...allTypes(f, 'active'), '310': 'suspended' }, pay: (off, t) => (t === '310' && off > -6 ? 'none' : 'full') },
      });
    },
    normal,
  ),
  one(
    'selective_missing_410_normal',
    1,
    ['selective_enrollment'],
    'normal industry without 410 (medium)',
    'enterprise',
    (f, rng, e) => {
      f.standard(e, rng, rng.int(3, 20), { si: { types: only(['110', '210', '310']) } });
    },
    normal,
  ),

  // ---- lapsed
  one('lapsed_unpaid3', 2, ['lapsed', 'arrears'], 'declared but nothing paid in M-2..M', 'enterprise', (f, rng, e) => {
    f.standard(e, rng, rng.int(3, 20), { si: { pay: (off) => (off >= -2 ? 'zero' : 'full') } });
  }),
  one('lapsed_undeclared3', 2, ['lapsed', 'not_declared'], 'no rows at all in M-2..M', 'enterprise', (f, rng, e) => {
    f.standard(e, rng, rng.int(3, 20), { si: { pay: (off) => (off >= -2 ? 'none' : 'full') } });
  }),
  one('lapsed_registry_suspended', 1, ['lapsed', 'not_declared'], 'registry 停业, taxpayer 正常 with H >= 1, no rows in M-3..M', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'suspended');
    f.standard(e, rng, 5, { si: { pay: (off) => (off >= -3 ? 'none' : 'full') } });
  }),
  one('lapsed_ok_gap2', 2, ['not_declared'], 'no rows in M-1..M only (gap 2)', 'enterprise', (f, rng, e) => {
    f.standard(e, rng, rng.int(3, 20), { si: { pay: (off) => (off >= -1 ? 'none' : 'full') } });
  }),
  one('lapsed_ok_never_paid', 1, ['arrears'], 'declared every month, never paid (nothing paid before the gap)', 'enterprise', (f, rng, e) => {
    f.standard(e, rng, rng.int(2, 10), { si: { pay: () => 'zero' } });
  }),
  one('lapsed_ok_inactive', 1, ['not_declared'], 'registry 停业 and taxpayer 停业: not operating, so not lapsed', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'suspended');
    f.addTax(e, rng, '停业');
    f.addWithholding(
      e,
      (off) => (off <= -4 ? 4 : null),
      () => 700_000,
    );
    f.addSi(e, rng, { insured: () => 4, basePerPerson: () => 700_000, pay: (off) => (off >= -3 ? 'none' : 'full') });
  }),

  // ---- arrears
  one('arrears_100', 2, ['arrears'], 'owes exactly 100.00', 'enterprise', (f, rng, e) => {
    f.standard(e, rng, rng.int(3, 20), { si: { pay: (off, t) => (off === -4 && t === '110' ? 10_000 : 'full') } });
  }),
  one('arrears_ok_99', 2, [], 'owes 99.00', 'enterprise', (f, rng, e) => {
    f.standard(e, rng, rng.int(3, 20), { si: { pay: (off, t) => (off === -4 && t === '110' ? 9_900 : 'full') } });
  }),
  one('arrears_operating', 1, ['arrears'], 'two months paid short, still operating (enforcement)', 'enterprise', (f, rng, e) => {
    f.standard(e, rng, rng.int(5, 20), { si: { pay: (off, t) => ((off === -1 || off === -5) && t === '110' ? 300_000 : 'full') } });
  }),
  one('arrears_dormant_taxpayer', 2, ['arrears', 'lapsed'], 'taxpayer 非正常, unpaid since M-4 (payment plan)', 'enterprise', (f, rng, e) => {
    f.addTax(e, rng, '非正常');
    f.addWithholding(
      e,
      (off) => (off <= -6 ? 6 : null),
      () => 700_000,
    );
    f.addSi(e, rng, { insured: () => 6, basePerPerson: () => 700_000, pay: (off) => (off >= -4 ? 'zero' : 'full') });
  }),
  one('arrears_dormant_headcount0', 1, ['arrears'], 'taxpayer 正常 but withholding headcount 0 for M-5..M, partly paid', 'enterprise', (f, rng, e) => {
    f.addTax(e, rng);
    f.addWithholding(
      e,
      (off) => (off >= -5 ? 0 : 4),
      () => 700_000,
    );
    f.addSi(e, rng, { insured: () => 4, basePerPerson: () => 700_000, pay: (off, t) => (off >= -1 && t === '110' ? 200_000 : 'full') });
  }),
  one('arrears_closed', 2, ['arrears'], 'closed 120 days ago with unpaid months, SI terminated (write-off)', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'closed', 120);
    f.addTax(e, rng, '注销');
    f.addSi(e, rng, {
      types: allTypes(f, 'terminated'),
      insured: () => 5,
      basePerPerson: () => 650_000,
      pay: (off) => (off <= -6 ? 'full' : off <= -4 ? 'zero' : 'none'),
    });
  }),
  one(
    'arrears_closed_still_enrolled',
    1,
    ['arrears', 'closed_still_enrolled'],
    'closed 120 days ago, unpaid months, SI still active',
    'enterprise',
    (f, rng, e) => {
      f.setRegistry(e, rng, 'closed', 120);
      f.addTax(e, rng, '注销');
      f.addSi(e, rng, { insured: () => 5, basePerPerson: () => 650_000, pay: (off) => (off <= -6 ? 'full' : off <= -4 ? 'zero' : 'none') });
    },
  ),
  one('arrears_closed_by_taxpayer', 1, ['arrears'], 'registry active but taxpayer 注销: class closed', 'enterprise', (f, rng, e) => {
    f.addTax(e, rng, '注销');
    f.addWithholding(
      e,
      (off) => (off <= -6 ? 3 : null),
      () => 700_000,
    );
    f.addSi(e, rng, { insured: () => 3, basePerPerson: () => 700_000, pay: (off, t) => ((off === -8 || off === -7) && t === '110' ? 25_000 : 'full') });
  }),

  // ---- not_declared
  one('not_declared', 2, ['not_declared'], 'rows up to M-1, none for M (assessment 110%)', 'enterprise', (f, rng, e) => {
    f.standard(e, rng, rng.int(3, 20), { si: { pay: (off) => (off >= 0 ? 'none' : 'full') } });
  }),
  one('not_declared_ok_suspended', 1, [], 'all types suspended in M, no row for M, 0 staff declared', 'enterprise', (f, rng, e) => {
    f.addTax(e, rng);
    f.addWithholding(
      e,
      (off) => (off >= -3 ? 0 : 4),
      () => 700_000,
    );
    f.addSi(e, rng, { types: allTypes(f, 'suspended'), insured: () => 4, basePerPerson: () => 700_000, pay: (off) => (off >= 0 ? 'none' : 'full') });
  }),
  one('not_declared_ok_new_enrollment', 1, [], 'enrolled 10 days before D, no ledger rows yet', 'enterprise', (f, rng, e) => {
    f.addTax(e, rng);
    f.addWithholding(
      e,
      () => 6,
      () => 700_000,
    );
    f.addSi(e, rng, { enrolledOn: f.ctx.asOf - 10, insured: () => 6, basePerPerson: () => 700_000 });
  }),

  // ---- suspended_active
  one('suspended_active', 2, ['suspended_active', 'lapsed'], 'all types suspended since M-5 while withholding for 8', 'enterprise', (f, rng, e) => {
    f.addTax(e, rng);
    f.addWithholding(
      e,
      () => 8,
      () => 800_000,
    );
    f.addSi(e, rng, { types: allTypes(f, 'suspended'), insured: () => 8, basePerPerson: () => 800_000, pay: (off) => (off <= -6 ? 'full' : 'none') });
  }),
  one(
    'suspended_active_terminated',
    1,
    ['suspended_active', 'uninsured', 'tax_not_insured', 'lapsed'],
    'all types terminated since M-6 while withholding for 5',
    'enterprise',
    (f, rng, e) => {
      f.addTax(e, rng);
      f.addWithholding(
        e,
        () => 5,
        () => 800_000,
      );
      f.addSi(e, rng, { types: allTypes(f, 'terminated'), insured: () => 5, basePerPerson: () => 800_000, pay: (off) => (off <= -7 ? 'full' : 'none') });
    },
  ),
  one('suspended_ok_no_staff', 1, [], 'suspended long ago, withholding 0 staff', 'enterprise', (f, rng, e) => {
    f.addTax(e, rng);
    f.addWithholding(
      e,
      () => 0,
      () => 0,
    );
    f.addSi(e, rng, { types: allTypes(f, 'suspended'), insured: () => 0, basePerPerson: () => 0, pay: () => 'none' });
  }),

  // ---- closed_still_enrolled
  one('closed_still_enrolled_31d', 2, ['closed_still_enrolled'], 'closed 31 days before D, all types still active and paid', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'closed', 31);
    f.standard(e, rng, rng.int(2, 10));
    if (e.tax !== null) e.tax.status = '注销';
  }),
  one(
    'closed_still_enrolled_revoked_nodate',
    1,
    ['closed_still_enrolled'],
    'revoked with no date, still enrolled, stopped paying',
    'enterprise',
    (f, rng, e) => {
      f.setRegistry(e, rng, 'revoked', null);
      f.addTax(e, rng, '非正常');
      f.addSi(e, rng, { insured: () => 3, basePerPerson: () => 650_000, pay: (off) => (off <= -6 ? 'full' : 'none') });
    },
  ),
  one('closed_still_enrolled_moved_out', 1, ['closed_still_enrolled'], 'moved out 200 days ago, still enrolled here', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'moved_out', 200);
    f.addSi(e, rng, { insured: () => 4, basePerPerson: () => 650_000, pay: (off) => (off <= -7 ? 'full' : 'none') });
  }),
  one(
    'closed_still_enrolled_civil',
    1,
    ['closed_still_enrolled'],
    'social organisation 注销 (civil affairs gives no date), still enrolled',
    'social_org',
    (f, rng, e) => {
      f.setRegistry(e, rng, 'closed', null);
      f.addSi(e, rng, { insured: () => 3, basePerPerson: () => 600_000, pay: (off) => (off <= -4 ? 'full' : 'none') });
    },
  ),
  one('closed_enrolled_ok_29d', 2, [], 'closed 29 days before D, still enrolled (too recent)', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'closed', 29);
    f.standard(e, rng, rng.int(2, 10));
  }),
  one('closed_enrolled_ok_30d', 1, [], 'closed exactly 30 days before D (not more than 30)', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'closed', 30);
    f.standard(e, rng, rng.int(2, 10));
  }),
  one('closed_terminated_ok', 1, [], 'closed 100 days ago, SI terminated, all paid', 'enterprise', (f, rng, e) => {
    f.setRegistry(e, rng, 'closed', 100);
    f.addTax(e, rng, '注销');
    f.addSi(e, rng, { types: allTypes(f, 'terminated'), insured: () => 4, basePerPerson: () => 650_000, pay: (off) => (off <= -4 ? 'full' : 'none') });
  }),

  // ---- exemptions (closed/revoked/moved out; the other two are above)
  one(
    'exempt_closed_selective',
    1,
    ['closed_still_enrolled'],
    'closed 200 days ago, only 110 enrolled: selective exempt, clean-up only',
    'enterprise',
    (f, rng, e) => {
      f.setRegistry(e, rng, 'closed', 200);
      f.addSi(e, rng, { types: only(['110']), insured: () => 3, basePerPerson: () => 650_000, pay: (off) => (off <= -7 ? 'full' : 'none') });
    },
  ),
  one(
    'exempt_moved_out_lapsed',
    1,
    [],
    'moved out 150 days ago, SI terminated, still withholding (lapsed/tax_not_insured/suspended_active exempt)',
    'enterprise',
    (f, rng, e) => {
      f.setRegistry(e, rng, 'moved_out', 150);
      f.addTax(e, rng);
      f.addWithholding(
        e,
        () => 5,
        () => 700_000,
      );
      f.addSi(e, rng, { types: allTypes(f, 'terminated'), insured: () => 5, basePerPerson: () => 700_000, pay: (off) => (off <= -5 ? 'full' : 'none') });
    },
  ),

  // ---- linking pairs
  {
    id: 'pair_suffix',
    n: 2,
    expect: [],
    note: 'two companies whose names differ only in 有限公司/有限责任公司; the insured one has an SI unit without USCC',
    build: (f, rng, nextKey) => {
      let trade = tradeName(rng);
      const ind = rng.pick(NORMAL);
      const city = f.ctx.city;
      while (!f.claimName(`${city.short}${trade}${ind.word}有限公司`) || !f.claimName(`${city.short}${trade}${ind.word}有限责任公司`))
        trade = tradeName(rng) + tradeName(rng);
      const district = rng.pick(city.districts);
      const named = (suffix: string, type: string): Parameters<EmployerFactory['create']>[4] => ({
        district,
        named: { name: `${city.short}${trade}${ind.word}${suffix}`, industryCode: ind.code, industryLabel: ind.label, entityType: type },
      });
      const a = f.create(rng, nextKey(), 'pair_suffix_insured', 'enterprise', named('有限公司', '有限责任公司(自然人投资或控股)'));
      f.standard(a, rng, rng.int(3, 15), { si: { usccWritten: 'none' } });
      a.hard.push('pair_suffix');
      const b = f.create(rng, nextKey(), 'pair_suffix_uninsured', 'enterprise', named('有限责任公司', '有限责任公司(法人独资)'));
      f.addTax(b, rng);
      f.addWithholding(
        b,
        () => 3,
        () => 700_000,
      );
      b.hard.push('pair_suffix');
      return [a, b];
    },
  },
  {
    id: 'pair_district',
    n: 2,
    expect: [],
    note: 'two individual businesses whose names differ only in the district; the insured one has an SI unit without USCC',
    build: (f, rng, nextKey) => {
      const city = f.ctx.city;
      const [d1, d2] = pickTwo(rng, city.districts);
      const p1 = districtPrefix(city, d1);
      const p2 = districtPrefix(city, d2);
      let n1 = individualName(rng, city, d1, tradeName(rng), 'full');
      let n2 = { ...n1, name: p2 + n1.name.slice(p1.length) };
      while (!f.claimName(n1.name) || !f.claimName(n2.name)) {
        n1 = individualName(rng, city, d1, tradeName(rng) + tradeName(rng), 'full');
        n2 = { ...n1, name: p2 + n1.name.slice(p1.length) };
      }
      const a = f.create(rng, nextKey(), 'pair_district_insured', 'individual', { district: d1, named: n1, employees: 2 });
      f.standard(a, rng, 2, { si: { usccWritten: 'none' } });
      a.hard.push('pair_district');
      const b = f.create(rng, nextKey(), 'pair_district_uninsured', 'individual', { district: d2, named: n2, employees: 2 });
      b.hard.push('pair_district');
      return [a, b];
    },
  },
];

/** Expected rules of a scenario label (pair members, background and planted linking-case labels included). */
export function expectedRules(label: string): RuleId[] | undefined {
  const pairs: Record<string, RuleId[]> = {
    pair_suffix_insured: [],
    pair_suffix_uninsured: ['uninsured', 'tax_not_insured'],
    pair_district_insured: [],
    pair_district_uninsured: ['uninsured'],
  };
  return SCENARIOS.find((s) => s.id === label)?.expect ?? pairs[label] ?? BACKGROUND[label]?.expect ?? LINK_SCENARIOS[label]?.expect;
}

/** Under-enrolled builder: withholding headcount by offset, insured I, base = wages (ratio I / A). */
function underEnrolled(f: EmployerFactory, rng: Rng, e: Employer, headcount: (off: number) => number | null, insured: number): void {
  const w = rng.int(70, 120) * 10_000;
  f.addTax(e, rng);
  f.addWithholding(
    e,
    (off) => (off < -2 ? insured : headcount(off)),
    () => w,
  );
  f.addSi(e, rng, { insured: () => insured, basePerPerson: () => w });
}

/** Base-declaration builder: h staff at `wage`, base per person or base total by offset in M-2..M. */
function declared(
  f: EmployerFactory,
  rng: Rng,
  e: Employer,
  h: number,
  wage: number,
  basePerPerson?: (off: number) => number,
  baseTotal?: (off: number) => number,
): void {
  f.addTax(e, rng);
  f.addWithholding(
    e,
    () => h,
    () => wage,
  );
  const si: Parameters<EmployerFactory['addSi']>[2] = {
    insured: () => h,
    basePerPerson: (off) => (off >= -2 && basePerPerson !== undefined ? basePerPerson(off) : Math.max(wage, 540_000)),
  };
  if (baseTotal !== undefined) si.baseTotal = baseTotal;
  f.addSi(e, rng, si);
}

function pickTwo<T>(rng: Rng, items: readonly T[]): [T, T] {
  const i = rng.int(0, items.length - 1);
  let j = rng.int(0, items.length - 2);
  if (j >= i) j++;
  return [items[i] as T, items[j] as T];
}

/** Background labels and what they must find (background draws are random, their rules are not). */
export const BACKGROUND: Record<string, { expect: RuleId[]; note: string }> = {
  bg_compliant: { expect: [], note: 'enterprise, fully insured and paid' },
  bg_shell_uninsured: { expect: ['uninsured'], note: 'enterprise declaring 0 staff, not insured (medium)' },
  bg_no_tax_uninsured: { expect: ['uninsured'], note: 'enterprise with no tax data, not insured' },
  bg_closed: { expect: [], note: 'closed long ago' },
  bg_revoked: { expect: [], note: 'revoked, not insured' },
  bg_individual_no_evidence: { expect: [], note: 'individual business without headcount evidence' },
  bg_individual_zero_staff: { expect: [], note: 'individual business declaring 0 staff' },
  bg_individual_compliant: { expect: [], note: 'individual business with staff, insured' },
  bg_individual_closed: { expect: [], note: 'individual business closed' },
  bg_individual_withholding: { expect: ['uninsured', 'tax_not_insured'], note: 'individual business withholding for staff, not insured' },
  bg_coop_compliant: { expect: [], note: 'cooperative insured' },
  bg_coop_uninsured: { expect: ['uninsured'], note: 'cooperative not insured' },
  bg_coop_closed: { expect: [], note: 'cooperative closed' },
  bg_social_compliant: { expect: [], note: 'social organisation insured' },
  bg_social_uninsured: { expect: ['uninsured'], note: 'social organisation not insured' },
  bg_social_closed: { expect: [], note: 'social organisation closed or revoked (civil affairs)' },
};

/** Background employers for the slots the fixed set does not fill, in city-like proportions. */
export function buildBackground(f: EmployerFactory, rng: Rng, key: string): Employer {
  const kind = rng.weighted({ enterprise: 36, individual: 58, coop: 3, social_org: 3 });
  if (kind === 'enterprise') {
    const what = rng.weighted({ compliant: 36, shell: 34, closed: 18, revoked: 4, noTax: 8 });
    const label = { compliant: 'bg_compliant', shell: 'bg_shell_uninsured', closed: 'bg_closed', revoked: 'bg_revoked', noTax: 'bg_no_tax_uninsured' }[what];
    const e = f.create(rng, key, label, 'enterprise');
    if (what === 'compliant') {
      const h = rng.pick([1, 2, 3, 3, 5, 5, 8, 12, 20, 35, 60, 150]);
      if (e.employees !== null) e.employees = h;
      f.standard(e, rng, h);
    } else if (what === 'shell') {
      f.addTax(e, rng);
      f.addWithholding(
        e,
        () => 0,
        () => 0,
      );
    } else if (what === 'closed') {
      f.setRegistry(e, rng, 'closed', rng.int(400, 3000));
      if (rng.chance(0.4)) f.addTax(e, rng, '注销');
    } else if (what === 'revoked') {
      f.setRegistry(e, rng, 'revoked', rng.chance(0.5) ? null : rng.int(400, 3000));
    }
    return e;
  }
  if (kind === 'individual') {
    const what = rng.weighted({ noEvidence: 40, zero: 32, compliant: 6, closed: 17, withholding: 5 });
    const label = {
      noEvidence: 'bg_individual_no_evidence',
      zero: 'bg_individual_zero_staff',
      compliant: 'bg_individual_compliant',
      closed: 'bg_individual_closed',
      withholding: 'bg_individual_withholding',
    }[what];
    const e = f.create(rng, key, label, 'individual', { employees: what === 'zero' && rng.chance(0.5) ? 0 : null });
    if (what === 'zero') {
      f.addTax(e, rng, '正常', rng.chance(0.3) ? 'id20' : 'uscc');
      f.addWithholding(
        e,
        () => 0,
        () => 0,
      );
    } else if (what === 'noEvidence') {
      // A tax registration without any withholding is still no headcount evidence.
      if (rng.chance(0.4)) f.addTax(e, rng, '正常', 'id20');
    } else if (what === 'compliant') {
      f.standard(e, rng, rng.int(1, 4), { idKind: rng.chance(0.3) ? 'id20' : 'uscc' });
    } else if (what === 'closed') {
      f.setRegistry(e, rng, 'closed', rng.int(400, 3000));
    } else {
      f.addTax(e, rng);
      f.addWithholding(
        e,
        () => rng.int(1, 3),
        () => rng.int(500, 800) * 1000,
      );
    }
    return e;
  }
  if (kind === 'coop') {
    const what = rng.weighted({ compliant: 30, uninsured: 40, closed: 30 });
    const e = f.create(rng, key, `bg_coop_${what}`, 'coop');
    if (what === 'compliant') f.standard(e, rng, rng.int(2, 8));
    else if (what === 'closed') f.setRegistry(e, rng, 'closed', rng.int(400, 3000));
    return e;
  }
  const what = rng.weighted({ compliant: 60, uninsured: 25, closed: 15 });
  const e = f.create(rng, key, `bg_social_${what}`, 'social_org');
  if (what === 'compliant') f.standard(e, rng, e.employees ?? 3);
  else if (what === 'closed') f.setRegistry(e, rng, rng.chance(0.7) ? 'closed' : 'revoked', null);
  return e;
}
