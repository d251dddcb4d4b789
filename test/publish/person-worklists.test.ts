import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { rows, tempDir, testContext, withDb } from '../helpers.ts';
import type { Db } from '../../src/db/database.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import {
  PERSON_SHEET_COLUMNS,
  PERSON_PROTECTED_COLUMNS,
  PERSON_RESULT_VALUES,
  WORKLIST_SHEET_COLUMNS,
  personRowChecksum,
} from '../../src/cases/worklist-layout.ts';
import { readWorklistFile } from '../../src/cases/worklist-reader.ts';
import { applyFeedback } from '../../src/cases/feedback.ts';
import { maskIdNumbers, WORKSHEET_ELEMENT_ORDER } from '../../src/core/xlsx-write.ts';
import { seedWorklistDb } from './seed.ts';
import { residentId, seedPeople, type SeedPerson } from './person-seed.ts';

const ID_A = residentId('320508', '19900101', 11);
const ID_B = residentId('320508', '19850615', 22);
const ID_C = residentId('320505', '19921230', 33);
const ID_D = residentId('320505', '19700303', 44);
const ID_LAPSED = residentId('320508', '19800808', 55);

const uninsured = (months: number): Record<string, unknown> => ({ months_employed: months, months: ['2026-08', '2026-09'], employed_on: '2025-01-01' });
const PEOPLE: SeedPerson[] = [
  {
    key: 'P000000001',
    id: ID_A,
    name: '王小明',
    rule: 'person_uninsured',
    employer: 'E1',
    severity: 'high',
    amount: 1800,
    evidence: uninsured(12),
    text: '近12个月中有12个月在本单位领取工资薪金，未参加职工养老保险',
  },
  {
    key: 'P000000002',
    id: ID_B,
    name: '=李四',
    rule: 'person_uninsured',
    employer: 'E1',
    severity: 'high',
    amount: 300,
    evidence: uninsured(2),
    text: '近12个月中有2个月在本单位领取工资薪金',
  },
  {
    key: 'P000000003',
    id: ID_C,
    name: '赵六',
    rule: 'person_base_low',
    employer: 'E1',
    evidence: { base: 3000, avg_income: 9000, w: 9000, months_employed: 7 },
    text: '个人养老缴费基数3000元，近3个月在本单位月均工资薪金9000元',
  },
  {
    key: 'P000000004',
    id: ID_D,
    name: '钱七',
    rule: 'person_uninsured',
    employer: 'E2',
    severity: 'medium',
    amount: 600,
    evidence: uninsured(4),
    text: '近12个月中有4个月在本单位领取工资薪金',
  },
  // A person alone: never on an employer worklist.
  { key: 'P000000005', id: ID_LAPSED, name: '孙八', rule: 'person_lapsed', evidence: { last_paid_month: '2026-01', months_lapsed: 8 }, text: '断缴' },
];
const FULL_IDS = [ID_A, ID_B, ID_C, ID_D, ID_LAPSED];

async function seed(db: Db): Promise<{ employerCases: string[]; personCases: string[] }> {
  const employerCases = await seedWorklistDb(db, [
    {
      id: 'E1',
      name: '苏州甲有限公司',
      phone: '0512-1234567',
      address: '苏州市姑苏区人民路1号',
      findings: [{ rule: 'under_enrolled', severity: 'medium', amount: 5000, text: '少报参保人数' }],
    },
    { id: 'E2', name: '苏州乙有限公司', address: '苏州市姑苏区干将路2号', findings: [] },
  ]);
  return { employerCases, personCases: await seedPeople(db, PEOPLE) };
}

async function openBook(file: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb;
}

/** The values of a sheet's data rows by header. */
function sheetRows(ws: ExcelJS.Worksheet): Array<Record<string, unknown>> {
  const headers: string[] = [];
  ws.getRow(1).eachCell((c, n) => {
    headers[n - 1] = String(c.value);
  });
  const out: Array<Record<string, unknown>> = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    out.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1).value])));
  }
  return out;
}

/** Every text part of an xlsx file (sheets, shared strings, headers), concatenated. */
async function xlsxText(file: string): Promise<string> {
  const zip = await JSZip.loadAsync(fs.readFileSync(file));
  const parts = await Promise.all(
    Object.values(zip.files)
      .filter((f) => !f.dir)
      .map((f) => f.async('string')),
  );
  return parts.join('\n');
}

