import type { ColumnSpec, SourceContract } from './contract.ts';
import { ident, literal } from '../core/sql.ts';

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
  // The key is a column (blanked once) or a cheap fold of one: a plain CASE, no lambda binding.
  return `CASE ${keyExpr} ${arms.join(' ')} END`;
}

/** The mapping plus the same keys as people type them with full-width separators (吊销，未注销). */
function withFullWidth(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...values };
  for (const [k, v] of Object.entries(values)) {
    const wide = k.replaceAll(',', '，').replaceAll('(', '（').replaceAll(')', '）');
    if (!(wide in out)) out[wide] = v;
  }
  return out;
}

/** The column holding the fast parse of a date or period (a plain cast of the common spellings). */
function fastColumn(name: string): string {
  return ident(`_f_${name}`);
}

/** The column holding a value after blanking (trimmed, empty markers to NULL). */
export function blankColumn(name: string): string {
  return ident(`_b_${name}`);
}

/** The typed expressions (name, SQL) of one column over its blanked text `b`. */
function typedExpressions(c: ColumnSpec, b: string): Array<[string, string]> {
  switch (c.type) {
    case 'text':
      return [[c.name, b]];
    case 'code':
      return [
        [c.name, `recon_code_b(${b})`],
        [`${c.name}_raw`, b],
      ];
    case 'date':
    case 'period': {
      // The fast parse was made one layer down (see `fast`); the slow one runs only where it failed.
      const f = fastColumn(c.name);
      // NULL where the fast parse worked: the slow macros then skip their lambdas (see macros.ts).
      const input = `CASE WHEN ${f} IS NULL THEN ${b} END`;
      const slow = c.type === 'date' ? `recon_date(${input})` : `recon_period_b(${input})`;
      if (b.startsWith('CAST(NULL')) return [[c.name, 'CAST(NULL AS DATE)']];
      return [[c.name, `CASE WHEN ${f} BETWEEN DATE '1900-01-01' AND DATE '2099-12-31' THEN ${f} WHEN ${f} IS NULL THEN ${slow} END`]];
    }
    case 'money':
      return [[c.name, `recon_money_b(${b})`]];
    case 'int':
      return [[c.name, `recon_int_b(${b})`]];
    case 'capital':
      return [
        [c.name, b],
        [`${c.name}_wan`, `recon_capital_amount(${b})`],
        [`${c.name}_currency`, `recon_capital_currency(${b})`],
      ];
    case 'enum': {
      // Values written exactly as listed (or with full-width separators) map directly; only
      // the rest are folded (width, separators, spaces) before mapping.
      const values = withFullWidth(c.values ?? {});
      const direct = enumCase(b, values);
      return [
        [c.name, `CASE WHEN ${direct} IS NOT NULL THEN ${b} ELSE recon_enum_key(${b}) END`],
        [c.classColumn ?? `${c.name}_class`, `CASE WHEN ${direct} IS NOT NULL THEN ${direct} ELSE ${enumCase(`recon_enum_key(${b})`, values)} END`],
      ];
    }
  }
}

/** Whether a non-empty value failed to type, over the typed table's own columns. */
function unreadable(c: ColumnSpec): string | undefined {
  const b = blankColumn(c.name);
  switch (c.type) {
    case 'date':
    case 'period':
    case 'money':
    case 'int':
      return `(${b} IS NOT NULL AND ${ident(c.name)} IS NULL)`;
    case 'capital':
      return `(${b} IS NOT NULL AND ${ident(`${c.name}_wan`)} IS NULL)`;
    case 'enum':
      return `(${b} IS NOT NULL AND ${ident(c.classColumn ?? `${c.name}_class`)} IS NULL)`;
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
  /** First layer: each mapped raw column blanked once, as `_b_<name>`. */
  blank: string[];
  /** Between the first and second layers: fast parses of dates and periods, as `_f_<name>`. */
  fast: string[];
  /** Second layer: the stored columns (after file_id, src_line, as_of), typed from the blanked ones. */
  select: string[];
  /** Third layer: a CASE expression giving the first reason a row is rejected, or NULL. */
  rejectReason: string;
  /** Third layer: a CASE expression giving the column of that reason. */
  rejectColumn: string;
  /** Per optional typed column: the condition (over the typed table) of a value that was nulled or kept unmapped. */
  valueIssues: Array<{ column: string; condition: string; reason: string; action: 'nulled' | 'kept' }>;
}

/**
 * Builds the normalising SQL of a contract for one file: `columns` maps each canonical column
 * present in the file to the SQL expression of the raw text holding it (a quoted column).
 * Three layers, so every value is blanked once and typed once: a million-row file is typed in
 * seconds, not minutes. Required values that are empty or unreadable reject the row; optional
 * values that are unreadable are nulled and reported; an enum value nobody knows is kept as
 * written and reported (never mapped silently).
 */
export function planNormalise(contract: SourceContract, columns: Record<string, string>): NormalisePlan {
  const blank: string[] = [];
  const fast: string[] = [];
  const select: string[] = [];
  const reasons: string[] = [];
  const reasonColumns: string[] = [];
  const valueIssues: NormalisePlan['valueIssues'] = [];
  for (const c of contract.columns) {
    const rawName = columns[c.name];
    const b = rawName === undefined ? 'CAST(NULL AS VARCHAR)' : blankColumn(c.name);
    if (rawName !== undefined) blank.push(`recon_blank(${rawName}) AS ${blankColumn(c.name)}`);
    if (rawName !== undefined && (c.type === 'date' || c.type === 'period')) {
      fast.push(`${c.type === 'date' ? 'recon_date_fast' : 'recon_period_fast'}(${blankColumn(c.name)}) AS ${fastColumn(c.name)}`);
    }
    for (const [name, expr] of typedExpressions(c, b)) select.push(`${expr} AS ${ident(name)}`);
    if (rawName === undefined) continue;
    const bad = unreadable(c);
    if (c.required) {
      reasons.push(`WHEN ${b} IS NULL THEN 'missing required value'`);
      reasonColumns.push(`WHEN ${b} IS NULL THEN ${literal(c.name)}`);
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
  return { blank, fast, select, rejectReason, rejectColumn, valueIssues };
}
