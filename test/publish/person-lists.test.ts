import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { tempDir, testContext, withDb } from '../helpers.ts';
import type { Db } from '../../src/db/database.ts';
import { createLogger } from '../../src/core/log.ts';
import { maskIdNumbers } from '../../src/core/personal.ts';
import { createLedgerViews, fillLedgerPerson } from '../../src/publish/ledger-views.ts';
import { createCampaignViews } from '../../src/campaign/targets.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { writeLedger } from '../../src/publish/ledger.ts';
import { writePersonLists, renewalSms, RESTRICTED_DIR } from '../../src/publish/person-lists.ts';
import { SMS_MAX } from '../../src/publish/notices.ts';
import { seedWorklistDb } from './seed.ts';
import { CITY_IDS, seedPersonCity } from './person-seed.ts';

const employers = (db: Db): Promise<unknown> =>
  seedWorklistDb(db, [
    {
      id: 'E1',
      name: '苏州甲有限公司',
      district: '320508',
      street: '沧浪街道',
      findings: [{ rule: 'under_enrolled', severity: 'medium', amount: 100, text: '少报' }],
    },
    { id: 'E2', name: '苏州乙有限公司', district: '320505', street: '狮山街道', findings: [] },
  ]);

async function setUp(db: Db, dir: string, logFile?: string): Promise<{ cases: Record<string, string>; ctx: ReturnType<typeof testContext> }> {
  const cases = await seedPersonCity(db, employers);
  await db.run(`INSERT INTO rule_runs (run_id, rule_id, version, found, exempted, ms) VALUES ('run-1', 'person_lapsed', 1, 1, 0, 1)`);
  await createLedgerViews(db);
  await createCampaignViews(db);
  const ctx = testContext({ runId: 'run-1', runDir: dir, ...(logFile ? { logger: createLogger({ file: logFile, terminal: false }) } : {}) });
  return { cases, ctx };
}

async function sheetValues(file: string, sheet: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet(sheet) as ExcelJS.Worksheet;
  const out: unknown[][] = [];
  ws.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}

/** Every part of an xlsx file as text (the XML of its sheets, strings, headers). */
async function xlsxText(file: string): Promise<string> {
  const zip = await JSZip.loadAsync(fs.readFileSync(file));
  return (
    await Promise.all(
      Object.values(zip.files)
        .filter((f) => !f.dir)
        .map((f) => f.async('string')),
    )
  ).join('\n');
}

function xlsxUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.xlsx')).map((f) => path.join(dir, f));
}

