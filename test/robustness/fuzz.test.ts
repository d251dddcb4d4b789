import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { KINDS } from '../../src/sources/index.ts';
import type { LoadResult } from '../../src/ingest/load.ts';
import { ReconError } from '../../src/core/errors.ts';
import { load, rows, tempDir, withDb } from '../helpers.ts';
import { GOOD_INBOX } from './corpus.ts';
import { cellText } from '../../src/core/xlsx-read.ts';

/**
 * Property test of ingest: random and mutated CSV and XLSX files, from a fixed seed (a failure
 * names the seed and the file, and repeats). For every file: loadFile returns (never throws),
 * a loaded file's loaded + rejected = rows read (= the rows written, for generated files), a
 * refused file leaves no row behind; after each batch the database agrees with its manifest.
 */
const SEED = Number(process.env['RECON_FUZZ_SEED'] ?? 20261031);
const FILES = Number(process.env['RECON_FUZZ_FILES'] ?? 40);

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Headers of each kind as the fixture spells them. */
const HEADERS: string[][] = [
  ['统一社会信用代码', '企业名称', '成立日期', '登记状态', '住所', '从业人数'],
  ['纳税人识别号', '纳税人名称', '纳税人状态', '登记日期'],
  ['扣缴义务人纳税人识别号', '所属期', '申报人数', '收入额'],
  ['统一社会信用代码', '社会组织名称', '登记状态', '从业人员数'],
  ['单位编号', '单位名称', '险种', '参保状态', '参保人数'],
  ['单位编号', '费款所属期', '险种', '缴费基数合计', '应缴金额', '实缴金额'],
];

const VALUES = [
  '91320505MA813UE26P',
  '91320505ma813ue26p',
  '９１３２０５０５ＭＡ８１３ＵＥ２６Ｐ',
  '0050000025',
  '000000',
  '苏州菊佳商贸有限公司',
  '苏州（菊佳）商贸',
  '2024-01-05',
  '2024/1/5',
  '20240105',
  '2024年1月5日',
  '44741',
  '1900-01-01',
  '2100-12-31',
  '0000-00-00',
  '202410',
  '2024-10',
  '2024年10月',
  '存续',
  '在营',
  '注销',
  '吊销，未注销',
  '正常',
  '非正常',
  '1',
  '2',
  '3',
  '养老',
  '110',
  '工伤',
  '正常参保',
  '暂停',
  '1234.5',
  '1,234.50',
  '￥1,234.50',
  '-6239.52',
  '1e308',
  '99999999999999999999',
  'NaN',
  '0',
  '-0',
  '3人',
  '12.5',
  '',
  ' ',
  'N/A',
  '-',
  '无',
  'null',
  'NULL',
  '"',
  '""',
  'a"b',
  '=1+1',
  "+cmd|' /C calc'!A0",
  '@SUM(A1)',
  '\t',
  'x\ny',
  'x\r\ny',
  '\r',
  '😀',
  '𠀀',
  '\u0000',
  '\uFEFF',
  'é',
  '\\',
  ',',
  '|',
  ';',
  '\u202E',
  'x'.repeat(5000),
  '长'.repeat(3000),
];

const DELIMS = [',', '\t', '|', ';'] as const;

