import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { addOrderedSheet, guardCommit, rowListWriter, safeFileName, safeText, displayWidth, REPORT_FONT } from '../core/xlsx-write.ts';
import { CHECK_DATE_MIN, RESULT_VALUES } from './worklist-layout.ts';

/**
 * 退回说明: per returned file with rejected rows (or refused whole), a workbook the office sends
 * back to the grid worker: which rows were not taken, what was wrong, what to do. Written to
 * `<run folder>/feedback/退回说明_<file name>.xlsx`.
 */

/** What to do about a rejected row, by rejection code (Chinese, for the grid worker). */
export const WHAT_TO_DO: Record<string, string> = {
  checksum: '灰色（受保护）的单元格被改动过。请在原清单（或本次下发的新清单）中该单位所在行重新填写，只填黄色的填写列。',
  missing_case_id: '该行没有案件编号。请不要新增行；在原清单中该单位所在行填写。',
  unknown_case: '系统中没有这个案件编号。请使用系统下发的清单填写，不要手工录入或修改案件编号。',
  not_open: '该案件已办结、已核销或已转办，不需要再填写；如情况有变化，请在备注中说明后联系经办人。',
  missing_result: `请在“核查结果”下拉框中选择一项：${RESULT_VALUES.join('、')}。`,
  invalid_result: `“核查结果”只能从下拉框中选择：${RESULT_VALUES.join('、')}。`,
  missing_date: '请在“核查日期”填写上门核查的日期，如 2026-11-05。',
  invalid_date: `请把“核查日期”改为上门核查的实际日期（${CHECK_DATE_MIN} 以后、不晚于交回日期），如 2026-11-05。`,
  missing_deadline: '选择“限期整改”时必须在“整改期限”填写期限日期，如 2026-12-05。',
  invalid_deadline: '请把“整改期限”改为不早于核查日期的日期，如 2026-12-05。',
  conflict: '同一案件在本文件中填写了多行，无法判断以哪一行为准。请删除多余的行的填写内容，只保留一行后重新交回。',
  file: '请在系统下发的原清单上填写（不要插入行、删除列、改表头或另存为其他格式），然后重新交回。',
};

export interface ReturnNoteRow {
  /** 清单!5, or 整个文件 for a refused file. */
  place: string;
  caseId: string | null;
  name: string | null;
  result: string | null;
  checkedOn: string | null;
  /** What was wrong (Chinese). */
  reason: string;
  code: string;
}

export interface ReturnNote {
  /** The returned file, as it was found (its name is shown). */
  file: string;
  runId: string;
  receivedOn: string;
  rowsRead: number;
  rowsApplied: number;
  /** Set for a file refused as a whole: why, in Chinese. */
  refusal?: string;
  rows: ReturnNoteRow[];
}

const BORDER: Partial<ExcelJS.Borders> = {
  top: { style: 'thin', color: { argb: 'FF808080' } },
  left: { style: 'thin', color: { argb: 'FF808080' } },
  bottom: { style: 'thin', color: { argb: 'FF808080' } },
  right: { style: 'thin', color: { argb: 'FF808080' } },
};
const FONT: Partial<ExcelJS.Font> = { name: REPORT_FONT, size: 11 };
const COLUMNS: Array<{ header: string; width: number; key: keyof ReturnNoteRow | 'todo' | 'n' }> = [
  { header: '序号', width: 6, key: 'n' },
  { header: '位置（工作表!行）', width: 12, key: 'place' },
  { header: '案件编号', width: 12, key: 'caseId' },
  { header: '单位名称', width: 24, key: 'name' },
  { header: '填写的核查结果', width: 12, key: 'result' },
  { header: '核查日期', width: 11, key: 'checkedOn' },
  { header: '问题', width: 36, key: 'reason' },
  { header: '怎么做', width: 40, key: 'todo' },
];

function lines(text: string, width: number): number {
  return text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(displayWidth(line) / Math.max(1, width - 2))), 0);
}