describe('worklists: the people of an employer', () => {
  it('counts the people in the employer row and lists them on 人员清单, IDs masked 6+4, with their own dropdown', async () => {
    await withDb(async (db) => {
      const { employerCases, personCases } = await seed(db);
      const dir = tempDir();
      const summary = await writeWorklists(db, testContext({ runId: 'run-1', runDir: dir }));
      expect(summary).toMatchObject({ workbooks: 1, rows: 2, cases: 1, people: 4 });
      const file = path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx');
      const wb = await openBook(file);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '清单', '人员清单', '入户核查表']);

      // The employer rows: the counts in 问题说明, the type names, E2 (people only) with no case id and closed fill-in cells.
      const list = sheetRows(wb.getWorksheet('清单') as ExcelJS.Worksheet);
      const e1 = list.find((r) => r['单位名称'] === '苏州甲有限公司') as Record<string, unknown>;
      const e2 = list.find((r) => r['单位名称'] === '苏州乙有限公司') as Record<string, unknown>;
      expect(e1['案件编号']).toBe(employerCases[0]);
      expect(String(e1['问题说明'])).toContain('【人员】未参保职工 2 人，缴费基数偏低 1 人（逐人核查见“人员清单”）');
      expect(String(e1['问题类型'])).toBe('未全员参保、未参保职工、缴费基数偏低');
      expect(e2['案件编号']).toBeNull();
      expect(String(e2['问题说明'])).toBe('【人员】未参保职工 1 人（逐人核查见“人员清单”）');
      // E1's priority is its people's (high) although its own case is medium.
      expect(e1['优先级']).toBe('高');
      const listWs = wb.getWorksheet('清单') as ExcelJS.Worksheet;
      const e2Row = list.indexOf(e2) + 2;
      const resultCol = WORKLIST_SHEET_COLUMNS.indexOf('核查结果') + 1;
      expect(listWs.getCell(e2Row, resultCol).protection?.locked).not.toBe(false);
      expect(listWs.getCell(list.indexOf(e1) + 2, resultCol).protection?.locked).toBe(false);

      // 人员清单: headers, order (by the employer's 序号, then priority), masked IDs, months, finding, employer.
      const ws = wb.getWorksheet('人员清单') as ExcelJS.Worksheet;
      expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...PERSON_SHEET_COLUMNS]);
      const people = sheetRows(ws);
      expect(people.map((p) => p['姓名'])).toEqual(['王小明', '=李四', '赵六', '钱七']);
      expect(people.map((p) => p['证件号码'])).toEqual([ID_A, ID_B, ID_C, ID_D].map((id) => maskIdNumbers(id)));
      expect(people[0]?.['证件号码']).toBe(`${ID_A.slice(0, 6)}********${ID_A.slice(-4)}`);
      expect(people.map((p) => p['用工月数'])).toEqual([12, 2, 7, 4]);
      expect(people.map((p) => p['单位名称'])).toEqual(['苏州甲有限公司', '苏州甲有限公司', '苏州甲有限公司', '苏州乙有限公司']);
      expect(people.map((p) => p['单位序号'])).toEqual([e1['序号'], e1['序号'], e1['序号'], e2['序号']]);
      expect(people.map((p) => p['案件编号'])).toEqual(personCases.slice(0, 4));
      expect(String(people[0]?.['问题说明'])).toBe('【未参保职工】近12个月中有12个月在本单位领取工资薪金，未参加职工养老保险');
      expect(String(people[2]?.['问题说明'])).toMatch(/^【缴费基数偏低】个人养老缴费基数3000元/);
      // A name starting with = stays text (a string cell, never a formula).
      expect(ws.getCell(3, PERSON_SHEET_COLUMNS.indexOf('姓名') + 1).type).toBe(ExcelJS.ValueType.String);
      for (const p of people) {
        const values = Object.fromEntries(PERSON_PROTECTED_COLUMNS.map((c) => [c, p[c]])) as Record<(typeof PERSON_PROTECTED_COLUMNS)[number], unknown>;
        expect(p['校验码']).toBe(personRowChecksum(values));
        for (const c of ['核查结果', '核查日期', '核查人', '备注']) expect(p[c]).toBeNull();
      }
      // The dropdown, the date check, the frozen name, what prints.
      const col = (name: (typeof PERSON_SHEET_COLUMNS)[number]): string => String.fromCharCode(65 + PERSON_SHEET_COLUMNS.indexOf(name));
      for (const r of [2, 5]) {
        expect(ws.getCell(`${col('核查结果')}${r}`).dataValidation).toMatchObject({ type: 'list', formulae: [`"${PERSON_RESULT_VALUES.join(',')}"`] });
        expect(ws.getCell(`${col('核查日期')}${r}`).dataValidation.type).toBe('date');
        expect(ws.getCell(`${col('核查日期')}${r}`).numFmt).toBe('yyyy-mm-dd');
      }
      // What prints (序号 .. 备注) stays within 130 units, as on 清单: A4 landscape prints it at 9 pt or more.
      expect(
        PERSON_SHEET_COLUMNS.slice(0, PERSON_SHEET_COLUMNS.indexOf('备注') + 1).reduce(
          (n, c) => n + (ws.getColumn(PERSON_SHEET_COLUMNS.indexOf(c) + 1).width ?? 0),
          0,
        ),
      ).toBeLessThanOrEqual(130);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 1 });
      expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 });
      expect(ws.pageSetup.printArea).toBe(`A1:${col('备注')}5`);
      expect(ws.getColumn(PERSON_SHEET_COLUMNS.indexOf('校验码') + 1).hidden).toBe(true);
      expect(ws.getCell(2, PERSON_SHEET_COLUMNS.indexOf('核查结果') + 1).protection?.locked).toBe(false);
      expect(ws.getCell(2, PERSON_SHEET_COLUMNS.indexOf('证件号码') + 1).protection?.locked).not.toBe(false);
      expect(ws.getCell(2, 1).font?.size).toBeGreaterThanOrEqual(11);

      // The 说明 sheet says how to answer the people; the person alone (断缴) is on no worklist.
      const guide = (wb.getWorksheet('说明') as ExcelJS.Worksheet).getSheetValues().flat().map(String).join('\n');
      expect(guide).toContain('核查人员数');
      expect(guide).toContain(PERSON_RESULT_VALUES.join('、'));
      expect(guide).toContain('人员核查结果的作用');
      const all = await xlsxText(file);
      expect(all).not.toContain('孙八');
      // No full ID number anywhere in the file.
      for (const id of FULL_IDS) expect(all).not.toContain(id);
      expect(all).toContain(maskIdNumbers(ID_A));

      // The 人员清单 sheet's XML in schema order, like the 清单 (sheetProtection before autoFilter and dataValidations).
      const zip = await JSZip.loadAsync(fs.readFileSync(file));
      const xml = await (zip.file('xl/worksheets/sheet3.xml') as JSZip.JSZipObject).async('string');
      expect(xml).toContain('<autoFilter');
      const at = (name: string): number => xml.indexOf(`<${name}`);
      expect(at('sheetProtection')).toBeLessThan(at('autoFilter'));
      expect(at('autoFilter')).toBeLessThan(at('dataValidations'));
      expect(WORKSHEET_ELEMENT_ORDER.indexOf('autoFilter')).toBeLessThan(WORKSHEET_ELEMENT_ORDER.indexOf('dataValidations'));
    });
  });

  it('continues 人员清单 in 人员清单2 beyond the row limit', async () => {
    await withDb(async (db) => {
      await seed(db);
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', runDir: dir }), { maxRowsPerSheet: 3 });
      const wb = await openBook(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'));
      expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '清单', '人员清单', '人员清单2', '入户核查表']);
      expect(sheetRows(wb.getWorksheet('人员清单2') as ExcelJS.Worksheet).map((p) => p['序号'])).toEqual([3, 4]);
    });
  });

  it('reads answers on 人员清单 back into feedback rows of the right cases; an edited row is refused', async () => {
    await withDb(async (db) => {
      const { personCases } = await seed(db);
      const dir = tempDir();
      const ctx = testContext({ runId: 'run-1', runDir: dir });
      await writeWorklists(db, ctx);
      const wb = await openBook(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'));
      const ws = wb.getWorksheet('人员清单') as ExcelJS.Worksheet;
      const c = (name: (typeof PERSON_SHEET_COLUMNS)[number]): number => PERSON_SHEET_COLUMNS.indexOf(name) + 1;
      const answers: Array<[number, string, string | null]> = [
        [2, '已离职', '2026-09 离职'],
        [3, '其他', '本人拒绝参保'],
        [4, '退休返聘', null],
      ];
      for (const [row, result, remark] of answers) {
        ws.getCell(row, c('核查结果')).value = result;
        ws.getCell(row, c('核查日期')).value = new Date(Date.UTC(2026, 10, 5));
        ws.getCell(row, c('核查人')).value = '网格员甲';
        if (remark) ws.getCell(row, c('备注')).value = remark;
      }
      // Row 5 (钱七): the worker also changed the masked ID by hand: refused whole.
      ws.getCell(5, c('核查结果')).value = '已参保';
      ws.getCell(5, c('核查日期')).value = new Date(Date.UTC(2026, 10, 5));
      ws.getCell(5, c('证件号码')).value = '320505********9999';
      const returned = path.join(tempDir(), 'returned.xlsx');
      await wb.xlsx.writeFile(returned);

      const read = await readWorklistFile(returned, '2026-12-31');
      expect(read.map((r) => [r.sheet, r.list, r.caseIds, r.result, r.problem?.code ?? null])).toEqual([
        ['人员清单', 'person', [personCases[0]], '已离职', null],
        ['人员清单', 'person', [personCases[1]], '其他', null],
        ['人员清单', 'person', [personCases[2]], '退休返聘', null],
        ['人员清单', 'person', [personCases[3]], '已参保', 'checksum'],
      ]);

      const summary = await applyFeedback(db, testContext({ runId: 'run-2', runDir: tempDir() }), [returned], {
        asOf: '2026-11-30',
        now: new Date('2026-11-30T02:00:00Z'),
      });
      expect(summary).toMatchObject({ rows: 4, appliedRows: 3, rejectedRows: 1 });
      const fb = await rows(db, `SELECT case_id, sheet, "row", result, checked_on, checker, remarks, status, reason_code FROM feedback ORDER BY "row"`);
      expect(fb).toEqual([
        {
          case_id: personCases[0],
          sheet: '人员清单',
          row: 2,
          result: '已离职',
          checked_on: '2026-11-05',
          checker: '网格员甲',
          remarks: '2026-09 离职',
          status: 'applied',
          reason_code: null,
        },
        {
          case_id: personCases[1],
          sheet: '人员清单',
          row: 3,
          result: '其他',
          checked_on: '2026-11-05',
          checker: '网格员甲',
          remarks: '本人拒绝参保',
          status: 'applied',
          reason_code: null,
        },
        {
          case_id: personCases[2],
          sheet: '人员清单',
          row: 4,
          result: '退休返聘',
          checked_on: '2026-11-05',
          checker: '网格员甲',
          remarks: null,
          status: 'applied',
          reason_code: null,
        },
        {
          case_id: personCases[3],
          sheet: '人员清单',
          row: 5,
          result: '已参保',
          checked_on: '2026-11-05',
          checker: null,
          remarks: null,
          status: 'rejected',
          reason_code: 'checksum',
        },
      ]);
      // What the answers did is cases/answers.ts's (B): a verified fact exempts, 其他 keeps the person listed.
      const states = await rows(db, `SELECT case_id, state FROM cases WHERE case_id IN ($1, $2, $3) ORDER BY case_id`, personCases.slice(0, 3));
      expect(states).toEqual([
        { case_id: personCases[0], state: 'exempt' },
        { case_id: personCases[1], state: 'new' },
        { case_id: personCases[2], state: 'exempt' },
      ]);
    });
  });

  it('refuses an answer from the employer dropdown on 人员清单, and a filled employer row that has people only', async () => {
    await withDb(async (db) => {
      await seed(db);
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', runDir: dir }));
      const wb = await openBook(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'));
      const ws = wb.getWorksheet('人员清单') as ExcelJS.Worksheet;
      ws.getCell(2, PERSON_SHEET_COLUMNS.indexOf('核查结果') + 1).value = '限期整改';
      ws.getCell(2, PERSON_SHEET_COLUMNS.indexOf('核查日期') + 1).value = '2026-11-05';
      const list = wb.getWorksheet('清单') as ExcelJS.Worksheet;
      const e2 = sheetRows(list).findIndex((r) => r['单位名称'] === '苏州乙有限公司') + 2;
      list.getCell(e2, WORKLIST_SHEET_COLUMNS.indexOf('核查结果') + 1).value = '已督促';
      list.getCell(e2, WORKLIST_SHEET_COLUMNS.indexOf('核查日期') + 1).value = '2026-11-05';
      const returned = path.join(tempDir(), 'returned.xlsx');
      await wb.xlsx.writeFile(returned);
      const read = await readWorklistFile(returned, '2026-12-31');
      expect(read.map((r) => [r.sheet, r.problem?.code])).toEqual([
        ['清单', 'missing_case_id'],
        ['人员清单', 'invalid_result'],
      ]);
      expect(read[0]?.problem?.reason).toContain('人员清单');
      expect(read[1]?.problem?.reason).toContain(PERSON_RESULT_VALUES.join('、'));
    });
  });
});
