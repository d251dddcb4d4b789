import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { withDb, tempDir, testContext } from '../helpers.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { WORKLIST_COLUMNS, RESULT_VALUES, rowChecksum, PROTECTED_COLUMNS } from '../../src/cases/worklist-layout.ts';
import { WORKSHEET_ELEMENT_ORDER, maskIdNumbers, displayWidth } from '../../src/core/xlsx-write.ts';
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
      expect(summary).toEqual({ workbooks: 2, rows: 4, cases: 5, unassignedRows: 1, per: 'street' });
      expect(fs.readdirSync(path.join(dir, 'worklists', '姑苏区')).sort()).toEqual(['未分街道.xlsx', '沧浪街道.xlsx']);

      const wb = await openBook(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'));
      expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '清单']);
      const guide = wb.getWorksheet('说明') as ExcelJS.Worksheet;
      const guideText = guide.getSheetValues().flat().map(String).join('\n');
      expect(guideText).toContain('2026-10-31');
      expect(guideText).toContain('核查结果');
      expect(guideText).toContain('不要修改其他单元格');
      expect(guideText).toMatch(/案件数\n4/);

      const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
      expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...WORKLIST_COLUMNS]);
      expect(ws.rowCount).toBe(4);
      // Priority: highest severity first, then the larger total amount.
      const names = [2, 3, 4].map((r) => ws.getCell(r, 3).value);
      expect(names).toEqual(['=HYPERLINK("http://x","y")', '+1+1', '苏州低优先级有限公司']);
      const first = ws.getRow(2);
      expect(first.getCell(2).value).toBe('C00000002、C00000003');
      expect(first.getCell(8).value).toBe('未参保、欠费');
      expect(first.getCell(9).value).toBe('【未参保】成立于2020-01-01，未办理社会保险登记\n【欠费】累计欠缴社保费2000.25元');
      expect(first.getCell(9).alignment?.wrapText).toBe(true);
      expect(first.getCell(10).value).toBeCloseTo(3000.75, 2);
      expect(first.getCell(10).numFmt).toBe('#,##0.00');
      expect(first.getCell(11).value).toBe('高');
      expect(ws.getCell(4, 11).value).toBe('低');
      // Only a valid USCC is written; ID numbers are masked wherever they appear.
      expect(first.getCell(4).value).toBeNull();
      expect(ws.getCell(3, 4).value).toBeNull(); // fails its check character
      expect(ws.getCell(4, 4).value).toBe(VALID_USCC);
      expect(first.getCell(5).value).toBe('李四 320502********1234');
      // Text that looks like a formula stays a plain string cell.
      for (const [cell, text] of [
        [ws.getCell('C2'), '=HYPERLINK("http://x","y")'],
        [ws.getCell('G2'), '@SUM(A1)'],
        [ws.getCell('C3'), '+1+1'],
        [ws.getCell('F3'), '-2'],
      ] as const) {
        expect(cell.type).toBe(ExcelJS.ValueType.String);
        expect(cell.value).toBe(text);
        expect(cell.formula).toBeUndefined();
      }
      // Fill-in columns unlocked, everything else locked; the checksum column hidden.
      for (const [i, column] of WORKLIST_COLUMNS.entries()) {
        const fillIn = ['核查结果', '核查日期', '整改期限', '核查人', '备注'].includes(column);
        expect(ws.getCell(2, i + 1).protection?.locked ?? true, column).toBe(!fillIn);
      }
      expect(ws.getColumn(17).hidden).toBe(true);
      expect(ws.getColumn(3).width).toBeGreaterThanOrEqual(displayWidth('苏州低优先级有限公司'));
      const checksumCell = ws.getCell(2, 17).value as string;
      expect(checksumCell).toMatch(/^[0-9a-f]{16}$/);
      expect(checksumCell).toBe(rowChecksum(Object.fromEntries(PROTECTED_COLUMNS.map((c, i) => [c, first.getCell(i + 1).value])) as never));
      // Validation: the dropdown list and the date range.
      const list = ws.getCell('L3').dataValidation;
      expect(list.type).toBe('list');
      expect(list.formulae).toEqual([`"${RESULT_VALUES.join(',')}"`]);
      expect(RESULT_VALUES).toEqual(['已参保', '已督促', '限期整改', '无雇工', '已注销或迁出', '查无此单位', '其他']);
      const date = ws.getCell('M2').dataValidation;
      expect(date.type).toBe('date');
      expect((date.formulae as Date[]).map((d) => d.toISOString().slice(0, 10))).toEqual(['2020-01-01', '2099-12-31']);
      expect(ws.getCell('M2').numFmt).toBe('yyyy-mm-dd');
      // 整改期限: the same date range and format as 核查日期.
      expect(ws.getRow(1).getCell(14).value).toBe('整改期限');
      const deadline = ws.getCell('N2').dataValidation;
      expect(deadline.type).toBe('date');
      expect((deadline.formulae as Date[]).map((d) => d.toISOString().slice(0, 10))).toEqual(['2020-01-01', '2099-12-31']);
      expect(ws.getCell('N2').numFmt).toBe('yyyy-mm-dd');
      // Protection without a password; filtering allowed, structure changes not.
      const protection = (ws as unknown as { sheetProtection: Record<string, unknown> }).sheetProtection;
      expect(protection).toMatchObject({ sheet: true, autoFilter: true, formatColumns: true, formatRows: true });
      expect(protection['hashValue']).toBeUndefined();
      expect(protection['insertRows']).toBeUndefined();
      // View and print.
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.autoFilter).toBe('A1:P4');
      expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' });
      expect(ws.headerFooter.oddFooter).toBe('&C第 &P 页 / 共 &N 页');
      expect(ws.headerFooter.oddHeader).toContain('姑苏区 沧浪街道');
    });
  });

  it('writes the sheet XML in schema order: sheetProtection before autoFilter and dataValidations', async () => {
    await withDb(async (db) => {
      await seedWorklistDb(db, EMPLOYERS);
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      const zip = await JSZip.loadAsync(fs.readFileSync(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx')));
      for (const name of ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml']) {
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
      expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '清单', '清单2', '清单3']);
      expect(wb.worksheets.map((w) => w.rowCount)).toEqual([expect.any(Number), 10, 10, 3]);
      const third = wb.getWorksheet('清单3') as ExcelJS.Worksheet;
      expect((third.getRow(1).values as unknown[]).slice(1)).toEqual([...WORKLIST_COLUMNS]);
      expect(third.getCell('A2').value).toBe(19);
      expect(third.getCell('C3').value).toBe('单位19');
      expect(third.autoFilter).toBe('A1:P3');
      expect(third.getCell('L3').dataValidation.type).toBe('list');
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
      expect((wb.getWorksheet('清单') as ExcelJS.Worksheet).getCell('C2').value).toBe('甲');
      const guide = (wb.getWorksheet('说明') as ExcelJS.Worksheet).getSheetValues().flat().map(String).join('\n');
      expect(guide).toContain('王五（13900000001）');
    });
  });

  it('masks resident ID numbers but not USCCs or phone numbers', () => {
    expect(maskIdNumbers('身份证 11010519491231002X，电话13800000000')).toBe('身份证 110105********002X，电话13800000000');
    expect(maskIdNumbers('旧号 110105491231002')).toBe('旧号 110105*****1002');
    expect(maskIdNumbers('913205835148050767')).toBe('913205835148050767');
  });
});