describe('续保提醒 and 代缴名单', () => {
  it('writes 续保提醒 per district: the masked ID, the phone as si_person has it, the months lapsed and an SMS under 70 characters', async () => {
    await withDb(async (db) => {
      const dir = tempDir();
      const { cases, ctx } = await setUp(db, dir);
      const { facts } = await fillLedgerPerson(db, ctx);
      const summary = await writePersonLists(db, ctx, { facts });
      expect(summary.renewal).toEqual({ rows: 1, files: 1 });
      expect(fs.readdirSync(path.join(dir, 'persons'))).toEqual(['续保提醒_虎丘区.xlsx']);
      const values = await sheetValues(path.join(dir, 'persons', '续保提醒_虎丘区.xlsx'), '续保提醒');
      expect(values[0]).toEqual(['序号', '街道', '姓名', '证件号码', '联系电话', '末次缴费\n年月', '断缴月数', '短信内容', '案件编号']);
      const sms = '【社保提醒】孙五您好：您的职工养老保险自2026年2月起已断缴8个月，请及时续缴，详询12333。';
      expect(values[1]).toEqual([1, '狮山街道', '孙五', maskIdNumbers(CITY_IDS['P5'] as string), '13912345678', '2026-01', 8, sms, cases['P5']]);
      expect(values[1]?.[3]).toMatch(/^320505\*{8}\d{3}[\dX]$/);
      expect([...sms].length).toBeLessThan(70);
    });
  });

  it('keeps every SMS under 70 characters and free of ID numbers, whatever the name', () => {
    const id = CITY_IDS['P1'] as string;
    for (const name of ['王', '欧阳娜娜', '阿卜杜热合曼·买买提托合提', '穆罕默德·阿卜杜拉·伊本·阿卜杜勒阿齐兹·阿勒沙特', `张三${id}`, '', null]) {
      for (const [paid, months] of [
        ['2026-01', 8],
        ['2015-12', 130],
        [null, null],
      ] as Array<[string | null, number | null]>) {
        const text = renewalSms(name, paid, months);
        expect([...text].length, text).toBeLessThanOrEqual(SMS_MAX);
        expect(text).not.toContain(id);
        expect(text).not.toMatch(/\d{15}/);
        expect(text).toMatch(/^【社保提醒】/);
        expect(text).toContain('12333');
      }
    }
    expect(renewalSms('孙五', '2025-12', 10)).toContain('自2026年1月起已断缴10个月');
  });

  it('writes 代缴名单 with full ID numbers into restricted/ (folder 0700, files 0600 whatever the umask)', async () => {
    await withDb(async (db) => {
      const dir = tempDir();
      const { cases, ctx } = await setUp(db, dir);
      const { facts } = await fillLedgerPerson(db, ctx);
      const umask = process.umask(0o000);
      let summary: Awaited<ReturnType<typeof writePersonLists>>;
      try {
        summary = await writePersonLists(db, ctx, { facts });
      } finally {
        process.umask(umask);
      }
      expect(summary.daijiao).toEqual({ due: 1, done: 1, files: 2 });
      const restricted = path.join(dir, RESTRICTED_DIR);
      expect(fs.statSync(restricted).mode & 0o777).toBe(0o700);
      expect(fs.readdirSync(restricted).sort()).toEqual(['代缴名单_姑苏区.xlsx', '代缴名单_虎丘区.xlsx']);
      for (const f of fs.readdirSync(restricted)) expect(fs.statSync(path.join(restricted, f)).mode & 0o777, f).toBe(0o600);

      const due = await sheetValues(path.join(restricted, '代缴名单_虎丘区.xlsx'), '待代缴');
      expect(due[0]).toEqual(['序号', '街道', '社区', '姓名', '公民身份号码', '类别', '起始日期', '参保状态', '代缴年度', '代缴金额\n（元）', '案件编号']);
      expect(due[1]).toEqual([1, '狮山街道', '长江社区', '周七', CITY_IDS['P7'], '城市低保', '2024-03-01', '未参保', 2026, 200, cases['P7']]);
      expect(due[2]?.[0]).toBe('合计');
      expect(due[2]?.[9]).toBe(200);
      expect((await sheetValues(path.join(restricted, '代缴名单_虎丘区.xlsx'), '已代缴'))[1]?.[0]).toBe('本区县无已代缴人员');
      const done = await sheetValues(path.join(restricted, '代缴名单_姑苏区.xlsx'), '已代缴');
      // P6 is paid for; P8 (66) and P9 (enrolled) are not due, so on neither sheet.
      expect(done.slice(1).map((r) => r.slice(0, 10))).toEqual([
        [1, '沧浪街道', '南门社区', '吴六', CITY_IDS['P6'], '城市低保', '2023-01-01', '已代缴', 2026, 200],
      ]);
      const all = (await xlsxText(path.join(restricted, '代缴名单_姑苏区.xlsx'))) + (await xlsxText(path.join(restricted, '代缴名单_虎丘区.xlsx')));
      expect(all).not.toContain('郑八');
      expect(all).not.toContain('冯九');
      // A folder left wider by someone is narrowed again on the next write.
      fs.chmodSync(restricted, 0o755);
      await writePersonLists(db, ctx, { facts });
      expect(fs.statSync(restricted).mode & 0o777).toBe(0o700);
    });
  });

  it('puts no full ID number in any workbook outside restricted/, nor a phone or an ID in the log', async () => {
    await withDb(async (db) => {
      const dir = tempDir();
      const log = path.join(tempDir(), 'run.log');
      const { ctx } = await setUp(db, dir, log);
      await writeWorklists(db, ctx);
      const { facts } = await fillLedgerPerson(db, ctx);
      await writePersonLists(db, ctx, { facts });
      await writeLedger(db, ctx);
      const outside = xlsxUnder(dir).filter((f) => !f.includes(`${path.sep}${RESTRICTED_DIR}${path.sep}`));
      expect(outside.map((f) => path.relative(dir, f))).toEqual(
        expect.arrayContaining(['ledger.xlsx', path.join('persons', '续保提醒_虎丘区.xlsx'), path.join('worklists', '姑苏区', '沧浪街道.xlsx')]),
      );
      const ids = Object.values(CITY_IDS);
      for (const f of outside) {
        const text = await xlsxText(f);
        for (const id of ids) expect(text, `${path.relative(dir, f)} holds ${id}`).not.toContain(id);
      }
      // The worklist does show the employee found uninsured, masked.
      expect(await xlsxText(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'))).toContain(maskIdNumbers(CITY_IDS['P2'] as string));
      const restricted = xlsxUnder(path.join(dir, RESTRICTED_DIR));
      expect((await Promise.all(restricted.map(xlsxText))).join('\n')).toContain(CITY_IDS['P7']);
      const logText = fs.readFileSync(log, 'utf8');
      expect(logText).toContain('person lists');
      for (const id of ids) expect(logText).not.toContain(id);
      expect(logText).not.toContain('13912345678');
    });
  });
});
