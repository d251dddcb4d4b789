/**
 * Calendar arithmetic on plain numbers so nothing depends on the machine's time zone: a day
 * is the number of days since 1970-01-01 (UTC), a month is `year * 12 + (month - 1)`.
 */

/** Day number of an ISO date `YYYY-MM-DD`. */
export function dayOf(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (m === null) throw new Error(`not a date: ${iso}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const day = ms / 86_400_000;
  if (isoOf(day) !== iso) throw new Error(`not a calendar date: ${iso}`);
  return day;
}

/** Year, month (1-12) and day of a day number. */
export function ymd(day: number): { y: number; m: number; d: number } {
  // Millions of dates are formatted over a few tens of thousands of distinct days: remember them.
  const known = YMD.get(day);
  if (known !== undefined) return known;
  const date = new Date(day * 86_400_000);
  const out = Object.freeze({ y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() });
  if (YMD.size < 100_000) YMD.set(day, out);
  return out;
}
const YMD = new Map<number, { y: number; m: number; d: number }>();

/** ISO text of a day number. */
export function isoOf(day: number): string {
  const { y, m, d } = ymd(day);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** The month a day falls in. */
export function monthOfDay(day: number): number {
  const { y, m } = ymd(day);
  return y * 12 + (m - 1);
}

/** First day of a month. */
export function firstDayOfMonth(month: number): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1) / 86_400_000;
}

/** Last day of a month. */
export function lastDayOfMonth(month: number): number {
  return firstDayOfMonth(month + 1) - 1;
}

/** `YYYY-MM` of a month. */
export function monthIso(month: number): string {
  return `${Math.floor(month / 12)}-${pad2((month % 12) + 1)}`;
}

/**
 * The closed month M of docs/rules.md: the last calendar month that ended at least `lagDays`
 * before D. A month "ends" on its last day, so September (ends 09-30) is closed on D when
 * 09-30 <= D - lag.
 */
export function closedMonth(asOf: number, lagDays: number): number {
  let month = monthOfDay(asOf);
  while (lastDayOfMonth(month) > asOf - lagDays) month--;
  return month;
}

/** Whole calendar months from `from` to `to` (a month counts once its day-of-month is reached). */
export function wholeMonthsBetween(from: number, to: number): number {
  const a = ymd(from);
  const b = ymd(to);
  return (b.y - a.y) * 12 + (b.m - a.m) - (b.d < a.d ? 1 : 0);
}

/** Excel's serial number of a day (1900 date system, day 1 = 1900-01-01 with the leap-year bug). */
export function excelSerial(day: number): number {
  return day + 25569;
}

/** A UTC Date at midnight, the form exceljs writes as a date cell. */
export function utcDate(day: number): Date {
  return new Date(day * 86_400_000);
}

/** Two-digit zero padding. */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
