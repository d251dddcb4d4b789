import fs from 'node:fs';
import { Command } from 'commander';
import { ConfigError } from '../core/errors.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/**
 * `recon upgrade`: upgrades the published database to this release's schema (what the next
 * `recon run` would do first), through the lock and a staging copy like a run: readers keep
 * the old file until the upgraded one replaces it.
 */
export function upgradeCommand(): Command {
  return new Command('upgrade')
    .description("Upgrade the published database to this release's schema, keeping all its data (a run does this too)")
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText('after', '\nExit codes: 0 upgraded or already current; 1 failed (nothing changed); 2 bad usage; 4 database locked.')
    .action(async (opts: { pipeline: string; db?: string }) => {
      const [{ onWorkspace }, { commandContext }, { SCHEMA_VERSION }] = await Promise.all([
        import('../pipeline/workspace.ts'),
        import('./context.ts'),
        import('../db/schema/migrate.ts'),
      ]);
      const ctx = commandContext('upgrade', opts.pipeline, opts.db ? { database: opts.db } : {});
      if (!fs.existsSync(ctx.pipeline.database)) throw new ConfigError(`No database at ${ctx.pipeline.database}: nothing to upgrade (recon run creates it).`);
      await onWorkspace(ctx, async () => ({ result: undefined, outcome: { status: 'succeeded' } }));
      process.stdout.write(`database ${ctx.pipeline.database}: schema ${SCHEMA_VERSION}\n`);
    });
}
