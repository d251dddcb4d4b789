import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';
import { FIXTURE_INBOX, FIXTURE_TRUTH, RULE_IDS, belowFloor, evaluateRun, query, workdir, type Workdir } from '../e2e/support.ts';

/**
 * The fixture's feedback round trip: every worklist row answered as a grid worker would find
 * things (an employer the registry has closed or moved out: 已注销或迁出; any other: 已督促), the
 * files handed back through <inbox>/feedback/, and the next nightly. Answers that confirm a
 * finding must not close it: the second run still finds everything the truth says, and the
 * cases the SI office must clear are on its clean-up list instead of the worklists.
 */

const AS_OF = '2026-10-31';

interface Row {
  caseIds: string[];
  answer: string;
  list: 'employer' | 'person';
}

/**
 * Every 清单 row of every worklist under `dir`, answered from the employers' facts (a row with
 * people only has no case of its own: its fill-in cells are closed, nobody answers it), and every
 * 人员清单 row answered 其他 (recorded, the person stays listed); returns the rows answered.
 */
async function answerAll(worklists: string, closedCases: Set<string>, outDir: string): Promise<Row[]> {
  const out: Row[] = [];
  const files = (fs.readdirSync(worklists, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.xlsx'));
  fs.mkdirSync(outDir, { recursive: true });
  for (const [i, f] of files.entries()) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(worklists, f));
    for (const ws of wb.worksheets.filter((w) => w.name.startsWith('清单'))) {
      const col = new Map<string, number>();
      ws.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
      for (let r = 2; r <= ws.rowCount; r++) {
        const cell = ws.getCell(r, col.get('案件编号') as number).value;
        if (cell === null || cell === undefined || String(cell).trim() === '') continue;
        const caseIds = String(cell).split('、');
        const answer = caseIds.some((id) => closedCases.has(id)) ? '已注销或迁出' : '已督促';
        ws.getCell(r, col.get('核查结果') as number).value = answer;
        ws.getCell(r, col.get('核查日期') as number).value = new Date(Date.UTC(2026, 10, 5));
        ws.getCell(r, col.get('核查人') as number).value = '张三';
        out.push({ caseIds, answer, list: 'employer' });
      }
    }
    for (const ws of wb.worksheets.filter((w) => w.name.startsWith('人员清单'))) {
      const col = new Map<string, number>();
      ws.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
      for (let r = 2; r <= ws.rowCount; r++) {
        const caseIds = [String(ws.getCell(r, col.get('案件编号') as number).value)];
        ws.getCell(r, col.get('核查结果') as number).value = '其他';
        ws.getCell(r, col.get('核查日期') as number).value = new Date(Date.UTC(2026, 10, 5));
        ws.getCell(r, col.get('核查人') as number).value = '张三';
        out.push({ caseIds, answer: '其他', list: 'person' });
      }
    }
    await wb.xlsx.writeFile(path.join(outDir, `${i}-${path.basename(f)}`));
  }
  return out;
}

