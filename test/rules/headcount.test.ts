import { describe, it, expect, beforeAll } from 'vitest';
import { runScenarios, monthsUpTo, FLOOR, RATE_110, type Scenario, type ScenarioRun } from './builder.ts';

// D = 2026-10-31, M = 2026-09: the 3 months up to M are 2026-07, 2026-08, 2026-09.
const M = '2026-09';
const THREE = monthsUpTo(M, 3);
const PENSION = [{ type: '110', status: '1' }];

/** Withholding of `headcount` in each of the 3 months up to M. */
function withholding(headcount: number): Scenario['withholding'] {
  return THREE.map((period) => ({ period, headcount }));
}

const enrolled = (insured: number): Scenario['enrollment'] => [{ type: '110', status: '1', insured }];
const UNDER_ENROLLED: Scenario[] = [
  { id: 'a20-gap2', withholding: withholding(20), enrollment: enrolled(18) },
  { id: 'a20-gap3', withholding: withholding(20), enrollment: enrolled(17) },
  { id: 'a50-gap4', withholding: withholding(50), enrollment: enrolled(46) },
  { id: 'a50-gap5', withholding: withholding(50), enrollment: enrolled(45) },
  { id: 'a30-gap3', withholding: withholding(30), enrollment: enrolled(27) },
  { id: 'a70-gap7', withholding: withholding(70), enrollment: enrolled(63) },
  { id: 'a70-gap6', withholding: withholding(70), enrollment: enrolled(64) },
  // 20 in the two months that have a row: A = 20, not 40/3.
  {
    id: 'two-months',
    withholding: [
      { period: '2026-08', headcount: 20 },
      { period: M, headcount: 20 },
    ],
    enrollment: enrolled(17),
  },
  // Averaged: (10 + 20 + 30) / 3 = 20, although the largest month is 30; insured 18.
  { id: 'average', withholding: [10, 20, 30].map((headcount, k) => ({ period: THREE[k] as string, headcount })), enrollment: enrolled(18) },
  // A month before the 3 does not count.
  {
    id: 'old-month',
    withholding: [
      { period: '2026-06', headcount: 100 },
      { period: M, headcount: 20 },
    ],
    enrollment: enrolled(18),
  },
  { id: 'payment-beats-enrollment', withholding: withholding(20), enrollment: enrolled(20), payments: [{ period: M, insured: 17 }] },
  { id: 'payment-beats-enrollment-2', withholding: withholding(20), enrollment: enrolled(17), payments: [{ period: M, insured: 20 }] },
  { id: 'payment-other-month', withholding: withholding(20), enrollment: enrolled(20), payments: [{ period: '2026-08', insured: 10 }] },
  { id: 'payment-other-type', withholding: withholding(20), enrollment: enrolled(20), payments: [{ period: M, type: '310', insured: 10 }] },
  { id: 'not-enrolled', withholding: withholding(20), enrollment: [{ type: '110', status: '2', insured: 10 }] },
  { id: 'no-withholding', employees: 50, enrollment: enrolled(10) },
];

/** One pension payment row and one withholding row for M. */
function month(base: number, wages: number, insured: number, period = M): Pick<Scenario, 'withholding' | 'payments'> {
  return { withholding: [{ period, headcount: insured, wages }], payments: [{ period, base, insured }] };
}
const UNDER_DECLARED_BASE: Scenario[] = [
  { id: 'ratio-0.79', enrollment: PENSION, ...month(79_000, 100_000, 10) },
  { id: 'ratio-0.81', enrollment: PENSION, ...month(81_000, 100_000, 10) },
  { id: 'diff-9999', enrollment: PENSION, ...month(10_001, 20_000, 1) },
  { id: 'diff-10000', enrollment: PENSION, ...month(10_000, 20_000, 1) },
  { id: 'per-person-below-floor', enrollment: PENSION, ...month(2 * (FLOOR - 1), 2 * (FLOOR - 1), 2) },
  { id: 'per-person-at-floor', enrollment: PENSION, ...month(2 * FLOOR, 2 * FLOOR, 2) },
  // M has both rows (ratio 0.7); August has a payment row without withholding: only M counts.
  {
    id: 'payment-only-month',
    enrollment: PENSION,
    withholding: [{ period: M, headcount: 10, wages: 100_000 }],
    payments: [
      { period: M, base: 70_000 },
      { period: '2026-08', base: 100_000 },
    ],
  },
  // M is fine; August has withholding without a payment row: only M counts.
  {
    id: 'withholding-only-month',
    enrollment: PENSION,
    withholding: [
      { period: M, headcount: 10, wages: 100_000 },
      { period: '2026-08', headcount: 10, wages: 500_000 },
    ],
    payments: [{ period: M, base: 100_000 }],
  },
  // Two months with both rows are summed: (60k + 100k) / (100k + 100k) = 0.8, not below.
  {
    id: 'two-months-summed',
    enrollment: PENSION,
    withholding: [
      { period: M, headcount: 10, wages: 100_000 },
      { period: '2026-08', headcount: 10, wages: 100_000 },
    ],
    payments: [
      { period: M, base: 60_000 },
      { period: '2026-08', base: 100_000 },
    ],
  },
  // A low month before the 3 does not count.
  {
    id: 'base-old-month',
    enrollment: PENSION,
    withholding: [
      { period: M, headcount: 10, wages: 100_000 },
      { period: '2026-06', headcount: 10, wages: 100_000 },
    ],
    payments: [
      { period: M, base: 100_000 },
      { period: '2026-06', base: 10_000 },
    ],
  },
  // Only pension rows count: a medical row with a high base does not lift the pension base.
  {
    id: 'pension-only',
    enrollment: PENSION,
    withholding: [{ period: M, headcount: 10, wages: 100_000 }],
    payments: [
      { period: M, base: 70_000 },
      { period: M, type: '310', base: 100_000 },
    ],
  },
  { id: 'base-not-enrolled', enrollment: [{ type: '110', status: '3' }], ...month(10_000, 100_000, 10) },
];

