import path from 'node:path';
import { Command } from 'commander';
import { DEFAULT_PIPELINE } from './run.ts';
import { ConfigError } from '../core/errors.ts';

/** `recon blacklist`: the 失信联合惩戒候选名单 of a run (default: the latest), as xlsx, from the published database. */
export function blacklistCommand(): Command {
  return new Command('blacklist')
    .description(
      'Write the blacklist candidates (失信联合惩戒候选名单): cases urged with a deadline (已督促/限期整改 + 整改期限) still found after it, with their evidence trail',
    )
    .option('--run <run_id>', 'the run whose findings decide (default: the latest run with findings)')
    .option('--out <dir>', 'folder for 失信联合惩戒候选名单.xlsx', '.')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText(
      'after',
      `
A case is a candidate in a run with as-of date D when its latest feedback is 已督促 or 限期整改
with a 整改期限 before D (so from the day after the deadline) and the run still finds it.
The same list: recon query "SELECT * FROM blacklist_candidates" (latest run) or
blacklist_candidates_at('<run_id>'); the trail: blacklist_evidence / blacklist_evidence_at('<run_id>').
The nightly run writes it to <run folder>/campaign/ too.`,
    )
    .action(async (opts: { run?: string; out: string; pipeline: string; db?: string }) => {
      const [{ withPublishedDb }, { createLogger }, { createBlacklistViews, writeBlacklist }] = await Promise.all([
        import('./published.ts'),
        import('../core/log.ts'),
        import('../campaign/blacklist.ts'),
      ]);
      await withPublishedDb(opts, async (db) => {
        // Temporary definitions: the published database is read-only here, and may predate the views.
        await createBlacklistViews(db, true);
        const run = await db.one<{ run_id: string | null; as_of: Date | null }>(
          `SELECT run_id, max(as_of) AS as_of FROM findings WHERE run_id = coalesce($1, (SELECT max(run_id) FROM findings)) GROUP BY run_id`,
          [opts.run ?? null],
        );
        if (!run?.run_id || !run.as_of)
          throw new ConfigError(
            opts.run ? `No findings of run "${opts.run}". recon runs lists the runs.` : 'No run with findings in the database: run "recon run" first.',
          );
        const asOf = run.as_of.toISOString().slice(0, 10);
        const result = await writeBlacklist(db, { runId: run.run_id, asOf, dir: path.resolve(opts.out), logger: createLogger() });
        process.stdout.write(
          `run ${run.run_id} (as-of ${asOf}): ${result.candidates} blacklist candidate(s)\n${path.relative(process.cwd(), result.file) || result.file}\n`,
        );
      });
    });
}
