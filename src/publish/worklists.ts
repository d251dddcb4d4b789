import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps } from '../db/steps.ts';
import type { DatedRunContext } from '../config/context.ts';
import { BUILTIN_RULES, PROJECT_RULES } from '../rules/catalog/index.ts';
import { validateUscc } from '../link/codes.ts';
import {
  WORKLIST_SHEET_COLUMNS,
  PROTECTED_COLUMNS,
  FILL_IN_COLUMNS,
  RESULT_VALUES,
  FILL_IN_PROTECTION,
  checkDateValidation,
  CASE_ID_SEPARATOR,
  CHECKSUM_COLUMN,
  FROZEN_COLUMNS,
  listSheetName,
  rowChecksum,
  PERSON_SHEET_COLUMNS,
  PERSON_PROTECTED_COLUMNS,
  PERSON_FILL_IN_COLUMNS,
  PERSON_RESULT_VALUES,
  PERSON_FROZEN_COLUMNS,
  personSheetName,
  personRowChecksum,
  type PersonColumn,
  type WorklistColumn,
} from '../cases/worklist-layout.ts';
import { answerEffect, answerTableLines, EFFECT_LABEL } from '../cases/answers.ts';
import { addOrderedSheet, guardCommit, safeText, headerFooterText, rowListWriter, safeFileName, shareColumnStyles } from '../core/xlsx-write.ts';
import { BODY_FONT, LIST_PAGE_SETUP, FORM_LIMIT, FORM_SHEET, FormSheet, heightFor, linesIn, type FormEntry } from './worklist-print.ts';
import { issueDate } from './issue-date.ts';
import { createReferralViews, writeSiCleanupList } from './si-cleanup.ts';

const step = sqlSteps(new URL('./worklists.sql', import.meta.url));

/** Excel's row limit (header included). */
export const EXCEL_MAX_ROWS = 1_048_576;

/** How worklists are cut: tests use small sheets. */
export interface WorklistOptions {
  /** Rows per sheet, header included, before a sheet is continued in 清单2, 清单3, ... (tests use a small one). */
  maxRowsPerSheet?: number;
  /** Titles of rules outside the built-in catalog (custom rules), by rule id. */
  ruleTitles?: Record<string, string>;
}

export interface WorklistSummary {
  /** Workbooks written. */
  workbooks: number;
  /** Worklist rows: one per employer with open cases. */
  rows: number;
  /** Open cases listed (a row lists all cases of its employer). */
  cases: number;
  /** 人员清单 rows: open person cases (person_uninsured, person_base_low) of the listed employers. */
  people: number;
  /** Rows in the 未分街道 / 未分网格 workbooks, which somebody must still assign. */
  unassignedRows: number;
  /** Whether workbooks are per grid (a grid roster was loaded) or per street. */
  per: 'grid' | 'street';
  /** Open cases left off the worklists because an answer referred them to the SI office (campaign/社保注销清理清单.xlsx). */
  referred: number;
}

const NO_STREET = '未分街道';
const NO_GRID = '未分网格';
const NO_DISTRICT = '未知区县';
const CHUNK = 5000;
const SEVERITY_LABEL: Record<number, string> = { 3: '高', 2: '中', 1: '低' };
/** How the row says where its address comes from (employer_facts.address_source). */
export const ADDRESS_SOURCE_LABEL: Record<string, string> = {
  registration: '市场监管登记住所',
  tax_registration: '税务登记生产经营地址',
  civil_org: '民政登记住所',
};

interface PlanRow {
  file_idx: number;
  district: string;
  street: string | null;
  grid: string | null;
  workers: string | null;
  rows: bigint;
  cases: bigint;
  people: bigint | null;
  high: bigint;
  amount: number | null;
}

interface EmployerRow {
  seq: bigint;
  /** The employer's own cases (NULL when it has person cases only). */
  case_ids: string | null;
  rule_ids: string | null;
  evidence: string | null;
  visits: string | null;
  /** The building permits of its project cases, comma separated (NULL when none): shown in full in 问题说明. */
  permit_nos: string | null;
  amount: number | null;
  sev_rank: number;
  /** Open person cases per rule, `rule_id:n,...` (NULL when none). */
  person_counts: string | null;
  name: string | null;
  uscc: string | null;
  legal_rep: string | null;
  phone: string | null;
  address: string | null;
  address_source: string | null;
  noticed_on: string | null;
}

/**
 * Builds `_wl_rows` (one row per employer with open cases of this run, with its file and its
 * rank in that file) and returns the workbook plan, one entry per file.
 */
