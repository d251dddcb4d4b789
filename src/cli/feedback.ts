import { Command } from 'commander';
import path from 'node:path';
import fs from 'node:fs';
import { checkDate } from '../core/clock.ts';
import type { FeedbackSummary } from '../cases/feedback.ts';
import { ConfigError } from '../core/errors.ts';
import { EXIT } from './exit.ts';
import { DEFAULT_PIPELINE } from './run.ts';

const MAX_LISTED = 200;

/** A plain-text report of what the returned worklists changed and which rows were refused. */
export function formatFeedbackSummary(s: FeedbackSummary, folder = ''): string {
  const lines = [
    `files read: ${s.files}${s.skippedFiles ? ` (skipped, read before: ${s.skippedFiles})` : ''}`,
    `rows filled in: ${s.rows}; applied: ${s.appliedRows}; rejected: ${s.rejectedRows}`,
    `cases exempt: ${s.exempted}; cases recorded and kept open: ${s.keptOpen}${s.audited ? `; audit samples recorded as audited: ${s.audited}` : ''}`,
  ];
  for (const r of s.rejections.slice(0, MAX_LISTED)) {
    lines.push(`REJECTED  ${path.basename(r.file)} ${r.sheet}!${r.row}${r.caseId ? ` ${r.caseId}` : ''}: ${r.reason}`);
  }
  if (s.rejections.length > MAX_LISTED) lines.push(`... and ${s.rejections.length - MAX_LISTED} more (table feedback, status 'rejected')`);
  for (const r of s.refusedFiles) lines.push(`REFUSED   ${path.basename(r.file)}: ${r.message}`);
  for (const n of s.returnNotes) lines.push(`退回说明  ${path.basename(n.file)}: ${path.join(folder, n.note)}`);
  return `${lines.join('\n')}\n`;
}

/** `recon feedback FILE...`: reads worklists handed back by grid workers into the published database. */
export function feedbackCommand(): Command {
  return new Command('feedback')
    .description('Read worklists handed back by grid workers and update the cases (a file read before is skipped)')
    .argument('<files...>', 'returned worklist workbooks (.xlsx)')
    .option('--as-of <date>', 'as-of date for the check of 核查日期, YYYY-MM-DD (default: today)')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText('after', '\nExit codes: 0 all rows applied; 3 some rows rejected (listed); 1 failed; 2 bad usage; 4 database locked.')
    .action(async (files: string[], opts: { asOf?: string; pipeline: string; db?: string }) => {
      if (opts.asOf !== undefined) checkDate('--as-of', opts.asOf);
      for (const f of files) if (!fs.existsSync(f)) throw new ConfigError(`No such file: ${f}`);
      const [{ onWorkspace }, { commandContext }, { applyFeedback }] = await Promise.all([
        import('../pipeline/workspace.ts'),
        import('./context.ts'),
        import('../cases/feedback.ts'),
      ]);
      const ctx = commandContext('feedback', opts.pipeline, opts.db ? { database: opts.db } : {});
      const summary = await onWorkspace(ctx, async (db) => {
        const s = await applyFeedback(db, ctx, files, opts.asOf ? { asOf: opts.asOf } : {});
        return {
          result: s,
          outcome: {
            status: s.rejectedRows || s.refusedFiles.length ? 'warnings' : 'succeeded',
            filesLoaded: s.files,
            filesSkipped: s.skippedFiles,
            summary: { ...s, rejections: s.rejections.length },
          },
        };
      });
      process.stdout.write(formatFeedbackSummary(summary, ctx.runDir));
      process.stdout.write(`database: ${path.relative(process.cwd(), ctx.pipeline.database) || ctx.pipeline.database}\n`);
      process.exitCode = summary.rejectedRows || summary.refusedFiles.length ? EXIT.warnings : EXIT.ok;
    });
}
