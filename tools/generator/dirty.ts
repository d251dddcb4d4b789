/**
 * Dirty but valid values, the way the agencies' systems write them (docs/exports.md "Value
 * formats seen in the wild"): every date, period and money spelling, codes in lower case,
 * with spaces or full-width, the six empty markers. Each file has a dominant style (systems
 * are consistent) and a share of rows in other styles (hand-edited files are not).
 */
import { excelSerial, firstDayOfMonth, pad2, utcDate, ymd } from './dates.ts';
import type { Rng } from './random.ts';

/** A typed cell before formatting. */
export type Value =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'int'; v: number }
  | { t: 'money'; v: number }
  | { t: 'date'; v: number }
  | { t: 'period'; v: number }
  | { t: 'capital'; amount: number; currency: string }
  | { t: 'empty' }
  /** Written exactly as given (bad rows). */
  | { t: 'raw'; v: string };

/** A formatted cell: text for CSV; text, number or Date for XLSX; null for an empty XLSX cell. */
export type Cell = string | number | Date | null;

export const DATE_STYLES = ['iso', 'slash', 'compact', 'dot', 'chinese', 'serial'] as const;
export type DateStyle = (typeof DATE_STYLES)[number];
export const MONEY_STYLES = ['plain', 'fixed', 'thousands', 'yuan'] as const;
export type MoneyStyle = (typeof MONEY_STYLES)[number];
export const PERIOD_STYLES = ['compact', 'dash', 'chinese'] as const;
export type PeriodStyle = (typeof PERIOD_STYLES)[number];
export const EMPTY_STYLES = ['', 'N/A', '-', '无', 'null', 'NULL'] as const;

/** The value style of one file. */
export interface FileStyle {
  xlsx: boolean;
  date: DateStyle;
  money: MoneyStyle;
  period: PeriodStyle;
  empty: string;
  /** Share of cells written in another style than the dominant one. */
  variety: number;
  /** Share of codes written in lower case, with spaces or full-width. */
  codeNoise: number;
}

/** Draws the style of a file. */
export function drawStyle(rng: Rng, xlsx: boolean, mixed: boolean): FileStyle {
  return {
    xlsx,
    date: xlsx ? 'iso' : rng.pick(DATE_STYLES.filter((s) => s !== 'serial')),
    money: rng.pick(MONEY_STYLES),
    period: rng.pick(PERIOD_STYLES),
    empty: rng.pick(EMPTY_STYLES),
    variety: mixed ? 0.15 : 0.05,
    codeNoise: mixed ? 0.08 : 0.03,
  };
}

/** Formats a value for a CSV cell. */
export function formatCsv(value: Value, style: FileStyle, rng: Rng): string {
  switch (value.t) {
    case 'text':
      return value.v;
    case 'raw':
      return value.v;
    case 'code':
      return noisyCode(value.v, style, rng);
    case 'int':
      return String(value.v);
    case 'money':
      return money(value.v, rng.chance(style.variety) ? rng.pick(MONEY_STYLES) : style.money);
    case 'date':
      return date(value.v, rng.chance(style.variety) ? rng.pick(DATE_STYLES) : style.date);
    case 'period':
      return period(value.v, rng.chance(style.variety) ? rng.pick(PERIOD_STYLES) : style.period);
    case 'capital':
      return capital(value.amount, value.currency);
    case 'empty':
      return rng.chance(style.variety) ? rng.pick(EMPTY_STYLES) : style.empty;
  }
}

/** Formats a value for an XLSX cell: real dates and numbers mostly, text sometimes. */
export function formatXlsx(value: Value, style: FileStyle, rng: Rng): Cell {
  switch (value.t) {
    case 'date':
      return rng.chance(style.variety) ? date(value.v, rng.pick(DATE_STYLES.filter((s) => s !== 'serial'))) : utcDate(value.v);
    case 'money':
      return rng.chance(style.variety) ? money(value.v, rng.pick(MONEY_STYLES)) : value.v / 100;
    case 'int':
      return value.v;
    case 'empty':
      return rng.chance(style.variety) ? rng.pick(EMPTY_STYLES) : null;
    default:
      return formatCsv(value, style, rng);
  }
}

function noisyCode(code: string, style: FileStyle, rng: Rng): string {
  if (!rng.chance(style.codeNoise)) return code;
  switch (rng.int(0, 3)) {
    case 0:
      return code.toLowerCase();
    case 1:
      return ` ${code.slice(0, 2)} ${code.slice(2, 8)} ${code.slice(8)} `.trimStart();
    case 2:
      // Full-width letters and digits, as some Chinese input methods type them.
      return [...code].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    default:
      return `${code} `;
  }
}

/** A money amount (cents) in one spelling. */
export function money(cents: number, style: MoneyStyle): string {
  const fixed = (cents / 100).toFixed(2);
  switch (style) {
    case 'plain':
      return fixed.replace(/\.?0+$/, '') || '0';
    case 'fixed':
      return fixed;
    case 'thousands':
      return withThousands(fixed);
    case 'yuan':
      return `￥${withThousands(fixed)}`;
  }
}

function withThousands(fixed: string): string {
  const [int = '0', frac = '00'] = fixed.split('.');
  const neg = int.startsWith('-');
  const digits = neg ? int.slice(1) : int;
  return `${neg ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

/** A date in one spelling. */
export function date(day: number, style: DateStyle): string {
  const { y, m, d } = ymd(day);
  switch (style) {
    case 'iso':
      return `${y}-${pad2(m)}-${pad2(d)}`;
    case 'slash':
      return `${y}/${m}/${d}`;
    case 'compact':
      return `${y}${pad2(m)}${pad2(d)}`;
    case 'dot':
      return `${y}.${pad2(m)}.${pad2(d)}`;
    case 'chinese':
      return `${y}年${m}月${d}日`;
    case 'serial':
      return String(excelSerial(day));
  }
}

/** A month in one spelling. */
export function period(month: number, style: PeriodStyle): string {
  const { y, m } = ymd(firstDayOfMonth(month));
  switch (style) {
    case 'compact':
      return `${y}${pad2(m)}`;
    case 'dash':
      return `${y}-${pad2(m)}`;
    case 'chinese':
      return `${y}年${m}月`;
  }
}

/** Registered capital as the registry writes it. */
export function capital(amount: number, currency: string): string {
  return `${amount}(${currency})`;
}
