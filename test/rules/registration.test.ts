import { describe, it, expect, beforeAll } from 'vitest';
import { runScenarios, FLOOR, RATE_110, type Scenario, type ScenarioRun } from './builder.ts';

const amount = (h: number, months: number): number => Math.round(h * FLOOR * RATE_110 * months * 100) / 100;

// D = 2026-10-31, M = 2026-09; D - 30 days = 2026-10-01.
const M = '2026-09';

const UNINSURED: Scenario[] = [
  { id: 'est-30d', established: '2026-10-01', employees: 3 },
  { id: 'est-29d', established: '2026-10-02', employees: 3 },
  { id: 'est-12m', established: '2025-10-31', employees: 1 },
  { id: 'est-11m', established: '2025-11-01', employees: 1 },
  { id: 'est-17m', established: '2025-05-15', employees: 4 },
  { id: 'ind-unknown', kind: 'individual_business' },
  { id: 'ind-h0', kind: 'individual_business', employees: 5, taxpayer: '正常', withholding: [{ period: M, headcount: 0 }] },
  {
    id: 'ind-h2',
    kind: 'individual_business',
    taxpayer: '正常',
    withholding: [
      { period: '2026-07', headcount: 2 },
      { period: M, headcount: 1 },
    ],
  },
  { id: 'ind-registry-1', kind: 'individual_business', employees: 1 },
  { id: 'ent-unknown', established: '2020-01-01' },
  { id: 'coop', kind: 'farmer_coop', employees: 2 },
  { id: 'social-org', kind: 'social_org', status: null, civil: { status: '正常', employees: 2 } },
  { id: 'public', kind: 'public_institution', employees: 20 },
  { id: 'si-suspended', employees: 5, enrollment: [{ type: '110', status: '2' }] },
  { id: 'si-suspended-210', employees: 5, enrollment: [{ type: '210', status: '暂停缴费' }] },
  {
    id: 'si-terminated',
    employees: 5,
    enrollment: [
      { type: '110', status: '3' },
      { type: '310', status: '终止' },
    ],
  },
  { id: 'si-active', employees: 5, enrollment: [{ type: '110', status: '1' }] },
  { id: 'not-active', status: '停业', employees: 5 },
  { id: 'revoked', status: '吊销', employees: 5 },
];

const w = (headcount: number, period = M): Scenario['withholding'] => [{ period, headcount }];
const TAX_NOT_INSURED: Scenario[] = [
  { id: 'hw1', taxpayer: '正常', withholding: w(1) },
  { id: 'hw0', taxpayer: '正常', withholding: w(0) },
  { id: 'hw1-m-2', taxpayer: '正常', withholding: w(1, '2026-07') },
  { id: 'hw1-m-3', taxpayer: '正常', withholding: w(1, '2026-06') },
  { id: 'hw1-after-m', taxpayer: '正常', withholding: w(1, '2026-10') },
  { id: 'abnormal', taxpayer: '非正常', withholding: w(3) },
  { id: 'tax-suspended', taxpayer: '停业', withholding: w(3) },
  { id: 'no-taxpayer-row', withholding: w(3) },
  { id: 'reg-closed', status: '注销', taxpayer: '正常', withholding: w(3) },
  { id: 'reg-revoked', status: '吊销', taxpayer: '正常', withholding: w(3) },
  { id: 'reg-moved-out', status: '迁出', taxpayer: '正常', withholding: w(3) },
  { id: 'reg-suspended', status: '停业', taxpayer: '正常', withholding: w(3) },
  { id: 'tax-only', status: null, taxpayer: '正常', withholding: w(2) },
  { id: 'tax-si-suspended', taxpayer: '正常', withholding: w(3), enrollment: [{ type: '310', status: '2' }] },
  { id: 'tax-si-terminated', taxpayer: '正常', withholding: w(3), enrollment: [{ type: '110', status: '3' }] },
];

// One pipeline run for both rules.
let run: ScenarioRun;
beforeAll(async () => {
  run = await runScenarios([...UNINSURED, ...TAX_NOT_INSURED]);
});

