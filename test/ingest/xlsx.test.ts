import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

const TITLE = 'XX区市场主体登记信息（截至2026年10月31日）';
const HEADER = ['统一社会信用代码', '企业名称', '成立日期', '登记状态', '注册资本', '从业人数', '所属区县代码'];

/** Writes a workbook whose first sheet holds `rows` as given (row 1 first). */
async function writeWorkbook(dir: string, name: string, sheetRows: unknown[][]): Promise<string> {
  const file = path.join(dir, name);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('存续企业');
  for (const r of sheetRows) ws.addRow(r);
  await wb.xlsx.writeFile(file);
  return file;
}

const utc = (y: number, m: number, d: number): Date => new Date(Date.UTC(y, m - 1, d));

describe('xlsx', () => {
  it('finds the header below two title rows, reads real dates and numbers, and reports rejects by sheet row', async () => {
    const dir = tempDir();
    const file = await writeWorkbook(dir, 'export (3).xlsx', [
      [TITLE], // row 1
      ['单位：万元人民币'], // row 2
      HEADER, // row 3
      ['91110108MA01ABCD2X', '北京中关村科技有限公司', utc(2024, 1, 5), '存续', 50, 12, '110108'], // row 4
      ['91110105MA01EFGH3Y', '朝阳区老字号餐饮店', '2019/3/7', '在业', '20(万美元)', 3, '110105'], // row 5
      [], // row 6: empty, skipped but still counted by Excel
      ['91110105MA01XXXX9Z', '坏日期有限公司', '2024-13-45', '存续', 10, 1, '110105'], // row 7: rejected
      ['91110105MA01YYYY8W', '', utc(2020, 6, 30), '存续', 10, 1, '110105'], // row 8: rejected, no name
      ['91110105MA01ZZZZ7V', '多一列有限公司', utc(2020, 6, 30), '存续', 10, 1, '110105', '多余'], // row 9: too wide
    ]);
    await withDb(async (db) => {
      const result = await load(db, file, { defaultAsOf: '2027-01-15' });
      expect(result).toMatchObject({ status: 'loaded', kind: 'registration', rowsLoaded: 2, rowsRejected: 3, asOf: '2026-10-31' });
      expect(
        await rows(
          db,
          `SELECT src_line, uscc, name, established_on, status_class, capital, capital_wan, capital_currency, employees, district_code
           FROM registration ORDER BY src_line`,
        ),
      ).toEqual([
        {
          src_line: 4,
          uscc: '91110108MA01ABCD2X',
          name: '北京中关村科技有限公司',
          established_on: '2024-01-05',
          status_class: 'active',
          capital: '50',
          capital_wan: 50,
          capital_currency: '人民币',
          employees: 12,
          district_code: '110108',
        },
        {
          src_line: 5,
          uscc: '91110105MA01EFGH3Y',
          name: '朝阳区老字号餐饮店',
          established_on: '2019-03-07',
          status_class: 'active',
          capital: '20(万美元)',
          capital_wan: 20,
          capital_currency: '美元',
          employees: 3,
          district_code: '110105',
        },
      ]);
      expect(await rows(db, 'SELECT file_name, line, column_name, reason FROM rejects ORDER BY line')).toEqual([
        { file_name: 'export (3).xlsx', line: 7, column_name: 'established_on', reason: 'unreadable date' },
        { file_name: 'export (3).xlsx', line: 8, column_name: 'name', reason: 'missing required value' },
        { file_name: 'export (3).xlsx', line: 9, column_name: null, reason: 'wrong column count: more fields than headers' },
      ]);
      const [m] = await rows(db, 'SELECT format, sheet, header_line, as_of, as_of_source, rows_read FROM manifest');
      expect(m).toEqual({ format: 'xlsx', sheet: '存续企业', header_line: 3, as_of: '2026-10-31', as_of_source: 'title', rows_read: 5 });
    });
  });

  it('reads a header on the first row and a sheet of text-typed codes with leading zeros', async () => {
    const dir = tempDir();
    const file = await writeWorkbook(dir, '参保登记.xlsx', [
      ['单位编号', '单位名称', '险种', '参保状态', '参保日期', '参保人数'],
      ['000123', '北京某某科技有限公司', 110, 1, utc(2015, 7, 1), 25],
      ['000456', '北京某某餐饮有限公司', '工伤保险', '参保缴费', '45296', 4],
    ]);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', kind: 'si_enrollment', rowsLoaded: 2, asOf: '2026-10-31' });
      expect(await rows(db, 'SELECT src_line, unit_id, insurance_code, status_class, enrolled_on, insured_count FROM si_enrollment ORDER BY src_line')).toEqual(
        [
          { src_line: 2, unit_id: '000123', insurance_code: '110', status_class: 'active', enrolled_on: '2015-07-01', insured_count: 25 },
          { src_line: 3, unit_id: '000456', insurance_code: '410', status_class: 'active', enrolled_on: '2024-01-05', insured_count: 4 },
        ],
      );
    });
  });
});

