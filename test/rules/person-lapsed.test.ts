import { describe, it, expect, beforeAll } from 'vitest';
import { withDb } from '../helpers.ts';
import type { Scenario } from './builder.ts';
import { PersonWorld, found, type PersonFinding, type PersonSpec } from './person-builder.ts';

// D = 2026-10-31, M = 2026-09: lapsed means the last paid month is M-3 (2026-06) or earlier.
const employers: Scenario[] = [{ id: 'gone', status: '注销', closedOn: '2020-06-01', enrollment: [{ type: '110', status: '2' }] }, { id: 'plain' }];
const lapsedRow = (lastPaid: string, extra: Record<string, unknown> = {}) => ({ at: 'gone', status: '2', lastPaid, ...extra });

const people: PersonSpec[] = [
  { id: 'm3', si: [lapsedRow('2026-06', { phone: '13800000000' })] },
  { id: 'm2', si: [lapsedRow('2026-07')] },
  { id: 'twelve', si: [lapsedRow('2025-09')] },
  { id: 'eleven', si: [lapsedRow('2025-10')] },
  // Active rows count; terminated rows do not; never paid: no finding.
  { id: 'active-row', si: [{ at: null, lastPaid: '2026-01' }] },
  { id: 'terminated', si: [lapsedRow('2025-01', { status: '3' })] },
  { id: 'never-paid', si: [{ at: 'gone', status: '2' }] },
  // The last paid month is the latest over all 110 rows, whatever their status.
  { id: 'paid-on-terminated', si: [lapsedRow('2025-01'), { at: 'X900', status: '3', lastPaid: '2026-08' }] },
  { id: 'other-type-paid', si: [lapsedRow('2025-01'), { at: 'X901', type: '310', lastPaid: '2026-09' }] },
  // A qualifying wage row in M from any agent excludes; another income item does not.
  { id: 'working', si: [lapsedRow('2026-01')], wages: [{ at: 'plain', period: '2026-09' }] },
  { id: 'labour', si: [lapsedRow('2026-01')], wages: [{ at: 'plain', period: '2026-09', item: '劳务报酬' }] },
  { id: 'worked-before', si: [lapsedRow('2026-01')], wages: [{ at: 'plain', period: '2026-08' }] },
  // An active resident pension row for D's year excludes; suspended, or another year, does not.
  { id: 'resident-active', si: [lapsedRow('2026-01')], resident: [{ year: 2026 }] },
  { id: 'resident-suspended', si: [lapsedRow('2026-01')], resident: [{ year: 2026, status: '暂停' }] },
  { id: 'resident-last-year', si: [lapsedRow('2026-01')], resident: [{ year: 2025 }] },
  // Working age; pensioners never.
  { id: 'male60', birth: '1966-10-31', si: [lapsedRow('2026-01')] },
  { id: 'female54', birth: '1971-11-01', male: false, si: [lapsedRow('2026-01')] },
  { id: 'pensioner', si: [lapsedRow('2026-01')], resident: [{ year: 2024, status: '待遇领取' }] },
  { id: 'badcheck', badCheck: true, si: [lapsedRow('2026-01')] },
];

describe('person_lapsed (断缴人员)', () => {
  let all: PersonFinding[];
  let off: { personFindings: number; findings: PersonFinding[]; factTables: number };
  beforeAll(async () => {
    await withDb(async (db) => {
      const world = new PersonWorld(db, employers, people);
      await world.deliver();
      await world.run();
      all = await world.findings();
      // With every person rule disabled the person facts are not built at all.
      for (const t of ['_pf_person', '_pf_jobs', '_pf_aid', '_pf_months', '_pf_agent_rows']) await db.run(`DROP TABLE ${t}`);
      const summary = await world.run({
        runId: 'run-off',
        rules: { disabled: ['person_uninsured', 'person_base_low', 'person_lapsed', 'assistance_not_covered'] },
      });
      const tables = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM duckdb_tables() WHERE starts_with(table_name, '_pf_')`);
      off = { personFindings: summary.personFindings, findings: await world.findings('run-off'), factTables: Number(tables[0]?.n ?? -1) };
    });
  });
  const f = (person: string): PersonFinding | undefined => all.find((x) => x.rule_id === 'person_lapsed' && x.person === person);

  it('finds exactly the lapsed people of RULES.md, as findings of the person alone', () => {
    expect(found(all, 'person_lapsed')).toEqual(
      ['active-row', 'eleven', 'female54', 'labour', 'm3', 'other-type-paid', 'resident-last-year', 'resident-suspended', 'twelve', 'worked-before'].sort(),
    );
    // The employer the unit belongs to is closed: person_lapsed has no employer and no employer exclusion.
    expect(all.filter((x) => x.rule_id === 'person_lapsed').every((x) => x.employer === '' && x.amount === null)).toBe(true);
  });

  it('last paid M-3 is lapsed, M-2 is not', () => {
    expect(f('m3')).toMatchObject({ severity: 'low', evidence: { last_paid_month: '2026-06', months_lapsed: 3, phone_known: true } });
    expect(f('m2')).toBeUndefined();
  });

  it('low, medium when lapsed 12 months or more', () => {
    expect(f('twelve')).toMatchObject({ severity: 'medium', evidence: { months_lapsed: 12, phone_known: false } });
    expect(f('eleven')?.severity).toBe('low');
  });

  it('with the person rules disabled nothing about people is found and their facts are not built', () => {
    expect(off).toEqual({ personFindings: 0, findings: [], factTables: 0 });
  });

  it('terminated rows, never paid, paid on any 110 row, working in M, an active resident pension, age and pensioners exclude', () => {
    for (const p of ['terminated', 'never-paid', 'paid-on-terminated', 'working', 'resident-active', 'male60', 'pensioner', 'badcheck']) {
      expect(f(p), p).toBeUndefined();
    }
  });
});
