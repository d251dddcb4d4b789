import path from 'node:path';
import { describe, it, expect } from 'vitest';
import ExcelJS from 'exceljs';
import { rows, testContext } from '../helpers.ts';
import { silentLogger } from '../../src/core/log.ts';
import { Db } from '../../src/db/database.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { generateInbox } from '../../tools/generator/generate.ts';
import { applyFeedback } from '../../src/cases/feedback.ts';
import { WORKLIST_COLUMNS } from '../../src/cases/worklist-layout.ts';
import { sampleAuditMonth, writeAuditSheets, SIZE_BANDS } from '../../src/campaign/audit-sample.ts';
import { workdir } from '../e2e/support.ts';

const YEAR = 2026;
const at = (month: number): Date => new Date(Date.UTC(YEAR, month - 1, 3, 1));
const col = (name: (typeof WORKLIST_COLUMNS)[number]): number => WORKLIST_COLUMNS.indexOf(name) + 1;

describe('audit sample', () => {
  it('on generated data: stratified, risk-weighted, never twice a year, off the worklists, and the year reaches the rate over 12 monthly draws', async () => {
    const work = workdir();
    await generateInbox({
      employers: 1200,
      seed: 11,
      out: work.inbox,
      truth: path.join(work.dir, 'truth'),
      formats: 'csv',
      asOf: '2026-10-31',
      persons: false,
    });
    const pipeline = loadPipeline(work.pipelineFile);
    await runPipeline(pipeline, { logger: silentLogger() });
    const db = await Db.open(pipeline.database);
    try {
      const [counts] = await rows(
        db,
        `SELECT count(*) FILTER (WHERE active AND enrolled) AS enrolled,
                count(*) FILTER (WHERE active AND enrolled AND employer_id NOT IN (SELECT employer_id FROM cases WHERE state IN ('new', 'open', 'reopened')))  AS eligible
         FROM employer_facts`,
      );
      const enrolled = Number(counts?.['enrolled']);
      const target = Math.ceil(0.3 * enrolled);
      expect(enrolled).toBeGreaterThan(200);
      expect(Number(counts?.['eligible'])).toBeGreaterThan(target);

      // Month 1: size ceil(T / 12), strata in proportion to the pool (largest remainder), sample = allocation.
      const first = await sampleAuditMonth(db, { year: YEAR, month: 1, runId: 'audit-01', logger: silentLogger(), now: at(1) });
      expect(first).toMatchObject({ already: false, enrolled, target, before: 0, pool: Number(counts?.['eligible']), drawn: Math.ceil(target / 12) });
      expect(first.strata.reduce((n, s) => n + s.quota, 0)).toBe(first.drawn);
      expect(first.strata.reduce((n, s) => n + s.size, 0)).toBe(first.pool);
      for (const s of first.strata) expect(Math.abs(s.quota - (first.drawn * s.size) / first.pool), s.stratum).toBeLessThan(1);
      // Strata are district x size band: several of each in the generated city.
      const bands = new Set(first.strata.map((s) => s.stratum.split('·')[1]));
      for (const b of bands) expect(SIZE_BANDS.map((x) => x.label)).toContain(b);
      expect(bands.size).toBeGreaterThanOrEqual(3);
      expect(new Set(first.strata.map((s) => s.stratum.split('·')[0])).size).toBeGreaterThanOrEqual(3);
      const perStratum = Object.fromEntries(
        (await rows(db, `SELECT stratum, count(*) AS n FROM audit_samples WHERE month = 1 GROUP BY stratum`)).map((r) => [r['stratum'], r['n']]),
      );
      for (const s of first.strata) expect(perStratum[s.stratum] ?? 0, s.stratum).toBe(s.quota);
      // Deterministic: the same month drawn afresh draws the same employers.
      const ids = async (): Promise<string[]> =>
        (await db.all<{ id: string }>(`SELECT sample_id || employer_id AS id FROM audit_samples WHERE month = 1 ORDER BY 1`)).map((r) => r.id);
      const drawn1 = await ids();
      await db.run(`DELETE FROM audit_samples; DELETE FROM audit_sample_runs;`);
      await sampleAuditMonth(db, { year: YEAR, month: 1, runId: 'audit-01b', logger: silentLogger(), now: at(1) });
      expect(await ids()).toEqual(drawn1);

      // Months 2..12: cumulative reaches the target exactly by December.
      const cumulative: number[] = [first.drawn];
      const risk = { pool: first.poolMeanRisk ?? 0, drawn: first.drawnMeanRisk ?? 0 };
      for (let month = 2; month <= 12; month++) {
        const r = await sampleAuditMonth(db, { year: YEAR, month, runId: `audit-${month}`, logger: silentLogger(), now: at(month) });
        expect(r.before).toBe(cumulative[cumulative.length - 1]);
        expect(r.drawn).toBe(Math.ceil((target - r.before) / (13 - month)));
        cumulative.push(r.before + r.drawn);
        risk.pool += r.poolMeanRisk ?? 0;
        risk.drawn += r.drawnMeanRisk ?? 0;
      }
      expect(cumulative[11]).toBe(target);
      expect(cumulative.every((n, i) => i === 0 || n >= (cumulative[i - 1] ?? 0))).toBe(true);
      expect(
        await rows(
          db,
          `SELECT count(*) AS n, count(DISTINCT employer_id) AS employers, count(*) FILTER (WHERE employer_id IN (SELECT employer_id FROM cases WHERE state IN ('new', 'open', 'reopened'))) AS on_worklist FROM audit_samples WHERE year = ${YEAR}`,
        ),
      ).toEqual([{ n: target, employers: target, on_worklist: 0 }]);
      // Idempotent: a month drawn again draws nothing.
      const again = await sampleAuditMonth(db, { year: YEAR, month: 3, runId: 'audit-3b', logger: silentLogger(), now: at(3) });
      expect(again).toMatchObject({ already: true, drawn: (cumulative[2] ?? 0) - (cumulative[1] ?? 0) });
      expect(await rows(db, `SELECT count(*) AS n FROM audit_samples`)).toEqual([{ n: target }]);
      // Risk weighting: over the year the draws lean to the riskier employers of their pools.
      expect(risk.pool / 12).toBeGreaterThan(1);
      expect(risk.drawn / 12).toBeGreaterThan(risk.pool / 12);

      // The sheets go through the feedback path and mark the audit done.
      const dir = path.join(work.dir, 'audit');
      const files = await writeAuditSheets(db, { year: YEAR, month: 1, dir, logger: silentLogger() });
      expect(files.reduce((n, f) => n + f.rows, 0)).toBe(first.drawn);
      const sheet = files[0] as (typeof files)[number];
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(sheet.file);
      const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
      expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...WORKLIST_COLUMNS]);
      const sampleId = String(ws.getRow(2).getCell(col('案件编号')).value);
      expect(sampleId).toMatch(/^S202601-\d{5}$/);
      ws.getRow(2).getCell(col('核查结果')).value = '已参保';
      ws.getRow(2).getCell(col('核查日期')).value = new Date(Date.UTC(YEAR, 0, 20));
      ws.getRow(2).getCell(col('核查人')).value = '李稽核';
      ws.getRow(2).getCell(col('备注')).value = '人数、基数相符';
      const back = path.join(work.dir, 'back.xlsx');
      await wb.xlsx.writeFile(back);
      const fb = await applyFeedback(db, testContext({ runId: 'fb-audit' }), [back], { asOf: '2026-01-31', now: new Date(Date.UTC(YEAR, 0, 21)) });
      expect(fb).toMatchObject({ appliedRows: 1, rejectedRows: 0, audited: 1, exempted: 0, keptOpen: 0 });
      expect(
        await rows(db, `SELECT audited_on, audit_result, auditor, audit_remarks, feedback_run FROM audit_samples WHERE sample_id = $1`, [sampleId]),
      ).toEqual([{ audited_on: '2026-01-20', audit_result: '已参保', auditor: '李稽核', audit_remarks: '人数、基数相符', feedback_run: 'fb-audit' }]);
      // A second result for the same audit is refused.
      ws.getRow(2).getCell(col('备注')).value = '再次';
      const again2 = path.join(work.dir, 'back2.xlsx');
      await wb.xlsx.writeFile(again2);
      const fb2 = await applyFeedback(db, testContext({ runId: 'fb-audit-2' }), [again2], { asOf: '2026-01-31', now: new Date(Date.UTC(YEAR, 0, 21)) });
      expect(fb2.rejections.map((r) => [r.caseId, r.code, r.reason])).toEqual([[sampleId, 'not_open', `稽核抽查 ${sampleId} 已记录过核查结果`]]);
    } finally {
      db.close();
    }
  });
});
