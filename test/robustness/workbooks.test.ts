import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readWorkbook, type XlsxOptions } from '../../src/core/xlsx-read.ts';
import { FORMULA_WITHOUT_RESULT_REASON, LINE_SHEET_STEP, REPEATED_HEADER_REASON } from '../../src/ingest/xlsx.ts';
import { load, rows, tempDir, withDb } from '../helpers.ts';
import { SHEET_HEAD, SHEET_TAIL, repeatedDeflate, strRow, workbookParts, zipBytes, type ZipEntry } from './zip-bytes.ts';

/**
 * Hostile and damaged workbooks against our reader (src/core/xlsx-read.ts), and the silent
 * losses a red team found in reading workbooks. Each `attack:` and `silent loss:` case is one
 * attack tried (docs/robustness.md counts them); each must hold.
 */

const SST_HEAD = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">';

function writeZip(dir: string, name: string, entries: ZipEntry[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, zipBytes(entries));
  return file;
}

/** Reads every row of every sheet (what a reader that misses a guard would do), returning how many. */
async function readAll(file: string, options: XlsxOptions = {}): Promise<number> {
  return readWorkbook(
    file,
    async (wb) => {
      let n = 0;
      for (const s of wb.sheets) for await (const _ of wb.rows(s)) n++;
      return n;
    },
    options,
  );
}

/** Expects `run` to be refused with `match`, within `maxMs`, while the process grows by less than `maxMb`. */
async function refusedFast(run: () => Promise<unknown>, match: { reason: string; message: RegExp | string }, maxMs = 5000, maxMb = 300): Promise<void> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const started = performance.now();
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  expect(error, 'refused').toBeDefined();
  const e = error as { name: string; message: string; details: Record<string, unknown> };
  expect(e.name).toBe('InputError');
  expect(e.details['reason']).toBe(match.reason);
  if (typeof match.message === 'string') expect(e.message).toContain(match.message);
  else expect(e.message).toMatch(match.message);
  expect(ms).toBeLessThan(maxMs);
  expect((peak - before) / 2 ** 20).toBeLessThan(maxMb);
}

