import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import { cellText, readWorkbook } from '../../src/core/xlsx-read.ts';
import { XLSX_LEAD_COLUMNS, xlsxToCsv } from '../../src/ingest/xlsx.ts';

/** A registration export of Chinese names written with exceljs's streaming writer, and the check that it reads back as written. */

export const HEADER = ['统一社会信用代码', '企业名称', '法定代表人', '成立日期', '登记状态', '住所'];
const WORDS = [
  '上海培耀国际货运代理有限公司',
  '苏州工业园区',
  '𠀀𠀁𠀂',
  '鑫森淼焱垚',
  '😀🚀',
  '广东',
  '餐饮管理',
  '𪚥龘',
  '建筑劳务分包',
  '（普通合伙）',
  '·',
  'ABC',
];
const PEOPLE = ['张三', '李𠀀', '王😀', '欧阳娜娜', '𪚥'];

function nameOf(i: number): string {
  // Names of 3 to 40 characters, so the multi-byte characters fall on every byte offset.
  let s = '';
  for (let k = 0; k < 1 + (i % 5); k++) s += WORDS[(i * 7 + k * 3) % WORDS.length];
  return `${s}${i}号`;
}

export function rowOf(i: number): unknown[] {
  const code = `91320505MA${i.toString(36).toUpperCase().padStart(8, '0')}`;
  return [
    code,
    nameOf(i),
    PEOPLE[i % PEOPLE.length],
    new Date(Date.UTC(2000 + (i % 25), i % 12, 1 + (i % 28))),
    '存续',
    `苏州市姑苏区${nameOf(i * 3)}路${i % 999}号`,
  ];
}

/** What a person sees in each cell of a written row. */
export function textsOf(i: number): string[] {
  return rowOf(i).map(cellText);
}

export async function writeRegistry(file: string, count: number, useSharedStrings: boolean): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings });
  const ws = wb.addWorksheet('登记信息');
  // One style object per column, shared by every cell: exceljs's style cache hits (twice as fast).
  const plain = {};
  const date = { numFmt: 'yyyy-mm-dd' };
  ws.addRow(HEADER).commit();
  for (let i = 1; i <= count; i++) {
    const values = rowOf(i);
    // Rich text (runs) every 7th row, as inline rich strings. Not with shared strings: exceljs's
    // writer files every rich text under one key ("[object Object]"), so all of them would
    // read back as the first one (its bug, not the reader's; our writers write no rich text).
    if (i % 7 === 0 && !useSharedStrings) {
      const chars = Array.from(String(values[1])); // by code point: never half a surrogate pair
      values[1] = { richText: [{ text: chars.slice(0, 3).join('') }, { text: chars.slice(3).join(''), font: { bold: true } }] };
    }
    const row = ws.addRow(values);
    row.eachCell((cell, n) => {
      cell.style = n === 4 ? date : plain;
    });
    row.commit();
  }
  ws.commit();
  await wb.commit();
}

/**
 * Reads `file` (written by writeRegistry) through the reader API and through xlsxToCsv, and
 * expects every cell as written. Returns the time each took.
 */
export async function expectRegistryRoundTrip(file: string, count: number): Promise<{ readerMs: number; csvMs: number }> {
  let started = performance.now();
  let read = 0;
  await readWorkbook(file, async (wb) => {
    expect(wb.sheets.map((s) => s.name)).toEqual(['登记信息']);
    for await (const row of wb.rows(wb.sheets[0] as (typeof wb.sheets)[0])) {
      if (row.number === 1) {
        expect(row.cells).toEqual(HEADER);
        continue;
      }
      const i = row.number - 1;
      const want = rowOf(i);
      const got = row.cells;
      // Compared as values (the date as a Date); in full only when they differ, for speed.
      if (
        got[0] !== want[0] ||
        got[1] !== want[1] ||
        got[2] !== want[2] ||
        got[4] !== want[4] ||
        got[5] !== want[5] ||
        cellText(got[3]) !== cellText(want[3])
      ) {
        expect({ row: row.number, cells: got.map(cellText) }).toEqual({ row: row.number, cells: textsOf(i) });
      }
      if (!(got[3] instanceof Date)) expect(got[3]).toBeInstanceOf(Date);
      read++;
    }
  });
  const readerMs = performance.now() - started;
  expect(read).toBe(count);
  started = performance.now();
  const csv = `${file}.csv`;
  const sheet = await xlsxToCsv(file, csv);
  const csvMs = performance.now() - started;
  expect(sheet).toMatchObject({ sheet: '登记信息', headerRow: 1, rows: count, width: HEADER.length, repeatedHeaders: 0, skipped: [] });
  const text = fs.readFileSync(csv, 'utf8');
  expect(text).not.toContain('\uFFFD');
  // No value holds a quote or a line break: each line is one row, compared as text.
  const lines = text.split('\n');
  expect(parse(lines[0] as string)).toEqual([[...XLSX_LEAD_COLUMNS, ...HEADER.map((_, i) => `c${i}`)]]);
  expect(lines).toHaveLength(count + 2); // the last line ends with \n
  const field = (t: string): string => `"${t}"`;
  for (let i = 1; i <= count; i++) {
    const want = [String(i + 1), `登记信息!${i + 1}`, '', '', ...textsOf(i)].map(field).join(',');
    if (lines[i] !== want) expect(parse(lines[i] as string)).toEqual(parse(want));
  }
  return { readerMs, csvMs };
}
