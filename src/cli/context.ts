import { createLogger } from '../core/log.ts';
import { newRunId } from '../core/clock.ts';
import { loadPipeline, type PipelineOverrides } from '../config/pipeline-file.ts';
import { newRunContext, type RunContext } from '../config/context.ts';

/** The run context of a command that changes the database (ingest, feedback, audit-sample, upgrade): built once, here at the edge. */
export function commandContext(command: string, pipelineFile: string, overrides: PipelineOverrides = {}): RunContext {
  const pipeline = loadPipeline(pipelineFile, overrides);
  return newRunContext(pipeline, { command, runId: newRunId(), logger: createLogger() });
}
