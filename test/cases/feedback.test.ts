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
import { WORKLIST_COLUMNS } from '../../src/cases/worklist-layout.ts';

const NOW = new Date('2026-11-10T02:00:00Z');

type Fill = { result?: string; date?: Date | string; deadline?: Date | string; checker?: string; remarks?: string; name?: string };

/** Column numbers (1-based) of a sheet's header row, by header. */
function headerColumns(ws: ExcelJS.Worksheet): Map<string, number> {
  const out = new Map<string, number>();
  ws.getRow(1).eachCell((cell, n) => out.set(String(cell.value), n));
  return out;
}

/** Fills rows of a worklist as a grid worker would (by 案件编号) and saves it under a new name. */
async function fill(file: string, out: string, fills: Record<string, Fill>): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
  const col = headerColumns(ws);
  const at = (name: string): number => col.get(name) as number;
  const found = new Set<string>();
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const id = String(row.getCell(at('案件编号')).value);
    const f = fills[id];
    if (!f) return;
    found.add(id);
    if (f.result !== undefined) row.getCell(at('核查结果')).value = f.result;
    if (f.date !== undefined) row.getCell(at('核查日期')).value = f.date;
    if (f.deadline !== undefined) row.getCell(at('整改期限')).value = f.deadline;
    if (f.checker !== undefined) row.getCell(at('核查人')).value = f.checker;
    if (f.remarks !== undefined) row.getCell(at('备注')).value = f.remarks;
    if (f.name !== undefined) row.getCell(at('单位名称')).value = f.name;
  });
  expect([...found].sort()).toEqual(Object.keys(fills).sort());
  await wb.xlsx.writeFile(out);
}

