import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import ExcelJS from 'exceljs';
import { withDb, tempDir, rows, testContext, rulesAndCases } from '../helpers.ts';
import { silentLogger } from '../../src/core/log.ts';
import { Db } from '../../src/db/database.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { applyFeedback, parseCheckDate } from '../../src/cases/feedback.ts';
import { seedWorklistDb } from '../publish/seed.ts';

const NOW = new Date('2026-11-10T02:00:00Z');
const COL = { name: 3, result: 12, date: 13, deadline: 14, checker: 15, remarks: 16 };

type Fill = { result?: string; date?: Date | string; deadline?: Date | string; checker?: string; remarks?: string; name?: string };

/** Fills rows of a worklist as a grid worker would (by 案件编号) and saves it under a new name. */
async function fill(file: string, out: string, fills: Record<string, Fill>): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
  const found = new Set<string>();
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const f = fills[String(row.getCell(2).value)];
    if (!f) return;
    found.add(String(row.getCell(2).value));
    if (f.result !== undefined) row.getCell(COL.result).value = f.result;
    if (f.date !== undefined) row.getCell(COL.date).value = f.date;
    if (f.deadline !== undefined) row.getCell(COL.deadline).value = f.deadline;
    if (f.checker !== undefined) row.getCell(COL.checker).value = f.checker;
    if (f.remarks !== undefined) row.getCell(COL.remarks).value = f.remarks;
    if (f.name !== undefined) row.getCell(COL.name).value = f.name;
  });
  expect([...found].sort()).toEqual(Object.keys(fills).sort());
  await wb.xlsx.writeFile(out);
}

