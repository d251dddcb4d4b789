import { randomBytes } from 'node:crypto';

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
