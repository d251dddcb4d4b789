import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Db, Params } from '../db/database.ts';
import { addOrderedSheet, safeText, displayWidth, headerFooterText } from '../core/xlsx-write.ts';

/**
 * A read-only list workbook for case officers (blacklist candidates, arrears lists): a 说明
 * sheet, then one sheet per SQL query, written from a view so `recon query` reproduces every
 * row. Not a worklist: nothing is filled in or read back, so no checksums.
 */

export interface ListColumn {
  /** Column of the query result. */
  key: string;
  /** Chinese header. */
  header: string;
  /** Width in Excel units (CJK counts 2). */
  width: number;
  kind?: 'text' | 'money' | 'int' | 'date';
  wrap?: boolean;
}

export interface ListSheet {
  name: string;
  columns: ListColumn[];
  /** The query giving the rows, with an ORDER BY over a unique key (it is read in pages), no LIMIT. */
  sql: string;
  params?: Params;
  /** Text of the page header. */
  header: string;
  /** Landscape (default) or portrait. */
  orientation?: 'landscape' | 'portrait';
}

export interface ListWorkbook {
  file: string;
  title: string;
  /** Lines of the 说明 sheet after the title: [label, text]. */
  intro: Array<[string, string]>;
  sheets: ListSheet[];
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
const CHUNK = 5000;

function lines(text: string, width: number): number {
  return text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(displayWidth(line) / Math.max(1, width - 3))), 0);
}

function cell(value: unknown, kind: ListColumn['kind']): string | number | null {
  if (value === null || value === undefined) return null;
  if (kind === 'money') return Math.round(Number(value) * 100) / 100;
  if (kind === 'int') return Number(value);
  if (kind === 'date' && value instanceof Date) return value.toISOString().slice(0, 10);
  // Values from exports never become formulas (safeText), and ID numbers are masked.
  return safeText(value);
}

/** Writes the workbook; returns the rows written per sheet. */
export async function writeListWorkbook(db: Db, spec: ListWorkbook): Promise<number[]> {
  fs.mkdirSync(path.dirname(spec.file), { recursive: true });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: spec.file, useStyles: true, useSharedStrings: true });
  wb.creator = 'recon';
  const guide = addOrderedSheet(wb, '说明', { pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  guide.columns = [{ width: 18 }, { width: 88 }];
  for (const [i, [a, b]] of [[spec.title, ''] as [string, string], ...spec.intro].entries()) {
    const row = guide.addRow([a, b]);
    row.getCell(1).font = { bold: true, size: i === 0 ? 14 : 11 };
    row.getCell(1).alignment = { vertical: 'top' };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
    row.height = Math.min(409, 15 * lines(b, 88) + 3);
    row.commit();
  }
  await guide.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true });
  guide.commit();

  const counts: number[] = [];
  for (const s of spec.sheets) {
    const ws = addOrderedSheet(wb, s.name, {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
      pageSetup: {
        paperSize: 9,
        orientation: s.orientation ?? 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '1:1',
        showGridLines: true,
        margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      },
    });
    ws.columns = s.columns.map((c) => ({
      key: c.key,
      width: c.width,
      style: {
        alignment: { vertical: 'top', wrapText: c.wrap ?? false },
        ...(c.kind === 'money' ? { numFmt: '#,##0.00' } : {}),
      },
    }));
    const header = ws.addRow(s.columns.map((c) => c.header));
    header.eachCell((h) => {
      h.style = { font: { bold: true }, alignment: { vertical: 'middle', horizontal: 'center', wrapText: true }, fill: HEADER_FILL };
    });
    header.height = 16 * Math.max(...s.columns.map((c) => lines(c.header, c.width))) + 6;
    header.commit();
    ws.headerFooter = { oddHeader: `&L${headerFooterText(s.header)}&R${headerFooterText(spec.title)}`, oddFooter: '&C第 &P 页 / 共 &N 页' };
    let n = 0;
    for (let offset = 0; ; offset += CHUNK) {
      const chunk = await db.all<Record<string, unknown>>(`${s.sql}\nLIMIT ${CHUNK} OFFSET ${offset}`, s.params, { step: `list.${s.name}` });
      for (const r of chunk) {
        const values = s.columns.map((c) => cell(r[c.key], c.kind));
        const row = ws.addRow(values);
        let height = 1;
        s.columns.forEach((c, i) => {
          if (c.wrap && values[i] !== null) height = Math.max(height, lines(String(values[i]), c.width));
        });
        row.height = Math.min(409, 16 * height + 4);
        row.commit();
        n++;
      }
      if (chunk.length < CHUNK) break;
    }
    if (n > 0) ws.autoFilter = `A1:${String.fromCharCode(64 + s.columns.length)}${n + 1}`;
    ws.commit();
    counts.push(n);
  }
  await wb.commit();
  return counts;
}
