import { describe, it, expect, beforeAll } from 'vitest';
import { withDb } from '../helpers.ts';
import type { Scenario } from './builder.ts';
import { PersonWorld, found, paid, type PersonFinding, type PersonSpec } from './person-builder.ts';

// D = 2026-10-31, M = 2026-09 (M-1 2026-08, M-2 2026-07); D - 30 days = 2026-10-01.
// Base floor 5400 from 2026-07 (9000 x 60%), 5160 before (8600 x 60%); employer pension rate 0.16.
const M3 = paid('plain', '2026-07', '2026-09');

const employers: Scenario[] = [
  { id: 'plain' },
  { id: 'second' },
  { id: 'enrolled', enrollment: [{ type: '110', status: '1', insured: 5 }], payments: [{ period: '2026-09', insured: 5 }] },
  { id: 'closed', status: '注销', closedOn: '2020-06-01' },
  { id: 'recent', established: '2026-10-02' },
  { id: 'suspended', status: '停业' },
];

const people: PersonSpec[] = [
  { id: 'base', wages: M3 },
  // Age on D: 16 on the birthday; 60 (men) and 55 (women) on the birthday are out of working age.
  { id: 'age16', birth: '2010-10-31', wages: M3 },
  { id: 'age15', birth: '2010-11-01', wages: M3 },
  { id: 'male60', birth: '1966-10-31', male: true, wages: M3 },
  { id: 'male59', birth: '1966-11-01', male: true, wages: M3 },
  { id: 'female55', birth: '1971-10-31', male: false, wages: M3 },
  { id: 'female54', birth: '1971-11-01', male: false, wages: M3 },
  // Hired exactly D - 30 days: found; D - 29 days: not yet (30 days to insure).
  { id: 'hired30', wages: paid('plain', '2026-07', '2026-09', { employedOn: '2026-10-01' }) },
  { id: 'hired29', wages: paid('plain', '2026-07', '2026-09', { employedOn: '2026-10-02' }) },
  // Enrolled, but the last paid month before M-2: found (at an enrolled employer: high).
  { id: 'unpaid-m3', wages: paid('enrolled', '2026-07', '2026-09'), si: [{ at: 'enrolled', lastPaid: '2026-06' }] },
  { id: 'unpaid-m2', wages: paid('enrolled', '2026-07', '2026-09'), si: [{ at: 'enrolled', lastPaid: '2026-07' }] },
  { id: 'enrolled-never-paid', wages: paid('enrolled', '2026-07', '2026-09'), si: [{ at: 'enrolled' }] },
  { id: 'enrolled-elsewhere', wages: M3, si: [{ at: 'X999', lastPaid: '2026-09' }] },
  { id: 'enrolled-120', wages: M3, si: [{ at: 'X998', type: '120', lastPaid: '2026-09' }] },
  { id: 'suspended-row', wages: M3, si: [{ at: 'X997', status: '2', lastPaid: '2026-09' }] },
  { id: 'never-insured-high', wages: paid('enrolled', '2026-07', '2026-09') },
  // Pensioners: an si_person 退休 row of any type and status, or a resident pension 领取待遇 of a year up to D's.
  { id: 'retired-si', wages: M3, si: [{ at: 'X996', type: '310', status: '3', personType: '退休' }] },
  { id: 'retired-rp', wages: M3, resident: [{ year: 2020, status: '领取待遇' }] },
  { id: 'rp-receiving-next-year', wages: M3, resident: [{ year: 2027, status: '领取待遇' }] },
  // Not subjects: another ID type, a number failing its check.
  { id: 'passport', idType: '外国护照', wages: M3 },
  { id: 'badcheck', badCheck: true, wages: M3 },
  // Employed at two employers: two findings.
  { id: 'two-jobs', wages: [...M3, ...paid('second', '2026-08', '2026-09')] },
  // Employed: M-1 and M; left on or before D at E is not employed.
  { id: 'only-m', wages: paid('plain', '2026-09', '2026-09') },
  {
    id: 'gap-m1',
    wages: [
      { at: 'plain', period: '2026-07' },
      { at: 'plain', period: '2026-09' },
    ],
  },
  { id: 'left-d', wages: [...paid('plain', '2026-07', '2026-08'), { at: 'plain', period: '2026-09', leftOn: '2026-10-31' }] },
  { id: 'left-after', wages: [...paid('plain', '2026-07', '2026-08'), { at: 'plain', period: '2026-09', leftOn: '2026-11-01' }] },
  // Qualifying rows: 正常工资薪金 (or none), 雇员 (or none), income > 0.
  { id: 'labour', wages: paid('plain', '2026-07', '2026-09', { item: '劳务报酬' }) },
  { id: 'intern', wages: paid('plain', '2026-07', '2026-09', { type: '实习学生（全日制学历教育）' }) },
  { id: 'blank-item', wages: paid('plain', '2026-07', '2026-09', { item: '', type: '' }) },
  { id: 'zero-m', wages: [...paid('plain', '2026-07', '2026-08'), { at: 'plain', period: '2026-09', income: 0 }] },
  // The employer exclusions apply to the employer the finding belongs to; 停业 pays wages: included.
  { id: 'at-closed', wages: paid('closed', '2026-07', '2026-09') },
  { id: 'at-recent', wages: paid('recent', '2026-07', '2026-09') },
  { id: 'at-suspended', wages: paid('suspended', '2026-07', '2026-09') },
  // Amount: the months among the 12 up to M with a wage row at E, each at its own floor.
  { id: 'amount12', wages: paid('plain', '2025-08', '2026-09') },
  // Born 29 February: 55 on 1 March 2027 (2027 has no 29 February). Paid after M of the first
  // run (not found there); the runs as of 2027-02-28 and 2027-03-01 have M = 2027-01.
  { id: 'leap', birth: '1972-02-29', male: false, wages: paid('plain', '2026-12', '2027-01') },
];

