/** What `generateInbox` takes and returns. */
import type { RuleId } from './truth.ts';
import type { PersonSummary } from './persons.ts';
import type { ProjectSummary } from './projects.ts';
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
  /**
   * Write the person-level exports (iit_detail, si_person, resident_pension, assistance rolls) and
   * truth/person_findings.csv, person_cases.csv; the employer files do not change. Default: see
   * `personsByDefault()` in generate.ts.
   */
  persons?: boolean;
  /**
   * Write the project exports (建筑工程施工许可, 工伤保险项目参保) and truth/project_findings.csv,
   * project_cases.csv, project_ledger.csv; the employer and person files do not change.
   */
  projects?: boolean;
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
  /** Every file written; person files also give their header row. */
  files: { file: string; kind: string; rows: number; headers?: string[] }[];
  findings: Record<RuleId, number>;
  scenarios: Record<string, number>;
  rejects: number;
  /** Employers (and planted people, `person ...`) whose evaluated findings differ from their scenario's expectation (should be empty). */
  mismatches: string[];
  /** The person part of the run, when people were written. */
  persons?: PersonSummary;
  /** The project part of the run, when projects were written. */
  projects?: ProjectSummary;
  /** Planted linking cases per hard_cases label (tools/generator/link-cases.ts), and background employers given former names. */
  linkCases?: Record<string, number>;
}
