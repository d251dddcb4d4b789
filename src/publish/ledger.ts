import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { REPORT_FONT as LEDGER_FONT, displayWidth, safeText } from '../core/xlsx-write.ts';
import type { Db, Row } from '../db/database.ts';
import { ARREARS_CLASSES, ledgerRules, selectLedgerRun, type LedgerRule } from './ledger-views.ts';
import { createProjectViews } from './project-lists.ts';
import type { DatedRunContext } from '../config/context.ts';
import { CASE_STATE_ZH, DQ_CATEGORY_ZH, DQ_SOURCE_TABLE_ZH, FILE_STATUS_ZH, RUN_STATUS_ZH, STAGE_ZH, detailZh, sourceZh, zh } from './labels.ts';

/** The sheets of ledger.xlsx, in order. */
export const LEDGER_SHEETS = [
  '汇总',
  '目标完成情况',
  '问题分类',
  '人员参保',
  '项目参保',
  '欠费台账',
  '案件进展',
  '数据质量',
  '待人工确认',
  '运行记录',
] as const;

// yuan: an amount shown in whole yuan (the cell keeps the cents): the overview sheets, where width is scarce.
type CellKind = 'text' | 'int' | 'money' | 'yuan' | 'rate' | 'score' | 'pp' | 'delta';

interface Column {
  header: string;
  key: string;
  kind: CellKind;
  /** Longest width in characters before the text wraps. */
  max?: number;
  center?: boolean;
}

/** LibreOffice needs this family for simplified glyph forms; Excel falls back to its own CJK font. */
const FONT: Partial<ExcelJS.Font> = { name: LEDGER_FONT, size: 10 };
const BOLD: Partial<ExcelJS.Font> = { ...FONT, bold: true };
// pp: a change of a rate, in percentage points; delta: a change of a count.
const FORMATS: Record<CellKind, string | undefined> = {
  text: undefined,
  int: '#,##0',
  money: '#,##0.00',
  yuan: '#,##0',
  rate: '0.0%',
  score: '0.000',
  pp: '+0.0%;-0.0%;0.0%',
  delta: '+#,##0;-#,##0;0',
};
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } };
const TOTAL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  bottom: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  left: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  right: { style: 'thin', color: { argb: 'FFBFBFBF' } },
};
/** Printed height of one line of 10-point text, in points. */
const LINE_PT = 14;

/**
 * A cell value as the workbook gets it: numbers as numbers, everything else as a plain string.
 * Strings are never formulas in exceljs (only `{ formula }` objects are), so a name such as
 * `=cmd|' /C calc'!A0` from an export stays text in a string cell.
 */
function cellValue(value: unknown, kind: CellKind): string | number | null {
  if (value === null || value === undefined) return null;
  if (kind !== 'text') {
    const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : Number(String(value));
    return Number.isFinite(n) ? n : String(value);
  }
  return safeText(value);
}

