/** A rule parameter: a number with a default and bounds, changeable from the pipeline file. */
export interface RuleParam {
  default: number;
  description: string;
  min?: number;
  max?: number;
  integer?: boolean;
}

export type Severity = 'high' | 'medium' | 'low';

/**
 * A rule: metadata plus one SQL query. The query reads the run's facts (`employer_facts`,
 * `employer_withholding`, `employer_payments`, `employer_enrollment`) and named parameters
 * (`$as_of`, `$month`, `$floor`, `$rate_110`, ... and the rule's own, as `$p_<name>`), and
 * returns one row per employer it finds, with the columns of `RULE_OUTPUT_COLUMNS`.
 */
export interface RuleDefinition {
  id: string;
  /**
   * What a finding is about. `employer` (the default): one row per employer. `person`: one row
   * per person (and employer, where the finding belongs to one): the query also returns
   * `person_key`, with `employer_id` '' for a finding about the person alone; it reads the
   * person facts (`person_facts`, `person_jobs`, `person_months`, `person_assistance`) and
   * `$cap`, `$min_tier`, `$daijiao_year`, `$retirement_male`, `$retirement_female`.
   * `project`: one row per building permit: the query also returns `permit_no`, with
   * `employer_id` the contractor ('' when not linked); it reads `project_facts` and `$injury_rate`.
   */
  subject?: 'employer' | 'person' | 'project';
  /** Chinese title, shown to grid workers and in ledgers: 未参保 */
  title: string;
  description: string;
  /** Bumped when the SQL or the meaning changes; recorded in run.json. */
  version: number;
  params: Record<string, RuleParam>;
  /** Columns the SQL reads, as `table.column`, checked before any rule runs. */
  requires: string[];
  /** Whether the closed/revoked/moved-out exemption applies (docs/rules.md "Not findings"). */
  exemptWhenClosed: boolean;
  /** How the amount is computed, in words, kept with every finding. */
  amountFormula: string;
  sql: string;
}

/** The columns every rule query returns. */
export const RULE_OUTPUT_COLUMNS = ['employer_id', 'severity', 'amount', 'evidence', 'evidence_text'] as const;

/** The columns a person rule's query returns: those of every rule and the person's key. */
export const PERSON_RULE_OUTPUT_COLUMNS = [...RULE_OUTPUT_COLUMNS, 'person_key'] as const;

/** The columns a project rule's query returns: those of every rule and the permit's number. */
export const PROJECT_RULE_OUTPUT_COLUMNS = [...RULE_OUTPUT_COLUMNS, 'permit_no'] as const;
