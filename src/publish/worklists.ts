import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps } from '../db/steps.ts';
import type { DatedRunContext } from '../config/context.ts';
import { BUILTIN_RULES } from '../rules/catalog/index.ts';
import { validateUscc } from '../link/codes.ts';
import {
  WORKLIST_COLUMNS,
  PROTECTED_COLUMNS,
  FILL_IN_COLUMNS,
  RESULT_VALUES,
  CHECK_DATE_MIN,
  CHECK_DATE_MAX,
  CASE_ID_SEPARATOR,
  listSheetName,
  rowChecksum,
  type WorklistColumn,
} from '../cases/worklist-layout.ts';
import {
  addOrderedSheet,
  guardCommit,
  safeText,
  displayWidth,
  headerFooterText,
  rowListWriter,
  safeFileName,
  shareColumnStyles,
  type StreamSheet,
} from '../core/xlsx-write.ts';

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
  /** Rows in the 未分街道 / 未分网格 workbooks, which somebody must still assign. */
  unassignedRows: number;
  /** Whether workbooks are per grid (a grid roster was loaded) or per street. */
  per: 'grid' | 'street';
}

const NO_STREET = '未分街道';
const NO_GRID = '未分网格';
const NO_DISTRICT = '未知区县';
const CHUNK = 5000;
const SEVERITY_LABEL: Record<number, string> = { 3: '高', 2: '中', 1: '低' };

interface PlanRow {
  file_idx: number;
  district: string;
  street: string | null;
  grid: string | null;
  workers: string | null;
  rows: bigint;
  cases: bigint;
  high: bigint;
  amount: number | null;
}

interface EmployerRow {
  seq: bigint;
  case_ids: string;
  rule_ids: string;
  evidence: string;
  amount: number | null;
  sev_rank: number;
  name: string | null;
  uscc: string | null;
  legal_rep: string | null;
  phone: string | null;
  address: string | null;
  noticed_on: string | null;
}

/**
 * Builds `_wl_rows` (one row per employer with open cases of this run, with its file and its
 * rank in that file) and returns the workbook plan, one entry per file.
 */
async function planWorklists(db: Db, runId: string): Promise<{ plan: PlanRow[]; perGrid: boolean }> {
  const perGrid = (await db.one<{ per_grid: boolean }>(step('worklists.per_grid'), undefined, { step: 'worklists.per_grid' }))?.per_grid === true;
  await runSteps(db, [
    { name: 'worklists.rows', sql: step('worklists.rows'), params: { run: runId, sep: CASE_ID_SEPARATOR, no_district: NO_DISTRICT }, creates: ['_wl_emp'] },
    { name: 'worklists.grids', sql: step('worklists.grids'), creates: ['_wl_roster', '_wl_grid'] },
    { name: 'worklists.place', sql: step('worklists.place'), params: { no_street: NO_STREET, no_grid: NO_GRID, per_grid: perGrid }, creates: ['_wl_rows'] },
  ]);
  const plan = await db.all<PlanRow>(step('worklists.plan'), { per_grid: perGrid }, { step: 'worklists.plan' });
  return { plan, perGrid };
}

/** Titles of the rules, Chinese, by id. */
function ruleTitles(extra: Record<string, string> = {}): Map<string, string> {
  return new Map([...BUILTIN_RULES.map((r) => [r.id, r.title] as const), ...Object.entries(extra)]);
}

/** The cells of one worklist row (protected part), from an employer row. */
function rowValues(r: EmployerRow, titles: Map<string, string>): Record<(typeof PROTECTED_COLUMNS)[number], string | number | null> {
  const ruleIds = r.rule_ids.split(',');
  const evidence = r.evidence.split('\u001f');
  const ruleNames = ruleIds.map((id) => titles.get(id) ?? id);
  const lines = ruleIds.length === 1 ? evidence : evidence.map((e, i) => `【${ruleNames[i] ?? ''}】${e}`);
  const uscc = r.uscc !== null && validateUscc(r.uscc).ok ? r.uscc : null;
  return {
    序号: Number(r.seq),
    案件编号: safeText(r.case_ids),
    单位名称: safeText(r.name),
    统一社会信用代码: uscc,
    法定代表人: safeText(r.legal_rep),
    联系电话: safeText(r.phone),
    地址: safeText(r.address),
    问题类型: safeText([...new Set(ruleNames)].join('、')),
    问题说明: safeText([...lines, r.noticed_on ? `已于${r.noticed_on}发送告知书` : ''].filter((l) => l.trim() !== '').join('\n')),
    估算金额: r.amount === null ? null : Math.round(r.amount * 100) / 100,
    优先级: SEVERITY_LABEL[r.sev_rank] ?? '低',
  };
}

