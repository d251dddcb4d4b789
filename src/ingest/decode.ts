import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { InputError } from '../core/errors.ts';

export type Encoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'utf-16le' | 'utf-16be';
export type Format = 'csv' | 'xlsx';

const CHUNK = 1 << 20;

export interface Sniffed {
  format: Format;
  sha256: string;
  size: number;
  /** For text files: the encoding, decided over the whole file. */
  encoding?: Encoding;
  /**
   * For ASCII-compatible text: the empty lines (1-based, quoted newlines not counted, as
   * read_csv counts them). read_csv skips them, so they place its rows on the right lines.
   */
  blankLines?: number[];
  /** Some lines end in CRLF and others in LF (read_csv refuses such text): normalise before reading. */
  mixedNewlines?: boolean;
}

/**
 * Reads the file once: its content hash, its format (by magic bytes, not by name) and, for
 * text, whether every byte is valid UTF-8. One pass, so a 200 MB export is read once here.
 */
export async function sniffFile(file: string): Promise<Sniffed> {
  const hash = createHash('sha256');
  let size = 0;
  let head: Buffer | undefined;
  let utf8 = true;
  let replacement = false;
  let carry: Buffer = Buffer.alloc(0);
  const blanks = new BlankLines();
  for await (const piece of fs.createReadStream(file, { highWaterMark: CHUNK })) {
    const chunk = piece as Buffer;
    hash.update(chunk);
    blanks.push(chunk);
    size += chunk.length;
    if (!head) head = chunk.subarray(0, 8);
    if (!utf8) continue;
    const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const cut = completeUtf8Length(data);
    const body = data.subarray(0, cut);
    if (!isUtf8(body)) utf8 = false;
    else if (!replacement && body.includes(REPLACEMENT)) replacement = true;
    carry = Buffer.from(data.subarray(cut));
  }
  if (carry.length) utf8 = false;
  const bytes = head ?? Buffer.alloc(0);
  const format = detectFormat(file, bytes);
  const sha256 = hash.digest('hex');
  if (format !== 'csv') return { format, sha256, size };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { format, sha256, size, encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { format, sha256, size, encoding: 'utf-16be' };
  blanks.end();
  checkShape(file, blanks, size);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (!utf8 && bom) {
    throw new InputError(
      `File "${file}" starts with a UTF-8 byte-order mark but the rest is not UTF-8 (GBK text saved behind a UTF-8 marker, or two files of different encodings pasted together). Open it in Excel or WPS and save it again as "CSV UTF-8", or export it again from the source system.`,
      { reason: 'mixed_encoding' },
    );
  }
  if (utf8) {
    if (replacement) {
      throw new InputError(
        `File "${file}" contains replacement characters (U+FFFD): it was converted from another encoding and damaged on the way. Export it again from the source system, saved as UTF-8 or GBK.`,
        { reason: 'replacement_characters' },
      );
    }
    return { format, sha256, size, encoding: bom ? 'utf-8-bom' : 'utf-8', blankLines: blanks.lines, ...(blanks.mixedNewlines ? { mixedNewlines: true } : {}) };
  }
  // GB18030 never uses 0x0A or 0x22 inside a multi-byte character: the same scan holds.
  return { format, sha256, size, encoding: 'gb18030', blankLines: blanks.lines, ...(blanks.mixedNewlines ? { mixedNewlines: true } : {}) };
}

const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * A record longer than this is no export row: a document pasted into a cell, or a damaged file.
 * (A real row is a few hundred bytes; read_csv's own limit is far above this, and an Excel cell
 * holds at most 32,767 characters, so such a value could not reach a worklist intact anyway.)
 */
export const MAX_RECORD_BYTES = 1 << 20;

/**
 * Finds the empty lines of a text streamed in chunks, stepping over quoted fields; on the way,
 * the longest record and whether the text ends inside a quoted field opened on its last line.
 */
class BlankLines {
  readonly lines: number[] = [];
  /** The longest record (bytes, quoted line breaks included) and its first line. */
  longest = { bytes: 0, line: 0 };
  /** The text ended inside a quoted field opened on its last line: cut off mid-field. */
  cutInQuote = false;
  private line = 1;
  private empty = true;
  private quoted = false;
  /** Absolute offsets: where the current record started, the chunk's start, the last opening quote. */
  private recordStart = 0;
  private recordLine = 1;
  private offset = 0;
  private quoteAt = -1;
  private lastLf = -1;
  private prevByte = -1;
  private crlf = 0;
  private lf = 0;

  /** Records end in CRLF and in bare LF both (outside quoted fields). */
  get mixedNewlines(): boolean {
    return this.crlf > 0 && this.lf > 0;
  }

  push(chunk: Buffer): void {
    const base = this.offset;
    this.offset += chunk.length;
    const prev = this.prevByte;
    if (chunk.length) this.prevByte = chunk[chunk.length - 1] as number;
    let i = 0;
    let nextQuote = chunk.indexOf(QUOTE);
    while (i < chunk.length) {
      if (this.quoted) {
        if (nextQuote < 0) {
          const lf = chunk.lastIndexOf(LF);
          if (lf >= i) this.lastLf = base + lf;
          return;
        }
        const lf = chunk.lastIndexOf(LF, nextQuote);
        if (lf >= i) this.lastLf = base + lf;
        this.quoted = false;
        i = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, i);
        continue;
      }
      const lf = chunk.indexOf(LF, i);
      if (nextQuote >= 0 && (lf < 0 || nextQuote < lf)) {
        this.empty = false;
        this.quoted = true;
        this.quoteAt = base + nextQuote;
        i = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, i);
        continue;
      }
      const end = lf < 0 ? chunk.length : lf;
      if (end - i > 1 || (end - i === 1 && chunk[i] !== CR)) this.empty = false;
      if (lf < 0) return;
      this.lastLf = base + lf;
      if ((lf > 0 ? chunk[lf - 1] : prev) === CR) this.crlf++;
      else this.lf++;
      this.endRecord(base + lf);
      if (this.empty) this.lines.push(this.line);
      this.line++;
      this.empty = true;
      i = lf + 1;
    }
  }

  /** Call once after the last chunk. */
  end(): void {
    this.endRecord(this.offset);
    this.cutInQuote = this.quoted && this.lastLf < this.quoteAt;
  }

  private endRecord(at: number): void {
    const bytes = at - this.recordStart;
    if (bytes > this.longest.bytes) this.longest = { bytes, line: this.recordLine };
    this.recordStart = at + 1;
    this.recordLine = this.line + 1;
  }
}