async function planWorklists(db: Db, runId: string, today: string): Promise<{ plan: PlanRow[]; perGrid: boolean }> {
  const perGrid = (await db.one<{ per_grid: boolean }>(step('worklists.per_grid'), undefined, { step: 'worklists.per_grid' }))?.per_grid === true;
  await runSteps(db, [
    {
      name: 'worklists.rows',
      sql: step('worklists.rows'),
      params: { run: runId, sep: CASE_ID_SEPARATOR, no_district: NO_DISTRICT, today },
      creates: ['_wl_cases', '_wl_emp'],
    },
    { name: 'worklists.grids', sql: step('worklists.grids'), creates: ['_wl_roster', '_wl_grid'] },
    { name: 'worklists.place', sql: step('worklists.place'), params: { no_street: NO_STREET, no_grid: NO_GRID, per_grid: perGrid }, creates: ['_wl_rows'] },
  ]);
  const plan = await db.all<PlanRow>(step('worklists.plan'), { per_grid: perGrid }, { step: 'worklists.plan' });
  await runSteps(db, [{ name: 'worklists.people', sql: step('worklists.people'), creates: ['_wl_people'] }]);
  return { plan, perGrid };
}

/** Titles of the rules, Chinese, by id. */
function ruleTitles(extra: Record<string, string> = {}): Map<string, string> {
  return new Map([...[...BUILTIN_RULES, ...PROJECT_RULES].map((r) => [r.id, r.title] as const), ...Object.entries(extra)]);
}

/** The address as a row shows it: the address, and on its own line the source it came from. */
function addressText(address: string | null, source: string | null): string | null {
  const text = safeText(address);
  if (text === null) return null;
  const label = source ? ADDRESS_SOURCE_LABEL[source] : undefined;
  return label ? `${text}\n〔来源：${label}〕` : text;
}

/**
 * How an employer's row counts its people on 人员清单, per person rule: 未参保职工 12 人. The
 * rule titles are longer (个人缴费基数不实); on a phone and on paper the short form reads better.
 */
export const PERSON_COUNT_LABEL: Readonly<Record<string, string>> = { person_uninsured: '未参保职工', person_base_low: '缴费基数偏低' };

/** An employer row's person counts, parsed from `rule_id:n,...`. */
function personCounts(text: string | null): Array<{ rule: string; n: number }> {
  if (!text) return [];
  return text.split(',').map((part) => {
    const at = part.lastIndexOf(':');
    return { rule: part.slice(0, at), n: Number(part.slice(at + 1)) };
  });
}

/** The line of 问题说明 that counts the employer's people: 【人员】未参保职工 12 人，缴费基数偏低 3 人（逐人核查见“人员清单”）. */
export function personCountLine(counts: Array<{ rule: string; n: number }>, titles: Map<string, string>): string | null {
  if (counts.length === 0) return null;
  const parts = counts.map((c) => `${PERSON_COUNT_LABEL[c.rule] ?? titles.get(c.rule) ?? c.rule} ${c.n} 人`);
  return `【人员】${parts.join('，')}（逐人核查见“人员清单”）`;
}

/** 问题说明: each case's evidence, the person counts, the last applied answer (上次核查), the notice sent. */
function problemText(r: EmployerRow, ruleNames: string[], titles: Map<string, string>): string {
  const evidence = r.evidence === null ? [] : r.evidence.split('\u001f');
  const visits = r.visits === null ? [] : r.visits.split('\u001f');
  const multi = ruleNames.length > 1;
  // Each problem is named: the printed list has no 问题类型 column.
  const lines = evidence.map((e, i) => `【${ruleNames[i] ?? ''}】${e}`);
  const people = personCountLine(personCounts(r.person_counts), titles);
  if (people) lines.push(people);
  const done = visits.filter((v) => v !== '');
  if (done.length > 0 && done.length === visits.length && new Set(done).size === 1) lines.push(`上次核查：${done[0]}`);
  else {
    for (const [i, v] of visits.entries()) if (v !== '') lines.push(multi ? `上次核查（${ruleNames[i] ?? ''}）：${v}` : `上次核查：${v}`);
  }
  if (r.noticed_on) lines.push(`已于${r.noticed_on}发送告知书`);
  return lines.filter((l) => l.trim() !== '').join('\n');
}

type ProtectedValues = Record<(typeof PROTECTED_COLUMNS)[number], string | number | null>;

/** The cells of one worklist row (protected part), from an employer row. */
function rowValues(r: EmployerRow, titles: Map<string, string>): ProtectedValues {
  const ruleIds = r.rule_ids === null ? [] : r.rule_ids.split(',');
  const ruleNames = ruleIds.map((id) => titles.get(id) ?? id);
  const personRules = personCounts(r.person_counts).map((c) => PERSON_COUNT_LABEL[c.rule] ?? titles.get(c.rule) ?? c.rule);
  const uscc = r.uscc !== null && validateUscc(r.uscc).ok ? r.uscc : null;
  return {
    序号: Number(r.seq),
    案件编号: safeText(r.case_ids),
    单位名称: safeText(r.name),
    统一社会信用代码: uscc,
    法定代表人: safeText(r.legal_rep),
    联系电话: safeText(r.phone),
    地址: addressText(r.address, r.address_source),
    问题类型: safeText([...new Set([...ruleNames, ...personRules])].join('、')),
    // A permit number often has an ID's shape (区划 + 发证日期 + 流水号); it is what the office looks the project up by.
    问题说明: safeText(problemText(r, ruleNames, titles), r.permit_nos === null ? undefined : new Set(r.permit_nos.split(','))),
    估算金额: r.amount === null ? null : Math.round(r.amount * 100) / 100,
    优先级: SEVERITY_LABEL[r.sev_rank] ?? '低',
  };
}

