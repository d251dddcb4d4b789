/**
 * Resident identity numbers (GB 11643-1999; EXPORTS.md "Identity numbers"): folding as
 * written, the 15 -> 18 upgrade, the ISO 7064 MOD 11-2 check character, the birth date and sex.
 *
 * The database does the same in SQL (the `recon_id*` macros of src/db/macros.ts, which ingest
 * uses on every row); this twin is for tests and tools, and `test/core/resident-id.test.ts`
 * keeps the two in step. Nothing here logs or throws with a number in the message.
 */

/** Weights of the 17 body digits (2^(17-i) mod 11). */
export const RESIDENT_ID_WEIGHTS: readonly number[] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** The check character for a weighted sum mod 11 of 0..10. */
export const RESIDENT_ID_CHECK = '10X98765432';

/** Why a written number is not a valid resident ID. */
export type ResidentIdIssue = 'bad_format' | 'bad_check' | 'bad_birth_date';

export interface ResidentId {
  /** The normalised 18-character form (upper-case X), or null when the number is not valid. */
  id18: string | null;
  /** null when valid. */
  issue: ResidentIdIssue | null;
}

/** Full-width to half-width, no white space, upper case: `１２３ x` -> `123X`. */
export function foldId(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** The check character of 17 body digits. */
export function residentCheckChar(body17: string): string {
  if (!/^[0-9]{17}$/.test(body17)) throw new Error('a resident ID body is 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17.charAt(i)) * (RESIDENT_ID_WEIGHTS[i] as number);
  return RESIDENT_ID_CHECK.charAt(sum % 11);
}

/** The 17 body digits of a folded number (a 15-digit one with `19` inserted), or null when it has neither shape. */
function body(folded: string): string | null {
  if (/^[0-9]{17}[0-9X]$/.test(folded)) return folded.slice(0, 17);
  if (/^[0-9]{15}$/.test(folded)) return `${folded.slice(0, 6)}19${folded.slice(6)}`;
  return null;
}

/** The birth date (YYYY-MM-DD) of 17 body digits or an 18-character ID, or null when it is not a calendar date. */
export function birthDate(id: string): string | null {
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  if (!/^[0-9]{8}$/.test(id.slice(6, 14))) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/** 'M' when the 17th digit (the sequence's last) is odd, else 'F'. */
export function sexOf(id18: string): 'M' | 'F' {
  return Number(id18.charAt(16)) % 2 === 1 ? 'M' : 'F';
}

/**
 * Reads a written number as a resident ID on `asOf` (YYYY-MM-DD; default: no upper bound but
 * 2099-12-31): folded, a 15-digit number upgraded (insert `19`, compute the check character),
 * then checked: its shape, its check character, a birth date that is a calendar day from
 * 1900-01-01 up to `asOf`.
 */
export function readResidentId(raw: string, asOf = '2099-12-31'): ResidentId {
  const folded = foldId(raw);
  const b = body(folded);
  if (b === null) return { id18: null, issue: 'bad_format' };
  const check = residentCheckChar(b);
  if (folded.length === 18 && folded.charAt(17) !== check) return { id18: null, issue: 'bad_check' };
  const born = birthDate(b);
  if (born === null || born < '1900-01-01' || born > asOf) return { id18: null, issue: 'bad_birth_date' };
  return { id18: b + check, issue: null };
}

/** The normalised 18-character form of a written resident ID, or null when it is not a valid one on `asOf`. */
export function normaliseResidentId(raw: string, asOf?: string): string | null {
  return readResidentId(raw, asOf).id18;
}

/** Whether the number is a valid resident ID on `asOf`. */
export function isValidResidentId(raw: string, asOf?: string): boolean {
  return readResidentId(raw, asOf).issue === null;
}
