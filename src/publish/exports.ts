import fs from 'node:fs';
import { tableFromJSON, tableToIPC } from 'apache-arrow';
import type { Db } from '../db/database.ts';
import { displayWidth, rowListWriter } from '../core/xlsx-write.ts';
import { literal } from '../core/sql.ts';

export const EXPORT_FORMATS = ['table', 'csv', 'jsonl', 'parquet', 'arrow', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A cell value for a spreadsheet: text that Excel would read as a formula is kept as text. */
function sheetValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Text Excel would run as a formula (= + - @, a tab or CR first) gets a leading apostrophe; a plain negative number stays a number.
  if (/^[=+@\t\r]/.test(text) || /^-(?!\d+(\.\d+)?$)/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A plain-text table for a terminal (CJK counted as two columns). */
export function formatTable(columns: string[], rows: Array<Record<string, unknown>>): string {
  const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.min(48, Math.max(displayWidth(c), ...rows.map((r) => displayWidth(text(r[c]))))));
  const pad = (t: string, w: number): string => {
    let out = '';
    let used = 0;
    for (const ch of t) {
      const cw = displayWidth(ch);
      if (used + cw > w) break;
      out += ch;
      used += cw;
    }
    return out + ' '.repeat(w - used);
  };
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(columns.map((c) => text(r[c]))))].join('\n')}\n`;
}

/**
 * Writes the rows of one SELECT in a format. csv and parquet go through DuckDB's COPY (no row
 * passes through JS); jsonl, arrow and xlsx stream chunk by chunk. `out` undefined: stdout
 * (table, csv, jsonl only). Returns the number of rows.
 */
export async function exportQuery(db: Db, select: string, format: ExportFormat, out: string | undefined, maxTableRows = 200): Promise<number> {
  if ((format === 'parquet' || format === 'arrow' || format === 'xlsx') && !out) {
    throw new Error(`--format ${format} writes a file: give --out FILE`);
  }
  // csv goes through csvCell below (formulas kept as text); parquet holds typed values, no formulas.
  if (out && format === 'parquet') {
    const options = '(FORMAT parquet)';
    await db.run(`COPY (${select}) TO ${literal(out)} ${options}`, undefined, { step: `query.export.${format}` });
    const n = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM (${select})`);
    return Number(n?.n ?? 0);
  }
  let count = 0;
  if (format === 'table') {
    const shown: Array<Record<string, unknown>> = [];
    let columns: string[] = [];
    for await (const chunk of db.streamJson(select, undefined, { step: 'query' })) {
      columns = chunk.columns;
      for (const row of chunk.rows) {
        if (shown.length < maxTableRows) shown.push(row);
        count++;
      }
    }
    const text =
      formatTable(columns, shown) +
      (count > shown.length ? `(${count} rows, first ${shown.length} shown; use --format csv or --out for all)\n` : `(${count} rows)\n`);
    if (out) fs.writeFileSync(out, text);
    else process.stdout.write(text);
    return count;
  }
  if (format === 'csv' || format === 'jsonl') {
    const sink = out ? fs.createWriteStream(out) : process.stdout;
    let header = false;
    for await (const chunk of db.streamJson(select, undefined, { step: 'query' })) {
      let text = '';
      if (format === 'csv' && !header) {
        text += `${chunk.columns.map(csvCell).join(',')}\n`;
        header = true;
      }
      for (const row of chunk.rows) {
        text += format === 'csv' ? `${chunk.columns.map((c) => csvCell(row[c])).join(',')}\n` : `${JSON.stringify(row)}\n`;
        count++;
      }
      if (!sink.write(text)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
    }
    if (out) await new Promise<void>((resolve, reject) => (sink as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
    return count;
  }
  if (format === 'arrow') {
    const rows: Array<Record<string, unknown>> = [];
    for await (const chunk of db.streamJson(select, undefined, { step: 'query' })) rows.push(...chunk.rows);
    fs.writeFileSync(out as string, tableToIPC(tableFromJSON(rows), 'file'));
    return rows.length;
  }
  // xlsx: exceljs's streaming writer; every value from the data is a plain cell value, never a formula.
  const workbook = rowListWriter(out as string);
  const sheet = workbook.addWorksheet('查询结果', { views: [{ state: 'frozen', ySplit: 1 }] });
  let started = false;
  for await (const chunk of db.streamJson(select, undefined, { step: 'query' })) {
    if (!started) {
      sheet.columns = chunk.columns.map((c) => ({ header: c, key: c, width: Math.min(60, Math.max(10, displayWidth(c) + 2)) }));
      sheet.getRow(1).font = { bold: true };
      started = true;
    }
    for (const row of chunk.rows) {
      sheet.addRow(chunk.columns.map((c) => sheetValue(row[c]))).commit();
      count++;
    }
  }
  sheet.commit();
  await workbook.commit();
  return count;
}
