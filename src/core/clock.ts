import { randomBytes } from 'node:crypto';
import { ConfigError } from './errors.ts';

/** A run id that sorts in run order (milliseconds included) and is unique: `20261122-031500-123-a1b2`. */
export function newRunId(now = new Date()): string {
  const iso = now.toISOString();
  const stamp = iso.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${iso.slice(20, 23)}-${randomBytes(2).toString('hex')}`;
}

/** Today's date as YYYY-MM-DD in the machine's zone (the run date when no as-of is given). */
export function today(now = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** Whether `text` is a real calendar date written YYYY-MM-DD (2026-02-30 and 2026-13-01 are not). */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** A date given on the command line or in a pipeline file, checked at the edge: exit 2 with the flag's name. */
export function checkDate(name: string, text: string): string {
  if (!isCalendarDate(text)) throw new ConfigError(`${name} must be a date as YYYY-MM-DD (a real calendar day), got "${text}"`);
  return text;
}

/** `days` days after (before, when negative) a YYYY-MM-DD date. */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