function quote(value: string, delim: string, r: Rand): string {
  const needs = value.includes(delim) || value.includes('"') || value.includes('\n') || value.includes('\r');
  if (needs || r() < 0.1) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/** A random but well-formed CSV: header of a kind, rows of random values (some of the wrong width). */
function randomCsv(r: Rand): { bytes: Buffer; rows: number; name: string } {
  const headers = pick(r, HEADERS);
  const delim = pick(r, DELIMS);
  const n = int(r, 0, 40);
  const lines = [headers.join(delim)];
  for (let i = 0; i < n; i++) {
    const width = r() < 0.1 ? headers.length + pick(r, [-1, 1, 3]) : headers.length;
    const cells = Array.from({ length: Math.max(2, width) }, () => (r() < 0.7 ? pick(r, VALUES) : String(int(r, 0, 99999))));
    if (cells.every((c) => c.trim() === '')) cells[0] = 'x';
    lines.push(cells.map((c) => quote(c, delim, r)).join(delim));
  }
  const eol = pick(r, ['\n', '\r\n']);
  const text = lines.join(eol) + (r() < 0.8 ? eol : '');
  const encoding = pick(r, ['utf-8', 'utf-8-bom', 'gbk'] as const);
  const bytes = encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from((encoding === 'utf-8-bom' ? '\uFEFF' : '') + text, 'utf8');
  // GBK cannot hold every character (emoji become '?'); the row count stays.
  return { bytes, rows: n, name: `random-${encoding}-${delim === '\t' ? 'tab' : delim === '|' ? 'pipe' : delim === ';' ? 'semi' : 'comma'}.csv` };
}

/** Byte-level damage: flips, cuts, duplicated or deleted ranges, stray quotes, delimiters and line ends. */
function mutate(r: Rand, source: Buffer): Buffer {
  let bytes = Buffer.from(source);
  const times = int(r, 1, 6);
  for (let i = 0; i < times; i++) {
    const at = int(r, 0, Math.max(0, bytes.length - 1));
    const len = int(r, 1, Math.min(200, Math.max(1, bytes.length - at)));
    switch (int(r, 0, 6)) {
      case 0:
        for (let k = at; k < at + len && k < bytes.length; k++) bytes[k] = int(r, 0, 255);
        break;
      case 1:
        bytes = bytes.subarray(0, at);
        break;
      case 2:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + len)]);
        break;
      case 3:
        bytes = Buffer.concat([bytes.subarray(0, at + len), bytes.subarray(at, at + len), bytes.subarray(at + len)]);
        break;
      case 4:
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from(pick(r, ['"', '""', ',', '\t', '\n', '\r', '\r\n', '|', '\u0000', '\uFFFD', '﻿'])),
          bytes.subarray(at),
        ]);
        break;
      case 5:
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          iconv.encode(pick(r, ['苏州', '有限公司', '养老', '正常参保']), pick(r, ['gbk', 'utf8'])),
          bytes.subarray(at),
        ]);
        break;
      default:
        bytes = Buffer.concat([bytes.subarray(at), bytes.subarray(0, at)]);
    }
  }
  return bytes;
}

/** A random workbook: a kind's header under 0-2 title rows, cells of every exceljs value type. */
async function randomXlsx(r: Rand, file: string): Promise<number> {
  const wb = new ExcelJS.Workbook();
  if (r() < 0.2) wb.addWorksheet('空白');
  const ws = wb.addWorksheet(pick(r, ['Sheet1', '数据', 'export']));
  for (let t = int(r, 0, 2); t > 0; t--) ws.addRow(['XX区市场主体登记信息（截至2026年10月31日）']);
  const headers = pick(r, HEADERS);
  ws.addRow(headers);
  const n = int(r, 0, 30);
  for (let i = 0; i < n; i++) {
    const cells = headers.map((): ExcelJS.CellValue => {
      switch (int(r, 0, 7)) {
        case 0:
          return int(r, -1000, 100000);
        case 1:
          return new Date(Date.UTC(int(r, 1899, 2101), int(r, 0, 11), int(r, 1, 28)));
        case 2:
          return { formula: 'A1&"x"', result: '公式结果' };
        case 3:
          return { richText: [{ text: '富' }, { text: pick(r, VALUES) }] };
        case 4:
          return { error: '#N/A' } as ExcelJS.CellErrorValue;
        case 5:
          return null;
        default:
          // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL cannot be written into a CSV cell
          return pick(r, VALUES).replace(/\u0000/g, '');
      }
    });
    // A row blank to the eye (spaces, errors, nothing) is no row in a sheet: keep one visible value.
    if (cells.every((c) => cellText(c).trim() === '')) cells[0] = 'x';
    ws.addRow(cells);
  }
  await wb.xlsx.writeFile(file);
  return n;
}

const SOURCES = [
  '社保单位参保登记_20261031.csv',
  '社保费征收明细_20260715.csv',
  '税务登记_2026-10.csv',
  '市场监管_企业登记信息_20261031.csv',
  '个税扣缴申报202610.xlsx',
  'export (3).xlsx',
];

/** The first lines of a fixture text file (small, so 100+ files load in seconds). */
function sample(name: string): Buffer {
  const bytes = fs.readFileSync(path.join(GOOD_INBOX, name));
  if (name.endsWith('.xlsx')) return bytes;
  let cut = 0;
  for (let i = 0; i < 30 && cut >= 0; i++) cut = bytes.indexOf(0x0a, cut + 1);
  return cut > 0 ? bytes.subarray(0, cut + 1) : bytes;
}

async function kindRows(db: Db): Promise<number> {
  let n = 0;
  for (const kind of KINDS) n += Number((await rows(db, `SELECT count(*) AS n FROM ${kind}`))[0]?.['n']);
  return n;
}

