import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { withDb, tempDir, testContext } from '../helpers.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { WORKLIST_SHEET_COLUMNS, RESULT_VALUES, rowChecksum, PROTECTED_COLUMNS, FILL_IN_COLUMNS } from '../../src/cases/worklist-layout.ts';
import { FORM_LIMIT, FORM_SHEET } from '../../src/publish/worklist-print.ts';
import { WORKSHEET_ELEMENT_ORDER, maskIdNumbers } from '../../src/core/xlsx-write.ts';
import { seedWorklistDb, type SeedEmployer } from './seed.ts';

const VALID_USCC = '91320508MA7GE0588Y';

const EMPLOYERS: SeedEmployer[] = [
  {
    id: 'E1',
    name: '苏州低优先级有限公司',
    uscc: VALID_USCC,
    legalRep: '张三',
    phone: '13800000000',
    address: '苏州市姑苏区人民路1号',
    findings: [{ rule: 'closed_still_enrolled', severity: 'low', amount: null, text: '已注销仍参保' }],
  },
  {
    id: 'E2',
    name: '=HYPERLINK("http://x","y")',
    uscc: '320502199001011234', // an ID number in the code column: never written
    legalRep: '李四 320502199001011234',
    address: '@SUM(A1)',
    findings: [
      { rule: 'uninsured', severity: 'high', amount: 1000.5, text: '成立于2020-01-01，未办理社会保险登记' },
      { rule: 'arrears', severity: 'medium', amount: 2000.25, text: '累计欠缴社保费2000.25元' },
    ],
  },
  { id: 'E3', name: '+1+1', uscc: '91320508MA7GE0588X', phone: '-2', findings: [{ rule: 'uninsured', severity: 'high', amount: 500, text: '未参保' }] },
  { id: 'E4', name: '无街道单位', street: null, findings: [{ rule: 'lapsed', severity: 'medium', amount: 10, text: '断缴' }] },
  { id: 'E5', name: '已核销单位', findings: [{ rule: 'lapsed', severity: 'high', amount: 99999, text: '不应出现', state: 'exempt' }] },
];

/** 1-based column of a header in the worklist sheet. */
const C = (name: (typeof WORKLIST_SHEET_COLUMNS)[number]): number => WORKLIST_SHEET_COLUMNS.indexOf(name) + 1;
/** Column letter of a header. */
const L = (name: (typeof WORKLIST_SHEET_COLUMNS)[number]): string => String.fromCharCode(64 + C(name));

async function openBook(file: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb;
}

/** Top-level element names of a worksheet's XML, in document order. */
function topLevelElements(xml: string): string[] {
  const body = xml.slice(xml.indexOf('>', xml.indexOf('<worksheet')) + 1, xml.lastIndexOf('</worksheet>'));
  const names: string[] = [];
  let depth = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:]*)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (close) depth--;
    else {
      if (depth === 0) names.push(name as string);
      if (!selfClose) depth++;
    }
  }
  return names;
}

