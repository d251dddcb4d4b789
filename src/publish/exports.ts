import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { tableFromJSON, tableToIPC } from 'apache-arrow';
import type { Db } from '../db/database.ts';
import { displayWidth, rowListWriter, safeText, shareColumnStyles } from '../core/xlsx-write.ts';
import { maskIdNumbers } from '../core/personal.ts';
import { literal } from '../core/sql.ts';
import { ConfigError } from '../core/errors.ts';
import { maskExpr, maskedSelect, registerMaskFunctions } from './masking.ts';
import { ident } from '../core/sql.ts';

export { EXPORT_FORMATS, FORMAT_EXTENSIONS, formatOfFile, type ExportFormat } from './export-formats.ts';
import type { ExportFormat } from './export-formats.ts';

/** A worksheet holds 1,048,576 rows, the header one of them. */
export const XLSX_MAX_ROWS = 1_048_575;

/**
 * Terminal control sequences out of a text printed to a terminal: ANSI escape sequences (CSI,
 * OSC, two-character escapes), then every other C0 and C1 control but tab and line feed. A value
 * from an export must not move the cursor, clear the screen, retitle the window or hide text.
 */
export function terminalText(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the control sequences are what goes
      .replace(/\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|\u009D[^\u0007\u001B\u009C]*(?:\u0007|\u009C)?/g, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the control sequences are what goes
      .replace(/(?:\u001B\[|\u009B)[0-?]*[ -/]*[@-~]?|\u001B[ -/]*[0-~]?/g, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what goes
      .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '')
  );
}

/** How a column's values are written: by the DuckDB type DESCRIBE gives. */
interface ColumnKind {
  kind: 'int' | 'bigint' | 'decimal' | 'double' | 'bool' | 'date' | 'timestamp' | 'text' | 'nested';
  /** DECIMAL scale and precision. */
  scale?: number;
  precision?: number;
}

function kindOf(type: string | undefined): ColumnKind {
  if (!type) return { kind: 'text' };
  if (/^(TINYINT|SMALLINT|INTEGER|UTINYINT|USMALLINT|UINTEGER)$/.test(type)) return { kind: 'int' };
  if (/^(BIGINT|UBIGINT|HUGEINT|UHUGEINT)$/.test(type)) return { kind: 'bigint' };
  const dec = /^DECIMAL\((\d+),(\d+)\)$/.exec(type);
  if (dec) return { kind: 'decimal', precision: Number(dec[1]), scale: Number(dec[2]) };
  if (type === 'FLOAT' || type === 'DOUBLE') return { kind: 'double' };
  if (type === 'BOOLEAN') return { kind: 'bool' };
  if (type === 'DATE') return { kind: 'date' };
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(type)) return { kind: 'timestamp' };
  if (/\[\]$|^(STRUCT|MAP|UNION)\(/.test(type) || /\[\d+\]$/.test(type)) return { kind: 'nested' };
  return { kind: 'text' };
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** `-0012.500` and `-12.5` are the same decimal: sign, integer digits without leading zeros, fraction without trailing zeros. */
function canonicalDecimal(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return text;
  const int = (m[2] ?? '').replace(/^0+/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return body === '0' ? '0' : `${m[1]}${body}`;
}

/**
 * A value as a JavaScript number when that number is the value exactly: INTEGERs always;
 * BIGINT/HUGEINT within ±2^53; a DECIMAL whose double prints back as the same decimal at its
 * scale (money in yuan: any amount below 10^13 yuan); a finite DOUBLE. Otherwise undefined
 * (the value is written as its exact text).
 */
export function exactNumber(value: unknown, column: ColumnKind): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (column.kind === 'bigint' || column.kind === 'int') {
    if (!/^-?\d+$/.test(value)) return undefined;
    const big = BigInt(value);
    return big <= SAFE && big >= -SAFE ? Number(big) : undefined;
  }
  if (column.kind === 'decimal') {
    const n = Number(value);
    if (!Number.isFinite(n) || Math.abs(n) >= 1e21) return undefined;
    return canonicalDecimal(n.toFixed(column.scale ?? 0)) === canonicalDecimal(value) ? n : undefined;
  }
  if (column.kind === 'double') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A DATE or TIMESTAMP as a Date (UTC), when Excel can show it (1900-03-01 to 9999-12-31). */
function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const ms = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (date < new Date(Date.UTC(1900, 2, 1))) return undefined;
  return date;
}

/** How text leaves: ID numbers masked (the default), or as it is (`recon query --unmask`). */
type Masker = (text: string) => string;
const asIs: Masker = (text) => text;

/** Every string inside a nested value (list, struct, map) with its ID numbers masked. */
function maskDeep(value: unknown, mask: Masker = maskIdNumbers): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, mask)]));
  return value;
}