describe('person_uninsured (未参保职工)', () => {
  let all: PersonFinding[];
  let exemptions: Array<{ rule_id: string; reason: string; count: number }>;
  const leap: Record<string, string[]> = {};
  beforeAll(async () => {
    await withDb(async (db) => {
      const world = new PersonWorld(db, employers, people);
      await world.deliver();
      await world.run();
      all = await world.findings();
      exemptions = await world.exemptions();
      for (const asOf of ['2027-02-28', '2027-03-01']) {
        await world.run({ asOf, runId: `run-${asOf}` });
        leap[asOf] = found(await world.findings(`run-${asOf}`), 'person_uninsured').filter((x) => x.startsWith('leap@'));
      }
    });
  });
  const f = (person: string, employer = 'plain'): PersonFinding | undefined =>
    all.find((x) => x.rule_id === 'person_uninsured' && x.person === person && x.employer === employer);

  it('finds exactly the wage earners RULES.md names, one per person and employer', () => {
    expect(found(all, 'person_uninsured')).toEqual(
      [
        'age16@plain',
        'amount12@plain',
        'at-suspended@suspended',
        'base@plain',
        'blank-item@plain',
        'female54@plain',
        'hired30@plain',
        'left-after@plain',
        'male59@plain',
        'never-insured-high@enrolled',
        'rp-receiving-next-year@plain',
        'suspended-row@plain',
        'two-jobs@plain',
        'two-jobs@second',
        'unpaid-m3@enrolled',
      ].sort(),
    );
  });

  it('age: 16 on the birthday is working age; 60 (men) and 55 (women) on the birthday are not', () => {
    expect(f('age16')).toBeDefined();
    expect(f('age15')).toBeUndefined();
    expect(f('male60')).toBeUndefined();
    expect(f('male59')).toBeDefined();
    expect(f('female55')).toBeUndefined();
    expect(f('female54')).toBeDefined();
  });

  it('hired exactly D - 30 days is found, D - 29 days is not; employed_on is in the evidence', () => {
    expect(f('hired30')?.evidence).toMatchObject({ employed_on: '2026-10-01' });
    expect(f('hired29')).toBeUndefined();
  });

  it('an enrolled person unpaid since before M-2 is found; paid in M-2 or never paid is not', () => {
    expect(f('unpaid-m3', 'enrolled')).toMatchObject({ severity: 'high', evidence: { person_enrolled: true, last_paid_month: '2026-06' } });
    expect(f('unpaid-m2', 'enrolled')).toBeUndefined();
    expect(f('enrolled-never-paid', 'enrolled')).toBeUndefined();
    expect(f('enrolled-elsewhere')).toBeUndefined();
    expect(f('enrolled-120')).toBeUndefined();
    // A suspended 110 row is no enrollment: the wage earner is found.
    expect(f('suspended-row')?.evidence).toMatchObject({ person_enrolled: false });
  });

  it('severity: high at an enrolled employer (漏保), medium at one SI does not know', () => {
    expect(f('never-insured-high', 'enrolled')?.severity).toBe('high');
    expect(f('base')?.severity).toBe('medium');
    expect(f('base')?.evidence).toMatchObject({ enrolled_employer: false, person_enrolled: false });
  });

  it('pensioners, other ID types and IDs failing their check are never subjects', () => {
    for (const p of ['retired-si', 'retired-rp', 'passport', 'badcheck'])
      expect(
        all.filter((x) => x.person === p),
        p,
      ).toEqual([]);
    // A resident pension received from a later year than D's does not make a pensioner.
    expect(f('rp-receiving-next-year')).toBeDefined();
  });

  it('two employers give two findings, each with its own case', () => {
    const two = all.filter((x) => x.person === 'two-jobs');
    expect(two.map((x) => x.employer).sort()).toEqual(['plain', 'second']);
    expect(new Set(two.map((x) => x.case_id)).size).toBe(2);
  });

  it('employed needs qualifying rows at E in M-1 and M, and no left_on on or before D', () => {
    for (const p of ['only-m', 'gap-m1', 'left-d', 'labour', 'intern', 'zero-m']) expect(f(p), p).toBeUndefined();
    expect(f('left-after')).toBeDefined();
    expect(f('blank-item')).toBeDefined();
  });

  it('the employer exclusions apply to E (closed, established recently); 停业 is included', () => {
    expect(f('at-closed', 'closed')).toBeUndefined();
    expect(f('at-recent', 'recent')).toBeUndefined();
    expect(f('at-suspended', 'suspended')).toBeDefined();
    expect(exemptions).toEqual(
      expect.arrayContaining([
        { rule_id: 'person_uninsured', reason: 'closed_revoked_or_moved_out', count: 1 },
        { rule_id: 'person_uninsured', reason: 'established_recently', count: 1 },
      ]),
    );
  });

  it("amount: each month with a wage row at E among the 12 up to M at that month's floor x the pension rate", () => {
    // 2026-07..09 at 5400, 2025-10..2026-06 at 5160; 2025-08 and 09 are outside the 12 months.
    expect(f('amount12')).toMatchObject({ amount: 10022.4, evidence: { months_employed: 12 } });
    expect((f('amount12')?.evidence['months'] as string[] | undefined)?.[0]).toBe('2025-10');
    expect(f('base')).toMatchObject({ amount: 2592, evidence: { months_employed: 3, months: ['2026-07', '2026-08', '2026-09'] } });
    expect(f('base')?.evidence_text).not.toMatch(/\d{17}/);
  });

  it('born 29 February: 54 on 28 February 2027, 55 (out of working age) on 1 March 2027', () => {
    expect(f('leap')).toBeUndefined();
    expect(leap['2027-02-28']).toEqual(['leap@plain']);
    expect(leap['2027-03-01']).toEqual([]);
  });
});
