import path from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../core/errors.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/**
 * `recon export`: the published tables and findings as Parquet partitioned by district (hive
 * layout), for Spark or Trino, or to split a province into per-district runs. It reads the
 * published database read-only (so it runs while a nightly does) and writes only inside the
 * pipeline's output folder.
 */
export function exportCommand(): Command {
  return new Command('export')
    .description('Write the published tables and findings as Parquet, partitioned by district code (hive layout: <table>/district=<code>/)')
    .option('--out <dir>', 'folder inside the output folder (default: <output>/parquet/<run id>)')
    .option(
      '--with-persons',
      'add the person tables (persons, iit_detail, si_person, resident_pension, assistance, person findings and cases) with ID numbers replaced by a keyed hash and names left out',
    )
    .option('--pipeline <file>', 'pipeline file giving the database and output folder', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText(
      'after',
      '\nExample:\n  recon export && recon query "SELECT district, count(*) FROM read_parquet(\'reports/parquet/*/findings/*/*.parquet\', hive_partitioning = true) GROUP BY ALL"\nPerson tables are left out unless --with-persons; with it, id_no (and id_no_raw, person_no) is h:<HMAC-SHA256>\nwith the database key (<database>.key), the same in every table, so they join without the number.\nLayout and what to do with it: docs/scaling.md',
    )
    .action(async (opts: { out?: string; pipeline: string; db?: string; withPersons?: boolean }) => {
      const [{ withPublishedDb }, { loadPipeline }, { exportParquet }, { textTable }, { createLogger }, { databaseKey }] = await Promise.all([
        import('./published.ts'),
        import('../config/pipeline-file.ts'),
        import('../publish/parquet.ts'),
        import('./text-table.ts'),
        import('../core/log.ts'),
        import('../db/secrets.ts'),
      ]);
      const pipeline = loadPipeline(opts.pipeline, opts.db ? { database: opts.db } : {});
      const logger = createLogger();
      await withPublishedDb(opts, async (db) => {
        const run = await db.one<{ run_id: string }>(`SELECT max(run_id) AS run_id FROM findings`).catch(() => undefined);
        if (!run?.run_id) throw new ConfigError('The published database has no run yet: run "recon run" first.');
        const root = path.resolve(pipeline.output);
        const out = path.resolve(root, opts.out ?? path.join('parquet', run.run_id));
        const rel = path.relative(root, out);
        if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
          throw new ConfigError(`--out must be a folder inside the output folder ${root}; got ${out}.`);
        }
        const result = await exportParquet(db, out, logger, databaseKey(pipeline.database), { withPersons: opts.withPersons === true });
        process.stdout.write(
          `${textTable(
            [
              { key: 'table', header: 'table' },
              { key: 'rows', header: 'rows', align: 'right' },
              { key: 'districts', header: 'districts', align: 'right' },
              { key: 'seconds', header: 'seconds', align: 'right' },
            ],
            result.tables.map((t) => ({ table: t.name, rows: t.rows, districts: t.districts, seconds: (t.ms / 1000).toFixed(1) })),
          )}\nwritten: ${out} (run ${result.runId}, as of ${result.asOf})${opts.withPersons ? '; person tables with ID numbers as keyed hashes' : ''}\n`,
        );
      });
    });
}
