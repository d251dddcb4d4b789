import { describe, it, expect, beforeAll } from 'vitest';
import { runScenarios, type Scenario, type ScenarioRun } from './builder.ts';

// D = 2026-10-31, M = 2026-09; D - 30 days = 2026-10-01.
const M = '2026-09';
const PENSION_ONLY = [{ type: '110', status: '1' }];
const ALL4 = ['110', '210', '310', '410'].map((type) => ({ type, status: '1', insured: 10 }));
const CLOSED = 'closed_revoked_or_moved_out';
const RECENT = 'established_recently';
const NO_HEADCOUNT = 'individual_without_headcount';

const scenarios: Scenario[] = [
  // Closed long ago but still enrolled, staff withheld, paying less and less: would be found by
  // under_enrolled, selective_enrollment, lapsed, not_declared, arrears and closed_still_enrolled.
  {
    id: 'closed-everything',
    status: '注销',
    closedOn: '2020-06-01',
    taxpayer: '正常',
    withholding: [{ period: M, headcount: 5 }],
    enrollment: [{ type: '110', status: '1', insured: 1 }],
    payments: [
      { period: '2026-04', insured: 1, due: 1000 },
      { period: '2026-05', insured: 1, due: 1000 },
      { period: '2026-06', insured: 1, due: 1000, paid: 0 },
      { period: '2026-07', insured: 1, due: 1000, paid: 0 },
      { period: '2026-08', insured: 1, due: 1000, paid: 0 },
    ],
  },
  { id: 'revoked-suspended', status: '吊销', withholding: [{ period: M, headcount: 3 }], enrollment: [{ type: '110', status: '2' }] },
  {
    id: 'moved-out-base',
    status: '迁出',
    enrollment: ALL4,
    withholding: [{ period: M, headcount: 10, wages: 100_000 }],
    payments: [{ period: M, insured: 10, base: 50_000 }],
  },
  { id: 'recent-29d', established: '2026-10-02', taxpayer: '正常', withholding: [{ period: M, headcount: 3 }] },
  { id: 'recent-29d-enrolled', established: '2026-10-02', enrollment: PENSION_ONLY, payments: [{ period: M, due: 500, paid: 0 }] },
  { id: 'recent-30d-enrolled', established: '2026-10-01', enrollment: PENSION_ONLY, payments: [{ period: M, due: 500, paid: 0 }] },
  { id: 'recent-closed', established: '2026-10-05', status: '注销', enrollment: PENSION_ONLY },
  { id: 'individual-unknown', kind: 'individual_business', enrollment: PENSION_ONLY, payments: [{ period: M, due: 500, paid: 0 }] },
  { id: 'individual-h1', kind: 'individual_business', employees: 1, enrollment: PENSION_ONLY, payments: [{ period: M, due: 500, paid: 0 }] },
];

describe('the "Not findings" of RULES.md', () => {
  let run: ScenarioRun;
  beforeAll(async () => {
    run = await runScenarios(scenarios);
  });

  it('closed, revoked or moved out: exempt from every rule but arrears and closed_still_enrolled', () => {
    const of = (id: string): string[] =>
      run.findings
        .filter((f) => f.id === id)
        .map((f) => f.rule_id)
        .sort();
    expect(of('closed-everything')).toEqual(['arrears', 'closed_still_enrolled']);
    expect(run.finding('arrears', 'closed-everything')?.evidence).toMatchObject({ class: 'closed', arrears: 3000 });
    expect(of('revoked-suspended')).toEqual([]);
    expect(of('moved-out-base')).toEqual(['closed_still_enrolled']);
  });

  it('established less than 30 days before D: exempt from every rule, arrears and closed_still_enrolled included', () => {
    const of = (id: string): string[] =>
      run.findings
        .filter((f) => f.id === id)
        .map((f) => f.rule_id)
        .sort();
    expect(of('recent-29d')).toEqual([]);
    expect(of('recent-29d-enrolled')).toEqual([]);
    expect(of('recent-closed')).toEqual([]);
    expect(of('recent-30d-enrolled')).toEqual(['arrears', 'selective_enrollment']);
  });

  it('an individual business without headcount evidence: exempt from every rule; with H = 1 it is not', () => {
    const of = (id: string): string[] =>
      run.findings
        .filter((f) => f.id === id)
        .map((f) => f.rule_id)
        .sort();
    expect(of('individual-unknown')).toEqual([]);
    expect(of('individual-h1')).toEqual(['arrears', 'selective_enrollment']);
  });

  it('counts every exemption per rule and reason', () => {
    expect(run.exemptions).toEqual([
      { rule_id: 'arrears', reason: RECENT, count: 1 },
      { rule_id: 'arrears', reason: NO_HEADCOUNT, count: 1 },
      { rule_id: 'closed_still_enrolled', reason: RECENT, count: 1 },
      { rule_id: 'lapsed', reason: CLOSED, count: 1 },
      { rule_id: 'not_declared', reason: CLOSED, count: 1 },
      { rule_id: 'selective_enrollment', reason: CLOSED, count: 1 },
      { rule_id: 'selective_enrollment', reason: RECENT, count: 2 },
      { rule_id: 'selective_enrollment', reason: NO_HEADCOUNT, count: 1 },
      { rule_id: 'suspended_active', reason: CLOSED, count: 1 },
      { rule_id: 'tax_not_insured', reason: RECENT, count: 1 },
      { rule_id: 'under_declared_base', reason: CLOSED, count: 1 },
      { rule_id: 'under_enrolled', reason: CLOSED, count: 1 },
    ]);
    expect(run.summary.exemptions).toEqual(run.exemptions);
    expect(run.summary.byRule['selective_enrollment']).toMatchObject({ found: 2, exempted: 4 });
    expect(run.summary.byRule['closed_still_enrolled']).toMatchObject({ found: 2, exempted: 1 });
  });

  it('exempted rows do not become cases', () => {
    expect(run.findings.length).toBe(run.summary.findings);
    expect(run.summary.cases.opened).toBe(run.findings.length);
  });
});