const BORDER: Partial<ExcelJS.Borders> = {
  top: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  left: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  bottom: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  right: { style: 'thin', color: { argb: 'FFBFBFBF' } },
};
const FILL_IN_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };

/** Column widths in Excel units from the header and a sample of rows (CJK counts 2), within sensible bounds. */
function columnWidths(sample: Array<Record<string, string | number | null>>): Record<WorklistColumn, number> {
  // Narrow enough that a landscape A4 page prints at a readable scale: long texts wrap instead.
  const fixed: Partial<Record<WorklistColumn, number>> = {
    问题说明: 42,
    核查结果: 13,
    核查日期: 11,
    整改期限: 11,
    核查人: 8,
    备注: 16,
    校验码: 18,
    估算金额: 12,
    优先级: 7,
  };
  const max: Partial<Record<WorklistColumn, number>> = { 单位名称: 24, 地址: 24, 问题类型: 14, 案件编号: 12, 法定代表人: 10, 联系电话: 14 };
  const widths = {} as Record<WorklistColumn, number>;
  for (const column of WORKLIST_COLUMNS) {
    const f = fixed[column];
    if (f !== undefined) {
      widths[column] = f;
      continue;
    }
    let w = displayWidth(column);
    for (const row of sample) {
      const v = row[column];
      if (v !== null && v !== undefined) w = Math.max(w, ...String(v).split('\n').map(displayWidth));
    }
    widths[column] = Math.min(w + 2, max[column] ?? 40);
  }
  return widths;
}

/** Lines a text takes in a column of `width` Excel units (CJK counts 2), at least 1. */
function linesIn(text: string, width: number): number {
  return String(text)
    .split('\n')
    .reduce((n, line) => n + Math.max(1, Math.ceil(displayWidth(line) / Math.max(1, width - 3))), 0);
}

/** The height (points) a worklist row needs so its wrapped cells show whole. */
function rowHeight(v: Record<string, string | number | null>, widths: Record<WorklistColumn, number>): number {
  let lines = 1;
  for (const c of ['问题说明', '地址', '问题类型', '单位名称', '案件编号'] as WorklistColumn[]) {
    const value = v[c];
    if (value !== null && value !== undefined) lines = Math.max(lines, linesIn(String(value), widths[c]));
  }
  return Math.min(409, 16 * lines + 4);
}

/** The 说明 sheet: what to do, the as-of date and the counts. */
async function writeInstructions(wb: ExcelJS.stream.xlsx.WorkbookWriter, p: PlanRow, asOf: string, runId: string, sheets: number): Promise<void> {
  const ws = addOrderedSheet(wb, '说明', { pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.columns = [{ width: 16 }, { width: 90 }];
  const area = p.grid ? `${p.district} ${p.street ?? ''} ${p.grid}` : `${p.district} ${p.street ?? NO_STREET}`;
  const lines: Array<[string, string]> = [
    ['社保扩面征缴 网格核查清单', ''],
    ['范围', area],
    ...(p.workers ? ([['网格员', p.workers]] as Array<[string, string]>) : []),
    ['数据截止日期', asOf],
    ['批次号', runId],
    ['单位数', String(Number(p.rows))],
    ['案件数', String(Number(p.cases))],
    ['其中高优先级单位', String(Number(p.high))],
    ['估算金额合计（元）', (p.amount ?? 0).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })],
    ['', ''],
    ['怎么做', ''],
    ['1', `打开“${listSheetName(1)}”${sheets > 1 ? `（至“${listSheetName(sheets)}”）` : ''}工作表，按序号从高优先级开始，逐户上门核实。`],
    ['2', `在“核查结果”列的下拉框中选择一项：${RESULT_VALUES.join('、')}。`],
    ['3', '在“核查日期”填写上门日期（如 2026-11-05），“核查人”填写姓名，“备注”填写需要说明的情况（如实际用工人数、迁往何处）。'],
    ['', '选“限期整改”的必须在“整改期限”填写期限日期（选“已督促”的可填）；期限过后仍未整改的单位将列入失信联合惩戒候选名单。'],
    ['4', '选“无雇工”“已注销或迁出”“查无此单位”的，请在备注中写明依据；数据变化后系统会重新列出。'],
    ['5', '不要修改其他单元格，不要增删行列、改工作表名或另存为其他格式；被改动的行会被系统拒收。'],
    ['6', '填写完毕后将本文件原样交回（文件名可不改）。'],
  ];
  for (const [i, [a, b]] of lines.entries()) {
    const row = ws.addRow([a, b]);
    row.getCell(1).font = { bold: true, size: i === 0 ? 14 : 11 };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
    row.height = Math.min(409, 15 * linesIn(String(b ?? ''), 90) + 3);
    row.commit();
  }
  await ws.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true });
  ws.commit();
}