const thin = { style: 'thin', color: { argb: 'FF808080' } } as const;
const BORDER: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const FILL_IN_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
/** The fill-in cells of a row with person cases only: grey and locked (its people are answered on 人员清单). */
const NO_FILL_IN: Partial<ExcelJS.Style> = {
  font: BODY_FONT,
  border: {
    top: { style: 'thin', color: { argb: 'FF808080' } },
    left: { style: 'thin', color: { argb: 'FF808080' } },
    bottom: { style: 'thin', color: { argb: 'FF808080' } },
    right: { style: 'thin', color: { argb: 'FF808080' } },
  },
  alignment: { vertical: 'top' },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } },
  protection: { locked: true },
};
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };

/**
 * Column widths (Excel units). The print area 序号 .. 备注 adds up to 130. A unit is 5.25 pt in
 * Excel (Calibri's digit) and about 7 pt in LibreOffice without Calibri: A4 landscape with
 * 0.25" side margins holds 115 LibreOffice units, so fitted to the page width the scale is about
 * 0.88 and 11 pt text prints at 9.7 pt (test/render/worklist-print.render.ts measures it); Excel
 * prints it unscaled. The handwriting columns stay 1.5-2.5 cm wide; long texts wrap.
 */
export const COLUMN_WIDTHS: Record<WorklistColumn, number> = {
  序号: 4,
  单位名称: 16,
  地址: 18,
  联系电话: 11,
  问题说明: 26,
  核查结果: 11,
  核查日期: 11,
  整改期限: 11,
  核查人: 9,
  备注: 13,
  问题类型: 12,
  优先级: 7,
  估算金额: 12,
  案件编号: 12,
  统一社会信用代码: 21,
  法定代表人: 10,
  校验码: 18,
};
const WRAPPED = new Set<WorklistColumn>(['单位名称', '地址', '联系电话', '问题类型', '问题说明', '备注', '案件编号', '法定代表人']);
/** Rows are at least this tall (points), so a printed row has room for handwriting. */
const MIN_ROW_HEIGHT = 28;

/** The height (points) a worklist row needs so its wrapped cells show whole. */
function rowHeight(v: ProtectedValues): number {
  let lines = 1;
  for (const c of PROTECTED_COLUMNS) {
    const value = v[c];
    if (WRAPPED.has(c) && value !== null) lines = Math.max(lines, linesIn(String(value), COLUMN_WIDTHS[c]));
  }
  return heightFor(lines, MIN_ROW_HEIGHT);
}

/** Column letter of a worklist column (the sheet has fewer than 27 columns). */
const col = (name: WorklistColumn): string => String.fromCharCode(65 + WORKLIST_SHEET_COLUMNS.indexOf(name as (typeof WORKLIST_SHEET_COLUMNS)[number]));