describe('applyFeedback', () => {
  it('round trip over the fixture: exempts, keeps open, rejects tampered and invalid rows, reads a file once, and the rules respect the exemption until the facts change', async () => {
    const dir = tempDir();
    const pipelineFile = path.join(dir, 'nightly.yaml');
    fs.writeFileSync(
      pipelineFile,
      `inbox: ${path.resolve('fixtures/inbox')}\ndatabase: data/recon.duckdb\noutput: reports\nlocal_params: ${path.resolve('pipelines/local-params.yaml')}\n`,
    );
    const pipeline = loadPipeline(pipelineFile);
    const run = await runPipeline(pipeline, { logger: silentLogger() });
    const db = await Db.open(pipeline.database);
    try {
      const summary = await writeWorklists(db, testContext({ runId: run.runId, asOf: run.asOf, runDir: path.join(dir, 'out') }));
      expect(summary.cases).toBe(run.rules?.findings);
      // Four employers, each with a single case: an uninsured one whose registry record we can change later.
      const picked = await db.all<{ case_id: string; employer_id: string; rule_id: string; uscc: string; district: string; street: string }>(
        `WITH single AS (SELECT employer_id FROM cases WHERE state IN ('new', 'open', 'reopened') GROUP BY employer_id HAVING count(*) = 1)
         SELECT c.case_id, c.employer_id, c.rule_id, e.uscc, d.name AS district, e.street
         FROM cases c JOIN single USING (employer_id) JOIN employers e USING (employer_id) JOIN ref_division d ON d.level = 'district' AND d.code = e.district_code
         WHERE e.street IS NOT NULL
         ORDER BY (c.rule_id = 'uninsured' AND e.uscc IN (SELECT uscc FROM registration_current)) DESC, c.case_id LIMIT 4`,
      );
      expect(picked).toHaveLength(4);
      const [exempt, urged, invalid, tampered] = picked as [(typeof picked)[0], (typeof picked)[0], (typeof picked)[0], (typeof picked)[0]];
      expect(exempt.rule_id).toBe('uninsured');
      const fills: Record<string, Record<string, Fill>> = {};
      const worklistOf = (p: (typeof picked)[0]): string => path.join(dir, 'out', 'worklists', p.district, `${p.street}.xlsx`);
      const add = (p: (typeof picked)[0], f: Fill): void => {
        fills[worklistOf(p)] ??= {};
        (fills[worklistOf(p)] as Record<string, unknown>)[p.case_id] = f;
      };
      add(exempt, { result: '无雇工', date: new Date(Date.UTC(2026, 10, 5)), checker: '王网格', remarks: '现场无人办公' });
      add(urged, { result: '已督促', date: '2026-11-06', checker: '王网格' });
      add(invalid, { result: '不知道', date: new Date(Date.UTC(2026, 10, 5)), checker: '王网格' });
      add(tampered, { result: '已参保', date: new Date(Date.UTC(2026, 10, 5)), checker: '王网格', name: '改过的名称' });
      const returned: string[] = [];
      const returnedOf = new Map<string, string>();
      for (const [file, f] of Object.entries(fills)) {
        const out = path.join(dir, 'inbox-feedback', `${returned.length}-${path.basename(file)}`);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        await fill(file, out, f);
        returned.push(out);
        returnedOf.set(file, out);
      }

      const first = await applyFeedback(db, testContext({ runId: 'fb-1' }), returned, { asOf: run.asOf, now: NOW });
      expect(first).toMatchObject({ files: returned.length, skippedFiles: 0, rows: 4, appliedRows: 2, rejectedRows: 2, exempted: 1, keptOpen: 1 });
      expect(first.rejections.map((r) => [r.caseId, r.code]).sort()).toEqual(
        [
          [invalid.case_id, 'invalid_result'],
          [tampered.case_id, 'checksum'],
        ].sort(),
      );
      expect(first.rejections.find((r) => r.code === 'checksum')?.reason).toContain('校验码不符');
      const states = async (): Promise<Record<string, string>> =>
        Object.fromEntries(
          (
            await db.all<{ case_id: string; state: string }>(
              `SELECT case_id, state FROM cases WHERE case_id IN ($1, $2, $3, $4)`,
              picked.map((p) => p.case_id),
            )
          ).map((c) => [c.case_id, c.state]),
        );
      expect(await states()).toEqual({ [exempt.case_id]: 'exempt', [urged.case_id]: 'new', [invalid.case_id]: 'new', [tampered.case_id]: 'new' });
      const evidence = await db.one<{ ok: boolean }>(
        `SELECT c.exempt_evidence = (SELECT CAST(evidence AS VARCHAR) FROM findings WHERE case_id = c.case_id AND run_id = $2) AS ok FROM cases c WHERE case_id = $1`,
        [exempt.case_id, run.runId],
      );
      expect(evidence?.ok).toBe(true);
      expect(await rows(db, `SELECT case_id, result, checked_on, checker, status, reason_code FROM feedback ORDER BY case_id`)).toEqual(
        [
          { case_id: exempt.case_id, result: '无雇工', checked_on: '2026-11-05', checker: '王网格', status: 'applied', reason_code: null },
          { case_id: urged.case_id, result: '已督促', checked_on: '2026-11-06', checker: '王网格', status: 'applied', reason_code: null },
          { case_id: invalid.case_id, result: '不知道', checked_on: '2026-11-05', checker: '王网格', status: 'rejected', reason_code: 'invalid_result' },
          { case_id: tampered.case_id, result: '已参保', checked_on: '2026-11-05', checker: '王网格', status: 'rejected', reason_code: 'checksum' },
        ].sort((a, b) => a.case_id.localeCompare(b.case_id)),
      );
      expect(await rows(db, `SELECT from_state, to_state FROM case_events WHERE case_id = $1 AND run_id = 'fb-1'`, [exempt.case_id])).toEqual([
        { from_state: 'new', to_state: 'exempt' },
      ]);

      // The same files again: nothing changes.
      const again = await applyFeedback(db, testContext({ runId: 'fb-2' }), returned, { asOf: run.asOf, now: NOW });
      expect(again).toMatchObject({ files: 0, skippedFiles: returned.length, rows: 0, exempted: 0 });
      expect(await rows(db, `SELECT count(*) AS n FROM feedback`)).toEqual([{ n: 4 }]);
      // A re-saved copy (new content) of the exempt row: the case is no longer open.
      const copy = path.join(dir, 'inbox-feedback', 'copy.xlsx');
      const exemptFile = returnedOf.get(worklistOf(exempt)) as string;
      await fill(exemptFile, copy, { [exempt.case_id]: { remarks: '再次确认' } });
      const copied = await applyFeedback(db, testContext({ runId: 'fb-3' }), [copy], { asOf: run.asOf, now: NOW });
      expect(copied.rejections.filter((r) => r.caseId === exempt.case_id).map((r) => r.code)).toEqual(['not_open']);
      expect(await states()).toMatchObject({ [exempt.case_id]: 'exempt' });

      // The rules keep the exempt case out of findings while its evidence is the same...
      const rerun = await rulesAndCases(db, testContext({ runId: 'rerun-1', asOf: run.asOf, pipeline: { rules: pipeline.rules } }));
      expect(rerun.exemptions).toContainEqual({ rule_id: 'uninsured', reason: 'verified_exempt_by_grid_worker', count: 1 });
      expect(await rows(db, `SELECT count(*) AS n FROM findings WHERE run_id = 'rerun-1' AND case_id = $1`, [exempt.case_id])).toEqual([{ n: 0 }]);
      expect(await states()).toMatchObject({ [exempt.case_id]: 'exempt' });
      // ...and reopens it when its facts change.
      await db.run(`UPDATE registration SET established_on = established_on - INTERVAL 40 DAY WHERE uscc = $1`, [exempt.uscc]);
      await rulesAndCases(db, testContext({ runId: 'rerun-2', asOf: run.asOf, pipeline: { rules: pipeline.rules } }));
      expect(await states()).toMatchObject({ [exempt.case_id]: 'reopened' });
      expect(await rows(db, `SELECT count(*) AS n FROM findings WHERE run_id = 'rerun-2' AND case_id = $1`, [exempt.case_id])).toEqual([{ n: 1 }]);
      expect(await rows(db, `SELECT exempt_evidence FROM cases WHERE case_id = $1`, [exempt.case_id])).toEqual([{ exempt_evidence: null }]);
    } finally {
      db.close();
    }
  });

  it('rejects unknown case ids, missing and impossible dates, and refuses a file that is not a worklist', async () => {
    await withDb(async (db) => {
      const ids = await seedWorklistDb(db, [
        { id: 'A', name: '甲', findings: [{ rule: 'uninsured', severity: 'high', amount: 3, text: 'a' }] },
        { id: 'B', name: '乙', findings: [{ rule: 'uninsured', severity: 'high', amount: 2, text: 'b' }] },
        { id: 'C', name: '丙', findings: [{ rule: 'uninsured', severity: 'high', amount: 1, text: 'c' }] },
        { id: 'D', name: '丁', findings: [{ rule: 'lapsed', severity: 'low', amount: 1, text: 'd' }] },
      ]);
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      const [a, b, c, d] = ids as [string, string, string, string];
      const out = path.join(dir, 'back.xlsx');
      await fill(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'), out, {
        [a]: { result: '无雇工', checker: '甲' },
        [b]: { result: '已督促', date: new Date(Date.UTC(2027, 0, 1)) },
        [c]: { result: '其他', date: '2026年11月3日', remarks: '负责人不在' },
        [d]: { result: '查无此单位', date: '2026-13-01' },
      });
      await db.run(`DELETE FROM cases WHERE case_id = $1`, [c]);
      const s = await applyFeedback(db, testContext({ runId: 'fb' }), [out], { asOf: '2026-10-31', now: NOW });
      expect(s.rejections.map((r) => [r.caseId, r.code])).toEqual([
        [a, 'missing_date'],
        [b, 'invalid_date'],
        [c, 'unknown_case'],
        [d, 'invalid_date'],
      ]);
      expect(s).toMatchObject({ rows: 4, appliedRows: 0, rejectedRows: 4, exempted: 0 });
      const notWorklist = path.join(dir, 'other.xlsx');
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('Sheet1').addRow(['单位名称', '备注']);
      await wb.xlsx.writeFile(notWorklist);
      await expect(applyFeedback(db, testContext({ runId: 'fb' }), [notWorklist], { now: NOW })).rejects.toThrow(/is not a worklist/);
    });
  });

  it('reads 整改期限: required with 限期整改, a date not before 核查日期, stored with the feedback row', async () => {
    await withDb(async (db) => {
      const ids = await seedWorklistDb(
        db,
        ['A', 'B', 'C', 'D', 'E'].map((id) => ({ id, name: `单位${id}`, findings: [{ rule: 'uninsured', severity: 'high' as const, amount: 1, text: id }] })),
      );
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      const [a, b, c, d, e] = ids as [string, string, string, string, string];
      const out = path.join(dir, 'back.xlsx');
      await fill(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'), out, {
        [a]: { result: '限期整改', date: '2026-11-03', deadline: new Date(Date.UTC(2026, 11, 3)), checker: '王网格' },
        [b]: { result: '限期整改', date: '2026-11-03', checker: '王网格' },
        [c]: { result: '限期整改', date: '2026-11-03', deadline: '下个月' },
        [d]: { result: '限期整改', date: '2026-11-03', deadline: '2026-11-01' },
        [e]: { result: '已督促', date: '2026-11-03', deadline: '2026年11月20日' },
      });
      const s = await applyFeedback(db, testContext({ runId: 'fb' }), [out], { asOf: '2026-10-31', now: NOW });
      expect(s.rejections.map((r) => [r.caseId, r.code])).toEqual([
        [b, 'missing_deadline'],
        [c, 'invalid_deadline'],
        [d, 'invalid_deadline'],
      ]);
      expect(s.rejections[0]?.reason).toBe('核查结果为“限期整改”，请填写整改期限');
      expect(await rows(db, `SELECT case_id, result, deadline, status FROM feedback WHERE status = 'applied' ORDER BY case_id`)).toEqual([
        { case_id: a, result: '限期整改', deadline: '2026-12-03', status: 'applied' },
        { case_id: e, result: '已督促', deadline: '2026-11-20', status: 'applied' },
      ]);
    });
  });

  it('parses the dates grid workers type', () => {
    expect(parseCheckDate(new Date(Date.UTC(2026, 10, 5)))).toBe('2026-11-05');
    expect(parseCheckDate(46331)).toBe('2026-11-05');
    expect(parseCheckDate('2026/11/5')).toBe('2026-11-05');
    expect(parseCheckDate('2026年11月5日')).toBe('2026-11-05');
    expect(parseCheckDate('2026-02-30')).toBeNull();
    expect(parseCheckDate('上周')).toBeNull();
  });
});
