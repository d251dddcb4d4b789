import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { rows, tempDir, testContext, withDb } from '../helpers.ts';
import type { Db } from '../../src/db/database.ts';
import { createLedgerViews, fillLedgerPerson, selectLedgerRun } from '../../src/publish/ledger-views.ts';
import { LEDGER_SHEETS, writeLedger } from '../../src/publish/ledger.ts';
import { writeSummaryHtml } from '../../src/publish/summary-html.ts';
import { createCampaignViews } from '../../src/campaign/targets.ts';
import { seedWorklistDb } from './seed.ts';
import { seedPersonCity } from './person-seed.ts';

/**
 * The person ledger on the small city of seedPersonCity, worked by hand:
 *
 * | district | wage earners | enrolled | 职工参保率 | uninsured | lapsed | 应代缴 | 已代缴 | 代缴覆盖率 |
 * | 姑苏区   | 3 (P1 P2 P3) | 2        | 2/3        | 1 (P2)    | 0      | 1 (P6) | 1      | 100%       |
 * | 虎丘区   | 2 (P4 P1)    | 1 (P1)   | 1/2        | 1 (P4)    | 1 (P5) | 1 (P7) | 0      | 0%         |
 * | 相城区   | 0            | 0        | —          | 0         | 0      | 0      | 0      | —          |
 * | 合计     | 4 (P1 once)  | 2        | 1/2        | 2         | 1      | 2      | 1      | 50%        |
 *
 * P8 (66) and P9 (enrolled) are on rolls but not due a 代缴.
 */

const employers = (db: Db): Promise<unknown> =>
  seedWorklistDb(db, [
    { id: 'E1', name: '苏州甲有限公司', district: '320508', street: '沧浪街道', findings: [] },
    { id: 'E2', name: '苏州乙有限公司', district: '320505', street: '狮山街道', findings: [] },
    { id: 'E3', name: '苏州丙有限公司', district: '320507', street: '元和街道', findings: [] },
  ]);

async function setUp(db: Db): Promise<void> {
  await seedPersonCity(db, employers);
  // One rules run recorded (the ledger views report on the latest).
  await db.run(`INSERT INTO rule_runs (run_id, rule_id, version, found, exempted, ms) VALUES ('run-1', 'person_uninsured', 1, 2, 0, 1)`);
  await db.run(
    `INSERT INTO runs (run_id, command, status, started_at, as_of, closed_month) VALUES ('run-1', 'run', 'running', TIMESTAMP '2026-11-01 02:00:00', DATE '2026-10-31', DATE '2026-09-01')`,
  );
  await createLedgerViews(db);
  await createCampaignViews(db);
}

const PEOPLE_COLUMNS = `district_name, wage_earners, wage_earners_enrolled, person_coverage_rate, uninsured_people, base_low_people, lapsed, assistance,
                        assistance_covered, daijiao_coverage_rate`;

