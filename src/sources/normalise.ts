import { rangeEnd, type ColumnSpec, type SourceContract } from './contract.ts';
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
      case 'resident_id':
        out.push([c.name, 'VARCHAR'], [`${c.name}_raw`, 'VARCHAR'], [ID_ISSUE_COLUMN, 'VARCHAR']);
        break;
    }
  }
  return out;
}

/** The column of a `resident_id` that says why the number is not a valid resident ID (NULL when it is). */
export const ID_ISSUE_COLUMN = 'id_issue';

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

/**
 * The class of an enum column over its blanked text `b`: listed values as written (or with
 * full-width separators) directly, the rest after folding; `classWhenEmpty` for an empty value,
 * `classOtherwise` for a value no mapping knows.
 */
function enumClass(c: ColumnSpec, b: string): string {
  const values = withFullWidth(c.values ?? {});
  const direct = enumCase(b, values);
  const folded = enumCase(`recon_enum_key(${b})`, values);
  const empty = c.classWhenEmpty === undefined ? '' : `WHEN ${b} IS NULL THEN ${literal(c.classWhenEmpty)} `;
  const rest = c.classOtherwise === undefined ? folded : `coalesce(${folded}, ${literal(c.classOtherwise)})`;
  return `CASE ${empty}WHEN ${direct} IS NOT NULL THEN ${direct} ELSE ${rest} END`;
}

/** The columns holding the parts of a resident ID: folded text, 17-digit body, check character, birth date. */
function idParts(name: string): { f: string; n: string; c: string; bd: string; resident: string; issue: string } {
  return {
    f: ident(`_f_${name}`),
    n: ident(`_n_${name}`),
    c: ident(`_c_${name}`),
    bd: ident(`_d_${name}`),
    resident: ident(`_k_${name}`),
    issue: ident(`_i_${name}`),
  };
}

/** A date or period over its blanked text `b` and its fast parse `f`. */
function dateExpression(type: 'date' | 'period', b: string, f: string): string {
  // The fast parse was made one layer down (see `fast`); the slow one runs only where it failed.
  // NULL where the fast parse worked: the slow macros then skip their lambdas (see macros.ts).
  const input = `CASE WHEN ${f} IS NULL THEN ${b} END`;
  const slow = type === 'date' ? `recon_date(${input})` : `recon_period_b(${input})`;
  return `CASE WHEN ${f} BETWEEN DATE '1900-01-01' AND DATE '2099-12-31' THEN ${f} WHEN ${f} IS NULL THEN ${slow} END`;
}

/**
 * The typed expressions (name, SQL) of one column over its blanked text `b`; `range` says that
 * a period is given as a pair of columns.
 */
