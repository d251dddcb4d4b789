/**
 * What a source contract is: the canonical columns of one export kind, the header spellings
 * seen in the wild (docs/exports.md), how each value is typed, and which columns are required.
 * One reader serves all kinds; the six contracts are data.
 */
export const KINDS = [
  'registration',
  'tax_registration',
  'tax_withholding',
  'civil_org',
  'si_enrollment',
  'si_payment',
  'grid_roster',
  'targets',
  'iit_detail',
  'si_person',
  'resident_pension',
  'assistance',
  'construction_permit',
  'si_project',
] as const;
export type Kind = (typeof KINDS)[number];

/**
 * The person-level kinds (one row per person; docs/exports.md). Optional sources: a run
 * without them is complete, and they do not move the run's default as-of date.
 */
export const PERSON_KINDS = ['iit_detail', 'si_person', 'resident_pension', 'assistance'] as const satisfies readonly Kind[];
export type PersonKind = (typeof PERSON_KINDS)[number];

/**
 * The project kinds (building permits, work-injury insurance by project; docs/exports.md).
 * Optional like the person kinds: a run without them is complete, and they do not move the
 * run's default as-of date.
 */
export const PROJECT_KINDS = ['construction_permit', 'si_project'] as const satisfies readonly Kind[];
export type ProjectKind = (typeof PROJECT_KINDS)[number];

/**
 * How a value is typed by the normalising SQL.
 * - text: trimmed, empty markers to NULL
 * - code: text, upper case, full-width to half-width, spaces removed (never a number)
 * - date, period (first day of the month), money (DECIMAL(18,2)), int, capital
 * - enum: text mapped through `values` to a canonical code; unknown values kept as text and reported
 * - resident_id: an identity number (EXPORTS.md "Identity numbers"): `<col>` the resident ID
 *   normalised to 18 characters (NULL when it is not a valid one, or the row's ID type is not
 *   a resident ID), `<col>_raw` as written, `id_issue` why a resident ID is not valid
 *   (bad_format, bad_check, bad_birth_date), and with `idTypeColumn` also `id_kind`
 */
export type ValueType = 'text' | 'code' | 'date' | 'period' | 'money' | 'int' | 'capital' | 'enum' | 'resident_id';

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
  /** For `enum`: the class of an empty value (an absent column too); default NULL. */
  classWhenEmpty?: string;
  /** For `enum`: the class of any value not in `values` (then never reported as unknown); default NULL and reported. */
  classOtherwise?: string;
  /**
   * For `resident_id`: the enum column giving the row's ID type; its class `resident` (or an
   * empty value) makes the number a resident ID, any other class makes `id_kind` 'other' and
   * the number is kept only as written.
   */
  idTypeColumn?: string;
  /**
   * For `period`: the period may instead be given as a pair of columns, its first and last day
   * (所属期起 / 所属期止). A pair within one month is that month; one spanning months rejects the row.
   */
  range?: { from: string[]; to: string[] };
}

/** The key of a range's second column in a column map: `period~to`. */
export function rangeEnd(name: string): string {
  return `${name}~to`;
}

/**
 * How a later file replaces current data of its kind (docs/exports.md "Snapshots and supersession"):
 * - slice: a file (a month of it, for monthly kinds) that re-delivers most of a current slice's keys replaces it
 * - key_month: per (key, period): the latest file holding that key and month wins (a correction of one agent's month)
 * - value: per value of `supersedeBy`: the latest file holding that value wins (a roll per category)
 * - snapshot: files of one as-of date form one snapshot; a later snapshot replaces the earlier one whole
 */
export type SupersessionMode = 'slice' | 'key_month' | 'value' | 'snapshot';

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
  /** How later files replace current data; default `slice`. */
  supersession?: SupersessionMode;
  /** For supersession `value`: the stored column whose values are superseded one by one (assistance: category_class). */
  supersedeBy?: string;
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
