import ExcelJS from 'exceljs';
import { maskIdNumbers } from './personal.ts';

/**
 * Helpers for workbooks written with exceljs's streaming writer: a typed view of the parts
 * its .d.ts leaves out, the OOXML element-order fix, safe cell text and column widths.
 */

/**
 * exceljs's streaming writer for long row lists (worklists, the notices list, query results):
 * strings go into the cells, not into a shared-strings table. Names, addresses and texts are
 * almost all distinct, and the table cost a third of the writing (a lookup per cell, then its
 * XML at commit); the compressed file is as small.
 */
export function rowListWriter(filename: string): ExcelJS.stream.xlsx.WorkbookWriter {
  return new ExcelJS.stream.xlsx.WorkbookWriter({ filename, useStyles: true, useSharedStrings: false });
}

/**
 * Commits a streaming workbook, and fails instead of waiting for ever when its file could not be
 * written (a full disk): exceljs's commit waits for its zip to drain into a stream that errored.
 * Call right after creating the writer, and await the returned function at the end.
 */
export function guardCommit(workbook: ExcelJS.stream.xlsx.WorkbookWriter): () => Promise<void> {
  const stream = (workbook as unknown as { stream: NodeJS.WritableStream & { errored?: Error | null } }).stream;
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) => {
    stream.once('error', (error: Error) => {
      failure = error;
      reject(error);
    });
  });
  failed.catch(() => undefined); // observed through the race below
  return async () => {
    if (failure ?? stream.errored) throw failure ?? stream.errored;
    await Promise.race([workbook.commit(), failed]);
  };
}

/**
 * Gives every cell of a streamed row its column's style object itself. exceljs finds a cell's
 * xf through a cache keyed by the style object, but a new cell gets a fresh merge of its row's
 * and column's style, so each cell's style was rendered to XML and looked up by that text:
 * about a third of writing 100k worklist rows. Call before `row.commit()`.
 */
export function shareColumnStyles(row: ExcelJS.Row, styles: ReadonlyArray<Partial<ExcelJS.Style> | undefined>): void {
  row.eachCell({ includeEmpty: true }, (cell, col) => {
    const style = styles[col - 1];
    if (style) cell.style = style;
  });
}

/** A worksheet of the streaming writer (exceljs types it as a plain Worksheet). */
export interface StreamSheet {
  columns: Array<Partial<ExcelJS.Column>>;
  addRow(values: unknown[]): ExcelJS.Row;
  protect(password: string, options: Partial<ExcelJS.WorksheetProtection>): Promise<void>;
  commit(): void;
  autoFilter: string | null;
  headerFooter: Partial<ExcelJS.HeaderFooter>;
  pageSetup: Partial<ExcelJS.PageSetup>;
  /** `dataValidations.add` works on the streaming writer but is missing from exceljs's .d.ts. */
  dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void };
}

interface OrderHooks {
  _writeAutoFilter(): void;
  _writeSheetProtection(): void;
}

/**
 * CT_Worksheet's element order, as far as exceljs writes elements. The streaming writer emits
 * autoFilter (and hyperlinks, dataValidations) before sheetProtection, which Excel may refuse
 * (exceljs PR #2685); `addOrderedSheet` moves sheetProtection before autoFilter.
 */
export const WORKSHEET_ELEMENT_ORDER = [
  'sheetPr',
  'dimension',
  'sheetViews',
  'sheetFormatPr',
  'cols',
  'sheetData',
  'sheetCalcPr',
  'sheetProtection',
  'protectedRanges',
  'scenarios',
  'autoFilter',
  'sortState',
  'dataConsolidate',
  'customSheetViews',
  'mergeCells',
  'phoneticPr',
  'conditionalFormatting',
  'dataValidations',
  'hyperlinks',
  'printOptions',
  'pageMargins',
  'pageSetup',
  'headerFooter',
  'rowBreaks',
  'colBreaks',
  'customProperties',
  'cellWatches',
  'ignoredErrors',
  'smartTags',
  'drawing',
  'legacyDrawing',
  'legacyDrawingHF',
  'picture',
  'oleObjects',
  'controls',
  'webPublishItems',
  'tableParts',
  'extLst',
] as const;

/**
 * Adds a sheet to a streaming workbook whose XML comes out in schema order: sheetProtection is
 * written where exceljs writes autoFilter (right after sheetData), and not again later. Sheets
 * must not carry hyperlinks (exceljs writes those before dataValidations too).
 */
export function addOrderedSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string, options: Partial<ExcelJS.AddWorksheetOptions>): StreamSheet {
  const sheet = workbook.addWorksheet(name, options) as unknown as StreamSheet & OrderHooks;
  if (typeof sheet._writeAutoFilter !== 'function' || typeof sheet._writeSheetProtection !== 'function') {
    throw new Error(
      'exceljs changed its streaming worksheet writer (_writeAutoFilter/_writeSheetProtection are gone): check the element-order fix in src/publish/xlsx-stream.ts',
    );
  }
  const writeProtection = sheet._writeSheetProtection.bind(sheet);
  const writeAutoFilter = sheet._writeAutoFilter.bind(sheet);
  sheet._writeAutoFilter = () => {
    writeProtection();
    writeAutoFilter();
  };
  sheet._writeSheetProtection = () => undefined;
  return sheet;
}

/** Masks resident ID numbers inside a text, however they are written (core/personal.ts): 320502********1234. */
export { maskIdNumbers };

/**
 * A value from an export as cell text: always a primitive string (never an object exceljs
 * would read as a formula or hyperlink), line breaks as \n, ID numbers masked (also when written
 * in full-width digits, in groups or with zero-width characters inside: `maskIdNumbers`). exceljs
 * writes a string as a string cell whatever it starts with (=, +, -, @), so it is never a formula.
 * `keep`: values that look like an ID but are known not to be one (the run's permit numbers).
 */
export function safeText(value: unknown, keep?: ReadonlySet<string>): string | null {
  if (value === null || value === undefined) return null;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') text = String(value);
  else if (value instanceof Date) text = value.toISOString().slice(0, 10);
  else text = JSON.stringify(value) ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what XML cannot hold, so they go
  text = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
  text = maskIdNumbers(text, keep);
  return text === '' ? null : text;
}

/** Display width of a text in Excel's character units: CJK and full-width characters count 2. */
export { displayWidth } from './text-width.ts';

/** Escapes `&` for an Excel header/footer string, where `&` starts a code (&P, &N). */
export function headerFooterText(text: string): string {
  return text.replaceAll('&', '&&');
}

/** A file name from a street, grid or district name: no path separators or characters Windows refuses. */
export function safeFileName(name: string): string {
  const cleaned = name
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters cannot be in a file name
    .replace(/[\\/:*?"<>|\u0000-\u001F]/g, '_')
    .replace(/^\.+/, '_')
    .trim();
  return cleaned === '' ? '_' : cleaned.slice(0, 100);
}

/** The font of every workbook we write: Noto Sans CJK SC draws the simplified glyph forms in LibreOffice. */
export const REPORT_FONT = 'Noto Sans CJK SC';
