import path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import ExcelJS from 'exceljs';
import { withDb, rows, tempDir, testContext } from '../helpers.ts';
import type { Scenario } from './builder.ts';
import { PersonWorld, paid, type PersonFinding, type PersonSpec } from './person-builder.ts';
import { applyFeedback, type FeedbackSummary } from '../../src/cases/feedback.ts';
import { answerEffect, PERSON_ANSWERS } from '../../src/cases/answers.ts';
import { PERSON_PROTECTED_COLUMNS, PERSON_SHEET_COLUMNS, personRowChecksum } from '../../src/cases/worklist-layout.ts';
import { PERSON_RULES } from '../../src/rules/catalog/index.ts';

// D = 2026-10-31, M = 2026-09.
const employers: Scenario[] = [{ id: 'plain' }, { id: 'second' }];
const people: PersonSpec[] = [
  { id: 'worker', wages: paid('plain', '2026-07', '2026-09') },
  { id: 'two', wages: [...paid('plain', '2026-07', '2026-09'), ...paid('second', '2026-07', '2026-09')] },
  { id: 'lapser', si: [{ at: null, status: '2', lastPaid: '2026-01' }] },
  { id: 'aid', aid: [{ category: '农村低保' }] },
];

/** A returned 人员清单: one row per (case, answer), as the grid worker's phone saves it. */
async function personList(dir: string, answers: Array<[caseId: string, result: string]>): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('人员清单');
  sheet.addRow([...PERSON_SHEET_COLUMNS]);
  answers.forEach(([caseId, result], i) => {
    const cells: Record<string, unknown> = {
      序号: i + 1,
      案件编号: caseId,
      单位序号: 1,
      单位名称: '苏州plain有限公司',
      姓名: '测试',
      证件号码: '320505********0011',
      用工月数: 3,
      问题类型: '未参保职工',
      问题说明: '近12个月中有3个月在本单位领取工资薪金',
      核查结果: result,
      核查日期: '2026-11-02',
      核查人: '张网格',
      备注: null,
    };
    cells['校验码'] = personRowChecksum(Object.fromEntries(PERSON_PROTECTED_COLUMNS.map((c) => [c, cells[c]])) as never);
    sheet.addRow(PERSON_SHEET_COLUMNS.map((c) => cells[c] ?? null));
  });
  const file = path.join(dir, '人员清单_返回.xlsx');
  await workbook.xlsx.writeFile(file);
  return file;
}