/** A file name under `dir` not taken yet: name.xlsx, name_2.xlsx, ... */
function freeName(dir: string, base: string): string {
  for (let i = 1; ; i++) {
    const name = `${base}${i === 1 ? '' : `_${i}`}.xlsx`;
    if (!fs.existsSync(path.join(dir, name))) return name;
  }
}

/**
 * Writes the 退回说明 workbook of one returned file under `<runDir>/feedback/`; returns its path
 * relative to `runDir` (the run folder is renamed when the run publishes).
 */
export async function writeReturnNote(runDir: string, note: ReturnNote): Promise<string> {
  const dir = path.join(runDir, 'feedback');
  fs.mkdirSync(dir, { recursive: true });
  const original = path.basename(note.file);
  const name = freeName(dir, `退回说明_${safeFileName(original.replace(/\.xlsx$/i, ''))}`);
  const wb = rowListWriter(path.join(dir, name));
  const commit = guardCommit(wb);
  wb.creator = 'recon';

  const guide = addOrderedSheet(wb, '说明', { pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  guide.columns = [{ width: 16 }, { width: 70 }];
  const rejected = note.rows.length;
  const intro: Array<[string, string]> = [
    ['核查清单退回说明', ''],
    ['交回的文件', original],
    ['收到日期', note.receivedOn],
    ['批次号', note.runId],
    ...(note.refusal
      ? ([
          ['处理结果', '整个文件未能读取，没有接收任何一行。'],
          ['原因', note.refusal],
          ['怎么做', WHAT_TO_DO['file'] as string],
        ] as Array<[string, string]>)
      : ([
          ['处理结果', `填写了 ${note.rowsRead} 行，已接收 ${note.rowsApplied} 行，退回 ${rejected} 行（见“退回明细”）。`],
          ['怎么做', '已接收的行不用再填。请按“退回明细”逐行改正（在交回的同一文件中改正即可），然后重新交回。'],
        ] as Array<[string, string]>)),
  ];
  for (const [i, [a, b]] of intro.entries()) {
    const row = guide.addRow([a, safeText(b)]);
    row.getCell(1).font = { ...FONT, bold: true, size: i === 0 ? 14 : 11 };
    row.getCell(2).font = FONT;
    row.getCell(1).alignment = { vertical: 'top' };
    row.getCell(2).alignment = { vertical: 'top', wrapText: true };
    row.height = Math.max(18, 16 * lines(b, 70) + 4);
    row.commit();
  }
  guide.commit();

  const ws = addOrderedSheet(wb, '退回明细', {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
  });
  const cellStyle: Partial<ExcelJS.Style> = { font: FONT, border: BORDER, alignment: { vertical: 'top', wrapText: true } };
  ws.columns = COLUMNS.map((c) => ({ key: c.key, width: c.width }));
  const header = ws.addRow(COLUMNS.map((c) => c.header));
  header.eachCell((cell) => {
    cell.style = {
      ...cellStyle,
      font: { ...FONT, bold: true },
      alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
      fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } },
    };
  });
  header.commit();
  for (const [i, r] of note.rows.entries()) {
    const todo = WHAT_TO_DO[r.code] ?? WHAT_TO_DO['file'] ?? '';
    const values = [i + 1, r.place, r.caseId, safeText(r.name), safeText(r.result), r.checkedOn, safeText(r.reason), todo];
    const row = ws.addRow(values);
    row.eachCell({ includeEmpty: true }, (cell) => {
      cell.style = cellStyle;
    });
    row.height = Math.min(409, 16 * Math.max(...COLUMNS.map((c, k) => lines(String(values[k] ?? ''), c.width))) + 4);
    row.commit();
  }
  ws.headerFooter = { oddFooter: '&C第 &P 页 / 共 &N 页' };
  ws.commit();
  await commit();
  return path.join('feedback', name);
}