/** A value as text, for csv and the table: exact numbers as DuckDB prints them, nested values as JSON, ID numbers masked. */
function textOf(value: unknown, column: ColumnKind, mask: Masker = maskIdNumbers): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return column.kind === 'text' ? mask(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(maskDeep(value, mask));
}

/** A value for JSON: a number when exact, else its text; dates ISO 8601; booleans; nested values as JSON with masked strings. */
export function jsonValue(value: unknown, column: ColumnKind, mask: Masker = maskIdNumbers): unknown {
  if (value === null || value === undefined) return null;
  switch (column.kind) {
    case 'int':
    case 'bigint':
    case 'decimal':
    case 'double':
      return exactNumber(value, column) ?? String(value);
    case 'bool':
      return typeof value === 'boolean' ? value : String(value);
    case 'timestamp':
      return typeof value === 'string' ? value.replace(' ', 'T') : value;
    case 'date':
      return value;
    case 'nested':
      return maskDeep(value, mask);
    default:
      return typeof value === 'string' ? mask(value) : maskDeep(value, mask);
  }
}

/** safeText without the masking (`--unmask`): control characters XML cannot hold removed, line ends folded. */
function unmaskedText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const raw =
    typeof value === 'string'
      ? value
      : value instanceof Date
        ? value.toISOString().slice(0, 10)
        : typeof value === 'object'
          ? (JSON.stringify(value) ?? '')
          : String(value);
  const text = raw
    .replace(/\r\n?/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what XML cannot hold, so they go
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
  return text === '' ? null : text;
}

/** A spreadsheet cell: exact numbers as numbers, dates as dates, booleans as booleans, text as text (never a formula), ID numbers masked unless `unmask`. */
function sheetValue(value: unknown, column: ColumnKind, unmask = false): string | number | boolean | Date | null {
  if (value === null || value === undefined) return null;
  const text = unmask ? unmaskedText : safeText;
  switch (column.kind) {
    case 'int':
    case 'bigint':
    case 'decimal':
    case 'double':
      return exactNumber(value, column) ?? text(value);
    case 'bool':
      return typeof value === 'boolean' ? value : text(value);
    case 'date':
    case 'timestamp':
      return dateOf(value) ?? text(value);
    case 'nested':
      return text(JSON.stringify(unmask ? value : maskDeep(value)));
    default:
      return text(typeof value === 'string' ? value : JSON.stringify(value));
  }
}

/** The number format of a column's cells; text columns are Text (`@`), so editing a cell that starts with `=` keeps it text. */
function numFmtOf(column: ColumnKind): string {
  switch (column.kind) {
    case 'decimal':
      return column.scale ? `#,##0.${'0'.repeat(column.scale)}` : '0';
    case 'int':
    case 'bigint':
      return '0';
    case 'double':
      return 'General';
    case 'date':
      return 'yyyy-mm-dd';
    case 'timestamp':
      return 'yyyy-mm-dd hh:mm:ss';
    case 'bool':
      return 'General';
    default:
      return '@';
  }
}

