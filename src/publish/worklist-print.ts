import type ExcelJS from 'exceljs';
import { RESULT_VALUES } from '../cases/worklist-layout.ts';
import { addOrderedSheet, displayWidth, headerFooterText, REPORT_FONT, type StreamSheet } from '../core/xlsx-write.ts';

/**
 * The printed side of a worklist. The 清单 sheet prints the columns a visit needs (序号 .. 备注)
 * on A4 landscape at a readable size; 入户核查表 is one A4 portrait page per employer with room
 * to write the answer by hand, as the 告知书 are one page each. What a worker writes on the form
 * is typed into the 清单 row of the same 序号 by the office (or the worker) before the file goes back.
 */

/** Sheet name of the per-employer forms. */
export const FORM_SHEET = '入户核查表';
/**
 * Forms written per workbook at most: the highest-priority rows (the rest print from 清单). Each
 * form is 11 streamed rows (about 0.35 ms a form): a generated city of 213k worklist rows in 129
 * workbooks gets 12,900 forms, about 5 s more on a 22 s worklists stage.
 */
export const FORM_LIMIT = 100;

/** The body font of every printed worklist sheet, and its size in points (LibreOffice and Excel print it scaled to the page). */
export const BODY_FONT: Partial<ExcelJS.Font> = { name: REPORT_FONT, size: 11 };

/** How a list sheet prints: A4 landscape, one page wide, its header row on every page. */
export const LIST_PAGE_SETUP: Partial<ExcelJS.PageSetup> = {
  paperSize: 9,
  orientation: 'landscape',
  fitToPage: true,
  fitToWidth: 1,
  fitToHeight: 0,
  printTitlesRow: '1:1',
  horizontalCentered: true,
  margins: { left: 0.25, right: 0.25, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
};

/** One employer's form: what the 清单 row says, in the words of the form. */
export interface FormEntry {
  seq: number;
  name: string | null;
  address: string | null;
  phone: string | null;
  legalRep: string | null;
  uscc: string | null;
  problem: string | null;
  caseIds: string | null;
  priority: string;
  amount: number | null;
}

// 76 units: one portrait page wide at 100% in Excel and in LibreOffice (worklists.ts COLUMN_WIDTHS).
const LABEL_WIDTH = 15;
const VALUE_WIDTH = 61;

const thin = { style: 'thin', color: { argb: 'FF404040' } } as const;
const BORDER: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const LABEL: Partial<ExcelJS.Style> = {
  font: { ...BODY_FONT, bold: true },
  alignment: { vertical: 'middle', horizontal: 'left', wrapText: true },
  border: BORDER,
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } },
  protection: { locked: true },
};
const VALUE: Partial<ExcelJS.Style> = { font: BODY_FONT, alignment: { vertical: 'top', wrapText: true }, border: BORDER, protection: { locked: true } };
const WRITE: Partial<ExcelJS.Style> = {
  font: { ...BODY_FONT, color: { argb: 'FF595959' } },
  alignment: { vertical: 'top', wrapText: true },
  border: BORDER,
  protection: { locked: true },
};
/** A line to write a date on: the 年 月 日 in the middle of the row. */
const WRITE_DATE: Partial<ExcelJS.Style> = { ...WRITE, alignment: { vertical: 'middle', wrapText: true } };
const BOXES: Partial<ExcelJS.Style> = {
  font: { ...BODY_FONT, size: 12 },
  alignment: { vertical: 'middle', wrapText: true },
  border: BORDER,
  protection: { locked: true },
};
const TITLE: Partial<ExcelJS.Style> = { font: { ...BODY_FONT, size: 16, bold: true }, alignment: { vertical: 'middle' } };
const TITLE_RIGHT: Partial<ExcelJS.Style> = { font: BODY_FONT, alignment: { vertical: 'middle', horizontal: 'right' } };
// Not wrapped: the note runs on into the empty cell beside it.
const NOTE: Partial<ExcelJS.Style> = { font: { ...BODY_FONT, size: 10 }, alignment: { vertical: 'top' } };

/** Lines a text takes in a column of `width` Excel units at 11 pt (CJK counts 2), at least 1. */
export function linesIn(text: string, width: number): number {
  return String(text)
    .split('\n')
    .reduce((n, line) => n + Math.max(1, Math.ceil(displayWidth(line) / Math.max(1, width - 3))), 0);
}

