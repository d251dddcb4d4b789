import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import { ident, literal } from '../core/sql.ts';
import { CONTRACTS, normaliseHeader, type Kind } from '../sources/index.ts';
import { blankColumn, planNormalise, tableColumns } from '../sources/normalise.ts';
import { DbError, InputError, errorMessage, isInfrastructureError, isMachineFault } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { sniffFile, transcodeToUtf8, normaliseNewlines, readHead, type Encoding, type Format, type Sniffed } from './decode.ts';
import { sniffDelimiter, headRows, findHeader, dateFromText, type HeaderFound } from './header.ts';
import { XLSX_LEAD_COLUMNS, xlsxToCsv } from './xlsx.ts';
import { faultPoint } from '../core/fault.ts';
import { compareNewAgentMonths, planSupersessions, recordPlanned, type NewAgentMonths, type Redelivery } from './supersede.ts';

export interface LoadOptions {
  runId: string;
  /** Forces the kind instead of recognising it from the headers. */
  kind?: Kind;
  /** Forces the as-of date (YYYY-MM-DD). */
  asOf?: string;
  /** The as-of date when neither the flag, the file name nor a title row gives one. */
  defaultAsOf: string;
  /** Loads a snapshot even when it is far smaller than the last one. */
  force?: boolean;
  sheet?: string;
  /** A snapshot with fewer rows than this share of the previous one is refused. */
  minSnapshotRatio: number;
  /** Where transcoded and converted copies go while loading (deleted afterwards): the run's scratch folder. */
  workDir: string;
  logger: Logger;
}

export interface LoadedFile {
  status: 'loaded';
  file: string;
  sha256: string;
  fileId: number;
  kind: Kind;
  asOf: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  valuesFlagged: number;
  /** Sheets of a workbook that were not read (other headers): the run warns. */
  warnings?: string[];
}
export interface DuplicateFile {
  status: 'duplicate';
  file: string;
  sha256: string;
  kind: Kind;
  of: number;
  /** The first copy was loaded in this same run (one delivery under two names). */
  sameRun: boolean;
  message: string;
}
export interface RefusedFile {
  status: 'refused';
  file: string;
  sha256?: string;
  kind?: Kind;
  reason: string;
  message: string;
}
export type LoadResult = LoadedFile | DuplicateFile | RefusedFile;

interface Prepared {
  csvPath: string;
  /** Empty lines of the text (read_csv skips them), when known. */
  blankLines: number[];
  format: Format;
  encoding?: Encoding;
  delimiter: string;
  header: HeaderFound;
  /** Lines to skip before the first data line in `csvPath`. */
  skip: number;
  /** Header line (1-based) in the original file or sheet. */
  headerLine: number;
  sheet?: string;
  /** True when the CSV carries the source row number in its first column (`__row`), then XLSX_LEAD_COLUMNS' others. */
  rowColumn: boolean;
  /** A workbook read over several sheets: the raw text of a reject starts with `sheet!row`. */
  sheetRefs?: boolean;
  /** Said in the log, the manifest's message and the run's warnings (sheets not read). */
  warnings?: string[];
}

const CSV_REASONS: Record<string, string> = {
  'TOO MANY COLUMNS': 'wrong column count: more fields than headers',
  'MISSING COLUMNS': 'wrong column count: fewer fields than headers',
  'UNQUOTED VALUE': 'unterminated or stray quote',
  'LINE SIZE OVER MAXIMUM': 'line too long',
  'INVALID ENCODING': 'invalid characters',
  'INVALID UNICODE': 'invalid characters',
};

/**
 * Loads one export file: recognises its format, encoding and kind, reads it with DuckDB's
 * read_csv as text, types it with the kind's normalising SQL, and records every row it could
 * not load in `rejects`. All in one transaction: a refused file leaves no rows behind.
 *
 * Never fails the run for the file's sake: whatever goes wrong while this one file is read
 * (it cannot be opened, vanishes, trips an error nobody foresaw) refuses it, with the error's
 * message and no stack, and the other files still load. Only a fault of the machine or the
 * database (`isInfrastructureError`: a full disk, DuckDB failing) is thrown, so the run fails
 * and the published state stays: every file after it would meet the same fault.
 */
export async function loadFile(db: Db, file: string, options: LoadOptions): Promise<LoadResult> {
  try {
    return await loadOneFile(db, file, options);
  } catch (error) {
    if (isInfrastructureError(error)) throw error;
    await dropScratch(db);
    return refuse(db, file, options, undefined, error instanceof InputError ? error : unexpected(file, error), options.kind);
  }
}

/** Records an inbox entry refused before it was read (a symbolic link out of the inbox, an unreadable folder): a manifest row and the refusal. */
export function refuseEntry(db: Db, file: string, options: LoadOptions, error: InputError): Promise<RefusedFile> {
  return refuse(db, file, options, undefined, error, undefined);
}