/** A CSV field. Text Excel would run as a formula (= + - @, a tab or CR first) gets a leading apostrophe; numbers are written as they are. */
function csvCell(text: string, isText: boolean): string {
  let out = text;
  if (isText && (/^[=+@\t\r]/.test(out) || /^-(?!\d+(\.\d+)?$)/.test(out))) out = `'${out}`;
  return /[",\n\r]/.test(out) ? `"${out.replaceAll('"', '""')}"` : out;
}

const isNumeric = (c: ColumnKind): boolean => c.kind === 'int' || c.kind === 'bigint' || c.kind === 'decimal' || c.kind === 'double';

/** A plain-text table for a terminal (CJK counted as two columns, control sequences removed; `right` columns aligned right). */
export function formatTable(columns: string[], rows: Array<Record<string, unknown>>, right: ReadonlySet<string> = new Set()): string {
  const text = (v: unknown): string => terminalText(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const heads = columns.map(terminalText);
  const widths = columns.map((c, i) => Math.min(48, Math.max(displayWidth(heads[i] ?? ''), ...rows.map((r) => displayWidth(text(r[c]))))));
  const pad = (t: string, w: number, alignRight: boolean): string => {
    let out = '';
    let used = 0;
    for (const ch of t) {
      const cw = displayWidth(ch);
      if (used + cw > w) break;
      out += ch;
      used += cw;
    }
    return alignRight ? ' '.repeat(w - used) + out : out + ' '.repeat(w - used);
  };
  const line = (cells: string[], align: boolean): string =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0, align && right.has(columns[i] as string)))
      .join('  ')
      .trimEnd();
  return `${[
    line(heads, false),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) =>
      line(
        columns.map((c) => text(r[c])),
        true,
      ),
    ),
  ].join('\n')}\n`;
}