/** Points a row of 11 pt text needs for `lines` lines. */
export function heightFor(lines: number, min = 20): number {
  return Math.min(409, Math.max(min, 16 * lines + 6));
}

/** The 入户核查表 sheet: one page per entry (a manual page break after each), portrait A4. */
export class FormSheet {
  private readonly ws: StreamSheet;
  private count = 0;

  /** `forms`: how many pages will be added (no page break after the last). */
  constructor(
    wb: ExcelJS.stream.xlsx.WorkbookWriter,
    private readonly area: string,
    private readonly forms: number,
  ) {
    this.ws = addOrderedSheet(wb, FORM_SHEET, {
      pageSetup: {
        paperSize: 9,
        orientation: 'portrait',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        horizontalCentered: true,
        margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      },
    });
    this.ws.columns = [{ width: LABEL_WIDTH }, { width: VALUE_WIDTH }];
    this.ws.headerFooter = { oddHeader: `&L&11${headerFooterText(area)}&R&11社保扩面征缴 入户核查表`, oddFooter: '&C&11第 &P 页 / 共 &N 页' };
  }

  private line(label: string, value: string | number | null, style: Partial<ExcelJS.Style>, height?: number): ExcelJS.Row {
    const row = this.ws.addRow([label, value]);
    row.getCell(1).style = LABEL;
    row.getCell(2).style = style;
    row.height = height ?? heightFor(Math.max(linesIn(String(value ?? ''), VALUE_WIDTH), linesIn(label, LABEL_WIDTH)), 22);
    return row;
  }

  /** Writes one employer's page. */
  add(e: FormEntry): void {
    const title = this.ws.addRow(['入户核查表', `${this.area}　序号 ${e.seq}`]);
    title.getCell(1).style = TITLE;
    title.getCell(2).style = TITLE_RIGHT;
    title.height = 34;
    title.commit();
    const amount = e.amount === null ? '' : `，估算金额 ${e.amount.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元`;
    // Few rows a page (each streamed row costs): contact details and the case share a cell each.
    const contact = [e.phone, e.legalRep ? `法定代表人：${e.legalRep}` : null, e.uscc ? `统一社会信用代码：${e.uscc}` : null].filter((x) => x).join('　　');
    const rows: ExcelJS.Row[] = [
      this.line('单位名称', e.name, { ...VALUE, font: { ...BODY_FONT, bold: true, size: 12 } }),
      this.line('地址', e.address ?? '（市场监管、税务、民政登记中均无地址）', VALUE),
      this.line('联系电话\n法定代表人', contact, VALUE),
      this.line('问题', `${e.problem ?? ''}\n${e.caseIds ? `案件编号：${e.caseIds}` : '单位本身无案件'}（优先级 ${e.priority}${amount}）`, VALUE),
      // A row with people only has nothing to answer for the employer itself: its people are answered on 人员清单.
      e.caseIds
        ? this.line('核查结果\n（在□内打√）', RESULT_VALUES.map((r) => `□ ${r}`).join('　　'), BOXES, 60)
        : this.line('核查结果', `本单位只有人员问题：请在“人员清单”中逐人填写核查结果（单位序号 ${e.seq}）。`, VALUE, 60),
      this.line('整改期限', '　　　　年　　月　　日　（选“限期整改”的必填，“已督促”的可填）', WRITE_DATE, 32),
      this.line('核查情况及备注\n（实际用工人数、迁往何处、依据等）', null, WRITE, 190),
      this.line('核查人（签名）', '　　　　　　　　　　　　　　核查日期：　　　　年　　月　　日', WRITE_DATE, 40),
      this.line('单位负责人（签名）', null, WRITE, 40),
    ];
    for (const r of rows) r.commit();
    const note = this.ws.addRow([`填写后交经办人，录入清单中序号 ${e.seq} 的一行（核查结果、核查日期、整改期限、核查人、备注）。`]);
    note.getCell(1).style = NOTE;
    note.height = 20;
    this.count++;
    if (this.count < this.forms) note.addPageBreak();
    note.commit();
  }

  async close(): Promise<void> {
    await this.ws.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true });
    this.ws.commit();
  }
}
