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
  PERSON_MARKER_COLUMN,
  PERSON_PROTECTED_COLUMNS,
  PERSON_RESULT_VALUES,
  personRowChecksum,
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
  /** The kind of sheet the row is on: a 清单 (employers, RESULT_VALUES) or a 人员清单 (people, PERSON_RESULT_VALUES). */
  list: 'employer' | 'person';
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

/** Rows of a sheet looked at for a worklist header that was pushed down by inserted rows. */
const DISPLACED_HEADER_ROWS = 10;

/**
 * Reads the worklist sheets of a returned file (any sheet whose first row has the worklist
 * headers). A sheet whose headers include 证件号码 is a 人员清单: its rows are checked against
 * the person columns, checksum and results (PERSON_*); the others against the employer ones.
 */
export async function readWorklistFile(file: string, latestDate: string): Promise<ReadRow[]> {
  return readWorkbook(file, async (workbook) => {
    const out: ReadRow[] = [];
    let worklistSheets = 0;
    let damaged = false;
    for (const info of workbook.sheets) {
      const sheet = info.name;
      let columns: Map<string, number> | undefined;
      let list: ReadRow['list'] = 'employer';
      for await (const row of workbook.rows(info)) {
        // Cells from column A at index 0: strings, numbers, booleans, Dates (date-formatted cells).
        const values: unknown[] = row.cells;
        if (!columns) {
          const found = new Map<string, number>();
          for (const [i, v] of values.entries()) found.set(cellText(v).trim(), i);
          const header = found.has('案件编号') && found.has('核查结果');
          // A worklist header below row 1 (rows inserted above it) or without its 校验码 column
          // makes the whole file unreadable, even when another sheet (人员清单) is intact: its
          // answers must not be applied while the rest of the file is refused.
          if (row.number !== 1) {
            if (header) {
              damaged = true;
              break;
            }
            if (row.number >= DISPLACED_HEADER_ROWS) break;
            continue;
          }
          if (!header) continue;
          if (!found.has(CHECKSUM_COLUMN)) {
            damaged = true;
            break;
          }
          columns = found;
          list = found.has(PERSON_MARKER_COLUMN) ? 'person' : 'employer';
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
          list,
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
        const checksum =
          list === 'person'
            ? personRowChecksum(
                Object.fromEntries(PERSON_PROTECTED_COLUMNS.map((c) => [c, get(c)])) as Record<(typeof PERSON_PROTECTED_COLUMNS)[number], unknown>,
              )
            : rowChecksum(Object.fromEntries(PROTECTED_COLUMNS.map((c) => [c, get(c)])) as Record<(typeof PROTECTED_COLUMNS)[number], unknown>);
        const results: readonly string[] = list === 'person' ? PERSON_RESULT_VALUES : RESULT_VALUES;
        if (r.caseIds.length === 0)
          r.problem = {
            code: 'missing_case_id',
            reason: list === 'employer' ? '案件编号为空（本行只有人员问题的，请在“人员清单”中逐人填写）' : '案件编号为空',
          };
        else if (checksum !== cellText(get(CHECKSUM_COLUMN)).trim()) {
          r.problem = { code: 'checksum', reason: '受保护的单元格被改动（校验码不符），请使用原清单重新填写' };
        } else if (result === '') r.problem = { code: 'missing_result', reason: '未选择核查结果' };
        else if (!results.includes(result)) r.problem = { code: 'invalid_result', reason: `核查结果“${result}”不在下拉列表中（${results.join('、')}）` };
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
    if (worklistSheets === 0 || damaged)
      throw new InputError(
        `"${file}" is not a worklist: no sheet has the headers 案件编号, 核查结果 and ${CHECKSUM_COLUMN} in its first row. Hand back the file the pipeline wrote.`,
      );
    return out;
  });
}
