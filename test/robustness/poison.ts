import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { CONTRACTS } from '../../src/sources/index.ts';
import { findHeader, sniffDelimiter } from '../../src/ingest/header.ts';
import { cellText } from '../../src/core/xlsx-read.ts';
import { residentIdCheckChar } from '../../src/link/codes.ts';

/** Formula and DDE payloads (a cell starting with any of them runs in Excel or LibreOffice). */
export const FORMULAS = [
  '=1+1',
  '+SUM(1,1)',
  "-2+3+cmd|' /C calc'!A0",
  '@SUM(1,1)',
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.invalid","点我")',
  '\t=1+1',
  '\r=1+1',
  'DDE("cmd";"/C calc";"!A0")',
  '<script>alert(1)</script>',
];

/** Street names that try to leave the worklists folder. */
export const ESCAPES = ['../../../../逃逸街道', '/tmp/recon-绝对路径', '..', '..\\..\\逃逸', 'a/../../b'];

/** Valid resident ID numbers (身份证号), planted in text columns: no worklist may show them. */
export const ID_NUMBERS = ['32050519800101123', '32058119920229004', '11010519491231002'].map((first) => first + residentIdCheckChar(first));

/** The payload for data row `i` of column `column`: kept in front of the original text. */
function payload(column: string, i: number): string {
  if (column === 'street' && i % 3 === 0) return ESCAPES[i % ESCAPES.length] as string;
  if (column === 'legal_rep' && i % 4 === 1) return `张三${ID_NUMBERS[i % ID_NUMBERS.length]}`;
  if (column === 'address' && i % 5 === 2) return `身份证${ID_NUMBERS[i % ID_NUMBERS.length]}住`;
  return FORMULAS[i % FORMULAS.length] as string;
}

function textColumns(headers: string[], file: string): Map<number, string> {
  const found = findHeader([headers], file);
  const text = new Set(CONTRACTS[found.match.kind].columns.filter((c) => c.type === 'text').map((c) => c.name));
  return new Map(
    Object.entries(found.match.columns)
      .filter(([name]) => text.has(name))
      .map(([name, index]) => [index, name]),
  );
}

function csvLine(cells: string[], delimiter: string): string {
  return cells.map((c) => (c.includes(delimiter) || /["\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(delimiter);
}

/** Rewrites a CSV export with a payload in front of every text column's value, in its own encoding and delimiter. */
function poisonCsv(file: string): void {
  const bytes = fs.readFileSync(file);
  const utf8 = bytes.toString('utf8');
  const gbk = utf8.includes('\uFFFD');
  const bom = !gbk && utf8.startsWith('\uFEFF');
  const text = gbk ? iconv.decode(bytes, 'gb18030') : utf8.replace(/^\uFEFF/, '');
  const delimiter = sniffDelimiter(text.slice(0, 64 * 1024));
  const rows = parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
  const columns = textColumns(rows[0] as string[], file);
  const out = rows.map((row, r) => (r === 0 ? row : row.map((cell, c) => (columns.has(c) ? payload(columns.get(c) as string, r) + cell : cell))));
  const body = `${out.map((r) => csvLine(r, delimiter)).join('\r\n')}\r\n`;
  fs.writeFileSync(file, gbk ? iconv.encode(body, 'gbk') : Buffer.from((bom ? '\uFEFF' : '') + body, 'utf8'));
}

/** The same for a workbook: the header row is the first of the top rows that names a kind. */
async function poisonXlsx(file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets.find((s) => s.actualRowCount > 0) as ExcelJS.Worksheet;
  let headerRow = 0;
  let columns = new Map<number, string>();
  for (let r = 1; r <= 6 && headerRow === 0; r++) {
    const headers = (ws.getRow(r).values as unknown[]).slice(1).map(cellText);
    try {
      columns = textColumns(headers, file);
      headerRow = r;
    } catch {
      // a title row: the header is further down
    }
  }
  ws.eachRow((row, r) => {
    if (r <= headerRow) return;
    for (const [index, name] of columns) {
      const cell = row.getCell(index + 1);
      cell.value = payload(name, r) + cellText(cell.value);
    }
  });
  await wb.xlsx.writeFile(file);
}

/** Puts payloads into every text column of every export in an inbox. */
export async function poisonInbox(inbox: string): Promise<void> {
  for (const name of fs.readdirSync(inbox)) {
    const file = path.join(inbox, name);
    if (name.endsWith('.csv')) poisonCsv(file);
    else if (name.endsWith('.xlsx')) await poisonXlsx(file);
  }
}
