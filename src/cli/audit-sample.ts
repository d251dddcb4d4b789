import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../core/errors.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/**
 * `recon audit-sample --year YYYY`: draws this month's audit sample into the published
 * database (through the lock and a staging copy, like a run: readers never wait, a failure
 * changes nothing) and writes the auditors' sheets to `<out>/audit/稽核抽查_YYYY-MM/`.
 */
export function auditSampleCommand(): Command {
  return new Command('audit-sample')
    .description(
      "Draw the month's risk-weighted, stratified audit sample (年度稽核抽查) so the year reaches --rate of enrolled employers; write the auditors' sheets",
    )
    .requiredOption('--year <yyyy>', 'the audit year')
    .option('--month <m>', "the month to draw, 1-12 (default: the month of the latest run's as-of date, if in --year)")
    .option('--rate <share>', 'share of enrolled employers to audit in the year', '0.3')
    .option('--out <dir>', "output folder (default: the pipeline's output)")
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .addHelpText(
      'after',
      `
Each month draws ceil((ceil(rate x enrolled) - drawn this year) / months left), stratified by
district x size band (0-9, 10-49, 50-199, 200+ people) in proportion to the strata, weighted by a
risk score within each stratum; employers on a worklist or sampled this year are left out.
Drawing a month again draws nothing new and rewrites its sheets. Returned sheets go through
recon feedback (or <inbox>/feedback/) and mark the audits done (table audit_samples).
Exit codes: 0 done; 1 failed (nothing changed); 2 bad usage; 4 database locked.`,
    )
    .action(async (opts: { year: string; month?: string; rate: string; out?: string; pipeline: string; db?: string }) => {
      if (!/^\d{4}$/.test(opts.year)) throw new ConfigError(`--year must be a year such as 2026, got "${opts.year}"`);
      const year = Number(opts.year);
      const rate = Number(opts.rate);
      if (!(rate > 0 && rate <= 1)) throw new ConfigError(`--rate must be a share above 0 and at most 1, such as 0.3, got "${opts.rate}"`);
      if (opts.month !== undefined && !/^(?:[1-9]|1[0-2])$/.test(opts.month)) throw new ConfigError(`--month must be 1 to 12, got "${opts.month}"`);
      const [{ onWorkspace }, { commandContext }, { sampleAuditMonth, writeAuditSheets }] = await Promise.all([
        import('../pipeline/workspace.ts'),
        import('./context.ts'),
        import('../campaign/audit-sample.ts'),
      ]);
      const ctx = commandContext('audit-sample', opts.pipeline, opts.db ? { database: opts.db } : {});
      if (!fs.existsSync(ctx.pipeline.database)) throw new ConfigError(`No database at ${ctx.pipeline.database}: run "recon run" first.`);
      const outRoot = path.join(path.resolve(opts.out ?? ctx.pipeline.output), 'audit');
      const staging = path.join(outRoot, `.${ctx.runId}.partial`);
      try {
        const { month, result, files } = await onWorkspace(ctx, async (db) => {
          let month = opts.month !== undefined ? Number(opts.month) : undefined;
          if (month === undefined) {
            const latest = await db.one<{ as_of: Date | null }>(`SELECT max(as_of) AS as_of FROM findings WHERE run_id = (SELECT max(run_id) FROM findings)`);
            if (!latest?.as_of || latest.as_of.getUTCFullYear() !== year) throw new ConfigError(`Give --month: the latest run's as-of date is not in ${year}.`);
            month = latest.as_of.getUTCMonth() + 1;
          }
          const result = await sampleAuditMonth(db, { year, month, rate, runId: ctx.runId, logger: ctx.logger });
          const files = await writeAuditSheets(db, { year, month, dir: staging, logger: ctx.logger });
          return { result: { month, result, files }, outcome: { status: 'succeeded', summary: { ...result, strata: result.strata.length } } };
        });
        // Sheets move into place once the sample is published; a month drawn again replaces its sheets.
        for (const name of fs.existsSync(staging) ? fs.readdirSync(staging) : []) {
          const target = path.join(outRoot, name);
          fs.rmSync(target, { recursive: true, force: true });
          fs.renameSync(path.join(staging, name), target);
        }
        fs.rmSync(staging, { recursive: true, force: true });
        const mm = String(month).padStart(2, '0');
        process.stdout.write(
          `audit sample ${year}-${mm}: ${result.already ? 'drawn before, nothing new drawn' : `${result.drawn} drawn from a pool of ${result.pool} in ${result.strata.filter((s) => s.quota > 0).length} strata`}\n` +
            `year ${year}: ${result.before + result.drawn} of ${result.target} (rate ${rate} x ${result.enrolled} enrolled)\n` +
            files.map((f) => `${path.relative(process.cwd(), path.join(outRoot, path.relative(staging, f.file)))} (${f.rows})`).join('\n') +
            '\n',
        );
      } catch (error) {
        fs.rmSync(staging, { recursive: true, force: true });
        throw error;
      }
    });
}
