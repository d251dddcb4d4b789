import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { tempDir, withDb } from '../helpers.ts';
import { exportQuery, exactNumber, formatOfFile, terminalText } from '../../src/publish/exports.ts';
import { resolveFormat } from '../../src/cli/query.ts';
import { ConfigError } from '../../src/core/errors.ts';

/** One row of every kind of value an analyst's query returns, two rows of amounts to sum. */
const SELECT = `SELECT * FROM (VALUES
  (1, 42::BIGINT, 9007199254740993::BIGINT, 1234.50::DECIMAL(18,2), DATE '2026-10-31', TIMESTAMP '2026-10-31 08:30:00', true, '=1+1', '张三320505198001011234', 2.5::DOUBLE, 12345678901234567.89::DECIMAL(38,2), ['a', '３２０５０５１９８００１０１１２３４']),
  (2, 7::BIGINT, -5::BIGINT, -0.05::DECIMAL(18,2), DATE '2024-02-29', TIMESTAMP '2024-02-29 23:59:59', false, '-2+3', '苏州市姑苏区', -1e-7::DOUBLE, 1.00::DECIMAL(38,2), [])
) t(i, n, big, amount, d, ts, b, formula, person, dbl, wide, list) ORDER BY i`;

const dir = tempDir('recon-exports-');

describe('recon query formats keep the types of the values', () => {
  it('xlsx: counts and amounts are numeric cells that SUM, dates are dates, booleans booleans; BIGINT over 2^53 and wide DECIMALs stay exact text; text never a formula, IDs masked', async () => {
    const file = path.join(dir, 'typed.xlsx');
    await withDb(async (db) => expect(await exportQuery(db, SELECT, 'xlsx', { file })).toBe(2));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const col = (name: string): number => header.indexOf(name) + 1;
    const cell = (r: number, name: string): ExcelJS.Cell => ws.getRow(r).getCell(col(name));
    for (const name of ['i', 'n', 'amount', 'dbl']) for (const r of [2, 3]) expect(cell(r, name).type, `${name}${r}`).toBe(ExcelJS.ValueType.Number);
    // What SUM would add up: the cells' numbers, exactly the SQL values.
    expect((cell(2, 'n').value as number) + (cell(3, 'n').value as number)).toBe(49);
    expect(Math.round(((cell(2, 'amount').value as number) + (cell(3, 'amount').value as number)) * 100)).toBe(123445);
    expect(cell(2, 'amount').numFmt).toBe('#,##0.00');
    expect(cell(2, 'big').type).toBe(ExcelJS.ValueType.String);
    expect(cell(2, 'big').value).toBe('9007199254740993');
    expect(cell(3, 'big').value).toBe(-5);
    expect(cell(2, 'wide').value).toBe('12345678901234567.89');
    expect(cell(3, 'wide').value).toBe(1);
    expect(cell(2, 'd').type).toBe(ExcelJS.ValueType.Date);
    expect((cell(2, 'd').value as Date).toISOString()).toBe('2026-10-31T00:00:00.000Z');
    expect((cell(3, 'd').value as Date).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(cell(2, 'd').numFmt).toBe('yyyy-mm-dd');
    expect((cell(2, 'ts').value as Date).toISOString()).toBe('2026-10-31T08:30:00.000Z');
    expect(cell(2, 'b').type).toBe(ExcelJS.ValueType.Boolean);
    expect(cell(3, 'b').value).toBe(false);
    for (const r of [2, 3]) {
      expect(cell(r, 'formula').type).toBe(ExcelJS.ValueType.String);
      expect(cell(r, 'formula').numFmt).toBe('@');
    }
    expect(cell(2, 'formula').value).toBe('=1+1');
    expect(cell(2, 'person').value).toBe('张三320505********1234');
    expect(String(cell(2, 'list').value)).toBe('["a","320505********1234"]');
  });

  it('csv: UTF-8 with a BOM, Chinese intact, formulas get an apostrophe, numbers stay numbers, IDs masked', async () => {
    const file = path.join(dir, 'typed.csv');
    await withDb(async (db) => exportQuery(db, SELECT, 'csv', { file }));
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\n');
    expect(lines[0]).toBe('i,n,big,amount,d,ts,b,formula,person,dbl,wide,list');
    expect(lines[1]).toBe(
      `1,42,9007199254740993,1234.50,2026-10-31,2026-10-31 08:30:00,true,'=1+1,张三320505********1234,2.5,12345678901234567.89,"[""a"",""320505********1234""]"`,
    );
    expect(lines[2]).toBe(`2,7,-5,-0.05,2024-02-29,2024-02-29 23:59:59,false,'-2+3,苏州市姑苏区,-1e-07,1.00,[]`);
  });

  it('jsonl and json: numbers as JSON numbers when exact, else strings; dates ISO 8601; booleans; lists', async () => {
    const jsonl = path.join(dir, 'typed.jsonl');
    const json = path.join(dir, 'typed.json');
    await withDb(async (db) => {
      await exportQuery(db, SELECT, 'jsonl', { file: jsonl });
      await exportQuery(db, SELECT, 'json', { file: json });
    });
    const rows = fs
      .readFileSync(jsonl, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows[0]).toEqual({
      i: 1,
      n: 42,
      big: '9007199254740993',
      amount: 1234.5,
      d: '2026-10-31',
      ts: '2026-10-31T08:30:00',
      b: true,
      formula: '=1+1',
      person: '张三320505********1234',
      dbl: 2.5,
      wide: '12345678901234567.89',
      list: ['a', '320505********1234'],
    });
    expect(rows[1]).toMatchObject({ n: 7, big: -5, amount: -0.05, b: false, wide: 1, list: [] });
    expect(JSON.parse(fs.readFileSync(json, 'utf8'))).toEqual(rows);
  });

  it('an empty result still has its header (csv, xlsx) or is an empty array (json)', async () => {
    const empty = `SELECT 1 AS a, '张' AS b WHERE false`;
    await withDb(async (db) => {
      await exportQuery(db, empty, 'csv', { file: path.join(dir, 'empty.csv') });
      await exportQuery(db, empty, 'json', { file: path.join(dir, 'empty.json') });
      await exportQuery(db, empty, 'xlsx', { file: path.join(dir, 'empty.xlsx') });
    });
    expect(fs.readFileSync(path.join(dir, 'empty.csv'), 'utf8')).toBe('\uFEFFa,b\n');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'empty.json'), 'utf8'))).toEqual([]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'empty.xlsx'));
    expect(((wb.worksheets[0] as ExcelJS.Worksheet).getRow(1).values as unknown[]).slice(1)).toEqual(['a', 'b']);
  });

  it('parquet: ID numbers masked in text columns, numbers typed', async () => {
    const file = path.join(dir, 'typed.parquet');
    await withDb(async (db) => {
      expect(await exportQuery(db, SELECT, 'parquet', { file })).toBe(2);
      const back = await db.all<Record<string, unknown>>(`SELECT person, amount, n, list FROM read_parquet('${file}') ORDER BY n DESC`);
      expect(back[0]?.['person']).toBe('张三320505********1234');
      expect(back[0]?.['n']).toBe(42n);
      expect(back[0]?.['list']).toEqual(['a', '320505********1234']);
    });
  });

  it('the table format drops terminal control sequences from values and names', async () => {
    const file = path.join(dir, 'table.txt');
    await withDb(async (db) =>
      exportQuery(
        db,
        `SELECT chr(27) || '[2J' || chr(27) || ']0;owned' || chr(7) || '清屏' || chr(155) || '31m' || chr(8) AS "x${'\u001b'}[1m", 12 AS n`,
        'table',
        { file },
      ),
    );
    const text = fs.readFileSync(file, 'utf8');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be there
    expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
    expect(text).toContain('清屏');
    expect(terminalText('a\tb\nc\u001b[31md\u0007\re')).toBe('a\tb\ncde');
  });
});

