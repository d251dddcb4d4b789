/**
 * Table writers for the inbox: delimited text (UTF-8, UTF-8 with BOM, GBK; comma, tab or
 * pipe) and streaming XLSX. Both count the lines they write (title rows and the header
 * included) so bad rows can be reported by line number, and both are byte-deterministic.
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Cell } from './dirty.ts';
import { ymd } from './dates.ts';

export type Encoding = 'utf8' | 'utf8bom' | 'gbk';
export type Delimiter = ',' | '\t' | '|';

/** One output table. */
export interface TableWriter {
  readonly path: string;
  /** Lines written so far (titles and header included); the next row is line `lines + 1`. */
  readonly lines: number;
  /** Writes one row. */
  write(cells: Cell[]): void;
  /** Resolves when buffered output has been handed to the OS (backpressure). */
  drain(): Promise<void>;
  /** Finishes the file. */
  close(): Promise<void>;
}

const CHUNK = 256 * 1024;

/** A delimited text file, buffered in chunks and written with backpressure. */
export class DelimitedWriter implements TableWriter {
  lines = 0;
  /** Lines not yet written, and their length: joined once per chunk (cheaper than growing one string). */
  private parts: string[] = [];
  private pending = 0;
  private readonly stream: WriteStream;
  private blocked: Promise<void> | null = null;
  /** The characters that make a cell need quotes (one test instead of four scans: this runs for every cell). */
  private readonly special: RegExp;

  constructor(
    readonly path: string,
    private readonly encoding: Encoding,
    private readonly delimiter: Delimiter,
  ) {
    this.special = delimiter === '\t' ? /[\t"\r\n]/ : delimiter === '|' ? /[|"\r\n]/ : /[,"\r\n]/;
    this.stream = createWriteStream(path);
    if (encoding === 'utf8bom') this.stream.write(Buffer.from([0xef, 0xbb, 0xbf]));
  }

  write(cells: Cell[]): void {
    const line = `${cells.map((c) => this.quote(c)).join(this.delimiter)}\r\n`;
    this.parts.push(line);
    this.pending += line.length;
    this.lines++;
    if (this.pending >= CHUNK) this.flush();
  }

  async drain(): Promise<void> {
    if (this.blocked !== null) await this.blocked;
  }

  async close(): Promise<void> {
    this.flush();
    await this.drain();
    this.stream.end();
    await once(this.stream, 'close');
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    const bytes = this.encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
    if (!this.stream.write(bytes) && this.blocked === null) {
      this.blocked = once(this.stream, 'drain').then(() => {
        this.blocked = null;
      });
    }
  }

  private quote(cell: Cell): string {
    const text = typeof cell === 'string' ? cell : cell === null ? '' : cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell);
    // Quote what a CSV reader would otherwise split: the delimiter, quotes, line breaks.
    if (this.special.test(text)) return `"${text.replace(/"/g, '""')}"`;
    return text;
  }
}

/** An XLSX file written row by row with exceljs's streaming writer, title rows above the header. */
export class XlsxWriter implements TableWriter {
  lines = 0;
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly sheet: ExcelJS.Worksheet;
  private pending = 0;

  constructor(
    readonly path: string,
    sheetName: string,
    private readonly asOf: number,
  ) {
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: false, useSharedStrings: false });
    // Fixed document dates keep the bytes the same run after run.
    const fixed = new Date(asOf * 86_400_000);
    this.workbook.created = fixed;
    this.workbook.modified = fixed;
    this.workbook.creator = 'recon generate';
    this.workbook.lastModifiedBy = 'recon generate';
    this.sheet = this.workbook.addWorksheet(sheetName);
  }

  write(cells: Cell[]): void {
    this.sheet.addRow(cells).commit();
    this.lines++;
    this.pending++;
  }

  async drain(): Promise<void> {
    // exceljs exposes no backpressure; yield to the event loop now and then so the zip
    // stream can flush instead of piling rows up in memory.
    if (this.pending >= 2000) {
      this.pending = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    this.sheet.commit();
    await this.workbook.commit();
    pinZipTimes(this.path, this.asOf);
  }
}

/**
 * Sets every entry time of a zip file to midnight of `day`: archiver stamps entries with the
 * current time and exceljs gives no way to pass one, so two runs would differ otherwise.
 * Walks the central directory (entries use data descriptors, so local headers cannot be
 * walked on their own) and patches each entry and its local header.
 */
export function pinZipTimes(path: string, day: number): void {
  const buf = readFileSync(path);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${path}: not a zip file (no end of central directory)`);
  const { y, m, d } = ymd(day);
  const dosDate = ((y - 1980) << 9) | (m << 5) | d;
  const entries = buf.readUInt16LE(eocd + 10);
  let pos = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (buf.readUInt32LE(pos) !== 0x02014b50) throw new Error(`${path}: bad central directory entry ${i}`);
    buf.writeUInt16LE(0, pos + 12);
    buf.writeUInt16LE(dosDate, pos + 14);
    const local = buf.readUInt32LE(pos + 42);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`${path}: bad local header for entry ${i}`);
    buf.writeUInt16LE(0, local + 10);
    buf.writeUInt16LE(dosDate, local + 12);
    pos += 46 + buf.readUInt16LE(pos + 28) + buf.readUInt16LE(pos + 30) + buf.readUInt16LE(pos + 32);
  }
  writeFileSync(path, buf);
}

/** Opens the writer for a file of the inbox. */
export function openWriter(path: string, format: 'csv' | 'xlsx', encoding: Encoding, delimiter: Delimiter, sheetName: string, asOf: number): TableWriter {
  return format === 'xlsx' ? new XlsxWriter(path, sheetName, asOf) : new DelimitedWriter(path, encoding, delimiter);
}