describe('uninsured (未参保)', () => {
  it.each([
    ['est-30d', true, 'established exactly 30 days before D'],
    ['est-29d', false, 'established 29 days before D: registration not yet due'],
    ['ind-unknown', false, 'individual business without headcount evidence'],
    ['ind-h0', false, 'individual business with H = 0 from withholding (withholding beats the registry employees)'],
    ['ind-h2', true, 'individual business with H >= 1 from withholding'],
    ['ind-registry-1', true, 'individual business with H = 1 from the registry'],
    ['ent-unknown', true, 'enterprise with H unknown'],
    ['coop', true, 'farmer cooperative'],
    ['social-org', true, 'social organisation, active as a civil organisation (正常)'],
    ['public', false, 'public institution: not a kind the rule covers'],
    ['si-suspended', false, 'registered with SI through a suspended enrollment'],
    ['si-suspended-210', false, 'registered with SI through a suspended enrollment of another type'],
    ['si-terminated', true, 'only terminated enrollments: not registered'],
    ['si-active', false, 'enrolled'],
    ['not-active', false, 'registration status not active (停业)'],
    ['revoked', false, 'revoked'],
  ])('%s -> found: %s (%s)', (id, expected) => {
    expect(run.found('uninsured').includes(id)).toBe(expected);
  });

  it('is high when H >= 1 and medium when H is unknown', () => {
    expect(run.finding('uninsured', 'ind-h2')?.severity).toBe('high');
    expect(run.finding('uninsured', 'est-30d')?.severity).toBe('high');
    expect(run.finding('uninsured', 'ent-unknown')?.severity).toBe('medium');
    expect(run.finding('uninsured', 'ent-unknown')?.evidence).toMatchObject({ headcount: null, headcount_source: null });
    expect(run.finding('uninsured', 'ind-h2')?.evidence).toMatchObject({ headcount: 2, headcount_source: 'withholding' });
  });

  it('amount: max(H,1) x floor x employer pension rate x whole months since established, at most 24', () => {
    expect(run.finding('uninsured', 'est-17m')?.amount).toBe(amount(4, 17)); // 2025-05-15 .. 2026-10-31
    expect(run.finding('uninsured', 'est-17m')?.evidence['months']).toBe(17);
    expect(run.finding('uninsured', 'est-12m')?.amount).toBe(amount(1, 12)); // 2025-10-31 .. 2026-10-31: exactly 12
    expect(run.finding('uninsured', 'est-11m')?.amount).toBe(amount(1, 11)); // 2025-11-01: one day short of 12
    expect(run.finding('uninsured', 'ind-h2')?.amount).toBe(amount(2, 24)); // 2020: capped at 24
    expect(run.finding('uninsured', 'ent-unknown')?.amount).toBe(amount(1, 24)); // H unknown counts as 1
    // 2026-10-01 .. 2026-10-31 is no whole month; the rule counts at least one (RULES.md is silent).
    expect(run.finding('uninsured', 'est-30d')?.amount).toBe(amount(3, 1));
    expect(amount(4, 17)).toBe(58752);
  });

  it('counts the individual business without headcount evidence as exempt, not as a finding', () => {
    expect(run.exemptions).toContainEqual({ rule_id: 'uninsured', reason: 'individual_without_headcount', count: 1 });
    expect(run.findings.filter((f) => f.id === 'ind-unknown')).toEqual([]);
    // H = 0 is evidence: not exempt, simply not found.
    expect(run.facts('ind-h0')['h']).toBe(0);
    expect(run.facts('ind-unknown')['h']).toBeNull();
  });
});

describe('uninsured: whole months when D is not the last day of a month', () => {
  // D = 2026-10-20 (M is still 2026-09): from 2025-10-25 only 11 whole months have passed,
  // although the calendar months differ by 12.
  let early: ScenarioRun;
  beforeAll(async () => {
    early = await runScenarios(
      [
        { id: 'est-2025-10-20', established: '2025-10-20', employees: 2 },
        { id: 'est-2025-10-25', established: '2025-10-25', employees: 2 },
        { id: 'est-2026-09-20', established: '2026-09-20', employees: 2 },
        { id: 'est-2026-09-21', established: '2026-09-21', employees: 2 },
      ],
      { asOf: '2026-10-20' },
    );
  });

  it('counts whole months up to D', () => {
    expect(early.summary.month).toBe('2026-09-01');
    expect(early.finding('uninsured', 'est-2025-10-20')?.amount).toBe(amount(2, 12));
    expect(early.finding('uninsured', 'est-2025-10-25')?.amount).toBe(amount(2, 11));
  });

  it('the 30 days are counted back from D', () => {
    expect(early.found('uninsured').filter((id) => id.startsWith('est-2026'))).toEqual(['est-2026-09-20']);
  });
});

describe('tax_not_insured (纳税不缴费)', () => {
  it.each([
    ['hw1', true, 'Hw = 1 in M'],
    ['hw0', false, 'Hw = 0'],
    ['hw1-m-2', true, 'Hw = 1 two months before M: inside the 3 months'],
    ['hw1-m-3', false, 'withholding three months before M only: outside the 3 months'],
    ['hw1-after-m', false, 'withholding after M only'],
    ['abnormal', false, 'taxpayer 非正常'],
    ['tax-suspended', false, 'taxpayer 停业'],
    ['no-taxpayer-row', false, 'not in the tax registry: status not 正常'],
    ['reg-closed', false, 'closed in the registry'],
    ['reg-revoked', false, 'revoked in the registry'],
    ['reg-moved-out', false, 'moved out in the registry'],
    ['reg-suspended', true, 'suspended (停业) in the registry is not closed'],
    ['tax-only', true, 'not in the market registry at all'],
    ['tax-si-suspended', false, 'registered with SI (suspended, any type)'],
    ['tax-si-terminated', true, 'only a terminated enrollment'],
  ])('%s -> found: %s (%s)', (id, expected) => {
    expect(run.found('tax_not_insured').includes(id)).toBe(expected);
  });

  it('is always high and carries Hw', () => {
    expect(new Set(run.findings.filter((f) => f.rule_id === 'tax_not_insured').map((f) => f.severity))).toEqual(new Set(['high']));
    expect(run.finding('tax_not_insured', 'tax-only')?.evidence).toMatchObject({ withholding_headcount: 2, withholding_months: 1, tax_status: 'active' });
  });

  it('the closed ones are left out by the rule itself, so no exemption is counted for them', () => {
    expect(run.exemptions.filter((e) => e.rule_id === 'tax_not_insured')).toEqual([]);
  });
});