/** Refuses text that was cut off inside a quoted field, or holds a record no export row can be. */
function checkShape(file: string, scan: BlankLines, size: number): void {
  if (scan.cutInQuote) {
    throw new InputError(
      `File "${file}" ends in the middle of a quoted field (its last line opens a quote that never closes): the download or the export was cut off. Export it again from the source system, or copy it again completely; the data already loaded stays in use.`,
      { reason: 'truncated' },
    );
  }
  if (scan.longest.bytes > MAX_RECORD_BYTES) {
    const mb = (scan.longest.bytes / (1 << 20)).toFixed(1);
    throw new InputError(
      `File "${file}" has a row of ${mb} MB at line ${scan.longest.line} (of ${(size / (1 << 20)).toFixed(1)} MB): no export row is that long, so a cell holds a pasted document or the file is damaged. Fix that row (or export the file again) and deliver it again; the data already loaded stays in use.`,
      { reason: 'row_too_long', line: scan.longest.line, bytes: scan.longest.bytes },
    );
  }
}

/** How many leading bytes of `data` end on a UTF-8 character boundary. */
function completeUtf8Length(data: Buffer): number {
  const n = data.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = data[n - back] as number;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

function detectFormat(file: string, head: Buffer): Format {
  const lower = file.toLowerCase();
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new InputError(
      `File "${file}" is an old Excel .xls workbook or a password-protected .xlsx. Open it in Excel or WPS, remove any password, and save it as .xlsx (Excel 工作簿), then put it in the inbox again.`,
      { reason: 'xls' },
    );
  }
  if (lower.endsWith('.xls')) {
    throw new InputError(
      `File "${file}" has the .xls extension but is not a real workbook (many systems write HTML or text under that name). Open it in Excel or WPS and save it as .xlsx or .csv.`,
      { reason: 'xls' },
    );
  }
  if (lower.endsWith('.xlsx')) {
    throw new InputError(
      `File "${file}" is named .xlsx but is not a valid workbook (not a zip file): the download may be incomplete or it is really a CSV. Export it again, or rename it to .csv if it is text.`,
      { reason: 'not_xlsx' },
    );
  }
  return 'csv';
}

/**
 * Transcodes a non-UTF-8 text file to a UTF-8 file for DuckDB's read_csv, streaming.
 * Fails with a clear message when a byte sequence is not valid in the source encoding.
 */