/** The 说明 sheet: what to do, the dates and the counts, what each answer does. */
async function writeInstructions(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  p: PlanRow,
  o: { asOf: string; issuedOn: string; runId: string; sheets: number; personSheets: number; forms: number; titles: Map<string, string> },
): Promise<void> {
  // 74 units: one portrait page wide at 100% in Excel and in LibreOffice (see COLUMN_WIDTHS).
  const ws = addOrderedSheet(wb, '说明', {
    pageSetup: {
      paperSize: 9,
      orientation: 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
  });
  ws.columns = [{ width: 18 }, { width: 56 }];
  const area = p.grid ? `${p.district} ${p.street ?? ''} ${p.grid}` : `${p.district} ${p.street ?? NO_STREET}`;
  const rows = Number(p.rows);
  const people = Number(p.people ?? 0);
  const lists = `“${listSheetName(1)}”${o.sheets > 1 ? `（至“${listSheetName(o.sheets)}”）` : ''}`;
  const personLists = `“${personSheetName(1)}”${o.personSheets > 1 ? `（至“${personSheetName(o.personSheets)}”）` : ''}`;
  const personSteps: Array<[string, string, 'step']> = people
    ? [
        [
          '',
          `${personLists}逐人列出这些单位中未参保或缴费基数偏低的职工（证件号码只显示前 6 位和后 4 位），按单位在清单中的序号排列，可单独打印、单独使用；清单中该单位的“问题说明”写有人数。`,
          'step',
        ],
        [
          '',
          `上门时请单位核对名单，逐人在“核查结果”中选择：${PERSON_RESULT_VALUES.join('、')}，并填写核查日期、核查人；备注写明依据（如在哪个单位参保、离职日期）。只有人员问题的单位，清单中的填写列为灰色，不用填写。`,
          'step',
        ],
      ]
    : [];
  const lines: Array<[string, string, 'title' | 'head' | 'step' | 'text']> = [
    ['社保扩面征缴 网格核查清单', '', 'title'],
    ['范围', area, 'text'],
    ...(p.workers ? [['网格员', p.workers, 'text'] as [string, string, 'text']] : []),
    ['数据截止日期', o.asOf, 'text'],
    ['下发日期', o.issuedOn, 'text'],
    ['批次号', o.runId, 'text'],
    ['单位数', String(rows), 'text'],
    ['案件数', String(Number(p.cases)), 'text'],
    ...(people ? [['核查人员数', String(people), 'text'] as [string, string, 'text']] : []),
    ['其中高优先级单位', String(Number(p.high)), 'text'],
    ['估算金额合计（元）', (p.amount ?? 0).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }), 'text'],
    ['', '', 'text'],
    ['怎么做', '', 'head'],
    [
      '1',
      `打开${lists}工作表，按序号从高优先级开始，逐户上门核实。单位名称固定在左侧；向右依次是地址、电话、问题和黄色的填写列，再往右是案件编号等参考信息。`,
      'step',
    ],
    ['2', `在“核查结果”列的下拉框中选择一项：${RESULT_VALUES.join('、')}（各项的作用见下文）。`, 'step'],
    ['3', '在“核查日期”填写上门日期（如 2026-11-05），“核查人”填写姓名，“备注”填写需要说明的情况（如实际用工人数、迁往何处）。', 'step'],
    ['', '选“限期整改”的必须在“整改期限”填写期限日期（选“已督促”的可填）；期限过后仍未整改的单位将列入失信联合惩戒候选名单。', 'step'],
    ...personSteps,
    ['4', '选“无雇工”“已注销或迁出”“查无此单位”的，请在备注中写明依据；数据变化后系统会重新列出。', 'step'],
    [
      '5',
      `打印：“${listSheetName(1)}”打印上门需要的列（序号至备注）；“${FORM_SHEET}”每户一页，可带着上门手写，回来后把结果录入清单中同一序号的行。${o.forms < rows ? `“${FORM_SHEET}”只含按优先级的前 ${o.forms} 户，其余请打印清单。` : ''}`,
      'step',
    ],
    ['6', '不要修改其他单元格，不要增删行列、改工作表名或另存为其他格式；被改动的行会被系统拒收。', 'step'],
    ['7', '填写完毕后将本文件原样交回（文件名可不改）。有被拒收的行时，经办人会转交“退回说明”，按说明改正后重新交回。', 'step'],
    ['', '', 'text'],
    ['清单中的信息', '', 'head'],
    ['地址', '依次取市场监管登记住所、税务登记生产经营地址（单位实际经营的地方）、民政登记住所中第一个有的，并在下一行注明来源。', 'text'],
    ['联系电话', '来自市场监管登记。', 'text'],
    ['上次核查', '“问题说明”中的“上次核查”是该案件最近一次被接收的核查结果、日期和核查人；整改期限已过的注明“已过”。', 'text'],
    ['', '', 'text'],
    ['核查结果的作用', '', 'head'],
    ...answerTableLines(o.titles).map(([answer, text]): [string, string, 'text'] => [answer, text, 'text']),
    ...(people ? [['', '', 'text'] as [string, string, 'text'], ['人员核查结果的作用', '', 'head'] as [string, string, 'head'], ...personAnswerLines()] : []),
  ];
  for (const [a, b, kind] of lines) {
    const row = ws.addRow([a, b]);
    // Both cells top-aligned: a step's number sits level with the first line of its text.
    row.getCell(1).style = {
      font: { ...BODY_FONT, bold: kind !== 'text' || a !== '', size: kind === 'title' ? 16 : 11 },
      alignment: { vertical: 'top', horizontal: kind === 'step' ? 'center' : 'left', wrapText: kind !== 'title' },
    };
    row.getCell(2).style = { font: BODY_FONT, alignment: { wrapText: true, vertical: 'top' } };
    row.height = kind === 'title' ? 30 : heightFor(Math.max(linesIn(b, 56), linesIn(a, 18)), 18);
    row.commit();
  }
  await ws.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true });
  ws.commit();
}

interface SheetState {
  ws: ReturnType<typeof addOrderedSheet>;
  rows: number;
  /** Each column's style object, shared by its cells (see shareColumnStyles). */
  styles: Array<Partial<ExcelJS.Style>>;
}

function openListSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, index: number, header: string): SheetState {
  const ws = addOrderedSheet(wb, listSheetName(index), {
    views: [{ state: 'frozen', xSplit: FROZEN_COLUMNS, ySplit: 1, topLeftCell: `${String.fromCharCode(65 + FROZEN_COLUMNS)}2`, activeCell: 'A2' }],
    pageSetup: { ...LIST_PAGE_SETUP },
  });
  const fillIn = new Set<string>(FILL_IN_COLUMNS);
  const styles: Array<Partial<ExcelJS.Style>> = [];
  ws.columns = WORKLIST_SHEET_COLUMNS.map((c) => {
    // One style object per column, shared by its cells: borders cost nothing per cell then.
    const style: Partial<ExcelJS.Style> = { font: BODY_FONT, border: BORDER, alignment: { vertical: 'top', wrapText: WRAPPED.has(c) } };
    if (fillIn.has(c)) Object.assign(style, { protection: { locked: false }, fill: FILL_IN_FILL });
    else style.protection = { locked: true };
    if (c === '估算金额') style.numFmt = '#,##0.00';
    if (c === '核查日期' || c === '整改期限') style.numFmt = 'yyyy-mm-dd';
    styles.push(style);
    return { key: c, width: COLUMN_WIDTHS[c], style, hidden: c === CHECKSUM_COLUMN };
  });
  const headerRow = ws.addRow([...WORKLIST_SHEET_COLUMNS]);
  headerRow.eachCell((cell) => {
    cell.style = {
      font: { ...BODY_FONT, bold: true },
      alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
      border: BORDER,
      fill: fillIn.has(String(cell.value)) ? FILL_IN_FILL : HEADER_FILL,
      protection: { locked: true },
    };
  });
  headerRow.height = 24;
  headerRow.commit();
  ws.headerFooter = { oddHeader: `&L&11${headerFooterText(header)}&R&11社保扩面征缴核查清单`, oddFooter: '&C&11第 &P 页 / 共 &N 页' };
  return { ws, rows: 0, styles };
}

