import { createHmac } from 'node:crypto';
import type ExcelJS from 'exceljs';
import { cellText } from '../core/xlsx-read.ts';

/**
 * The layout of a worklist sheet, shared by the writer (`worklists.ts`) and the reader of
 * returned files (`cases/worklist-reader.ts`): the columns, the result list and the row checksum.
 * Changing a header or the checksum makes files already in grid workers' hands unreadable.
 *
 * The reader finds columns by their header, and the checksum covers the protected cells by
 * header name in PROTECTED_COLUMNS order, not by their place in the sheet. So moving columns
 * changes nothing for either: worklists written in layout 1 (0.2, WORKLIST_COLUMNS) and in
 * layout 2 (0.3, WORKLIST_SHEET_COLUMNS) are both read, with the same checksum.
 */

/** Columns the pipeline fills and locks, in checksum order (the same set in every layout). */
export const PROTECTED_COLUMNS = [
  '序号',
  '案件编号',
  '单位名称',
  '统一社会信用代码',
  '法定代表人',
  '联系电话',
  '地址',
  '问题类型',
  '问题说明',
  '估算金额',
  '优先级',
] as const;
/**
 * Columns the grid worker fills in (unlocked). 整改期限 is the deadline given with 已督促 or
 * 限期整改 (required with 限期整改); a case still found the day after it is a blacklist
 * candidate (src/campaign/blacklist.ts).
 */
export const FILL_IN_COLUMNS = ['核查结果', '核查日期', '整改期限', '核查人', '备注'] as const;
/** The hidden checksum column, last. */
export const CHECKSUM_COLUMN = '校验码';
/**
 * Layout 1: the protected columns, then the fill-in columns, then the checksum. Worklists of
 * 0.2 were written so, and audit sample sheets (campaign/audit-sample.ts) still are.
 */
export const WORKLIST_COLUMNS = [...PROTECTED_COLUMNS, ...FILL_IN_COLUMNS, CHECKSUM_COLUMN] as const;
export type WorklistColumn = (typeof WORKLIST_COLUMNS)[number];

/**
 * Layout 2, the worklist sheet from 0.3: what a visit needs first (who, where, the phone, the
 * problem), then the columns the grid worker fills in, then the reference columns (problem type,
 * priority, amount, case ids, USCC, legal representative), the checksum last and hidden. Same
 * columns as layout 1, in another order. 问题说明 names each problem (【未参保】…) and carries
 * the last applied answer (上次核查：…); 地址 says where the address comes from (〔来源：…〕).
 */
export const WORKLIST_SHEET_COLUMNS = [
  '序号',
  '单位名称',
  '地址',
  '联系电话',
  '问题说明',
  ...FILL_IN_COLUMNS,
  '问题类型',
  '优先级',
  '估算金额',
  '案件编号',
  '统一社会信用代码',
  '法定代表人',
  CHECKSUM_COLUMN,
] as const satisfies readonly WorklistColumn[];
/** Columns frozen at the left of a worklist sheet (序号, 单位名称), so the name stays in view on a phone. */
export const FROZEN_COLUMNS = 2;
/** The columns a visit needs, first in the sheet: the print area of the list (序号 .. 备注). */
export const VISIT_COLUMNS = WORKLIST_SHEET_COLUMNS.slice(0, WORKLIST_SHEET_COLUMNS.indexOf('备注') + 1);

/** The 核查结果 dropdown, in the order grid workers see it. */
export const RESULT_VALUES = ['已参保', '已督促', '限期整改', '无雇工', '已注销或迁出', '查无此单位', '其他'] as const;
export type ResultValue = (typeof RESULT_VALUES)[number];
/**
 * Results that make a case of a custom rule exempt until its facts change (the 0.2 behaviour
 * for every rule). What an answer does to a case of a built-in rule depends on the rule:
 * `answerEffect` in cases/answers.ts (docs/rules.md "Answers on returned worklists").
 */
export const EXEMPTING_RESULTS: readonly ResultValue[] = ['无雇工', '已注销或迁出', '查无此单位'];

/** Results that promise a rectification by a deadline (整改期限). */
export const DEADLINE_RESULTS: readonly ResultValue[] = ['已督促', '限期整改'];
/** The result that needs a 整改期限 (a row without one is rejected). */
export const DEADLINE_REQUIRED_RESULT: ResultValue = '限期整改';

/** Bounds of the 核查日期 and 整改期限 validation (inclusive). */
export const CHECK_DATE_MIN = '2020-01-01';
export const CHECK_DATE_MAX = '2099-12-31';

/** The data validation of a fill-in date column (核查日期, 整改期限) titled `title`. */
export function checkDateValidation(title: string): ExcelJS.DataValidation {
  return {
    type: 'date',
    operator: 'between',
    allowBlank: true,
    formulae: [new Date(`${CHECK_DATE_MIN}T00:00:00Z`), new Date(`${CHECK_DATE_MAX}T00:00:00Z`)],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: title,
    error: `请填写 ${CHECK_DATE_MIN} 至 ${CHECK_DATE_MAX} 之间的日期，如 2026-11-05`,
  };
}

/**
 * The protection of a sheet with fill-in rows: cells can be selected, filtered and resized, but
 * rows and columns can be neither inserted, deleted nor sorted (the reader checks each row).
 */
