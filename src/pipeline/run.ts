import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Logger } from '../core/log.ts';
import { createLogger } from '../core/log.ts';
import { AuditError, errorMessage } from '../core/errors.ts';
import { newRunId } from '../core/clock.ts';
import type { PipelineConfig } from '../config/pipeline-file.ts';
import { newRunContext, withDates, type RunContext } from '../config/context.ts';
import { Workspace } from './workspace.ts';
import { finishInterruptedPublish } from './recover.ts';
import { ingestFiles, inboxFiles, walkInbox, type IngestSummary } from '../ingest/stage.ts';
import { acquireLock } from './lock.ts';
import { ident, literal } from '../core/sql.ts';
import { KINDS, PERSON_KINDS, PROJECT_KINDS, type Kind } from '../sources/index.ts';
import { loadReferenceTables } from '../reference/load.ts';
import { linkEmployers, type LinkSummary } from '../link/stage.ts';
import { resolveRules, runRules, type RulesSummary } from '../rules/runner.ts';
import { updateCases, type CaseCounts } from '../cases/cases.ts';
import { applyFeedback, type FeedbackSummary } from '../cases/feedback.ts';
import { storeDecisions, type DecisionSummary } from '../cases/link-decisions.ts';
import { isReviewFileName } from '../cases/review-layout.ts';
import { publishRun } from '../publish/stage.ts';
import type { WorklistSummary } from '../publish/worklists.ts';
import { textList, type Db } from '../db/database.ts';
import { recordRunDates, recordRunEnd, recordRunStart } from '../db/runs.ts';

export type RunStatus = 'succeeded' | 'warnings' | 'failed';

