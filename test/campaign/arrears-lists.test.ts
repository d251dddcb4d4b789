import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import ExcelJS from 'exceljs';
import { tempDir, rows } from '../helpers.ts';
import { silentLogger } from '../../src/core/log.ts';
import { Db } from '../../src/db/database.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { ARREARS_LISTS } from '../../src/campaign/arrears-lists.ts';
import { BLACKLIST_FILE } from '../../src/campaign/blacklist.ts';

describe('arrears work lists', () => {
  it('the nightly writes one list per class from the arrears views, with arrears and late fees to the as-of date', async () => {
    const dir = tempDir();
    const pipelineFile = path.join(dir, 'nightly.yaml');
    fs.writeFileSync(
      pipelineFile,
      `inbox: ${path.resolve('fixtures/inbox')}\ndatabase: data/recon.duckdb\noutput: reports\nlocal_params: ${path.resolve('pipelines/local-params.yaml')}\naudit: { rejects_warn: 0.2, rejects_fail: 0.5 }\n`,
    );
    const pipeline = loadPipeline(pipelineFile);
    const run = await runPipeline(pipeline, { logger: silentLogger() });
    const campaign = path.join(run.outputDir, 'campaign');
    expect(fs.readdirSync(campaign).sort()).toEqual([BLACKLIST_FILE, ...ARREARS_LISTS.map((l) => l.file)].sort());

    const db = await Db.open(pipeline.database, { readOnly: true });
    try {
      // The views over the published database reproduce the lists: every arrears finding in exactly one.
      const perClass = await rows(
        db,
        `SELECT evidence->>'class' AS cls, count(*) AS n FROM findings WHERE run_id = $1 AND rule_id = 'arrears' GROUP BY ALL ORDER BY cls`,
        [run.runId],
      );
      expect(perClass.length).toBeGreaterThan(0);
      for (const l of ARREARS_LISTS) {
        const [view] = await rows(db, `SELECT count(*) AS n, count(*) FILTER (WHERE total <> arrears + late_fee) AS bad_total FROM ${l.view}`);
        expect(view).toEqual({ n: perClass.find((c) => c['cls'] === l.cls)?.['n'] ?? 0, bad_total: 0 });
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile(path.join(campaign, l.file));
        expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '清单']);
        const list = wb.getWorksheet('清单') as ExcelJS.Worksheet;
        expect(list.rowCount - 1).toBe(view?.['n']);
        const headers = (list.getRow(1).values as unknown[]).slice(1);
        expect(headers).toEqual(expect.arrayContaining(['案件编号', '单位名称', '欠费金额', '滞纳金（至数据截止日）', '合计']));
        if (list.rowCount > 1) {
          // The first row is the district's largest total; its numbers are the view's.
          const caseId = list.getRow(2).getCell(1).value;
          const [v] = await rows(db, `SELECT CAST(arrears AS DOUBLE) AS arrears, CAST(late_fee AS DOUBLE) AS late_fee FROM ${l.view} WHERE case_id = $1`, [
            caseId,
          ]);
          expect(list.getRow(2).getCell(headers.indexOf('欠费金额') + 1).value).toBe(v?.['arrears']);
          expect(list.getRow(2).getCell(headers.indexOf('滞纳金（至数据截止日）') + 1).value).toBe(v?.['late_fee']);
        }
      }
      // The late fee runs to D: 0.05% a day from the 16th of the month after each unpaid month (RULES.md), recomputed from the payments.
      const check = await rows(
        db,
        `WITH owed AS (
           SELECT employer_id, period, sum(amount_due - amount_paid) AS owed FROM employer_payments
           WHERE period <= (SELECT max(month) FROM findings WHERE run_id = $1) GROUP BY ALL),
         fee AS (
           SELECT employer_id, round(sum(owed * 0.0005 * greatest(0, date_diff('day', CAST(period + INTERVAL 1 MONTH + INTERVAL 15 DAY AS DATE), CAST($2 AS DATE)))) FILTER (WHERE owed > 0), 2) AS fee
           FROM owed GROUP BY employer_id)
         SELECT count(*) AS n, count(*) FILTER (WHERE abs(a.late_fee - coalesce(fee.fee, 0)) > 0.01) AS wrong, count(*) FILTER (WHERE a.late_fee > 0) AS with_fee
         FROM arrears_list_at($1) a LEFT JOIN fee USING (employer_id)`,
        [run.runId, run.asOf],
      );
      expect(check[0]?.['wrong']).toBe(0);
      expect(check[0]?.['with_fee']).toBeGreaterThan(0);
      // The 说明 sheet states the totals of its class.
      const l = ARREARS_LISTS[2];
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(campaign, l.file));
      const guide = wb.getWorksheet('说明') as ExcelJS.Worksheet;
      const [sum] = await rows(db, `SELECT CAST(sum(late_fee) AS DOUBLE) AS fee FROM ${l.view}`);
      const feeLine = [...Array(guide.rowCount).keys()].map((i) => guide.getRow(i + 1)).find((r) => r.getCell(1).value === '滞纳金合计（元）');
      expect(feeLine?.getCell(2).value).toBe(Number(sum?.['fee'] ?? 0).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
    } finally {
      db.close();
    }
  });
});
