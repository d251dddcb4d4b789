import { Command, Option } from 'commander';
import path from 'node:path';
import fs from 'node:fs';
import { loadPipeline } from '../pipeline/config.ts';
import { Workspace } from '../pipeline/workspace.ts';
import { newRunId, today } from '../core/clock.ts';
import { ingestFiles } from '../ingest/stage.ts';
import { KINDS, type Kind } from '../sources/index.ts';
import { createLogger } from '../core/log.ts';
import { ConfigError } from '../core/errors.ts';
import { EXIT } from './exit.ts';
import { formatIngestSummary } from './summary.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/** `recon ingest FILE...`: an analyst loads files by hand into the published database. */
export function ingestCommand(): Command {
  return new Command('ingest')
    .description('Load export files by hand (kind recognised from the headers unless --kind is given)')
    .argument('<files...>', 'CSV or XLSX export files')
    .addOption(new Option('--kind <kind>', 'the kind of every file given').choices([...KINDS]))
    .option('--as-of <date>', 'as-of date of the files, YYYY-MM-DD (default: from the file name, else today)')
    .option('--force', 'load a snapshot even if it is far smaller than the current one')
    .option('--sheet <name>', 'sheet to read in workbooks')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText('after', '\nExit codes: 0 all loaded or already loaded; 3 some file refused; 1 failed; 2 bad usage; 4 database locked.')
    .action(async (files: string[], opts: { kind?: Kind; asOf?: string; force?: boolean; sheet?: string; pipeline: string; db?: string }) => {
      if (opts.asOf && !/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf)) throw new ConfigError(`--as-of must be a date as YYYY-MM-DD, got "${opts.asOf}"`);
      for (const f of files) if (!fs.existsSync(f)) throw new ConfigError(`No such file: ${f}`);
      const pipeline = loadPipeline(opts.pipeline, opts.db ? { database: opts.db } : {});
      const logger = createLogger();
      const runId = newRunId();
      const workspace = await Workspace.open({ database: pipeline.database, runId, command: 'ingest', logger });
      try {
        const summary = await ingestFiles(
          workspace.db,
          files.map((file) => (opts.kind ? { file, kind: opts.kind } : { file })),
          {
            runId,
            ...(opts.asOf ? { asOf: opts.asOf } : {}),
            defaultAsOf: today(),
            ...(opts.force ? { force: true } : {}),
            ...(opts.sheet ? { sheet: opts.sheet } : {}),
            minSnapshotRatio: pipeline.ingest.min_snapshot_ratio,
            workDir: pipeline.workDir,
          },
          logger,
        );
        await workspace.db.run(
          `INSERT INTO runs (run_id, pipeline, command, started_at, finished_at, status, files_loaded, files_refused, files_skipped, rows_loaded, rows_rejected)
           VALUES ($1, $2, 'ingest', current_timestamp, current_timestamp, $3, $4, $5, $6, $7, $8)`,
          [runId, pipeline.file, summary.refused ? 'warnings' : 'succeeded', summary.loaded, summary.refused, summary.duplicates, summary.rowsLoaded, summary.rowsRejected],
          { step: 'ingest.record' },
        );
        await workspace.publish();
        process.stdout.write(formatIngestSummary(summary));
        process.stdout.write(`database: ${path.relative(process.cwd(), pipeline.database) || pipeline.database}\n`);
        process.exitCode = summary.refused ? EXIT.warnings : EXIT.ok;
      } catch (error) {
        workspace.abandon();
        throw error;
      }
    });
}