export const FILL_IN_PROTECTION: Partial<ExcelJS.WorksheetProtection> = {
  selectLockedCells: true,
  selectUnlockedCells: true,
  autoFilter: true,
  formatColumns: true,
  formatRows: true,
  sort: false,
  insertRows: false,
  deleteRows: false,
  insertColumns: false,
  deleteColumns: false,
};

/** 案件编号 of an audit sample sheet (src/campaign/audit-sample.ts): S + year + month + '-' + sequence. */
export const AUDIT_ID_PATTERN = /^S\d{6}-\d{5}$/;

/** Separator of the case ids in 案件编号. */
export const CASE_ID_SEPARATOR = '、';

/** Data sheet names: 清单, 清单2, 清单3, ... */
export function listSheetName(index: number): string {
  return index === 1 ? '清单' : `清单${index}`;
}

// Not a secret: the key only makes the checksum specific to worklists. It detects cells edited
// by hand in a returned file (accidentally or not), not a forger who reads this code.
const CHECKSUM_KEY = 'recon/worklist/v1';

/** Protected columns holding whole numbers, and those holding amounts (compared as numbers, whatever the program wrote). */
const WHOLE_NUMBER_COLUMNS = new Set<string>(['序号', '单位序号', '用工月数']);
const AMOUNT_COLUMNS = new Set<string>(['估算金额']);

/** The canonical text of a protected cell, as written and as read back from any spreadsheet program. */
export function canonicalCell(column: WorklistColumn | PersonColumn, value: unknown): string {
  const text = cellText(value).replace(/\r\n?/g, '\n');
  if (text.trim() === '') return '';
  if (WHOLE_NUMBER_COLUMNS.has(column) || AMOUNT_COLUMNS.has(column)) {
    const n = Number(text.replace(/,/g, ''));
    return Number.isFinite(n) ? (AMOUNT_COLUMNS.has(column) ? n.toFixed(2) : String(n)) : text;
  }
  return text;
}

/** The 校验码 of a row: a short HMAC-SHA256 over its protected cells. */
export function rowChecksum(values: Readonly<Record<(typeof PROTECTED_COLUMNS)[number], unknown>>): string {
  const canonical = PROTECTED_COLUMNS.map((c) => canonicalCell(c, values[c]));
  return createHmac('sha256', CHECKSUM_KEY).update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// The 人员清单 sheet (issue 18): one row per person and employer with an open person case
// (person_uninsured, person_base_low), answered person by person.

/** Sheet names of the person list: 人员清单, 人员清单2, ... */
export function personSheetName(index: number): string {
  return index === 1 ? '人员清单' : `人员清单${index}`;
}

/**
 * Columns of a 人员清单 row the pipeline fills and locks, in checksum order. 证件号码 is masked
 * (first 6 and last 4 characters); 单位序号 is the employer's 序号 on the 清单 sheet of the same
 * workbook, so a printed page and the 入户核查表 can be matched.
 */
export const PERSON_PROTECTED_COLUMNS = ['序号', '案件编号', '单位序号', '单位名称', '姓名', '证件号码', '用工月数', '问题类型', '问题说明'] as const;
/** Columns the grid worker fills in on 人员清单 (no 整改期限: a person is not given a deadline). */
export const PERSON_FILL_IN_COLUMNS = ['核查结果', '核查日期', '核查人', '备注'] as const;
/**
 * The 人员清单 sheet: who (序号, 姓名 frozen at the left), where they work, the masked ID, the
 * months employed and the problem, then the fill-in columns, then the reference columns, the
 * checksum last and hidden. The reader tells this sheet from a 清单 sheet by its 证件号码 column.
 */
export const PERSON_SHEET_COLUMNS = [
  '序号',
  '姓名',
  '单位名称',
  '证件号码',
  '用工月数',
  '问题说明',
  ...PERSON_FILL_IN_COLUMNS,
  '单位序号',
  '问题类型',
  '案件编号',
  CHECKSUM_COLUMN,
] as const;
export type PersonColumn = (typeof PERSON_SHEET_COLUMNS)[number];
/** Columns frozen at the left of 人员清单 (序号, 姓名). */
export const PERSON_FROZEN_COLUMNS = 2;
/** The header that marks a sheet as a person list. */
export const PERSON_MARKER_COLUMN = '证件号码';

/**
 * The 核查结果 dropdown of 人员清单. What each does to a person case is cases/answers.ts's
 * (PERSONS.md: the first four are verified facts, exempt until the evidence changes; 其他 keeps
 * the case open).
 */
export const PERSON_RESULT_VALUES = ['已参保', '已离职', '非本单位人员', '退休返聘', '其他'] as const;
export type PersonResultValue = (typeof PERSON_RESULT_VALUES)[number];

const PERSON_CHECKSUM_KEY = 'recon/worklist/person/v1';

/** The 校验码 of a 人员清单 row: a short HMAC-SHA256 over its protected cells. */
export function personRowChecksum(values: Readonly<Record<(typeof PERSON_PROTECTED_COLUMNS)[number], unknown>>): string {
  const canonical = PERSON_PROTECTED_COLUMNS.map((c) => canonicalCell(c, values[c]));
  return createHmac('sha256', PERSON_CHECKSUM_KEY).update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}
