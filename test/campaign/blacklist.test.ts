import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import ExcelJS from 'exceljs';
import { tempDir, rows, testContext, rulesAndCases } from '../helpers.ts';
import { silentLogger } from '../../src/core/log.ts';
import { Db } from '../../src/db/database.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { WORKLIST_SHEET_COLUMNS } from '../../src/cases/worklist-layout.ts';
import { applyFeedback } from '../../src/cases/feedback.ts';
import { createBlacklistViews, writeBlacklist, BLACKLIST_FILE } from '../../src/campaign/blacklist.ts';

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// Worklists are written in layout 2 (worklist-layout.ts).
const col = (name: (typeof WORKLIST_SHEET_COLUMNS)[number]): number => WORKLIST_SHEET_COLUMNS.indexOf(name) + 1;

describe('blacklist candidates', () => {
  it('over the fixture: a 限期整改 case becomes a candidate exactly the day after its deadline, while the finding holds, with its evidence trail', async () => {
    const dir = tempDir();
    const pipelineFile = path.join(dir, 'nightly.yaml');
    fs.writeFileSync(
      pipelineFile,
      `inbox: ${path.resolve('fixtures/inbox')}\ndatabase: data/recon.duckdb\noutput: reports\nlocal_params: ${path.resolve('pipelines/local-params.yaml')}\naudit: { rejects_warn: 0.2, rejects_fail: 0.5 }\n`,
    );
    const pipeline = loadPipeline(pipelineFile);
    const run = await runPipeline(pipeline, { logger: silentLogger() });
    const db = await Db.open(pipeline.database);
    try {
      await writeWorklists(db, testContext({ runId: run.runId, asOf: run.asOf, runDir: path.join(dir, 'out') }));
      // Two employers with one uninsured case each, whose registry record we can change later.
      const picked = await db.all<{ case_id: string; uscc: string; district: string; street: string }>(
        `WITH single AS (SELECT employer_id FROM cases WHERE state IN ('new', 'open', 'reopened') GROUP BY employer_id HAVING count(*) = 1)
         SELECT c.case_id, e.uscc, d.name AS district, e.street
         FROM cases c JOIN single USING (employer_id) JOIN employers e USING (employer_id) JOIN ref_division d ON d.level = 'district' AND d.code = e.district_code
         WHERE e.street IS NOT NULL AND c.rule_id = 'uninsured' AND e.uscc IN (SELECT uscc FROM registration_current)
         ORDER BY e.district_code, e.street, c.case_id LIMIT 2`,
      );
      expect(picked).toHaveLength(2);
      const [due, urged] = picked as [(typeof picked)[0], (typeof picked)[0]];
      const visited = addDays(run.asOf, 1);
      const deadline = addDays(run.asOf, 5);
      // Fill the two rows as grid workers would, each in its street's worklist.
      const returned: string[] = [];
      for (const [p, fill] of [
        [due, { result: '限期整改', deadline: new Date(`${deadline}T00:00:00Z`), remarks: '承诺月底前办理参保登记' }],
        [urged, { result: '已督促', remarks: '负责人不在，已留言' }],
      ] as const) {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile(path.join(dir, 'out', 'worklists', p.district, `${p.street}.xlsx`));
        const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
        ws.eachRow((row) => {
          if (row.getCell(col('案件编号')).value !== p.case_id) return;
          row.getCell(col('核查结果')).value = fill.result;
          row.getCell(col('核查日期')).value = new Date(`${visited}T00:00:00Z`);
          if ('deadline' in fill) row.getCell(col('整改期限')).value = fill.deadline;
          row.getCell(col('核查人')).value = '王网格';
          row.getCell(col('备注')).value = fill.remarks;
        });
        const out = path.join(dir, 'back', `${returned.length}.xlsx`);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        await wb.xlsx.writeFile(out);
        returned.push(out);
      }
      const fb = await applyFeedback(db, testContext({ runId: 'fb-1' }), returned, { asOf: run.asOf, now: new Date(`${visited}T08:00:00Z`) });
      expect(fb).toMatchObject({ appliedRows: 2, rejectedRows: 0 });
      await createBlacklistViews(db);

      const candidates = async (runId: string): Promise<string[]> =>
        (await db.all<{ case_id: string }>(`SELECT case_id FROM blacklist_candidates_at($1)`, [runId])).map((r) => r.case_id);
      // On the deadline: not yet.
      await rulesAndCases(db, testContext({ runId: 'rr-1', asOf: deadline, pipeline: { rules: pipeline.rules } }));
      expect(await rows(db, `SELECT count(*) AS n FROM findings WHERE run_id = 'rr-1' AND case_id = $1`, [due.case_id])).toEqual([{ n: 1 }]);
      expect(await candidates('rr-1')).toEqual([]);
      // The day after: a candidate (the 已督促 without a deadline never is).
      await rulesAndCases(db, testContext({ runId: 'rr-2', asOf: addDays(deadline, 1), pipeline: { rules: pipeline.rules } }));
      expect(await candidates('rr-2')).toEqual([due.case_id]);
      // The view follows the latest run with findings.
      expect(await rows(db, `SELECT case_id, result, deadline, days_overdue, runs_found, feedback_rows FROM blacklist_candidates`)).toEqual([
        { case_id: due.case_id, result: '限期整改', deadline, days_overdue: 1, runs_found: 3, feedback_rows: 1 },
      ]);
      const [trail] = await db.all<{ findings_trail: string; feedback_trail: string }>(`SELECT findings_trail, feedback_trail FROM blacklist_candidates`);
      expect(trail?.findings_trail.split('\n')).toHaveLength(3);
      expect(trail?.findings_trail).toContain(`${addDays(deadline, 1)} 批次rr-2 发现`);
      expect(trail?.feedback_trail).toBe(`${visited} 限期整改，期限${deadline}，王网格，承诺月底前办理参保登记`);
      // The evidence trail: three findings, the feedback row and the case's state changes.
      const events = await rows(db, `SELECT event, run_id, rule_or_result, deadline FROM blacklist_evidence_at('rr-2') WHERE event <> '案件状态'`);
      expect(events).toEqual([
        { event: '规则发现', run_id: run.runId, rule_or_result: '未参保', deadline: null },
        { event: '网格反馈', run_id: 'fb-1', rule_or_result: '限期整改', deadline },
        { event: '规则发现', run_id: 'rr-1', rule_or_result: '未参保', deadline: null },
        { event: '规则发现', run_id: 'rr-2', rule_or_result: '未参保', deadline: null },
      ]);

      // The list a case officer gets.
      const out = path.join(dir, 'campaign');
      const written = await writeBlacklist(db, { runId: 'rr-2', asOf: addDays(deadline, 1), dir: out, logger: silentLogger() });
      expect(written).toEqual({ candidates: 1, file: path.join(out, BLACKLIST_FILE) });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(written.file);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '候选名单', '证据链']);
      const list = wb.getWorksheet('候选名单') as ExcelJS.Worksheet;
      expect(list.rowCount).toBe(2);
      expect(list.getRow(2).getCell(1).value).toBe(due.case_id);
      expect(list.getRow(2).getCell(10).value).toBe(deadline);
      expect(list.getRow(2).getCell(11).value).toBe(1);
      expect((wb.getWorksheet('证据链') as ExcelJS.Worksheet).rowCount).toBeGreaterThanOrEqual(5);

      // The facts change so the rule no longer finds the case: no longer a candidate.
      const later = addDays(deadline, 2);
      await db.run(`UPDATE registration SET established_on = CAST($2 AS DATE) - INTERVAL 10 DAY WHERE uscc = $1`, [due.uscc, later]);
      await rulesAndCases(db, testContext({ runId: 'rr-3', asOf: later, pipeline: { rules: pipeline.rules } }));
      expect(await candidates('rr-3')).toEqual([]);
      // An old run keeps its list.
      expect(await candidates('rr-2')).toEqual([due.case_id]);
    } finally {
      db.close();
    }
    // recon blacklist reads the published database read-only: temporary definitions work there.
    const ro = await Db.open(pipeline.database, { readOnly: true });
    try {
      await createBlacklistViews(ro, true);
      expect((await ro.all<{ case_id: string }>(`SELECT case_id FROM blacklist_candidates_at('rr-2')`)).length).toBe(1);
    } finally {
      ro.close();
    }
  });
});
