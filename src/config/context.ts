import type { Logger } from '../core/log.ts';
import type { PipelineConfig } from './pipeline-file.ts';

/**
 * The dates a run reasons about (docs/rules.md, "Terms"), fixed once when the as-of date is
 * known and recorded on the run's row in `runs`; nothing downstream computes a date again.
 */
export interface RunDates {
  /** D, YYYY-MM-DD. */
  readonly asOf: string;
  /** M, the closed month, as its first day YYYY-MM-01. */
  readonly closedMonth: string;
  /** Days after its end before a month counts as closed. */
  readonly lagDays: number;
  /** Employers established fewer days than this before D are not findings. */
  readonly minAgeDays: number;
}

/**
 * Everything a stage needs to know about the run it is part of, built once at the edge (the
 * CLI) from the flags and the pipeline file. Stages take it instead of their own options.
 */
export interface RunContext {
  readonly runId: string;
  /** The command the run belongs to: run, ingest, feedback, audit-sample, upgrade. */
  readonly command: string;
  readonly pipeline: PipelineConfig;
  readonly logger: Logger;
  readonly startedAt: Date;
  /** The folder this run's outputs are built in (`runs/.<run>.partial` for `recon run`). */
  readonly runDir: string;
}

/** A run context once its dates are fixed (after ingest: the default as-of date is the data's). */
export interface DatedRunContext extends RunContext {
  readonly dates: RunDates;
}

/**
 * The closed month M: the last calendar month that ended at least `lagDays` before the as-of
 * date. Returned as its first day, YYYY-MM-01.
 */
export function closedMonth(asOf: string, lagDays: number): string {
  const d = new Date(`${asOf}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - lagDays);
  // d is the latest day a month may end on; that month is d's own when d is its last day.
  const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
  const monthsBack = next.getUTCDate() === 1 ? 0 : 1;
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1));
  return m.toISOString().slice(0, 10);
}

/** The run's dates for as-of date `asOf`, with the lag and minimum age of the pipeline's rules. */
export function runDates(pipeline: PipelineConfig, asOf: string): RunDates {
  const { lagDays, minAgeDays } = pipeline.rules;
  return { asOf, closedMonth: closedMonth(asOf, lagDays), lagDays, minAgeDays };
}

/** The context with its dates fixed. */
export function withDates(ctx: RunContext, asOf: string): DatedRunContext {
  return { ...ctx, dates: runDates(ctx.pipeline, asOf) };
}

/** A new run's context; `runDir` defaults to the output folder (commands that write no run folder). */
export function newRunContext(
  pipeline: PipelineConfig,
  options: { command: string; logger: Logger; runId: string; runDir?: string; startedAt?: Date },
): RunContext {
  return {
    runId: options.runId,
    command: options.command,
    pipeline,
    logger: options.logger,
    startedAt: options.startedAt ?? new Date(),
    runDir: options.runDir ?? pipeline.output,
  };
}