describe('the fixture feedback round trip', () => {
  let work: Workdir;
  let first: RunResult;
  let second: RunResult;
  let answered: Row[];

  beforeAll(async () => {
    work = workdir({ source: FIXTURE_INBOX, asOf: AS_OF });
    const pipeline = loadPipeline(work.pipelineFile);
    first = await runPipeline(pipeline, { logger: silentLogger() });
    expect(first.status).not.toBe('failed');
    const closed = new Set(
      (await query(work.database, `SELECT c.case_id FROM cases c JOIN employer_facts f USING (employer_id) WHERE f.closed`)).map((r) => String(r['case_id'])),
    );
    answered = await answerAll(path.join(first.outputDir, 'worklists'), closed, path.join(work.inbox, 'feedback'));
    second = await runPipeline(pipeline, { logger: silentLogger() });
    expect(second.status).not.toBe('failed');
    // Two fixture runs: more than the default hook time on a busy machine.
  }, 180_000);

  it('reads every answer: nothing rejected or refused', () => {
    const employerRows = answered.filter((r) => r.list === 'employer');
    // Every employer row with a case of its own, and every person on 人员清单.
    expect(employerRows.length).toBeGreaterThan(0);
    expect(employerRows.length).toBeLessThanOrEqual(first.worklists?.rows ?? 0);
    expect(answered.filter((r) => r.list === 'person').length).toBe(first.worklists?.people);
    expect(first.worklists?.people).toBeGreaterThan(0);
    expect(answered.filter((r) => r.answer === '已注销或迁出').length).toBeGreaterThan(0);
    expect(second.feedback).toMatchObject({ rows: answered.length, rejectedRows: 0, refusedFiles: [] });
    // Closed employers' enrolled cases are confirmed, not refuted: referred, none exempt.
    expect(second.feedback?.exempted).toBe(0);
    expect(second.feedback?.referred).toBeGreaterThan(0);
  });

  it('after the round trip every rule still scores precision and recall 1.0 against the truth', async () => {
    const { evaluation, problems } = await evaluateRun(work.database, FIXTURE_TRUTH, second.runId);
    expect(Object.keys(evaluation.rules).sort()).toEqual([...RULE_IDS].sort());
    expect(belowFloor(evaluation.rules, 1), problems.join('\n')).toEqual([]);
  });

  it('the closed employers still enrolled are on the SI clean-up list, not on the next worklists; the others show their last visit', async () => {
    const referred = await query(work.database, `SELECT case_id, rule_id, result FROM si_cleanup_list ORDER BY case_id`);
    const truthClosed = (
      await query(work.database, `SELECT case_id FROM findings WHERE run_id = $1 AND rule_id = 'closed_still_enrolled'`, [second.runId])
    ).map((r) => r['case_id']);
    expect(truthClosed.length).toBe(7);
    expect(referred.filter((r) => r['rule_id'] === 'closed_still_enrolled').map((r) => r['case_id'])).toEqual([...truthClosed].sort());
    expect(fs.existsSync(path.join(second.outputDir, 'campaign', '社保注销清理清单.xlsx'))).toBe(true);
    expect(second.worklists?.referred).toBe(referred.length);
    // The worklists list every open employer case not referred, and every person case of an employer
    // (a project finding without a linked contractor has no employer: on E's projects/ list only).
    const [counts] = await query(
      work.database,
      `SELECT count(*) FILTER (WHERE person_key = '' AND employer_id <> '') AS employer, count(*) FILTER (WHERE person_key <> '' AND employer_id <> '') AS people
       FROM findings WHERE run_id = $1`,
      [second.runId],
    );
    expect(second.worklists?.cases).toBe(Number(counts?.['employer']) - referred.length);
    expect(second.worklists?.people).toBe(Number(counts?.['people']));
    // Every row of the next worklists carries its last answer.
    const files = (fs.readdirSync(path.join(second.outputDir, 'worklists'), { recursive: true, encoding: 'utf8' }) as string[]).filter((f) =>
      f.endsWith('.xlsx'),
    );
    let rows = 0;
    for (const f of files) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(second.outputDir, 'worklists', f));
      const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
      const col = new Map<string, number>();
      ws.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
      for (let r = 2; r <= ws.rowCount; r++) {
        rows++;
        const cell = ws.getCell(r, col.get('案件编号') as number).value;
        // A row with people only: its people carry their answers on 人员清单.
        if (cell === null || cell === undefined) {
          expect(String(ws.getCell(r, col.get('问题说明') as number).value)).toContain('人员清单');
          continue;
        }
        expect(String(ws.getCell(r, col.get('问题说明') as number).value)).toContain('上次核查：2026-11-05 已督促（张三）');
        const ids = String(cell).split('、');
        for (const id of ids) expect(referred.some((x) => x['case_id'] === id)).toBe(false);
      }
      for (const p of wb.worksheets.filter((w) => w.name.startsWith('人员清单'))) {
        const pc = new Map<string, number>();
        p.getRow(1).eachCell((c, n) => pc.set(String(c.value), n));
        for (let r = 2; r <= p.rowCount; r++) expect(String(p.getCell(r, pc.get('问题说明') as number).value)).toContain('上次核查：2026-11-05 其他（张三）');
      }
    }
    expect(rows).toBe(second.worklists?.rows);
  });
});