function formatted(value: string | number | null, kind: CellKind): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (kind === 'rate') return `${(value * 100).toFixed(1)}%`;
  if (kind === 'pp') return `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
  if (kind === 'delta') return `${value > 0 ? '+' : ''}${value.toLocaleString('en-US')}`;
  if (kind === 'money') return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (kind === 'yuan') return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (kind === 'int') return value.toLocaleString('en-US');
  return String(value);
}

interface SheetSpec {
  name: string;
  title: string;
  columns: Column[];
  rows: Row[];
  /** Rows (by index) drawn as totals: bold on grey. */
  totals?: Set<number>;
  /** Keep the first column visible when scrolling. */
  freezeFirstColumn?: boolean;
  /**
   * Printed pages across (default 1: fit to the page width). Above 1 the first column repeats
   * on each page, and the title's own cell holds only the sheet name.
   */
  pagesWide?: number;
  /**
   * Tables written under the main one, sharing its columns (the run record's input files).
   * `newPage`: printed from the top of a new page; the main table's header rows then do not
   * repeat (over another table's columns they would mislead).
   */
  after?: Array<{ title: string; columns: Column[]; rows: Row[]; newPage?: boolean }>;
  /** What the sheet says when it has no rows: then the sheet is its title and this one line. */
  empty?: string;
}

function widths(columns: Column[], rows: Row[]): number[] {
  return columns.map((c) => {
    const header = Math.max(...c.header.split('\n').map(displayWidth));
    let w = header;
    for (const r of rows) w = Math.max(w, displayWidth(formatted(cellValue(r[c.key], c.kind), c.kind)));
    // Text gets room on both sides; a right-aligned number needs less.
    return Math.min(c.max ?? 40, Math.max(6, w + (c.kind === 'text' ? 2 : 1)));
  });
}

/** Lines a text takes in a column `width` characters wide (displayWidth counts a CJK glyph as 2; it draws nearer 1.8). */
function linesIn(text: string, width: number): number {
  const room = Math.max(1, (width - 1) * 1.1);
  return text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(displayWidth(line) / room)), 0);
}

function headerFooter(spec: SheetSpec, asOf: string): Partial<ExcelJS.HeaderFooter> {
  const amp = (s: string): string => s.replaceAll('&', '&&');
  return {
    oddHeader: `&L&"${LEDGER_FONT},Regular"&9${amp(spec.title)}&R&"${LEDGER_FONT},Regular"&9核查日 ${asOf}`,
    oddFooter: `&C&"${LEDGER_FONT},Regular"&9第 &P 页，共 &N 页`,
  };
}

/** A4 landscape, fit to the page width, as many pages down as the rows need. */
function pageSetup(overrides: Partial<ExcelJS.PageSetup> = {}): Partial<ExcelJS.PageSetup> {
  return {
    paperSize: 9, // A4
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    horizontalCentered: true,
    ...overrides,
  };
}

function styleCell(cell: ExcelJS.Cell, kind: CellKind, total: boolean, wrap: boolean, center = false): void {
  cell.font = total ? BOLD : FONT;
  cell.border = THIN;
  const fmt = FORMATS[kind];
  if (fmt) cell.numFmt = fmt;
  cell.alignment = { vertical: 'middle', horizontal: center ? 'center' : kind === 'text' ? 'left' : 'right', wrapText: wrap };
  if (total) cell.fill = TOTAL_FILL;
}

function addHeaderRow(ws: ExcelJS.Worksheet, columns: Column[], colWidths: number[]): void {
  const row = ws.addRow(columns.map((c) => c.header));
  // A header wraps at its column's edge too, not only at its line breaks: room for every line.
  row.height = Math.max(...columns.map((c, i) => linesIn(c.header, colWidths[i] ?? 10))) * (LINE_PT + 1) + 6;
  columns.forEach((_, i) => {
    const cell = row.getCell(i + 1);
    cell.font = BOLD;
    cell.fill = HEADER_FILL;
    cell.border = THIN;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  row.commit();
}

function addDataRows(ws: ExcelJS.Worksheet, columns: Column[], rows: Row[], colWidths: number[], totals?: Set<number>): void {
  rows.forEach((r, index) => {
    const values = columns.map((c) => cellValue(r[c.key], c.kind));
    const row = ws.addRow(values);
    let lines = 1;
    columns.forEach((c, i) => {
      const needed = c.kind === 'text' ? linesIn(formatted(values[i] ?? null, c.kind), colWidths[i] ?? 10) : 1;
      lines = Math.max(lines, needed);
      styleCell(row.getCell(i + 1), c.kind, totals?.has(index) === true, needed > 1, c.center === true);
    });
    if (lines > 1) row.height = Math.min(lines, 6) * LINE_PT + 4;
    row.commit();
  });
}

function addTitleRow(ws: ExcelJS.Worksheet, values: string[]): void {
  const title = ws.addRow(values);
  title.height = 24;
  values.forEach((_, i) => {
    title.getCell(i + 1).font = { ...FONT, size: 13, bold: true };
    title.getCell(i + 1).alignment = { vertical: 'middle' };
  });
  title.commit();
}

/**
 * A sheet without rows: its title and one line saying why, on one printed page. No header row
 * of empty columns: that printed as two near-empty pages with the title cut at a column edge.
 */
function writeEmptySheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, spec: SheetSpec, message: string, asOf: string): void {
  // The 13-point title is about 1.3 times as wide as the 10-point line.
  const width = Math.min(120, Math.ceil(Math.max(displayWidth(spec.title) * 1.3, displayWidth(message))) + 4);
  const ws = workbook.addWorksheet(spec.name, {
    views: [{ showGridLines: false }],
    pageSetup: pageSetup({ fitToHeight: 1 }),
    headerFooter: headerFooter(spec, asOf),
  });
  ws.columns = [{ width }];
  addTitleRow(ws, [spec.title]);
  const row = ws.addRow([message]);
  row.getCell(1).font = FONT;
  row.getCell(1).alignment = { vertical: 'middle', wrapText: true };
  row.height = linesIn(message, width) * LINE_PT + 4;
  row.commit();
  ws.commit();
}

function writeSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, spec: SheetSpec, asOf: string): void {
  if (spec.rows.length === 0 && spec.empty !== undefined && !spec.after?.length) {
    writeEmptySheet(workbook, spec, spec.empty, asOf);
    return;
  }
  const colWidths = widths(spec.columns, spec.rows);
  // Tables written under the main one share its columns: widen to fit them too.
  for (const extra of spec.after ?? []) {
    for (const [i, w] of widths(extra.columns, extra.rows).entries()) colWidths[i] = Math.max(colWidths[i] ?? 6, w);
  }
  const repeatFirst = (spec.pagesWide ?? 1) > 1;
  const repeatHeader = !spec.after?.some((a) => a.newPage);
  const ws = workbook.addWorksheet(spec.name, {
    views: [{ state: 'frozen', ySplit: 2, xSplit: spec.freezeFirstColumn ? 1 : 0, showGridLines: false }],
    // A column without a <col> entry is drawn at this width (exceljs leaves out those of width 9; Excel's own default is 8.43).
    properties: { defaultColWidth: 9 },
    pageSetup: pageSetup({
      fitToWidth: spec.pagesWide ?? 1,
      ...(repeatHeader ? { printTitlesRow: '1:2' } : {}),
      ...(repeatFirst ? { printTitlesColumn: 'A:A' } : {}),
    }),
    headerFooter: headerFooter(spec, asOf),
  });
  ws.columns = colWidths.map((width) => ({ width }));
  // With the first column repeated on every printed page, the title's own cell holds only the
  // short name (a long title would be cut at the column edge on page 2); the rest goes beside it.
  addTitleRow(ws, repeatFirst ? [spec.name, spec.title] : [spec.title]);
  addHeaderRow(ws, spec.columns, colWidths);
  if (spec.rows.length === 0 && spec.empty) {
    const row = ws.addRow([spec.empty]);
    row.getCell(1).font = FONT;
    row.commit();
  }
  addDataRows(ws, spec.columns, spec.rows, colWidths, spec.totals);
  for (const extra of spec.after ?? []) {
    const gap = ws.addRow([]);
    if (extra.newPage) gap.addPageBreak();
    gap.commit();
    const t = ws.addRow([extra.title]);
    t.getCell(1).font = BOLD;
    t.commit();
    addHeaderRow(ws, extra.columns, colWidths);
    addDataRows(ws, extra.columns, extra.rows, colWidths);
  }
  ws.commit();
}

/**
 * 汇总: rates, findings, cases and arrears per district, in columns that print one A4 landscape
 * page wide at full size. The counts and amounts per rule are on 问题分类.
 */
const SUMMARY_COLUMNS: Column[] = [
  { header: '区县', key: 'district_name', kind: 'text', max: 16 },
  { header: '在业\n单位数', key: 'active_employers', kind: 'int' },
  { header: '应参保\n单位数', key: 'should_enroll', kind: 'int' },
  { header: '已参保\n单位数', key: 'enrolled', kind: 'int' },
  { header: '参保率', key: 'coverage_rate', kind: 'rate' },
  { header: '足额缴费\n单位数', key: 'paid_in_full', kind: 'int' },
  { header: '缴费率', key: 'payment_rate', kind: 'rate' },
  { header: '当月应缴\n(元)', key: 'due_m', kind: 'yuan' },
  { header: '当月实缴\n(元)', key: 'paid_m', kind: 'yuan' },
  { header: '征缴率', key: 'collection_rate', kind: 'rate' },
  { header: '问题\n总数', key: 'findings', kind: 'int' },
  { header: '涉及金额\n(元)', key: 'findings_amount', kind: 'yuan' },
  { header: '本次新增\n案件', key: 'cases_opened', kind: 'int' },
  { header: '本次销号\n案件', key: 'cases_resolved', kind: 'int' },
  { header: '在办\n案件', key: 'cases_open', kind: 'int' },
  { header: '欠费合计\n(元)', key: 'arrears_amount', kind: 'yuan' },
  { header: '滞纳金\n合计(元)', key: 'arrears_late_fee', kind: 'yuan' },
];

/** 问题分类: per district the findings of each rule (户), then the amounts of the rules that estimate one. */
function ruleColumns(rules: LedgerRule[]): Column[] {
  return [
    { header: '区县', key: 'district_name', kind: 'text', max: 16 },
    ...rules.map((r): Column => ({ header: `${r.title}\n(户)`, key: `${r.id}_n`, kind: 'int', max: 10 })),
    ...rules.filter((r) => r.hasAmount).map((r): Column => ({ header: `${r.title}\n金额(元)`, key: `${r.id}_amount`, kind: 'yuan', max: 16 })),
  ];
}

/** 目标完成情况: per district actual, target and completion of the four targets, rank and change since last month. */
const TARGET_COLUMNS: Column[] = [
  { header: '区县', key: 'district_name', kind: 'text' },
  { header: '排名', key: 'rank', kind: 'int', center: true },
  { header: '排名\n变化', key: 'rank_move', kind: 'text', center: true },
  { header: '综合\n完成率', key: 'completion', kind: 'rate' },
  { header: '较上月\n(百分点)', key: 'completion_change', kind: 'pp' },
  { header: '参保\n单位数', key: 'insured_units', kind: 'int' },
  { header: '参保单位\n目标', key: 'target_units', kind: 'int' },
  { header: '单位\n完成率', key: 'completion_units', kind: 'rate' },
  { header: '较上月\n新增单位', key: 'insured_units_change', kind: 'delta' },
  { header: '参保\n人数', key: 'insured_persons', kind: 'int' },
  { header: '参保人数\n目标', key: 'target_persons', kind: 'int' },
  { header: '人数\n完成率', key: 'completion_persons', kind: 'rate' },
  { header: '较上月\n新增人数', key: 'insured_persons_change', kind: 'delta' },
  { header: '参保率', key: 'coverage_rate', kind: 'rate' },
  { header: '参保率\n目标', key: 'target_coverage', kind: 'rate' },
  { header: '参保率\n完成率', key: 'completion_coverage', kind: 'rate' },
  { header: '征缴金额\n(元)', key: 'collected', kind: 'money' },
  { header: '征缴目标\n(元)', key: 'target_collection', kind: 'money' },
  { header: '征缴\n完成率', key: 'completion_collection', kind: 'rate' },
  { header: '较上月\n征缴增加(元)', key: 'collected_change', kind: 'money' },
];

/**
 * 人员参保: per district the people (ledger_person): wage earners and the enrolled among them
 * (职工参保率), people found uninsured or on a low base, lapsed people, and the people the state
 * should pay the residents' pension for and those it pays for (代缴覆盖率).
 */
const PERSON_COLUMNS: Column[] = [
  { header: '区县', key: 'district_name', kind: 'text', max: 16 },
  { header: '职工人数\n(领取工资)', key: 'wage_earners', kind: 'int' },
  { header: '其中\n已参保', key: 'wage_earners_enrolled', kind: 'int' },
  { header: '职工\n参保率', key: 'person_coverage_rate', kind: 'rate' },
  { header: '未参保\n职工(人)', key: 'uninsured_people', kind: 'int' },
  { header: '缴费基数\n偏低(人)', key: 'base_low_people', kind: 'int' },
  { header: '断缴\n人员(人)', key: 'lapsed', kind: 'int' },
  { header: '困难群体\n应代缴(人)', key: 'assistance', kind: 'int' },
  { header: '其中\n已代缴', key: 'assistance_covered', kind: 'int' },
  { header: '代缴\n覆盖率', key: 'daijiao_coverage_rate', kind: 'rate' },
];

/**
 * 项目参保: per district of the project (ledger_project_district, src/publish/project-lists.sql)
 * the permits issued this year up to D - 7 days, the insured among them (新开工项目工伤保险参保率)
 * and whether the rate reaches project_coverage_target.
 */
const PROJECT_COLUMNS: Column[] = [
  { header: '区县', key: 'district_name', kind: 'text', max: 16 },
  { header: '新开工项目\n(本年发证)', key: 'permits', kind: 'int' },
  { header: '其中\n已参保', key: 'insured', kind: 'int' },
  { header: '工伤保险\n参保率', key: 'rate', kind: 'rate' },
  { header: '目标', key: 'target', kind: 'rate' },
  { header: '是否\n达标', key: 'reached_text', kind: 'text', max: 6 },
];

/** A rate or count the sheet cannot give (no people, or no person data this run): — rather than an empty cell. */
function dash(r: Row, keys: string[]): Row {
  return { ...r, ...Object.fromEntries(keys.filter((k) => r[k] === null || r[k] === undefined).map((k) => [k, '—'])) };
}

const UNRESOLVED_COLUMNS: Column[] = [{ header: '目标任务中的区县（未识别）', key: 'district_text', kind: 'text', max: 30 }];

/** A rank change as people read it: ↑2 (moved up two places), ↓1, 持平; blank without last month. */
export function rankMove(change: unknown): string | null {
  if (change === null || change === undefined) return null;
  const n = Number(change);
  return n > 0 ? `↑${n}` : n < 0 ? `↓${-n}` : '持平';
}

const ARREARS_COLUMNS: Column[] = [
  { header: '欠费类别', key: 'class_title', kind: 'text', max: 24 },
  { header: '区县', key: 'district_name', kind: 'text' },
  { header: '街道', key: 'street', kind: 'text' },
  { header: '单位名称', key: 'name', kind: 'text', max: 30 },
  { header: '统一社会信用代码', key: 'uscc', kind: 'text' },
  { header: '欠费\n月数', key: 'months_owing', kind: 'int' },
  { header: '欠费\n起始月', key: 'since', kind: 'text', center: true },
  { header: '欠费金额\n(元)', key: 'amount', kind: 'money' },
  { header: '滞纳金\n(元)', key: 'late_fee', kind: 'money' },
  { header: '合计\n(元)', key: 'total', kind: 'money' },
  { header: '案件号', key: 'case_id', kind: 'text' },
  { header: '案件状态', key: 'case_state', kind: 'text' },
];

const PROGRESS_COLUMNS: Column[] = [
  { header: '区县', key: 'district_name', kind: 'text' },
  { header: '规则', key: 'rule_title', kind: 'text' },
  { header: '本次\n新增', key: 'opened_run', kind: 'int' },
  { header: '本次\n销号', key: 'resolved_run', kind: 'int' },
  { header: '本次\n豁免', key: 'exempt_run', kind: 'int' },
  { header: '本次\n重开', key: 'reopened_run', kind: 'int' },
  { header: '累计\n立案', key: 'opened_total', kind: 'int' },
  { header: '累计\n销号', key: 'resolved_total', kind: 'int' },
  { header: '累计\n豁免', key: 'exempt_total', kind: 'int' },
  { header: '在办', key: 'open_now', kind: 'int' },
];

const DQ_COLUMNS: Column[] = [
  { header: '来源', key: 'source_title', kind: 'text' },
  { header: '问题类别', key: 'category_title', kind: 'text' },
  { header: '数据类型', key: 'kind', kind: 'text' },
  { header: '文件', key: 'file_name', kind: 'text', max: 30 },
  { header: '记录键', key: 'record_key', kind: 'text' },
  { header: '名称', key: 'name', kind: 'text', max: 30 },
  { header: '说明', key: 'detail', kind: 'text', max: 60 },
  { header: '行数', key: 'row_count', kind: 'int' },
];

const REVIEW_COLUMNS: Column[] = [
  { header: '区县', key: 'district_name', kind: 'text' },
  { header: '来源', key: 'source', kind: 'text' },
  { header: '记录键', key: 'record_key', kind: 'text' },
  { header: '名称', key: 'name', kind: 'text', max: 32 },
  { header: '候选单位', key: 'candidate_name', kind: 'text', max: 32 },
  { header: '候选单位ID', key: 'candidate_employer_id', kind: 'text' },
  { header: '相似度', key: 'score', kind: 'score' },
  { header: '原因', key: 'reason', kind: 'text' },
  { header: '首次列出', key: 'first_listed', kind: 'text' },
  { header: '已等待（天）', key: 'days_waiting', kind: 'int' },
  { header: '人工结论', key: 'decision', kind: 'text' },
  { header: '复核编号', key: 'pair_id', kind: 'text' },
];

const KV_COLUMNS: Column[] = [
  { header: '项目', key: 'label', kind: 'text' },
  { header: '内容', key: 'value', kind: 'text', max: 28 },
];

const INPUT_COLUMNS: Column[] = [
  { header: '文件', key: 'file_name', kind: 'text', max: 40 },
  { header: '数据类型', key: 'kind', kind: 'text' },
  { header: '状态', key: 'status', kind: 'text' },
  { header: '本次载入', key: 'this_run', kind: 'text' },
  { header: '数据日期', key: 'as_of', kind: 'text' },
  { header: '读取行', key: 'rows_read', kind: 'int' },
  { header: '载入行', key: 'rows_loaded', kind: 'int' },
  { header: '拒收行', key: 'rows_rejected', kind: 'int' },
  { header: '说明', key: 'message', kind: 'text', max: 50 },
];

function ymd(v: unknown): string {
  return v instanceof Date ? v.toISOString().slice(0, 10) : v === null || v === undefined ? '' : String(v);
}

function stamp(v: unknown): string {
  return v instanceof Date ? v.toISOString().replace('T', ' ').slice(0, 19) : v === null || v === undefined ? '' : String(v);
}

/**
 * Writes `<dir>/ledger.xlsx`, the office's 台账, from the ledger views (so every number can be
 * reproduced with SQL): the sheets of LEDGER_SHEETS. Streaming writer, frozen headers, A4
 * landscape fit to the page width with the header rows on every page and page numbers; a
 * sheet without rows is its title and one line.
 */
export async function writeLedger(db: Db, ctx: DatedRunContext, stageTimings: Record<string, number> = {}): Promise<{ file: string; sheets: string[] }> {
  const started = performance.now();
  const rules = await ledgerRules(db);
  await selectLedgerRun(db, ctx.runId);
  const options = { runId: ctx.runId, asOf: ctx.dates.asOf, dir: ctx.runDir, logger: ctx.logger, timings: stageTimings };
  const step = (s: string): { step: string } => ({ step: `ledger.${s}` });

  const district = await db.all(`SELECT * FROM ledger_district`, undefined, step('district'));
  const monthRow = district[0];
  const month = monthRow ? ymd(monthRow['month']).slice(0, 7) : '';
  const heading = (what: string): string => `${what}（核查日 ${options.asOf}，已结算月份 ${month}）`;

  const arrears = await db.all(`SELECT * FROM ledger_arrears`, undefined, step('arrears'));
  const arrearsRows: Row[] = [];
  const arrearsTotals = new Set<number>();
  for (const c of ARREARS_CLASSES) {
    const rows = arrears.filter((r) => r['class'] === c.id).map((r) => ({ ...r, case_state: zh(CASE_STATE_ZH, r['case_state']) }));
    if (!rows.length) continue;
    arrearsRows.push(...rows);
    arrearsTotals.add(arrearsRows.length);
    arrearsRows.push({ class_title: `${c.title} 小计`, months_owing: null, ...sums(rows, ['amount', 'late_fee', 'total']), name: `${rows.length} 户` });
  }
  if (arrears.length) {
    arrearsTotals.add(arrearsRows.length);
    arrearsRows.push({ class_title: '合计', ...sums(arrears, ['amount', 'late_fee', 'total']), name: `${arrears.length} 户` });
  }

  // The run's progress against the targets is recorded before it is read (the history the next month compares with).
  const targetYear = Number(options.asOf.slice(0, 4));
  const targetCount = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM campaign_targets WHERE year = $1`, [targetYear], step('targets'));
  const hasTargets = Number(targetCount?.n ?? 0) > 0;
  const targets: Row[] = hasTargets
    ? (await db.all(`SELECT * FROM ledger_targets`, undefined, step('targets'))).map((r) => ({ ...r, rank_move: rankMove(r['rank_change']) }))
    : [];
  const unresolved = hasTargets
    ? await db.all(`SELECT district_text FROM campaign_targets WHERE year = $1 AND district_code IS NULL ORDER BY district_text`, [targetYear], step('targets'))
    : [];
  const prevAsOf = targets.find((r) => r['prev_as_of'] instanceof Date)?.['prev_as_of'];
  // The title must not start with a digit: in the page header it follows a font-size code (&9).
  const targetsTitle = `目标完成情况（${targetYear} 年度，核查日 ${options.asOf}${prevAsOf ? `，较上月：与 ${ymd(prevAsOf)} 比较` : '，上月无运行记录'}）`;

  const people = (await db.all(`SELECT * FROM ledger_person`, undefined, step('person'))).map((r) =>
    dash(
      r,
      PERSON_COLUMNS.filter((c) => c.kind !== 'text').map((c) => c.key),
    ),
  );
  await createProjectViews(db);
  const projects = (await db.all(`SELECT * FROM ledger_project_district`, undefined, step('projects'))).map(
    (r): Row => ({
      ...dash(r, ['rate']),
      reached_text: r['reached'] === true ? '是' : r['reached'] === false ? '否' : '—',
    }),
  );
  const progress = await db.all(`SELECT * FROM ledger_cases_progress`, undefined, step('progress'));
  const progressTotals = new Set(progress.flatMap((r, i) => (r['district_code'] === null ? [i] : [])));
  // The database keeps the English codes and detail (scripts and analysts read them); the office reads Chinese.
  const dq = (await db.all(`SELECT * FROM ledger_data_quality ORDER BY source_table, category, kind, file_name, record_key`, undefined, step('dq'))).map(
    (r) => ({
      ...r,
      source_title: zh(DQ_SOURCE_TABLE_ZH, r['source_table']),
      category_title: zh(DQ_CATEGORY_ZH, r['category']),
      kind: sourceZh(r['kind']),
      detail: detailZh(r['detail'], r['kind']),
    }),
  );
  const review = (await db.all(`SELECT * FROM ledger_review`, undefined, step('review'))).map((r) => ({
    ...r,
    source: sourceZh(r['source']),
    first_listed: r['first_listed'] instanceof Date ? r['first_listed'].toISOString().slice(0, 10) : r['first_listed'],
  }));
  const longestWait = Math.max(0, ...review.map((r) => Number((r as Record<string, unknown>)['days_waiting'] ?? 0)));
  const run = (await db.one(`SELECT * FROM ledger_run`, undefined, step('run'))) ?? {};
  const inputs = (await db.all(`SELECT * FROM ledger_run_inputs`, undefined, step('inputs'))).map((r) => ({
    ...r,
    as_of: ymd(r['as_of']),
    kind: sourceZh(r['kind']),
    status: zh(FILE_STATUS_ZH, r['status']),
    this_run: r['this_run'] ? '是' : '否（此前载入，仍在用）',
  }));
  let timings: Record<string, number> = {};
  try {
    timings = run['timings'] ? (JSON.parse(String(run['timings'])) as Record<string, number>) : {};
  } catch (error) {
    options.logger.warn({ err: String(error) }, 'ledger: the run timings are not JSON');
  }
  timings = { ...timings, ...(options.timings ?? {}) };
  const kv = (label: string, value: unknown): Row => ({ label, value: value === null || value === undefined ? '' : String(value) });
  const runRows: Row[] = [
    kv('运行号', run['run_id'] ?? options.runId),
    kv('状态', zh(RUN_STATUS_ZH, run['status'])),
    kv('核查日', options.asOf),
    kv('已结算月份', month),
    kv('流水线文件', run['pipeline']),
    kv('开始时间 (UTC)', stamp(run['started_at'])),
    kv('结束时间 (UTC)', stamp(run['finished_at'])),
    kv('结果文件夹', run['output_dir']),
    kv('警告', Number(run['warnings'] ?? 0) > 0 ? `${run['warnings']} 条（见下方输入文件的说明，以及 run.json）` : '无'),
    kv('载入文件数', run['files_loaded']),
    kv('拒收文件数', run['files_refused']),
    kv('重复跳过文件数', run['files_skipped'] ?? 0),
    kv('载入行数', run['rows_loaded']),
    kv('拒收行数', run['rows_rejected']),
    kv('单位数', run['employers']),
    kv('问题数', run['findings']),
    kv('待人工确认', run['review']),
    kv('数据质量问题', run['dq_issues']),
    ...Object.entries(timings).map(([stage, ms]) => kv(`耗时：${zh(STAGE_ZH, stage)}`, `${(ms / 1000).toFixed(1)} 秒`)),
  ];

  fs.mkdirSync(options.dir, { recursive: true });
  const file = path.join(options.dir, 'ledger.xlsx');
  const tmp = `${file}.partial`;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: tmp, useStyles: true, useSharedStrings: true });
  workbook.creator = 'recon';
  const specs: SheetSpec[] = [
    {
      name: '汇总',
      title: heading('扩面征缴台账'),
      columns: SUMMARY_COLUMNS,
      rows: district,
      totals: new Set([district.length - 1]),
      freezeFirstColumn: true,
    },
    {
      name: '目标完成情况',
      title: targetsTitle,
      columns: TARGET_COLUMNS,
      rows: targets,
      totals: new Set(targets.flatMap((r, i) => (r['district_code'] === null ? [i] : []))),
      freezeFirstColumn: true,
      pagesWide: 2,
      empty: `未载入 ${targetYear} 年度目标任务（目标任务文件：区县、年度、参保单位目标、参保人数目标、参保率目标、征缴目标），本表无数据。`,
      ...(unresolved.length ? { after: [{ title: '未识别的区县（既非区划代码，也非本市区县名称）', columns: UNRESOLVED_COLUMNS, rows: unresolved }] } : {}),
    },
    {
      name: '问题分类',
      title: heading('各类问题（按区县）'),
      columns: ruleColumns(rules),
      rows: district,
      totals: new Set([district.length - 1]),
      freezeFirstColumn: true,
    },
    {
      name: '人员参保',
      title: heading('人员参保情况（按区县）'),
      columns: PERSON_COLUMNS,
      rows: people,
      totals: new Set(people.flatMap((r, i) => (r['district_code'] === null ? [i] : []))),
      freezeFirstColumn: true,
      empty: '本次运行没有人员层面的数据（未载入个税全员全额扣缴明细、社保个人参保等文件，或未执行人员规则）。',
    },
    {
      name: '项目参保',
      title: heading(`新开工项目工伤保险参保情况（按区县，${options.asOf.slice(0, 4)} 年发证至核查日前 7 天）`),
      columns: PROJECT_COLUMNS,
      rows: projects.some((r) => Number(r['permits'] ?? 0) > 0) ? projects : [],
      totals: new Set(projects.flatMap((r, i) => (r['district_code'] === null ? [i] : []))),
      freezeFirstColumn: true,
      empty: '本次运行没有本年发证的施工许可（未载入建筑工程施工许可文件）。',
    },
    {
      name: '欠费台账',
      title: heading('欠费台账（按类别，含滞纳金）'),
      columns: ARREARS_COLUMNS,
      rows: arrearsRows,
      totals: arrearsTotals,
      empty: '本次无欠费单位',
    },
    { name: '案件进展', title: heading('案件进展'), columns: PROGRESS_COLUMNS, rows: progress, totals: progressTotals, empty: '暂无案件' },
    { name: '数据质量', title: heading('数据质量问题'), columns: DQ_COLUMNS, rows: dq, empty: '本次未发现数据质量问题' },
    {
      name: '待人工确认',
      title: heading(
        review.length ? `待人工确认的单位关联：${review.length} 对，最长已等待 ${longestWait} 天（逐对确认见 review/待人工确认.xlsx）` : '待人工确认的单位关联',
      ),
      columns: REVIEW_COLUMNS,
      rows: review,
      empty: '本次无待人工确认的关联',
    },
    {
      name: '运行记录',
      title: heading('运行记录'),
      columns: KV_COLUMNS,
      rows: runRows,
      after: [{ title: '输入文件', columns: INPUT_COLUMNS, rows: inputs, newPage: true }],
    },
  ];
  for (const spec of specs) writeSheet(workbook, spec, options.asOf);
  await workbook.commit();
  fs.renameSync(tmp, file);
  options.logger.info(
    { file, ms: Math.round(performance.now() - started) },
    `ledger: ${path.basename(file)} (${district.length - 1} districts, ${arrears.length} owing)`,
  );
  return { file, sheets: specs.map((s) => s.name) };
}

function sums(rows: Row[], keys: string[]): Row {
  return Object.fromEntries(keys.map((k) => [k, Math.round(rows.reduce((n, r) => n + Number(r[k] ?? 0), 0) * 100) / 100]));
}