interface SheetState {
  ws: StreamSheet;
  rows: number;
  /** Each column's style object, shared by its cells (see shareColumnStyles). */
  styles: Array<Partial<ExcelJS.Style>>;
}

function openListSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, index: number, widths: Record<WorklistColumn, number>, header: string): SheetState {
  const ws = addOrderedSheet(wb, listSheetName(index), {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
      showGridLines: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
  });
  const fillIn = new Set<string>(FILL_IN_COLUMNS);
  const styles: Array<Partial<ExcelJS.Style>> = [];
  ws.columns = WORKLIST_COLUMNS.map((c) => {
    // No cell borders: exceljs serialises every cell's style to find its xf, and borders
    // double that cost; printed gridlines (showGridLines) draw the table instead.
    const style: Partial<ExcelJS.Style> = {
      alignment: { vertical: 'top', wrapText: c === '问题说明' || c === '地址' || c === '备注' || c === '问题类型' || c === '单位名称' || c === '案件编号' },
    };
    if (fillIn.has(c)) Object.assign(style, { protection: { locked: false }, fill: FILL_IN_FILL });
    else style.protection = { locked: true };
    if (c === '估算金额') style.numFmt = '#,##0.00';
    if (c === '核查日期' || c === '整改期限') style.numFmt = 'yyyy-mm-dd';
    styles.push(style);
    return { key: c, width: widths[c], style, hidden: c === '校验码' };
  });
  const headerRow = ws.addRow([...WORKLIST_COLUMNS]);
  headerRow.eachCell((cell) => {
    cell.style = {
      font: { bold: true },
      alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
      border: BORDER,
      fill: fillIn.has(String(cell.value)) ? FILL_IN_FILL : HEADER_FILL,
      protection: { locked: true },
    };
  });
  headerRow.commit();
  ws.headerFooter = { oddHeader: `&L${headerFooterText(header)}&R社保扩面征缴核查清单`, oddFooter: '&C第 &P 页 / 共 &N 页' };
  return { ws, rows: 0, styles };
}

async function closeListSheet(s: SheetState): Promise<void> {
  const last = s.rows + 1;
  const col = (name: WorklistColumn): string => String.fromCharCode(65 + WORKLIST_COLUMNS.indexOf(name));
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
      s.ws.dataValidations.add(`${col(dateColumn)}2:${col(dateColumn)}${last}`, {
        type: 'date',
        operator: 'between',
        allowBlank: true,
        formulae: [new Date(`${CHECK_DATE_MIN}T00:00:00Z`), new Date(`${CHECK_DATE_MAX}T00:00:00Z`)],
        showErrorMessage: true,
        errorStyle: 'stop',
        errorTitle: dateColumn,
        error: `请填写 ${CHECK_DATE_MIN} 至 ${CHECK_DATE_MAX} 之间的日期，如 2026-11-05`,
      });
    }
  }
  // Filters stay usable (autoFilter allowed); sorting is not offered: Excel refuses to sort
  // locked cells anyway, and the rows come in priority order.
  s.ws.autoFilter = `A1:${col(FILL_IN_COLUMNS[FILL_IN_COLUMNS.length - 1])}${last}`;
  await s.ws.protect('', {
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
  });
  s.ws.commit();
}