export interface RunResult {
  runId: string;
  status: RunStatus;
  /** D; empty until the run's dates are fixed (after ingest). */
  asOf: string;
  outputDir: string;
  ingest?: IngestSummary;
  link?: LinkSummary;
  rules?: RulesSummary;
  cases?: CaseCounts;
  feedback?: FeedbackSummary;
  /** Decisions on review pairs read from returned review workbooks (<inbox>/feedback/待人工确认*.xlsx). */
  decisions?: DecisionSummary;
  worklists?: WorklistSummary;
  /** 社会保险登记告知书 sent in this run. */
  notices?: number;
  warnings: string[];
  error?: string;
  /** The kinds with current data when the run was audited (kept on its row for the next run's audit). */
  currentKinds?: Kind[];
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
 * `recon run`: the stages in order, on a staging copy of the database and into a staging
 * output folder; both are published only when every stage passed. A failed run leaves the
 * published database, the run folders and `latest` as they were, and keeps its own folder as
 * `<run_id>.failed` with its log and run.json for the post-mortem.
 *
 * The order: the lock comes first, before anything is written (a run refused because another
 * holds the database leaves no run folder, no row for `recon runs` and nothing for `recon
 * retry`; exit 4). Then ingest, link, feedback, rules and cases; then the audit and the run's
 * outcome on its row in `runs` (status, finish time, counts), and only then the publish stage,
 * so the ledger it writes shows the run as it is published. Warnings publishing adds (none
 * today) still reach the row, run.json and the exit code. The lock is held until the run
 * folder and `latest` are in place.
 */
export async function runPipeline(pipeline: PipelineConfig, options: RunOptions = {}): Promise<RunResult> {
  // Checked before anything is touched: a bad rules section exits 2 with nothing locked or written.
  resolveRules(pipeline.rules);
  const runId = newRunId();
  const runsDir = path.join(pipeline.output, 'runs');
  const partial = path.join(runsDir, `.${runId}.partial`);
  fs.mkdirSync(path.dirname(pipeline.database), { recursive: true });
  // A LockError here has written nothing: no folder, no log file (the CLI prints the message).
  const lock = acquireLock(pipeline.database, runId, 'run');
  let logger: Logger;
  try {
    fs.mkdirSync(partial, { recursive: true });
    logger =
      options.logger ??
      createLogger({
        file: path.join(partial, 'run.log'),
        ...(options.logLevel ? { level: options.logLevel } : {}),
        ...(options.terminal !== undefined ? { terminal: options.terminal } : {}),
      });
  } catch (error) {
    lock.release();
    throw error;
  }
  const ctx = newRunContext(pipeline, { command: 'run', runId, runDir: partial, logger: logger.child({ run: runId }) });
  const log = ctx.logger;
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  const result: RunResult = { runId, status: 'failed', asOf: pipeline.asOf ?? '', outputDir: partial, warnings, timings, peakRssMb: {} };
  const memory = new RssSampler(result.peakRssMb);
  const stage = <T>(name: string, fn: () => Promise<T>): Promise<T> => timed([timings, memory], name, fn, log);
  log.info({ pipeline: pipeline.file, inbox: pipeline.inbox, database: pipeline.database }, `run ${runId} started`);
  if (lock.tookOver) {
    const held = lock.tookOver;
    log.warn({ lock: `${pipeline.database}.lock`, holder: held }, `took over the stale lock of run ${held.runId} (pid ${held.pid}), which no longer runs`);
  }

  let workspace: Workspace | undefined;
  let committed = false;
  const finalDir = path.join(runsDir, runId);
  try {
    // Opening copies the published database into staging: at city size that copy is measured too.
    workspace = await stage('open', () => Workspace.open(ctx, lock));
    const db = workspace.db;
    await recordRunStart(db, ctx);
    await finishInterruptedPublish(db, pipeline.output, runId, log);
    markInterruptedRuns(runsDir, runId, log);
    await stage('reference', () => loadReferenceTables(db, pipeline.localParams));

    const files = inboxFiles(ctx);
    log.info({ files: files.length }, `ingest: ${files.length} file(s) in the inbox`);
    const ingest = await stage('ingest', () =>
      ingestFiles(db, ctx, { files, inbox: pipeline.inbox, ...(options.onProgress ? { onProgress: options.onProgress } : {}) }),
    );
    result.ingest = ingest;
    for (const r of ingest.results) {
      if (r.status === 'refused') warnings.push(`refused ${path.basename(r.file)}: ${r.message}`);
      else if (r.status === 'duplicate' && r.sameRun) warnings.push(`duplicate ${path.basename(r.file)}: ${r.message}`);
      else if (r.status === 'loaded') for (const w of r.warnings ?? []) warnings.push(`loaded ${path.basename(r.file)} in part: ${w}`);
    }
    // The dates are fixed here, once: D is the file's or the flag's, else the data's (see latestSnapshotDate).
    const dated = withDates(ctx, pipeline.asOf ?? (await latestSnapshotDate(db)) ?? ctx.startedAt.toISOString().slice(0, 10));
    result.asOf = dated.dates.asOf;
    await recordRunDates(db, runId, dated.dates);
    const feedbackDir = path.join(pipeline.inbox, 'feedback');
    const feedbackEntries = fs.existsSync(feedbackDir) ? walkInbox(feedbackDir, ['**/*.xlsx']) : [];
    for (const e of feedbackEntries) {
      if (!e.refusal) continue;
      log.warn({ file: path.basename(e.file) }, e.refusal.message);
      warnings.push(`feedback: refused ${path.basename(e.file)}: ${e.refusal.message}`);
    }
    const handedBack = feedbackEntries.filter((e) => !e.refusal).map((e) => e.file);
    // Decisions on review pairs (待人工确认*.xlsx) before linking: the linker applies them before its name steps.
    result.decisions = await stage('decisions', () => storeDecisions(db, dated, handedBack.filter(isReviewFileName), { asOf: dated.dates.asOf }));
    if (result.decisions.rejected > 0) warnings.push(`decisions: ${result.decisions.rejected} review row(s) rejected; see link_decision_rejects`);
    for (const r of result.decisions.refused) warnings.push(`decisions: refused ${path.basename(r.file)}: ${r.message}`);
    result.link = await stage('link', () => linkEmployers(db, dated));
    // Feedback before the rules: a case a grid worker verified as exempt stays out of this run's findings.
    const returned = handedBack.filter((f) => !isReviewFileName(f));
    result.feedback = await stage('feedback', () => applyFeedback(db, dated, returned, { asOf: dated.dates.asOf }));
    if (result.feedback.rejectedRows > 0) warnings.push(`feedback: ${result.feedback.rejectedRows} returned worklist row(s) rejected; see the feedback table`);
    for (const r of result.feedback.refusedFiles) warnings.push(`feedback: refused ${path.basename(r.file)}: ${r.message} (退回说明: ${r.returnNote})`);
    result.rules = await stage('rules', () => runRules(db, dated));
    result.cases = await stage('cases', () => updateCases(db, dated));

    // The audit reads only what ingest, link and the rules left; the outcome is on the run's row before publish writes the ledger.
    await stage('audit', () => audit(db, pipeline, result));
    result.status = warnings.length ? 'warnings' : 'succeeded';
    await recordRunEnd(db, runId, runOutcome(result, finalDir));
    const warned = warnings.length;
    const published = await stage('publish', () => publishRun(db, dated, (part, fn) => timed([timings, memory], part, fn), timings));
    result.notices = published.notices;
    result.worklists = published.worklists;
    if (warnings.length > warned) {
      result.status = 'warnings';
      await recordRunEnd(db, runId, runOutcome(result, finalDir));
    }
    writeRunJson(partial, pipeline, result, ctx);
    const ready = workspace;
    await stage('commit', () => ready.publish({ keepLock: true }));
    committed = true;
    fs.renameSync(partial, finalDir);
    result.outputDir = finalDir;
    pointLatest(pipeline.output, path.join('runs', runId));
    workspace = undefined;
    ready.release();
    log.info({ status: result.status, ms: Date.now() - ctx.startedAt.getTime() }, `run ${runId} published`);
    return result;
  } catch (error) {
    result.status = 'failed';
    result.error = errorMessage(error);
    try {
      if (committed) {
        // The database is published: the next run puts this folder in place (recover.ts).
        log.error({ err: result.error }, `run ${runId} published its database but not its folder; the next run finishes that`);
      } else {
        log.error({ err: result.error }, `run ${runId} failed; nothing was published`);
        writeRunJson(partial, pipeline, result, ctx);
        const failedDir = path.join(runsDir, `${runId}.failed`);
        fs.renameSync(partial, failedDir);
        result.outputDir = failedDir;
      }
    } finally {
      // The lock last: a run starting meanwhile must not find this run's folder half-renamed.
      if (workspace) workspace.abandon();
      else if (!committed) lock.release();
    }
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { run: result });
  }
}

