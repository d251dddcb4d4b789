import { describe, expect, it } from 'vitest';
import { findHeader } from '../../src/ingest/header.ts';
import { InputError } from '../../src/core/errors.ts';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

// 统一社会信用代码, 名称, 成立日期 and 状态 are spellings of both the market registry
// (registration) and the civil-affairs registry (civil_org): four columns each.
const AMBIGUOUS = '统一社会信用代码,名称,成立日期,状态\n51110000MJ0000001X,北京市某某协会,2015-06-01,正常\n';

describe('kind', () => {
  it('an ambiguous header set is refused with a message naming both kinds and --kind', async () => {
    expect(() => findHeader([['统一社会信用代码', '名称', '成立日期', '状态']], 'x.csv')).toThrow(InputError);
    const dir = tempDir();
    const file = writeText(dir, '登记.csv', AMBIGUOUS);
    await withDb(async (db) => {
      const result = await load(db, file);
      expect(result).toMatchObject({ status: 'refused', reason: 'ambiguous_kind' });
      expect(result.status === 'refused' && result.message).toBe(
        `Cannot tell the kind of "${file}": its headers fit both registration and civil_org. Name the kind with --kind, or map the file name to a kind in the pipeline file.`,
      );
      expect(await rows(db, `SELECT status, message FROM manifest`)).toEqual([
        { status: 'refused', message: result.status === 'refused' ? result.message : '' },
      ]);
    });
  });

  it('the kind option settles an ambiguous file', async () => {
    const dir = tempDir();
    const file = writeText(dir, '登记.csv', AMBIGUOUS);
    await withDb(async (db) => {
      expect(await load(db, file, { kind: 'civil_org' })).toMatchObject({ status: 'loaded', kind: 'civil_org', rowsLoaded: 1 });
      expect(await rows(db, 'SELECT uscc, name, status_class, established_on FROM civil_org')).toEqual([
        { uscc: '51110000MJ0000001X', name: '北京市某某协会', status_class: 'active', established_on: '2015-06-01' },
      ]);
      expect(await rows(db, 'SELECT count(*) AS n FROM registration')).toEqual([{ n: 0 }]);
      expect(await rows(db, 'SELECT kind FROM manifest')).toEqual([{ kind: 'civil_org' }]);
    });
  });

  it('one more matching column settles it without the option', async () => {
    const dir = tempDir();
    const file = writeText(
      dir,
      '社会组织.csv',
      '统一社会信用代码,名称,成立日期,状态,社会组织类型\n51110000MJ0000001X,北京市某某协会,2015-06-01,正常,社会团体\n',
    );
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', kind: 'civil_org' });
    });
  });

  it('a forced kind the headers do not fit is refused, naming what that kind misses', async () => {
    const dir = tempDir();
    const file = writeText(dir, '市场主体.csv', '统一社会信用代码,企业名称,成立日期,登记状态\n91110108MA01AAAA1X,北京甲科技有限公司,2024-01-05,存续\n');
    await withDb(async (db) => {
      const result = await load(db, file, { kind: 'civil_org' });
      expect(result).toMatchObject({ status: 'refused', kind: 'civil_org', reason: 'unknown_kind' });
      const message = result.status === 'refused' ? result.message : '';
      expect(message).toContain('as a civil_org file');
      expect(message).toContain('civil_org (社会组织登记信息) is missing 社会组织名称 (name; accepted: 社会组织名称 / 名称)');
      expect(message).not.toContain('registration');
      expect(await rows(db, 'SELECT count(*) AS n FROM civil_org')).toEqual([{ n: 0 }]);
    });
  });

  it('a forced kind on an xlsx file', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const dir = tempDir();
    const file = `${dir}/登记.xlsx`;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['XX区社会组织登记信息']);
    ws.addRow(['统一社会信用代码', '名称', '成立日期', '状态']);
    ws.addRow(['51110000MJ0000001X', '北京市某某协会', new Date(Date.UTC(2015, 5, 1)), '正常']);
    await wb.xlsx.writeFile(file);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'refused', reason: 'ambiguous_kind' });
      expect(await load(db, file, { kind: 'registration' })).toMatchObject({ status: 'loaded', kind: 'registration', rowsLoaded: 1 });
      expect(await rows(db, 'SELECT src_line, established_on, status_class FROM registration')).toEqual([
        { src_line: 3, established_on: '2015-06-01', status_class: 'active' },
      ]);
    });
  });
});