function typedExpressions(c: ColumnSpec, b: string, range = false): Array<[string, string]> {
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
      if (b.startsWith('CAST(NULL')) return [[c.name, 'CAST(NULL AS DATE)']];
      if (range) {
        // A first and last day in one month: that month; spanning months: NULL (the row is rejected).
        const from = dateExpression(c.type, b, fastColumn(c.name));
        const to = dateExpression(c.type, blankColumn(rangeEnd(c.name)), fastColumn(rangeEnd(c.name)));
        return [[c.name, `CASE WHEN ${from} = ${to} THEN ${from} END`]];
      }
      return [[c.name, dateExpression(c.type, b, fastColumn(c.name))]];
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
        [c.classColumn ?? `${c.name}_class`, enumClass(c, b)],
      ];
    }
    case 'resident_id': {
      // The parts were computed layer by layer (planNormalise), once per row each.
      if (b.startsWith('CAST(NULL'))
        return [
          [c.name, 'CAST(NULL AS VARCHAR)'],
          [`${c.name}_raw`, b],
          [ID_ISSUE_COLUMN, 'CAST(NULL AS VARCHAR)'],
        ];
      const { f, n, c: check, resident: isResident, issue } = idParts(c.name);
      return [
        [c.name, `CASE WHEN ${isResident} AND ${issue} IS NULL THEN recon_id18_p(${f}, ${n}, ${check}) END`],
        [`${c.name}_raw`, b],
        [ID_ISSUE_COLUMN, `CASE WHEN ${isResident} THEN ${issue} END`],
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
      // A class for every other value: nothing is unknown.
      if (c.classOtherwise !== undefined) return undefined;
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
  /** Layers after the fast one, each over the one before: the parts of resident IDs. */
  derive: string[][];
  /** Parameters the layers use (`$as_of`, the file's as-of date, for resident IDs' birth dates). */
  params: Record<string, string>;
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
export function planNormalise(contract: SourceContract, columns: Record<string, string>, asOf = '2099-12-31'): NormalisePlan {
  const blank: string[] = [];
  const fast: string[] = [];
  const derive: string[][] = [[], [], []];
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
    // The second column of a period given as a pair (所属期起 / 所属期止).
    const endRaw = c.range && rawName !== undefined ? columns[rangeEnd(c.name)] : undefined;
    if (endRaw !== undefined && (c.type === 'date' || c.type === 'period')) {
      const end = rangeEnd(c.name);
      blank.push(`recon_blank(${endRaw}) AS ${blankColumn(end)}`);
      fast.push(`${c.type === 'date' ? 'recon_date_fast' : 'recon_period_fast'}(${blankColumn(end)}) AS ${fastColumn(end)}`);
      const from = dateExpression(c.type, b, fastColumn(c.name));
      const to = dateExpression(c.type, blankColumn(end), fastColumn(end));
      // Before the column's own checks: the end missing or unreadable, or in another month than the start.
      reasons.push(
        `WHEN ${b} IS NOT NULL AND ${blankColumn(end)} IS NULL THEN 'missing required value'`,
        `WHEN ${b} IS NOT NULL AND ${from} IS NOT NULL AND ${to} IS NULL THEN ${literal(TYPE_REASON[c.type] ?? 'unreadable value')}`,
        `WHEN ${from} IS NOT NULL AND ${to} IS NOT NULL AND ${from} <> ${to} THEN 'period spans months'`,
      );
      reasonColumns.push(
        `WHEN ${b} IS NOT NULL AND ${blankColumn(end)} IS NULL THEN ${literal(c.name)}`,
        `WHEN ${b} IS NOT NULL AND ${from} IS NOT NULL AND ${to} IS NULL THEN ${literal(c.name)}`,
        `WHEN ${from} IS NOT NULL AND ${to} IS NOT NULL AND ${from} <> ${to} THEN ${literal(c.name)}`,
      );
    }
    if (rawName !== undefined && c.type === 'resident_id') {
      const parts = idParts(c.name);
      fast.push(`recon_code_b(${blankColumn(c.name)}) AS ${parts.f}`);
      derive[0]?.push(`recon_id_body(${parts.f}) AS ${parts.n}`);
      // Whether the row's number is a resident ID at all (its ID type), and why it is not a valid one.
      derive[1]?.push(
        `recon_id_check_n(${parts.n}) AS ${parts.c}`,
        `recon_id_birth_n(${parts.n}) AS ${parts.bd}`,
        `${residentCondition(contract, c, columns)} AS ${parts.resident}`,
      );
      derive[2]?.push(`recon_id_issue_p(${parts.f}, ${parts.n}, ${parts.c}, ${parts.bd}, CAST($as_of AS DATE)) AS ${parts.issue}`);
    }
    for (const [name, expr] of typedExpressions(c, b, endRaw !== undefined)) select.push(`${expr} AS ${ident(name)}`);
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
  const used = derive.filter((layer) => layer.length > 0);
  return { blank, fast, derive: used, params: used.length ? { as_of: asOf } : {}, select, rejectReason, rejectColumn, valueIssues };
}

/** For a resident_id column: the condition that the row's number is a resident ID (its ID-type column's class, else always). */
function residentCondition(contract: SourceContract, c: ColumnSpec, columns: Record<string, string>): string {
  if (c.type !== 'resident_id' || c.idTypeColumn === undefined) return 'true';
  const typeColumn = contract.columns.find((x) => x.name === c.idTypeColumn);
  if (typeColumn === undefined || typeColumn.type !== 'enum')
    throw new Error(`${contract.kind}.${c.name}: idTypeColumn ${c.idTypeColumn} is not an enum column`);
  const b = columns[typeColumn.name] === undefined ? 'CAST(NULL AS VARCHAR)' : blankColumn(typeColumn.name);
  return `(${enumClass(typeColumn, b)}) = 'resident'`;
}
