import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { memoryDb, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/schema/migrate.ts';
import { tempDir, rows, testContext } from '../helpers.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { applyFeedback } from '../../src/cases/feedback.ts';
import { ANSWER_EFFECTS, answerEffect, type AnswerEffect } from '../../src/cases/answers.ts';
import { RESULT_VALUES, type ResultValue } from '../../src/cases/worklist-layout.ts';
import { BUILTIN_RULES } from '../../src/rules/catalog/index.ts';
import { SI_CLEANUP_FILE } from '../../src/publish/si-cleanup.ts';
import { seedWorklistDb } from '../publish/seed.ts';

/**
 * What each answer does to a case of each rule (docs/rules.md, "Answers on returned
 * worklists"), through the whole path: a worklist with one employer per (rule, answer), filled
 * in and returned, then the next worklist and the SI clean-up list.
 */

const RULES = BUILTIN_RULES.map((r) => r.id);
/** The table as the docs state it: exempt (E), open (O) or refer (R), in the order of RESULT_VALUES. */
const EXPECTED: Record<string, string> = {
  //                     已参保 已督促 限期整改 无雇工 已注销或迁出 查无此单位 其他
  uninsured: 'OOOEEEO',
  tax_not_insured: 'OOOOEEO',
  under_enrolled: 'OOOORRO',
  under_declared_base: 'OOOORRO',
  selective_enrollment: 'OOOORRO',
  lapsed: 'OOORRRO',
  arrears: 'OOOORRO',
  not_declared: 'OOORRRO',
  suspended_active: 'OOOORRO',
  closed_still_enrolled: 'OOORRRO',
};
const EFFECT: Record<string, AnswerEffect> = { E: 'exempt', O: 'open', R: 'refer' };
const expected = (rule: string, answer: ResultValue): AnswerEffect =>
  EFFECT[(EXPECTED[rule] as string)[RESULT_VALUES.indexOf(answer)] as string] as AnswerEffect;

let db: Db;
let dir: string;
/** Case id of each (rule, answer). */
const caseOf = new Map<string, string>();
let onNextWorklist: Set<string>;
let onCleanupList: Set<string>;
let cleanupXlsx: string;
const key = (rule: string, answer: string): string => `${rule}/${answer}`;

beforeAll(async () => {
  db = await memoryDb();
  await migrate(db);
  dir = tempDir('recon-answers-');
  const employers = RULES.flatMap((rule) =>
    RESULT_VALUES.map((answer, i) => ({
      id: `E-${rule}-${i}`,
      name: `${rule}-${answer}单位`,
      findings: [{ rule, severity: 'high' as const, amount: 100, text: `${rule} 的问题` }],
    })),
  );
  const ids = await seedWorklistDb(db, employers);
  employers.forEach((e, i) => {
    const [, rule, n] = /^E-(.+)-(\d)$/.exec(e.id) as RegExpExecArray;
    caseOf.set(key(rule as string, RESULT_VALUES[Number(n)] as string), ids[i] as string);
  });
  await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: path.join(dir, 'run-1') }));

  // Every row answered as its name says.
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path.join(dir, 'run-1', 'worklists', '姑苏区', '沧浪街道.xlsx'));
  const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
  const col = new Map<string, number>();
  ws.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
  for (let r = 2; r <= ws.rowCount; r++) {
    const answer = String(ws.getCell(r, col.get('单位名称') as number).value).replace(/^.+-(.+)单位$/, '$1');
    ws.getCell(r, col.get('核查结果') as number).value = answer;
    ws.getCell(r, col.get('核查日期') as number).value = '2026-11-05';
    ws.getCell(r, col.get('核查人') as number).value = '王网格';
    if (answer === '限期整改') ws.getCell(r, col.get('整改期限') as number).value = '2026-12-05';
  }
  const back = path.join(dir, 'back.xlsx');
  await wb.xlsx.writeFile(back);
  const summary = await applyFeedback(db, testContext({ runId: 'fb-1', runDir: dir }), [back], { asOf: '2026-10-31', now: new Date('2026-11-10T02:00:00Z') });
  expect(summary.rejectedRows).toBe(0);
  expect(summary.appliedRows).toBe(RULES.length * RESULT_VALUES.length);

  // The next worklist of the same findings: what is still on it, and what went to the SI office.
  const next = path.join(dir, 'run-2');
  const worklists = await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: next }));
  const wb2 = new ExcelJS.Workbook();
  await wb2.xlsx.readFile(path.join(next, 'worklists', '姑苏区', '沧浪街道.xlsx'));
  const ws2 = wb2.getWorksheet('清单') as ExcelJS.Worksheet;
  onNextWorklist = new Set([...Array(ws2.rowCount - 1).keys()].map((i) => String(ws2.getCell(i + 2, WORKSHEET_CASE_COLUMN(ws2)).value)));
  onCleanupList = new Set((await rows(db, `SELECT case_id FROM si_cleanup_at('run-1')`)).map((r) => String(r['case_id'])));
  expect(worklists.referred).toBe(onCleanupList.size);
  cleanupXlsx = path.join(next, 'campaign', SI_CLEANUP_FILE);
});
afterAll(() => db.close());

