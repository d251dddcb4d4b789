import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import { InputError, errorMessage, isMachineFault } from './errors.ts';

/**
 * Our own streaming reader of .xlsx workbooks (exceljs's streaming reader split multi-byte
 * characters at chunk boundaries, unpacked sheets into os.tmpdir() and had no limits).
 *
 * - The zip is read with yauzl from its central directory (random access: no temporary
 *   files, any part in any order); each part is inflated as a stream.
 * - The inflated bytes go through a streaming UTF-8 decoder (`TextDecoder` with `fatal` and
 *   `stream`): a character split across two chunks is joined, and bytes that are not UTF-8
 *   refuse the file. Belt and braces: a value holding more U+FFFD than the raw bytes of its
 *   part refuses the file too.
 * - The XML is parsed with saxes, which expands no external entity; a DOCTYPE is refused.
 * - Limits (XLSX_LIMITS) are checked while inflating and parsing, and stop the reader at once.
 *
 * Sheets are read row by row (`rows()` is an async iterator); only the shared strings and the
 * date flag of each cell style are held in memory.
 */

/** The limits of what the reader accepts; a workbook past any of them is refused (`xlsx_limit`). */
export interface XlsxLimits {
  /** Bytes one zip entry may inflate to, whatever its compressed size. */
  maxEntryBytes: number;
  /** Bytes all the entries read may inflate to, together. */
  maxWorkbookBytes: number;
  /** Past `ratioFloorBytes`, an entry may inflate to at most this many times its compressed size. */
  maxRatio: number;
  ratioFloorBytes: number;
  /** Rows (row elements, and the highest row number) of one sheet. */
  maxRows: number;
  /** Rows of all the sheets read, together. */
  maxWorkbookRows: number;
  /** Column positions of a row (the highest column). */
  maxColumns: number;
  /** Non-empty cells of one row. */
  maxFilledCells: number;
  /** Characters of one stretch of text or one tag (a cell's text, a shared string). */
  maxTextChars: number;
  /** Shared strings: how many, and their characters together. */
  maxSharedStrings: number;
  maxSharedStringChars: number;
  /** Entries in the zip. */
  maxEntries: number;
}

/**
 * The limits, and why:
 * - rows 1,048,576 and columns 16,384 are Excel's own (and WPS's): a sheet past them cannot be
 *   opened, so nobody could have checked it; a longer export is split into sheets;
 * - 1,000 non-empty cells in a row is 30 times the widest export we read;
 * - 1,048,576 characters in one text or tag: Excel holds at most 32,767 in a cell;
 * - an entry may inflate to 16 MiB whatever its size, beyond that to 100 times its compressed
 *   size (real sheets inflate 5-15 times, measured; bombs 400-1000 times), and never past
 *   2 GiB (a sheet of a million rows of 15 columns is 0.5-0.8 GB of XML); 8 GiB in all;
 * - shared strings: 10 million strings, 200 million characters together (about 1 GB of memory
 *   at worst: a million rows of ten distinct texts each);
 * - 10 million rows in all the sheets of one workbook; 10,000 zip entries.
 */
export const XLSX_LIMITS: Readonly<XlsxLimits> = Object.freeze({
  maxEntryBytes: 2 * 1024 ** 3,
  maxWorkbookBytes: 8 * 1024 ** 3,
  maxRatio: 100,
  ratioFloorBytes: 16 * 1024 ** 2,
  maxRows: 1_048_576,
  maxWorkbookRows: 10_000_000,
  maxColumns: 16_384,
  maxFilledCells: 1_000,
  maxTextChars: 1_048_576,
  maxSharedStrings: 10_000_000,
  maxSharedStringChars: 200_000_000,
  maxEntries: 10_000,
});

export interface XlsxOptions {
  limits?: Partial<XlsxLimits>;
  /**
   * For tests only: decode with replacement characters instead of refusing bytes that are not
   * UTF-8, to show the U+FFFD check (raw bytes against values) catches what a lenient decoder
   * lets through.
   */
  lenientDecoderForTests?: boolean;
}

/** An error cell (#N/A, #REF!, ...). */
export interface CellError {
  readonly error: string;
}
/** A formula cell the file holds no computed value for (saved by a program that does not calculate). */
export interface FormulaWithoutResult {
  readonly formula: string;
}
/** A cell as the reader gives it: formulas as their cached value, numbers with a date format as Dates (UTC). */
export type CellValue = string | number | boolean | Date | CellError | FormulaWithoutResult | null;

