import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

const TEXT = '纳税人识别号,纳税人名称,纳税人状态\n91110108MA01AAAA1X,北京甲科技有限公司,正常\n110108123456789,北京乙商店,非正常\n';

describe('duplicate files', () => {
  it('the same file loaded twice loads once', async () => {
    const dir = tempDir();
    const file = writeText(dir, '税务登记_202610.csv', TEXT, 'gbk');
    await withDb(async (db) => {
      const first = await load(db, file);
      expect(first).toMatchObject({ status: 'loaded', kind: 'tax_registration', rowsLoaded: 2 });
      const second = await load(db, file, { runId: 'second-run' });
      expect(second).toMatchObject({ status: 'duplicate', kind: 'tax_registration', of: first.status === 'loaded' ? first.fileId : -1 });
      expect(second.status === 'duplicate' && second.message).toContain('already loaded');
      expect(await rows(db, 'SELECT count(*) AS n FROM tax_registration')).toEqual([{ n: 2 }]);
      expect(await rows(db, 'SELECT count(*) AS n FROM manifest')).toEqual([{ n: 1 }]);
    });
  });

  it('the same content under another name is a duplicate too', async () => {
    const dir = tempDir();
    const file = writeText(dir, '税务登记_202610.csv', TEXT, 'gbk');
    const copy = path.join(dir, 'export (3).csv');
    fs.copyFileSync(file, copy);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded' });
      expect(await load(db, copy)).toMatchObject({ status: 'duplicate', file: copy });
      expect(await rows(db, 'SELECT count(*) AS n FROM tax_registration')).toEqual([{ n: 2 }]);
    });
  });

  it('a file refused once is not a duplicate: after a fix its content loads', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'tax.csv', '纳税人识别号,纳税人名称,纳税人状态\n');
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'refused', reason: 'no_rows' });
      writeText(dir, 'tax.csv', TEXT);
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: 2 });
      expect(await rows(db, 'SELECT status FROM manifest ORDER BY file_id')).toEqual([{ status: 'refused' }, { status: 'loaded' }]);
    });
  });
});