function WORKSHEET_CASE_COLUMN(ws: ExcelJS.Worksheet): number {
  let at = 0;
  ws.getRow(1).eachCell((c, n) => {
    if (c.value === '案件编号') at = n;
  });
  return at;
}

describe('what an answer does to a case, per rule', () => {
  it('the table has a row for every built-in rule, and rules outside it (custom rules) keep the 0.2 behaviour', () => {
    expect(Object.keys(ANSWER_EFFECTS).sort()).toEqual([...RULES].sort());
    for (const rule of RULES) for (const answer of RESULT_VALUES) expect(answerEffect(rule, answer), key(rule, answer)).toBe(expected(rule, answer));
    expect(RESULT_VALUES.map((a) => answerEffect('large_uninsured', a))).toEqual(['open', 'open', 'open', 'exempt', 'exempt', 'exempt', 'open']);
    expect(answerEffect('uninsured', '不知道')).toBeUndefined();
  });

  it.each(RULES)(
    '%s: each answer exempts, keeps open or refers the case as the table says, and the next worklist and the SI clean-up list follow',
    async (rule) => {
      for (const answer of RESULT_VALUES) {
        const caseId = caseOf.get(key(rule, answer)) as string;
        const effect = expected(rule, answer);
        const [state] = await rows(db, `SELECT c.state, f.effect FROM cases c JOIN feedback f USING (case_id) WHERE c.case_id = $1`, [caseId]);
        expect(state, key(rule, answer)).toEqual({ state: effect === 'exempt' ? 'exempt' : 'new', effect });
        expect(onNextWorklist.has(caseId), `${key(rule, answer)} on the next worklist`).toBe(effect === 'open');
        expect(onCleanupList.has(caseId), `${key(rule, answer)} on the SI clean-up list`).toBe(effect === 'refer');
      }
    },
  );

  it('the referred cases are in 社保注销清理清单.xlsx with the answer and what to do; a later answer takes a case back', async () => {
    expect(fs.existsSync(cleanupXlsx)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(cleanupXlsx);
    const ws = wb.getWorksheet('清理清单') as ExcelJS.Worksheet;
    expect(ws.rowCount - 1).toBe(onCleanupList.size);
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(expect.arrayContaining(['案件编号', '社保单位编号', '核查结果', '建议办理']));
    const closedGone = caseOf.get(key('closed_still_enrolled', '已注销或迁出')) as string;
    const row = [...Array(ws.rowCount).keys()].map((i) => ws.getRow(i + 1)).find((r) => r.getCell(1).value === closedGone) as ExcelJS.Row;
    expect(row.getCell(header.indexOf('核查结果') + 1).value).toBe('已注销或迁出');
    expect(String(row.getCell(header.indexOf('建议办理') + 1).value)).toContain('注销参保');
    // A later answer on a referred case (from an old copy of the worklist) ends the referral: the case is the grid worker's again.
    const wb1 = new ExcelJS.Workbook();
    await wb1.xlsx.readFile(path.join(dir, 'run-1', 'worklists', '姑苏区', '沧浪街道.xlsx'));
    const ws1 = wb1.getWorksheet('清单') as ExcelJS.Worksheet;
    const col = new Map<string, number>();
    ws1.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
    const r = [...Array(ws1.rowCount).keys()].map((i) => i + 1).find((n) => ws1.getCell(n, col.get('案件编号') as number).value === closedGone) as number;
    ws1.getCell(r, col.get('核查结果') as number).value = '已督促';
    ws1.getCell(r, col.get('核查日期') as number).value = '2026-11-12';
    const again = path.join(dir, 'again.xlsx');
    await wb1.xlsx.writeFile(again);
    const s = await applyFeedback(db, testContext({ runId: 'fb-2', runDir: dir }), [again], { asOf: '2026-10-31', now: new Date('2026-11-12T02:00:00Z') });
    expect(s).toMatchObject({ appliedRows: 1, keptOpen: 1, referred: 0 });
    expect(await rows(db, `SELECT count(*) AS n FROM case_referrals_active WHERE case_id = $1`, [closedGone])).toEqual([{ n: 0 }]);
    expect(await rows(db, `SELECT ended_reason FROM case_referrals WHERE case_id = $1`, [closedGone])).toEqual([
      { ended_reason: expect.stringMatching(/^answered again: 已督促/) },
    ]);
    const third = path.join(dir, 'run-3');
    await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: third }));
    const wb3 = new ExcelJS.Workbook();
    await wb3.xlsx.readFile(path.join(third, 'worklists', '姑苏区', '沧浪街道.xlsx'));
    const ws3 = wb3.getWorksheet('清单') as ExcelJS.Worksheet;
    const ids3 = [...Array(ws3.rowCount - 1).keys()].map((i) => String(ws3.getCell(i + 2, WORKSHEET_CASE_COLUMN(ws3)).value));
    expect(ids3).toContain(closedGone);
  });
});
