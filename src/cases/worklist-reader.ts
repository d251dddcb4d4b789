import { InputError } from '../core/errors.ts';
import { cellText, readWorkbook } from '../core/xlsx-read.ts';
import {
  PROTECTED_COLUMNS,
  RESULT_VALUES,
  DEADLINE_REQUIRED_RESULT,
  CHECK_DATE_MIN,
  CHECK_DATE_MAX,
  CASE_ID_SEPARATOR,
  CHECKSUM_COLUMN,
  rowChecksum,
} from './worklist-layout.ts';

/**
 * Reading a returned worklist (or audit sheet): the filled rows of every sheet whose first row
 * has the worklist headers, each checked on its own (checksum of the protected cells, result,
 * dates). What the rows do to the cases is feedback.ts's business.
 */

export type RejectionCode =
  | 'checksum'
  | 'missing_case_id'
  | 'unknown_case'
  | 'not_open'
  | 'missing_result'
  | 'invalid_result'
  | 'missing_date'
  | 'invalid_date'
  | 'missing_deadline'
  | 'invalid_deadline';

export interface ReadRow {
  sheet: string;
  row: number;
  caseIds: string[];
  result: string;
  checkedOn: string | null;
  /** 整改期限, when the sheet has the column and the cell is filled. */
  deadline: string | null;
  checker: string | null;
  remarks: string | null;
  /** A problem of the whole row (checksum, result, date), if any. */
  problem?: { code: RejectionCode; reason: string };
}

/** Parses a 核查日期 cell: a Date, an Excel serial number, or text such as 2026-11-05, 2026/11/5, 2026年11月5日. */
export function parseCheckDate(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 1) return null;
    return new Date(Date.UTC(1899, 11, 30) + Math.floor(value) * 86_400_000).toISOString().slice(0, 10);
  }
  const text = cellText(value).trim();
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

export const blank = (text: string): string | null => (text.trim() === '' ? null : text.trim());

/** Reads the worklist sheets of a returned file (any sheet whose first row has the worklist headers). */
export async function readWorklistFile(file: string, latestDate: string): Promise<ReadRow[]> {
  return readWorkbook(file, async (workbook) => {
    const out: ReadRow[] = [];
    let worklistSheets = 0;
    for (const info of workbook.sheets) {
      const sheet = info.name;
      let columns: Map<string, number> | undefined;
      for await (const row of workbook.rows(info)) {
        // Cells from column A at index 0: strings, numbers, booleans, Dates (date-formatted cells).
        const values: unknown[] = row.cells;
        if (!columns) {
          if (row.number !== 1) break;
          const found = new Map<string, number>();
          for (const [i, v] of values.entries()) found.set(cellText(v).trim(), i);
          if (!found.has('案件编号') || !found.has('核查结果') || !found.has(CHECKSUM_COLUMN)) break;
          columns = found;
          worklistSheets++;
          continue;
        }
        const cols = columns;
        const get = (name: string): unknown => values[cols.get(name) ?? -1];
        const caseText = cellText(get('案件编号')).trim();
        const result = cellText(get('核查结果')).trim();
        const dateValue = get('核查日期');
        const checker = blank(cellText(get('核查人')));
        const remarks = blank(cellText(get('备注')));
        const dateText = cellText(dateValue).trim();
        // Worklists written before the 整改期限 column have none: their rows carry no deadline.
        const hasDeadlineColumn = cols.has('整改期限');
        const deadlineValue = get('整改期限');
        const deadlineText = cellText(deadlineValue).trim();
        // A row nobody filled in is not feedback.
        if (result === '' && dateText === '' && deadlineText === '' && checker === null && remarks === null) continue;
        const checkedOn = parseCheckDate(dateValue);
        const deadline = deadlineText === '' ? null : parseCheckDate(deadlineValue);
        const r: ReadRow = {
          sheet,
          row: row.number,
          caseIds: caseText
            .split(CASE_ID_SEPARATOR)
            .map((s) => s.trim())
            .filter((s) => s !== ''),
          result,
          checkedOn,
          deadline,
          checker,
          remarks,
        };
        const protectedValues = Object.fromEntries(PROTECTED_COLUMNS.map((c) => [c, get(c)])) as Record<(typeof PROTECTED_COLUMNS)[number], unknown>;
        if (r.caseIds.length === 0) r.problem = { code: 'missing_case_id', reason: '案件编号为空' };
        else if (rowChecksum(protectedValues) !== cellText(get(CHECKSUM_COLUMN)).trim()) {
          r.problem = { code: 'checksum', reason: '受保护的单元格被改动（校验码不符），请使用原清单重新填写' };
        } else if (result === '') r.problem = { code: 'missing_result', reason: '未选择核查结果' };
        else if (!(RESULT_VALUES as readonly string[]).includes(result))
          r.problem = { code: 'invalid_result', reason: `核查结果“${result}”不在下拉列表中（${RESULT_VALUES.join('、')}）` };
        else if (dateText === '') r.problem = { code: 'missing_date', reason: '未填写核查日期' };
        else if (checkedOn === null) r.problem = { code: 'invalid_date', reason: `核查日期“${dateText}”不是日期` };
        else if (checkedOn < CHECK_DATE_MIN || checkedOn > latestDate)
          r.problem = { code: 'invalid_date', reason: `核查日期 ${checkedOn} 不在 ${CHECK_DATE_MIN} 至 ${latestDate} 之间` };
        else if (deadlineText !== '' && deadline === null) r.problem = { code: 'invalid_deadline', reason: `整改期限“${deadlineText}”不是日期` };
        else if (deadline !== null && (deadline < checkedOn || deadline > CHECK_DATE_MAX))
          r.problem = { code: 'invalid_deadline', reason: `整改期限 ${deadline} 早于核查日期 ${checkedOn} 或晚于 ${CHECK_DATE_MAX}` };
        // A 限期整改 without its deadline could never become a blacklist candidate: refuse it, so the
        // worker fills it in, rather than record a promise nobody can hold the employer to.
        else if (hasDeadlineColumn && result === DEADLINE_REQUIRED_RESULT && deadline === null)
          r.problem = { code: 'missing_deadline', reason: '核查结果为“限期整改”，请填写整改期限' };
        out.push(r);
      }
    }
    if (worklistSheets === 0)
      throw new InputError(
        `"${file}" is not a worklist: no sheet has the headers 案件编号, 核查结果 and ${CHECKSUM_COLUMN} in its first row. Hand back the file the pipeline wrote.`,
      );
    return out;
  });
}