export function isFormulaWithoutResult(value: unknown): value is FormulaWithoutResult {
  return typeof value === 'object' && value !== null && 'formula' in value && !('result' in value);
}

export interface SheetInfo {
  /** The tab name. */
  readonly name: string;
  /** Position among the tabs, from 0. */
  readonly index: number;
  /** The zip entry of its XML; undefined for chart sheets and other sheets without cells. */
  readonly part: string | undefined;
  readonly state: 'visible' | 'hidden' | 'veryHidden';
}

export interface SheetRow {
  /** The row number a person sees in Excel (1-based). */
  readonly number: number;
  /** The cells from column A (index 0), without trailing empty cells. */
  readonly cells: CellValue[];
}

/** Text of one cell as a person sees it; dates as YYYY-MM-DD. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    // Dates are built in UTC from the serial number: read them back in UTC.
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: unknown; formula?: unknown };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    // An error cell, a formula without a computed value, anything else: never "[object Object]".
    return '';
  }
  return String(value);
}

/**
 * Runs `read` over a workbook read elsewhere (returned worklists), with the same guards as
 * ingest: a zip without its directory is refused at once, a read that has not finished after
 * `timeoutMs` is abandoned, and any other failure of the reader becomes an InputError naming
 * the file.
 */
export async function guardWorkbookRead<T>(file: string, read: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  checkZipDirectory(file);
  let timer: NodeJS.Timeout | undefined;
  const reading = read();
  reading.catch(() => undefined); // after a timeout it may settle later, or never
  try {
    return await Promise.race([
      reading,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the workbook reader did not finish in ${Math.round(timeoutMs / 1000)} s (a damaged zip)`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw damaged(file, error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A zip ends with its central directory (the end record, `PK 05 06`, in the last 64 KB): a file
 * without one was cut off or damaged, and is refused at once.
 */
export function checkZipDirectory(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(length);
    fs.readSync(fd, tail, 0, length, size - length);
    const at = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    // The end record names where the directory starts and how long it is: both must fit the file.
    const ok = at >= 0 && at + 22 <= length && tail.readUInt32LE(at + 16) + tail.readUInt32LE(at + 12) <= size - length + at;
    if (!ok) {
      throw new InputError(
        `Cannot read workbook "${file}": it has no intact zip directory at its end, so it was cut off (an incomplete download or copy) or damaged. Export or copy it again, open it in Excel or WPS to check it, and deliver it again.`,
        { reason: 'bad_xlsx' },
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

function damaged(file: string, error: unknown): InputError {
  return new InputError(
    `Cannot read workbook "${file}": ${errorMessage(error)}. The file may be damaged, truncated or password-protected: open it in Excel or WPS, save it again as .xlsx without a password, and retry.`,
    { reason: 'bad_xlsx' },
  );
}

/**
 * Opens a workbook, runs `read` over it and closes it. Every failure is an InputError naming
 * the file: `bad_xlsx` for a damaged or unreadable file, `xlsx_limit` past a limit.
 */
export async function readWorkbook<T>(file: string, read: (workbook: XlsxReader) => Promise<T>, options: XlsxOptions = {}): Promise<T> {
  checkZipDirectory(file);
  // The reader's own failures come as InputErrors (XlsxReader wraps them). Whatever `read`
  // throws besides passes as it is: a full disk writing the CSV copy is the machine's fault,
  // not the workbook's, and fails the run (isInfrastructureError); a bug stays a bug.
  const workbook = await XlsxReader.open(file, options);
  try {
    return await read(workbook);
  } finally {
    workbook.close();
  }
}

/** A failure of the reader as the workbook's fault (`bad_xlsx`), unless it is already said or is the machine's (a failing disk, no memory). */
function asWorkbookError(file: string, error: unknown): unknown {
  return error instanceof InputError || isMachineFault(error) ? error : damaged(file, error);
}

// ---------------------------------------------------------------------------------------------

/** Built-in number formats that show a date or time (14-22, 45-47; 27-36 and 50-58 in Chinese, Japanese and Korean Excel). */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A format code shows a date or time when it has y, m, d, h or s outside quotes, brackets and escapes. */
export function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/[\\_*]./g, '');
  return /[ymdhs]/i.test(bare);
}

const MAX_DATE_SERIAL = 2_958_466; // 10000-01-01

function excelDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

/** `_xHHHH_` escapes of OOXML strings (Excel writes a CR as `_x000D_`; `_x005F_` escapes an underscore). */
function decodeXString(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function attr(node: SaxesTagPlain, name: string): string | undefined {
  const direct = node.attributes[name];
  if (direct !== undefined) return direct;
  // A prefixed attribute (r:id under any prefix).
  for (const [key, value] of Object.entries(node.attributes)) if (localName(key) === name) return value;
  return undefined;
}

/** 0-based column of a cell reference such as `AB12`; -1 when it has no letters. */
function columnOf(ref: string): number {
  let col = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
    if (col > 1e7) return col; // far past any limit
  }
  return i === 0 ? -1 : col - 1;
}

function columnName(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Resolves a relationship target against the folder of the part that names it. */
function resolveTarget(base: string, target: string): string {
  const parts = target.startsWith('/') ? [] : base.split('/').slice(0, -1);
  for (const p of target.replace(/^\/+/, '').split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}

const REPLACEMENT = 0xfffd;

function countReplacement(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) n++;
  return n;
}

const FFFD_BYTES = Buffer.from([0xef, 0xbf, 0xbd]);

/** U+FFFD encoded in UTF-8 (EF BF BD) in `buf`, counting one that straddles the previous chunk's last two bytes. */
function countReplacementBytes(buf: Buffer, prev: number[]): number {
  let n = 0;
  for (let i = buf.indexOf(FFFD_BYTES); i >= 0; i = buf.indexOf(FFFD_BYTES, i + 1)) n++;
  const [p1, p2] = [prev[0], prev[1]]; // the last two bytes before buf
  if (p2 === 0xef && buf[0] === 0xbf && buf[1] === 0xbd) n++;
  else if (p1 === 0xef && p2 === 0xbf && buf[0] === 0xbd) n++;
  return n;
}

/** Character references to U+FFFD (`&#xFFFD;`, `&#65533;`) whose `;` is in `text` past `from`. */
function countReplacementRefs(text: string, from: number): number {
  let n = 0;
  for (let i = text.indexOf('&#'); i >= 0; i = text.indexOf('&#', i + 2)) {
    const end = text.indexOf(';', i);
    if (end < 0 || end - i > 12) continue;
    if (end < from) continue;
    const body = text.slice(i + 2, end);
    const code = body[0] === 'x' || body[0] === 'X' ? Number.parseInt(body.slice(1), 16) : Number.parseInt(body, 10);
    if (code === REPLACEMENT) n++;
  }
  return n;
}

interface Part {
  name: string;
  /** Raw U+FFFD seen so far (bytes, or character references). */
  rawReplacements: number;
  valueReplacements: number;
}

/** An open workbook: its sheets, and their rows on demand. Close it when done (`readWorkbook` does). */
export class XlsxReader {
  private sheetList: SheetInfo[] = [];
  private readonly limits: XlsxLimits;
  private readonly entries = new Map<string, yauzl.Entry>();
  private sharedStrings: string[] = [];
  /** Per cell style (cellXfs index): does its number format show a date? */
  private dateStyles: boolean[] = [];
  private date1904 = false;
  private inflatedTotal = 0;
  private rowsTotal = 0;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly zip: yauzl.ZipFile,
    private readonly options: XlsxOptions,
  ) {
    this.limits = { ...XLSX_LIMITS, ...options.limits };
  }

  static async open(file: string, options: XlsxOptions = {}): Promise<XlsxReader> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: false }, (err, z) =>
        err || !z ? reject(asWorkbookError(file, err ?? new Error('no zip'))) : resolve(z),
      ),
    );
    const reader = new XlsxReader(file, zip, options);
    try {
      await reader.readDirectory();
      await reader.readWorkbookParts();
    } catch (error) {
      reader.close();
      throw asWorkbookError(file, error);
    }
    return reader;
  }

  /** The sheets in tab order. */
  get sheets(): readonly SheetInfo[] {
    return this.sheetList;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.zip.close();
  }

  /** The rows of a sheet, one at a time; only the row being read is in memory. */
  async *rows(sheet: SheetInfo): AsyncGenerator<SheetRow> {
    if (!sheet.part) return;
    try {
      for await (const batch of this.rowBatches(sheet)) for (const row of batch) yield row;
    } catch (error) {
      // A damaged zip or XML (zlib, yauzl, saxes errors) is the workbook's fault, and said so.
      throw asWorkbookError(this.file, error);
    }
  }

  /** The rows of a sheet as parsed from one inflated chunk at a time (a few hundred rows at most). */
  private async *rowBatches(sheet: SheetInfo): AsyncGenerator<SheetRow[]> {
    if (!sheet.part) return;
    const entry = this.entry(sheet.part);
    if (!entry) throw this.damagedPart(`sheet "${sheet.name}" (${sheet.part}) is missing from the zip`);
    const limits = this.limits;
    const part: Part = { name: entry.fileName, rawReplacements: 0, valueReplacements: 0 };
    const queue: SheetRow[] = [];
    const shared = this.sharedStrings;
    const dates = this.dateStyles;
    const date1904 = this.date1904;

    let inSheetData = false;
    let rowNumber = 0;
    let rowCount = 0;
    let cells: CellValue[] = [];
    let filled = 0;
    let inRow = false;
    let nextCol = 0;
    // The cell being read.
    let col = -1;
    let type = 'n';
    let style = 0;
    let vText: string | null = null;
    let fText: string | null = null;
    let isText: string | null = null;
    let inIs = false;
    let inPhonetic = 0;
    let capture: 'v' | 'f' | 't' | null = null;
    let buf = '';

    const cellRef = (): string => `${columnName(col)}${rowNumber}`;
    const stringValue = (raw: string): string => {
      const text = decodeXString(raw);
      if (text.includes('\uFFFD')) this.checkReplacements(part, countReplacement(text));
      return text;
    };
    const cellValue = (): CellValue => {
      if (type === 'inlineStr') {
        if (isText !== null) return stringValue(isText);
        if (vText !== null) return stringValue(vText);
        return fText !== null ? { formula: fText } : null;
      }
      if (vText === null) return fText !== null ? { formula: fText } : null;
      switch (type) {
        case 's': {
          const index = Number(vText);
          const value = Number.isInteger(index) && index >= 0 ? shared[index] : undefined;
          if (value === undefined)
            throw this.damagedPart(`cell ${cellRef()} of ${part.name} refers to shared string ${vText.slice(0, 20)}, which the workbook does not have`);
          return value;
        }
        case 'str':
          return stringValue(vText);
        case 'b':
          return Number.parseInt(vText, 10) !== 0;
        case 'e':
          return { error: vText };
        case 'd': {
          const iso = vText.trim();
          const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) || !iso.includes('T') ? iso : `${iso}Z`);
          return Number.isNaN(date.getTime()) ? stringValue(vText) : date;
        }
        default: {
          if (vText.trim() === '') return null;
          const n = Number(vText);
          if (Number.isNaN(n)) return stringValue(vText);
          if (dates[style] === true && n >= 0 && n < MAX_DATE_SERIAL) return excelDate(n, date1904);
          return n;
        }
      }
    };

    const parser = this.parser(part);
    parser.on('opentag', (node) => {
      const name = localName(node.name);
      switch (name) {
        case 'sheetData':
          inSheetData = true;
          return;
        case 'row': {
          if (!inSheetData) return;
          const r = node.attributes['r'];
          const number = r === undefined ? rowNumber + 1 : Number(r);
          if (!Number.isInteger(number) || number < 1) throw this.damagedPart(`${part.name} has a row numbered "${String(r).slice(0, 20)}"`);
          if (number <= rowNumber) throw this.damagedPart(`in ${part.name}, row ${number} comes after row ${rowNumber} (rows out of order or repeated)`);
          rowCount++;
          if (number > limits.maxRows || rowCount > limits.maxRows) {
            throw this.limitError(
              `sheet "${sheet.name}" has more than ${limits.maxRows.toLocaleString('en-US')} rows, more than Excel can open`,
              'Split it into sheets or files, or deliver it as CSV',
            );
          }
          if (++this.rowsTotal > limits.maxWorkbookRows) {
            throw this.limitError(`the workbook has more than ${limits.maxWorkbookRows.toLocaleString('en-US')} rows in all`, 'Split it into several files');
          }
          rowNumber = number;
          cells = [];
          filled = 0;
          nextCol = 0;
          inRow = true;
          return;
        }
        case 'c': {
          if (!inRow) return;
          const ref = node.attributes['r'];
          col = ref === undefined ? nextCol : columnOf(ref);
          if (col < 0) throw this.damagedPart(`${part.name} has a cell named "${ref?.slice(0, 20)}" in row ${rowNumber}`);
          if (col >= limits.maxColumns) {
            throw this.limitError(
              `row ${rowNumber} of sheet "${sheet.name}" has a cell beyond column ${columnName(limits.maxColumns - 1)}, more than Excel can open`,
              'Delete the extra columns',
            );
          }
          if (col < nextCol)
            throw this.damagedPart(`in ${part.name}, cell ${cellRef()} comes after column ${columnName(nextCol - 1)} (cells out of order or repeated)`);
          type = node.attributes['t'] ?? 'n';
          const s = node.attributes['s'];
          style = s === undefined ? 0 : Number(s);
          vText = null;
          fText = null;
          isText = null;
          inIs = false;
          inPhonetic = 0;
          return;
        }
        case 'v':
          if (col < 0) return;
          capture = 'v';
          buf = '';
          return;
        case 'f':
          if (col < 0) return;
          capture = 'f';
          buf = '';
          return;
        case 'is':
          if (col < 0) return;
          inIs = true;
          isText = '';
          return;
        case 'rPh':
          if (inIs) inPhonetic++;
          return;
        case 't':
          if (inIs && inPhonetic === 0) {
            capture = 't';
            buf = '';
          }
          return;
        default:
          return;
      }
    });
    parser.on('text', (text) => {
      if (capture !== null) buf += text;
    });
    parser.on('cdata', (text) => {
      if (capture !== null) buf += text;
    });
    parser.on('closetag', (node) => {
      const name = localName(node.name);
      switch (name) {
        case 'v':
          if (capture === 'v') vText = buf;
          capture = null;
          return;
        case 'f':
          if (capture === 'f') fText = buf;
          capture = null;
          return;
        case 't':
          if (capture === 't' && isText !== null) isText += buf;
          capture = null;
          return;
        case 'rPh':
          if (inPhonetic > 0) inPhonetic--;
          return;
        case 'is':
          inIs = false;
          return;
        case 'c': {
          if (col < 0) return;
          const value = cellValue();
          if (value !== null) {
            while (cells.length < col) cells.push(null);
            cells.push(value);
            if (value !== '' && ++filled > limits.maxFilledCells) {
              throw this.limitError(
                `row ${rowNumber} of sheet "${sheet.name}" has more than ${limits.maxFilledCells.toLocaleString('en-US')} non-empty cells`,
                'Delete the extra columns',
              );
            }
          }
          nextCol = col + 1;
          col = -1;
          return;
        }
        case 'row':
          if (!inRow) return;
          queue.push({ number: rowNumber, cells });
          inRow = false;
          return;
        case 'sheetData':
          inSheetData = false;
          return;
        default:
          return;
      }
    });

    for await (const text of this.partText(entry, part)) {
      parser.write(text);
      this.checkParserBuffer(parser, part);
      if (queue.length > 0) yield queue.splice(0, queue.length);
    }
    parser.close();
    if (queue.length > 0) yield queue.splice(0, queue.length);
  }

  // --- the zip -------------------------------------------------------------------------------

  private async readDirectory(): Promise<void> {
    const zip = this.zip;
    if (zip.entryCount > this.limits.maxEntries) {
      throw this.limitError(`its zip holds ${zip.entryCount} entries (a workbook has a few dozen)`, 'Open it in Excel or WPS and save it again as .xlsx');
    }
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const key = entry.fileName.replace(/^\/+/, '').toLowerCase();
        if (this.entries.has(key)) {
          reject(this.damagedPart(`its zip holds "${entry.fileName}" twice, and programs may read either copy`));
          return;
        }
        this.entries.set(key, entry);
        zip.readEntry();
      });
      zip.once('end', () => resolve());
      zip.once('error', reject);
      zip.readEntry();
    });
    // Any later error of the zip object surfaces through the streams; never as an unhandled event.
    zip.on('error', () => undefined);
  }

  private entry(name: string): yauzl.Entry | undefined {
    return this.entries.get(name.replace(/^\/+/, '').toLowerCase());
  }

  private openStream(entry: yauzl.Entry): Promise<Readable> {
    return new Promise((resolve, reject) =>
      this.zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream))),
    );
  }

  /** The decoded text of an entry, chunk by chunk, with every byte limit checked as it inflates. */
  private async *partText(entry: yauzl.Entry, part: Part): AsyncGenerator<string> {
    const limits = this.limits;
    const compressed = Math.max(entry.compressedSize, 1);
    const allowed = Math.min(limits.maxEntryBytes, Math.max(limits.ratioFloorBytes, limits.maxRatio * compressed));
    const tooBig = (bytes: number): InputError =>
      bytes > limits.maxEntryBytes
        ? this.limitError(`its part ${entry.fileName} inflates to more than ${mib(limits.maxEntryBytes)}`, 'Split it into several files, or deliver it as CSV')
        : this.limitError(
            `its part ${entry.fileName} inflates to more than ${limits.maxRatio} times its compressed size (${mib(compressed)} compressed): a "zip bomb", not a spreadsheet program's file`,
            'Open it in Excel or WPS and save it again as .xlsx, or deliver it as CSV',
          );
    // The directory's sizes first: a declared bomb is refused before a byte is inflated.
    if (entry.uncompressedSize > allowed) throw tooBig(entry.uncompressedSize);
    if (this.inflatedTotal + entry.uncompressedSize > limits.maxWorkbookBytes) {
      throw this.limitError(`its parts inflate to more than ${mib(limits.maxWorkbookBytes)} in all`, 'Split it into several files');
    }
    const stream = await this.openStream(entry);
    let decoder: TextDecoder | undefined;
    let inflated = 0;
    let run = 0; // characters since the last '<'
    const prev: number[] = [];
    let tail = ''; // the end of the previous chunk, for a character reference cut in two
    let utf16 = false;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        inflated += chunk.length;
        this.inflatedTotal += chunk.length;
        if (inflated > allowed) throw tooBig(inflated);
        if (this.inflatedTotal > limits.maxWorkbookBytes) {
          throw this.limitError(`its parts inflate to more than ${mib(limits.maxWorkbookBytes)} in all`, 'Split it into several files');
        }
        if (!decoder) {
          // Parts are UTF-8, or UTF-16 with a byte-order mark.
          const encoding = chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : 'utf-8';
          utf16 = encoding !== 'utf-8';
          decoder = new TextDecoder(encoding, { fatal: !this.options.lenientDecoderForTests });
        }
        if (!utf16) {
          part.rawReplacements += countReplacementBytes(chunk, prev);
          prev.length = 0;
          if (chunk.length >= 2) prev.push(chunk[chunk.length - 2] as number, chunk[chunk.length - 1] as number);
          else prev.push(-1, chunk[0] as number);
        }
        let text: string;
        try {
          text = decoder.decode(chunk, { stream: true });
        } catch {
          throw this.encodingError(entry.fileName, inflated - chunk.length);
        }
        if (text.length === 0) continue;
        if (utf16) part.rawReplacements += countReplacement(text);
        if (text.includes('&#') || (tail + text.slice(0, 12)).includes('&#')) part.rawReplacements += countReplacementRefs(tail + text, tail.length);
        tail = (text.length >= 12 ? text : tail + text).slice(-12);
        const lt = text.lastIndexOf('<');
        run = lt < 0 ? run + text.length : text.length - lt - 1;
        if (run > limits.maxTextChars) {
          throw this.limitError(
            `its part ${entry.fileName} has a text or tag of more than ${limits.maxTextChars.toLocaleString('en-US')} characters (Excel holds at most 32,767 in a cell)`,
            'Shorten the cell, or deliver the file as CSV',
          );
        }
        yield text;
      }
      let rest: string;
      try {
        rest = decoder ? decoder.decode() : '';
      } catch {
        throw this.encodingError(entry.fileName, inflated);
      }
      if (rest) yield rest;
    } finally {
      stream.destroy();
    }
  }

  // --- XML -------------------------------------------------------------------------------------

  private parser(part: Part): SaxesParser {
    const parser = new SaxesParser({ position: false });
    parser.on('doctype', () => {
      throw this.damagedPart(`its part ${part.name} has a DOCTYPE, which spreadsheet programs never write (entity expansion attacks use it)`);
    });
    return parser;
  }

  /** saxes holds a comment, CDATA section or tag in one string until it ends: bound it too. */
  private checkParserBuffer(parser: SaxesParser, part: Part): void {
    const held = (parser as unknown as { text?: unknown }).text;
    if (typeof held === 'string' && held.length > this.limits.maxTextChars) {
      throw this.limitError(
        `its part ${part.name} has a text of more than ${this.limits.maxTextChars.toLocaleString('en-US')} characters`,
        'Deliver the file as CSV',
      );
    }
  }

  /** Parses a whole (small) part with the handlers `setup` installs. */
  private async parsePart(name: string, setup: (parser: SaxesParser, part: Part) => void): Promise<boolean> {
    const entry = this.entry(name);
    if (!entry) return false;
    const part: Part = { name: entry.fileName, rawReplacements: 0, valueReplacements: 0 };
    const parser = this.parser(part);
    setup(parser, part);
    for await (const text of this.partText(entry, part)) {
      parser.write(text);
      this.checkParserBuffer(parser, part);
    }
    parser.close();
    return true;
  }

  private async relationships(partName: string): Promise<Map<string, { type: string; target: string }>> {
    const folder = partName.includes('/') ? partName.slice(0, partName.lastIndexOf('/') + 1) : '';
    const relsName = `${folder}_rels/${partName.slice(folder.length)}.rels`;
    const rels = new Map<string, { type: string; target: string }>();
    await this.parsePart(relsName, (parser) => {
      parser.on('opentag', (node) => {
        if (localName(node.name) !== 'Relationship') return;
        const id = node.attributes['Id'];
        const target = node.attributes['Target'];
        if (id === undefined || target === undefined || node.attributes['TargetMode'] === 'External') return;
        rels.set(id, { type: node.attributes['Type'] ?? '', target: resolveTarget(partName, target) });
      });
    });
    return rels;
  }

  private async readWorkbookParts(): Promise<void> {
    // The workbook part: named by the package relationships, xl/workbook.xml by convention.
    const root = await this.relationships('');
    const office = [...root.values()].find((r) => r.type.endsWith('/officeDocument'));
    const workbookPart = office && this.entry(office.target) ? office.target : 'xl/workbook.xml';
    if (!this.entry(workbookPart))
      throw this.damagedPart('its zip has no workbook part (xl/workbook.xml): it is not an Excel workbook, or its zip directory is damaged');
    const rels = await this.relationships(workbookPart);
    const listed: Array<{ name: string; rid: string | undefined; state: string | undefined }> = [];
    await this.parsePart(workbookPart, (parser) => {
      parser.on('opentag', (node) => {
        const name = localName(node.name);
        if (name === 'sheet') listed.push({ name: node.attributes['name'] ?? '', rid: attr(node, 'id'), state: node.attributes['state'] });
        else if (name === 'workbookPr') {
          const v = node.attributes['date1904'];
          this.date1904 = v === '1' || v === 'true';
        }
      });
    });
    const sheets: SheetInfo[] = listed.map((s, index) => {
      const rel = s.rid === undefined ? undefined : rels.get(s.rid);
      const part = rel?.type.endsWith('/worksheet') ? rel.target : undefined;
      const state = s.state === 'hidden' || s.state === 'veryHidden' ? s.state : 'visible';
      return { name: s.name, index, part, state };
    });
    this.sheetList = sheets;
    const related = [...rels.values()];
    const styles = related.find((r) => r.type.endsWith('/styles'))?.target ?? 'xl/styles.xml';
    const shared = related.find((r) => r.type.endsWith('/sharedStrings'))?.target ?? 'xl/sharedStrings.xml';
    await this.readStyles(styles);
    await this.readSharedStrings(shared);
  }

  private async readStyles(name: string): Promise<void> {
    const custom = new Map<number, string>();
    const xfs: number[] = [];
    let inCellXfs = false;
    let inNumFmts = false;
    await this.parsePart(name, (parser) => {
      parser.on('opentag', (node) => {
        switch (localName(node.name)) {
          case 'numFmts':
            inNumFmts = true;
            return;
          case 'numFmt':
            if (inNumFmts) custom.set(Number(node.attributes['numFmtId']), node.attributes['formatCode'] ?? '');
            return;
          case 'cellXfs':
            inCellXfs = true;
            return;
          case 'xf':
            if (inCellXfs) xfs.push(Number(node.attributes['numFmtId'] ?? 0));
            return;
          default:
            return;
        }
      });
      parser.on('closetag', (node) => {
        const n = localName(node.name);
        if (n === 'cellXfs') inCellXfs = false;
        else if (n === 'numFmts') inNumFmts = false;
      });
    });
    this.dateStyles = xfs.map((id) => {
      const code = custom.get(id);
      return code !== undefined ? isDateFormatCode(code) : DATE_FORMAT_IDS.has(id);
    });
  }

  private async readSharedStrings(name: string): Promise<void> {
    const limits = this.limits;
    const strings: string[] = [];
    let chars = 0;
    let inSi = false;
    let phonetic = 0;
    let capture = false;
    let text = '';
    let buf = '';
    await this.parsePart(name, (parser, part) => {
      parser.on('opentag', (node) => {
        switch (localName(node.name)) {
          case 'sst': {
            const declared = Number(node.attributes['uniqueCount'] ?? node.attributes['count'] ?? 0);
            if (declared > limits.maxSharedStrings) throw this.sharedLimit(declared);
            return;
          }
          case 'si':
            inSi = true;
            phonetic = 0;
            text = '';
            return;
          case 'rPh':
            if (inSi) phonetic++;
            return;
          case 't':
            if (inSi && phonetic === 0) {
              capture = true;
              buf = '';
            }
            return;
          default:
            return;
        }
      });
      parser.on('text', (t) => {
        if (capture) buf += t;
      });
      parser.on('cdata', (t) => {
        if (capture) buf += t;
      });
      parser.on('closetag', (node) => {
        switch (localName(node.name)) {
          case 't':
            if (capture) text += buf;
            capture = false;
            return;
          case 'rPh':
            if (phonetic > 0) phonetic--;
            return;
          case 'si': {
            if (!inSi) return;
            inSi = false;
            const value = decodeXString(text);
            if (value.includes('\uFFFD')) this.checkReplacements(part, countReplacement(value));
            chars += value.length;
            strings.push(value);
            if (strings.length > limits.maxSharedStrings) throw this.sharedLimit(strings.length);
            if (chars > limits.maxSharedStringChars) {
              throw this.limitError(
                `its shared strings hold more than ${limits.maxSharedStringChars.toLocaleString('en-US')} characters`,
                'Split it into several files, or deliver it as CSV',
              );
            }
            return;
          }
          default:
            return;
        }
      });
    });
    this.sharedStrings = strings;
  }

  // --- guards ----------------------------------------------------------------------------------

  /** A value holding U+FFFD its part's bytes did not have: the text was damaged while read. */
  private checkReplacements(part: Part, found: number): void {
    part.valueReplacements += found;
    if (part.valueReplacements > part.rawReplacements) {
      throw new InputError(
        `Cannot read workbook "${this.file}": a value in its part ${part.name} came out with a replacement character (U+FFFD) that the file does not hold, so some text would be garbled. Nothing of it was loaded. Report this as a bug of recon, and meanwhile save the file as "CSV UTF-8" in Excel or WPS and deliver that.`,
        { reason: 'bad_xlsx' },
      );
    }
  }

  private encodingError(partName: string, offset: number): InputError {
    return new InputError(
      `Cannot read workbook "${this.file}": its part ${partName} holds bytes that are not valid UTF-8 (near byte ${offset} of the part), so its text would be garbled. It was written by a faulty program or damaged: open it in Excel or WPS, check the names, save it again as .xlsx and deliver it again.`,
      { reason: 'bad_xlsx' },
    );
  }

  private damagedPart(what: string): InputError {
    return new InputError(
      `Cannot read workbook "${this.file}": ${what}. It was written by a faulty program or damaged: open it in Excel or WPS, save it again as .xlsx, and deliver it again.`,
      { reason: 'bad_xlsx' },
    );
  }

  private limitError(what: string, todo: string): InputError {
    return new InputError(`Cannot read workbook "${this.file}": ${what}. Nothing of it was loaded. ${todo}, and deliver it again.`, { reason: 'xlsx_limit' });
  }

  private sharedLimit(count: number): InputError {
    return this.limitError(
      `it has ${count.toLocaleString('en-US')} shared strings, more than the ${this.limits.maxSharedStrings.toLocaleString('en-US')} allowed`,
      'Split it into several files, or deliver it as CSV',
    );
  }
}

function mib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
