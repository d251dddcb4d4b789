import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { withPublishedDb } from './published.ts';
import { EXPORT_FORMATS, exportQuery, type ExportFormat } from '../publish/exports.ts';
import { ConfigError, errorMessage } from '../core/errors.ts';
import { DEFAULT_PIPELINE } from './run.ts';
import type { Db } from '../db/database.ts';
import { literal } from '../core/sql.ts';

/** Statement kinds an ad-hoc query may be: reading only. */
const ALLOWED = new Set(['SELECT', 'EXPLAIN']);

/**
 * `recon query`: ad-hoc SQL on the published database, read-only. It opens the published file
 * (a nightly run works on its own staging copy, so this works while one runs) with DuckDB's
 * read-only access mode, and accepts one SELECT only: DELETE, COPY ... TO, ATTACH, SET, PRAGMA,
 * INSTALL and the like are refused before anything runs.
 */
export function queryCommand(): Command {
  return new Command('query')
    .description('Run one SELECT on the published database (read-only) and print or export the result')
    .argument('[sql]', 'the SELECT statement')
    .option('-f, --file <file>', 'read the SELECT from a .sql file')
    .addOption(new Option('--format <format>', 'output format').choices([...EXPORT_FORMATS]).default('table'))
    .option('-o, --out <file>', 'write to a file instead of the terminal (required for parquet, arrow, xlsx)')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText(
      'after',
      '\nExamples:\n  recon query "SELECT rule_id, count(*) FROM findings_latest GROUP BY ALL"\n  recon query -f my.sql --format xlsx -o 结果.xlsx\nTables: recon tables',
    )
    .action(async (sqlArg: string | undefined, opts: { file?: string; format: ExportFormat; out?: string; pipeline: string; db?: string }) => {
      const sql = (opts.file ? fs.readFileSync(opts.file, 'utf8') : (sqlArg ?? '')).trim().replace(/;\s*$/, '');
      if (!sql) throw new ConfigError('Give a SELECT statement, or -f FILE.');
      await withPublishedDb(opts, async (db) => {
        // Confined before the statement is even prepared: binding read_csv('...') already reads the file.
        await confine(db, opts.out);
        let n: number;
        try {
          const kinds = await db.statementKinds(sql);
          if (kinds.length !== 1) throw new ConfigError(`recon query runs exactly one statement; got ${kinds.length}.`);
          const kind = kinds[0] as string;
          if (!ALLOWED.has(kind)) {
            throw new ConfigError(`recon query only reads: ${kind} statements are refused. Use SELECT (and write results with --format/--out).`);
          }
          n = await exportQuery(db, sql, opts.format, opts.out);
        } catch (error) {
          if (/Permission Error|capable of reading the file/.test(errorMessage(error))) {
            throw new ConfigError(
              `recon query reads the published database only: reading or writing other files is refused (${errorMessage(error)
                .split('\n')[0]
                ?.replace(/^Database step "[^"]*" failed: /, '')}).`,
            );
          }
          throw error;
        }
        if (opts.out) process.stderr.write(`${n} rows written to ${opts.out}\n`);
      });
    });
}

/**
 * A SELECT can still read files (read_csv('/etc/passwd'), read_text, glob, a path as a table)
 * and, through our own COPY for --out, write them: external access is switched off for the
 * rest of the connection, except the one output file asked for, and the setting is locked.
 */
async function confine(db: Db, out: string | undefined): Promise<void> {
  if (out) {
    // DuckDB writes parquet to tmp_<name> first and renames it.
    const full = path.resolve(out);
    const paths = [...new Set([out, full, path.join(path.dirname(full), `tmp_${path.basename(full)}`)])].map(literal).join(', ');
    await db.run(`SET allowed_paths = [${paths}]`, undefined, { step: 'query.confine' });
  }
  await db.run(`SET enable_external_access = false`, undefined, { step: 'query.confine' });
  await db.run(`SET lock_configuration = true`, undefined, { step: 'query.confine' });
}
