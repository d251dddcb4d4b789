import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Logger } from '../core/log.ts';
import { createLogger } from '../core/log.ts';
import { AuditError, errorMessage } from '../core/errors.ts';
import type { Pipeline } from './config.ts';
import { Workspace } from './workspace.ts';
import { finishInterruptedPublish } from './recover.ts';
import { newRunId, today } from '../core/clock.ts';
import { listInbox, kindFromGlobs, ingestFiles, type IngestSummary } from '../ingest/stage.ts';
import { loadReferenceTables } from '../reference/load.ts';
import { linkEmployers, linkParams, type LinkSummary } from '../link/stage.ts';
import { runRules, type RulesSummary } from '../rules/runner.ts';
import { writeFindingsCsv } from '../publish/findings-csv.ts';
import { writeDataQualityCsv } from '../publish/data-quality-csv.ts';
import { writeWorklists, type WorklistSummary } from '../publish/worklists.ts';
import { writeNotices } from '../publish/notices.ts';
import { writeLedger } from '../publish/ledger.ts';
import { createLedgerViews, selectLedgerRun } from '../publish/ledger-views.ts';
import { writeSummaryHtml } from '../publish/summary-html.ts';
import { writeCampaignLists } from '../campaign/lists.ts';
import { applyFeedback, type FeedbackSummary } from '../cases/feedback.ts';
import type { Db } from '../db/database.ts';

export type RunStatus = 'succeeded' | 'warnings' | 'failed';

export interface RunResult {
  runId: string;
  status: RunStatus;
  asOf: string;
  outputDir: string;
  ingest?: IngestSummary;
  link?: LinkSummary;
  rules?: RulesSummary;
  feedback?: FeedbackSummary;
  worklists?: WorklistSummary;
  /** 社会保险登记告知书 sent in this run. */
  notices?: number;
  warnings: string[];
  error?: string;
  timings: Record<string, number>;
  /** Peak resident memory (MB, JS and DuckDB together) per stage, sampled every 50 ms. */
  peakRssMb: Record<string, number>;
}

export interface RunOptions {
  /** Terminal logging level; the run's log file always gets debug. */
  logLevel?: string;
  /** Quiet terminal (tests). */
  terminal?: boolean;
  /** Called as files load, for a progress bar. */
  onProgress?: (done: number, total: number, file: string) => void;
  /** Logger for tests; otherwise one is made per run. */
  logger?: Logger;
}

/**
 * DuckDB's memory limit when the pipeline sets none: 3 GB, or half the machine's memory when
 * that is less. Past the limit DuckDB spills to temp_directory instead of failing. Measured
 * on the 24 GiB reference machine, a city-size nightly took 87 s and 3.9 GiB at 3 GB against
 * 90-96 s and 6.8 GB at 12 GB (a larger buffer pool bought nothing but page faults), and a
 * 3M-employer run completed at 3 GB; DuckDB's own default (80%) would leave too little for
 * Node (exceljs, the reports), the page cache and whatever else the server runs. A province
 * sets more in the pipeline file (docs/scaling.md).
 */
export function defaultMemoryLimit(totalBytes = os.totalmem()): string {
  return `${Math.max(1, Math.min(3, Math.floor((totalBytes / 2 ** 30) * 0.5)))}GB`;
}

/** The DuckDB settings of a run: threads, memory_limit and temp_directory (default `<work>/spill`). */
export function duckdbSettings(p: Pipeline): Record<string, string> {
  const s: Record<string, string> = {};
  if (p.duckdb.threads) s['threads'] = String(p.duckdb.threads);
  s['memory_limit'] = p.duckdb.memory_limit ?? defaultMemoryLimit();
  s['temp_directory'] = p.duckdb.temp_directory ? path.resolve(path.dirname(p.file), p.duckdb.temp_directory) : path.join(p.workDir, 'spill');
  return s;
}

/**
 * `recon run`: the stages in order, on a staging copy of the database and into a staging
 * output folder; both are published only when every stage passed. A failed run leaves the
 * published database, the run folders and `latest` as they were, and keeps its own folder as
 * `<run_id>.failed` with its log and run.json for the post-mortem.
 */