/** The refusal for an error nobody foresaw while reading one file: its message (first line), what to do. */
function unexpected(file: string, error: unknown): InputError {
  const code = String((error as { code?: unknown }).code ?? '');
  // DuckDB's value errors quote the value (an ID number, a phone): only the step and the kind of error are said.
  const message =
    error instanceof DbError
      ? `the database could not take its values (step ${String(error.details['step'] ?? '?')}: ${/\b(\w+(?: \w+)?) Error:/.exec(errorMessage(error))?.[1] ?? 'value'} error)`
      : (errorMessage(error).split('\n')[0] ?? '');
  if (code === 'EACCES' || code === 'EPERM') {
    return new InputError(
      `Cannot read "${file}": permission denied (${message}). Let the user recon runs as (${runningUser()}) read it and its folder, or deliver it again; it is read again on the next run and the data already loaded stays in use.`,
      { reason: 'unreadable' },
    );
  }
  if (code === 'ENOENT') {
    return new InputError(
      `"${file}" disappeared while it was being read (moved or deleted during the run). Nothing of it was loaded; delivered again, it is read on the next run.`,
      { reason: 'changed_while_reading' },
    );
  }
  return new InputError(
    `Cannot load "${file}": ${message}. The file was skipped and the data already loaded stays in use. Open it in Excel or WPS and save it again, or export it again; if it keeps failing, send it with this run's run.log to whoever maintains recon.`,
    { reason: 'load_error' },
  );
}

/** The name of the user this process runs as, for messages about permissions. */
export function runningUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

async function loadOneFile(db: Db, file: string, options: LoadOptions): Promise<LoadResult> {
  const fileName = path.basename(file);
  const log = options.logger.child({ file: fileName });
  // What the file was before we read it: a file still being copied or rewritten is refused.
  const before = fileState(file);
  let sniffed: Sniffed;
  try {
    sniffed = await sniffFile(file);
  } catch (error) {
    if (error instanceof InputError) return refuse(db, file, options, undefined, error, undefined);
    throw error;
  }
  const known = await db.one<{ file_id: number; kind: Kind; loaded_at: Date; run_id: string; file_name: string }>(
    `SELECT file_id, kind, loaded_at, run_id, file_name FROM manifest WHERE sha256 = $1 AND status = 'loaded' ORDER BY file_id LIMIT 1`,
    [sniffed.sha256],
    { step: 'ingest.manifest.lookup' },
  );
  if (known) {
    // The same delivery under a second name in one run is worth a look; last night's files are not.
    const sameRun = known.run_id === options.runId && known.file_name !== fileName;
    const message = sameRun
      ? `"${fileName}" is the same file as "${known.file_name}" (file #${known.file_id}, ${known.kind}) delivered in this run under another name; it was loaded once and this copy skipped.`
      : `"${fileName}" was already loaded (same content as file #${known.file_id}, ${known.kind}); skipped.`;
    if (sameRun) {
      log.warn({ of: known.file_id }, message);
      // Kept in the manifest, so the run's ledger (运行记录) lists the second copy too.
      await db.run(
        `INSERT INTO manifest (file_id, run_id, path, file_name, sha256, size_bytes, kind, status, message, loaded_at)
         VALUES (nextval('file_id_seq'), $run_id, $path, $file_name, $sha256, $size, $kind, 'duplicate', $message, current_timestamp)`,
        { run_id: options.runId, path: path.resolve(file), file_name: fileName, sha256: sniffed.sha256, size: sniffed.size, kind: known.kind, message },
        { step: 'ingest.manifest.duplicate' },
      );
    } else log.info({ of: known.file_id }, message);
    return { status: 'duplicate', file, sha256: sniffed.sha256, kind: known.kind, of: known.file_id, sameRun, message };
  }

  fs.mkdirSync(options.workDir, { recursive: true });
  const temps: string[] = [];
  try {
    let prepared: Prepared;
    try {
      prepared = await prepare(file, sniffed.format, sniffed.encoding, sniffed.blankLines ?? [], options, temps, sniffed.mixedNewlines === true);
    } catch (error) {
      if (error instanceof InputError) return refuse(db, file, options, sniffed, error, options.kind);
      throw error;
    }
    const kind = prepared.header.match.kind;
    const twice = repeatedRequired(prepared.header, file);
    if (twice) return refuse(db, file, options, sniffed, twice, kind);
    const asOf = pickAsOf(options, fileName, prepared.header.title);
    try {
      return await loadPrepared(db, file, prepared, kind, asOf, sniffed, options, log, () => changedSince(file, before));
    } catch (error) {
      // A text DuckDB's CSV reader gives up on is this file's problem, not the run's (a full disk or no memory is the run's).
      // The step also types the values: a value error (it quotes the value, an ID number perhaps) is not the reader's, and
      // is refused by loadFile as before the two were one step, naming the kind of error only.
      if (
        !(error instanceof DbError) ||
        !String(error.details['step'] ?? '').endsWith('.read_csv') ||
        VALUE_ERROR.test(errorMessage(error)) ||
        isMachineFault(error)
      )
        throw error;
      await dropScratch(db);
      const cause = errorMessage(error)
        .replace(/^Database step "[^"]*" failed: /, '')
        .split('\n')[0];
      const unreadable = new InputError(
        `Cannot read "${file}" as CSV: ${cause}. Open it in Excel or WPS, save it again as CSV (or export it again), and deliver it again; the data already loaded stays in use.`,
        { reason: 'unparseable' },
      );
      return refuse(db, file, options, sniffed, changedSince(file, before) ?? unreadable, kind);
    }
  } finally {
    for (const t of temps) fs.rmSync(t, { force: true });
  }
}

/** DuckDB's errors about a value (the typing's, not the CSV reader's). */
const VALUE_ERROR = /\b(Conversion|Out of Range) Error:/;

