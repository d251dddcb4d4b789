import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXPORT_FORMATS, FORMAT_EXTENSIONS, formatOfFile, type ExportFormat } from '../publish/export-formats.ts';
import { ConfigError, ReconError, errorMessage } from '../core/errors.ts';
import { DEFAULT_PIPELINE } from './run.ts';
import type { PipelineConfig } from '../config/pipeline-file.ts';
import type { Db } from '../db/database.ts';
import { literal } from '../core/sql.ts';
import { AUDIT_FILE, openUnmaskAudit } from './unmask-audit.ts';

/** Statement kinds an ad-hoc query may be: reading only. */
const ALLOWED = new Set(['SELECT', 'EXPLAIN']);

/** Seconds a query may run unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_S = 300;

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('a number of seconds (0: no limit)');
  return n;
}

/**
 * `recon query`: ad-hoc SQL on the published database, read-only. It opens the published file
 * (a nightly run works on its own staging copy, so this works while one runs) with DuckDB's
 * read-only access mode, and accepts one SELECT only: DELETE, COPY ... TO, ATTACH, SET, PRAGMA,
 * INSTALL and the like are refused before anything runs. It runs with the pipeline's memory
 * limit and threads, spills to a folder of its own, and is stopped after --timeout seconds.
 * `-o` never writes over anything that matters (outputFile) and never leaves half a file.
 */