export async function runPipeline(pipeline: Pipeline, options: RunOptions = {}): Promise<RunResult> {
  const runId = newRunId();
  const runsDir = path.join(pipeline.output, 'runs');
  const partial = path.join(runsDir, `.${runId}.partial`);
  fs.mkdirSync(partial, { recursive: true });
  const logger =
    options.logger ??
    createLogger({ file: path.join(partial, 'run.log'), ...(options.logLevel ? { level: options.logLevel } : {}), ...(options.terminal !== undefined ? { terminal: options.terminal } : {}) });
  const log = logger.child({ run: runId });
  const started = new Date();
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  const result: RunResult = { runId, status: 'failed', asOf: pipeline.as_of ?? today(), outputDir: partial, warnings, timings, peakRssMb: {} };
  const memory = new RssSampler(result.peakRssMb);
  log.info({ pipeline: pipeline.file, inbox: pipeline.inbox, database: pipeline.database }, `run ${runId} started`);

  let workspace: Workspace | undefined;
  try {
    // Opening copies the published database into staging: at city size that copy is measured too.
    workspace = await timed([timings, memory], 'open', () => Workspace.open({ database: pipeline.database, runId, command: 'run', logger: log, settings: duckdbSettings(pipeline) }), log);
    await finishInterruptedPublish(workspace.db, pipeline.output, runId, log);
    markInterruptedRuns(runsDir, runId, log);
    const db = workspace.db;
    await timed([timings, memory], 'reference', () => loadReferenceTables(db, { localParamsFile: pipeline.localParams }), log);

    // Returned worklists (<inbox>/feedback/) are grid workers' results, not agency exports.
    const feedbackDir = path.join(pipeline.inbox, 'feedback');
    const files = listInbox(pipeline.inbox, pipeline.ingest.include, ['feedback/**']).map((file) => {
      const kind = kindFromGlobs(file, pipeline.inbox, pipeline.kinds);
      return kind ? { file, kind } : { file };
    });
    log.info({ files: files.length }, `ingest: ${files.length} file(s) in the inbox`);
    const ingest = await timed([timings, memory], 'ingest', () =>
      ingestFiles(
        db,
        files,
        {
          runId,
          defaultAsOf: pipeline.as_of ?? today(),
          minSnapshotRatio: pipeline.ingest.min_snapshot_ratio,
          ...(pipeline.ingest.sheet ? { sheet: pipeline.ingest.sheet } : {}),
          workDir: pipeline.workDir,
        },
        log,
        options.onProgress,
      ),
      log,
    );
    result.ingest = ingest;
    for (const r of ingest.results) {
      if (r.status === 'refused') warnings.push(`refused ${path.basename(r.file)}: ${r.message}`);
      else if (r.status === 'duplicate' && r.sameRun) warnings.push(`duplicate ${path.basename(r.file)}: ${r.message}`);
    }
    result.asOf = pipeline.as_of ?? (await latestSnapshotDate(db)) ?? today();
    result.link = await timed([timings, memory], 'link', () => linkEmployers(db, runId, log, linkParams(pipeline.parameters)), log);
    const asOf = result.asOf;
    // Feedback before the rules: a case a grid worker verified as exempt stays out of this run's findings.
    const returned = fs.existsSync(feedbackDir) ? listInbox(feedbackDir, ['**/*.xlsx']) : [];
    result.feedback = await timed([timings, memory], 'feedback', () => applyFeedback(db, returned, { runId, logger: log, asOf }), log);
    if (result.feedback.rejectedRows > 0) warnings.push(`feedback: ${result.feedback.rejectedRows} returned worklist row(s) rejected; see the feedback table`);
    result.rules = await timed([timings, memory], 'rules', () => runRules(db, { runId, asOf, config: pipeline.rules, pipelineDir: path.dirname(pipeline.file) }, log), log);
    await timed([timings, memory], 'publish', async () => {
      const sub = [timings, memory] as [Record<string, number>, RssSampler];
      await timed(sub, 'publish.csv', async () => {
        await writeFindingsCsv(db, runId, partial);
        await writeDataQualityCsv(db, runId, partial);
      });
      // Notices first: a worklist row shows the notice sent to its employer.
      result.notices = (await timed(sub, 'publish.notices', () => writeNotices(db, { runId, asOf, dir: partial, office: pipeline.office, logger: log }))).notices;
      result.worklists = await timed(sub, 'publish.worklists', () => writeWorklists(db, { runId, asOf, dir: partial, logger: log }));
      // ledger.xlsx, the targets sheet and summary.html read ledger_employer and ledger_district
      // (seconds each at city size): computed once into temp tables of the same names, which
      // this connection reads before the views.
      await createLedgerViews(db);
      await selectLedgerRun(db, runId, asOf);
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ledger_employer AS SELECT * FROM main.ledger_employer;
         CREATE OR REPLACE TEMP TABLE ledger_district AS SELECT * FROM main.ledger_district;`,
        undefined,
        { step: 'publish.ledger_district' },
      );
      await timed(sub, 'publish.ledger', () => writeLedger(db, { runId, asOf, dir: partial, logger: log, timings }));
      await timed(sub, 'publish.summary', () => writeSummaryHtml(db, { runId, asOf, dir: partial }));
      await db.run(`DROP TABLE temp.ledger_district; DROP TABLE temp.ledger_employer;`);
      // Campaign lists (失信联合惩戒候选名单, arrears lists) and their views: src/campaign/lists.ts.
      await timed(sub, 'publish.campaign', () => writeCampaignLists(db, { runId, asOf, dir: partial, logger: log }));
    }, log);

    await timed([timings, memory], 'audit', () => audit(db, pipeline, result), log);
    result.status = warnings.length ? 'warnings' : 'succeeded';
    await recordRun(db, pipeline, result, started, partial);
    writeRunJson(partial, pipeline, result, started);
    const ready = workspace;
    await timed([timings, memory], 'commit', () => ready.publish(), log);
    workspace = undefined;
    const finalDir = path.join(runsDir, runId);
    fs.renameSync(partial, finalDir);
    result.outputDir = finalDir;
    pointLatest(pipeline.output, path.join('runs', runId));
    log.info({ status: result.status, ms: Date.now() - started.getTime() }, `run ${runId} published`);
    return result;
  } catch (error) {
    workspace?.abandon();
    result.status = 'failed';
    result.error = errorMessage(error);
    log.error({ err: result.error }, `run ${runId} failed; nothing was published`);
    writeRunJson(partial, pipeline, result, started);
    const failedDir = path.join(runsDir, `${runId}.failed`);
    fs.renameSync(partial, failedDir);
    result.outputDir = failedDir;
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { run: result });
  }
}

/**
 * The checks between building and publishing: rejects per file under the pipeline's warn/fail
 * thresholds, and no collapse in the number of employers against the last published run (a
 * half-delivered inbox must not empty the worklists).
 */
async function audit(db: Db, pipeline: Pipeline, r: RunResult): Promise<void> {
  const problems: string[] = [];
  for (const x of r.ingest?.results ?? []) {
    if (x.status !== 'loaded' || x.rowsRead === 0) continue;
    const share = x.rowsRejected / x.rowsRead;
    const name = path.basename(x.file);
    const pct = `${(share * 100).toFixed(1)}%`;
    if (share > pipeline.audit.rejects_fail) problems.push(`${name}: ${pct} of its rows were rejected (fail threshold ${pipeline.audit.rejects_fail * 100}%)`);
    else if (share > pipeline.audit.rejects_warn) r.warnings.push(`${name}: ${pct} of its rows were rejected (warn threshold ${pipeline.audit.rejects_warn * 100}%); see rejects`);
  }
  const previous = await db.one<{ employers: number | null }>(
    `SELECT CAST(json_extract(summary, '$.link.employers') AS INTEGER) AS employers FROM runs
     WHERE command = 'run' AND status IN ('succeeded', 'warnings') ORDER BY started_at DESC LIMIT 1`,
  );
  const before = previous?.employers ?? 0;
  const now = r.link?.employers ?? 0;
  if (before > 0 && now < (1 - pipeline.audit.max_employer_drop) * before) {
    problems.push(`employers fell from ${before} to ${now} against the last published run (more than ${pipeline.audit.max_employer_drop * 100}%): an export is probably missing or cut`);
  }
  if (problems.length) {
    throw new AuditError(`The run failed its checks and published nothing:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix the inputs (or the thresholds under audit: in the pipeline file) and run again.`, { problems });
  }
}

/**
 * Peak RSS per stage: DuckDB's memory is native, so the process's resident size is sampled
 * (every 50 ms) rather than the JS heap. Stages nest (publish.worklists inside publish).
 */
class RssSampler {
  private readonly open = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly peaks: Record<string, number>) {}

  begin(stage: string): void {
    this.open.set(stage, process.memoryUsage.rss());
    this.timer ??= setInterval(() => this.sample(), 50).unref();
  }

  end(stage: string): void {
    this.sample();
    const peak = this.open.get(stage) ?? 0;
    this.open.delete(stage);
    this.peaks[stage] = Math.round(peak / 2 ** 20);
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private sample(): void {
    const rss = process.memoryUsage.rss();
    for (const [stage, peak] of this.open) if (rss > peak) this.open.set(stage, rss);
  }
}

async function timed<T>(
  [timings, memory]: [Record<string, number>, RssSampler],
  stage: string,
  fn: () => Promise<T>,
  log?: Logger,
): Promise<T> {
  log?.debug({ stage }, `stage ${stage} started`);
  const started = performance.now();
  memory.begin(stage);
  try {
    return await fn();
  } finally {
    timings[stage] = Math.round(performance.now() - started);
    memory.end(stage);
  }
}

/**
 * RULES.md: the as-of date defaults to the latest snapshot date. Read as the latest date every
 * source has a snapshot for: when only the registry has come in for November, the payment and
 * withholding ledgers still end in October, and reasoning about November would turn every
 * employer into a non-declarer.
 */
async function latestSnapshotDate(db: Db): Promise<string | undefined> {
  const row = await db.one<{ d: Date | null }>(
    `SELECT min(latest) AS d FROM (
       SELECT kind, max(as_of) AS latest FROM manifest WHERE status = 'loaded' AND kind NOT IN ('grid_roster', 'targets') GROUP BY kind)`,
  );
  return row?.d ? row.d.toISOString().slice(0, 10) : undefined;
}

async function recordRun(db: Db, pipeline: Pipeline, r: RunResult, started: Date, outputDir: string): Promise<void> {
  const ingest = r.ingest;
  await db.run(
    `INSERT INTO runs VALUES ($run_id, $pipeline, 'run', $started, current_timestamp, $status, CAST($as_of AS DATE), $out,
       $loaded, $refused, $skipped, $rows_loaded, $rows_rejected, $summary)`,
    {
      run_id: r.runId,
      pipeline: pipeline.file,
      started: started.toISOString(),
      status: r.status,
      as_of: r.asOf,
      out: path.join(path.dirname(outputDir), r.runId),
      loaded: ingest?.loaded ?? 0,
      refused: ingest?.refused ?? 0,
      skipped: ingest?.duplicates ?? 0,
      rows_loaded: ingest?.rowsLoaded ?? 0,
      rows_rejected: ingest?.rowsRejected ?? 0,
      summary: JSON.stringify({ timings: r.timings, warnings: r.warnings, byKind: ingest?.byKind, link: r.link }),
    },
    { step: 'run.record' },
  );
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** run.json: what ran, on what, with what result; scripts read it instead of the log. */
function writeRunJson(dir: string, pipeline: Pipeline, r: RunResult, started: Date): void {
  const doc = {
    run_id: r.runId,
    status: r.status,
    error: r.error ?? null,
    pipeline: { file: pipeline.file, sha256: sha256File(pipeline.file) },
    as_of: r.status === 'failed' && !pipeline.as_of && !r.rules ? null : r.asOf,
    as_of_requested: pipeline.as_of ?? null,
    started_at: started.toISOString(),
    finished_at: new Date().toISOString(),
    database: pipeline.database,
    inputs: (r.ingest?.results ?? []).map((x) => ({
      file: x.file,
      sha256: x.sha256 ?? null,
      status: x.status,
      kind: x.kind ?? null,
      ...(x.status === 'loaded'
        ? { file_id: x.fileId, as_of: x.asOf, rows_read: x.rowsRead, rows_loaded: x.rowsLoaded, rows_rejected: x.rowsRejected, values_flagged: x.valuesFlagged }
        : { message: x.message }),
    })),
    rows: r.ingest ? { loaded: r.ingest.rowsLoaded, rejected: r.ingest.rowsRejected, by_kind: r.ingest.byKind } : null,
    link: r.link ?? null,
    feedback: r.feedback ?? null,
    worklists: r.worklists ?? null,
    notices: r.notices ?? null,
    rules: r.rules
      ? {
          as_of: r.rules.asOf,
          closed_month: r.rules.month.slice(0, 7),
          versions: r.rules.rules,
          findings_per_rule: Object.fromEntries(Object.entries(r.rules.byRule).map(([id, x]) => [id, x.found])),
          exempted: r.rules.exemptions,
          cases: r.rules.cases,
        }
      : null,
    timings_ms: r.timings,
    peak_rss_mb: r.peakRssMb,
    warnings: r.warnings,
  };
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(doc, null, 2) + '\n');
}

/**
 * Run folders a killed run left half-built (`.<run>.partial`): we hold the lock, so their runs
 * are gone. They become `<run>.failed`, with a run.json saying so, for `recon runs`.
 */
function markInterruptedRuns(runsDir: string, own: string, log: Logger): void {
  for (const name of fs.readdirSync(runsDir)) {
    const match = /^\.(.+)\.partial$/.exec(name);
    if (!match || match[1] === own) continue;
    const id = match[1] as string;
    const target = path.join(runsDir, `${id}.failed`);
    fs.renameSync(path.join(runsDir, name), target);
    const json = path.join(target, 'run.json');
    if (!fs.existsSync(json)) {
      fs.writeFileSync(json, JSON.stringify({ run_id: id, status: 'failed', error: 'interrupted: the process ended before the run finished (killed or crashed); nothing was published', as_of: null, started_at: null, finished_at: null, pipeline: null, rows: null, rules: null, warnings: [] }, null, 2) + '\n');
    }
    log.warn({ run: id }, `run ${id} was interrupted; its folder is now ${path.basename(target)}`);
  }
}

/** Points `<out>/latest` at a run folder with an atomic rename of a fresh symlink. */
function pointLatest(output: string, target: string): void {
  const link = path.join(output, 'latest');
  const tmp = path.join(output, `.latest-${process.pid}`);
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(target, tmp);
  fs.renameSync(tmp, link);
}