/** Scratch copies made by this process (their names: `<run>-<n>`). */
let scratchCopies = 0;

async function prepare(
  file: string,
  format: Format,
  encoding: Encoding | undefined,
  blankLines: number[],
  options: LoadOptions,
  temps: string[],
  mixedNewlines = false,
): Promise<Prepared> {
  // Short names of our own, never the file's: a long Chinese file name plus a suffix would pass
  // the file system's 255-byte limit (ENAMETOOLONG), and the work folder is the run's.
  const base = path.join(options.workDir, `${options.runId}-${++scratchCopies}`);
  if (format === 'xlsx') {
    const csvPath = `${base}.csv`;
    temps.push(csvPath);
    const sheet = await xlsxToCsv(file, csvPath, { ...(options.sheet ? { sheet: options.sheet } : {}), ...(options.kind ? { kind: options.kind } : {}) });
    const warnings = sheet.skipped.map((s) => `"${path.basename(file)}": sheet "${s.sheet}" was not read: ${s.why}`);
    return {
      csvPath,
      blankLines: [],
      format,
      delimiter: ',',
      header: sheet.header,
      skip: 1,
      headerLine: sheet.headerRow,
      sheet: sheet.sheet,
      rowColumn: true,
      sheetRefs: sheet.sheets.length > 1,
      warnings,
    };
  }
  let csvPath = file;
  if (encoding !== 'utf-8' && encoding !== 'utf-8-bom' && encoding !== undefined) {
    csvPath = `${base}.utf8.csv`;
    temps.push(csvPath);
    await transcodeToUtf8(file, encoding, csvPath);
  }
  if (mixedNewlines) {
    const from = csvPath;
    csvPath = `${base}.lf.csv`;
    temps.push(csvPath);
    await normaliseNewlines(from, csvPath);
  }
  const head = await readHead(csvPath);
  if (head.trim() === '') {
    throw new InputError(`File "${file}" is empty. Export it again from the source system.`, { reason: 'empty' });
  }
  const delimiter = sniffDelimiter(head);
  const header = findHeader(headRows(head, delimiter), file, options.kind);
  return {
    csvPath,
    blankLines,
    format,
    ...(encoding ? { encoding } : {}),
    delimiter,
    header,
    skip: header.index + 1,
    headerLine: header.index + 1,
    rowColumn: false,
  };
}

function pickAsOf(options: LoadOptions, fileName: string, title: string): { date: string; source: string } {
  if (options.asOf) return { date: options.asOf, source: 'flag' };
  const fromName = dateFromText(fileName);
  if (fromName) return { date: fromName, source: 'file_name' };
  const fromTitle = dateFromText(title);
  if (fromTitle) return { date: fromTitle, source: 'title' };
  return { date: options.defaultAsOf, source: 'run' };
}