/** What the run records on its row in `runs`. */
function runOutcome(r: RunResult, outputDir: string): Parameters<typeof recordRunEnd>[2] {
  const ingest = r.ingest;
  return {
    status: r.status === 'failed' ? 'failed' : r.status,
    outputDir,
    filesLoaded: ingest?.loaded ?? 0,
    filesRefused: ingest?.refused ?? 0,
    filesSkipped: ingest?.duplicates ?? 0,
    rowsLoaded: ingest?.rowsLoaded ?? 0,
    rowsRejected: ingest?.rowsRejected ?? 0,
    summary: {
      timings: r.timings,
      warnings: r.warnings,
      byKind: ingest?.byKind,
      link: r.link,
      ...(r.rules ? { findings: r.rules.findings } : {}),
      ...(r.currentKinds ? { current_kinds: r.currentKinds } : {}),
    },
  };
}

/** The kinds whose data the rules find employers in (the grid roster, the targets and the optional person-level and project kinds are not). */
const OPTIONAL_KINDS: readonly Kind[] = [...PERSON_KINDS, ...PROJECT_KINDS];
const SOURCE_KINDS: readonly Kind[] = KINDS.filter((k) => k !== 'grid_roster' && k !== 'targets' && !OPTIONAL_KINDS.includes(k));

/**
 * The checks between building and publishing. They read only what ingest, link and the rules
 * left (the publish stage comes after them). The run fails (exit 1, nothing published, the
 * previous state stays) when:
 *
 * - a file has more than `audit.rejects_fail` of its rows rejected (more than `rejects_warn`
 *   is a warning);
 * - the employers fall by more than `audit.max_employer_drop` against the last published run
 *   (a half-delivered inbox must not empty the worklists);
 * - sources went missing: a kind the last published run had current data for has none now;
 * - findings jump while files were refused: more than `audit.max_findings_rise` (+50%) over
 *   the last published run's while any file of this run was refused. A jump with nothing
 *   refused is growth (a new district delivered) and passes; one with a refused file is most
 *   likely that file's data missing (a full disk refused the payment workbook, and every
 *   employer looked like a non-payer). The message names the refused files;
 * - on a first run (nothing published to compare with): a file was refused that may be the
 *   only delivery of a source (its kind was not recognised, or is a kind with no data) while
 *   some source kind (not the grid roster or targets) has no data at all. A first run without,
 *   say, civil-affairs data and without refusals publishes.
 */
