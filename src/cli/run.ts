import path from 'node:path';
import { Command } from 'commander';
import type { RunResult } from '../pipeline/run.ts';
import { EXIT } from './exit.ts';

export const DEFAULT_PIPELINE = 'pipelines/nightly.yaml';

/**
 * `recon run`: the whole pipeline, staged and published.
 *
 * Every command module is loaded to build the program (for --help), so at the top it imports
 * commander and light modules only; the stage it calls, and with it DuckDB, exceljs, zod and
 * the rest, is imported inside the action (`await import()`), when the command really runs.
 */
export function runCommand(): Command {
  return new Command('run')
    .description('Run the pipeline: ingest the inbox, link the employers, run the rules, update the cases, write worklists and ledgers, and publish')
    .argument('[pipeline]', 'pipeline file', DEFAULT_PIPELINE)
    .option('--inbox <dir>', 'inbox folder (overrides the pipeline file)')
    .option('--as-of <date>', 'as-of date YYYY-MM-DD (default: the latest snapshot date)')
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .option('--out <dir>', 'output folder (overrides the pipeline file)')
    .option('--log-level <level>', 'terminal log level: debug, info, warn, error')
    .addHelpText(
      'after',
      '\nExit codes: 0 published; 3 published with warnings (a file refused); 1 failed, nothing published;\n2 bad usage or configuration; 4 another run holds the database.\nResults: <out>/latest/run.json',
    )
    .action(async (pipelineFile: string, opts: { inbox?: string; asOf?: string; db?: string; out?: string; logLevel?: string }) => {
      const [{ loadPipeline }, { runPipeline }, { formatIngestSummary }, { default: cliProgress }] = await Promise.all([
        import('../config/pipeline-file.ts'),
        import('../pipeline/run.ts'),
        import('./summary.ts'),
        import('cli-progress'),
      ]);
      const pipeline = loadPipeline(pipelineFile, {
        ...(opts.inbox ? { inbox: opts.inbox } : {}),
        ...(opts.asOf ? { asOf: opts.asOf } : {}),
        ...(opts.db ? { database: opts.db } : {}),
        ...(opts.out ? { output: opts.out } : {}),
      });
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { format: 'ingest [{bar}] {value}/{total} {file}', stream: process.stderr, hideCursor: true },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      let started = false;
      const result: RunResult = await runPipeline(pipeline, {
        ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
        onProgress: (done, total, file) => {
          if (!bar) return;
          if (!started) {
            bar.start(total, 0, { file: '' });
            started = true;
          }
          bar.update(done, { file: path.basename(file) });
          if (done === total) bar.stop();
        },
      }).finally(() => {
        if (started) bar?.stop();
      });
      if (result.ingest) process.stdout.write(formatIngestSummary(result.ingest));
      if (result.link) {
        const l = result.link;
        const methods = Object.entries(l.byMethod)
          .map(([m, n]) => `${m} ${n}`)
          .join(', ');
        process.stdout.write(`linking: ${l.records} records -> ${l.employers} employers (${l.newEmployers} new); ${methods}; ${l.review} to review\n`);
      }
      if (result.rules) {
        const r = result.rules;
        const per = Object.entries(r.byRule)
          .map(([id, x]) => `${id} ${x.found}`)
          .join(', ');
        process.stdout.write(`rules (closed month ${r.month.slice(0, 7)}): ${r.findings} findings; ${per}\n`);
      }
      if (result.cases) {
        const c = result.cases;
        process.stdout.write(`cases: ${c.opened} new, ${c.resolved} resolved, ${c.reopened} reopened\n`);
      }
      if (result.worklists)
        process.stdout.write(`worklists: ${result.worklists.workbooks} workbooks, ${result.worklists.rows} employers, ${result.worklists.cases} cases\n`);
      if (result.notices) process.stdout.write(`notices: ${result.notices} 社会保险登记告知书 (notices/)\n`);
      const fb = result.feedback;
      if (fb && (fb.files > 0 || fb.refusedFiles.length > 0))
        process.stdout.write(
          `feedback: ${fb.files} returned worklist(s), ${fb.rows} rows, ${fb.rejectedRows} rejected${fb.refusedFiles.length ? `, ${fb.refusedFiles.length} file(s) refused` : ''}${fb.returnNotes.length ? `; 退回说明: ${fb.returnNotes.map((n) => path.join(result.outputDir, n.note)).join(', ')}` : ''}\n`,
        );
      process.stdout.write(`run ${result.runId}: ${result.status}, as of ${result.asOf}\nresults: ${result.outputDir}\n`);
      process.exitCode = result.status === 'warnings' ? EXIT.warnings : EXIT.ok;
    });
}