/** The database agrees with its manifest: per loaded file, rows and rejects as recorded; refused files own nothing. */
async function consistent(db: Db): Promise<void> {
  for (const kind of KINDS) {
    const bad = await rows(
      db,
      `SELECT m.file_id, m.rows_loaded, m.rows_rejected, m.rows_read,
              (SELECT count(*) FROM ${kind} t WHERE t.file_id = m.file_id) AS n,
              (SELECT count(*) FROM rejects j WHERE j.file_id = m.file_id) AS j
       FROM manifest m WHERE m.kind = $1 AND m.status = 'loaded'
         AND (n <> m.rows_loaded OR j <> m.rows_rejected OR m.rows_loaded + m.rows_rejected <> m.rows_read)`,
      [kind],
    );
    expect(bad, kind).toEqual([]);
    const orphans = await rows(db, `SELECT count(*) AS n FROM ${kind} WHERE file_id NOT IN (SELECT file_id FROM manifest WHERE status = 'loaded')`);
    expect(orphans, kind).toEqual([{ n: 0 }]);
  }
  expect(await rows(db, `SELECT count(*) AS n FROM rejects WHERE file_id NOT IN (SELECT file_id FROM manifest WHERE status = 'loaded')`)).toEqual([{ n: 0 }]);
}

describe(`ingest under random and mutated files (seed ${SEED}, ${FILES} files)`, () => {
  it('never crashes, keeps loaded + rejected = rows read, and leaves the database consistent', async () => {
    const r = prng(SEED);
    const dir = tempDir('recon-fuzz-');
    const outcomes: Record<string, number> = {};
    const batches = Math.ceil(FILES / 20);
    let made = 0;
    for (let b = 0; b < batches; b++) {
      await withDb(async (db) => {
        for (let i = 0; i < 20 && made < FILES; i++, made++) {
          const kind = pick(r, ['random-csv', 'random-csv', 'random-xlsx', 'mutated', 'mutated', 'mutated'] as const);
          let file: string;
          let expectedRows: number | undefined;
          if (kind === 'random-csv') {
            const g = randomCsv(r);
            file = path.join(dir, `${made}-${g.name}`);
            fs.writeFileSync(file, g.bytes);
            expectedRows = g.rows;
          } else if (kind === 'random-xlsx') {
            file = path.join(dir, `${made}-random.xlsx`);
            expectedRows = await randomXlsx(r, file);
          } else {
            const source = pick(r, SOURCES);
            file = path.join(dir, `${made}-mutated-${source}`);
            fs.writeFileSync(file, mutate(r, sample(source)));
          }
          // RECON_FUZZ_TRACE=file: one line per file before it loads (to find a file that hangs).
          if (process.env['RECON_FUZZ_TRACE']) fs.appendFileSync(process.env['RECON_FUZZ_TRACE'], `${Date.now()} ${path.basename(file)}\n`);
          const before = await kindRows(db);
          let result: LoadResult;
          try {
            result = await load(db, file, { workDir: path.join(dir, '.work') });
          } catch (error) {
            throw new Error(
              `seed ${SEED}, file ${path.basename(file)}: loadFile threw instead of refusing: ${error instanceof ReconError ? error.name : ''} ${String(error)}`,
            );
          }
          const label = `seed ${SEED}, ${path.basename(file)}: ${JSON.stringify({ ...result, file: undefined })}`;
          const key = result.status === 'refused' ? `refused:${result.reason}` : result.status;
          outcomes[key] = (outcomes[key] ?? 0) + 1;
          if (result.status === 'loaded') {
            expect(result.rowsLoaded + result.rowsRejected, label).toBe(result.rowsRead);
            if (expectedRows !== undefined) expect(result.rowsRead, label).toBe(expectedRows);
            expect(await kindRows(db), label).toBe(before + result.rowsLoaded);
          } else {
            expect(result.message.length, label).toBeGreaterThan(20);
            expect(await kindRows(db), label).toBe(before);
          }
          if (result.status === 'refused' && expectedRows !== undefined && expectedRows > 0) {
            // A well-formed generated file is refused only for its content, never as unreadable.
            expect(['all_rejected', 'snapshot_shrank', 'unknown_kind', 'ambiguous_kind', 'duplicate_columns'], label).toContain(result.reason);
          }
        }
        await consistent(db);
      });
    }
    expect(fs.readdirSync(path.join(dir, '.work'))).toEqual([]);
    // The run shows what it tried (vitest prints the test's console only on failure or with --reporter=verbose).
    process.stdout.write(`fuzz: ${made} files, outcomes ${JSON.stringify(outcomes)}\n`);
    expect(made).toBe(FILES);
    expect(outcomes['loaded'] ?? 0).toBeGreaterThan(FILES / 10);
  }, 240_000);
});