/** The names and DuckDB types of the columns of a SELECT, by position (DESCRIBE binds it without running it). EXPLAIN has none. */
async function describe(db: Db, select: string): Promise<{ names: string[]; types: string[]; kinds: ColumnKind[] }> {
  try {
    const rows = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM (\n${select}\n)`, undefined, { step: 'query.describe' });
    return { names: rows.map((r) => r.column_name), types: rows.map((r) => r.column_type), kinds: rows.map((r) => kindOf(r.column_type)) };
  } catch {
    return { names: [], types: [], kinds: [] };
  }
}

/** A text Excel would run as a formula (= + - @, a tab or CR first; - unless a plain number), in SQL: it gets a leading apostrophe. */
function sqlFormulaSafe(x: string): string {
  return `CASE WHEN regexp_matches(${x}, '^[=+@\t\r]') OR (starts_with(${x}, '-') AND NOT regexp_matches(${x}, '^-[0-9]+([.][0-9]+)?$')) THEN '''' || ${x} ELSE ${x} END`;
}

/** The name of a column as a CSV header: a name Excel would run gets its apostrophe too. */
function headerSafe(name: string): string {
  return /^[=+@\t\r]/.test(name) || /^-(?!\d+(\.\d+)?$)/.test(name) ? `'${name}` : name;
}

/**
 * The SELECT that COPY writes for csv or JSON: per column by its type, the rules of the JS
 * writers in SQL. csv: text masked and formula-safe, nested values as JSON text, numbers, dates
 * and booleans as DuckDB prints them (exact). JSON: numbers that a JavaScript number holds
 * exactly as numbers (BIGINT within 2^53, a DECIMAL whose double casts back to it, finite
 * doubles), others as strings; timestamps ISO 8601; text masked; nested values as JSON.
 */
function copySelect(select: string, names: string[], types: string[], format: 'csv' | 'json', unmask = false): string {
  const exprs = names.map((name, i) => {
    const c = ident(name);
    const type = types[i] ?? 'VARCHAR';
    const kind = kindOf(type);
    const alias = ident(format === 'csv' ? headerSafe(name) : name);
    const masked = (text: string): string => (unmask ? text : maskExpr(text, 'ids'));
    if (format === 'csv') {
      if (isNumeric(kind) || kind.kind === 'bool' || kind.kind === 'date' || kind.kind === 'timestamp') return `${c} AS ${alias}`;
      const text = type === 'VARCHAR' ? c : kind.kind === 'nested' ? `CAST(to_json(${c}) AS VARCHAR)` : `CAST(${c} AS VARCHAR)`;
      return `${sqlFormulaSafe(masked(text))} AS ${alias}`;
    }
    switch (kind.kind) {
      case 'int':
      case 'bool':
      case 'date':
        return `${c} AS ${alias}`;
      case 'bigint':
        return `CASE WHEN ${c} BETWEEN -9007199254740991 AND 9007199254740991 THEN to_json(${c}) ELSE to_json(CAST(${c} AS VARCHAR)) END AS ${alias}`;
      case 'decimal':
        if ((kind.precision ?? 38) <= 15) return `${c} AS ${alias}`;
        return `CASE WHEN TRY_CAST(CAST(${c} AS DOUBLE) AS ${type}) = ${c} THEN to_json(CAST(${c} AS DOUBLE)) ELSE to_json(CAST(${c} AS VARCHAR)) END AS ${alias}`;
      case 'double':
        return `CASE WHEN isfinite(${c}) THEN to_json(${c}) ELSE to_json(CAST(${c} AS VARCHAR)) END AS ${alias}`;
      case 'timestamp':
        return `replace(CAST(${c} AS VARCHAR), ' ', 'T') AS ${alias}`;
      case 'nested':
        if (type === 'VARCHAR[]') return `list_transform(${c}, x -> ${masked('x')}) AS ${alias}`;
        return `CAST(${masked(`CAST(to_json(${c}) AS VARCHAR)`)} AS JSON) AS ${alias}`;
      default:
        if (type === 'VARCHAR') return `${masked(c)} AS ${alias}`;
        if (type === 'JSON') return `CAST(${masked(`CAST(${c} AS VARCHAR)`)} AS JSON) AS ${alias}`;
        return `${masked(`CAST(${c} AS VARCHAR)`)} AS ${alias}`;
    }
  });
  return `SELECT ${exprs.join(', ')} FROM (\n${select}\n)`;
}

/**
 * Every file exportQuery may write for an output file and a scratch file (its own partial
 * files and DuckDB's tmp_ files beside them), for the connection's allowed_paths.
 */
export function exportPaths(file: string | undefined, scratch: string | undefined): string[] {
  const own = [file, file ? `${file}.body` : undefined, scratch].filter((f): f is string => f !== undefined);
  return own.flatMap((f) => [f, path.join(path.dirname(f), `tmp_${path.basename(f)}`)]);
}

export interface ExportOptions {
  /** The file to write; undefined: stdout (table, csv, jsonl and json only). */
  file?: string;
  /** Rows the table format shows (default 200 on the terminal, all in a file). */
  maxTableRows?: number;
  /** Checked between chunks: `recon query --timeout` aborts it. */
  signal?: AbortSignal;
  /** stdout is a terminal: csv values lose their control sequences too. */
  terminal?: boolean;
  /** A file csv, jsonl and json may write when the output is stdout (DuckDB's COPY writes it; it is removed). */
  scratch?: string;
  /** Full ID numbers (`recon query --unmask`, recorded in the unmask audit): nothing is masked. */
  unmask?: boolean;
}

async function writeTo(sink: NodeJS.WritableStream, text: string): Promise<void> {
  if (!sink.write(text)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
}

/**
 * Writes the rows of one SELECT in a format, ID numbers masked in every text value
 * (/work/shared/EXPORTS.md, "Personal data"), with the columns' types: parquet; csv (UTF-8 with
 * a BOM in a file, so Excel on a Chinese Windows reads it; formulas as text), jsonl and json
 * (numbers as numbers when exact, dates ISO 8601) go through DuckDB's COPY; xlsx (numbers,
 * dates and booleans as such, text as text, at most a sheet's rows), arrow and the table (a
 * page of it on a terminal) chunk by chunk from a materialised result. Returns the number of rows.
 */
export async function exportQuery(db: Db, select: string, format: ExportFormat, options: ExportOptions = {}): Promise<number> {
  const { file, signal } = options;
  const unmask = options.unmask === true;
  const mask: Masker = unmask ? asIs : maskIdNumbers;
  if ((format === 'parquet' || format === 'arrow' || format === 'xlsx') && !file) {
    throw new ConfigError(`--format ${format} writes a file: give -o FILE`);
  }
  if (file && format === 'parquet') {
    const masked = unmask ? select : await maskedSelect(db, select, undefined, { mode: 'ids' });
    const result = await db.all<{ Count?: bigint | number }>(`COPY (${masked}) TO ${literal(file)} (FORMAT parquet)`, undefined, {
      step: 'query.export.parquet',
    });
    return Number(Object.values(result[0] ?? {})[0] ?? 0);
  }
  const described = await describe(db, select);
  const kinds = described.kinds;
  // Materialised, not streamed: a streamed query that fails (or is interrupted) half way ends
  // like a complete one (Db.chunksJson), and an export cut short must never pass for a whole one.
  const stream = async function* (sql = select) {
    for await (const chunk of db.chunksJson(sql, undefined, { step: 'query' })) {
      signal?.throwIfAborted();
      yield chunk;
    }
    signal?.throwIfAborted();
  };
  let count = 0;
  if (format === 'table') {
    // On a terminal the rows shown and one more, to tell whether there are more (a terminal shows a page); in a file, all.
    const max = options.maxTableRows ?? (file ? Number.POSITIVE_INFINITY : 200);
    const shown: Array<Record<string, unknown>> = [];
    let columns: string[] = described.names;
    let more = false;
    for await (const chunk of stream(described.names.length && Number.isFinite(max) ? `SELECT * FROM (\n${select}\n) LIMIT ${max + 1}` : select)) {
      columns = chunk.columns;
      for (const row of chunk.rows) {
        if (shown.length < max) shown.push(Object.fromEntries(columns.map((c, i) => [c, textOf(row[c], kinds[i] ?? { kind: 'text' }, mask)])));
        else more = true;
      }
    }
    count = shown.length;
    const right = new Set(columns.filter((_, i) => isNumeric(kinds[i] ?? { kind: 'text' })));
    const text = formatTable(columns, shown, right) + (more ? `(first ${count} rows shown; there are more: use -o FILE.csv for all)\n` : `(${count} rows)\n`);
    if (file) fs.writeFileSync(file, text);
    else process.stdout.write(text);
    return count;
  }
  if ((format === 'csv' || format === 'jsonl' || format === 'json') && described.names.length > 0) {
    // Through DuckDB's COPY: it streams within memory_limit, and a query that fails half way fails the statement.
    const target = file ? (format === 'csv' ? `${file}.body` : file) : options.scratch;
    if (!target) throw new Error('exportQuery: csv, jsonl and json to stdout need options.scratch');
    registerMaskFunctions(db);
    const copyOptions = format === 'csv' ? 'FORMAT csv, HEADER' : format === 'json' ? 'FORMAT json, ARRAY true' : 'FORMAT json';
    try {
      const result = await db.all<Record<string, unknown>>(
        `COPY (${copySelect(select, described.names, described.types, format === 'csv' ? 'csv' : 'json', unmask)}) TO ${literal(target)} (${copyOptions})`,
        undefined,
        { step: `query.export.${format}` },
      );
      signal?.throwIfAborted();
      count = Number(Object.values(result[0] ?? {})[0] ?? 0);
      if (file && format === 'csv') {
        // A BOM, so that Excel on a Chinese Windows reads UTF-8 (DuckDB's PREFIX needs a SUFFIX, which would add a line).
        await pipeline(async function* () {
          yield '\uFEFF';
          yield* fs.createReadStream(target);
        }, fs.createWriteStream(file));
      }
      if (!file) {
        const clean = options.terminal ? terminalText : (t: string) => t;
        for await (const text of fs.createReadStream(target, { encoding: 'utf8' })) await writeTo(process.stdout, clean(text as string));
      }
    } finally {
      if (target !== file) fs.rmSync(target, { force: true });
    }
    return count;
  }
  if (format === 'csv' || format === 'jsonl' || format === 'json') {
    // A statement DESCRIBE cannot wrap (EXPLAIN): its few rows through JavaScript.
    const sink = file ? fs.createWriteStream(file) : process.stdout;
    const failed = new Promise<never>((_, reject) => sink.once('error', reject));
    failed.catch(() => undefined);
    const clean = !file && options.terminal ? terminalText : (t: string) => t;
    let started = false;
    for await (const chunk of stream()) {
      let text = '';
      if (!started) {
        if (format === 'csv') text += `${file ? '\uFEFF' : ''}${chunk.columns.map((c) => csvCell(clean(c), true)).join(',')}\n`;
        if (format === 'json') text += '[';
      }
      for (const row of chunk.rows) {
        if (format === 'csv') {
          text += `${chunk.columns
            .map((c, i) => {
              const kind = kinds[i] ?? { kind: 'text' };
              return csvCell(clean(textOf(row[c], kind, mask)), !isNumeric(kind));
            })
            .join(',')}\n`;
        } else {
          const typed = JSON.stringify(Object.fromEntries(chunk.columns.map((c, i) => [c, jsonValue(row[c], kinds[i] ?? { kind: 'text' }, mask)])));
          text += format === 'jsonl' ? `${typed}\n` : `${count === 0 ? '\n' : ',\n'}${typed}`;
        }
        count++;
      }
      started = true;
      await Promise.race([writeTo(sink, text), failed]);
    }
    // No rows: the header alone (csv), an empty array (json).
    if (format === 'csv' && !started)
      await Promise.race([writeTo(sink, `${file ? '\uFEFF' : ''}${described.names.map((c) => csvCell(clean(c), true)).join(',')}\n`), failed]);
    if (format === 'json') await Promise.race([writeTo(sink, count > 0 ? '\n]\n' : started ? ']\n' : '[]\n'), failed]);
    if (file) await new Promise<void>((resolve, reject) => (sink as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
    return count;
  }
  if (format === 'arrow') {
    // Per column one type: numbers only where every value is exact (no BIGINT, no wide DECIMAL).
    const asNumber = (k: ColumnKind): boolean => k.kind === 'int' || k.kind === 'double' || (k.kind === 'decimal' && (k.precision ?? 38) <= 15);
    const rows: Array<Record<string, unknown>> = [];
    for await (const chunk of stream()) {
      for (const row of chunk.rows) {
        rows.push(
          Object.fromEntries(
            chunk.columns.map((c, i) => {
              const k = kinds[i] ?? { kind: 'text' };
              const v = row[c];
              if (v === null || v === undefined) return [c, null];
              if (asNumber(k)) return [c, exactNumber(v, k) ?? null];
              if (k.kind === 'bool') return [c, v];
              return [c, textOf(v, k, mask)];
            }),
          ),
        );
      }
    }
    fs.writeFileSync(file as string, tableToIPC(tableFromJSON(rows), 'file'));
    return rows.length;
  }
  // xlsx: exceljs's streaming writer; every value from the data is a plain cell value, never a formula.
  const workbook = rowListWriter(file as string);
  const sheet = workbook.addWorksheet('查询结果', { views: [{ state: 'frozen', ySplit: 1 }] });
  const styles = kinds.map((k) => ({ numFmt: numFmtOf(k) }));
  const header = (columns: string[]): void => {
    sheet.columns = columns.map((c, i) => {
      const k = kinds[i] ?? { kind: 'text' };
      const width = k.kind === 'date' ? 12 : k.kind === 'timestamp' ? 20 : Math.min(60, Math.max(10, displayWidth(c) + 2));
      return { header: safeText(c) ?? '', key: `c${i}`, width };
    });
    sheet.getRow(1).font = { bold: true };
  };
  let started = false;
  // One row more than a sheet holds, to tell that it would not fit: never the whole of a larger result in memory.
  for await (const chunk of stream(described.names.length ? `SELECT * FROM (\n${select}\n) LIMIT ${XLSX_MAX_ROWS + 1}` : select)) {
    if (!started) header(chunk.columns);
    started = true;
    for (const row of chunk.rows) {
      if (count >= XLSX_MAX_ROWS) {
        throw new ConfigError(
          `The result has more than ${XLSX_MAX_ROWS.toLocaleString('en-US')} rows, more than a worksheet holds: nothing was written. Narrow the query, or use --format csv or parquet.`,
        );
      }
      const added = sheet.addRow(chunk.columns.map((c, i) => sheetValue(row[c], kinds[i] ?? { kind: 'text' }, unmask)));
      shareColumnStyles(added, styles);
      added.commit();
      count++;
    }
  }
  if (!started) header(described.names);
  sheet.commit();
  await workbook.commit();
  return count;
}
