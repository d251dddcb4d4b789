import { displayWidth } from '../core/text-width.ts';

/** A column of a terminal table. */
export interface TextColumn {
  key: string;
  header: string;
  /** Widest the column gets, in terminal columns (CJK counts 2). */
  max?: number;
  /** A longer cell wraps onto more lines; otherwise it is cut and ends with "…". */
  wrap?: boolean;
  /** Takes the room the other columns leave within the table's width (a description). */
  fill?: boolean;
  align?: 'left' | 'right';
}

export interface TextTableOptions {
  /** Put before every line. */
  indent?: string;
  /** Total width for `fill` columns to fit in (default: the terminal's, else 120). */
  width?: number;
}

const GAP = '  ';

/** A cell as text: dates as YYYY-MM-DD, bigints as digits, NULL empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

/** `text` cut to `width` display columns, ending with "…" when something was cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = displayWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** `text` in lines of at most `width` display columns: at spaces where there are any, else between characters (CJK). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let used = 0;
    // Words keep together (a space starts a new one); a CJK run breaks between any two characters.
    for (const token of paragraph.match(/\s+|[\u2E80-\uFFFF]|[^\s\u2E80-\uFFFF]+/gu) ?? ['']) {
      const w = displayWidth(token);
      if (/^\s+$/.test(token)) {
        if (used > 0 && used + w <= width) {
          line += token;
          used += w;
        }
        continue;
      }
      if (used + w > width && used > 0) {
        lines.push(line.trimEnd());
        line = '';
        used = 0;
      }
      if (w > width) {
        // A word longer than the line: cut it where it must.
        for (const ch of token) {
          const cw = displayWidth(ch);
          if (used + cw > width && used > 0) {
            lines.push(line);
            line = '';
            used = 0;
          }
          line += ch;
          used += cw;
        }
        continue;
      }
      line += token;
      used += w;
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const room = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? room + text : text + room;
}

/**
 * A plain-text table for a terminal, aligned by display width (a CJK character takes two
 * columns), under a header and a rule. Cells wider than their column wrap or end with "…";
 * nothing is cut silently.
 */
export function textTable(columns: TextColumn[], rows: Array<Record<string, unknown>>, options: TextTableOptions = {}): string {
  const indent = options.indent ?? '';
  const texts = rows.map((r) => columns.map((c) => cellText(r[c.key])));
  const natural = columns.map((c, i) => Math.max(displayWidth(c.header), ...texts.map((t) => Math.max(0, ...(t[i] ?? '').split('\n').map(displayWidth)))));
  const widths = columns.map((c, i) => Math.min(c.max ?? Number.POSITIVE_INFINITY, natural[i] ?? 0));
  const total = options.width ?? (process.stdout.columns || 120);
  const fixed = widths.reduce((n, w, i) => n + (columns[i]?.fill ? 0 : w), 0) + GAP.length * (columns.length - 1) + indent.length;
  columns.forEach((c, i) => {
    if (c.fill) widths[i] = Math.max(displayWidth(c.header), 20, Math.min(natural[i] ?? 0, total - fixed));
  });
  const render = (cells: string[][]): string[] => {
    const height = Math.max(1, ...cells.map((c) => c.length));
    const out: string[] = [];
    for (let line = 0; line < height; line++) {
      out.push(
        indent +
          cells
            .map((c, i) => pad(c[line] ?? '', widths[i] ?? 0, columns[i]?.align ?? 'left'))
            .join(GAP)
            .trimEnd(),
      );
    }
    return out;
  };
  const lines = [
    ...render(columns.map((c, i) => [truncate(c.header, widths[i] ?? 0)])),
    indent + widths.map((w) => '-'.repeat(w)).join(GAP),
    ...texts.flatMap((t) =>
      render(
        columns.map((c, i) => {
          const w = widths[i] ?? 0;
          const text = t[i] ?? '';
          return c.wrap || c.fill ? wrapText(text, w) : [truncate(text.replaceAll('\n', ' '), w)];
        }),
      ),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** What the case views print of a case's latest answer and its state changes. */
export interface CaseHistory {
  feedback: { result: string; checked_on: string | null; checker: string | null; deadline?: string | null; remarks: string | null } | null;
  events: Array<{ run_id: string; on: string | null; from_state: string | null; to_state: string; reason: string | null }>;
}

/**
 * A case's latest feedback (最近核查) and its state changes as an indented table, shared by
 * `recon employer` and `recon person`; `labels` is src/publish/labels.ts, loaded by the caller.
 */
export function caseHistoryText(c: CaseHistory, labels: Pick<typeof import('../publish/labels.ts'), 'zh' | 'CASE_STATE_ZH' | 'CASE_REASON_ZH'>): string {
  const { zh } = labels;
  const fb = c.feedback;
  const out = fb
    ? `    最近核查 ${fb.result}  ${fb.checked_on ?? ''}  核查人 ${fb.checker ?? '（未署名）'}${fb.deadline ? `  整改期限 ${fb.deadline}` : ''}${fb.remarks ? `  备注 ${fb.remarks}` : ''}\n`
    : '    最近核查 （尚无核查反馈）\n';
  return (
    out +
    textTable(
      [
        { key: 'on', header: '日期' },
        { key: 'change', header: '状态变化' },
        { key: 'reason', header: '原因', max: 40 },
        { key: 'run_id', header: '运行' },
      ],
      c.events.map((ev) => ({
        on: ev.on,
        change: `${ev.from_state ? `${zh(labels.CASE_STATE_ZH, ev.from_state)} → ` : '→ '}${zh(labels.CASE_STATE_ZH, ev.to_state)}`,
        reason: zh(labels.CASE_REASON_ZH, ev.reason),
        run_id: ev.run_id,
      })),
      { indent: '    ' },
    )
  );
}
