import { describe, it, expect, beforeAll } from 'vitest';
import { withDb } from '../helpers.ts';
import { PersonWorld, found, type PersonFinding, type PersonSpec } from './person-builder.ts';

// D = 2026-10-31 (month 10 >= daijiao_from_month 7): the 代缴 year Y is 2026.
const ROLL = [{ category: '城市低保' }];
const people: PersonSpec[] = [
  { id: 'dibao', aid: ROLL },
  { id: 'covered', aid: ROLL, resident: [{ year: 2026, funding: '政府代缴' }] },
  { id: 'covered-suspended', aid: ROLL, resident: [{ year: 2026, funding: '11', status: '暂停' }] },
  { id: 'last-year-only', aid: ROLL, resident: [{ year: 2025, funding: '政府代缴' }] },
  { id: 'subsidy', aid: ROLL, resident: [{ year: 2026, funding: '财政补贴' }] },
  { id: 'self', aid: ROLL, resident: [{ year: 2026, funding: '个人缴费' }] },
  // 16 <= age < 60 for both sexes.
  { id: 'age60', birth: '1966-10-31', male: false, aid: ROLL },
  { id: 'age59', birth: '1966-11-01', male: false, aid: ROLL },
  { id: 'age16', birth: '2010-10-31', aid: ROLL },
  { id: 'age15', birth: '2010-11-01', aid: ROLL },
  // Not an enrolled person, not a pensioner.
  { id: 'enrolled', aid: ROLL, si: [{ at: null, lastPaid: '2026-09' }] },
  { id: 'pensioner', aid: ROLL, si: [{ at: null, status: '3', personType: '退休' }] },
  // Active on D: since <= D (or none), until empty or >= D; listed categories only.
  { id: 'unlisted', aid: [{ category: '临时救助' }] },
  { id: 'ended', aid: [{ category: '农村低保', until: '2026-10-30' }] },
  { id: 'until-d', aid: [{ category: '农村低保', until: '2026-10-31' }] },
  { id: 'future', aid: [{ category: '特困供养', since: '2026-11-01' }] },
  { id: 'no-since', aid: [{ category: '重度残疾', since: null }] },
  { id: 'two-rolls', aid: [{ category: '城市低保' }, { category: '重度残疾', since: '2023-05-01' }] },
  { id: 'badcheck', badCheck: true, aid: ROLL },
];

describe('assistance_not_covered (困难群体未代缴)', () => {
  let all: PersonFinding[];
  beforeAll(async () => {
    await withDb(async (db) => {
      const world = new PersonWorld(db, [{ id: 'plain' }], people);
      await world.deliver();
      await world.run();
      all = await world.findings();
    });
  });
  const f = (person: string): PersonFinding | undefined => all.find((x) => x.rule_id === 'assistance_not_covered' && x.person === person);

  it('finds exactly the people on a roll whose residents’ pension nobody pays for Y', () => {
    expect(found(all, 'assistance_not_covered')).toEqual(
      ['age16', 'age59', 'dibao', 'last-year-only', 'no-since', 'self', 'subsidy', 'two-rolls', 'until-d'].sort(),
    );
  });

  it('amount resident_pension_min_tier (200), medium, person alone, with the evidence', () => {
    expect(f('dibao')).toMatchObject({
      employer: '',
      severity: 'medium',
      amount: 200,
      evidence: { category: '城市低保', since: '2024-01-01', status: '未参保', year: 2026 },
    });
    expect(f('subsidy')?.evidence).toMatchObject({ status: '已参保未代缴' });
    expect(f('two-rolls')?.evidence).toMatchObject({ category: '城市低保、重度残疾', since: '2023-05-01' });
    expect(f('no-since')?.evidence).toMatchObject({ since: null });
  });

  it('a 政府代缴 row for Y covers whatever its status; other years and other funding do not', () => {
    expect(f('covered')).toBeUndefined();
    expect(f('covered-suspended')).toBeUndefined();
  });

  it('age, enrollment, pensioners, roll dates, categories and invalid IDs', () => {
    for (const p of ['age60', 'age15', 'enrolled', 'pensioner', 'unlisted', 'ended', 'future', 'badcheck']) expect(f(p), p).toBeUndefined();
  });
});

describe('assistance_not_covered: the 代缴 year', () => {
  // A 政府代缴 for 2025 only: D in June still counts 2025 (covered), D in July counts 2026 (not).
  const june: PersonSpec[] = [{ id: 'june', aid: [{ category: '脱贫人口' }], resident: [{ year: 2025, funding: '政府代缴' }] }];

  it('month 6 uses the year before, month 7 the year of D; rules.daijiao_from_month moves it', async () => {
    await withDb(async (db) => {
      const world = new PersonWorld(db, [{ id: 'plain' }], june);
      await world.deliver('2026-06-30');
      const years = async (runId: string, asOf: string, daijiaoFromMonth?: number): Promise<unknown[]> => {
        await world.run({ runId, asOf, ...(daijiaoFromMonth ? { rules: { daijiaoFromMonth } } : {}) });
        return (await world.findings(runId)).filter((x) => x.rule_id === 'assistance_not_covered').map((x) => x.evidence['year']);
      };
      expect(await years('run-june', '2026-06-30')).toEqual([]);
      expect(await years('run-july', '2026-07-01')).toEqual([2026]);
      expect(await years('run-july-8', '2026-07-01', 8)).toEqual([]);
    });
  });
});
