import { describe, it, expect, beforeAll } from 'vitest';
import { runScenarios, type Scenario, type ScenarioRun } from './builder.ts';

// D = 2026-10-31, M = 2026-09; D - 30 days = 2026-10-01.
const M = '2026-09';

const staff = (headcount: number, period = M): Scenario['withholding'] => [{ period, headcount }];
const SUSPENDED_ACTIVE: Scenario[] = [
  { id: 'suspended-hw2', withholding: staff(2), enrollment: [{ type: '110', status: '2' }] },
  { id: 'terminated-hw1', withholding: staff(1, '2026-07'), enrollment: [{ type: '110', status: '3' }] },
  { id: 'suspended-hw0', withholding: staff(0), enrollment: [{ type: '110', status: '2' }] },
  { id: 'suspended-staff-before-3m', withholding: staff(5, '2026-06'), enrollment: [{ type: '110', status: '2' }] },
  // Registry employees are H, not Hw.
  { id: 'suspended-registry-employees', employees: 10, enrollment: [{ type: '110', status: '2' }] },
  { id: 'active-hw5', withholding: staff(5), enrollment: [{ type: '110', status: '1' }] },
  // Another type suspended, pension active.
  {
    id: 'medical-suspended',
    withholding: staff(5),
    enrollment: [
      { type: '110', status: '1' },
      { type: '310', status: '2' },
    ],
  },
  { id: 'no-pension-row', withholding: staff(5), enrollment: [{ type: '310', status: '2' }] },
];

const enrolled = [{ type: '110', status: '1' }];
const CLOSED_STILL_ENROLLED: Scenario[] = [
  { id: 'closed-31d', status: '注销', closedOn: '2026-09-30', enrollment: enrolled },
  { id: 'closed-30d', status: '注销', closedOn: '2026-10-01', enrollment: enrolled },
  { id: 'closed-no-date', status: '注销', enrollment: enrolled },
  { id: 'revoked-no-date', status: '吊销', enrollment: enrolled },
  { id: 'revoked-31d', status: '吊销', closedOn: '2026-09-30', enrollment: enrolled },
  { id: 'moved-out', status: '迁出', enrollment: enrolled },
  { id: 'civil-closed', kind: 'social_org', status: null, civil: { status: '注销' }, enrollment: enrolled },
  { id: 'suspended-registry', status: '停业', enrollment: enrolled },
  { id: 'closed-pension-suspended', status: '注销', closedOn: '2020-01-01', enrollment: [{ type: '110', status: '2' }] },
  { id: 'closed-medical-only', status: '注销', closedOn: '2020-01-01', enrollment: [{ type: '310', status: '1' }] },
  { id: 'active', enrollment: enrolled },
];

// One pipeline run for all the rules of this file.
let run: ScenarioRun;
beforeAll(async () => {
  run = await runScenarios([...SUSPENDED_ACTIVE, ...CLOSED_STILL_ENROLLED]);
});

describe('suspended_active (暂停参保仍在用工)', () => {
  it.each([
    ['suspended-hw2', true, 'pension suspended, Hw = 2'],
    ['terminated-hw1', true, 'pension terminated, Hw = 1 (two months before M)'],
    ['suspended-hw0', false, 'pension suspended, Hw = 0'],
    ['suspended-staff-before-3m', false, 'staff only before the 3 months: Hw = 0'],
    ['suspended-registry-employees', false, 'registry employees but no withholding: Hw = 0'],
    ['active-hw5', false, 'pension active'],
    ['medical-suspended', false, 'medical suspended, pension active'],
    ['no-pension-row', false, 'no pension enrollment at all'],
  ])('%s -> found: %s (%s)', (id, expected) => {
    expect(run.found('suspended_active').includes(id)).toBe(expected);
  });

  it('carries the pension status and Hw', () => {
    expect(run.finding('suspended_active', 'terminated-hw1')?.evidence).toEqual({ pension_status: 'terminated', withholding_headcount: 1 });
  });
});

describe('closed_still_enrolled (注销仍参保)', () => {
  it.each([
    ['closed-31d', true, 'closed 31 days before D'],
    ['closed-30d', false, 'closed exactly 30 days before D: not more than 30'],
    ['closed-no-date', true, 'closed, no date'],
    ['revoked-no-date', true, 'revoked, no date'],
    ['revoked-31d', true, 'revoked 31 days before D'],
    ['moved-out', true, 'moved out'],
    ['civil-closed', true, 'a social organisation closed in the civil-affairs registry'],
    ['suspended-registry', false, '停业 is not closed'],
    ['closed-pension-suspended', false, 'pension suspended: not enrolled'],
    ['closed-medical-only', false, 'only medical active: not enrolled (in pension)'],
    ['active', false, 'still active'],
  ])('%s -> found: %s (%s)', (id, expected) => {
    expect(run.found('closed_still_enrolled').includes(id)).toBe(expected);
  });

  it('is low and not exempted by the closed exemption', () => {
    expect(new Set(run.findings.filter((f) => f.rule_id === 'closed_still_enrolled').map((f) => f.severity))).toEqual(new Set(['low']));
    expect(run.exemptions.filter((e) => e.rule_id === 'closed_still_enrolled')).toEqual([]);
    expect(run.finding('closed_still_enrolled', 'closed-31d')?.evidence).toEqual({ registry_status: '注销', closed_on: '2026-09-30' });
  });

  it('the same closed entities are exempted from the other rules (selective enrollment here)', () => {
    const ids = new Set(CLOSED_STILL_ENROLLED.map((s) => s.id));
    expect(run.found('selective_enrollment').filter((id) => ids.has(id))).toEqual(['active', 'suspended-registry']);
    // The seven closed, revoked or moved-out ones enrolled in pension only.
    expect(run.exemptions).toContainEqual({ rule_id: 'selective_enrollment', reason: 'closed_revoked_or_moved_out', count: 7 });
  });
});