describe('decompression bombs and limits', () => {
  it('attack: an entry whose directory says it inflates to 3 GiB is refused before a byte is inflated', async () => {
    const dir = tempDir();
    // 25 MB "compressed" (100 x 25 MB is past 2 GiB, so the ratio allows it; the size does not).
    const junk = Buffer.alloc(25 * 2 ** 20, 0x41);
    const file = writeZip(dir, 'big.xlsx', workbookParts([{ name: 'S', entry: { name: '', deflated: { bytes: junk, size: 3 * 2 ** 30 } } }]));
    await refusedFast(() => readAll(file), { reason: 'xlsx_limit', message: 'inflates to more than 2.0 GiB' });
  });

  it('attack: a 400:1 bomb (1 GB of XML from 2.5 MB) is refused as a zip bomb', async () => {
    const dir = tempDir();
    const unit = '<row><c t="n"><v>1</v></c></row>'.repeat(32 * 1024);
    const bomb = repeatedDeflate(SHEET_HEAD, unit, 1000, SHEET_TAIL);
    expect(bomb.size / bomb.bytes.length).toBeGreaterThan(400);
    const file = writeZip(dir, 'bomb.xlsx', workbookParts([{ name: 'S', entry: { name: '', deflated: bomb } }]));
    await refusedFast(() => readAll(file), { reason: 'xlsx_limit', message: /times its compressed size.*zip bomb/ });
  });

  it('attack: a bomb whose directory lies about its size (says 1 MB, inflates to 1 GB) is stopped at 1 MB', async () => {
    const dir = tempDir();
    const unit = '<row><c t="n"><v>1</v></c></row>'.repeat(32 * 1024);
    const bomb = repeatedDeflate(SHEET_HEAD, unit, 1000, SHEET_TAIL);
    const file = writeZip(dir, 'liar.xlsx', workbookParts([{ name: 'S', entry: { name: '', deflated: { bytes: bomb.bytes, size: 2 ** 20 } } }]));
    await refusedFast(() => readAll(file), { reason: 'bad_xlsx', message: 'too many bytes' });
  });

  it('attack: the repetitive-row bomb (3,000,000 copies of one row) is refused, not loaded', async () => {
    const dir = tempDir();
    const unit = '<row><c t="inlineStr"><is><t>上海培耀国际货运代理有限公司</t></is></c></row>'.repeat(1000);
    const bomb = repeatedDeflate(SHEET_HEAD, unit, 3000, SHEET_TAIL);
    const file = writeZip(dir, 'rows.xlsx', workbookParts([{ name: 'S', entry: { name: '', deflated: bomb } }]));
    await refusedFast(() => readAll(file), { reason: 'xlsx_limit', message: 'zip bomb' });
  });

  it('attack: a sheet of 1,100,000 empty rows (the empty-row bomb) is refused at row 1,048,577, and ingest records the refusal', async () => {
    const dir = tempDir();
    // Rows without numbers count one by one (under the 16 MiB any entry may inflate to).
    const empty = writeZip(
      dir,
      'empty-rows.xlsx',
      workbookParts([{ name: '空行', entry: { name: '', deflated: repeatedDeflate(SHEET_HEAD, '<row/>'.repeat(1100), 1000, SHEET_TAIL) } }]),
    );
    await refusedFast(() => readAll(empty), { reason: 'xlsx_limit', message: 'sheet "空行" has more than 1,048,576 rows' });
    // Numbered rows, as the red team's 241 MB bomb had (ratio about 10:1), through ingest: refused, recorded, nothing loaded.
    const parts: string[] = [SHEET_HEAD];
    for (let r = 1; r <= 1_050_000; r++) parts.push(`<row r="${r}"/>`);
    parts.push(SHEET_TAIL);
    const numbered = writeZip(dir, '市场监管_空行_20261031.xlsx', workbookParts([{ name: '空行', xml: parts.join('') }]));
    await withDb(async (db) => {
      const started = performance.now();
      const result = await load(db, numbered);
      expect(performance.now() - started).toBeLessThan(8000);
      expect(result).toMatchObject({ status: 'refused', reason: 'xlsx_limit', message: expect.stringContaining('more than 1,048,576 rows') });
      expect(await rows(db, `SELECT status FROM manifest`)).toEqual([{ status: 'refused' }]);
    });
  });

  it('attack: rows out of order or repeated (row 5 three times) are refused', async () => {
    const dir = tempDir();
    const xml = `${SHEET_HEAD}${strRow(5, ['a'])}${strRow(5, ['b'])}${strRow(5, ['c'])}${SHEET_TAIL}`;
    const file = writeZip(dir, 'repeat.xlsx', workbookParts([{ name: 'S', xml }]));
    await refusedFast(() => readAll(file), { reason: 'bad_xlsx', message: 'row 5 comes after row 5' });
  });

  it('attack: a row with 1,001 non-empty cells, and a cell beyond column XFD, are refused', async () => {
    const dir = tempDir();
    const cells = Array.from({ length: 1001 }, () => '<c t="inlineStr"><is><t>x</t></is></c>').join('');
    const wide = writeZip(dir, 'wide.xlsx', workbookParts([{ name: 'S', xml: `${SHEET_HEAD}<row r="1">${cells}</row>${SHEET_TAIL}` }]));
    await refusedFast(() => readAll(wide), { reason: 'xlsx_limit', message: 'row 1 of sheet "S" has more than 1,000 non-empty cells' });
    const far = writeZip(dir, 'far.xlsx', workbookParts([{ name: 'S', xml: `${SHEET_HEAD}<row r="1"><c r="XFE1"><v>1</v></c></row>${SHEET_TAIL}` }]));
    await refusedFast(() => readAll(far), { reason: 'xlsx_limit', message: 'beyond column XFD' });
    // Cells out of order (B before A, or B twice) are a damaged sheet.
    const order = writeZip(
      dir,
      'order.xlsx',
      workbookParts([{ name: 'S', xml: `${SHEET_HEAD}<row r="1"><c r="B1"><v>1</v></c><c r="B1"><v>2</v></c></row>${SHEET_TAIL}` }]),
    );
    await refusedFast(() => readAll(order), { reason: 'bad_xlsx', message: 'cells out of order or repeated' });
  });

  it('attack: a shared-strings bomb (50 million strings from 50 KB) is refused while inflating', async () => {
    const dir = tempDir();
    const bomb = repeatedDeflate(SST_HEAD, '<si><t>壹</t></si>'.repeat(50_000), 1000, '</sst>');
    const file = writeZip(dir, 'sst-bomb.xlsx', workbookParts([{ name: 'S', xml: `${SHEET_HEAD}${SHEET_TAIL}` }], { name: '', deflated: bomb }));
    await refusedFast(() => readAll(file), { reason: 'xlsx_limit', message: 'zip bomb' });
  });

  it('attack: shared strings that declare 50,000,000 entries are refused at once', async () => {
    const dir = tempDir();
    const sst = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="50000000" uniqueCount="50000000"><si><t>a</t></si></sst>`;
    const file = writeZip(dir, 'sst-count.xlsx', workbookParts([{ name: 'S' }], sst));
    await refusedFast(() => readAll(file), { reason: 'xlsx_limit', message: 'it has 50,000,000 shared strings' });
  });

  it('attack: shared strings past their size limit (distinct strings, ratio 3:1) are refused while parsing (limit lowered to 2 M characters here)', async () => {
    const dir = tempDir();
    const parts = [SST_HEAD];
    for (let i = 0; i < 200_000; i++) parts.push(`<si><t>苏州市${i.toString(36)}号有限公司</t></si>`);
    parts.push('</sst>');
    const file = writeZip(dir, 'sst-size.xlsx', workbookParts([{ name: 'S' }], parts.join('')));
    expect(await readAll(file)).toBe(0); // fine under the default limits
    await refusedFast(() => readAll(file, { limits: { maxSharedStringChars: 2_000_000 } }), {
      reason: 'xlsx_limit',
      message: 'shared strings hold more than 2,000,000 characters',
    });
  });

  it('attack: one cell of 2 million characters, and a comment of 2 million, are refused', async () => {
    const dir = tempDir();
    const long = writeZip(dir, 'cell.xlsx', workbookParts([{ name: 'S', xml: `${SHEET_HEAD}${strRow(1, ['长'.repeat(2_000_000)])}${SHEET_TAIL}` }]));
    await refusedFast(() => readAll(long), { reason: 'xlsx_limit', message: 'a text or tag of more than 1,048,576 characters' });
    const comment = writeZip(dir, 'comment.xlsx', workbookParts([{ name: 'S', xml: `${SHEET_HEAD}<!--${'<'.repeat(2_000_000)}-->${SHEET_TAIL}` }]));
    await refusedFast(() => readAll(comment), { reason: 'xlsx_limit', message: 'more than 1,048,576 characters' });
  });
});

describe('XML attacks and damaged text', () => {
  it('attack: billion laughs (a DOCTYPE defining nested entities) is refused', async () => {
    const dir = tempDir();
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>`;
    const xml = `${laughs}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>`;
    const file = writeZip(dir, 'laughs.xlsx', workbookParts([{ name: 'S', xml }]));
    await refusedFast(() => readAll(file), { reason: 'bad_xlsx', message: 'has a DOCTYPE' });
  });

  it('attack: an external entity (XXE reading /etc/passwd) is refused, and nothing of the file is read', async () => {
    const dir = tempDir();
    const xml = `<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>`;
    const file = writeZip(dir, 'xxe.xlsx', workbookParts([{ name: 'S', xml }]));
    await refusedFast(() => readAll(file), { reason: 'bad_xlsx', message: 'has a DOCTYPE' });
    // In shared strings too.
    const sst = `<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>${SST_HEAD.slice(SST_HEAD.indexOf('<sst'))}<si><t>&x;</t></si></sst>`;
    const file2 = writeZip(dir, 'xxe-sst.xlsx', workbookParts([{ name: 'S' }], sst));
    await refusedFast(() => readAll(file2), { reason: 'bad_xlsx', message: 'sharedStrings.xml has a DOCTYPE' });
  });

  it('attack: bytes that are not UTF-8 in a sheet and in the shared strings are refused, naming the part', async () => {
    const dir = tempDir();
    // 上海 then the first two bytes of 培 (E5 9F B9) cut short, then 耀.
    const bad = Buffer.concat([
      Buffer.from(`${SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>上海`),
      Buffer.from([0xe5, 0x9f]),
      Buffer.from(`耀</t></is></c></row>${SHEET_TAIL}`),
    ]);
    const sheet = writeZip(dir, 'bad-sheet.xlsx', workbookParts([{ name: 'S', entry: { name: '', data: bad } }]));
    await refusedFast(() => readAll(sheet), { reason: 'bad_xlsx', message: 'xl/worksheets/sheet1.xml holds bytes that are not valid UTF-8' });
    // GBK text in a part that says UTF-8.
    const gbk = Buffer.concat([Buffer.from(`${SST_HEAD}<si><t>`), Buffer.from([0xc9, 0xcf, 0xba, 0xa3]), Buffer.from('</t></si></sst>')]);
    const shared = writeZip(dir, 'bad-sst.xlsx', workbookParts([{ name: 'S' }], { name: '', data: gbk }));
    await refusedFast(() => readAll(shared), { reason: 'bad_xlsx', message: 'xl/sharedStrings.xml holds bytes that are not valid UTF-8' });
  });

  it('attack: a value that would come out with a U+FFFD its XML does not hold is refused (shown with a lenient decoder, the bug exceljs had)', async () => {
    const dir = tempDir();
    const bad = Buffer.concat([
      Buffer.from(`${SHEET_HEAD}<row r="1"><c r="A1" t="str"><v>上海培耀国`),
      Buffer.from([0xe9, 0x99]),
      Buffer.from(`货运代理有限公司</v></c></row>${SHEET_TAIL}`),
    ]);
    const file = writeZip(dir, 'fffd.xlsx', workbookParts([{ name: 'S', entry: { name: '', data: bad } }]));
    await refusedFast(() => readAll(file, { lenientDecoderForTests: true }), {
      reason: 'bad_xlsx',
      message: 'replacement character (U+FFFD) that the file does not hold',
    });
    // The same check in the shared strings.
    const sst = Buffer.concat([Buffer.from(`${SST_HEAD}<si><t>上海培耀国`), Buffer.from([0xe9, 0x99]), Buffer.from('货运</t></si></sst>')]);
    const file2 = writeZip(dir, 'fffd-sst.xlsx', workbookParts([{ name: 'S' }], { name: '', data: sst }));
    await refusedFast(() => readAll(file2, { lenientDecoderForTests: true }), { reason: 'bad_xlsx', message: 'replacement character' });
  });

  it('attack: a U+FFFD that is in the file (damaged before it was saved) is read as it is, and ingest refuses the file as it refuses such a CSV', async () => {
    const dir = tempDir();
    const xml = `${SHEET_HEAD}${strRow(1, ['统一社会信用代码', '企业名称', '成立日期', '登记状态'])}${strRow(2, ['91320505MA1XXXX001', '上海培耀国\uFFFD货运代理有限公司', '2020-01-01', '存续'])}<row r="3"><c r="A3" t="str"><v>91320505MA1XXXX002</v></c><c r="B3" t="str"><v>&#xFFFD;字符引用</v></c></row>${SHEET_TAIL}`;
    const file = writeZip(dir, '登记_20261031.xlsx', workbookParts([{ name: 'S', xml }]));
    const names = await readWorkbook(file, async (wb) => {
      const out: unknown[] = [];
      for await (const r of wb.rows(wb.sheets[0] as (typeof wb.sheets)[0])) out.push(r.cells[1]);
      return out;
    });
    expect(names).toEqual(['企业名称', '上海培耀国\uFFFD货运代理有限公司', '\uFFFD字符引用']);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'refused', reason: 'replacement_characters', message: expect.stringContaining('sheet "S" row 2') });
    });
  });

  it('attack: a zip holding the same part twice (programs may read either) is refused; a sheet pointing at a missing shared string is refused', async () => {
    const dir = tempDir();
    const parts = workbookParts([{ name: 'S', xml: `${SHEET_HEAD}${strRow(1, ['一'])}${SHEET_TAIL}` }]);
    parts.push({ name: 'xl/worksheets/sheet1.xml', data: `${SHEET_HEAD}${strRow(1, ['二'])}${SHEET_TAIL}` });
    const twice = writeZip(dir, 'twice.xlsx', parts);
    await refusedFast(() => readAll(twice), { reason: 'bad_xlsx', message: 'holds "xl/worksheets/sheet1.xml" twice' });
    const missing = writeZip(
      dir,
      'missing-ss.xlsx',
      workbookParts(
        [{ name: 'S', xml: `${SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>7</v></c></row>${SHEET_TAIL}` }],
        `${SST_HEAD}<si><t>只有一个</t></si></sst>`,
      ),
    );
    await refusedFast(() => readAll(missing), { reason: 'bad_xlsx', message: 'refers to shared string 7' });
  });

  it('attack: a zip whose directory was forged to list nothing (cut at 95%) is refused at once', async () => {
    const dir = tempDir();
    const workbook = fs.readFileSync(path.resolve('fixtures/inbox/个税扣缴申报202610.xlsx'));
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    const file = path.join(dir, 'forged.xlsx');
    fs.writeFileSync(file, Buffer.concat([workbook.subarray(0, Math.floor(workbook.length * 0.95)), end]));
    await refusedFast(() => readAll(file), { reason: 'bad_xlsx', message: 'no workbook part' });
  });
});

