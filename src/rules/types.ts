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
