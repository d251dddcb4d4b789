import { Command, Option } from 'commander';
import path from 'node:path';
import fs from 'node:fs';
import { checkDate } from '../core/clock.ts';
import { KINDS, type Kind } from '../sources/contract.ts';
import { ConfigError } from '../core/errors.ts';
import { EXIT } from './exit.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/** `recon ingest FILE...`: an analyst loads files by hand into the published database. */
export function ingestCommand(): Command {
  return new Command('ingest')
    .description('Load export files by hand (kind recognised from the headers unless --kind is given)')
    .argument('<files...>', 'CSV or XLSX export files')
    .addOption(new Option('--kind <kind>', 'the kind of every file given').choices([...KINDS]))
    .option('--as-of <date>', 'as-of date of the files, YYYY-MM-DD (default: from the file name or a title row, else today)')
    .option('--force', 'load a snapshot even if it is far smaller than the current one')
    .option('--sheet <name>', 'sheet to read in workbooks')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText('after', '\nExit codes: 0 all loaded or already loaded; 3 some file refused; 1 failed; 2 bad usage; 4 database locked.')
    .action(async (files: string[], opts: { kind?: Kind; asOf?: string; force?: boolean; sheet?: string; pipeline: string; db?: string }) => {
      if (opts.asOf !== undefined) checkDate('--as-of', opts.asOf);
      for (const f of files) if (!fs.existsSync(f)) throw new ConfigError(`No such file: ${f}`);
      const [{ onWorkspace }, { commandContext }, { ingestFiles }, { formatIngestSummary }] = await Promise.all([
        import('../pipeline/workspace.ts'),
        import('./context.ts'),
        import('../ingest/stage.ts'),
        import('./summary.ts'),
      ]);
      const base = commandContext('ingest', opts.pipeline, opts.db ? { database: opts.db } : {});
      const ctx = opts.sheet ? { ...base, pipeline: { ...base.pipeline, ingest: { ...base.pipeline.ingest, sheet: opts.sheet } } } : base;
      const summary = await onWorkspace(ctx, async (db) => {
        const s = await ingestFiles(db, ctx, {
          files: files.map((file) => (opts.kind ? { file, kind: opts.kind } : { file })),
          ...(opts.asOf ? { asOf: opts.asOf } : {}),
          ...(opts.force ? { force: true } : {}),
        });
        return {
          result: s,
          outcome: {
            status: s.refused ? 'warnings' : 'succeeded',
            filesLoaded: s.loaded,
            filesRefused: s.refused,
            filesSkipped: s.duplicates,
            rowsLoaded: s.rowsLoaded,
            rowsRejected: s.rowsRejected,
          },
        };
      });
      process.stdout.write(formatIngestSummary(summary));
      process.stdout.write(`database: ${path.relative(process.cwd(), ctx.pipeline.database) || ctx.pipeline.database}\n`);
      process.exitCode = summary.refused ? EXIT.warnings : EXIT.ok;
    });
}
