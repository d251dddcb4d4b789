import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { tempDir } from '../helpers.ts';
import { runScenarios, LOCAL_PARAMS, type Enrollment, type Scenario, type ScenarioRun } from './builder.ts';

/** Active enrollments in these types, and a suspended one in each of `suspended`. */
function types(active: string[], suspended: string[] = []): Enrollment[] {
  return [...active.map((type) => ({ type, status: '1' })), ...suspended.map((type) => ({ type, status: '2' }))];
}

const ALL4 = ['110', '210', '310', '410'];

const scenarios: Scenario[] = [
  { id: 'all-4', industry: 'C2614', enrollment: types(ALL4) },
  { id: 'all-5', enrollment: types([...ALL4, '510']) },
  { id: 'no-410-C2614', industry: 'C2614', enrollment: types(['110', '210', '310']) },
  { id: 'no-410-B0610', industry: 'B0610', enrollment: types(['110', '210', '310']) },
  { id: 'no-410-normal', industry: 'F5121', enrollment: types(['110', '210', '310']) },
  { id: 'no-410-E47', industry: 'E47', enrollment: types(['110', '210', '310']) },
  { id: 'no-410-4710', industry: '4710', enrollment: types(['110', '210', '310']) },
  { id: 'no-410-section-B', industry: 'B', enrollment: types(['110', '210', '310']) },
  { id: 'no-410-section-C', industry: 'C', enrollment: types(['110', '210', '310']) },
  { id: 'no-410-no-industry', enrollment: types(['110', '210', '310']) },
  { id: 'no-410-si-industry', enrollment: [...types(['110', '210', '310']), { type: '410', status: '3', industry: 'C2614' }] },
  { id: 'no-210-C2614', industry: 'C2614', enrollment: types(['110', '310', '410']) },
  { id: '310-suspended', enrollment: types(['110', '210', '410'], ['310']) },
  { id: '410-terminated-B0610', industry: 'B0610', enrollment: [...types(['110', '210', '310']), { type: '410', status: '3' }] },
  { id: '110-only', enrollment: types(['110']) },
  { id: '110-suspended', enrollment: types(['210', '310'], ['110']) },
  { id: 'no-110', enrollment: types(['310']) },
];

describe('selective_enrollment (选择性参保), maternity merged into medical (the default parameters)', () => {
  let run: ScenarioRun;
  beforeAll(async () => {
    run = await runScenarios(scenarios);
  });

  it.each<[string, string | undefined, string]>([
    ['all-4', undefined, 'all four mandatory types active'],
    ['all-5', undefined, 'all five active'],
    ['no-410-C2614', 'high', '410 missing in C26 (high-risk)'],
    ['no-410-B0610', 'high', '410 missing in B06 mining (high-risk)'],
    ['no-410-normal', 'medium', '410 missing in wholesale'],
    ['no-410-E47', 'high', '410 missing in E47 (building)'],
    ['no-410-4710', 'high', '410 missing in 4710, a code without its section letter'],
    ['no-410-section-B', 'high', '410 missing, industry given as section B (mining) only'],
    ['no-410-section-C', 'medium', '410 missing, industry given as section C (manufacturing) only: not all of it is high-risk'],
    ['no-410-no-industry', 'medium', '410 missing, industry unknown'],
    ['no-410-si-industry', 'high', '410 missing; the high-risk industry known from the SI enrollment only'],
    ['no-210-C2614', 'medium', '210 missing in a high-risk industry: 410 is there'],
    ['310-suspended', 'medium', '310 present but suspended counts as missing'],
    ['410-terminated-B0610', 'high', '410 present but terminated in a high-risk industry'],
    ['110-only', 'medium', 'only pension'],
    ['110-suspended', undefined, 'pension suspended: not enrolled'],
    ['no-110', undefined, 'no pension enrollment'],
  ])('%s -> %s (%s)', (id, severity) => {
    expect(run.finding('selective_enrollment', id)?.severity).toBe(severity);
  });

  it('lists the missing types, 510 not among them', () => {
    expect(run.finding('selective_enrollment', '310-suspended')?.evidence['missing_types']).toEqual(['310']);
    expect(run.finding('selective_enrollment', '110-only')?.evidence['missing_types']).toEqual(['210', '310', '410']);
    expect(run.finding('selective_enrollment', 'no-410-C2614')?.evidence).toMatchObject({ high_risk_industry: true, industry_code: 'C2614' });
    expect(run.finding('selective_enrollment', 'no-410-C2614')?.evidence_text).toContain('工伤高风险行业');
  });
});

describe('selective_enrollment when the local parameters say maternity (510) is separate', () => {
  let run: ScenarioRun;
  beforeAll(async () => {
    const dir = tempDir('recon-params-');
    const file = path.join(dir, 'local-params.yaml');
    const text = fs.readFileSync(LOCAL_PARAMS, 'utf8');
    expect(text).toMatch(/maternity_separate: false/);
    fs.writeFileSync(file, text.replaceAll('maternity_separate: false', 'maternity_separate: true'));
    run = await runScenarios(scenarios, { localParamsFile: file });
  });

  it.each<[string, string | undefined, string]>([
    ['all-4', 'medium', '510 missing'],
    ['all-5', undefined, 'all five active'],
    ['no-410-C2614', 'high', '410 (and 510) missing in a high-risk industry'],
    ['110-suspended', undefined, 'pension suspended: not enrolled'],
  ])('%s -> %s (%s)', (id, severity) => {
    expect(run.finding('selective_enrollment', id)?.severity).toBe(severity);
  });

  it('lists 510 among the missing types', () => {
    expect(run.finding('selective_enrollment', 'all-4')?.evidence['missing_types']).toEqual(['510']);
    expect(run.finding('selective_enrollment', '110-only')?.evidence['missing_types']).toEqual(['210', '310', '410', '510']);
    expect(run.finding('selective_enrollment', 'all-4')?.evidence_text).toContain('生育保险');
  });
});
