import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { KINDS } from '../../src/sources/index.ts';
import type { LoadResult } from '../../src/ingest/load.ts';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

/** Loads a file that must be refused; checks the manifest records it and no kind got a row. */
async function refused(db: Db, file: string, reason: string): Promise<string> {
  const result: LoadResult = await load(db, file);
  expect(result).toMatchObject({ status: 'refused', reason });
  const message = result.status === 'refused' ? result.message : '';
  expect(message).toContain(path.basename(file));
  const manifest = await rows(db, 'SELECT file_name, status, message, rows_loaded FROM manifest WHERE file_name = $1', [path.basename(file)]);
  expect(manifest).toEqual([{ file_name: path.basename(file), status: 'refused', message, rows_loaded: null }]);
  for (const kind of KINDS) expect(await rows(db, `SELECT count(*) AS n FROM ${kind}`)).toEqual([{ n: 0 }]);
  expect(await rows(db, 'SELECT count(*) AS n FROM rejects')).toEqual([{ n: 0 }]);
  return message;
}

describe('refused files', () => {
  it('a file matching no kind: names the closest kind, the missing column with its spellings, and the headers found', async () => {
    const dir = tempDir();
    const file = writeText(dir, '税务.csv', '纳税人名称,纳税人状态,行业\n北京甲科技有限公司,正常,软件业\n', 'gbk');
    await withDb(async (db) => {
      const message = await refused(db, file, 'unknown_kind');
      expect(message).toContain(
        'tax_registration (税务登记信息) is missing 纳税人识别号 (taxpayer_id; accepted: 纳税人识别号 / 社会信用代码(纳税人识别号) / NSRSBH)',
      );
      expect(message).toContain('Found: 纳税人名称, 纳税人状态, 行业');
      expect(message).toContain('Rename the columns');
    });
  });

  it('an empty file, and one holding only blank lines', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      expect(await refused(db, writeText(dir, 'empty.csv', ''), 'empty')).toContain('is empty');
      expect(await refused(db, writeText(dir, 'blank.csv', '\r\n\r\n  \r\n'), 'empty')).toContain('is empty');
    });
  });

  it('a header-only file', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      const message = await refused(db, writeText(dir, 'header.csv', '单位编号,单位名称,险种,参保状态\n', 'gbk'), 'no_rows');
      expect(message).toContain('has a header but no data rows');
    });
  });

  it('a file that is neither UTF-8 nor GBK/GB18030', async () => {
    // 0xFF is never valid in UTF-8 nor in GB18030; 0x81 0x7F is a GB18030 lead byte with a bad trail.
    const bad = Buffer.from([0xff, 0x81, 0x7f]);
    expect(() => new TextDecoder('gb18030', { fatal: true }).decode(bad)).toThrow(TypeError);
    const dir = tempDir();
    const file = path.join(dir, 'mixed.csv');
    fs.writeFileSync(file, Buffer.concat([iconv.encode('单位编号,单位名称,险种,参保状态\n000001,北京甲科技有限公司,110,1\n', 'gbk'), bad, Buffer.from('\n')]));
    await withDb(async (db) => {
      expect(await refused(db, file, 'undecodable')).toContain('neither valid UTF-8 nor valid GBK/GB18030');
    });
  });

  it('a large file whose bad bytes come after the first megabyte is refused and its transcoded copy removed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.csv');
    const row = '000001,北京甲科技有限公司,110,1\n';
    fs.writeFileSync(file, Buffer.concat([iconv.encode(`单位编号,单位名称,险种,参保状态\n${row.repeat(60_000)}`, 'gbk'), Buffer.from([0xff, 0x0a])]));
    expect(fs.statSync(file).size).toBeGreaterThan(1 << 20);
    await withDb(async (db) => {
      await refused(db, file, 'undecodable');
      // the transcoded copy is gone
      expect(fs.readdirSync(path.join(dir, '.work'))).toEqual([]);
    });
  });

  it('a UTF-8 file holding replacement characters', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'damaged.csv', '单位编号,单位名称,险种,参保状态\n000001,北京\uFFFD\uFFFD科技有限公司,110,1\n');
    await withDb(async (db) => {
      const message = await refused(db, file, 'replacement_characters');
      expect(message).toContain('U+FFFD');
      expect(message).toContain('Export it again');
    });
  });

  it('an old .xls workbook: tells the user to save it as .xlsx', async () => {
    const dir = tempDir();
    const file = path.join(dir, '参保登记.xls');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512, 0x42)]));
    await withDb(async (db) => {
      expect(await refused(db, file, 'xls')).toMatch(/save it as \.xlsx/);
    });
  });

  it('a .xlsx that is really a CSV', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'export.xlsx', '单位编号,单位名称,险种,参保状态\n000001,北京甲科技有限公司,110,1\n');
    await withDb(async (db) => {
      const message = await refused(db, file, 'not_xlsx');
      expect(message).toContain('not a valid workbook');
      expect(message).toContain('rename it to .csv');
    });
  });

  it('a damaged workbook (a zip that is not a workbook)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'broken.xlsx');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 0x00)]));
    await withDb(async (db) => {
      // No zip directory at its end: cut off or damaged, so it is to be delivered again.
      const message = await refused(db, file, 'bad_xlsx');
      expect(message).toContain('no intact zip directory');
      expect(message).toContain('deliver it again');
    });
  });

  it('a refused file does not stop the next one from loading', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      await refused(db, writeText(dir, 'empty.csv', ''), 'empty');
      expect(await load(db, writeText(dir, 'ok.csv', '单位编号,单位名称,险种,参保状态\n000001,北京甲科技有限公司,110,1\n'))).toMatchObject({
        status: 'loaded',
        rowsLoaded: 1,
      });
    });
  });
});