describe('person cases: one per (employer, rule, person), ids kept, answers exempt until the evidence changes', () => {
  const runs: Record<string, PersonFinding[]> = {};
  let cases: Array<Record<string, unknown>> = [];
  let afterFeedback: Array<Record<string, unknown>> = [];
  let afterChange: Array<Record<string, unknown>> = [];
  let feedback: FeedbackSummary;
  let exemptions: Array<{ rule_id: string; reason: string; count: number }>;
  const caseOf = (run: string, person: string, employer = 'plain'): string =>
    (runs[run] ?? []).find((f) => f.person === person && f.employer === (f.rule_id.startsWith('person_uninsured') ? employer : ''))?.case_id ?? '';

  beforeAll(async () => {
    await withDb(async (db) => {
      const world = new PersonWorld(db, employers, people);
      await world.deliver();
      await world.run({ runId: 'run-1' });
      runs['run-1'] = await world.findings('run-1');
      await world.run({ runId: 'run-2' });
      runs['run-2'] = await world.findings('run-2');
      cases = await rows(db, `SELECT case_id, employer_id, rule_id, person_key, state FROM cases WHERE person_key <> '' ORDER BY case_id`);

      // The grid worker answers: worker 已参保 (verified: exempt), two at plain 其他 (stays open).
      const dir = tempDir('recon-person-feedback-');
      const file = await personList(dir, [
        [caseOf('run-2', 'worker'), '已参保'],
        [caseOf('run-2', 'two'), '其他'],
      ]);
      feedback = await applyFeedback(db, testContext({ runId: 'run-3', runDir: dir }), [file], { asOf: '2026-10-31', now: new Date('2026-11-03T08:00:00Z') });
      await world.run({ runId: 'run-3' });
      runs['run-3'] = await world.findings('run-3');
      exemptions = await world.exemptions('run-3');
      afterFeedback = await rows(db, `SELECT case_id, state, reopen_count FROM cases ORDER BY case_id`);

      // A late delivery adds June's wages at plain (a file holding that agent's June only: the
      // later file wins for the months it holds): the worker's evidence (months) changes.
      await world.deliver('2026-10-31', [{ ...(people[0] as PersonSpec), wages: paid('plain', '2026-06', '2026-06') }], false);
      await world.run({ runId: 'run-4' });
      runs['run-4'] = await world.findings('run-4');
      afterChange = await rows(db, `SELECT case_id, state, reopen_count FROM cases ORDER BY case_id`);
    });
  });

  it('one case per finding: person_key set, employer_id empty for the person-only rules', () => {
    expect(runs['run-1']?.map((f) => `${f.rule_id}:${f.person}@${f.employer}`).sort()).toEqual([
      'assistance_not_covered:aid@',
      'person_lapsed:lapser@',
      'person_uninsured:two@plain',
      'person_uninsured:two@second',
      'person_uninsured:worker@plain',
    ]);
    expect(cases).toHaveLength(5);
    expect(cases.every((c) => String(c['person_key']).startsWith('P'))).toBe(true);
    expect(
      cases
        .filter((c) => c['employer_id'] === '')
        .map((c) => c['rule_id'])
        .sort(),
    ).toEqual(['assistance_not_covered', 'person_lapsed']);
  });

  it('a person case keeps its id across runs', () => {
    const ids = (run: string): string[] => (runs[run] ?? []).map((f) => f.case_id).sort();
    expect(ids('run-2')).toEqual(ids('run-1'));
    expect(cases.every((c) => c['state'] === 'open')).toBe(true);
  });

  it('已参保 makes the case exempt; 其他 keeps it open', () => {
    expect(feedback).toMatchObject({ appliedRows: 2, rejectedRows: 0, exempted: 1, keptOpen: 1 });
    const state = (id: string): unknown => afterFeedback.find((c) => c['case_id'] === id)?.['state'];
    expect(state(caseOf('run-2', 'worker'))).toBe('exempt');
    expect(state(caseOf('run-2', 'two'))).toBe('open');
  });

  it('the exempt person is left out while the evidence is the same, counted as verified', () => {
    expect(runs['run-3']?.some((f) => f.person === 'worker')).toBe(false);
    expect(exemptions).toContainEqual({ rule_id: 'person_uninsured', reason: 'verified_exempt_by_grid_worker', count: 1 });
  });

  it('a change in the evidence brings the same case back, reopened', () => {
    const back = runs['run-4']?.find((f) => f.person === 'worker');
    expect(back?.case_id).toBe(caseOf('run-2', 'worker'));
    expect(back?.evidence['months']).toEqual(['2026-06', '2026-07', '2026-08', '2026-09']);
    expect(afterChange.find((c) => c['case_id'] === back?.case_id)).toMatchObject({ state: 'reopened', reopen_count: 1 });
  });

  it('every person rule: the verified answers exempt, 其他 keeps open, employer-only answers are no answer', () => {
    for (const rule of PERSON_RULES.map((r) => r.id)) {
      for (const answer of PERSON_ANSWERS) expect(answerEffect(rule, answer), `${rule} ${answer}`).toBe(answer === '其他' ? 'open' : 'exempt');
      expect(answerEffect(rule, '无雇工')).toBeUndefined();
    }
    expect(answerEffect('uninsured', '已离职')).toBeUndefined();
  });
});
