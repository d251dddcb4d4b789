import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import ExcelJS from 'exceljs';
import { memoryDb, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/schema/migrate.ts';
import { tempDir, load, rows, testContext, rulesAndCases } from '../helpers.ts';
import { loadReferenceTables } from '../../src/reference/load.ts';
import { linkEmployers } from '../../src/link/stage.ts';
import { writeNotices, smsText, mobileNumber, NOTICE_COLUMNS, type NoticeSummary } from '../../src/publish/notices.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { WORKLIST_SHEET_COLUMNS } from '../../src/cases/worklist-layout.ts';
import { employerView } from '../../src/link/view.ts';
import { writeExports, usccOf, AS_OF, LOCAL_PARAMS, type Scenario } from '../rules/builder.ts';

// D = 2026-10-31: D - 30 days = 2026-10-01.
const LONG = '超长名称'.repeat(12);
const SCENARIOS: Scenario[] = [
  { id: 'new10', established: '2026-10-21', employees: 3 },
  { id: 'old40', established: '2026-09-21', employees: 3 },
  { id: 'A&B<i>', established: '2026-10-25', employees: 2 },
  { id: LONG, established: '2026-10-30', employees: 1 },
  { id: 'si', established: '2026-10-21', employees: 3, enrollment: [{ type: '110', status: '1' }] },
  { id: 'ind', kind: 'individual_business', established: '2026-10-21' },
  { id: 'ind-old', kind: 'individual_business', established: '2026-09-01' },
  { id: 'closed', status: '注销', established: '2026-10-21', employees: 3 },
];
const OFFICE = { name: '苏州市虎丘区社会保险管理中心', address: '苏州市虎丘区狮山路1号', phone: '0512-68000000' };
// The runs start on 2026-11-02 at 09:30 in Shanghai (01:30 UTC): notices are issued that day, not on D.
const STARTED = new Date('2026-11-02T01:30:00Z');
const ISSUED = '2026-11-02';
// Phones as the registry writes them: a mobile with spaces, a landline, a mobile with +86; LONG has none.
const PHONES: Record<string, string> = { new10: '138 0013 8000', old40: '0512-68001234', 'A&B<i>': '+86 139-1234-5678' };

let db: Db;
let dir: string;
let first: NoticeSummary;
const employerOf = new Map<string, string>();

async function rulesAndNotices(runId: string, asOf: string): Promise<NoticeSummary> {
  const out = path.join(dir, runId);
  const ctx = testContext({ runId, asOf, runDir: out, now: STARTED, pipeline: { office: OFFICE } });
  await rulesAndCases(db, ctx);
  const summary = await writeNotices(db, ctx);
  await writeWorklists(db, testContext({ runId, asOf, runDir: out, now: STARTED }));
  return summary;
}

async function noticesOf(runId: string): Promise<Array<Record<string, unknown>>> {
  const list = await rows(db, `SELECT employer_id, kind, case_id, sent_on, deadline FROM notices WHERE run_id = $1 ORDER BY employer_id`, [runId]);
  const label = new Map([...employerOf].map(([k, v]) => [v, k]));
  return list.map((n) => ({ ...n, employer_id: label.get(String(n['employer_id'])) }));
}

/** The 问题说明 of an employer's row in a run's worklists, or undefined. */
async function worklistText(runId: string, name: string): Promise<string | undefined> {
  const root = path.join(dir, runId, 'worklists');
  const files = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.xlsx'));
  for (const f of files) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(root, f));
    const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
    for (let r = 2; r <= ws.rowCount; r++) {
      if (ws.getCell(r, WORKLIST_SHEET_COLUMNS.indexOf('单位名称') + 1).value === name)
        return String(ws.getCell(r, WORKLIST_SHEET_COLUMNS.indexOf('问题说明') + 1).value);
    }
  }
  return undefined;
}

