import { Command } from 'commander';
import path from 'node:path';
import fs from 'node:fs';
import { checkDate } from '../core/clock.ts';
import type { DecisionSummary } from '../cases/link-decisions.ts';
import { ConfigError } from '../core/errors.ts';
import { EXIT } from './exit.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/** A plain-text report of the decisions read from returned review workbooks. */
export function formatDecisionSummary(s: DecisionSummary): string {
  const lines = [
    `files read: ${s.files}${s.skippedFiles ? ` (skipped, read before: ${s.skippedFiles})` : ''}`,
    `rows filled in: ${s.rows}; stored: ${s.stored} (same ${s.byDecision.same}, different ${s.byDecision.different}, unsure ${s.byDecision.unsure}); rejected: ${s.rejected}${s.rejected ? ' (table link_decision_rejects)' : ''}`,
    'the next run applies them before its name steps',
  ];
  for (const r of s.rejections) lines.push(`REJECTED  ${r.file} ${r.row}${r.pairId ? ` ${r.pairId}` : ''}: ${r.reason}`);
  if (s.rejected > s.rejections.length) lines.push(`... and ${s.rejected - s.rejections.length} more (table link_decision_rejects)`);
  for (const r of s.refused) lines.push(`REFUSED   ${path.basename(r.file)}: ${r.message}`);
  return `${lines.join('\n')}\n`;
}

/** `recon links decide FILE...`: stores the decisions of returned review workbooks (review/待人工确认.xlsx) in the published database. */
function decideCommand(): Command {
  return new Command('decide')
    .description('Store the decisions of returned review workbooks (review/待人工确认.xlsx); the next run applies them (a file read before is skipped)')
    .argument('<files...>', 'returned review workbooks (.xlsx)')
    .option('--as-of <date>', 'as-of date for the check of 日期, YYYY-MM-DD (default: today)')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText(
      'after',
      '\nA returned workbook left in <inbox>/feedback/ with a name starting 待人工确认 is read by the nightly run too.\nExit codes: 0 all rows stored; 3 some rows rejected or a file refused (listed); 1 failed; 2 bad usage; 4 database locked.',
    )
    .action(async (files: string[], opts: { asOf?: string; pipeline: string; db?: string }) => {
      if (opts.asOf !== undefined) checkDate('--as-of', opts.asOf);
      for (const f of files) if (!fs.existsSync(f)) throw new ConfigError(`No such file: ${f}`);
      const [{ onWorkspace }, { commandContext }, { storeDecisions }] = await Promise.all([
        import('../pipeline/workspace.ts'),
        import('./context.ts'),
        import('../cases/link-decisions.ts'),
      ]);
      const ctx = commandContext('links decide', opts.pipeline, opts.db ? { database: opts.db } : {});
      const summary = await onWorkspace(ctx, async (db) => {
        const s = await storeDecisions(db, ctx, files, opts.asOf ? { asOf: opts.asOf } : {});
        return {
          result: s,
          outcome: {
            status: s.rejected || s.refused.length ? 'warnings' : 'succeeded',
            filesLoaded: s.files,
            filesSkipped: s.skippedFiles,
            summary: { ...s, rejections: s.rejections.length, refused: s.refused.length },
          },
        };
      });
      process.stdout.write(formatDecisionSummary(summary));
      process.stdout.write(`database: ${path.relative(process.cwd(), ctx.pipeline.database) || ctx.pipeline.database}\n`);
      process.exitCode = summary.rejected || summary.refused.length ? EXIT.warnings : EXIT.ok;
    });
}

/** `recon links`: the linking decisions an analyst makes. */
export function linksCommand(): Command {
  return new Command('links')
    .description('Linking decisions: store what an analyst decided on the review pairs (待人工确认)')
    .addCommand(decideCommand().exitOverride());
}