/** The 问题说明 of each row of a worklist's 清单 sheet, by 案件编号. */
async function problems(file: string): Promise<Map<string, string>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
  const col = headerColumns(ws);
  const out = new Map<string, string>();
  for (let r = 2; r <= ws.rowCount; r++)
    out.set(String(ws.getCell(r, col.get('案件编号') as number).value), String(ws.getCell(r, col.get('问题说明') as number).value));
  return out;
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
      // The worklist rows list the employer findings (people are on 人员清单; a project whose contractor
      // is not in the registry has no worklist row, only the project list).
      const unlinked = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM findings WHERE run_id = $1 AND employer_id = '' AND permit_no <> ''`, [
        run.runId,
      ]);
      expect(Number(unlinked?.n)).toBeGreaterThan(0);
      expect(summary.cases).toBe((run.rules?.findings ?? 0) - (run.rules?.personFindings ?? 0) - Number(unlinked?.n));
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
      const refused = await applyFeedback(db, testContext({ runId: 'fb', runDir: dir }), [notWorklist], { now: NOW });
      expect(refused).toMatchObject({ files: 0, rows: 0, rejectedRows: 0 });
      expect(refused.refusedFiles).toEqual([
        expect.objectContaining({ file: notWorklist, code: 'not_worklist', message: expect.stringContaining('is not a worklist') }),
      ]);
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

  it('rejects both rows of a case answered twice in one file (a copied row), names both rows, and applies the rest', async () => {
    await withDb(async (db) => {
      const [a, b] = (await seedWorklistDb(db, [
        { id: 'A', name: '甲公司', findings: [{ rule: 'uninsured', severity: 'high', amount: 2, text: 'a' }] },
        { id: 'B', name: '乙公司', findings: [{ rule: 'uninsured', severity: 'high', amount: 1, text: 'b' }] },
      ])) as [string, string];
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      const filled = path.join(dir, 'filled.xlsx');
      await fill(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'), filled, {
        [a]: { result: '已督促', date: '2026-11-05', checker: '张三' },
        [b]: { result: '已督促', date: '2026-11-05', checker: '张三' },
      });
      // The worker copies A's row (protected cells, checksum and all) below and gives it another answer.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(filled);
      const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
      const col = headerColumns(ws);
      const rowOfA = [2, 3].find((r) => ws.getCell(r, col.get('案件编号') as number).value === a) as number;
      const copy = ws.addRow((ws.getRow(rowOfA).values as unknown[]).slice(1));
      copy.getCell(col.get('核查结果') as number).value = '无雇工';
      const back = path.join(dir, '沧浪街道_回收.xlsx');
      await wb.xlsx.writeFile(back);

      const s = await applyFeedback(db, testContext({ runId: 'fb', runDir: dir }), [back], { asOf: '2026-10-31', now: NOW });
      expect(s).toMatchObject({ rows: 3, appliedRows: 1, rejectedRows: 2, exempted: 0, keptOpen: 1 });
      expect(s.rejections.map((r) => [r.caseId, r.row, r.code])).toEqual([
        [a, rowOfA, 'conflict'],
        [a, 4, 'conflict'],
      ]);
      expect(s.rejections[0]?.reason).toContain(`清单!${rowOfA}、清单!4`);
      expect(await rows(db, `SELECT state FROM cases WHERE case_id = $1`, [a])).toEqual([{ state: 'new' }]);
      expect(await rows(db, `SELECT case_id, status, effect FROM feedback WHERE status = 'applied'`)).toEqual([
        { case_id: b, status: 'applied', effect: 'open' },
      ]);

      // The 退回说明 for the office to send back: which rows, what was wrong, what to do.
      expect(s.returnNotes).toEqual([{ file: back, note: path.join('feedback', '退回说明_沧浪街道_回收.xlsx') }]);
      const note = new ExcelJS.Workbook();
      await note.xlsx.readFile(path.join(dir, s.returnNotes[0]?.note as string));
      expect(note.worksheets.map((w) => w.name)).toEqual(['说明', '退回明细']);
      const detail = note.getWorksheet('退回明细') as ExcelJS.Worksheet;
      expect((detail.getRow(1).values as unknown[]).slice(1)).toEqual([
        '序号',
        '位置（工作表!行）',
        '案件编号',
        '单位名称',
        '填写的核查结果',
        '核查日期',
        '问题',
        '怎么做',
      ]);
      expect(detail.rowCount).toBe(3);
      expect((detail.getRow(2).values as unknown[]).slice(1, 6)).toEqual([1, `清单!${rowOfA}`, a, '甲公司', '已督促']);
      expect(String(detail.getCell(3, 8).value)).toContain('只保留一行');
      const guide = (note.getWorksheet('说明') as ExcelJS.Worksheet).getSheetValues().flat().map(String).join('\n');
      expect(guide).toContain('沧浪街道_回收.xlsx');
      expect(guide).toContain('填写了 3 行，已接收 1 行，退回 2 行');
      expect(await rows(db, `SELECT return_note FROM feedback_files`)).toEqual([{ return_note: s.returnNotes[0]?.note }]);
    });
  });

  it('shows the last applied answer on the next worklist: result, date, checker, and a 整改期限 that has passed', async () => {
    await withDb(async (db) => {
      const [a, b, c] = (await seedWorklistDb(db, [
        { id: 'A', name: '甲公司', findings: [{ rule: 'uninsured', severity: 'high', amount: 3, text: '未参保' }] },
        { id: 'B', name: '乙公司', findings: [{ rule: 'lapsed', severity: 'high', amount: 2, text: '断缴' }] },
        { id: 'C', name: '丙公司', findings: [{ rule: 'lapsed', severity: 'high', amount: 1, text: '断缴' }] },
      ])) as [string, string, string];
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      const back = path.join(dir, 'back.xlsx');
      await fill(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'), back, {
        [a]: { result: '已督促', date: '2026-11-05', deadline: '2026-11-20', checker: '张三' },
        [b]: { result: '限期整改', date: '2026-11-06', deadline: '2026-12-31', checker: '李四' },
      });
      await applyFeedback(db, testContext({ runId: 'fb', runDir: dir }), [back], { asOf: '2026-10-31', now: NOW });
      // The next worklist, issued on 2026-11-25 (after A's deadline, before B's).
      const next = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: next, now: new Date('2026-11-25T01:00:00Z') }));
      const text = await problems(path.join(next, 'worklists', '姑苏区', '沧浪街道.xlsx'));
      expect(text.get(a)).toBe('【未参保】未参保\n上次核查：2026-11-05 已督促（张三），整改期限 2026-11-20 已过');
      expect(text.get(b)).toBe('【断缴】断缴\n上次核查：2026-11-06 限期整改（李四），整改期限 2026-12-31');
      expect(text.get(c)).toBe('【断缴】断缴');
    });
  });

  it('reads a worklist in the 0.2 column order (layout 1) as well: the reader finds columns by header, the checksum covers cells by name', async () => {
    await withDb(async (db) => {
      const [a] = (await seedWorklistDb(db, [
        { id: 'A', name: '甲公司', address: '苏州市人民路1号', findings: [{ rule: 'uninsured', severity: 'high', amount: 2, text: 'a' }] },
      ])) as [string];
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      // The same sheet with its columns in the order 0.2 wrote them.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'));
      const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
      const col = headerColumns(ws);
      const old = new ExcelJS.Workbook();
      const sheet = old.addWorksheet('清单');
      sheet.addRow([...WORKLIST_COLUMNS]);
      for (let r = 2; r <= ws.rowCount; r++) sheet.addRow(WORKLIST_COLUMNS.map((c) => ws.getCell(r, col.get(c) as number).value));
      sheet.getCell(2, WORKLIST_COLUMNS.indexOf('核查结果') + 1).value = '已督促';
      sheet.getCell(2, WORKLIST_COLUMNS.indexOf('核查日期') + 1).value = '2026-11-05';
      const back = path.join(dir, 'layout1.xlsx');
      await old.xlsx.writeFile(back);
      const s = await applyFeedback(db, testContext({ runId: 'fb', runDir: dir }), [back], { asOf: '2026-10-31', now: NOW });
      expect(s).toMatchObject({ rows: 1, appliedRows: 1, rejectedRows: 0, keptOpen: 1 });
      expect(await rows(db, `SELECT case_id, result, status FROM feedback`)).toEqual([{ case_id: a, result: '已督促', status: 'applied' }]);
    });
  });

  it('reads a worklist handed back with nothing filled in: no rows, no error, no 退回说明', async () => {
    await withDb(async (db) => {
      await seedWorklistDb(db, [{ id: 'A', name: '甲公司', findings: [{ rule: 'uninsured', severity: 'high', amount: 2, text: 'a' }] }]);
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      const s = await applyFeedback(db, testContext({ runId: 'fb', runDir: dir }), [path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx')], { now: NOW });
      expect(s).toMatchObject({ files: 1, rows: 0, rejectedRows: 0, refusedFiles: [], returnNotes: [] });
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
