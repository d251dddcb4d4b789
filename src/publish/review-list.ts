import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import type { Db } from '../db/database.ts';
import type { DatedRunContext } from '../config/context.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { FILL_IN_PROTECTION, checkDateValidation } from '../cases/worklist-layout.ts';
import {
  DECISION_LABELS,
  REVIEW_CHECKSUM_COLUMN,
  REVIEW_COLUMNS,
  REVIEW_DIR,
  REVIEW_FILE,
  REVIEW_FILL_IN_COLUMNS,
  REVIEW_PROTECTED_COLUMNS,
  REVIEW_SHEET,
  reviewRowChecksum,
  type ReviewColumn,
} from '../cases/review-layout.ts';
import { REPORT_FONT, addOrderedSheet, guardCommit, headerFooterText, rowListWriter, safeText } from '../core/xlsx-write.ts';
import { sourceZh } from './labels.ts';
import { LIST_PAGE_SETUP, linesIn } from './worklist-print.ts';

const step = sqlSteps(new URL('./review-list.sql', import.meta.url));

/**
 * `<run folder>/review/待人工确认.xlsx`: the pairs the linker could not decide (link_review), one
 * row each, for an analyst to judge: 是同一单位 / 不是同一单位 / 无法确定, 核查人, 日期. The file
 * handed back into `<inbox>/feedback/` (or to `recon links decide`) stores the decisions
 * (cases/link-decisions.ts), which every later run applies before its name steps. The
 * protected cells carry a checksum (校验码, hidden), as on worklists; a sheet 说明 says how.
 */

interface ReviewRow {
  pair_id: string;
  source: string;
  record_key: string;
  name: string | null;
  code: string | null;
  org_code: string | null;
  district: string | null;
  candidate_name: string | null;
  candidate_uscc: string | null;
  candidate_address: string | null;
  candidate_district: string | null;
  score: number;
  reason_code: string;
  earlier: string | null;
  first_listed: string | null;
}

const REASON_ZH: Record<string, string> = {
  'legal form differs': '名称相近，但组织形式不同',
  'two candidates are as close': '有两家候选单位同样接近',
  'similarity under the auto-accept threshold': '名称相近，但未达到自动关联的相似度',
};

const WIDTHS: Record<ReviewColumn, number> = {
  序号: 5,
  复核编号: 11,
  记录: 14,
  记录名称: 15,
  记录区县: 7,
  候选单位名称: 15,
  候选单位信用代码: 11,
  候选单位地址: 14,
  候选单位区县: 7,
  相似度: 6,
  列出原因: 11,
  首次列出: 9,
  确认结果: 11,
  核查人: 7,
  日期: 10,
  备注: 7,
  校验码: 10,
};
// Widths add up to 159 (A4 landscape fit to width: 10 pt prints at about 8 pt); the record's
// source, key and codes share one cell, one per line.
const WRAP = new Set<ReviewColumn>(['记录', '记录名称', '记录区县', '候选单位名称', '候选单位信用代码', '候选单位地址', '候选单位区县', '列出原因', '备注']);
const FONT: Partial<ExcelJS.Font> = { name: REPORT_FONT, size: 10 };
const FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
const HEAD: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7F0FA' } };

/** Lines a cell's text takes at its column width (worklist-print's count; an empty cell is one line). */
const lines = (text: string | null, width: number): number => (text ? linesIn(text, width) : 1);

/** The protected cells of a row. */
export function reviewValues(r: ReviewRow, seq: number): Record<(typeof REVIEW_PROTECTED_COLUMNS)[number], string | number | null> {
  const codes = [r.code && r.code !== r.record_key ? r.code : null, r.org_code && r.org_code !== r.code?.slice(8, 17) ? `组织机构代码 ${r.org_code}` : null];
  return {
    序号: seq,
    复核编号: r.pair_id,
    记录: safeText([sourceZh(r.source), r.record_key, ...codes].filter(Boolean).join('\n')),
    记录名称: safeText(r.name),
    记录区县: safeText(r.district),
    候选单位名称: safeText(r.candidate_name),
    候选单位信用代码: safeText(r.candidate_uscc),
    候选单位地址: safeText(r.candidate_address),
    候选单位区县: safeText(r.candidate_district),
    相似度: Math.round(Number(r.score) * 10000) / 10000,
    列出原因: safeText([REASON_ZH[r.reason_code] ?? r.reason_code, r.earlier].filter(Boolean).join('\n')),
    首次列出: r.first_listed,
  };
}

