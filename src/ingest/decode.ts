import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { InputError } from '../errors.ts';

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
  if (utf8) {
    if (replacement) {
      throw new InputError(
        `File "${file}" contains replacement characters (U+FFFD): it was converted from another encoding and damaged on the way. Export it again from the source system, saved as UTF-8 or GBK.`,
        { reason: 'replacement_characters' },
      );
    }
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return { format, sha256, size, encoding: bom ? 'utf-8-bom' : 'utf-8', blankLines: blanks.lines };
  }
  // GB18030 never uses 0x0A or 0x22 inside a multi-byte character: the same scan holds.
  return { format, sha256, size, encoding: 'gb18030', blankLines: blanks.lines };
}

const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Finds the empty lines of a text streamed in chunks, stepping over quoted fields. */
class BlankLines {
  readonly lines: number[] = [];
  private line = 1;
  private empty = true;
  private quoted = false;

  push(chunk: Buffer): void {
    let i = 0;
    let nextQuote = chunk.indexOf(QUOTE);
    while (i < chunk.length) {
      if (this.quoted) {
        if (nextQuote < 0) return;
        this.quoted = false;
        i = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, i);
        continue;
      }
      const lf = chunk.indexOf(LF, i);
      if (nextQuote >= 0 && (lf < 0 || nextQuote < lf)) {
        this.empty = false;
        this.quoted = true;
        i = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, i);
        continue;
      }
      const end = lf < 0 ? chunk.length : lf;
      if (end - i > 1 || (end - i === 1 && chunk[i] !== CR)) this.empty = false;
      if (lf < 0) return;
      if (this.empty) this.lines.push(this.line);
      this.line++;
      this.empty = true;
      i = lf + 1;
    }
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
  const out = fs.createWriteStream(target);
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK })) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    out.write(decoder.decode());
  } catch (error) {
    await abandonOutput(out);
    if (error instanceof TypeError) {
      throw new InputError(
        `File "${file}" is neither valid UTF-8 nor valid GBK/GB18030 text (it may mix encodings, or not be text at all). Open it in Excel or WPS and save it again as "CSV UTF-8", or export it again from the source system.`,
        { reason: 'undecodable' },
      );
    }
    throw error;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
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
    return data.subarray(0, completeUtf8Length(data)).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}