async function audit(db: Db, pipeline: PipelineConfig, r: RunResult): Promise<void> {
  const problems: string[] = [];
  for (const x of r.ingest?.results ?? []) {
    if (x.status !== 'loaded' || x.rowsRead === 0) continue;
    const share = x.rowsRejected / x.rowsRead;
    const name = path.basename(x.file);
    const pct = `${(share * 100).toFixed(1)}%`;
    if (share > pipeline.audit.rejectsFail) problems.push(`${name}: ${pct} of its rows were rejected (fail threshold ${pipeline.audit.rejectsFail * 100}%)`);
    else if (share > pipeline.audit.rejectsWarn)
      r.warnings.push(`${name}: ${pct} of its rows were rejected (warn threshold ${pipeline.audit.rejectsWarn * 100}%); see rejects`);
  }
  const previous = await db.one<{ run_id: string; employers: number | null; kinds: string | null }>(
    `SELECT run_id, CAST(json_extract(summary, '$.link.employers') AS INTEGER) AS employers,
            CAST(json_extract(summary, '$.current_kinds') AS VARCHAR) AS kinds
     FROM runs WHERE command = 'run' AND status IN ('succeeded', 'warnings') AND run_id <> $run ORDER BY started_at DESC LIMIT 1`,
    { run: r.runId },
    { step: 'audit.previous' },
  );
  const before = previous?.employers ?? 0;
  const now = r.link?.employers ?? 0;
  if (before > 0 && now < (1 - pipeline.audit.maxEmployerDrop) * before) {
    problems.push(
      `employers fell from ${before} to ${now} against the last published run (more than ${pipeline.audit.maxEmployerDrop * 100}%): an export is probably missing or cut`,
    );
  }

  const present = await currentKinds(db);
  r.currentKinds = present;
  const refused = (r.ingest?.results ?? []).filter((x) => x.status === 'refused');
  const refusedNames = refused.map((x) => `"${path.basename(x.file)}"`).join(', ');
  const becauseRefused = refused.length
    ? `; refused in this run: ${refusedNames} (see run.json for why). Make them readable and deliver them again, or remove them from the inbox, and run again`
    : '';
  if (previous) {
    // Kinds the last published run had current data for: recorded on its row, else (a run of an
    // older version) every kind a file was loaded for up to it (current data only ever gives
    // way to a later file of the same kind).
    const had = previous.kinds
      ? (JSON.parse(previous.kinds) as string[])
      : (
          await db.all<{ kind: string }>(
            `SELECT DISTINCT kind FROM manifest WHERE status = 'loaded' AND kind IS NOT NULL AND run_id <= $run ORDER BY kind`,
            { run: previous.run_id },
            { step: 'audit.previous_kinds' },
          )
        ).map((x) => x.kind);
    const gone = had.filter((k) => !present.includes(k as Kind));
    if (gone.length) {
      problems.push(
        `sources went missing: no current data now for ${gone.join(', ')}, which the last published run (${previous.run_id}) had${becauseRefused || '; was data deleted from the database?'}`,
      );
    }
    if (refused.length) {
      // Employer, person and project findings are compared apart: a refused payment file makes
      // the employer findings jump, and the person findings (a separate source) would hide it.
      const counts = await db.all<{ run_id: string; subject: string; n: bigint }>(
        `SELECT run_id, CASE WHEN person_key <> '' THEN 'person' WHEN permit_no <> '' THEN 'project' ELSE 'employer' END AS subject, count(*) AS n
         FROM findings WHERE run_id IN ($previous, $run) GROUP BY ALL`,
        { previous: previous.run_id, run: r.runId },
        { step: 'audit.findings' },
      );
      const rise = pipeline.audit.maxFindingsRise;
      for (const subject of ['employer', 'person', 'project']) {
        const was = Number(counts.find((c) => c.run_id === previous.run_id && c.subject === subject)?.n ?? 0);
        const is = Number(counts.find((c) => c.run_id === r.runId && c.subject === subject)?.n ?? 0);
        if (was > 0 && is > (1 + rise) * was) {
          const what = subject === 'employer' ? 'findings' : `${subject} findings`;
          problems.push(
            `${what} rose from ${was} to ${is} against the last published run (${previous.run_id}), more than ${Math.round(rise * 100)}%, while ${refused.length} file(s) were refused: their data is probably missing${becauseRefused}. If the growth is real, raise audit.max_findings_rise in the pipeline file for this run`,
          );
        }
      }
    }
  } else if (refused.length) {
    const empty = SOURCE_KINDS.filter((k) => !present.includes(k));
    const suspects = refused.filter((x) => x.kind === undefined || empty.includes(x.kind));
    if (empty.length && suspects.length) {
      problems.push(
        `first run, and no data at all for ${empty.join(', ')} while ${suspects.length} file(s) that may be that data were refused (${suspects.map((x) => `"${path.basename(x.file)}"`).join(', ')}): the findings would be built on missing sources. Make them readable and deliver them again, or remove them from the inbox, and run again`,
      );
    }
  }
  if (problems.length) {
    throw new AuditError(
      `The run failed its checks and published nothing:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix the inputs (or the thresholds under audit: in the pipeline file) and run again.`,
      { problems },
    );
  }
}

