import { describe, it, expect, beforeAll } from 'vitest';
import { runScenarios, monthsUpTo, type Payment, type Scenario, type ScenarioRun } from './builder.ts';

// D = 2026-10-31, M = 2026-09.
const M = '2026-09';
const PENSION = [{ type: '110', status: '1' }];

/** Pension rows for each month, paid in full (due 1000) or not at all. */
function rowsFor(months: string[], paid: boolean): Payment[] {
  return months.map((period) => ({ period, due: 1000, paid: paid ? 1000 : 0 }));
}

const paidThrough = (last: string): Payment[] => rowsFor(monthsUpTo(last, 3), true);
const LAPSED: Scenario[] = [
  { id: 'gap-2', enrollment: PENSION, payments: paidThrough('2026-07') },
  { id: 'gap-3', enrollment: PENSION, payments: paidThrough('2026-06') },
  { id: 'gap-5', enrollment: PENSION, payments: paidThrough('2026-04') },
  { id: 'never-paid', enrollment: PENSION, payments: rowsFor(monthsUpTo(M, 5), false) },
  { id: 'zero-rows', enrollment: PENSION, payments: [...paidThrough('2026-06'), ...rowsFor(monthsUpTo(M, 3), false)] },
  { id: 'zero-rows-gap-2', enrollment: PENSION, payments: [...paidThrough('2026-07'), ...rowsFor(monthsUpTo(M, 2), false)] },
  // Medical paid in each month: something was paid, over all types.
  {
    id: 'other-type-paid',
    enrollment: PENSION,
    payments: [...paidThrough('2026-06'), ...monthsUpTo(M, 3).map((period) => ({ period, type: '310', due: 500 }))],
  },
  // A payment after M is not due yet and does not close the gap.
  { id: 'paid-after-m', enrollment: PENSION, payments: [...paidThrough('2026-06'), { period: '2026-10', due: 1000 }] },
  { id: 'not-active', status: '停业', taxpayer: '非正常', enrollment: PENSION, payments: paidThrough('2026-06') },
  {
    id: 'not-active-tax-h1',
    status: '停业',
    taxpayer: '正常',
    withholding: [{ period: M, headcount: 1 }],
    enrollment: PENSION,
    payments: paidThrough('2026-06'),
  },
  {
    id: 'not-active-tax-h0',
    status: '停业',
    taxpayer: '正常',
    withholding: [{ period: M, headcount: 0 }],
    enrollment: PENSION,
    payments: paidThrough('2026-06'),
  },
  { id: 'not-active-tax-h-unknown', status: '停业', taxpayer: '正常', enrollment: PENSION, payments: paidThrough('2026-06') },
  { id: 'not-active-tax-registry-h', status: '停业', taxpayer: '正常', employees: 4, enrollment: PENSION, payments: paidThrough('2026-06') },
  { id: 'tax-only-h1', status: null, taxpayer: '正常', withholding: [{ period: M, headcount: 1 }], enrollment: PENSION, payments: paidThrough('2026-06') },
];

