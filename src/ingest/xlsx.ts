import { InputError } from '../core/errors.ts';
import { cellText, isFormulaWithoutResult, readWorkbook, type CellValue, type SheetInfo, type XlsxOptions } from '../core/xlsx-read.ts';
import { findHeader, MAX_TITLE_ROWS, type HeaderFound } from './header.ts';
import { abandonOutput, drained, finishOutput, outputStream } from './decode.ts';
import type { Kind } from '../sources/index.ts';

/**
 * The columns in front of the cells in the CSV a workbook becomes: the line (the sheet row for
 * the first sheet read; see LINE_SHEET_STEP), `sheet!row`, and why the row is rejected before
 * typing (with the column), if it is.
 */
export const XLSX_LEAD_COLUMNS = ['__row', '__ref', '__reject', '__reject_column'] as const;

/**
 * Lines of a workbook read over several sheets: the k-th sheet read (from 0) numbers its rows
 * k × 10,000,000 + row, so lines stay unique in the file, in sheet order, and readable (line
 * 20,000,017 is row 17 of the third sheet read). One sheet: the line is the row.
 */
export const LINE_SHEET_STEP = 10_000_000;

export const REPEATED_HEADER_REASON = 'repeated header row';
export const FORMULA_WITHOUT_RESULT_REASON = '公式单元格没有计算结果';

export interface SheetRead {
  name: string;
  /** Sheet row number of its header (1-based). */
  headerRow: number;
  /** Data rows written from it. */
  rows: number;
}

export interface SheetAsCsv {
  /** The sheets read, comma-separated (for the manifest). */
  sheet: string;
  sheets: SheetRead[];
  header: HeaderFound;
  /** Sheet row number of the first sheet's header (1-based). */
  headerRow: number;
  /** Data rows written (non-empty rows below the headers), all sheets together. */
  rows: number;
  /** Width of the header; the CSV has XLSX_LEAD_COLUMNS in front. */
  width: number;
  /** Rows equal to the header, below it (two exports pasted together): written as rejected rows. */
  repeatedHeaders: number;
  /** Sheets with rows that were not read, and why: the caller warns. */
  skipped: Array<{ sheet: string; why: string }>;
}