async function closeListSheet(s: SheetState): Promise<void> {
  const last = s.rows + 1;
  if (s.rows > 0) {
    s.ws.dataValidations.add(`${col('核查结果')}2:${col('核查结果')}${last}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${RESULT_VALUES.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: '核查结果',
      error: `请从下拉列表中选择：${RESULT_VALUES.join('、')}`,
      showInputMessage: true,
      promptTitle: '核查结果',
      prompt: '请选择核查结果',
    });
    for (const dateColumn of ['核查日期', '整改期限'] as const) {
      s.ws.dataValidations.add(`${col(dateColumn)}2:${col(dateColumn)}${last}`, checkDateValidation(dateColumn));
    }
  }
  // Filters stay usable (autoFilter allowed) over every visible column; sorting is not offered:
  // Excel refuses to sort locked cells anyway, and the rows come in priority order.
  s.ws.autoFilter = `A1:${col('法定代表人')}${last}`;
  // What prints: the columns a visit needs (序号 .. 备注); the reference columns stay on screen.
  // (exceljs puts a $ before each part: A$1 gives the absolute $A$1 Excel writes itself.)
  s.ws.pageSetup.printArea = `A$1:${col('备注')}$${last}`;
  await s.ws.protect('', FILL_IN_PROTECTION);
  s.ws.commit();
}

/**
 * What each 人员清单 answer does, for the 说明 sheet: from cases/answers.ts where it knows the
 * person rules, else as PERSONS.md has it (a verified fact exempts until the evidence changes;
 * 其他 keeps the person listed). Answers that do the same are one line.
 */
function personAnswerLines(): Array<[string, string, 'text']> {
  const fallback = (r: string): 'exempt' | 'open' => (r === '其他' ? 'open' : 'exempt');
  const effect = (r: string): keyof typeof EFFECT_LABEL => {
    const effects = PERSON_LIST_RULES.map((rule) => answerEffect(rule, r) ?? fallback(r));
    return effects.every((e) => e === effects[0]) ? (effects[0] as keyof typeof EFFECT_LABEL) : 'open';
  };
  const groups = new Map<string, string[]>();
  for (const r of PERSON_RESULT_VALUES) groups.set(effect(r), [...(groups.get(effect(r)) ?? []), r]);
  return [...groups.entries()].map(([e, results]): [string, string, 'text'] => [
    results.join('、'),
    `该人员：${e === 'open' ? '保留在人员清单上（直到数据显示问题已解决）' : EFFECT_LABEL[e as keyof typeof EFFECT_LABEL]}`,
    'text',
  ]);
}

/** The person rules whose cases are answered on 人员清单 (they belong to an employer). */
export const PERSON_LIST_RULES = ['person_uninsured', 'person_base_low'] as const;

/**
 * 人员清单 column widths (Excel units). The print area 序号 .. 备注 adds up to 130, as on 清单,
 * so it prints at the same scale (COLUMN_WIDTHS); the masked ID (18 characters) fits in one line.
 */
export const PERSON_COLUMN_WIDTHS: Record<PersonColumn, number> = {
  序号: 5,
  姓名: 9,
  单位名称: 17,
  证件号码: 20,
  用工月数: 7,
  问题说明: 27,
  核查结果: 12,
  核查日期: 11,
  核查人: 9,
  备注: 13,
  单位序号: 7,
  问题类型: 14,
  案件编号: 12,
  校验码: 18,
};
const PERSON_WRAPPED = new Set<PersonColumn>(['姓名', '单位名称', '问题说明', '备注', '问题类型']);
/** Column letter of a 人员清单 column. */
const pcol = (name: PersonColumn): string => String.fromCharCode(65 + PERSON_SHEET_COLUMNS.indexOf(name));

interface PersonRow {
  seq: bigint;
  emp_seq: bigint;
  emp_name: string | null;
  case_id: string;
  rule_id: string;
  evidence_text: string;
  visit: string;
  sev_rank: number;
  person_name: string | null;
  id_masked: string | null;
  months_employed: number | null;
}

type PersonValues = Record<(typeof PERSON_PROTECTED_COLUMNS)[number], string | number | null>;

/** The cells of one 人员清单 row (protected part). */
function personValues(r: PersonRow, titles: Map<string, string>): PersonValues {
  const title = titles.get(r.rule_id) ?? PERSON_COUNT_LABEL[r.rule_id] ?? r.rule_id;
  const problem = [`【${PERSON_COUNT_LABEL[r.rule_id] ?? title}】${r.evidence_text}`, r.visit ? `上次核查：${r.visit}` : ''].filter((l) => l.trim() !== '');
  return {
    序号: Number(r.seq),
    案件编号: safeText(r.case_id),
    单位序号: Number(r.emp_seq),
    单位名称: safeText(r.emp_name),
    姓名: safeText(r.person_name),
    // Masked in SQL already; safeText masks any ID number again.
    证件号码: safeText(r.id_masked),
    用工月数: r.months_employed === null || r.months_employed === undefined ? null : Number(r.months_employed),
    问题类型: safeText(title),
    问题说明: safeText(problem.join('\n')),
  };
}

function personRowHeight(v: PersonValues): number {
  let lines = 1;
  for (const c of PERSON_PROTECTED_COLUMNS) {
    const value = v[c];
    if (PERSON_WRAPPED.has(c) && value !== null) lines = Math.max(lines, linesIn(String(value), PERSON_COLUMN_WIDTHS[c]));
  }
  return heightFor(lines, MIN_ROW_HEIGHT);
}

function openPersonSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, index: number, header: string): SheetState {
  const ws = addOrderedSheet(wb, personSheetName(index), {
    views: [
      {
        state: 'frozen',
        xSplit: PERSON_FROZEN_COLUMNS,
        ySplit: 1,
        topLeftCell: `${String.fromCharCode(65 + PERSON_FROZEN_COLUMNS)}2`,
        activeCell: 'A2',
      },
    ],
    pageSetup: { ...LIST_PAGE_SETUP },
  });
  const fillIn = new Set<string>(PERSON_FILL_IN_COLUMNS);
  const styles: Array<Partial<ExcelJS.Style>> = [];
  ws.columns = PERSON_SHEET_COLUMNS.map((c) => {
    const style: Partial<ExcelJS.Style> = {
      font: BODY_FONT,
      border: BORDER,
      alignment: { vertical: 'top', wrapText: PERSON_WRAPPED.has(c), ...(c === '用工月数' || c === '单位序号' ? { horizontal: 'center' as const } : {}) },
    };
    if (fillIn.has(c)) Object.assign(style, { protection: { locked: false }, fill: FILL_IN_FILL });
    else style.protection = { locked: true };
    if (c === '核查日期') style.numFmt = 'yyyy-mm-dd';
    styles.push(style);
    return { key: c, width: PERSON_COLUMN_WIDTHS[c], style, hidden: c === CHECKSUM_COLUMN };
  });
  // The headers are the column names exactly (the reader finds columns by them); narrow ones wrap.
  const headerRow = ws.addRow([...PERSON_SHEET_COLUMNS]);
  headerRow.eachCell((cell, n) => {
    cell.style = {
      font: { ...BODY_FONT, bold: true },
      alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
      border: BORDER,
      fill: fillIn.has(PERSON_SHEET_COLUMNS[n - 1] as string) ? FILL_IN_FILL : HEADER_FILL,
      protection: { locked: true },
    };
  });
  headerRow.height = 36;
  headerRow.commit();
  ws.headerFooter = { oddHeader: `&L&11${headerFooterText(header)}&R&11社保扩面征缴 人员核查清单`, oddFooter: '&C&11第 &P 页 / 共 &N 页' };
  return { ws, rows: 0, styles };
}

async function closePersonSheet(s: SheetState): Promise<void> {
  const last = s.rows + 1;
  if (s.rows > 0) {
    s.ws.dataValidations.add(`${pcol('核查结果')}2:${pcol('核查结果')}${last}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${PERSON_RESULT_VALUES.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: '核查结果',
      error: `请从下拉列表中选择：${PERSON_RESULT_VALUES.join('、')}`,
      showInputMessage: true,
      promptTitle: '核查结果',
      prompt: '请选择该人员的核查结果',
    });
    s.ws.dataValidations.add(`${pcol('核查日期')}2:${pcol('核查日期')}${last}`, checkDateValidation('核查日期'));
  }
  s.ws.autoFilter = `A1:${pcol('案件编号')}${last}`;
  s.ws.pageSetup.printArea = `A$1:${pcol('备注')}$${last}`;
  await s.ws.protect('', FILL_IN_PROTECTION);
  s.ws.commit();
}