const REG_HEADER = ['统一社会信用代码', '企业名称', '成立日期', '登记状态'];
const regRow = (i: number, sheet = 0): unknown[] => [
  `91320505MA${String(sheet).padStart(2, '0')}${String(i).padStart(6, '0')}`,
  `苏州第${sheet}页${i}号贸易有限公司`,
  new Date(Date.UTC(2020, 0, 1 + (i % 28))),
  '存续',
];

describe('silent losses found by the red team', () => {
  it('silent loss: a registration export spread over 82 sheets loads every sheet (it loaded sheet 1 only); a sheet of other headers is named in a warning; rejects point at sheet!row', async () => {
    const dir = tempDir();
    const file = path.join(dir, '市场监管_企业登记信息_20261031.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: true });
    for (let s = 1; s <= 82; s++) {
      const ws = wb.addWorksheet(`第${s}页`);
      ws.addRow(REG_HEADER).commit();
      for (let i = 1; i <= 25; i++) {
        const r = regRow(i, s);
        if (s === 40 && i === 9) r[2] = '2024-13-45'; // row 10 of sheet 40: an unreadable date
        ws.addRow(r).commit();
      }
      ws.commit();
    }
    const summary = wb.addWorksheet('汇总');
    summary.addRow(['区县', '企业数', '备注']).commit();
    summary.addRow(['姑苏区', 2050, '全部']).commit();
    summary.commit();
    await wb.commit();
    await withDb(async (db) => {
      const result = await load(db, file);
      expect(result).toMatchObject({ status: 'loaded', kind: 'registration', rowsLoaded: 82 * 25 - 1, rowsRejected: 1 });
      expect(result.status === 'loaded' && result.warnings).toEqual([
        `"${path.basename(file)}": sheet "汇总" was not read: no header row with the columns of sheet "第1页" in its first 6 rows`,
      ]);
      expect(await rows(db, `SELECT count(DISTINCT src_line) AS lines, count(DISTINCT uscc) AS codes FROM registration`)).toEqual([
        { lines: 2049, codes: 2049 },
      ]);
      // Sheet 1 keeps its row numbers as lines; sheet k's rows are (k-1) x 10,000,000 + row.
      expect(await rows(db, `SELECT min(src_line) AS first, max(src_line) AS last FROM registration`)).toEqual([{ first: 2, last: 81 * LINE_SHEET_STEP + 26 }]);
      const [reject] = await rows(db, `SELECT line, column_name, reason, raw FROM rejects`);
      expect(reject).toMatchObject({ line: 39 * LINE_SHEET_STEP + 10, column_name: 'established_on', reason: 'unreadable date' });
      expect(String(reject?.['raw'])).toMatch(/^第40页!10,/);
      const [m] = await rows(db, `SELECT sheet, header_line, message FROM manifest`);
      expect(String(m?.['sheet']).split(', ')).toHaveLength(82);
      expect(m).toMatchObject({ header_line: 1, message: expect.stringContaining('sheet "汇总" was not read') });
    });
  });

  it('silent loss: a formula cell without a computed value is a rejected row (公式单元格没有计算结果), never an employer named [object Object]', async () => {
    const dir = tempDir();
    const file = path.join(dir, '市场监管_企业登记信息_20261031.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('登记');
    ws.addRow(REG_HEADER);
    ws.addRow(regRow(1));
    ws.addRow(['91320505MA00000002', { formula: 'CONCAT("苏州","公司")' }, new Date(Date.UTC(2020, 0, 1)), '存续']); // no cached value
    ws.addRow(['91320505MA00000003', { formula: 'CONCAT("苏州","有限公司")', result: '苏州有限公司' }, new Date(Date.UTC(2020, 0, 1)), '存续']);
    ws.addRow(regRow(4));
    await wb.xlsx.writeFile(file);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: 3, rowsRejected: 1 });
      expect(await rows(db, `SELECT line, column_name, reason FROM rejects`)).toEqual([
        { line: 3, column_name: 'name', reason: FORMULA_WITHOUT_RESULT_REASON },
      ]);
      expect(await rows(db, `SELECT name FROM registration ORDER BY src_line`)).toEqual([
        { name: '苏州第0页1号贸易有限公司' },
        { name: '苏州有限公司' },
        { name: '苏州第0页4号贸易有限公司' },
      ]);
      expect(await rows(db, `SELECT count(*) AS n FROM registration WHERE name LIKE '%object%'`)).toEqual([{ n: 0 }]);
    });
  });

  it('silent loss: a second header row in mid-file (two exports pasted together) is a rejected row ("repeated header row"), never an employer called 企业名称', async () => {
    const dir = tempDir();
    const file = path.join(dir, '市场监管_企业登记信息_20261031.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('登记');
    ws.addRow(['XX区市场主体登记信息（截至2026年10月31日）']);
    ws.addRow(REG_HEADER);
    for (let i = 1; i <= 3; i++) ws.addRow(regRow(i));
    ws.addRow(REG_HEADER); // row 6: the second export's header
    for (let i = 4; i <= 6; i++) ws.addRow(regRow(i));
    await wb.xlsx.writeFile(file);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: 6, rowsRejected: 1 });
      expect(await rows(db, `SELECT line, column_name, reason FROM rejects`)).toEqual([{ line: 6, column_name: null, reason: REPEATED_HEADER_REASON }]);
      expect(await rows(db, `SELECT count(*) AS n FROM registration WHERE name = '企业名称' OR uscc = '统一社会信用代码'`)).toEqual([{ n: 0 }]);
    });
  });

  it('silent loss: an instructions sheet before the data sheet no longer refuses the workbook: the first sheet with a header is read, without a warning', async () => {
    const dir = tempDir();
    const file = path.join(dir, '市场监管_企业登记信息_20261031.xlsx');
    const wb = new ExcelJS.Workbook();
    const notes = wb.addWorksheet('填表说明');
    notes.addRow(['填表说明']);
    notes.addRow(['1. 统一社会信用代码为18位。']);
    notes.addRow(['2. 成立日期格式为YYYY-MM-DD。', '（必填）']);
    const data = wb.addWorksheet('数据');
    data.addRow(REG_HEADER);
    for (let i = 1; i <= 4; i++) data.addRow(regRow(i));
    await wb.xlsx.writeFile(file);
    await withDb(async (db) => {
      const result = await load(db, file);
      expect(result).toMatchObject({ status: 'loaded', rowsLoaded: 4, rowsRejected: 0 });
      expect(result.status === 'loaded' && result.warnings).toBeFalsy();
      expect(await rows(db, `SELECT sheet, header_line, message FROM manifest`)).toEqual([{ sheet: '数据', header_line: 1, message: null }]);
    });
    // No sheet with a header at all: refused, with the reason of the sheet most like a data sheet.
    const none = path.join(dir, '说明.xlsx');
    const wb2 = new ExcelJS.Workbook();
    wb2.addWorksheet('填表说明').addRow(['填表说明']);
    wb2.addWorksheet('数据').addRow(['社会信用码', '企业名称', '成立日期', '登记状态']);
    await wb2.xlsx.writeFile(none);
    await withDb(async (db) => {
      expect(await load(db, none)).toMatchObject({
        status: 'refused',
        reason: 'unknown_kind',
        message: expect.stringContaining('(sheet "数据"; no header in "填表说明" either)'),
      });
    });
  });
});