/** The kinds with any current data (a row in `<kind>_current`). */
async function currentKinds(db: Db): Promise<Kind[]> {
  const found = await db.all<{ kind: Kind }>(
    KINDS.map((k) => `SELECT ${literal(k)} AS kind WHERE EXISTS (SELECT 1 FROM ${ident(`${k}_current`)})`).join(' UNION ALL '),
    undefined,
    { step: 'audit.current_kinds' },
  );
  return KINDS.filter((k) => found.some((f) => f.kind === k));
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

async function timed<T>([timings, memory]: [Record<string, number>, RssSampler], stage: string, fn: () => Promise<T>, log?: Logger): Promise<T> {
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
 * docs/rules.md: the as-of date defaults to the latest snapshot date. Read as the latest date every
 * source has a snapshot for: when only the registry has come in for November, the payment and
 * withholding ledgers still end in October, and reasoning about November would turn every
 * employer into a non-declarer.
 */
async function latestSnapshotDate(db: Db): Promise<string | undefined> {
  const row = await db.one<{ d: Date | null }>(
    `SELECT min(latest) AS d FROM (
       SELECT kind, max(as_of) AS latest FROM manifest WHERE status = 'loaded' AND kind NOT IN ('grid_roster', 'targets') AND NOT list_contains($1::VARCHAR[], kind) GROUP BY kind)`,
    // The person-level rolls and the project registers come at their own pace (the residents' pension once a year): they do not hold the date back.
    [textList(OPTIONAL_KINDS)],
  );
  return row?.d ? row.d.toISOString().slice(0, 10) : undefined;
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** run.json: what ran, on what, with what result; scripts read it instead of the log. */
function writeRunJson(dir: string, pipeline: PipelineConfig, r: RunResult, ctx: RunContext): void {
  const doc = {
    run_id: r.runId,
    status: r.status,
    error: r.error ?? null,
    pipeline: { file: pipeline.file, sha256: sha256File(pipeline.file) },
    as_of: r.asOf || null,
    as_of_requested: pipeline.asOf ?? null,
    started_at: ctx.startedAt.toISOString(),
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
    decisions: r.decisions ?? null,
    worklists: r.worklists ?? null,
    notices: r.notices ?? null,
    rules: r.rules
      ? {
          as_of: r.rules.asOf,
          closed_month: r.rules.month.slice(0, 7),
          versions: r.rules.rules,
          findings_per_rule: Object.fromEntries(Object.entries(r.rules.byRule).map(([id, x]) => [id, x.found])),
          exempted: r.rules.exemptions,
          cases: r.cases ?? null,
        }
      : null,
    timings_ms: r.timings,
    peak_rss_mb: r.peakRssMb,
    warnings: r.warnings,
  };
  fs.writeFileSync(path.join(dir, 'run.json'), `${JSON.stringify(doc, null, 2)}\n`);
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
      fs.writeFileSync(
        json,
        `${JSON.stringify(
          {
            run_id: id,
            status: 'failed',
            error: 'interrupted: the process ended before the run finished (killed or crashed); nothing was published',
            as_of: null,
            started_at: null,
            finished_at: null,
            pipeline: null,
            rows: null,
            rules: null,
            warnings: [],
          },
          null,
          2,
        )}\n`,
      );
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