describe('xlsx sheets', () => {
  it('skips an empty first sheet, or reads the sheet named; an empty header cell is a column of its own', async () => {
    const dir = tempDir();
    const file = path.join(dir, '参保.xlsx');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明');
    const data = wb.addWorksheet('数据');
    data.addRow(['单位编号', null, '单位名称', '险种', '参保状态']);
    data.addRow(['000123', '备注', '北京甲科技有限公司', '110', '1']);
    const other = wb.addWorksheet('上月');
    other.addRow(['单位编号', '单位名称', '险种', '参保状态']);
    other.addRow(['000999', '北京乙科技有限公司', '210', '2']);
    await wb.xlsx.writeFile(file);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: 1, rowsRejected: 0 });
      expect(await rows(db, 'SELECT unit_id, name, insurance_code FROM si_enrollment')).toEqual([
        { unit_id: '000123', name: '北京甲科技有限公司', insurance_code: '110' },
      ]);
      expect(await rows(db, 'SELECT sheet FROM manifest')).toEqual([{ sheet: '数据' }]);
    });
    await withDb(async (db) => {
      expect(await load(db, file, { sheet: '上月' })).toMatchObject({ status: 'loaded', rowsLoaded: 1 });
      expect(await rows(db, 'SELECT unit_id, status_class FROM si_enrollment')).toEqual([{ unit_id: '000999', status_class: 'suspended' }]);
    });
    await withDb(async (db) => {
      const missing = await load(db, file, { sheet: '本月' });
      expect(missing).toMatchObject({ status: 'refused', reason: 'no_sheet' });
      expect(missing.status === 'refused' && missing.message).toContain('found: 说明, 数据, 上月');
    });
  });
});

describe('as-of date', () => {
  const body = '统一社会信用代码,企业名称,成立日期,登记状态\n91110108MA01ABCD2X,北京中关村科技有限公司,2024-01-05,存续\n';

  it('comes from a title row when the file name has none', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'export (3).csv', `${TITLE}\n${body}`);
    await withDb(async (db) => {
      expect(await load(db, file, { defaultAsOf: '2027-01-15' })).toMatchObject({ status: 'loaded', asOf: '2026-10-31' });
      expect(await rows(db, 'SELECT header_line, as_of_source FROM manifest')).toEqual([{ header_line: 2, as_of_source: 'title' }]);
      expect(await rows(db, 'SELECT DISTINCT as_of, src_line FROM registration')).toEqual([{ as_of: '2026-10-31', src_line: 3 }]);
    });
  });

  for (const name of ['市场监管_存续企业_20261031.csv', '存续企业_2026-10.csv', '市场监管_存续企业_202610.csv']) {
    it(`comes from the file name: ${name}`, async () => {
      const dir = tempDir();
      const file = writeText(dir, name, body);
      await withDb(async (db) => {
        expect(await load(db, file, { defaultAsOf: '2027-01-15' })).toMatchObject({ status: 'loaded', asOf: '2026-10-31' });
        expect(await rows(db, 'SELECT as_of, as_of_source FROM manifest')).toEqual([{ as_of: '2026-10-31', as_of_source: 'file_name' }]);
      });
    });
  }

  it('falls back to the run date, and the asOf option wins over the file name', async () => {
    const dir = tempDir();
    const plain = writeText(dir, 'export.csv', body);
    const named = writeText(dir, 'export_20260930.csv', body.replace('北京中关村', '上海浦东'));
    await withDb(async (db) => {
      expect(await load(db, plain, { defaultAsOf: '2027-01-15' })).toMatchObject({ asOf: '2027-01-15' });
      expect(await load(db, named, { defaultAsOf: '2027-01-15', asOf: '2027-02-01' })).toMatchObject({ asOf: '2027-02-01' });
      expect(await rows(db, 'SELECT as_of_source FROM manifest ORDER BY file_id')).toEqual([{ as_of_source: 'run' }, { as_of_source: 'flag' }]);
    });
  });
});