/** Writes the 人员清单 sheets of a workbook (none when it lists nobody); returns how many. */
async function writePersonSheets(
  db: Db,
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  p: PlanRow,
  header: string,
  maxData: number,
  titles: Map<string, string>,
): Promise<number> {
  const total = Number(p.people ?? 0);
  if (total === 0) return 0;
  let sheet: SheetState | undefined;
  let index = 0;
  for (let from = 1; from <= total; from += CHUNK) {
    const chunk = await db.all<PersonRow>(
      step('worklists.people.chunk'),
      { file: p.file_idx, from, to: Math.min(total, from + CHUNK - 1) },
      { step: 'worklists.people.chunk' },
    );
    for (const r of chunk) {
      if (!sheet || sheet.rows >= maxData) {
        if (sheet) await closePersonSheet(sheet);
        sheet = openPersonSheet(wb, ++index, header);
      }
      const v = personValues(r, titles);
      const cells = PERSON_SHEET_COLUMNS.map((c) =>
        c === CHECKSUM_COLUMN ? personRowChecksum(v) : (PERSON_FILL_IN_COLUMNS as readonly string[]).includes(c) ? null : v[c as keyof PersonValues],
      );
      const row = sheet.ws.addRow(cells);
      row.height = personRowHeight(v);
      for (let c = 1; c <= PERSON_SHEET_COLUMNS.length; c++) row.getCell(c);
      shareColumnStyles(row, sheet.styles);
      row.commit();
      sheet.rows++;
    }
  }
  if (sheet) await closePersonSheet(sheet);
  return index;
}

/** The form of one worklist row. */
function formEntry(v: ProtectedValues): FormEntry {
  const text = (x: string | number | null): string | null => (x === null ? null : String(x));
  return {
    seq: Number(v.序号),
    name: text(v.单位名称),
    address: text(v.地址),
    phone: text(v.联系电话),
    legalRep: text(v.法定代表人),
    uscc: text(v.统一社会信用代码),
    problem: text(v.问题说明),
    caseIds: text(v.案件编号),
    priority: String(v.优先级 ?? ''),
    amount: typeof v.估算金额 === 'number' ? v.估算金额 : null,
  };
}

async function writeWorkbook(
  db: Db,
  file: string,
  p: PlanRow,
  options: { asOf: string; issuedOn: string; runId: string; maxData: number; titles: Map<string, string> },
): Promise<number> {
  const total = Number(p.rows);
  const sheets = Math.max(1, Math.ceil(total / options.maxData));
  const personSheets = Math.ceil(Number(p.people ?? 0) / options.maxData);
  const forms = Math.min(total, FORM_LIMIT);
  const wb = rowListWriter(file);
  const commit = guardCommit(wb);
  wb.creator = 'recon';
  await writeInstructions(wb, p, { ...options, sheets, personSheets, forms });
  const header = p.grid ? `${p.district} ${p.street ?? ''} ${p.grid}` : `${p.district} ${p.street ?? NO_STREET}`;
  const chunks = async function* (upTo: number): AsyncGenerator<ProtectedValues[]> {
    for (let from = 1; from <= upTo; from += CHUNK) {
      const chunk = await db.all<EmployerRow>(
        step('worklists.chunk'),
        { file: p.file_idx, from, to: Math.min(upTo, from + CHUNK - 1) },
        { step: 'worklists.chunk' },
      );
      yield chunk.map((r) => rowValues(r, options.titles));
    }
  };
  let sheet: SheetState | undefined;
  let index = 0;
  for await (const values of chunks(total)) {
    for (const v of values) {
      if (!sheet || sheet.rows >= options.maxData) {
        if (sheet) await closeListSheet(sheet);
        sheet = openListSheet(wb, ++index, header);
      }
      const cells = WORKLIST_SHEET_COLUMNS.map((c) =>
        c === CHECKSUM_COLUMN ? rowChecksum(v) : (FILL_IN_COLUMNS as readonly string[]).includes(c) ? null : v[c as keyof ProtectedValues],
      );
      const row = sheet.ws.addRow(cells);
      // Neither LibreOffice nor every Excel grows a streamed row to fit wrapped text: say how tall it is.
      row.height = rowHeight(v);
      // Every cell is written, empty fill-in cells too, so each carries its column's style itself.
      for (let c = 1; c <= WORKLIST_SHEET_COLUMNS.length; c++) row.getCell(c);
      shareColumnStyles(row, sheet.styles);
      // A row with person cases only has no case of its own to answer: its fill-in cells are closed.
      if (v.案件编号 === null) for (const c of FILL_IN_COLUMNS) row.getCell(WORKLIST_SHEET_COLUMNS.indexOf(c) + 1).style = NO_FILL_IN;
      row.commit();
      sheet.rows++;
    }
  }
  sheet ??= openListSheet(wb, 1, header);
  await closeListSheet(sheet);
  await writePersonSheets(db, wb, p, header, options.maxData, options.titles);
  if (forms > 0) {
    const form = new FormSheet(wb, header, forms);
    for await (const values of chunks(forms)) for (const v of values) form.add(formEntry(v));
    await form.close();
  }
  await commit();
  return index || 1;
}