async function writeWorkbook(
  db: Db,
  file: string,
  p: PlanRow,
  options: { asOf: string; runId: string; maxData: number; titles: Map<string, string> },
): Promise<number> {
  const total = Number(p.rows);
  const sheets = Math.max(1, Math.ceil(total / options.maxData));
  const wb = rowListWriter(file);
  const commit = guardCommit(wb);
  wb.creator = 'recon';
  await writeInstructions(wb, p, options.asOf, options.runId, sheets);
  const header = p.grid ? `${p.district} ${p.street ?? ''} ${p.grid}` : `${p.district} ${p.street ?? NO_STREET}`;
  let sheet: SheetState | undefined;
  let index = 0;
  let widths: Record<WorklistColumn, number> | undefined;
  for (let from = 1; from <= total; from += CHUNK) {
    const chunk = await db.all<EmployerRow>(
      `SELECT seq, case_ids, rule_ids, evidence, amount, sev_rank, name, uscc, legal_rep, phone, address, noticed_on
       FROM _wl_rows WHERE file_idx = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
      [p.file_idx, from, from + CHUNK - 1],
      { step: 'worklists.chunk' },
    );
    const values = chunk.map((r) => rowValues(r, options.titles));
    widths ??= columnWidths(values);
    for (const v of values) {
      if (!sheet || sheet.rows >= options.maxData) {
        if (sheet) await closeListSheet(sheet);
        sheet = openListSheet(wb, ++index, widths, header);
      }
      const row = sheet.ws.addRow([...PROTECTED_COLUMNS.map((c) => v[c]), ...FILL_IN_COLUMNS.map(() => null), rowChecksum(v)]);
      // Neither LibreOffice nor every Excel grows a streamed row to fit wrapped text: say how tall it is.
      row.height = rowHeight(v, widths);
      // Empty fill-in cells are written too, so each carries the unlocked style itself.
      for (let c = PROTECTED_COLUMNS.length + 1; c <= PROTECTED_COLUMNS.length + FILL_IN_COLUMNS.length; c++) row.getCell(c);
      shareColumnStyles(row, sheet.styles);
      row.commit();
      sheet.rows++;
    }
  }
  sheet ??= openListSheet(wb, 1, widths ?? columnWidths([]), header);
  await closeListSheet(sheet);
  await commit();
  return index || 1;
}

/**
 * Writes the worklists of a run: one workbook per street (or per grid when a grid roster is
 * loaded) under `<run folder>/worklists/<区县>/`, one row per employer with all its open cases,
 * highest priority first, with the columns grid workers fill in and a checksum per row that
 * `applyFeedback` checks when the file comes back.
 */
export async function writeWorklists(db: Db, ctx: DatedRunContext, layout: WorklistOptions = {}): Promise<WorklistSummary> {
  const started = performance.now();
  const options = { ...layout, runId: ctx.runId, asOf: ctx.dates.asOf, dir: ctx.runDir, logger: ctx.logger };
  const maxRows = options.maxRowsPerSheet ?? EXCEL_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 2 || maxRows > EXCEL_MAX_ROWS) {
    throw new RangeError(`maxRowsPerSheet must be a whole number from 2 to ${EXCEL_MAX_ROWS}, got ${maxRows}`);
  }
  const { plan, perGrid } = await planWorklists(db, options.runId);
  const titles = ruleTitles(options.ruleTitles);
  const root = path.join(options.dir, 'worklists');
  const summary: WorklistSummary = { workbooks: 0, rows: 0, cases: 0, unassignedRows: 0, per: perGrid ? 'grid' : 'street' };
  for (const p of plan) {
    const base = p.street === null ? NO_STREET : perGrid ? `${p.street}_${p.grid ?? NO_GRID}` : p.street;
    const folder = path.join(root, safeFileName(p.district));
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `${safeFileName(base)}.xlsx`);
    await writeWorkbook(db, file, p, { asOf: options.asOf, runId: options.runId, maxData: maxRows - 1, titles });
    summary.workbooks++;
    summary.rows += Number(p.rows);
    summary.cases += Number(p.cases);
    if (p.street === null || (perGrid && p.grid === null)) summary.unassignedRows += Number(p.rows);
  }
  await db.run(`DROP TABLE IF EXISTS _wl_rows; DROP TABLE IF EXISTS _wl_emp; DROP TABLE IF EXISTS _wl_grid; DROP TABLE IF EXISTS _wl_roster;`);
  options.logger.info(
    { ...summary, ms: Math.round(performance.now() - started) },
    `worklists: ${summary.workbooks} workbook(s), ${summary.rows} employer(s), ${summary.cases} case(s)${summary.unassignedRows ? `, ${summary.unassignedRows} not assigned to a ${perGrid ? 'grid' : 'street'}` : ''}`,
  );
  return summary;
}