export function queryCommand(): Command {
  return new Command('query')
    .description('Run one SELECT on the published database (read-only) and print or export the result')
    .argument('[sql]', 'the SELECT statement')
    .option('-f, --file <file>', 'read the SELECT from a .sql file')
    .addOption(new Option('--format <format>', 'output format (default: from the -o file name; table on the terminal)').choices([...EXPORT_FORMATS]))
    .option('-o, --out <file>', 'write to a file (.csv .jsonl .json .parquet .arrow .xlsx .txt) instead of the terminal')
    .option('--force', 'let -o write outside the current folder and the output folder, or replace a file of another kind')
    .option('--timeout <seconds>', 'stop the query after this many seconds (0: no limit)', seconds, DEFAULT_TIMEOUT_S)
    .option('--unmask', `show full ID numbers (each use is recorded in <output>/${AUDIT_FILE}; a file written with -o is made 0600)`)
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText(
      'after',
      `\nExamples:\n  recon query "SELECT rule_id, count(*) FROM findings_latest GROUP BY ALL"\n  recon query -f my.sql -o 结果.xlsx\nID numbers are masked in every result (310101********1234) unless --unmask; every --unmask is recorded\n(time, OS user, command, SQL with IDs masked, rows) in <output>/${AUDIT_FILE}.\nTables: recon tables`,
    )
    .action(
      async (
        sqlArg: string | undefined,
        opts: {
          file?: string;
          format?: ExportFormat;
          out?: string;
          force?: boolean;
          timeout: number;
          pipeline: string;
          db?: string;
          unmask?: boolean;
        },
      ) => {
        const sql = (opts.file ? fs.readFileSync(opts.file, 'utf8') : (sqlArg ?? '')).trim().replace(/;\s*$/, '');
        if (!sql) throw new ConfigError('Give a SELECT statement, or -f FILE.');
        const format = resolveFormat(opts.format, opts.out);
        // Heavy modules (DuckDB, exceljs, arrow, zod) load here, not when the program is built: `recon --help` starts in a fraction of a second.
        const [{ loadPipeline }, { withPublishedDb }, { exportPaths, exportQuery }] = await Promise.all([
          import('../config/pipeline-file.ts'),
          import('./published.ts'),
          import('../publish/exports.ts'),
        ]);
        const pipeline = loadPipeline(opts.pipeline, opts.db ? { database: opts.db } : {});
        const target = opts.out ? outputFile(opts.out, format, pipeline, opts.force === true) : undefined;
        // Written beside the target under a name of its own, renamed over it only when complete.
        const partial = target ? path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`) : undefined;
        // The query's own folder: DuckDB spills there, and csv/jsonl/json for the terminal are written there first.
        const spill = `${pipeline.duckdb['temp_directory'] ?? path.join(path.dirname(pipeline.database), 'work', 'spill')}-query-${process.pid}`;
        const scratch = !partial && (format === 'csv' || format === 'jsonl' || format === 'json') ? path.join(spill, 'result.out') : undefined;
        let n = 0;
        // Opened before anything runs: an --unmask that cannot be recorded shows nothing.
        const audit = opts.unmask ? openUnmaskAudit(pipeline.output) : undefined;
        let failure: unknown;
        try {
          if (scratch) fs.mkdirSync(spill, { recursive: true });
          await withPublishedDb(opts, async (db) => {
            // Confined before the statement is even prepared: binding read_csv('...') already reads the file.
            await confine(db, pipeline, exportPaths(partial, scratch), spill);
            const kinds = await db.statementKinds(sql);
            if (kinds.length !== 1) throw new ConfigError(`recon query runs exactly one statement; got ${kinds.length}.`);
            const kind = kinds[0] as string;
            if (!ALLOWED.has(kind)) {
              throw new ConfigError(`recon query only reads: ${kind} statements are refused. Use SELECT (and write results with -o FILE).`);
            }
            n = await withTimeout(db, opts.timeout, (signal) =>
              exportQuery(db, sql, format, {
                ...(partial ? { file: partial } : {}),
                ...(scratch ? { scratch } : {}),
                signal,
                terminal: process.stdout.isTTY === true,
                ...(opts.unmask ? { unmask: true } : {}),
              }),
            );
          });
          // A file with full ID numbers is for the account that asked for it alone.
          if (partial && opts.unmask && fs.existsSync(partial)) fs.chmodSync(partial, 0o600);
          if (partial && target) fs.renameSync(partial, target);
        } catch (error) {
          failure = error;
          if (/Permission Error|capable of reading the file/.test(errorMessage(error))) {
            throw new ConfigError(`recon query reads the published database only: reading or writing other files is refused (${dbMessage(error)}).`);
          }
          throw error;
        } finally {
          if (partial)
            for (const f of [partial, path.join(path.dirname(partial), `tmp_${path.basename(partial)}`)]) fs.rmSync(f, { force: true, recursive: true });
          fs.rmSync(spill, { recursive: true, force: true });
          audit?.record({
            command: 'query',
            sql,
            rows: n,
            ...(target ? { output: target } : {}),
            status: failure === undefined ? 'ok' : 'failed',
            ...(failure === undefined ? {} : { error: errorMessage(failure).split('\n')[0] ?? '' }),
          });
        }
        if (target) process.stderr.write(`${n} rows written to ${opts.out}\n`);
      },
    );
}

/** The first line of a DuckDB error, without our step prefix. */
function dbMessage(error: unknown): string {
  return (
    errorMessage(error)
      .replace(/^Database step "[^"]*" failed: /, '')
      .split('\n')[0] ?? ''
  ).trim();
}

/** The format: --format, else the -o file's ending (refused when the two disagree or the ending is unknown), else table. */
export function resolveFormat(given: ExportFormat | undefined, out: string | undefined): ExportFormat {
  if (!out) return given ?? 'table';
  const byName = formatOfFile(out);
  if (given && byName && given !== byName) {
    throw new ConfigError(`-o ${out} names a ${byName} file but --format is ${given}: name the file ${FORMAT_EXTENSIONS[given][0]}, or leave out --format.`);
  }
  if (given) return given;
  if (!byName) {
    const endings = EXPORT_FORMATS.flatMap((f) => FORMAT_EXTENSIONS[f]).join(' ');
    throw new ConfigError(`Cannot tell the format of -o ${out} from its name: end it in one of ${endings}, or give --format.`);
  }
  return byName;
}

/** The path as the file system sees it: symbolic links of its folder (and of itself, when it exists) resolved. */
function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    const parent = path.dirname(p);
    return parent === p ? p : path.join(realPath(parent), path.basename(p));
  }
}

function inside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Whether a file starts like a DuckDB database (a checksum, then "DUCK" at byte 8). */
function isDuckDbFile(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(12);
    const n = fs.readSync(fd, head, 0, 12, 0);
    return n >= 12 && head.subarray(8, 12).toString('latin1') === 'DUCK';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Where `-o` may write, as an absolute path. Always refused: a DuckDB database (by its header,
 * whatever its name), the pipeline's database and its siblings (.wal, .lock, .key, .staging-*,
 * .tmp), anything inside the inbox and inside the published run folders, a folder. Refused
 * unless --force: a file outside the current folder and the output folder, and an existing file
 * whose name is not one of the format's (a .yaml, a .sql, ...).
 */
export function outputFile(out: string, format: ExportFormat, pipeline: PipelineConfig, force: boolean): string {
  const full = path.resolve(out);
  const real = realPath(full);
  const refuse = (why: string): never => {
    throw new ConfigError(`-o ${out}: ${why}. Nothing was written; choose another file name.`);
  };
  if (!fs.existsSync(path.dirname(real))) refuse(`the folder ${path.dirname(full)} does not exist`);
  for (const db of new Set([pipeline.database, realPath(pipeline.database)])) {
    const base = path.basename(db);
    const siblings = (name: string): boolean =>
      name === base || [`${base}.wal`, `${base}.lock`, `${base}.key`, `${base}.tmp`].includes(name) || name.startsWith(`${base}.staging`);
    for (const p of new Set([full, real])) {
      if (path.dirname(p) === path.dirname(db) && siblings(path.basename(p))) refuse(`that is the published database ${pipeline.database} or one of its files`);
    }
  }
  if (fs.existsSync(real)) {
    if (fs.statSync(real).isDirectory()) refuse('that is a folder');
    if (isDuckDbFile(real)) refuse('that file is a DuckDB database');
  }
  const inboxes = new Set([pipeline.inbox, realPath(pipeline.inbox)]);
  if ([...inboxes].some((d) => inside(full, d) || inside(real, d))) refuse(`that is inside the inbox ${pipeline.inbox}, which recon only reads`);
  const runs = [
    path.join(pipeline.output, 'runs'),
    realPath(path.join(pipeline.output, 'runs')),
    path.join(pipeline.output, 'latest'),
    realPath(path.join(pipeline.output, 'latest')),
  ];
  if (runs.some((d) => inside(full, d) || inside(real, d))) refuse(`that is inside the published run folders of ${pipeline.output}`);
  if (!force) {
    const allowed = [process.cwd(), realPath(process.cwd()), pipeline.output, realPath(pipeline.output)];
    if (!allowed.some((d) => inside(full, d) || inside(real, d))) {
      throw new ConfigError(`-o ${out} is outside the current folder and the output folder ${pipeline.output}: give --force to write there.`);
    }
    if (fs.existsSync(real) && !FORMAT_EXTENSIONS[format].includes(path.extname(real).toLowerCase())) {
      throw new ConfigError(
        `-o ${out} exists and is not a ${format} file (${FORMAT_EXTENSIONS[format].join(' ')}): it is not replaced; choose another name, or give --force.`,
      );
    }
  }
  return full;
}

/**
 * A SELECT can still read files (read_csv('/etc/passwd'), read_text, glob, a path as a table)
 * and, through our own COPY for -o, write them: external access is switched off for the rest
 * of the connection, except the partial output files (`writes`), and the setting is locked. Before
 * that, the pipeline's memory limit and threads (DuckDB's default would be 80% of the machine)
 * and a spill folder of the query's own (the nightly's spill folder is the nightly's).
 */
async function confine(db: Db, pipeline: PipelineConfig, writes: string[], spill: string): Promise<void> {
  const step = { step: 'query.confine' };
  for (const [name, value] of Object.entries(pipeline.duckdb)) {
    if (name === 'temp_directory') continue;
    if (!/^[a-z_]+$/.test(name)) continue;
    await db.run(`SET ${name} = ${literal(value)}`, undefined, step);
  }
  await db.run(`SET temp_directory = ${literal(spill)}`, undefined, step);
  // The partial output file and its siblings (DuckDB writes parquet to tmp_<name> first and renames it).
  if (writes.length) await db.run(`SET allowed_paths = [${writes.map(literal).join(', ')}]`, undefined, step);
  await db.run(`SET enable_external_access = false`, undefined, step);
  await db.run(`SET lock_configuration = true`, undefined, step);
}

/** Runs `fn`, interrupting DuckDB and failing with what to do when it takes longer than `seconds` (0: no limit). */
async function withTimeout<T>(db: Db, seconds: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer =
    seconds > 0
      ? setTimeout(() => {
          controller.abort();
          db.interrupt();
        }, seconds * 1000)
      : undefined;
  try {
    return await fn(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) {
      throw new ReconError(
        `The query ran longer than ${seconds} s and was stopped (--timeout ${seconds}); nothing was written. Narrow it (a WHERE, a LIMIT, fewer joins), or give a longer --timeout.`,
        { timeout: seconds },
      );
    }
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
