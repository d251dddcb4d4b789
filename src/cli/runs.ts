import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../core/errors.ts';
import { EXIT } from './exit.ts';
import { DEFAULT_PIPELINE } from './run.ts';

interface RunJson {
  run_id: string;
  status: string;
  error: string | null;
  as_of: string | null;
  /** The as-of date the run was asked for (pipeline file or --as-of); null: the latest snapshot date. */
  as_of_requested?: string | null;
  started_at: string | null;
  finished_at: string | null;
  pipeline: { file: string } | null;
  rows: { loaded: number; rejected: number } | null;
  rules: { findings_per_rule: Record<string, number> } | null;
  warnings: string[];
}

/**
 * Every run folder's run.json, newest first: published, and failed ones (which the database
 * never saw). A run refused because another held the lock wrote no folder, so it is not here.
 * A run.json cut short (a full disk while it was written) is shown as failed, not an error.
 */
export function readRuns(output: string): Array<RunJson & { folder: string }> {
  const dir = path.join(output, 'runs');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => !name.startsWith('.') && fs.existsSync(path.join(dir, name, 'run.json')))
    .map((name) => ({ ...readRunJson(path.join(dir, name), name), folder: path.join(dir, name) }))
    .sort((a, b) => b.run_id.localeCompare(a.run_id));
}

function readRunJson(folder: string, name: string): RunJson {
  try {
    const doc = JSON.parse(fs.readFileSync(path.join(folder, 'run.json'), 'utf8')) as RunJson;
    if (typeof doc.run_id === 'string') return doc;
  } catch {
    // unreadable: below
  }
  const runId = name.replace(/\.failed$/, '');
  return {
    run_id: runId,
    status: 'failed',
    error: `run.json of ${runId} cannot be read (cut short?); see ${path.join(folder, 'run.log')}`,
    as_of: null,
    started_at: null,
    finished_at: null,
    pipeline: null,
    rows: null,
    rules: null,
    warnings: [],
  };
}

/** `recon runs`: past runs with their status and counts. */
export function runsCommand(): Command {
  return new Command('runs')
    .description('List past runs (published and failed) with status and counts, newest first')
    .option('--pipeline <file>', 'pipeline file giving the output folder', DEFAULT_PIPELINE)
    .option('--out <dir>', 'output folder (overrides the pipeline file)')
    .option('-n, --limit <n>', 'how many', '20')
    .action(async (opts: { pipeline: string; out?: string; limit: string }) => {
      const [{ loadPipeline }, { textTable }] = await Promise.all([import('../config/pipeline-file.ts'), import('./text-table.ts')]);
      const pipeline = loadPipeline(opts.pipeline, opts.out ? { output: opts.out } : {});
      const runs = readRuns(pipeline.output).slice(0, Number(opts.limit));
      const rows = runs.map((r) => ({
        run: r.run_id,
        status: r.status,
        as_of: r.as_of ?? '',
        started: (r.started_at ?? '').slice(0, 19).replace('T', ' '),
        seconds: r.started_at && r.finished_at ? String(Math.round((Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000)) : '',
        rows: String(r.rows?.loaded ?? ''),
        rejected: String(r.rows?.rejected ?? ''),
        findings: r.rules ? String(Object.values(r.rules.findings_per_rule).reduce((a, b) => a + b, 0)) : '',
        note: (r.error ?? r.warnings?.[0] ?? '').split('\n')[0] ?? '',
      }));
      process.stdout.write(
        rows.length
          ? textTable(
              Object.keys(rows[0] as object).map((k) => ({
                key: k,
                header: k,
                ...(['seconds', 'rows', 'rejected', 'findings'].includes(k) ? { align: 'right' as const } : {}),
                ...(k === 'note' ? { max: 60 } : {}),
              })),
              rows,
            )
          : 'No runs yet.\n',
      );
    });
}

/** `recon retry`: runs the pipeline again after a failed run, with the same pipeline file and as-of date. */
export function retryCommand(): Command {
  return new Command('retry')
    .description("Re-run the latest failed run (or the one named): same pipeline file and as-of date, on the inbox's files")
    .argument('[run]', 'run id of a failed run (default: the latest run, if it failed)')
    .option('--pipeline <file>', 'pipeline file giving the output folder', DEFAULT_PIPELINE)
    .action(async (runId: string | undefined, opts: { pipeline: string }) => {
      const [{ loadPipeline }, { runPipeline }] = await Promise.all([import('../config/pipeline-file.ts'), import('../pipeline/run.ts')]);
      const pipeline = loadPipeline(opts.pipeline);
      const runs = readRuns(pipeline.output);
      const target = runId ? runs.find((r) => r.run_id === runId) : runs[0];
      if (!target) throw new ConfigError(runId ? `No run ${runId} under ${pipeline.output}/runs.` : 'No runs yet.');
      if (target.status !== 'failed') {
        process.stdout.write(`Run ${target.run_id} did not fail (${target.status}); nothing to retry.\n`);
        return;
      }
      // Same as-of only when the failed run was asked for one: otherwise, as then, the latest snapshot date.
      const asOf = target.as_of_requested ?? undefined;
      const again = loadPipeline(target.pipeline?.file ?? opts.pipeline, asOf ? { asOf } : {});
      process.stderr.write(`Retrying ${target.run_id} (failed: ${(target.error ?? 'unknown').split('\n')[0]})${asOf ? ` as of ${asOf}` : ''}\n`);
      const result = await runPipeline(again);
      process.stdout.write(`run ${result.runId}: ${result.status}\nresults: ${result.outputDir}\n`);
      process.exitCode = result.status === 'warnings' ? EXIT.warnings : EXIT.ok;
    });
}