/** One pension row for 2026-08 owing `owed` yuan. */
const owing = (owed: number, period = '2026-08'): Payment[] => [{ period, due: 1000, paid: 1000 - owed }];
const staff = (headcounts: Array<[string, number]>): Scenario['withholding'] => headcounts.map(([period, headcount]) => ({ period, headcount }));
const ARREARS: Scenario[] = [
  { id: 'owes-99', taxpayer: '正常', withholding: staff([[M, 3]]), enrollment: PENSION, payments: owing(99) },
  { id: 'owes-100', taxpayer: '正常', withholding: staff([[M, 3]]), enrollment: PENSION, payments: owing(100) },
  // Summed over months and types, overpayments included: 150 + 80 - 100 = 130.
  {
    id: 'summed',
    taxpayer: '正常',
    withholding: staff([[M, 3]]),
    enrollment: PENSION,
    payments: [...owing(150, '2026-07'), { period: '2026-08', type: '310', due: 500, paid: 420 }, { period: M, due: 1000, paid: 1100 }],
  },
  { id: 'after-m', taxpayer: '正常', withholding: staff([[M, 3]]), enrollment: PENSION, payments: [{ period: M, due: 1000 }, ...owing(1000, '2026-10')] },
  { id: 'late-fee', taxpayer: '正常', withholding: staff([[M, 3]]), enrollment: PENSION, payments: [{ period: '2026-07', due: 2000, paid: 0 }] },
  { id: 'reg-closed', status: '注销', closedOn: '2025-01-01', enrollment: PENSION, payments: owing(500) },
  { id: 'reg-revoked', status: '吊销', enrollment: PENSION, payments: owing(500) },
  { id: 'tax-closed', taxpayer: '注销', enrollment: PENSION, payments: owing(500) },
  { id: 'tax-abnormal', taxpayer: '非正常', withholding: staff([[M, 3]]), enrollment: PENSION, payments: owing(500) },
  { id: 'tax-suspended', taxpayer: '停业', withholding: staff([[M, 3]]), enrollment: PENSION, payments: owing(500) },
  { id: 'no-staff-6m', taxpayer: '正常', withholding: staff(monthsUpTo(M, 6).map((p) => [p, 0])), enrollment: PENSION, payments: owing(500) },
  {
    id: 'staff-6-months-ago',
    taxpayer: '正常',
    withholding: staff([
      ['2026-04', 2],
      ['2026-05', 0],
      [M, 0],
    ]),
    enrollment: PENSION,
    payments: owing(500),
  },
  {
    id: 'staff-7-months-ago',
    taxpayer: '正常',
    withholding: staff([
      ['2026-03', 2],
      ['2026-05', 0],
      [M, 0],
    ]),
    enrollment: PENSION,
    payments: owing(500),
  },
  { id: 'operating', taxpayer: '正常', withholding: staff([[M, 3]]), enrollment: PENSION, payments: owing(500) },
];

const NOT_DECLARED: Scenario[] = [
  {
    id: 'missing-m',
    enrollment: PENSION,
    payments: [
      { period: '2026-07', due: 1000 },
      { period: '2026-07', type: '310', due: 500 },
      { period: '2026-08', due: 1200 },
      { period: '2026-08', type: '310', due: 600 },
    ],
  },
  // An older declaration and a gap: the latest declared month counts.
  {
    id: 'latest-declared',
    enrollment: PENSION,
    payments: [
      { period: '2026-05', due: 3000 },
      { period: '2026-06', due: 2000, paid: 0 },
    ],
  },
  { id: 'declared-m', enrollment: PENSION, payments: [{ period: '2026-08' }, { period: M }] },
  { id: 'declared-m-other-type', enrollment: PENSION, payments: [{ period: '2026-08' }, { period: M, type: '310' }] },
  { id: 'suspended', enrollment: [{ type: '110', status: '2' }], payments: [{ period: '2026-08' }] },
  { id: 'no-earlier-row', enrollment: PENSION, payments: [{ period: '2026-10' }] },
  { id: 'no-rows', enrollment: PENSION },
];

// One pipeline run for all the rules of this file.
let run: ScenarioRun;
beforeAll(async () => {
  run = await runScenarios([...LAPSED, ...ARREARS, ...NOT_DECLARED]);
});

describe('lapsed (断缴)', () => {
  it.each([
    ['gap-2', false, 'last paid 2026-07: 2 unpaid months'],
    ['gap-3', true, 'last paid 2026-06: 3 unpaid months ending at M'],
    ['gap-5', true, 'last paid 2026-04'],
    ['never-paid', false, 'never paid anything'],
    ['zero-rows', true, 'rows with amount_paid 0 are unpaid'],
    ['zero-rows-gap-2', false, 'rows with amount_paid 0 for 2 months only'],
    ['other-type-paid', false, 'medical paid in the gap: something was paid'],
    ['paid-after-m', true, 'a payment after M does not count'],
    ['not-active', false, 'registration 停业, taxpayer 非正常'],
    ['not-active-tax-h1', true, 'registration 停业, but taxpayer 正常 with H = 1'],
    ['not-active-tax-h0', false, 'registration 停业, taxpayer 正常 but H = 0'],
    ['not-active-tax-h-unknown', false, 'registration 停业, taxpayer 正常 but H unknown'],
    ['not-active-tax-registry-h', true, 'registration 停业, taxpayer 正常 with H = 4 from the registry'],
    ['tax-only-h1', true, 'no registration, taxpayer 正常 with H = 1'],
  ])('%s -> found: %s (%s)', (id, expected) => {
    expect(run.found('lapsed').includes(id)).toBe(expected);
  });

  it('carries the last paid month and the length of the gap', () => {
    expect(run.finding('lapsed', 'gap-3')?.evidence).toEqual({ last_paid_month: '2026-06', unpaid_months: 3 });
    expect(run.finding('lapsed', 'zero-rows')?.evidence).toEqual({ last_paid_month: '2026-06', unpaid_months: 3 });
  });
});

