import { describe, expect, it } from 'vitest';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

/** Data rows of a CSV text counted on their own: non-empty lines below the header line. */
function dataRows(text: string, headerLine: number): number {
  return text
    .split(/\r?\n/)
    .slice(headerLine)
    .filter((l) => l.trim() !== '').length;
}

describe('rejects', () => {
  it('records each bad row with file, line (title and header lines count), column, reason and raw text', async () => {
    const lines = [
      'XX区市场主体登记信息（截至2026年10月31日）', // 1: title
      '统一社会信用代码,企业名称,成立日期,登记状态,法定代表人', // 2: header
      '91110108MA01AAAA1X,北京甲科技有限公司,2024-01-05,存续,张三', // 3: ok
      '91110108MA01BBBB2X,,2024-01-05,存续,李四', // 4: missing name
      '91110108MA01CCCC3X,北京丙科技有限公司,2024-13-45,存续,王五', // 5: bad date
      '91110108MA01DDDD4X,北京丁科技有限公司,2024-01-05,存续,赵六,多余', // 6: too many columns
      '91110108MA01EEEE5X,北京戊科技有限公司,2024-01-05,存续', // 7: too few columns
      '91110108MA01FFFF6X,北京己科技有限公司,N/A,存续,钱七', // 8: required date given as an empty marker
      '91110108MA01GGGG7X,北京庚科技有限公司,20240105,在业,孙八', // 9: ok
      '91110108MA01HHHH8X,"北京辛科技有限公司,2024-01-05,存续,周九', // 10: unterminated quote
    ];
    const text = `${lines.join('\n')}\n`;
    const dir = tempDir();
    const file = writeText(dir, '市场主体_202610.csv', text);
    await withDb(async (db) => {
      const result = await load(db, file);
      expect(result).toMatchObject({ status: 'loaded', kind: 'registration', rowsLoaded: 2, rowsRejected: 6, rowsRead: 8 });
      if (result.status !== 'loaded') return;
      expect(result.rowsLoaded + result.rowsRejected).toBe(dataRows(text, 2));
      expect(await rows(db, 'SELECT src_line, uscc FROM registration ORDER BY src_line')).toEqual([
        { src_line: 3, uscc: '91110108MA01AAAA1X' },
        { src_line: 9, uscc: '91110108MA01GGGG7X' },
      ]);
      const got = await rows(db, 'SELECT file_id, file_name, kind, line, column_name, reason, raw FROM rejects ORDER BY line');
      expect(got.map(({ raw: _raw, ...r }) => r)).toEqual([
        { file_id: result.fileId, file_name: '市场主体_202610.csv', kind: 'registration', line: 4, column_name: 'name', reason: 'missing required value' },
        { file_id: result.fileId, file_name: '市场主体_202610.csv', kind: 'registration', line: 5, column_name: 'established_on', reason: 'unreadable date' },
        {
          file_id: result.fileId,
          file_name: '市场主体_202610.csv',
          kind: 'registration',
          line: 6,
          column_name: null,
          reason: 'wrong column count: more fields than headers',
        },
        {
          file_id: result.fileId,
          file_name: '市场主体_202610.csv',
          kind: 'registration',
          line: 7,
          column_name: null,
          reason: 'wrong column count: fewer fields than headers',
        },
        {
          file_id: result.fileId,
          file_name: '市场主体_202610.csv',
          kind: 'registration',
          line: 8,
          column_name: 'established_on',
          reason: 'missing required value',
        },
        { file_id: result.fileId, file_name: '市场主体_202610.csv', kind: 'registration', line: 10, column_name: null, reason: 'unterminated or stray quote' },
      ]);
      // The raw text is the line as written, so a person can find and fix it.
      for (const r of got) expect(r['raw']).toBe(lines[Number(r['line']) - 1]);
      const [m] = await rows(db, 'SELECT rows_read, rows_loaded, rows_rejected, header_line FROM manifest');
      expect(m).toEqual({ rows_read: 8, rows_loaded: 2, rows_rejected: 6, header_line: 2 });
    });
  });

  it('rejects an unreadable amount in a required money column, keeping line numbers after a column-count reject', async () => {
    const lines = [
      '单位编号\t费款所属期\t险种\t缴费基数合计\t应缴金额\t实缴金额',
      '000123\t202410\t110\t5000\t800\t800',
      '000124\t202410\t110\t5000', // too few columns
      '000125\t202410\t110\t5000\t12,3x4\t800', // bad amount
      '000126\t202410\t110\t5000\t800\t800',
      '000127\t2024年10月\t110\t5000\t800\t',
    ];
    const text = `${lines.join('\r\n')}\r\n`;
    const dir = tempDir();
    const file = writeText(dir, 'ledger.tsv', text, 'gbk');
    await withDb(async (db) => {
      const result = await load(db, file);
      expect(result).toMatchObject({ status: 'loaded', kind: 'si_payment', rowsLoaded: 2, rowsRejected: 3 });
      if (result.status !== 'loaded') return;
      expect(result.rowsLoaded + result.rowsRejected).toBe(dataRows(text, 1));
      expect(await rows(db, 'SELECT src_line, unit_id FROM si_payment ORDER BY src_line')).toEqual([
        { src_line: 2, unit_id: '000123' },
        { src_line: 5, unit_id: '000126' },
      ]);
      expect(await rows(db, 'SELECT line, column_name, reason, raw FROM rejects ORDER BY line')).toEqual([
        { line: 3, column_name: null, reason: 'wrong column count: fewer fields than headers', raw: lines[2] },
        { line: 4, column_name: 'amount_due', reason: 'unreadable amount', raw: lines[3] },
        { line: 6, column_name: 'amount_paid', reason: 'missing required value', raw: lines[5] },
      ]);
    });
  });

  it('numbers lines right after empty lines, which read_csv skips', async () => {
    const lines = [
      '统一社会信用代码,企业名称,成立日期,登记状态', // 1
      '91110108MA01AAAA1X,北京甲科技有限公司,2024-01-05,存续', // 2
      '', // 3
      '', // 4
      '91110108MA01BBBB2X,北京乙科技有限公司,2024-01-05,存续,多余', // 5: too many columns
      '91110108MA01CCCC3X,北京丙科技有限公司,2024-13-45,存续', // 6: bad date
      '', // 7
      '91110108MA01DDDD4X,北京丁科技有限公司,2024-01-05,存续', // 8
      '', // 9
    ];
    const text = `${lines.join('\r\n')}\r\n`;
    const dir = tempDir();
    const file = writeText(dir, 'blank-lines.csv', text, 'gbk');
    await withDb(async (db) => {
      const result = await load(db, file);
      expect(result).toMatchObject({ status: 'loaded', rowsLoaded: 2, rowsRejected: 2 });
      if (result.status !== 'loaded') return;
      expect(result.rowsLoaded + result.rowsRejected).toBe(dataRows(text, 1));
      expect(await rows(db, 'SELECT src_line, uscc FROM registration ORDER BY src_line')).toEqual([
        { src_line: 2, uscc: '91110108MA01AAAA1X' },
        { src_line: 8, uscc: '91110108MA01DDDD4X' },
      ]);
      expect(await rows(db, 'SELECT line, reason, raw FROM rejects ORDER BY line')).toEqual([
        { line: 5, reason: 'wrong column count: more fields than headers', raw: lines[4] },
        { line: 6, reason: 'unreadable date', raw: lines[5] },
      ]);
    });
  });

  it('numbers lines after a quoted field holding a line break as records, and keeps the break', async () => {
    const text = `${[
      '统一社会信用代码,企业名称,成立日期,登记状态,住所',
      '91110108MA01AAAA1X,北京甲科技有限公司,2024-01-05,存续,"北京市',
      '海淀区"',
      '',
      '91110108MA01CCCC3X,北京丙科技有限公司,2024-13-45,存续,朝阳区',
    ].join('\n')}\n`;
    const dir = tempDir();
    const file = writeText(dir, 'multiline.csv', text);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: 1, rowsRejected: 1 });
      expect(await rows(db, 'SELECT src_line, address FROM registration')).toEqual([{ src_line: 2, address: '北京市\n海淀区' }]);
      // the record holding the break is one line, as read_csv counts them; the empty line counts
      expect(await rows(db, 'SELECT line, reason FROM rejects')).toEqual([{ line: 4, reason: 'unreadable date' }]);
    });
  });

  it('an unterminated quote in the first rows does not hide the header', async () => {
    const lines = [
      '单位编号,单位名称,险种,参保状态', // 1
      '000001,北京甲科技有限公司,110,1', // 2
      '000002,"北京乙科技有限公司,110,1', // 3: the quote is never closed
    ];
    const dir = tempDir();
    const file = writeText(dir, 'quote.csv', `${lines.join('\n')}\n`);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', kind: 'si_enrollment', rowsLoaded: 1, rowsRejected: 1 });
      expect(await rows(db, 'SELECT line, reason, raw FROM rejects')).toEqual([{ line: 3, reason: 'unterminated or stray quote', raw: lines[2] }]);
    });
  });
});
