import type { Db } from './database.ts';
import type { RunContext, RunDates } from '../config/context.ts';

/** What a finished command records on its row in `runs`. */
export interface RunOutcome {
  status: 'succeeded' | 'warnings' | 'failed';
  outputDir?: string;
  filesLoaded?: number;
  filesRefused?: number;
  filesSkipped?: number;
  rowsLoaded?: number;
  rowsRejected?: number;
  /** JSON for the `summary` column. */
  summary?: unknown;
}

/**
 * The one writer of `runs`. A command's row is inserted when it starts (status `running`),
 * gets the run's dates once they are fixed, and its outcome when it ends. The row lives in the
 * staging database, so a run that fails leaves no row behind in the published one.
 */
export async function recordRunStart(db: Db, ctx: RunContext): Promise<void> {
  await db.run(
    `INSERT INTO runs (run_id, pipeline, command, started_at, status) VALUES ($run, $pipeline, $command, CAST($started AS TIMESTAMP), 'running')`,
    { run: ctx.runId, pipeline: ctx.pipeline.file, command: ctx.command, started: ctx.startedAt.toISOString().replace('T', ' ').replace('Z', '') },
    { step: 'runs.start' },
  );
}

/** The dates the run reasons about, for the views that need them (`ledger_selected`). */
export async function recordRunDates(db: Db, runId: string, dates: RunDates): Promise<void> {
  await db.run(
    `UPDATE runs SET as_of = CAST($as_of AS DATE), closed_month = CAST($month AS DATE), lag_days = $lag, min_age_days = $min_age WHERE run_id = $run`,
    { run: runId, as_of: dates.asOf, month: dates.closedMonth, lag: dates.lagDays, min_age: dates.minAgeDays },
    { step: 'runs.dates' },
  );
}

/** The outcome of the command, before it publishes. */
export async function recordRunEnd(db: Db, runId: string, outcome: RunOutcome): Promise<void> {
  await db.run(
    // UTC, as started_at (current_timestamp would be cast to the machine's zone: 8 hours off in Suzhou).
    `UPDATE runs SET finished_at = CAST(timezone('UTC', current_timestamp) AS TIMESTAMP), status = $status, output_dir = $out, files_loaded = $loaded, files_refused = $refused,
       files_skipped = $skipped, rows_loaded = $rows_loaded, rows_rejected = $rows_rejected, summary = $summary
     WHERE run_id = $run`,
    {
      run: runId,
      status: outcome.status,
      out: outcome.outputDir ?? null,
      loaded: outcome.filesLoaded ?? null,
      refused: outcome.filesRefused ?? null,
      skipped: outcome.filesSkipped ?? null,
      rows_loaded: outcome.rowsLoaded ?? null,
      rows_rejected: outcome.rowsRejected ?? null,
      summary: outcome.summary === undefined ? null : JSON.stringify(outcome.summary),
    },
    { step: 'runs.end' },
  );
}