async function loadPrepared(
  db: Db,
  file: string,
  p: Prepared,
  kind: Kind,
  asOf: { date: string; source: string },
  sniffed: { sha256: string; size: number },
  options: LoadOptions,
  log: Logger,
  changed: () => InputError | undefined,
): Promise<LoadResult> {
  const contract = CONTRACTS[kind];
  const fileName = path.basename(file);
  const width = p.header.headers.length;
  const rawCols = Array.from({ length: width }, (_, i) => `c${i}`);
  const columnsStruct = [...(p.rowColumn ? XLSX_LEAD_COLUMNS : []), ...rawCols].map((c) => `${literal(c)}: 'VARCHAR'`).join(', ');
  const mapped: Record<string, string> = {};
  for (const [name, index] of Object.entries(p.header.match.columns)) mapped[name] = `r.${ident(`c${index}`)}`;
  const plan = planNormalise(contract, mapped, asOf.date);
  const step = `ingest.${kind}`;
  const started = performance.now();

  // Reading and typing are one pass of read_csv into a temporary table outside any transaction
  // (row ids of rows added inside a transaction are not positions, and line numbers are derived
  // from them); only the writes to the published tables are one transaction. The raw text of a
  // row is kept only when it is rejected, so the file's text is never stored whole.
  await db.run(`DROP TABLE IF EXISTS _csv_rejects; DROP TABLE IF EXISTS _csv_scans;`);
  const readCsv = `read_csv($path, delim = $delim, quote = '"', escape = '"',
       header = false, skip = $skip, columns = {${columnsStruct}}, auto_detect = false, null_padding = false,
       store_rejects = true, rejects_table = '_csv_rejects', rejects_scan = '_csv_scans', max_line_size = 8000000)`;
  const rawText = `concat_ws(${literal(p.delimiter)}, ${[...(p.sheetRefs ? ['__ref'] : []), ...rawCols.map((c) => `coalesce(${ident(c)}, '')`)].join(', ')})`;
  // Workbook rows the conversion already rejects (a repeated header row, a formula without its value).
  const pre = p.rowColumn ? `, nullif(r.__reject, '') AS _pre_reason, nullif(r.__reject_column, '') AS _pre_column` : '';
  const reason = p.rowColumn ? `coalesce(_pre_reason, ${plan.rejectReason})` : plan.rejectReason;
  const column = p.rowColumn ? `CASE WHEN _pre_reason IS NOT NULL THEN _pre_column ELSE ${plan.rejectColumn} END` : plan.rejectColumn;
  // Layers (blank, fast parse, type, judge), so each value is blanked and parsed once. The
  // table keeps only what is stored, judged or reported: raw text only for rejected rows, the
  // blanked text only of columns whose values may be reported.
  const stored = tableColumns(contract)
    .slice(3)
    .map(([n]) => ident(n));
  const reported = plan.valueIssues.map((v) => blankColumn(v.column));
  const rowLine = p.rowColumn ? 'CAST(r.__row AS BIGINT) AS _row, ' : '';
  const typedSql = `CREATE OR REPLACE TEMP TABLE _typed AS
     SELECT ${p.rowColumn ? '_row, ' : ''}_reason, _column, CASE WHEN _reason IS NOT NULL THEN ${rawText} END AS _rawtext, ${[...stored, ...reported].join(', ')}
     FROM (SELECT *, ${reason} AS _reason, ${column} AS _column
           FROM (SELECT *, ${plan.select.join(', ')}
                 FROM ${plan.derive.reduce(
                   (inner, layer) => `(SELECT *, ${layer.join(', ')} FROM ${inner})`,
                   `(SELECT *${plan.fast.map((f) => `, ${f}`).join('')}
                       FROM (SELECT ${rowLine}${[...(p.sheetRefs ? ['r.__ref'] : []), ...rawCols.map((c) => `r.${ident(c)}`)].join(', ')}${pre}${plan.blank.map((b) => `, ${b}`).join('')}
                             FROM ${readCsv} r))`,
                 )}))`;
  await db.run(typedSql, { path: p.csvPath, delim: p.delimiter, skip: p.skip, ...plan.params }, { step: `${step}.read_csv` });
  const counts = await db.one<{ accepted: bigint; csv_rejects: bigint }>(
    // read_csv reports one error per missing column: a line short of two fields appears twice.
    `SELECT (SELECT count(*) FROM _typed) AS accepted, (SELECT count(DISTINCT line) FROM _csv_rejects) AS csv_rejects`,
  );
  const accepted = Number(counts?.accepted ?? 0);
  const csvRejects = Number(counts?.csv_rejects ?? 0);

  // Line numbers: xlsx rows carry theirs; CSV rows are numbered in file order, stepping over
  // the lines read_csv rejected (it reports those with their own line numbers) and the empty
  // lines it skipped. `_typed_lines` is the typed table with its `_line`.
  const blanks = p.blankLines.filter((l) => l > p.skip);
  if (p.rowColumn) {
    await db.run(`CREATE OR REPLACE TEMP VIEW _typed_lines AS SELECT _row AS _line, * FROM _typed`);
  } else if (csvRejects === 0 && blanks.length === 0) {
    await db.run(`CREATE OR REPLACE TEMP VIEW _typed_lines AS SELECT (${p.skip} + 1 + rowid) AS _line, * FROM _typed`);
  } else {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _blank_lines AS SELECT CAST(unnest(string_split($blanks, ',')) AS BIGINT) AS line WHERE $blanks <> ''`,
      { blanks: blanks.join(',') },
      { step: `${step}.blank_lines` },
    );
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _lines AS
       SELECT l AS line, row_number() OVER (ORDER BY l) - 1 AS k
       FROM range(${p.skip + 1}, ${p.skip + 1 + accepted + csvRejects + blanks.length}) t(l)
       WHERE l NOT IN (SELECT line FROM _csv_rejects) AND l NOT IN (SELECT line FROM _blank_lines)`,
      undefined,
      { step: `${step}.lines` },
    );
    await db.run(`CREATE OR REPLACE TEMP VIEW _typed_lines AS SELECT m.line AS _line, t.* FROM _typed t JOIN _lines m ON m.k = t.rowid`);
  }
  const tally = await db.one<{ loaded: bigint; rejected: bigint; pmin: Date | null; pmax: Date | null; periods: bigint }>(
    `SELECT count(*) FILTER (WHERE _reason IS NULL) AS loaded, count(*) FILTER (WHERE _reason IS NOT NULL) AS rejected,
            ${contract.monthly ? 'min(period) FILTER (WHERE _reason IS NULL)' : 'NULL'} AS pmin,
            ${contract.monthly ? 'max(period) FILTER (WHERE _reason IS NULL)' : 'NULL'} AS pmax,
            ${contract.monthly ? 'count(DISTINCT period) FILTER (WHERE _reason IS NULL)' : '1'} AS periods
     FROM _typed`,
  );
  const rowsLoaded = Number(tally?.loaded ?? 0);
  const rowsRejected = Number(tally?.rejected ?? 0) + csvRejects;
  // The person kinds replace by agent and month, category or snapshot (supersede.ts); the others by slice.
  const bySlice = (contract.supersession ?? 'slice') === 'slice';
  const replaced = bySlice ? await findReplaced(db, kind, asOf.date) : [];
  const redelivery = bySlice ? sliceRedelivery(kind, replaced, rowsLoaded) : await planSupersessions(db, kind, asOf.date, rowsLoaded);
  const perAgent = contract.supersession === 'key_month';
  const newMonths = contract.monthly && !perAgent ? await compareNewMonths(db, kind) : undefined;
  const newAgentMonths = perAgent ? await compareNewAgentMonths(db, kind) : undefined;
  // Every read of the file is done: if it changed since we hashed it, what we read is not what we hashed.
  const moved = changed();
  if (moved) {
    await dropScratch(db);
    return refuse(db, file, options, sniffed, moved, kind);
  }
  const why = rowsLoaded === 0 && rowsRejected > 0 ? await rejectReasons(db, p.rowColumn) : '';
  const guard = snapshotGuard(kind, rowsLoaded, accepted + csvRejects, redelivery, newMonths, fileName, options, why, newAgentMonths);
  if (guard) {
    await dropScratch(db);
    return refuse(db, file, options, sniffed, new InputError(guard.message, { reason: guard.reason }), kind);
  }

  const result = await db.transaction(
    async () => {
      faultPoint('ingest.write');
      const idRow = await db.one<{ id: bigint }>(`SELECT nextval('file_id_seq') AS id`);
      const fileId = Number(idRow?.id);
      await db.run(
        // Columns by name: a column a contract gained sits at the end of a table upgraded from an older release.
        `INSERT INTO ${ident(kind)} (file_id, src_line, as_of, ${stored.join(', ')})
       SELECT $file_id, _line, CAST($as_of AS DATE), ${stored.join(', ')} FROM _typed_lines WHERE _reason IS NULL`,
        { file_id: fileId, as_of: asOf.date },
        { step: `${step}.insert` },
      );
      if (bySlice) await recordSupersessions(db, kind, fileId, replaced, options.runId);
      else await recordPlanned(db, kind, fileId, options.runId);
      await db.run(
        `INSERT INTO rejects SELECT $run_id, $file_id, $file_name, $kind, _line, _column, _reason, _rawtext FROM _typed_lines WHERE _reason IS NOT NULL`,
        { run_id: options.runId, file_id: fileId, file_name: fileName, kind },
        { step: `${step}.rejects` },
      );
      const reasonCase = `CASE error_type ${Object.entries(CSV_REASONS)
        .map(([k, v]) => `WHEN ${literal(k)} THEN ${literal(v)}`)
        .join(' ')} ELSE error_message END`;
      // For xlsx, read_csv's line is a line of our converted CSV: the sheet row is its first field.
      // With CRLF line ends csv_line starts with the previous line's \n: keep the line as written.
      const lineText = `trim(csv_line, chr(13) || chr(10))`;
      const csvLine = p.rowColumn ? `coalesce(try_cast(regexp_extract(${lineText}, '^"(\\d+)"', 1) AS BIGINT), line)` : 'line';
      // The raw text of a workbook row: its line and cells, without the conversion's other lead
      // fields (XLSX_LEAD_COLUMNS), but with its `sheet!row` when several sheets were read.
      const rawLine = p.rowColumn
        ? `regexp_replace(${lineText}, '^("[0-9]+"),("(?:[^"]|"")*"),"(?:[^"]|"")*","(?:[^"]|"")*"', ${literal(p.sheetRefs ? '\\1,\\2' : '\\1')})`
        : lineText;
      await db.run(
        `INSERT INTO rejects SELECT $run_id, $file_id, $file_name, $kind, ${csvLine}, NULL, ${reasonCase}, ${rawLine}
       FROM (SELECT DISTINCT ON (line) * FROM _csv_rejects ORDER BY line, byte_position)`,
        { run_id: options.runId, file_id: fileId, file_name: fileName, kind },
        { step: `${step}.csv_rejects` },
      );
      for (const issue of plan.valueIssues) {
        await db.run(
          `INSERT INTO value_issues SELECT $run_id, $file_id, $file_name, $kind, _line, $column, ${blankColumn(issue.column)}, $reason, $action
         FROM _typed_lines r WHERE _reason IS NULL AND ${issue.condition}`,
          { run_id: options.runId, file_id: fileId, file_name: fileName, kind, column: issue.column, reason: issue.reason, action: issue.action },
          { step: `${step}.value_issues` },
        );
      }
      const flagged = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM value_issues WHERE file_id = $1`, [fileId]);
      await db.run(
        `INSERT INTO manifest VALUES ($file_id, $run_id, $path, $file_name, $sha256, $size, $kind, $format, $encoding, $delimiter, $sheet,
         $header_line, $column_map, CAST($as_of AS DATE), $as_of_source, $pmin, $pmax, $rows_read, $rows_loaded, $rows_rejected, $flagged,
         'loaded', $message, current_timestamp)`,
        {
          file_id: fileId,
          run_id: options.runId,
          path: path.resolve(file),
          file_name: fileName,
          sha256: sniffed.sha256,
          size: sniffed.size,
          kind,
          format: p.format,
          encoding: p.encoding ?? null,
          delimiter: p.format === 'csv' ? p.delimiter : null,
          sheet: p.sheet ?? null,
          header_line: p.headerLine,
          column_map: JSON.stringify(Object.fromEntries(Object.entries(p.header.match.columns).map(([k, i]) => [k, p.header.headers[i]]))),
          as_of: asOf.date,
          as_of_source: asOf.source,
          pmin: tally?.pmin ? tally.pmin.toISOString().slice(0, 10) : null,
          pmax: tally?.pmax ? tally.pmax.toISOString().slice(0, 10) : null,
          rows_read: accepted + csvRejects,
          rows_loaded: rowsLoaded,
          rows_rejected: rowsRejected,
          flagged: Number(flagged?.n ?? 0),
          message: p.warnings?.length ? p.warnings.join('; ') : null,
        },
        { step: `${step}.manifest` },
      );
      const loaded: LoadedFile = {
        status: 'loaded',
        file,
        sha256: sniffed.sha256,
        fileId,
        kind,
        asOf: asOf.date,
        rowsRead: accepted + csvRejects,
        rowsLoaded,
        rowsRejected,
        valuesFlagged: Number(flagged?.n ?? 0),
        ...(p.warnings?.length ? { warnings: p.warnings } : {}),
      };
      return loaded;
    },
    { step },
  );
  await dropScratch(db);

  for (const w of p.warnings ?? []) log.warn({ reason: 'sheet_not_read' }, w);
  for (const d of p.header.match.duplicates) log.warn({ header: d }, `"${fileName}": column "${d}" repeats a column already read; the first one is used`);
  log.info(
    { kind, rows: result.rowsLoaded, rejected: result.rowsRejected, ms: Math.round(performance.now() - started) },
    `loaded ${kind} "${fileName}": ${result.rowsLoaded} rows, ${result.rowsRejected} rejected`,
  );
  return result;
}

/** Why the rows of a wholly rejected file were rejected (a refused file keeps no rejects): the reasons with counts and first line. */
async function rejectReasons(db: Db, rowColumn: boolean): Promise<string> {
  const reasonCase = `CASE error_type ${Object.entries(CSV_REASONS)
    .map(([k, v]) => `WHEN ${literal(k)} THEN ${literal(v)}`)
    .join(' ')} ELSE error_type END`;
  const line = rowColumn ? `coalesce(try_cast(regexp_extract(csv_line, '^"(\\d+)"', 1) AS BIGINT), line)` : 'line';
  const found = await db.all<{ reason: string; n: bigint; first: bigint }>(
    `SELECT reason, count(*) AS n, min(line) AS first FROM (
       SELECT coalesce(_column || ': ', '') || _reason AS reason, _line AS line FROM _typed_lines WHERE _reason IS NOT NULL
       UNION ALL SELECT ${reasonCase}, ${line} FROM (SELECT DISTINCT ON (line) * FROM _csv_rejects ORDER BY line, byte_position))
     GROUP BY reason ORDER BY n DESC, reason LIMIT 3`,
    undefined,
    { step: 'ingest.reject_reasons' },
  );
  return found.map((r) => `${r.reason} (${Number(r.n)} row(s), first at line ${Number(r.first)})`).join('; ');
}

interface FileState {
  size: number;
  mtimeMs: number;
}

function fileState(file: string): FileState | undefined {
  try {
    const st = fs.statSync(file);
    return { size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined; // sniffing reports a missing file with its own message
  }
}

/** A refusal when the file's size or modification time moved while it was read. */
function changedSince(file: string, before: FileState | undefined): InputError | undefined {
  const now = fileState(file);
  if (before && now && now.size === before.size && now.mtimeMs === before.mtimeMs) return undefined;
  const what = !now ? 'disappeared' : now.size !== before?.size ? `changed size (${before?.size ?? '?'} -> ${now.size} bytes)` : 'was modified';
  return new InputError(
    `File "${file}" ${what} while it was being read: it is still being copied or written. Nothing of it was loaded; it will be read again on the next run once the delivery is complete.`,
    { reason: 'changed_while_reading' },
  );
}

/**
 * A required column given twice (the same header, or two spellings of it): the file does not
 * say which one holds the data, and picking one would be a silent guess.
 */
function repeatedRequired(header: HeaderFound, file: string): InputError | undefined {
  const contract = CONTRACTS[header.match.kind];
  for (const column of contract.columns.filter((c) => c.required)) {
    const aliases = new Set(column.aliases.map(normaliseHeader));
    const at = header.headers.flatMap((h, i) => (aliases.has(normaliseHeader(h)) ? [i] : []));
    if (at.length > 1) {
      return new InputError(
        `Cannot read "${file}": the required column ${column.label} (${column.name}) appears ${at.length} times (${at.map((i) => `column ${i + 1} "${header.headers[i]}"`).join(', ')}), and recon cannot tell which one holds the data. Delete or rename the extra column(s) and deliver the file again; the data already loaded stays in use.`,
        { reason: 'duplicate_columns', column: column.name },
      );
    }
  }
  return undefined;
}

async function dropScratch(db: Db): Promise<void> {
  await db.run(
    `DROP VIEW IF EXISTS _typed_lines; DROP TABLE IF EXISTS _typed; DROP TABLE IF EXISTS _raw; DROP TABLE IF EXISTS _lines; DROP TABLE IF EXISTS _blank_lines; DROP TABLE IF EXISTS _csv_rejects; DROP TABLE IF EXISTS _csv_scans;
     DROP TABLE IF EXISTS _supersede; DROP TABLE IF EXISTS _new_pairs; DROP TABLE IF EXISTS _old_pairs;`,
  );
}

/** A slice of current data (a file, or one month of a monthly file) that the new file delivers again. */
interface Replaced {
  fileId: number;
  fileName: string;
  period: string | null;
  /** The slice is newer than the new file: the new file is history, not a replacement. */
  newer: boolean;
  oldRows: number;
  newRows: number;
}

/**
 * Which current slices the file in `_typed` delivers again: those where at least half of the
 * new file's keys (per month, for monthly kinds) are already there. A file with other keys is
 * another part of the export (enterprises and individual businesses in two files) and
 * replaces nothing.
 */
async function findReplaced(db: Db, kind: Kind, asOf: string): Promise<Replaced[]> {
  const contract = CONTRACTS[kind];
  const key = ident(contract.key);
  const current = ident(`${kind}_current`);
  const period = contract.monthly ? 'period' : 'CAST(NULL AS DATE)';
  const rows = await db.all<{
    file_id: number;
    file_name: string;
    period: Date | null;
    newer: boolean;
    shared: bigint;
    new_keys: bigint;
    old_rows: bigint;
    new_rows: bigint;
  }>(
    // Only the new file's keys in slices the current data has (none on a first delivery, none
    // for the new months of a monthly file): grouping every key of a 10M-row file costs seconds.
    `WITH nk AS (SELECT ${period} AS period, ${key} AS key, count(*) AS n FROM _typed
                 WHERE _reason IS NULL AND ${contract.monthly ? `period IN (SELECT DISTINCT period FROM ${current})` : `EXISTS (SELECT 1 FROM ${current})`}
                 GROUP BY ALL),
     nk_n AS (SELECT period, count(*) AS new_keys, sum(n) AS new_rows FROM nk GROUP BY period),
     cur AS (SELECT file_id, ${period} AS period, ${key} AS key, count(*) AS n FROM ${current} GROUP BY ALL)
     SELECT c.file_id, m.file_name, c.period, m.as_of > CAST($as_of AS DATE) AS newer,
            count(nk.key) AS shared, any_value(x.new_keys) AS new_keys, sum(c.n) AS old_rows, any_value(x.new_rows) AS new_rows
     FROM cur c JOIN manifest m USING (file_id)
     JOIN nk_n x ON x.period IS NOT DISTINCT FROM c.period
     LEFT JOIN nk ON nk.key = c.key AND nk.period IS NOT DISTINCT FROM c.period
     GROUP BY c.file_id, m.file_name, c.period, m.as_of
     HAVING count(nk.key) >= 0.5 * any_value(x.new_keys)`,
    { as_of: asOf },
    { step: `ingest.${kind}.overlap` },
  );
  return rows.map((r) => ({
    fileId: r.file_id,
    fileName: r.file_name,
    period: r.period ? r.period.toISOString().slice(0, 10) : null,
    newer: r.newer,
    oldRows: Number(r.old_rows),
    newRows: Number(r.new_rows),
  }));
}

/** The new months of a monthly file against the latest earlier month of the same units. */
interface NewMonths {
  previous: string;
  previousRows: number;
  rowsPerMonth: number;
  months: number;
}

/**
 * For the months a monthly file adds (not re-delivers): when most of its units were in the
 * latest earlier month, it is the same ledger going on, and a month with far fewer rows than
 * that one looks truncated. A file of other units (another district's ledger) is not compared.
 * (iit_detail, replaced per agent and month, compares agent by agent: supersede.ts.)
 */
async function compareNewMonths(db: Db, kind: Kind): Promise<NewMonths | undefined> {
  const key = ident(CONTRACTS[kind].key);
  const current = ident(`${kind}_current`);
  const row = await db.one<{
    previous: Date | null;
    previous_rows: bigint | null;
    rows_per_month: number | null;
    months: bigint;
    new_keys: bigint;
    shared: bigint;
  }>(
    `WITH nk AS (SELECT period, ${key} AS key FROM _typed WHERE _reason IS NULL AND period NOT IN (SELECT DISTINCT period FROM ${current})),
     prev AS (SELECT max(period) AS p FROM ${current} WHERE period < (SELECT min(period) FROM nk)),
     pk AS (SELECT DISTINCT ${key} AS key FROM ${current} WHERE period = (SELECT p FROM prev))
     SELECT (SELECT p FROM prev) AS previous,
            (SELECT count(*) FROM ${current} WHERE period = (SELECT p FROM prev)) AS previous_rows,
            (SELECT count(*) FROM nk) / nullif((SELECT count(DISTINCT period) FROM nk), 0) AS rows_per_month,
            (SELECT count(DISTINCT period) FROM nk) AS months,
            (SELECT count(DISTINCT key) FROM nk) AS new_keys,
            (SELECT count(DISTINCT nk.key) FROM nk JOIN pk USING (key)) AS shared`,
    undefined,
    { step: `ingest.${kind}.new_months` },
  );
  if (!row?.previous || Number(row.shared) < 0.5 * Number(row.new_keys)) return undefined;
  return {
    previous: row.previous.toISOString().slice(0, 7),
    previousRows: Number(row.previous_rows ?? 0),
    rowsPerMonth: Math.round(Number(row.rows_per_month ?? 0)),
    months: Number(row.months),
  };
}

/** Marks what the new file replaces; a new file older than what it overlaps is marked replaced itself. */
async function recordSupersessions(db: Db, kind: Kind, fileId: number, replaced: Replaced[], runId: string): Promise<void> {
  for (const r of replaced) {
    const [old, by] = r.newer ? [fileId, r.fileId] : [r.fileId, fileId];
    await db.run(
      `INSERT INTO supersessions (kind, file_id, period, by_file_id, run_id) VALUES ($1, $2, CAST($3 AS DATE), $4, $5)`,
      [kind, old, r.period, by, runId],
      {
        step: `ingest.${kind}.supersede`,
      },
    );
  }
}

/** The slices a file re-delivers (not those newer than it), as the guard compares them. */
function sliceRedelivery(kind: Kind, replaced: Replaced[], rowsLoaded: number): Redelivery {
  const current = replaced.filter((r) => !r.newer);
  const files = new Map(current.map((r) => [r.fileId, r.fileName]));
  return {
    before: current.reduce((n, r) => n + r.oldRows, 0),
    // For monthly kinds the new rows are counted in the months it replaces only.
    now: CONTRACTS[kind].monthly ? current.reduce((n, r) => n + r.newRows, 0) : rowsLoaded,
    files: [...files].map(([fileId, fileName]) => ({ fileId, fileName })),
    unit: CONTRACTS[kind].monthly ? 'month(s)' : '',
    slices: current.length,
  };
}

/**
 * Refuses a delivery that would silently shrink the data: no data rows, every row rejected,
 * or far fewer rows (month by month, for monthly kinds; agent-month by agent-month, category by
 * category for the person kinds) than the data it replaces.
 */
function snapshotGuard(
  kind: Kind,
  rowsLoaded: number,
  rowsRead: number,
  redelivery: Redelivery,
  newMonths: NewMonths | undefined,
  fileName: string,
  options: LoadOptions,
  why = '',
  newAgentMonths?: NewAgentMonths,
): RefusedFile | undefined {
  if (rowsRead === 0) {
    return {
      status: 'refused',
      file: fileName,
      kind,
      reason: 'no_rows',
      message: `"${fileName}" has a header but no data rows. Export it again from the source system; the data already loaded stays in use.`,
    };
  }
  if (rowsLoaded === 0) {
    return {
      status: 'refused',
      file: fileName,
      kind,
      reason: 'all_rejected',
      message: `Every row of "${fileName}" was rejected (${rowsRead} rows${why ? `: ${why}` : ''}). Fix the export and load it again; the data already loaded stays in use.`,
    };
  }
  if (options.force) return undefined;
  const { before, now } = redelivery;
  if (redelivery.slices > 0 && now < options.minSnapshotRatio * before) {
    const unit = redelivery.unit ? ` in the ${redelivery.slices} ${redelivery.unit} it delivers again` : '';
    const names = redelivery.files.map((r) => `"${r.fileName}" (file #${r.fileId})`).join(', ');
    return {
      status: 'refused',
      file: fileName,
      kind,
      reason: 'snapshot_shrank',
      message: `"${fileName}" has ${now} rows${unit}, fewer than ${Math.round(options.minSnapshotRatio * 100)}% of the ${before} in the current ${kind} data it would replace (${names}). It looks truncated or filtered: check the export. If it is right, load it with --force. The current data stays in use.`,
    };
  }
  if (newMonths && newMonths.rowsPerMonth < options.minSnapshotRatio * newMonths.previousRows) {
    return {
      status: 'refused',
      file: fileName,
      kind,
      reason: 'snapshot_shrank',
      message: `"${fileName}" has ${newMonths.rowsPerMonth} rows per month in its ${newMonths.months} new month(s), fewer than ${Math.round(options.minSnapshotRatio * 100)}% of the ${newMonths.previousRows} of the same units in ${newMonths.previous}. It looks truncated or filtered: check the export. If it is right, load it with --force. The current data stays in use.`,
    };
  }
  if (newAgentMonths && newAgentMonths.pairs > 0 && newAgentMonths.now < options.minSnapshotRatio * newAgentMonths.before) {
    return {
      status: 'refused',
      file: fileName,
      kind,
      reason: 'snapshot_shrank',
      message: `"${fileName}" has ${newAgentMonths.now} rows in its ${newAgentMonths.pairs} new withholding agents’ month(s), fewer than ${Math.round(options.minSnapshotRatio * 100)}% of the ${newAgentMonths.before} of the same agents in their previous month. It looks truncated or filtered: check the export. If it is right, load it with --force. The current data stays in use.`,
    };
  }
  return undefined;
}

/** The size of a file for its manifest row; 0 when it cannot be seen (never follows a symbolic link). */
function sizeOf(file: string): number {
  try {
    const st = fs.lstatSync(file);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

async function refuse(
  db: Db,
  file: string,
  options: LoadOptions,
  sniffed: { sha256: string; size: number } | undefined,
  error: InputError,
  kind: Kind | undefined,
): Promise<RefusedFile> {
  const reason = String(error.details['reason'] ?? 'refused');
  options.logger.warn({ file: path.basename(file), reason }, error.message);
  try {
    await db.run(
      `INSERT INTO manifest (file_id, run_id, path, file_name, sha256, size_bytes, kind, status, message, loaded_at)
       VALUES (nextval('file_id_seq'), $run_id, $path, $file_name, $sha256, $size, $kind, 'refused', $message, current_timestamp)`,
      {
        run_id: options.runId,
        path: path.resolve(file),
        file_name: path.basename(file),
        sha256: sniffed?.sha256 ?? '',
        size: sniffed?.size ?? sizeOf(file),
        kind: kind ?? null,
        message: error.message,
      },
      { step: 'ingest.manifest.refused' },
    );
  } catch (recordError) {
    options.logger.error({ err: errorMessage(recordError) }, 'could not record the refused file');
  }
  return { status: 'refused', file, ...(sniffed ? { sha256: sniffed.sha256 } : {}), ...(kind ? { kind } : {}), reason, message: error.message };
}