/** A file path not used yet in this run (case-insensitive, as on Windows): `name.xlsx`, `name_2.xlsx`, ... */
function uniquePath(folder: string, base: string, used: Set<string>): string {
  for (let i = 1; ; i++) {
    const file = path.join(folder, `${base}${i === 1 ? '' : `_${i}`}.xlsx`);
    if (!used.has(file.toLowerCase())) {
      used.add(file.toLowerCase());
      return file;
    }
  }
}

/**
 * Writes the worklists of a run: one workbook per street (or per grid when a grid roster is
 * loaded) under `<run folder>/worklists/<区县>/`, one row per employer with all its open cases,
 * highest priority first, with the columns grid workers fill in, a checksum per row that
 * `applyFeedback` checks when the file comes back, and a printable 入户核查表 per employer.
 * Cases an answer referred to the SI office are left off and listed in
 * `campaign/社保注销清理清单.xlsx` instead (si-cleanup.ts).
 */
export async function writeWorklists(db: Db, ctx: DatedRunContext, layout: WorklistOptions = {}): Promise<WorklistSummary> {
  const started = performance.now();
  const options = { ...layout, runId: ctx.runId, asOf: ctx.dates.asOf, issuedOn: issueDate(ctx.startedAt), dir: ctx.runDir, logger: ctx.logger };
  const maxRows = options.maxRowsPerSheet ?? EXCEL_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 2 || maxRows > EXCEL_MAX_ROWS) {
    throw new RangeError(`maxRowsPerSheet must be a whole number from 2 to ${EXCEL_MAX_ROWS}, got ${maxRows}`);
  }
  await createReferralViews(db);
  const { plan, perGrid } = await planWorklists(db, options.runId, options.issuedOn);
  const titles = ruleTitles(options.ruleTitles);
  const root = path.join(options.dir, 'worklists');
  const summary: WorklistSummary = { workbooks: 0, rows: 0, cases: 0, people: 0, unassignedRows: 0, per: perGrid ? 'grid' : 'street', referred: 0 };
  // Names that differ only in characters a file name cannot hold (A/B片区, A:B片区) would write
  // one file over the other: a later one gets a suffix instead.
  const used = new Set<string>();
  for (const p of plan) {
    const base = p.street === null ? NO_STREET : perGrid ? `${p.street}_${p.grid ?? NO_GRID}` : p.street;
    const folder = path.join(root, safeFileName(p.district));
    fs.mkdirSync(folder, { recursive: true });
    const file = uniquePath(folder, safeFileName(base), used);
    await writeWorkbook(db, file, p, { asOf: options.asOf, issuedOn: options.issuedOn, runId: options.runId, maxData: maxRows - 1, titles });
    summary.workbooks++;
    summary.rows += Number(p.rows);
    summary.cases += Number(p.cases);
    summary.people += Number(p.people ?? 0);
    if (p.street === null || (perGrid && p.grid === null)) summary.unassignedRows += Number(p.rows);
  }
  await db.run(
    `DROP TABLE IF EXISTS _wl_people; DROP TABLE IF EXISTS _wl_rows; DROP TABLE IF EXISTS _wl_emp; DROP TABLE IF EXISTS _wl_cases; DROP TABLE IF EXISTS _wl_grid; DROP TABLE IF EXISTS _wl_roster;`,
  );
  summary.referred = (await writeSiCleanupList(db, ctx)).cases;
  options.logger.info(
    { ...summary, ms: Math.round(performance.now() - started) },
    `worklists: ${summary.workbooks} workbook(s), ${summary.rows} employer(s), ${summary.cases} case(s), ${summary.people} person row(s)${summary.unassignedRows ? `, ${summary.unassignedRows} not assigned to a ${perGrid ? 'grid' : 'street'}` : ''}${summary.referred ? `; ${summary.referred} case(s) on the SI clean-up list` : ''}`,
  );
  return summary;
}
