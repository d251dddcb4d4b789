import { describe, it, expect, beforeAll } from 'vitest';
import { withDb } from '../helpers.ts';
import type { Scenario } from './builder.ts';
import { PersonWorld, found, paid, type PersonFinding, type PersonSpec } from './person-builder.ts';

// D = 2026-10-31, M = 2026-09; the base cap of M is 27000 (9000 x 300%), the pension rate 0.16.
const ENROLLED = { enrollment: [{ type: '110', status: '1', insured: 10 }], payments: [{ period: '2026-09', insured: 10 }] };
const employers: Scenario[] = [
  { id: 'ins', ...ENROLLED },
  { id: 'ins2', ...ENROLLED },
  { id: 'closed', status: '注销', closedOn: '2020-06-01', ...ENROLLED },
];
const at = (income: number, from = '2026-07'): ReturnType<typeof paid> => paid('ins', from, '2026-09', { income });
const row = (base?: number, extra: Record<string, unknown> = {}) => ({ at: 'ins', lastPaid: '2026-09', ...(base === undefined ? {} : { base }), ...extra });

const people: PersonSpec[] = [
  { id: 'low', wages: at(10000), si: [row(4000)] },
  // base < 0.8 x W: 8000 against W 10000 is not below; 7999 is.
  { id: 'ratio-equal', wages: at(10000), si: [row(8000)] },
  { id: 'ratio-below', wages: at(10000), si: [row(7999)] },
  // W - base >= 500: 1500 against W 2000 is exactly 500.
  { id: 'diff-500', wages: at(2000), si: [row(1500)] },
  { id: 'diff-499', wages: at(2000), si: [row(1501)] },
  // W = min(I, cap of M).
  { id: 'capped', wages: at(40000), si: [row(21000)] },
  { id: 'capped-ok', wages: at(40000), si: [row(21600)] },
  // I = the mean over the months of M-2..M with a wage row at E (here M-1 and M).
  { id: 'two-months', wages: at(9000, '2026-08'), si: [row(5000)] },
  // Monthly income at E: the rows of one month summed (a bonus under another item does not count).
  {
    id: 'summed',
    wages: [...at(3000), { at: 'ins', period: '2026-09', income: 3000 }, { at: 'ins', period: '2026-09', income: 50000, item: '全年一次性奖金收入' }],
    si: [row(3000)],
  },
  // The base: the largest of the person's active 110 rows at units linked to E; none known: not evaluated.
  { id: 'no-base', wages: at(10000), si: [row()] },
  { id: 'other-unit', wages: at(10000), si: [{ at: 'ins2', base: 4000, lastPaid: '2026-09' }] },
  { id: 'suspended-row', wages: at(10000), si: [row(4000, { status: '2' })] },
  { id: 'other-type', wages: at(10000), si: [row(), row(4000, { type: '310' })] },
  // No age condition; pensioners never.
  { id: 'old', birth: '1950-03-01', wages: at(10000), si: [row(4000)] },
  { id: 'pensioner', wages: at(10000), si: [row(4000), { at: null, type: '110', status: '3', personType: '退休' }] },
  // The employer exclusions apply.
  { id: 'at-closed', wages: paid('closed', '2026-07', '2026-09', { income: 10000 }), si: [{ at: 'closed', base: 4000, lastPaid: '2026-09' }] },
];

describe('person_base_low (个人缴费基数不实)', () => {
  let all: PersonFinding[];
  beforeAll(async () => {
    await withDb(async (db) => {
      const world = new PersonWorld(db, employers, people);
      await world.deliver();
      await world.run();
      all = await world.findings();
    });
  });
  const f = (person: string): PersonFinding | undefined => all.find((x) => x.rule_id === 'person_base_low' && x.person === person);

  it('finds exactly the people whose base is below 80% of W by 500 or more', () => {
    expect(found(all, 'person_base_low')).toEqual(
      ['capped@ins', 'diff-500@ins', 'low@ins', 'old@ins', 'ratio-below@ins', 'summed@ins', 'two-months@ins'].sort(),
    );
  });

  it('amount (W - base) x pension rate of M x 3, severity medium, with the evidence', () => {
    expect(f('low')).toMatchObject({
      severity: 'medium',
      amount: 2880,
      evidence: { base: 4000, avg_income: 10000, w: 10000, months: 3, months_employed: 3 },
    });
    expect(f('capped')).toMatchObject({ amount: 2880, evidence: { w: 27000, avg_income: 40000 } });
    expect(f('two-months')).toMatchObject({ amount: 1920, evidence: { months: 2, avg_income: 9000 } });
    expect(f('summed')).toMatchObject({ evidence: { avg_income: 4000 } });
    expect(f('low')?.evidence_text).toMatch(/4000元/);
  });

  it('boundaries: base = 0.8 W and W - base = 499 are not found', () => {
    expect(f('ratio-equal')).toBeUndefined();
    expect(f('diff-499')).toBeUndefined();
    expect(f('capped-ok')).toBeUndefined();
  });

  it('needs an active 110 row with a base at a unit of E; pensioners and closed employers are out', () => {
    for (const p of ['no-base', 'other-unit', 'suspended-row', 'other-type', 'pensioner', 'at-closed']) expect(f(p), p).toBeUndefined();
  });
});
