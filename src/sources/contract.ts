/**
 * What a source contract is: the canonical columns of one export kind, the header spellings
 * seen in the wild (docs/exports.md), how each value is typed, and which columns are required.
 * One reader serves all kinds; the six contracts are data.
 */
export const KINDS = ['registration', 'tax_registration', 'tax_withholding', 'civil_org', 'si_enrollment', 'si_payment', 'grid_roster', 'targets'] as const;
export type Kind = (typeof KINDS)[number];

/**
 * How a value is typed by the normalising SQL.
 * - text: trimmed, empty markers to NULL
 * - code: text, upper case, full-width to half-width, spaces removed (never a number)
 * - date, period (first day of the month), money (DECIMAL(18,2)), int, capital
 * - enum: text mapped through `values` to a canonical code; unknown values kept as text and reported
 */
export type ValueType = 'text' | 'code' | 'date' | 'period' | 'money' | 'int' | 'capital' | 'enum';

export interface ColumnSpec {
  /** Canonical name, the column in the database. */
  name: string;
  /** Chinese label for `recon tables` and reports. */
  label: string;
  /** Header spellings, matched after trimming, NFKC and removing spaces (case-insensitive). */
  aliases: string[];
  type: ValueType;
  required?: boolean;
  /** For `enum`: raw value (after normalising) -> canonical code. */
  values?: Record<string, string>;
  /** For `enum`: the canonical column the class goes into (the raw text stays in `name`). */
  classColumn?: string;
}

export interface SourceContract {
  kind: Kind;
  /** Chinese title: 市场主体登记信息 */
  label: string;
  /** Which agency exports it. */
  agency: string;
  /** Monthly kinds hold a `period` column; a later file wins for the months it holds. */
  monthly: boolean;
  /** The column that names the record (USCC, taxpayer id, unit id): how a re-delivery is told from a second part of an export. */
  key: string;
  columns: ColumnSpec[];
}

/** Empty markers: a cell holding one of these is NULL. */
export const EMPTY_MARKERS = ['', 'N/A', 'n/a', 'NA', '-', '--', '—', '无', 'null', 'NULL', 'Null', '/'];

/** Normalises a header the way docs/exports.md says headers are matched. */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .toLowerCase();
}