function csvField(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** Header texts compared between sheets and against data rows: trimmed, without trailing empty cells. */
function headerKey(texts: readonly string[]): string[] {
  const key = texts.map((t) => t.trim());
  while (key.length > 0 && key[key.length - 1] === '') key.pop();
  return key;
}

/** A row equal to the header (after trimming, trailing empty cells aside). */
function isHeaderRow(texts: readonly string[], key: readonly string[]): boolean {
  if (key.length === 0 || texts[0]?.trim() !== key[0]) return false; // the usual case, cheaply
  return sameTexts(headerKey(texts), key);
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** The first sheet with a header: the kind, headers and width every other sheet read must have. */
interface First {
  header: HeaderFound;
  key: string[];
  sheet: string;
  width: number;
  /** Cell index -> contract column, of the columns the kind uses. */
  columnOf: Map<number, string>;
  columns: number[];
}

interface Pending {
  number: number;
  cells: CellValue[];
  texts: string[];
}

/** A sheet that never had three filled cells in a row (an instructions or notes sheet) is skipped without a warning. */
const NOTES_MAX_WIDTH = 2;

/**
 * Streams a workbook into a UTF-8 CSV for read_csv. The first sheet with a header row (below
 * any title rows) gives the kind and the headers; every later sheet with the same headers is
 * read into the same CSV (an export split over many sheets); sheets with other headers are
 * named in `skipped`. With `sheet`, only that sheet is read. Each CSV row carries its line and
 * `sheet!row`, so rejects point at the row a person sees in Excel. A row equal to the header
 * and a row whose used cell is a formula without a computed value are written as rejected rows.
 */
export async function xlsxToCsv(file: string, target: string, options: { sheet?: string; kind?: Kind; xlsx?: XlsxOptions } = {}): Promise<SheetAsCsv> {
  return readWorkbook(
    file,
    async (workbook) => {
      // outputStream/drained/finishOutput: a write error (a full disk) rejects here instead of killing the process.
      const out = outputStream(target);
      // Lines go out in blocks of about 64 KB: one write per row costs more than the parsing.
      let block = '';
      const flush = async (): Promise<void> => {
        const text = block;
        block = '';
        if (text !== '' && !out.write(text)) await drained(out);
      };
      try {
        const result = await convert(
          file,
          workbook.sheets,
          (s) => workbook.rows(s),
          options,
          async (line) => {
            block += line;
            if (block.length >= 32_768) await flush();
          },
        );
        await flush();
        await finishOutput(out);
        return result;
      } catch (error) {
        await abandonOutput(out);
        throw error;
      }
    },
    options.xlsx,
  );
}

async function convert(
  file: string,
  allSheets: readonly SheetInfo[],
  rowsOf: (sheet: SheetInfo) => AsyncIterable<{ number: number; cells: CellValue[] }>,
  options: { sheet?: string; kind?: Kind },
  write: (line: string) => Promise<void>,
): Promise<SheetAsCsv> {
  const sheets = options.sheet === undefined ? allSheets : allSheets.filter((s) => s.name === options.sheet);
  if (sheets.length === 0) {
    const found = allSheets.map((s) => s.name).join(', ') || 'none';
    throw new InputError(
      `Workbook "${file}" has no sheet named "${options.sheet}" (found: ${found}). Check the file, or name the sheet in the pipeline file.`,
      {
        reason: 'no_sheet',
      },
    );
  }
  let first: First | undefined;
  const read: SheetRead[] = [];
  const skipped: Array<{ sheet: string; why: string }> = [];
  /** Why sheets with rows before the first data sheet were passed over (the refusal, when no sheet has a header). */
  const failures: Array<{ sheet: string; error: InputError; width: number }> = [];
  let repeatedHeaders = 0;
  let total = 0;

  for (const sheet of sheets) {
    const pending: Pending[] = [];
    let header: HeaderFound | undefined;
    let lastError: InputError | undefined;
    let widest = 0;
    let rows = 0;
    let outcome: 'read' | 'differs' | undefined;
    const ordinal = read.length;
    const writeData = async (f: First, row: Pending): Promise<void> => {
      let reject = '';
      let rejectColumn = '';
      const formula = f.columns.find((i) => isFormulaWithoutResult(row.cells[i]));
      if (formula !== undefined) {
        reject = FORMULA_WITHOUT_RESULT_REASON;
        rejectColumn = f.columnOf.get(formula) ?? '';
      } else if (isHeaderRow(row.texts, f.key)) {
        reject = REPEATED_HEADER_REASON;
        repeatedHeaders++;
      }
      await write(rowLine(ordinal * LINE_SHEET_STEP + row.number, `${sheet.name}!${row.number}`, reject, rejectColumn, row.texts, f.width));
      rows++;
    };
    for await (const row of rowsOf(sheet)) {
      const texts = row.cells.map(cellText);
      const filled = texts.reduce((n, t) => (t.trim() === '' ? n : n + 1), 0);
      if (header && first) {
        // A data row: empty unless a cell in use holds a formula without a computed value.
        if (filled === 0 && !first.columns.some((i) => isFormulaWithoutResult(row.cells[i]))) continue;
        if (texts.some((t) => t.includes('\uFFFD'))) throw replacementCharacters(file, sheet.name, row.number);
        await writeData(first, { number: row.number, cells: row.cells, texts });
        continue;
      }
      // Looking for the header.
      if (filled === 0) continue;
      if (texts.some((t) => t.includes('\uFFFD'))) throw replacementCharacters(file, sheet.name, row.number);
      widest = Math.max(widest, filled);
      pending.push({ number: row.number, cells: row.cells, texts });
      try {
        header = findHeader(
          pending.map((p) => p.texts),
          file,
          first?.header.match.kind ?? options.kind,
        );
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        lastError = error;
        if (pending.length > MAX_TITLE_ROWS) break; // no header in the rows a header may be in
        continue;
      }
      const key = headerKey(header.headers);
      if (!first) {
        const columnOf = new Map(Object.entries(header.match.columns).map(([name, index]) => [index, name]));
        first = { header, key, sheet: sheet.name, width: header.headers.length, columnOf, columns: [...columnOf.keys()] };
        await write(`${[...XLSX_LEAD_COLUMNS, ...header.headers.map((_, i) => `c${i}`)].map(csvField).join(',')}\n`);
      } else if (!sameTexts(key, first.key)) {
        outcome = 'differs';
        break;
      }
      outcome = 'read';
      read.push({ name: sheet.name, headerRow: (pending[header.index] as Pending).number, rows: 0 });
      // The rows below the header among those looked at are data rows: read them again as such.
      const below = pending.slice(header.index + 1);
      pending.length = header.index + 1;
      for (const p of below) await writeData(first, p);
    }
    if (outcome === 'read') {
      (read[ordinal] as SheetRead).rows = rows;
      total += rows;
      continue;
    }
    if (pending.length === 0) continue; // an empty sheet
    if (options.sheet !== undefined && lastError) throw lastError;
    if (first) {
      // Rows of another table, or a sheet going on without its header: not read, and said so.
      if (outcome === 'differs') skipped.push({ sheet: sheet.name, why: `its headers differ from those of sheet "${first.sheet}"` });
      else if (widest > NOTES_MAX_WIDTH)
        skipped.push({ sheet: sheet.name, why: `no header row with the columns of sheet "${first.sheet}" in its first ${MAX_TITLE_ROWS + 1} rows` });
    } else if (lastError) {
      failures.push({ sheet: sheet.name, error: lastError, width: widest });
    }
  }

  if (!first) {
    // The sheet most like a data sheet (the widest rows) says why.
    const best = failures.sort((a, b) => b.width - a.width)[0];
    if (best) {
      const others = failures.filter((f) => f !== best).map((f) => `"${f.sheet}"`);
      const where = sheets.length > 1 ? ` (sheet "${best.sheet}"${others.length ? `; no header in ${others.join(', ')} either` : ''})` : '';
      throw new InputError(`${best.error.message}${where}`, best.error.details);
    }
    const which = options.sheet === undefined ? 'no non-empty sheet' : `nothing in sheet "${options.sheet}"`;
    throw new InputError(`Workbook "${file}" has ${which}. Check the file, or name the sheet in the pipeline file.`, { reason: 'no_sheet' });
  }
  // Sheets with rows before the first data sheet are skipped without a warning only when they look like notes.
  for (const f of failures) {
    if (f.width > NOTES_MAX_WIDTH) skipped.unshift({ sheet: f.sheet, why: `no header row in its first ${MAX_TITLE_ROWS + 1} rows` });
  }
  const firstRead = read[0] as SheetRead;
  return {
    sheet: read.map((r) => r.name).join(', '),
    sheets: read,
    header: first.header,
    headerRow: firstRead.headerRow,
    rows: total,
    width: first.width,
    repeatedHeaders,
    skipped,
  };
}

function replacementCharacters(file: string, sheet: string, row: number): InputError {
  return new InputError(
    `Workbook "${file}" contains replacement characters (U+FFFD) in sheet "${sheet}" row ${row}: its text was converted from another encoding and damaged on the way before it was saved. Export it again from the source system.`,
    { reason: 'replacement_characters' },
  );
}

/** A data row: padded to the header width; extra non-empty cells are kept so the row is rejected as too wide. */
function rowLine(line: number, ref: string, reject: string, rejectColumn: string, cells: string[], width: number): string {
  let last = cells.length;
  while (last > width && (cells[last - 1] ?? '').trim() === '') last--;
  const padded = cells.slice(0, last);
  while (padded.length < width) padded.push('');
  return `${[String(line), ref, reject, rejectColumn, ...padded].map(csvField).join(',')}\n`;
}