beforeAll(async () => {
  db = await memoryDb();
  await migrate(db);
  dir = tempDir('recon-notices-');
  const inbox = tempDir('recon-notices-inbox-');
  for (const file of writeExports(inbox, SCENARIOS)) expect((await load(db, file)).status).toBe('loaded');
  for (const [id, phone] of Object.entries(PHONES)) {
    await db.run(`UPDATE registration SET phone = $1 WHERE uscc = $2`, [phone, usccOf(SCENARIOS.findIndex((s) => s.id === id))]);
  }
  await db.run(`UPDATE registration SET address = '苏州市虎丘区狮山路88号' WHERE uscc = $1`, [usccOf(0)]);
  await loadReferenceTables(db, LOCAL_PARAMS);
  await linkEmployers(db, testContext({ runId: 'run-1' }));
  for (const e of await rows(db, `SELECT employer_id, uscc FROM employers`)) {
    const i = SCENARIOS.findIndex((s, k) => usccOf(k, s.kind) === e['uscc']);
    if (i >= 0) employerOf.set((SCENARIOS[i] as Scenario).id, String(e['employer_id']));
  }
  first = await rulesAndNotices('run-1', AS_OF);
});
afterAll(() => db.close());

describe('writeNotices', () => {
  it('notices new employers and new uninsured cases once, and nobody registered with SI, closed, or without headcount evidence', async () => {
    expect(first.notices).toBe(4);
    expect(await noticesOf('run-1')).toEqual(
      [
        { employer_id: 'new10', kind: 'new_employer', case_id: null, sent_on: ISSUED, deadline: '2026-11-20' },
        { employer_id: 'old40', kind: 'uninsured_case', case_id: expect.stringMatching(/\S/), sent_on: ISSUED, deadline: '2026-10-21' },
        { employer_id: 'A&B<i>', kind: 'new_employer', case_id: null, sent_on: ISSUED, deadline: '2026-11-24' },
        { employer_id: LONG, kind: 'new_employer', case_id: null, sent_on: ISSUED, deadline: '2026-11-29' },
      ].sort((a, b) => String(employerOf.get(a.employer_id)).localeCompare(String(employerOf.get(b.employer_id)))),
    );
    // The uninsured_case notice goes with its finding.
    const finding = await rows(db, `SELECT rule_id, case_id FROM findings WHERE run_id = 'run-1' AND employer_id = $1`, [employerOf.get('old40')]);
    expect(finding.map((f) => f['rule_id'])).toEqual(['uninsured']);
    expect((await noticesOf('run-1')).find((n) => n['employer_id'] === 'old40')?.['case_id']).toBe(finding[0]?.['case_id']);
  });

  it('sends nothing again on the next run, nor when the new employer later becomes an uninsured case', async () => {
    expect(await rulesAndNotices('run-2', AS_OF)).toEqual({ notices: 0, file: null });
    expect(fs.existsSync(path.join(dir, 'run-2', 'notices'))).toBe(false);
    // 35 days after it was established, new10 is an uninsured case: it has had its notice.
    expect(await rulesAndNotices('run-3', '2026-11-25')).toEqual({ notices: 0, file: null });
    const found = await rows(db, `SELECT employer_id FROM findings WHERE run_id = 'run-3' AND rule_id = 'uninsured' ORDER BY employer_id`);
    expect(found.map((f) => f['employer_id'])).toContain(employerOf.get('new10'));
    expect(await rows(db, `SELECT count(*) AS n FROM notices`)).toEqual([{ n: 4 }]);
    // The grid worker sees when the notice went out.
    expect(await worklistText('run-3', '苏州new10有限公司')).toContain(`已于${ISSUED}发送告知书`);
  });

  it('writes one letter per employer, escaped, self-contained, per district', () => {
    const folder = path.join(dir, 'run-1', 'notices');
    const pages = fs.readdirSync(folder).filter((f) => f.endsWith('.html'));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatch(/^告知书_.+\.html$/);
    const html = fs.readFileSync(path.join(folder, pages[0] as string), 'utf8');
    expect(html.match(/<section class="letter">/g)).toHaveLength(4);
    expect(html.match(/社会保险登记告知书<\/h1>/g)).toHaveLength(4);
    expect(html).toContain('苏州A&amp;B&lt;i&gt;有限公司');
    expect(html).not.toContain('<i>');
    expect(html).not.toMatch(/https?:/);
    expect(html).toContain('@page { size: A4; margin: 20mm }');
    expect(html).toContain('page-break-after');
    expect(html).toContain('2026年11月20日');
    expect(html).toContain('第五十七条、第五十八条');
    expect(html).toContain('一倍以上三倍以下');
    expect(html).toContain('五百元以上三千元以下');
    expect(html).toContain(OFFICE.address);
    expect(html).toContain(OFFICE.phone);
    expect(html).toContain(usccOf(0));
    // Dated the day it is issued, numbered by it; the as-of date is only the date of the data.
    expect(html.match(/<p class="date">2026年11月02日<\/p>/g)).toHaveLength(4);
    expect(html).not.toContain('<p class="date">2026年10月31日</p>');
    expect(html).toMatch(/编号：GZ20261102-\d{6}/);
    expect(html).toContain('经核查至2026年10月31日尚未办理');
    // The best address there is: here the registry's 住所.
    expect(html).toContain('苏州市虎丘区狮山路88号');
  });

  it('lists the notices in 告知清单.xlsx; only a mobile number gets an SMS text (under 70 characters), a landline or no phone gets a note', async () => {
    expect(first.file).toBe(path.join(dir, 'run-1', 'notices', '告知清单.xlsx'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(first.file as string);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...NOTICE_COLUMNS]);
    expect(ws.rowCount).toBe(5);
    const at = (c: (typeof NOTICE_COLUMNS)[number]): number => NOTICE_COLUMNS.indexOf(c) + 1;
    const byName = new Map([2, 3, 4, 5].map((r) => [String(ws.getCell(r, at('单位名称')).value), ws.getRow(r)]));
    const row = (id: string): ExcelJS.Row => byName.get(id === LONG ? `苏州${LONG}有限公司` : `苏州${id}有限公司`) as ExcelJS.Row;
    expect(row('new10').getCell(at('短信号码')).value).toBe('13800138000');
    expect(row('new10').getCell(at('短信内容')).value).toBe('【社保】苏州new10有限公司：请于2026年11月20日前办理社会保险登记，咨询0512-68000000');
    expect(row('A&B<i>').getCell(at('短信号码')).value).toBe('13912345678');
    expect(String(row('A&B<i>').getCell(at('短信内容')).value)).toMatch(/^【社保】.+：.+咨询0512-68000000$/);
    for (const id of ['new10', 'A&B<i>']) {
      expect([...String(row(id).getCell(at('短信内容')).value)].length).toBeLessThan(70);
      expect(row(id).getCell(at('备注')).value).toBeNull();
    }
    // A landline (0512-...) takes no SMS: no text, and a note says so.
    expect(row('old40').getCell(at('联系电话')).value).toBe('0512-68001234');
    expect(row('old40').getCell(at('短信号码')).value).toBeNull();
    expect(row('old40').getCell(at('短信内容')).value).toBeNull();
    expect(String(row('old40').getCell(at('备注')).value)).toContain('不是手机号码');
    expect(row(LONG).getCell(at('短信内容')).value).toBeNull();
    expect(String(row(LONG).getCell(at('备注')).value)).toContain('没有联系电话');
    // Dated the day they are issued; the address says where it comes from.
    for (const id of ['new10', 'old40', 'A&B<i>', LONG]) expect(row(id).getCell(at('告知日期')).value).toBe(ISSUED);
    expect(row('new10').getCell(at('地址')).value).toBe('苏州市虎丘区狮山路88号');
    expect(row('new10').getCell(at('地址来源')).value).toBe('市场监管登记住所');
  });

  it('finds the mobile number in a phone cell', () => {
    expect(mobileNumber('13800138000')).toBe('13800138000');
    expect(mobileNumber('138-0013-8000')).toBe('13800138000');
    expect(mobileNumber('+86 138 0013 8000')).toBe('13800138000');
    expect(mobileNumber('0512-68001234/15912345678')).toBe('15912345678');
    expect(mobileNumber('0512-68001234')).toBeNull();
    expect(mobileNumber('12800138000')).toBeNull();
    expect(mobileNumber('1380013800')).toBeNull();
    expect(mobileNumber(null)).toBeNull();
  });

  it('keeps cell values that look like formulas as text, and cuts any name to fit the SMS', () => {
    expect([...smsText('new_employer', '=A'.repeat(100), '2026-11-05', '0512-12345678')].length).toBeLessThan(70);
    expect([...smsText('uninsured_case', '某公司', '2020-01-01', '')].length).toBeLessThan(70);
  });

  it('shows the worklist line and the employer view', async () => {
    expect(await worklistText('run-1', '苏州old40有限公司')).toMatch(/未办理社会保险登记[\s\S]*\n已于2026-11-02发送告知书$/);
    const view = await employerView(db, employerOf.get('new10') as string);
    expect(view.notices).toEqual([expect.objectContaining({ kind: 'new_employer', sent_on: ISSUED, deadline: '2026-11-20' })]);
  });
});
