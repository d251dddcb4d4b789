import { CsvError, parse } from 'csv-parse/sync';
import { candidateKinds, closestKinds, describeColumn, type KindMatch } from '../sources/match.ts';
import { CONTRACTS, type Kind } from '../sources/index.ts';
import { matchContract } from '../sources/match.ts';
import { InputError } from '../core/errors.ts';

/** How many rows above the header may hold titles such as `XX区市场主体登记信息（截至...）`. */
export const MAX_TITLE_ROWS = 5;

const DELIMITERS = [',', '\t', '|', ';'] as const;

/** Picks the delimiter that splits the most lines into the same number of fields (>1). */
export function sniffDelimiter(head: string): string {
  const lines = completeLines(head)
    .slice(0, 30)
    .filter((l) => l.trim() !== '');
  let best: { delimiter: string; score: number } = { delimiter: ',', score: 0 };
  for (const delimiter of DELIMITERS) {
    const counts = lines.map((l) => countOutsideQuotes(l, delimiter));
    const freq = new Map<number, number>();
    for (const c of counts) if (c > 0) freq.set(c, (freq.get(c) ?? 0) + 1);
    // score: how many lines share the most common non-zero count, weighted by that count
    let score = 0;
    for (const [count, lineCount] of freq) score = Math.max(score, lineCount * 1000 + count);
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let quoted = false;
  let count = 0;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) count++;
  }
  return count;
}

/** Lines of the head, without a last line that may have been cut. */
function completeLines(head: string): string[] {
  const lines = head.split(/\r?\n/);
  if (lines.length > 1) lines.pop();
  return lines;
}

/** Parses the first rows of a text head with the delimiter (lenient: titles have one field). */
export function headRows(head: string, delimiter: string, rows = MAX_TITLE_ROWS + 1): string[][] {
  const lines = completeLines(head).slice(0, rows);
  const options = { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false };
  try {
    return parse(lines.join('\n'), options) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // A data row near the top with an unterminated quote must not stop us finding the header
    // (read_csv rejects that row later): read line by line, a broken line split as it stands.
    return lines.map((line) => {
      try {
        return (parse(line, options) as string[][])[0] ?? [];
      } catch (lineError) {
        if (!(lineError instanceof CsvError)) throw lineError;
        return line.split(delimiter);
      }
    });
  }
}

export interface HeaderFound {
  /** 0-based index of the header among the rows looked at. */
  index: number;
  headers: string[];
  match: KindMatch;
  /** The title rows above the header, joined (to find an as-of date in them). */
  title: string;
}

/**
 * Finds the header row among the first rows and the kind it belongs to. With `kind` given,
 * only that kind is tried. Fails with the closest kinds and what they miss.
 */
export function findHeader(rows: string[][], file: string, kind?: Kind): HeaderFound {
  for (let index = 0; index < Math.min(rows.length, MAX_TITLE_ROWS + 1); index++) {
    const headers = (rows[index] ?? []).map((h) => h ?? '');
    if (headers.filter((h) => h.trim() !== '').length < 2) continue;
    const candidates = kind ? [matchContract(CONTRACTS[kind], headers)].filter((m) => m.missing.length === 0) : candidateKinds(headers);
    const best = candidates[0];
    if (!best) continue;
    const second = candidates[1];
    if (!kind && second && second.matched === best.matched) {
      throw new InputError(
        `Cannot tell the kind of "${file}": its headers fit both ${best.kind} and ${second.kind}. Name the kind with --kind, or map the file name to a kind in the pipeline file.`,
        { reason: 'ambiguous_kind' },
      );
    }
    const title = rows
      .slice(0, index)
      .map((r) => r.join(' '))
      .join(' ');
    return { index, headers, match: best, title };
  }
  throw unknownKindError(rows, file, kind);
}

function unknownKindError(rows: string[][], file: string, kind?: Kind): InputError {
  // The row with most known headers is the best guess at the header row.
  let bestRow: string[] = [];
  let bestMatches: KindMatch[] = [];
  for (const row of rows.slice(0, MAX_TITLE_ROWS + 1)) {
    const ranked = kind ? [matchContract(CONTRACTS[kind], row)] : closestKinds(row);
    if (!bestMatches[0] || (ranked[0]?.matched ?? 0) > bestMatches[0].matched) {
      bestMatches = ranked;
      bestRow = row;
    }
  }
  const found = bestRow
    .filter((h) => h.trim() !== '')
    .slice(0, 12)
    .join(', ');
  const closest = bestMatches
    .slice(0, kind ? 1 : 2)
    .map((m) => `${m.kind} (${CONTRACTS[m.kind].label}) is missing ${m.missing.map((c) => describeColumn(m.kind, c)).join('; ')}`)
    .join('; ');
  const what = kind ? `a ${kind} file` : 'any known export';
  return new InputError(
    `Cannot read "${file}" as ${what}: no header row in the first ${MAX_TITLE_ROWS + 1} rows has the required columns. Closest: ${closest}. Found: ${found || '(nothing)'}. Rename the columns to one of the accepted spellings (docs/exports.md), or export the file again with its full header.`,
    { reason: 'unknown_kind', missing: bestMatches[0]?.missing ?? [] },
  );
}

/** An as-of date from a file name or title text: 20261031, 2026-10-31, 2026年10月31日, 2026-10, 202610 (end of month). */
export function dateFromText(text: string): string | undefined {
  const day = /(20\d{2})[-_.年/]?(0[1-9]|1[0-2]|[1-9](?=月))[-_.月/]?(0[1-9]|[12]\d|3[01]|[1-9](?=日))(?!\d)/.exec(text);
  if (day) return iso(Number(day[1]), Number(day[2]), Number(day[3]));
  const month = /(20\d{2})[-_.年/]?(0[1-9]|1[0-2]|[1-9](?=月))(?!\d)/.exec(text);
  if (month) {
    const y = Number(month[1]);
    const m = Number(month[2]);
    return iso(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate());
  }
  return undefined;
}

function iso(y: number, m: number, d: number): string | undefined {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return undefined;
  return date.toISOString().slice(0, 10);
}