describe('the person ledger (ledger_person, 人员参保, summary.html)', () => {
  it('counts wage earners, enrolled, lapsed and assistance people per district, with rates and a 合计 from the totals', async () => {
    await withDb(async (db) => {
      await setUp(db);
      const ctx = testContext({ runId: 'run-1' });
      expect(await fillLedgerPerson(db, ctx)).toEqual({ facts: true });
      await selectLedgerRun(db, 'run-1');
      const got = await rows(db, `SELECT ${PEOPLE_COLUMNS} FROM ledger_person`);
      expect(got).toEqual([
        {
          district_name: '虎丘区',
          wage_earners: 2,
          wage_earners_enrolled: 1,
          person_coverage_rate: 0.5,
          uninsured_people: 1,
          base_low_people: 0,
          lapsed: 1,
          assistance: 1,
          assistance_covered: 0,
          daijiao_coverage_rate: 0,
        },
        {
          district_name: '相城区',
          wage_earners: 0,
          wage_earners_enrolled: 0,
          person_coverage_rate: null,
          uninsured_people: 0,
          base_low_people: 0,
          lapsed: 0,
          assistance: 0,
          assistance_covered: 0,
          daijiao_coverage_rate: null,
        },
        {
          district_name: '姑苏区',
          wage_earners: 3,
          wage_earners_enrolled: 2,
          person_coverage_rate: 2 / 3,
          uninsured_people: 1,
          base_low_people: 0,
          lapsed: 0,
          assistance: 1,
          assistance_covered: 1,
          daijiao_coverage_rate: 1,
        },
        {
          district_name: '合计',
          wage_earners: 4,
          wage_earners_enrolled: 2,
          person_coverage_rate: 0.5,
          uninsured_people: 2,
          base_low_people: 0,
          lapsed: 1,
          assistance: 2,
          assistance_covered: 1,
          daijiao_coverage_rate: 0.5,
        },
      ]);
      // Kept per run: a second fill of the same run replaces its rows, never doubles them.
      await fillLedgerPerson(db, ctx);
      expect((await rows(db, `SELECT count(*) AS n FROM ledger_person_district WHERE run_id = 'run-1'`))[0]).toEqual({ n: 4 });
      // A person alone is placed in their district in the ledger's findings and cases (虎丘区: P5's SI row, P7's roll).
      expect(await rows(db, `SELECT rule_id, district_name FROM ledger_findings WHERE employer_id = '' ORDER BY rule_id`)).toEqual([
        { rule_id: 'assistance_not_covered', district_name: '虎丘区' },
        { rule_id: 'person_lapsed', district_name: '虎丘区' },
      ]);
      expect(await rows(db, `SELECT count(*) AS n FROM ledger_case_state WHERE employer_id = '' AND district_name = '虎丘区'`)).toEqual([{ n: 2 }]);
      // The 汇总 stays about employers: no person finding in its counts.
      expect(await rows(db, `SELECT findings FROM ledger_district WHERE district_code IS NULL`)).toEqual([{ findings: 0 }]);
      // So does the open-cases trend: the person cases are counted apart.
      expect(await rows(db, `SELECT open_cases, opened, open_person_cases FROM ledger_open_history`)).toEqual([
        { open_cases: 0, opened: 0, open_person_cases: 4 },
      ]);
    });
  });

  it('says unknown (NULL, shown as —) rather than 0 when the run had no person facts', async () => {
    await withDb(async (db) => {
      await setUp(db);
      for (const t of ['_pf_jobs', '_pf_person', '_pf_aid']) await db.run(`DROP TABLE ${t}`);
      expect(await fillLedgerPerson(db, testContext({ runId: 'run-1' }))).toEqual({ facts: false });
      await selectLedgerRun(db, 'run-1');
      const got = await rows(db, `SELECT ${PEOPLE_COLUMNS} FROM ledger_person WHERE district_code IS NULL`);
      expect(got).toEqual([
        {
          district_name: '合计',
          wage_earners: null,
          wage_earners_enrolled: null,
          person_coverage_rate: null,
          uninsured_people: null,
          base_low_people: null,
          lapsed: null,
          assistance: null,
          assistance_covered: null,
          daijiao_coverage_rate: null,
        },
      ]);
    });
  });

  it('writes the 人员参保 sheet and the summary lines: rates as percentages, — where there is nobody', async () => {
    await withDb(async (db) => {
      await setUp(db);
      const dir = tempDir();
      const ctx = testContext({ runId: 'run-1', runDir: dir });
      await fillLedgerPerson(db, ctx);
      await db.run(`INSERT INTO ledger_employer (run_id, employer_id, district_code, district_name, active, should_enroll, enrolled, due_m, paid_m, paid_in_full, collected_ytd)
                    VALUES ('run-1', 'E1', '320508', '姑苏区', true, true, true, 0, 0, false, 0)`);
      const { sheets } = await writeLedger(db, ctx);
      expect(sheets).toEqual([...LEDGER_SHEETS]);
      expect(sheets.indexOf('人员参保')).toBe(sheets.indexOf('问题分类') + 1);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(dir, 'ledger.xlsx'));
      const ws = wb.getWorksheet('人员参保') as ExcelJS.Worksheet;
      const header = (ws.getRow(2).values as unknown[]).slice(1).map(String);
      expect(header[0]).toBe('区县');
      expect(header[3]).toBe('职工\n参保率');
      expect(header[9]).toBe('代缴\n覆盖率');
      const body = [3, 4, 5, 6].map((r) => (ws.getRow(r).values as unknown[]).slice(1));
      expect(body.map((r) => r[0])).toEqual(['虎丘区', '相城区', '姑苏区', '合计']);
      expect(body[2]?.[3]).toBeCloseTo(2 / 3, 10);
      expect(ws.getCell(5, 4).numFmt).toBe('0.0%');
      // 相城区: nobody, so no rate: — (not 0%, not an error).
      expect(body[1]?.[3]).toBe('—');
      expect(body[1]?.[9]).toBe('—');
      expect(body[1]?.[1]).toBe(0);
      expect(body[3]?.slice(1)).toEqual([4, 2, 0.5, 2, 0, 1, 2, 1, 0.5]);
      expect(ws.getCell(6, 1).font?.bold).toBe(true);

      const html = fs.readFileSync(await writeSummaryHtml(db, ctx), 'utf8');
      expect(html).toContain('<div class="k">职工参保率</div><div class="v">50.0%</div><div class="s">已参保 2 / 领取工资职工 4 人；未参保职工 2 人</div>');
      expect(html).toContain('<div class="k">代缴覆盖率</div><div class="v">50.0%</div>');
      expect(html).toContain('<div class="k">断缴人员</div><div class="v">1 人</div>');
      expect(html).toContain('<tr><td>相城区</td><td>0</td><td>0</td><td>—</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>—</td></tr>');
      expect(html).toContain('<tr class="total"><td>合计</td><td>4</td><td>2</td><td>50.0%</td>');
      expect(html).not.toMatch(/NaN|Infinity|undefined/);
    });
  });
});