/** Writes review/待人工确认.xlsx when the run has pairs to review; returns the file (null when none) and the rows. */
export async function writeReviewList(db: Db, ctx: DatedRunContext): Promise<{ file: string | null; rows: number }> {
  const rows = await db.all<ReviewRow>(step('review_list.rows'), undefined, { step: 'review_list.rows' });
  if (rows.length === 0) return { file: null, rows: 0 };
  const dir = path.join(ctx.runDir, REVIEW_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, REVIEW_FILE);
  const wb = rowListWriter(file);
  const commit = guardCommit(wb);
  wb.creator = 'recon';

  const guide = addOrderedSheet(wb, '说明', { pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  guide.columns = [{ width: 14 }, { width: 80 }];
  const text: Array<[string, string]> = [
    ['待人工确认', `核查日 ${ctx.dates.asOf}，共 ${rows.length} 对记录。系统无法自动判断它们是否为同一单位，请逐行确认。`],
    ['怎样填写', '在“确认结果”中选择：是同一单位 / 不是同一单位 / 无法确定；填写核查人和日期（如 2026-11-05）。其他单元格已锁定，请勿修改。'],
    ['是同一单位', '以后每次运行都把这两条记录关联为同一单位（即使名称以后差得更远）；因漏关联而产生的“未参保”等问题随之消失。'],
    ['不是同一单位', '以后每次运行都不再把这两条记录关联，也不再列出这一对。'],
    ['无法确定', '这一对继续列在清单上，注明已看过。'],
    ['交回', '填好后把本文件放入 inbox/feedback/（文件名保留“待人工确认”开头），或运行 recon links decide <文件>。同一文件只读取一次。'],
    ['例外', '若以后发现两条记录的统一社会信用代码不同，“是同一单位”的结论不再采用，并在数据质量中注明。'],
  ];
  for (const [i, [a, b]] of text.entries()) {
    const row = guide.addRow([a, b]);
    row.getCell(1).font = { ...FONT, bold: true, size: i === 0 ? 14 : 11 };
    row.getCell(2).font = { ...FONT, size: 11 };
    row.getCell(1).alignment = { vertical: 'top' };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
    row.height = Math.min(409, 16 * lines(b, 80) + 4);
    row.commit();
  }
  await guide.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true });
  guide.commit();

  const fillIn = new Set<string>(REVIEW_FILL_IN_COLUMNS);
  const ws = addOrderedSheet(wb, REVIEW_SHEET, {
    views: [{ state: 'frozen', xSplit: 2, ySplit: 1, topLeftCell: 'C2', activeCell: 'C2' }],
    pageSetup: { ...LIST_PAGE_SETUP },
  });
  ws.columns = REVIEW_COLUMNS.map((c) => ({
    key: c,
    width: WIDTHS[c],
    hidden: c === REVIEW_CHECKSUM_COLUMN,
    style: {
      font: FONT,
      alignment: { vertical: 'top', wrapText: WRAP.has(c) },
      protection: { locked: !fillIn.has(c) },
      ...(fillIn.has(c) ? { fill: FILL } : {}),
      ...(c === '日期' ? { numFmt: 'yyyy-mm-dd' } : {}),
      ...(c === '相似度' ? { numFmt: '0.0000' } : {}),
    },
  }));
  const header = ws.addRow([...REVIEW_COLUMNS]);
  header.height = 30;
  header.eachCell((cell) => {
    cell.style = {
      font: { ...FONT, bold: true },
      alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
      fill: fillIn.has(String(cell.value)) ? FILL : HEAD,
      protection: { locked: true },
    };
  });
  header.commit();
  ws.headerFooter = {
    oddHeader: `&L${headerFooterText(`核查日 ${ctx.dates.asOf}`)}&R待人工确认的单位关联`,
    oddFooter: '&C第 &P 页 / 共 &N 页',
  };
  for (const [i, r] of rows.entries()) {
    const v = reviewValues(r, i + 1);
    const row = ws.addRow([...REVIEW_PROTECTED_COLUMNS.map((c) => v[c]), ...REVIEW_FILL_IN_COLUMNS.map(() => null), reviewRowChecksum(v)]);
    row.height = Math.min(
      409,
      15 * Math.max(...[...WRAP].map((c) => lines(typeof v[c as keyof typeof v] === 'string' ? (v[c as keyof typeof v] as string) : null, WIDTHS[c]))) + 4,
    );
    row.commit();
  }
  const last = rows.length + 1;
  const col = (name: ReviewColumn): string => String.fromCharCode(65 + REVIEW_COLUMNS.indexOf(name));
  ws.dataValidations.add(`${col('确认结果')}2:${col('确认结果')}${last}`, {
    type: 'list',
    allowBlank: true,
    formulae: [`"${DECISION_LABELS.join(',')}"`],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: '确认结果',
    error: `请从下拉列表中选择：${DECISION_LABELS.join('、')}`,
  });
  ws.dataValidations.add(`${col('日期')}2:${col('日期')}${last}`, checkDateValidation('日期'));
  ws.autoFilter = `A1:${col('备注')}${last}`;
  await ws.protect('', FILL_IN_PROTECTION);
  ws.commit();
  await commit();
  ctx.logger.info({ rows: rows.length }, `review list: ${rows.length} pair(s) in ${REVIEW_DIR}/${REVIEW_FILE}`);
  return { file, rows: rows.length };
}
