import type { ColumnSpec, SourceContract } from './contract.ts';
import { ident, literal } from '../db/sql.ts';

/** The SQL type of each stored column of a kind's table, in order (provenance first). */
export function tableColumns(contract: SourceContract): Array<[name: string, type: string]> {
  const out: Array<[string, string]> = [
    ['file_id', 'INTEGER NOT NULL'],
    ['src_line', 'BIGINT NOT NULL'],
    ['as_of', 'DATE NOT NULL'],
  ];
  for (const c of contract.columns) {
    switch (c.type) {
      case 'text':
        out.push([c.name, 'VARCHAR']);
        break;
      case 'code':
        out.push([c.name, 'VARCHAR'], [`${c.name}_raw`, 'VARCHAR']);
        break;
      case 'date':
      case 'period':
        out.push([c.name, 'DATE']);
        break;
      case 'money':
        out.push([c.name, 'DECIMAL(18,2)']);
        break;
      case 'int':
        out.push([c.name, 'INTEGER']);
        break;
      case 'capital':
        out.push([c.name, 'VARCHAR'], [`${c.name}_wan`, 'DECIMAL(18,4)'], [`${c.name}_currency`, 'VARCHAR']);
        break;
      case 'enum':
        out.push([c.name, 'VARCHAR'], [c.classColumn ?? `${c.name}_class`, 'VARCHAR']);
        break;
    }
  }
  return out;
}

/**
 * `CASE x WHEN 'a' THEN 'b' ... END` over the contract's own constant mapping. The key is bound
 * once through a lambda: a plain CASE repeats `x` (a macro expansion) in every arm, and
 * planning that took 0.3 s per enum column.
 */
function enumCase(keyExpr: string, values: Record<string, string>): string {
  const arms = Object.entries(values).map(([from, to]) => `WHEN ${literal(from)} THEN ${literal(to)}`);
  return `list_transform([${keyExpr}], lambda k: CASE k ${arms.join(' ')} END)[1]`;
}

/** The typed expressions (name, SQL) of one column over the raw text column `raw`. */
function typedExpressions(c: ColumnSpec, raw: string): Array<[string, string]> {
  switch (c.type) {
    case 'text':
      return [[c.name, `recon_blank(${raw})`]];
    case 'code':
      return [[c.name, `recon_code(${raw})`], [`${c.name}_raw`, `recon_blank(${raw})`]];
    case 'date':
      return [[c.name, `recon_date(${raw})`]];
    case 'period':
      return [[c.name, `recon_period(${raw})`]];
    case 'money':
      return [[c.name, `recon_money(${raw})`]];
    case 'int':
      return [[c.name, `recon_int(${raw})`]];
    case 'capital':
      return [
        [c.name, `recon_blank(${raw})`],
        [`${c.name}_wan`, `recon_capital_amount(${raw})`],
        [`${c.name}_currency`, `recon_capital_currency(${raw})`],
      ];
    case 'enum':
      return [
        [c.name, `recon_enum_key(${raw})`],
        [c.classColumn ?? `${c.name}_class`, enumCase(`recon_enum_key(${raw})`, c.values ?? {})],
      ];
  }
}

/** Whether a non-empty value failed to type (NULL after typing). */
function unreadable(c: ColumnSpec, raw: string): string | undefined {
  const typed = typedExpressions(c, raw);
  switch (c.type) {
    case 'date':
    case 'period':
    case 'money':
    case 'int':
      return `(recon_blank(${raw}) IS NOT NULL AND ${typed[0]?.[1]} IS NULL)`;
    case 'capital':
      return `(recon_blank(${raw}) IS NOT NULL AND recon_capital_amount(${raw}) IS NULL)`;
    case 'enum':
      return `(recon_blank(${raw}) IS NOT NULL AND ${typed[1]?.[1]} IS NULL)`;
    default:
      return undefined;
  }
}

const TYPE_REASON: Record<string, string> = {
  date: 'unreadable date',
  period: 'unreadable period',
  money: 'unreadable amount',
  int: 'unreadable whole number',
  capital: 'unreadable capital',
  enum: 'unknown value',
};

export interface NormalisePlan {
  /** SELECT list producing the stored columns (after file_id, src_line, as_of). */
  select: string[];
  /** A CASE expression giving the first reason a row is rejected, or NULL. */
  rejectReason: string;
  /** A CASE expression giving the column of that reason. */
  rejectColumn: string;
  /** Per optional typed column: the condition of a value that was nulled or kept unmapped. */
  valueIssues: Array<{ column: string; condition: string; reason: string; action: 'nulled' | 'kept' }>;
}

/**
 * Builds the normalising SQL of a contract for one file: `columns` maps each canonical column
 * present in the file to the SQL expression of the raw text holding it (a quoted column). Required values that are empty or
 * unreadable reject the row; optional values that are unreadable are nulled and reported; an
 * enum value nobody knows is kept as written and reported (never mapped silently).
 */
export function planNormalise(contract: SourceContract, columns: Record<string, string>): NormalisePlan {
  const select: string[] = [];
  const reasons: string[] = [];
  const reasonColumns: string[] = [];
  const valueIssues: NormalisePlan['valueIssues'] = [];
  for (const c of contract.columns) {
    const rawName = columns[c.name];
    const raw = rawName ?? 'CAST(NULL AS VARCHAR)';
    for (const [name, expr] of typedExpressions(c, raw)) select.push(`${expr} AS ${ident(name)}`);
    if (rawName === undefined) continue;
    const bad = unreadable(c, raw);
    if (c.required) {
      reasons.push(`WHEN recon_blank(${raw}) IS NULL THEN 'missing required value'`);
      reasonColumns.push(`WHEN recon_blank(${raw}) IS NULL THEN ${literal(c.name)}`);
      // An unknown enum value in a required column is kept and reported, not rejected:
      // dropping an enrollment row would make an insured employer look uninsured.
      if (bad && c.type !== 'enum') {
        reasons.push(`WHEN ${bad} THEN ${literal(TYPE_REASON[c.type] ?? 'unreadable value')}`);
        reasonColumns.push(`WHEN ${bad} THEN ${literal(c.name)}`);
      }
    }
    if (bad && (!c.required || c.type === 'enum')) {
      valueIssues.push({
        column: c.name,
        condition: bad,
        reason: TYPE_REASON[c.type] ?? 'unreadable value',
        action: c.type === 'enum' ? 'kept' : 'nulled',
      });
    }
  }
  const rejectReason = reasons.length ? `CASE ${reasons.join(' ')} END` : 'CAST(NULL AS VARCHAR)';
  const rejectColumn = reasonColumns.length ? `CASE ${reasonColumns.join(' ')} END` : 'CAST(NULL AS VARCHAR)';
  return { select, rejectReason, rejectColumn, valueIssues };
}
