import { describe, expect, it } from 'vitest';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

describe('value issues', () => {
  it('an unreadable optional value keeps the row, is nulled and recorded', async () => {
    const text = [
      '统一社会信用代码,企业名称,成立日期,登记状态,从业人数,注销日期,注册资本',
      '91110108MA01AAAA1X,北京甲科技有限公司,2024-01-05,存续,约20人,2024-02-30,五十万',
      '91110108MA01BBBB2X,北京乙科技有限公司,2024-01-05,存续,20,2025-03-01,50',
    ].join('\n');
    const dir = tempDir();
    const file = writeText(dir, 'issues.csv', `${text}\n`);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: 2, rowsRejected: 0, valuesFlagged: 3 });
      expect(await rows(db, 'SELECT src_line, employees, closed_on, capital, capital_wan FROM registration ORDER BY src_line')).toEqual([
        { src_line: 2, employees: null, closed_on: null, capital: '五十万', capital_wan: null },
        { src_line: 3, employees: 20, closed_on: '2025-03-01', capital: '50', capital_wan: 50 },
      ]);
      expect(await rows(db, 'SELECT file_name, kind, line, column_name, value, reason, action FROM value_issues ORDER BY column_name')).toEqual([
        { file_name: 'issues.csv', kind: 'registration', line: 2, column_name: 'capital', value: '五十万', reason: 'unreadable capital', action: 'nulled' },
        { file_name: 'issues.csv', kind: 'registration', line: 2, column_name: 'closed_on', value: '2024-02-30', reason: 'unreadable date', action: 'nulled' },
        {
          file_name: 'issues.csv',
          kind: 'registration',
          line: 2,
          column_name: 'employees',
          value: '约20人',
          reason: 'unreadable whole number',
          action: 'nulled',
        },
      ]);
      expect(await rows(db, 'SELECT count(*) AS n FROM rejects')).toEqual([{ n: 0 }]);
      expect(await rows(db, 'SELECT values_flagged FROM manifest')).toEqual([{ values_flagged: 3 }]);
    });
  });

  it('an unknown status is kept as written with a NULL class and recorded as kept', async () => {
    const text = [
      '统一社会信用代码,企业名称,成立日期,登记状态',
      '91110108MA01AAAA1X,北京甲科技有限公司,2024-01-05,存续',
      '91110108MA01BBBB2X,北京乙科技有限公司,2024-01-05,待核实',
    ].join('\n');
    const dir = tempDir();
    const file = writeText(dir, 'status.csv', `${text}\n`);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: 2, rowsRejected: 0, valuesFlagged: 1 });
      expect(await rows(db, 'SELECT src_line, status, status_class FROM registration ORDER BY src_line')).toEqual([
        { src_line: 2, status: '存续', status_class: 'active' },
        { src_line: 3, status: '待核实', status_class: null },
      ]);
      expect(await rows(db, 'SELECT line, column_name, value, reason, action FROM value_issues')).toEqual([
        { line: 3, column_name: 'status', value: '待核实', reason: 'unknown value', action: 'kept' },
      ]);
    });
  });

  it('an unknown insurance type in a required column keeps the enrollment row', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'enrol.csv', '单位编号,单位名称,险种,参保状态\n000123,北京甲科技有限公司,大病保险,参保缴费\n', 'gbk');
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: 1, rowsRejected: 0, valuesFlagged: 1 });
      expect(await rows(db, 'SELECT insurance_type, insurance_code, status_class FROM si_enrollment')).toEqual([
        { insurance_type: '大病保险', insurance_code: null, status_class: 'active' },
      ]);
      expect(await rows(db, 'SELECT column_name, value, action FROM value_issues')).toEqual([
        { column_name: 'insurance_type', value: '大病保险', action: 'kept' },
      ]);
    });
  });
});