// One pipeline run for all the rules of this file.
let run: ScenarioRun;
beforeAll(async () => {
  run = await runScenarios([...UNDER_ENROLLED, ...UNDER_DECLARED_BASE]);
});

describe('under_enrolled (未全员参保)', () => {
  it.each([
    ['a20-gap2', false, 'A = 20, insured 18: gap 2 < 3'],
    ['a20-gap3', true, 'A = 20, insured 17: gap 3'],
    ['a50-gap4', false, 'A = 50, insured 46: gap 4 < 10% of A'],
    ['a50-gap5', true, 'A = 50, insured 45: gap 5 = 10% of A'],
    ['a30-gap3', true, 'A = 30, insured 27: gap 3 = 3 = 10% of A'],
    ['a70-gap7', true, 'A = 70, insured 63: gap 7 = 10% of A'],
    ['a70-gap6', false, 'A = 70, insured 64: gap 6 < 10% of A'],
    ['two-months', true, 'A averaged over the 2 months that have a withholding row'],
    ['average', false, 'A is the average (20): gap 2; the largest month (30) would make it 12'],
    ['old-month', false, 'a withholding month before the 3 months does not count'],
    ['payment-beats-enrollment', true, 'insured from the M payment row (17), not the enrollment row (20)'],
    ['payment-beats-enrollment-2', false, 'insured from the M payment row (20), not the enrollment row (17)'],
    ['payment-other-month', false, 'a payment row for another month: the enrollment row counts'],
    ['payment-other-type', false, 'a payment row of another type: the enrollment row counts'],
    ['not-enrolled', false, 'pension suspended: not enrolled'],
    ['no-withholding', false, 'no withholding row: no A (registry employees are not A)'],
  ])('%s -> found: %s (%s)', (id, expected) => {
    expect(run.found('under_enrolled').includes(id)).toBe(expected);
  });

  it('carries A, the months, the insured count and the gap; amount = gap x floor x pension rate x 3', () => {
    expect(run.finding('under_enrolled', 'two-months')?.evidence).toMatchObject({ withholding_headcount_avg: 20, withholding_months: 2, insured: 17, gap: 3 });
    expect(run.finding('under_enrolled', 'payment-beats-enrollment')?.evidence).toMatchObject({ insured: 17 });
    expect(run.finding('under_enrolled', 'a20-gap3')?.amount).toBe(Math.round(3 * FLOOR * RATE_110 * 3 * 100) / 100);
    expect(run.finding('under_enrolled', 'a50-gap5')?.amount).toBe(12960); // 5 x 5400 x 0.16 x 3
  });
});

describe('under_declared_base (缴费基数不实)', () => {
  it.each([
    ['ratio-0.79', true, 'base 0.79 x wages, difference 21,000'],
    ['ratio-0.81', false, 'base 0.81 x wages'],
    ['diff-9999', false, 'base 0.5 x wages but the difference is 9,999'],
    ['diff-10000', true, 'base 0.5 x wages and the difference is 10,000'],
    ['per-person-below-floor', true, 'base per insured person one yuan below the floor'],
    ['per-person-at-floor', false, 'base per insured person at the floor'],
    ['payment-only-month', true, 'a month with a payment row only does not count'],
    ['withholding-only-month', false, 'a month with a withholding row only does not count'],
    ['two-months-summed', false, 'the months with both rows are summed'],
    ['base-old-month', false, 'a month before the 3 months does not count'],
    ['pension-only', true, 'only the pension (110) payment row counts'],
    ['base-not-enrolled', false, 'not enrolled'],
  ])('%s -> found: %s (%s)', (id, expected) => {
    expect(run.found('under_declared_base').includes(id)).toBe(expected);
  });

  it('amount = (wages - base) x employer pension rate, with the evidence', () => {
    expect(run.finding('under_declared_base', 'ratio-0.79')?.amount).toBe(3360); // 21,000 x 0.16
    expect(run.finding('under_declared_base', 'diff-10000')?.amount).toBe(1600);
    expect(run.finding('under_declared_base', 'payment-only-month')?.evidence).toMatchObject({ months: 1, base_total: 70_000, wages: 100_000, ratio: 0.7 });
    expect(run.finding('under_declared_base', 'per-person-below-floor')?.evidence).toMatchObject({ base_per_person: FLOOR - 1, floor: FLOOR });
    expect(run.finding('under_declared_base', 'per-person-below-floor')?.evidence_text).toContain(`低于下限${FLOOR}元`);
  });
});
