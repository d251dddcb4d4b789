/** What `generateInbox` takes and returns. */
import type { RuleId } from './truth.ts';
export interface GenerateOptions {
  employers: number;
  seed: number;
  /** The inbox folder. */
  out: string;
  /** The truth folder; default `<out>/../truth`. */
  truth?: string;
  /** As-of date D, `YYYY-MM-DD`; default 2026-10-31. */
  asOf?: string;
  /** `mixed` (default up to 20,000 employers) or `csv`. */
  formats?: 'mixed' | 'csv';
  /** Local parameters file; default `pipelines/local-params.yaml` of the project. */
  params?: string;
  /** Prefecture-level city code (4 digits); default 3205 苏州市. */
  city?: string;
  /** Also write the year's targets per district (目标任务_<year>.csv); the other files do not change. */
  targets?: boolean;
}

/** What a run wrote. */
export interface GenerateSummary {
  out: string;
  truth: string;
  asOf: string;
  closedMonth: string;
  formats: 'mixed' | 'csv';
  /** Mandatory insurance types at D (510 only when the parameters say maternity is separate). */
  mandatoryTypes: string[];
  employers: number;
  files: { file: string; kind: string; rows: number }[];
  findings: Record<RuleId, number>;
  scenarios: Record<string, number>;
  rejects: number;
  /** Employers whose evaluated findings differ from their scenario's expectation (should be empty). */
  mismatches: string[];
}