describe('the format of recon query -o', () => {
  it('comes from the file name, or --format when they agree', () => {
    expect(formatOfFile('结果.XLSX')).toBe('xlsx');
    expect(resolveFormat(undefined, 'out.xlsx')).toBe('xlsx');
    expect(resolveFormat(undefined, 'a/b.csv')).toBe('csv');
    expect(resolveFormat(undefined, 'x.jsonl')).toBe('jsonl');
    expect(resolveFormat(undefined, 'x.json')).toBe('json');
    expect(resolveFormat(undefined, 'x.parquet')).toBe('parquet');
    expect(resolveFormat(undefined, 'x.arrow')).toBe('arrow');
    expect(resolveFormat(undefined, 'x.txt')).toBe('table');
    expect(resolveFormat('csv', 'x.csv')).toBe('csv');
    expect(resolveFormat('csv', 'x.dat')).toBe('csv');
    expect(resolveFormat(undefined, undefined)).toBe('table');
  });

  it('is refused when the name says nothing (.xls, .foo) or disagrees with --format', () => {
    expect(() => resolveFormat(undefined, 'out.xls')).toThrow(ConfigError);
    expect(() => resolveFormat(undefined, 'out.foo')).toThrow(/Cannot tell the format/);
    expect(() => resolveFormat('table', 'out.xlsx')).toThrow(/names a xlsx file but --format is table/);
  });

  it('numbers are exact or not numbers at all', () => {
    expect(exactNumber('9007199254740991', { kind: 'bigint' })).toBe(9007199254740991);
    expect(exactNumber('9007199254740993', { kind: 'bigint' })).toBeUndefined();
    // Below 10^13 yuan every amount in fen is a double that prints back the same; far above it, not.
    expect(exactNumber('9999999999999.99', { kind: 'decimal', scale: 2 })).toBe(9999999999999.99);
    expect(exactNumber('999999999999999.99', { kind: 'decimal', scale: 2 })).toBeUndefined();
    expect(exactNumber('-0.10', { kind: 'decimal', scale: 2 })).toBe(-0.1);
    expect(exactNumber('NaN', { kind: 'double' })).toBeUndefined();
  });
});

describe('a query that ends in a line comment', () => {
  it('is wrapped on lines of its own, so the comment does not swallow the wrapping', async () => {
    const file = path.join(dir, 'comment.csv');
    await withDb(async (db) => expect(await exportQuery(db, 'SELECT 1 AS a -- the one', 'csv', { file })).toBe(1));
    expect(fs.readFileSync(file, 'utf8')).toBe('\uFEFFa\n1\n');
  });
});