describe('arrears (欠费)', () => {
  it.each<[string, number | undefined, string]>([
    ['owes-99', undefined, 'owes 99'],
    ['owes-100', 100, 'owes 100'],
    ['summed', 130, 'summed over months and types, overpayment included'],
    ['after-m', undefined, 'the unpaid month is after M'],
    ['late-fee', 2000, 'one unpaid month'],
  ])('%s -> amount %s (%s)', (id, amount) => {
    expect(run.finding('arrears', id)?.amount).toBe(amount);
  });

  it.each([
    ['reg-closed', 'closed', 'low', 'registration 注销'],
    ['reg-revoked', 'closed', 'low', 'registration 吊销'],
    ['tax-closed', 'closed', 'low', 'taxpayer 注销'],
    ['tax-abnormal', 'dormant', 'medium', 'taxpayer 非正常'],
    ['tax-suspended', 'dormant', 'medium', 'taxpayer 停业'],
    ['no-staff-6m', 'dormant', 'medium', 'withholding headcount 0 in each of the last 6 months'],
    ['staff-6-months-ago', 'operating', 'high', 'staff in 2026-04, the 6th month up to M'],
    ['staff-7-months-ago', 'dormant', 'medium', 'staff in 2026-03 only, before the last 6 months'],
    ['operating', 'operating', 'high', 'taxpayer 正常 with staff'],
  ])('%s -> class %s, %s (%s)', (id, cls, severity) => {
    const f = run.finding('arrears', id);
    expect(f?.evidence['class']).toBe(cls);
    expect(f?.severity).toBe(severity);
  });

  it('late fee, by hand: 0.05% a day from the 16th of the month after the unpaid month to D', () => {
    // Days are counted as D minus the 16th (the 16th itself is day 0; see the report on RULES.md).
    // 2026-07 unpaid 2000: 2026-08-16 .. 2026-10-31 = 15 + 30 + 31 = 76 days: 2000 x 0.0005 x 76 = 76.
    expect(run.finding('arrears', 'late-fee')?.evidence).toMatchObject({ arrears: 2000, late_fee: 76, months_owing: 1, since: '2026-07' });
    // 2026-08 unpaid 100: 2026-09-16 .. 2026-10-31 = 14 + 31 = 45 days: 100 x 0.0005 x 45 = 2.25.
    expect(run.finding('arrears', 'owes-100')?.evidence).toMatchObject({ late_fee: 2.25 });
  });

  it('is not exempted when the entity is closed', () => {
    expect(run.found('arrears')).toEqual(expect.arrayContaining(['reg-closed', 'reg-revoked']));
    expect(run.exemptions.filter((e) => e.rule_id === 'arrears')).toEqual([]);
  });
});

describe('not_declared (未申报)', () => {
  it.each<[string, number | undefined, string]>([
    ['missing-m', 1980, 'no row for M: 110% x (1200 + 600) of 2026-08'],
    ['latest-declared', 2200, 'latest declared month 2026-06: 110% x 2000'],
    ['declared-m', undefined, 'a row for M'],
    ['declared-m-other-type', undefined, 'a row for M of another type'],
    ['suspended', undefined, 'pension suspended'],
    ['no-earlier-row', undefined, 'no row for an earlier month'],
    ['no-rows', undefined, 'no payment rows at all'],
  ])('%s -> amount %s (%s)', (id, amount) => {
    expect(run.finding('not_declared', id)?.amount).toBe(amount);
  });

  it('carries the latest declared month', () => {
    expect(run.finding('not_declared', 'missing-m')?.evidence).toEqual({ last_declared_month: '2026-08', last_amount_due: 1800 });
  });
});