describe('writeWorklists', () => {
  it('writes one workbook per street with the 说明 sheet, the columns, validation, protection and print settings', async () => {
    await withDb(async (db) => {
      await seedWorklistDb(db, EMPLOYERS);
      const dir = tempDir();
      const summary = await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      expect(summary).toEqual({ workbooks: 2, rows: 4, cases: 5, people: 0, unassignedRows: 1, per: 'street', referred: 0 });
      expect(fs.readdirSync(path.join(dir, 'worklists', '姑苏区')).sort()).toEqual(['未分街道.xlsx', '沧浪街道.xlsx']);

      const wb = await openBook(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'));
      const guide = wb.getWorksheet('说明') as ExcelJS.Worksheet;
      const guideText = guide.getSheetValues().flat().map(String).join('\n');
      expect(guideText).toContain('2026-10-31');
      expect(guideText).toContain('核查结果');
      expect(guideText).toContain('不要修改其他单元格');
      expect(guideText).toMatch(/案件数\n4/);

      const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
      expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...WORKLIST_SHEET_COLUMNS]);
      // What a visit needs first, then the fill-in columns, then the reference columns.
      expect(WORKLIST_SHEET_COLUMNS.slice(0, 10)).toEqual(['序号', '单位名称', '地址', '联系电话', '问题说明', ...FILL_IN_COLUMNS]);
      expect(ws.rowCount).toBe(4);
      // Priority: highest severity first, then the larger total amount.
      const names = [2, 3, 4].map((r) => ws.getCell(r, C('单位名称')).value);
      expect(names).toEqual(['=HYPERLINK("http://x","y")', '+1+1', '苏州低优先级有限公司']);
      const first = ws.getRow(2);
      expect(first.getCell(C('案件编号')).value).toBe('C00000002、C00000003');
      expect(first.getCell(C('问题类型')).value).toBe('未参保、欠费');
      expect(first.getCell(C('问题说明')).value).toBe('【未参保】成立于2020-01-01，未办理社会保险登记\n【欠费】累计欠缴社保费2000.25元');
      expect(first.getCell(C('问题说明')).alignment?.wrapText).toBe(true);
      expect(first.getCell(C('估算金额')).value).toBeCloseTo(3000.75, 2);
      expect(first.getCell(C('估算金额')).numFmt).toBe('#,##0.00');
      expect(first.getCell(C('优先级')).value).toBe('高');
      expect(ws.getCell(4, C('优先级')).value).toBe('低');
      // The address says where it comes from.
      expect(ws.getCell(4, C('地址')).value).toBe('苏州市姑苏区人民路1号\n〔来源：市场监管登记住所〕');
      // Only a valid USCC is written; ID numbers are masked wherever they appear.
      expect(first.getCell(C('统一社会信用代码')).value).toBeNull();
      expect(ws.getCell(3, C('统一社会信用代码')).value).toBeNull(); // fails its check character
      expect(ws.getCell(4, C('统一社会信用代码')).value).toBe(VALID_USCC);
      expect(first.getCell(C('法定代表人')).value).toBe('李四 320502********1234');
      // Text that looks like a formula stays a plain string cell.
      for (const [cell, text] of [
        [ws.getCell(2, C('单位名称')), '=HYPERLINK("http://x","y")'],
        [ws.getCell(2, C('地址')), '@SUM(A1)\n〔来源：市场监管登记住所〕'],
        [ws.getCell(3, C('单位名称')), '+1+1'],
        [ws.getCell(3, C('联系电话')), '-2'],
      ] as const) {
        expect(cell.type).toBe(ExcelJS.ValueType.String);
        expect(cell.value).toBe(text);
        expect(cell.formula).toBeUndefined();
      }
      // Fill-in columns unlocked, everything else locked; the checksum column hidden; borders and an 11 pt body everywhere.
      for (const [i, column] of WORKLIST_SHEET_COLUMNS.entries()) {
        const fillIn = (FILL_IN_COLUMNS as readonly string[]).includes(column);
        const cell = ws.getCell(2, i + 1);
        expect(cell.protection?.locked ?? true, column).toBe(!fillIn);
        expect(cell.border?.left?.style, column).toBe('thin');
        expect(cell.border?.bottom?.style, column).toBe('thin');
        expect(cell.font?.size, column).toBe(11);
      }
      expect(ws.getColumn(C('校验码')).hidden).toBe(true);
      // Handwriting columns are wide enough to write in (9 units: 1.7 cm in Excel; the 入户核查表 has more room).
      for (const c of ['核查结果', '核查日期', '整改期限', '核查人', '备注'] as const) expect(ws.getColumn(C(c)).width, c).toBeGreaterThanOrEqual(9);
      // What prints (序号 .. 备注) stays within 130 units, so A4 landscape prints it at 9 pt or more.
      expect(WORKLIST_SHEET_COLUMNS.slice(0, C('备注')).reduce((n, c) => n + (ws.getColumn(C(c)).width ?? 0), 0)).toBeLessThanOrEqual(130);
      // Rows leave room for handwriting.
      expect(ws.getRow(3).height).toBeGreaterThanOrEqual(28);
      const checksumCell = ws.getCell(2, C('校验码')).value as string;
      expect(checksumCell).toMatch(/^[0-9a-f]{16}$/);
      expect(checksumCell).toBe(rowChecksum(Object.fromEntries(PROTECTED_COLUMNS.map((c) => [c, first.getCell(C(c)).value])) as never));
      // Validation: the dropdown list and the date range.
      const list = ws.getCell(`${L('核查结果')}3`).dataValidation;
      expect(list.type).toBe('list');
      expect(list.formulae).toEqual([`"${RESULT_VALUES.join(',')}"`]);
      expect(RESULT_VALUES).toEqual(['已参保', '已督促', '限期整改', '无雇工', '已注销或迁出', '查无此单位', '其他']);
      const date = ws.getCell(`${L('核查日期')}2`).dataValidation;
      expect(date.type).toBe('date');
      expect((date.formulae as Date[]).map((d) => d.toISOString().slice(0, 10))).toEqual(['2020-01-01', '2099-12-31']);
      expect(ws.getCell(`${L('核查日期')}2`).numFmt).toBe('yyyy-mm-dd');
      // 整改期限: the same date range and format as 核查日期.
      const deadline = ws.getCell(`${L('整改期限')}2`).dataValidation;
      expect(deadline.type).toBe('date');
      expect((deadline.formulae as Date[]).map((d) => d.toISOString().slice(0, 10))).toEqual(['2020-01-01', '2099-12-31']);
      expect(ws.getCell(`${L('整改期限')}2`).numFmt).toBe('yyyy-mm-dd');
      // Protection without a password; filtering allowed, structure changes not.
      const protection = (ws as unknown as { sheetProtection: Record<string, unknown> }).sheetProtection;
      expect(protection).toMatchObject({ sheet: true, autoFilter: true, formatColumns: true, formatRows: true });
      expect(protection['hashValue']).toBeUndefined();
      expect(protection['insertRows']).toBeUndefined();
      // View: the header row and the name column frozen. Print: the visit columns (序号 .. 备注) on A4 landscape.
      expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 1 });
      expect(ws.autoFilter).toBe(`A1:${L('法定代表人')}4`);
      expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' });
      expect(ws.pageSetup.printArea).toBe(`A1:${L('备注')}4`);
      expect(ws.headerFooter.oddFooter).toBe('&C&11第 &P 页 / 共 &N 页');
      expect(ws.headerFooter.oddHeader).toContain('姑苏区 沧浪街道');

      // The 说明 sheet: a step's number level with its text, what each answer does.
      const steps = [...Array(guide.rowCount).keys()].map((i) => guide.getRow(i + 1)).filter((r) => /^\d$/.test(String(r.getCell(1).value ?? '')));
      expect(steps.map((r) => r.getCell(1).value)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
      for (const r of steps) {
        expect(r.getCell(1).alignment?.vertical).toBe('top');
        expect(r.getCell(2).alignment?.vertical).toBe('top');
      }
      expect(guideText).toContain('入户核查表');
      expect(guideText).toMatch(/已注销或迁出\n.*注销仍参保[^；]*转社保经办机构/);

      // 入户核查表: one portrait page per employer (a page break after each but the last), nothing to fill in on screen.
      const form = wb.getWorksheet(FORM_SHEET) as ExcelJS.Worksheet;
      expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '清单', FORM_SHEET]);
      expect(form.pageSetup).toMatchObject({ orientation: 'portrait', paperSize: 9 });
      const titles = [...Array(form.rowCount).keys()].filter((i) => form.getCell(i + 1, 1).value === '入户核查表');
      expect(titles).toHaveLength(3);
      const zip = await JSZip.loadAsync(fs.readFileSync(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx')));
      const formXml = await (zip.file('xl/worksheets/sheet3.xml') as JSZip.JSZipObject).async('string');
      expect(formXml.match(/<brk /g)).toHaveLength(2);
      expect(await (zip.file('xl/workbook.xml') as JSZip.JSZipObject).async('string')).toContain(
        `<definedName name="_xlnm.Print_Area" localSheetId="1">&apos;清单&apos;!$A$1:$${L('备注')}$4</definedName>`,
      );
      const formText = form.getSheetValues().flat().map(String).join('\n');
      expect(formText).toContain('□ 已注销或迁出');
      expect(formText).toContain('核查人（签名）');
      expect(formText).toContain('苏州低优先级有限公司');
    });
  });

  it('writes the sheet XML in schema order: sheetProtection before autoFilter and dataValidations', async () => {
    await withDb(async (db) => {
      await seedWorklistDb(db, EMPLOYERS);
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      const zip = await JSZip.loadAsync(fs.readFileSync(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx')));
      for (const name of ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/worksheets/sheet3.xml']) {
        const elements = topLevelElements(await (zip.file(name) as JSZip.JSZipObject).async('string'));
        const ranks = elements.map((e) => WORKSHEET_ELEMENT_ORDER.indexOf(e as never));
        expect(ranks, `${name}: ${elements.join(', ')}`).not.toContain(-1);
        expect(ranks, `${name}: ${elements.join(', ')}`).toEqual([...ranks].sort((a, b) => a - b));
      }
      const list = await (zip.file('xl/worksheets/sheet2.xml') as JSZip.JSZipObject).async('string');
      expect(topLevelElements(list)).toEqual(
        expect.arrayContaining(['sheetData', 'sheetProtection', 'autoFilter', 'dataValidations', 'pageSetup', 'headerFooter']),
      );
      const at = (e: string): number => list.indexOf(`<${e}`);
      expect(at('sheetProtection')).toBeLessThan(at('autoFilter'));
      expect(at('autoFilter')).toBeLessThan(at('dataValidations'));
      expect(list).not.toMatch(/<sheetProtection[^>]*(password|hashValue)/);
      // Formula-looking names are shared strings, not formulas.
      expect(list).not.toContain('<f>');
      const workbook = await (zip.file('xl/workbook.xml') as JSZip.JSZipObject).async('string');
      expect(workbook).toContain(`<definedName name="_xlnm.Print_Titles" localSheetId="1">&apos;清单&apos;!$1:$1</definedName>`);
    });
  });

  it('continues a sheet in 清单2, 清单3 beyond the row limit', async () => {
    await withDb(async (db) => {
      const many: SeedEmployer[] = Array.from({ length: 20 }, (_, i) => ({
        id: `M${String(i).padStart(3, '0')}`,
        name: `单位${i}`,
        findings: [{ rule: 'uninsured', severity: 'high', amount: 1000 - i, text: `证据${i}` }],
      }));
      await seedWorklistDb(db, many);
      const dir = tempDir();
      const summary = await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }), { maxRowsPerSheet: 10 });
      expect(summary.rows).toBe(20);
      const wb = await openBook(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'));
      expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '清单', '清单2', '清单3', FORM_SHEET]);
      expect(wb.worksheets.slice(1, 4).map((w) => w.rowCount)).toEqual([10, 10, 3]);
      const third = wb.getWorksheet('清单3') as ExcelJS.Worksheet;
      expect((third.getRow(1).values as unknown[]).slice(1)).toEqual([...WORKLIST_SHEET_COLUMNS]);
      expect(third.getCell('A2').value).toBe(19);
      expect(third.getCell(3, C('单位名称')).value).toBe('单位19');
      expect(third.autoFilter).toBe(`A1:${L('法定代表人')}3`);
      expect(third.pageSetup.printArea).toBe(`A1:${L('备注')}3`);
      expect(third.getCell(`${L('核查结果')}3`).dataValidation.type).toBe('list');
      // One form per employer, across the sheets.
      const form = wb.getWorksheet(FORM_SHEET) as ExcelJS.Worksheet;
      expect([...Array(form.rowCount).keys()].filter((i) => form.getCell(i + 1, 1).value === '入户核查表')).toHaveLength(20);
    });
  });

  it(`writes the 入户核查表 of the first ${FORM_LIMIT} rows by priority only, and says so in 说明`, async () => {
    await withDb(async (db) => {
      await seedWorklistDb(
        db,
        Array.from({ length: FORM_LIMIT + 3 }, (_, i) => ({
          id: `F${String(i).padStart(3, '0')}`,
          name: `单位${i}`,
          findings: [{ rule: 'uninsured', severity: 'high' as const, amount: 1000 - i, text: `证据${i}` }],
        })),
      );
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      const wb = await openBook(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'));
      const form = wb.getWorksheet(FORM_SHEET) as ExcelJS.Worksheet;
      const pages = [...Array(form.rowCount).keys()].filter((i) => form.getCell(i + 1, 1).value === '入户核查表');
      expect(pages).toHaveLength(FORM_LIMIT);
      expect(String(form.getCell((pages.at(-1) as number) + 1, 2).value)).toContain(`序号 ${FORM_LIMIT}`);
      const guide = (wb.getWorksheet('说明') as ExcelJS.Worksheet).getSheetValues().flat().map(String).join('\n');
      expect(guide).toContain(`只含按优先级的前 ${FORM_LIMIT} 户`);
    });
  });

  it('writes one workbook per grid when a grid roster is loaded', async () => {
    await withDb(async (db) => {
      await seedWorklistDb(db, [
        { id: 'G1', name: '甲', address: '姑苏区沧浪街道新华社区1号', findings: [{ rule: 'uninsured', severity: 'high', amount: 1, text: 'a' }] },
        { id: 'G2', name: '乙', address: '姑苏区沧浪街道南门社区2号', findings: [{ rule: 'uninsured', severity: 'high', amount: 1, text: 'b' }] },
        { id: 'G3', name: '丙', address: '无社区地址', findings: [{ rule: 'uninsured', severity: 'high', amount: 1, text: 'c' }] },
        { id: 'G4', name: '丁', street: '双塔街道', address: '随便', findings: [{ rule: 'uninsured', severity: 'high', amount: 1, text: 'd' }] },
      ]);
      await db.run(
        `CREATE OR REPLACE VIEW grid_roster_current AS SELECT * FROM (VALUES
           ('沧浪街道', '新华社区', '第1网格', '王五', '13900000001', NULL),
           ('沧浪街道', '南门社区', '第2网格', '赵六', NULL, NULL),
           ('双塔街道', NULL, '双塔1格', '钱七', NULL, '320508')) t(street, community, grid, worker, phone, district_code)`,
      );
      const dir = tempDir();
      const summary = await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      expect(summary).toMatchObject({ per: 'grid', workbooks: 4, rows: 4, unassignedRows: 1 });
      expect(fs.readdirSync(path.join(dir, 'worklists', '姑苏区')).sort()).toEqual(
        ['双塔街道_双塔1格.xlsx', '沧浪街道_未分网格.xlsx', '沧浪街道_第1网格.xlsx', '沧浪街道_第2网格.xlsx'].sort(),
      );
      const wb = await openBook(path.join(dir, 'worklists', '姑苏区', '沧浪街道_第1网格.xlsx'));
      expect((wb.getWorksheet('清单') as ExcelJS.Worksheet).getCell(2, C('单位名称')).value).toBe('甲');
      const guide = (wb.getWorksheet('说明') as ExcelJS.Worksheet).getSheetValues().flat().map(String).join('\n');
      expect(guide).toContain('王五（13900000001）');
    });
  });

  it('gives streets whose names collide once sanitised (A/B片区, A:B片区) a file each: no worklist overwrites another', async () => {
    await withDb(async (db) => {
      await seedWorklistDb(db, [
        { id: 'S1', name: '斜杠单位', street: 'A/B片区', findings: [{ rule: 'uninsured', severity: 'high', amount: 3, text: 'a' }] },
        { id: 'S2', name: '冒号单位', street: 'A:B片区', findings: [{ rule: 'uninsured', severity: 'high', amount: 2, text: 'b' }] },
        { id: 'S3', name: '问号单位', street: 'A?B片区', findings: [{ rule: 'uninsured', severity: 'high', amount: 1, text: 'c' }] },
        { id: 'S4', name: '大小写单位', street: 'a_b片区', findings: [{ rule: 'uninsured', severity: 'high', amount: 1, text: 'd' }] },
      ]);
      const dir = tempDir();
      const summary = await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      expect(summary).toMatchObject({ workbooks: 4, rows: 4, cases: 4 });
      const files = fs.readdirSync(path.join(dir, 'worklists', '姑苏区')).sort();
      expect(files).toHaveLength(4);
      expect(files).toEqual(['A_B片区.xlsx', 'A_B片区_2.xlsx', 'A_B片区_3.xlsx', 'a_b片区_4.xlsx'].sort());
      // Every case is on exactly one worklist, and each file's 说明 names its street as written.
      const seen: string[] = [];
      const areas: string[] = [];
      for (const f of files) {
        const wb = await openBook(path.join(dir, 'worklists', '姑苏区', f));
        const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
        for (let r = 2; r <= ws.rowCount; r++) seen.push(String(ws.getCell(r, C('单位名称')).value));
        areas.push(String((wb.getWorksheet('说明') as ExcelJS.Worksheet).getCell(2, 2).value));
      }
      expect(seen.sort()).toEqual(['冒号单位', '大小写单位', '斜杠单位', '问号单位'].sort());
      expect(areas.sort()).toEqual(['姑苏区 A/B片区', '姑苏区 A:B片区', '姑苏区 A?B片区', '姑苏区 a_b片区'].sort());
    });
  });

  it('masks resident ID numbers but not USCCs or phone numbers', () => {
    expect(maskIdNumbers('身份证 11010519491231002X，电话13800000000')).toBe('身份证 110105********002X，电话13800000000');
    expect(maskIdNumbers('旧号 110105491231002')).toBe('旧号 110105*****1002');
    expect(maskIdNumbers('913205835148050767')).toBe('913205835148050767');
  });
});
