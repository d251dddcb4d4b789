import path from 'node:path';
import { Command } from 'commander';
import { DEFAULT_PIPELINE } from './run.ts';
import { ConfigError } from '../core/errors.ts';

/**
 * The folder the bulletin goes to: `<output>/bulletins/<month>` by default; `--out` is resolved
 * against the pipeline's output folder and may not leave it (run folders and the database stay untouched).
 */
export function bulletinDir(output: string, month: string, out?: string): string {
  const root = path.resolve(output);
  const dir = path.resolve(root, out ?? path.join('bulletins', month));
  const rel = path.relative(root, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new ConfigError(`--out must be a folder inside the pipeline's output folder ${root} (got ${dir}).`);
  if (rel === 'runs' || rel.startsWith(`runs${path.sep}`) || rel === 'latest' || rel.startsWith(`latest${path.sep}`)) {
    throw new ConfigError(`--out may not be inside the run folders (${path.join(root, 'runs')}): runs are published as they are. Use e.g. bulletins/${month}.`);
  }
  return dir;
}

/** `recon bulletin --month YYYY-MM`: the monthly bulletin (通报) as xlsx and a self-contained HTML page. */
export function bulletinCommand(): Command {
  return new Command('bulletin')
    .description(
      "Write the monthly bulletin (通报): districts ranked by target completion, the month's new and resolved cases, the trend since the campaign start (xlsx and HTML)",
    )
    .requiredOption('--month <YYYY-MM>', 'the month: the bulletin reports on the last published run whose as-of date falls in it')
    .option('--pipeline <file>', 'pipeline file giving the database and the output folder', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .option('--out <dir>', 'folder inside the output folder (default: <output>/bulletins/<month>)')
    .addHelpText(
      'after',
      '\nExample: recon bulletin --month 2026-10   ->  reports/bulletins/2026-10/通报_2026-10.xlsx and 通报_2026-10.html\n' +
        'Numbers: recon query "SELECT * FROM campaign_monthly WHERE month = DATE \'2026-10-01\'" (see docs/campaign.md)\n' +
        'Exit codes: 0 written; 2 bad usage (month, no run in that month, no database); 1 failed.',
    )
    .action(async (opts: { month: string; pipeline: string; db?: string; out?: string }) => {
      const [{ withPublishedDb }, { loadPipeline }, { parseMonth }, { writeBulletin }] = await Promise.all([
        import('./published.ts'),
        import('../config/pipeline-file.ts'),
        import('../campaign/bulletin.ts'),
        import('../campaign/bulletin-files.ts'),
      ]);
      const month = parseMonth(opts.month);
      const pipeline = loadPipeline(opts.pipeline, opts.db ? { database: opts.db } : {});
      const dir = bulletinDir(pipeline.output, month, opts.out);
      const written = await withPublishedDb(opts, (db) => writeBulletin(db, { month, dir }));
      const b = written.bulletin;
      const ranked = b.districts.filter((d) => d.rank !== null).length;
      process.stdout.write(
        `bulletin ${b.month} (run ${b.runId}, as of ${b.asOf}): ${ranked ? `${ranked} districts ranked` : 'no targets loaded, no ranking'}; ` +
          `cases: ${b.casesTotal.opened} new, ${b.casesTotal.resolved} resolved\n  ${written.xlsx}\n  ${written.html}\n`,
      );
    });
}
