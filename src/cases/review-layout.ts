import { createHmac } from 'node:crypto';
import { cellText } from '../core/xlsx-read.ts';

/**
 * The review workbook (review/待人工确认.xlsx, issue 19): one row per pair the linker proposes
 * for review, written by publish/review-list.ts and read back by cases/link-decisions.ts.
 * Changing a header or the checksum makes files already in analysts' hands unreadable.
 */

/** The sheet of pairs, and the file's name (the nightly tells a returned review workbook in <inbox>/feedback/ by it). */
export const REVIEW_SHEET = '待人工确认';
export const REVIEW_FILE = '待人工确认.xlsx';
/** The folder of the run (and the restricted-free outputs) the workbook is written to. */
export const REVIEW_DIR = 'review';

/** Columns the pipeline fills and locks, in checksum order. */
export const REVIEW_PROTECTED_COLUMNS = [
  '序号',
  '复核编号',
  '记录',
  '记录名称',
  '记录区县',
  '候选单位名称',
  '候选单位信用代码',
  '候选单位地址',
  '候选单位区县',
  '相似度',
  '列出原因',
  '首次列出',
] as const;
/** Columns the analyst fills in. */
export const REVIEW_FILL_IN_COLUMNS = ['确认结果', '核查人', '日期', '备注'] as const;
export const REVIEW_CHECKSUM_COLUMN = '校验码';
export const REVIEW_COLUMNS = [...REVIEW_PROTECTED_COLUMNS, ...REVIEW_FILL_IN_COLUMNS, REVIEW_CHECKSUM_COLUMN] as const;
export type ReviewColumn = (typeof REVIEW_COLUMNS)[number];

/** The 确认结果 dropdown and what each answer stores (link_decisions.decision). */
export const DECISION_VALUES = { 是同一单位: 'same', 不是同一单位: 'different', 无法确定: 'unsure' } as const;
export type Decision = (typeof DECISION_VALUES)[keyof typeof DECISION_VALUES];
export const DECISION_LABELS = Object.keys(DECISION_VALUES) as Array<keyof typeof DECISION_VALUES>;

// Not a secret: it makes the checksum specific to review workbooks (cells edited by hand are
// detected; a forger who reads this code is not the threat).
const CHECKSUM_KEY = 'recon/link-review/v1';

/** The canonical text of a protected cell, as written and as read back from any spreadsheet program. */
function canonical(column: ReviewColumn, value: unknown): string {
  const text = cellText(value).replace(/\r\n?/g, '\n').trim();
  if (text === '') return '';
  if (column === '序号' || column === '相似度') {
    const n = Number(text);
    return Number.isFinite(n) ? (column === '相似度' ? n.toFixed(4) : String(n)) : text;
  }
  return text;
}

/** The 校验码 of a row: a short HMAC-SHA256 over its protected cells. */
export function reviewRowChecksum(values: Readonly<Record<(typeof REVIEW_PROTECTED_COLUMNS)[number], unknown>>): string {
  const cells = REVIEW_PROTECTED_COLUMNS.map((c) => canonical(c, values[c]));
  return createHmac('sha256', CHECKSUM_KEY).update(JSON.stringify(cells)).digest('hex').slice(0, 16);
}

/** Whether a file in <inbox>/feedback/ is a returned review workbook (by its name: 待人工确认*.xlsx, as written or renamed with a suffix). */
export function isReviewFileName(file: string): boolean {
  return /(^|[/\\])待人工确认[^/\\]*\.xlsx$/i.test(file);
}