export async function transcodeToUtf8(file: string, encoding: Encoding, target: string): Promise<void> {
  const label = encoding === 'gb18030' ? 'gb18030' : encoding;
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: false });
  const out = outputStream(target);
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK })) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      if (!out.write(text)) await drained(out);
    }
    out.write(decoder.decode());
  } catch (error) {
    await abandonOutput(out);
    if (error instanceof TypeError) {
      const mixed = await findMixedLines(file);
      if (mixed) {
        throw new InputError(
          `File "${file}" mixes encodings: line ${mixed.utf8} is UTF-8 while line ${mixed.other} is GBK/GB18030 (two exports pasted together, or a file edited in another program). Reading it either way would garble part of it. Export it again from the source system in one encoding, or open it in Excel or WPS, fix the garbled rows and save it as "CSV UTF-8".`,
          { reason: 'mixed_encoding' },
        );
      }
      throw new InputError(
        `File "${file}" is neither valid UTF-8 nor valid GBK/GB18030 text (it may mix encodings, or not be text at all). Open it in Excel or WPS and save it again as "CSV UTF-8", or export it again from the source system.`,
        { reason: 'undecodable' },
      );
    }
    throw error;
  }
  await finishOutput(out);
}

/**
 * Copies a UTF-8 text with every CRLF made LF, streaming: read_csv stops on a file whose lines
 * end both ways (rows appended on another system), and a lone CR is kept as it is.
 */
export async function normaliseNewlines(file: string, target: string): Promise<void> {
  const out = outputStream(target);
  let pendingCr = false;
  try {
    for await (const piece of fs.createReadStream(file, { highWaterMark: CHUNK })) {
      let chunk = piece as Buffer;
      if (pendingCr) chunk = Buffer.concat([Buffer.from([CR]), chunk]);
      pendingCr = chunk.length > 0 && chunk[chunk.length - 1] === CR;
      if (pendingCr) chunk = chunk.subarray(0, chunk.length - 1);
      const text = chunk.toString('latin1').replaceAll('\r\n', '\n');
      if (!out.write(Buffer.from(text, 'latin1'))) await drained(out);
    }
    if (pendingCr) out.write(Buffer.from([CR]));
  } catch (error) {
    await abandonOutput(out);
    throw error;
  }
  await finishOutput(out);
}

/**
 * A write stream for a scratch copy whose errors (a name too long, a full disk) reach the
 * writer through `drained` and `finishOutput`: an 'error' event nobody listens to would kill
 * the process with a raw stack, leaving the lock and the staging copy behind.
 */
export function outputStream(target: string): fs.WriteStream {
  const out = fs.createWriteStream(target);
  out.on('error', () => undefined); // reported by drained() and finishOutput()
  return out;
}

/** Waits until `out` takes more data; rejects with its error instead of waiting for ever once it failed. */
export function drained(out: fs.WriteStream): Promise<void> {
  if (out.errored) return Promise.reject(out.errored);
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      out.off('drain', onDrain);
      out.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => settle();
    out.once('drain', onDrain);
    out.once('error', settle);
  });
}

/** Ends `out` and waits for its data to be written; rejects with the stream's own error (not "write after destroy"). */
export function finishOutput(out: fs.WriteStream): Promise<void> {
  return new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (out.errored || err ? reject(out.errored ?? err) : resolve())));
}

/**
 * For a file that decodes neither way: the first line that is clearly UTF-8 (valid, with at least
 * four non-ASCII characters, which GBK text almost never is by chance) and the first line that is
 * not valid UTF-8. Both present: the file mixes encodings. Only read on that failure path.
 */
async function findMixedLines(file: string): Promise<{ utf8: number; other: number } | undefined> {
  let utf8: number | undefined;
  let other: number | undefined;
  let line = 1;
  let carry: Buffer = Buffer.alloc(0);
  const judge = (bytes: Buffer): void => {
    if (!bytes.some((b) => b >= 0x80)) return;
    if (isUtf8(bytes)) {
      if (utf8 === undefined && [...bytes.toString('utf8')].filter((c) => c.charCodeAt(0) >= 0x80).length >= 4) utf8 = line;
    } else if (other === undefined) other = line;
  };
  for await (const piece of fs.createReadStream(file, { highWaterMark: CHUNK })) {
    let data = carry.length ? Buffer.concat([carry, piece as Buffer]) : (piece as Buffer);
    let lf = data.indexOf(LF);
    while (lf >= 0) {
      judge(data.subarray(0, lf));
      line++;
      data = data.subarray(lf + 1);
      lf = data.indexOf(LF);
    }
    carry = Buffer.from(data);
    if (utf8 !== undefined && other !== undefined) break;
  }
  if (carry.length) judge(carry);
  return utf8 !== undefined && other !== undefined ? { utf8, other } : undefined;
}

/**
 * Closes an output left half-written by a failure (the caller deletes the file). Not
 * `destroy()`: a write still in flight then fails with an 'error' event nobody listens to,
 * which kills the process.
 */
export async function abandonOutput(out: fs.WriteStream): Promise<void> {
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

/** Reads the first `bytes` of a text file as a string (for sniffing delimiters and headers). */
export async function readHead(file: string, bytes = 64 * 1024): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    const data = buffer.subarray(0, bytesRead);
    return data
      .subarray(0, completeUtf8Length(data))
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}
