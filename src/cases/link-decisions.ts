import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { textList, type Db } from '../db/database.ts';
import type { RunContext } from '../config/context.ts';
import { InputError, errorMessage } from '../core/errors.ts';
import { addDays, today } from '../core/clock.ts';
import { cellText, readWorkbook } from '../core/xlsx-read.ts';
import { CHECK_DATE_MIN } from './worklist-layout.ts';
import { blank, parseCheckDate } from './worklist-reader.ts';
import {
  DECISION_LABELS,
  DECISION_VALUES,
  REVIEW_CHECKSUM_COLUMN,
  REVIEW_PROTECTED_COLUMNS,
  REVIEW_SHEET,
  reviewRowChecksum,
  type Decision,
} from './review-layout.ts';

/**
 * Reading a returned review workbook (review/待人工确认.xlsx) and storing its decisions in
 * link_decisions, which the linker applies before its name steps on every later run
 * (link/link.sql link.decisions). A row is taken when its protected cells are as written
 * (校验码), its 复核编号 names a pair the linker proposed, and it has an answer from the
 * dropdown, a 核查人 and a date; the others go to link_decision_rejects with the reason.
 */

export type DecisionProblem = 'checksum' | 'unknown_pair' | 'missing_result' | 'invalid_result' | 'missing_checker' | 'missing_date' | 'invalid_date';

export interface DecisionRow {
  sheet: string;
  row: number;
  pairId: string;
  answer: string;
  decision: Decision | null;
  checker: string | null;
  decidedOn: string | null;
  problem?: { code: DecisionProblem; reason: string };
}

export interface DecisionSummary {
  files: number;
  skippedFiles: number;
  rows: number;
  stored: number;
  rejected: number;
  byDecision: Record<Decision, number>;
  /** The rows not taken (the first 200), with the reason in Chinese: all of them are in link_decision_rejects. */
  rejections: Array<{ file: string; row: string; pairId: string; reason: string }>;
  refused: Array<{ file: string; message: string }>;
}

/** Reads the filled rows of the 待人工确认 sheet; a file without that sheet and its headers is refused (InputError). */
export async function readReviewFile(file: string, latestDate: string): Promise<DecisionRow[]> {
  return readWorkbook(file, async (workbook) => {
    const info = workbook.sheets.find((s) => s.name === REVIEW_SHEET);
    const out: DecisionRow[] = [];
    let columns: Map<string, number> | undefined;
    if (info) {
      for await (const row of workbook.rows(info)) {
        const values: unknown[] = row.cells;
        if (!columns) {
          // The header is row 1; anything else (rows inserted above it) is a damaged file.
          if (row.number !== 1) break;
          const found = new Map<string, number>();
          for (const [i, v] of values.entries()) found.set(cellText(v).trim(), i);
          if (!found.has('复核编号') || !found.has('确认结果') || !found.has(REVIEW_CHECKSUM_COLUMN)) break;
          columns = found;
          continue;
        }
        const cols = columns;
        const get = (name: string): unknown => values[cols.get(name) ?? -1];
        const answer = cellText(get('确认结果')).trim();
        const checker = blank(cellText(get('核查人')));
        const dateValue = get('日期');
        const dateText = cellText(dateValue).trim();
        if (answer === '' && checker === null && dateText === '') continue;
        const decidedOn = parseCheckDate(dateValue);
        const r: DecisionRow = {
          sheet: info.name,
          row: row.number,
          pairId: cellText(get('复核编号')).trim(),
          answer,
          decision: (DECISION_VALUES as Record<string, Decision>)[answer] ?? null,
          checker,
          decidedOn,
        };
        const checksum = reviewRowChecksum(
          Object.fromEntries(REVIEW_PROTECTED_COLUMNS.map((c) => [c, get(c)])) as Record<(typeof REVIEW_PROTECTED_COLUMNS)[number], unknown>,
        );
        if (checksum !== cellText(get(REVIEW_CHECKSUM_COLUMN)).trim())
          r.problem = { code: 'checksum', reason: '受保护的单元格被改动（校验码不符），请使用原文件重新填写' };
        else if (answer === '') r.problem = { code: 'missing_result', reason: '未选择确认结果' };
        else if (r.decision === null) r.problem = { code: 'invalid_result', reason: `确认结果“${answer}”不在下拉列表中（${DECISION_LABELS.join('、')}）` };
        else if (checker === null) r.problem = { code: 'missing_checker', reason: '未填写核查人' };
        else if (dateText === '') r.problem = { code: 'missing_date', reason: '未填写日期' };
        else if (decidedOn === null) r.problem = { code: 'invalid_date', reason: `日期“${dateText}”不是日期` };
        else if (decidedOn < CHECK_DATE_MIN || decidedOn > latestDate)
          r.problem = { code: 'invalid_date', reason: `日期 ${decidedOn} 不在 ${CHECK_DATE_MIN} 至 ${latestDate} 之间` };
        out.push(r);
      }
    }
    if (!columns)
      throw new InputError(
        `"${path.basename(file)}" is not a review workbook: no sheet ${REVIEW_SHEET} with the headers 复核编号, 确认结果 and ${REVIEW_CHECKSUM_COLUMN} in its first row. Hand back the file the pipeline wrote (review/${REVIEW_SHEET}.xlsx).`,
      );
    return out;
  });
}

/**
 * Stores the decisions of returned review workbooks (each file once, by its SHA-256). Dates up
 * to a week after today (or D when later) are accepted, as for worklists.
 */
export async function storeDecisions(db: Db, ctx: RunContext, files: string[], options: { asOf?: string; now?: Date } = {}): Promise<DecisionSummary> {
  const now = options.now ?? ctx.startedAt;
  const todayIso = today(now);
  const latestDate = addDays(options.asOf && options.asOf > todayIso ? options.asOf : todayIso, 7);
  const receivedAt = now.toISOString().replace('T', ' ').replace('Z', '');
  const summary: DecisionSummary = {
    files: 0,
    skippedFiles: 0,
    rows: 0,
    stored: 0,
    rejected: 0,
    byDecision: { same: 0, different: 0, unsure: 0 },
    rejections: [],
    refused: [],
  };
  for (const file of files) {
    const name = path.basename(file);
    const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const seen = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM link_decision_files WHERE file_sha256 = $1`, [sha256], { step: 'decisions.seen' });
    if (Number(seen?.n ?? 0) > 0) {
      summary.skippedFiles++;
      continue;
    }
    let rows: DecisionRow[];
    try {
      rows = await readReviewFile(file, latestDate);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      await db.run(
        `INSERT INTO link_decision_files VALUES ($1, $2, 'refused', 0, 0, 0, $3, CAST($4 AS TIMESTAMP), $5)`,
        [sha256, name, errorMessage(error), receivedAt, ctx.runId],
        { step: 'decisions.refused' },
      );
      summary.refused.push({ file, message: errorMessage(error) });
      ctx.logger.warn({ file: name }, `decisions: ${name} refused: ${errorMessage(error)}`);
      continue;
    }
    summary.files++;
    summary.rows += rows.length;
    const ids = [...new Set(rows.filter((r) => !r.problem).map((r) => r.pairId))];
    const known = new Map<string, { source: string; record_key: string; candidate_cluster: string }>();
    if (ids.length) {
      const found = await db.all<{ pair_id: string; source: string; record_key: string; candidate_cluster: string }>(
        `SELECT pair_id, source, record_key, candidate_cluster FROM link_review_pairs WHERE list_contains($1::VARCHAR[], pair_id)`,
        [textList(ids)],
        { step: 'decisions.pairs' },
      );
      for (const p of found) known.set(p.pair_id, p);
    }
    for (const r of rows) {
      if (!r.problem && !known.has(r.pairId))
        r.problem = { code: 'unknown_pair', reason: `复核编号“${r.pairId}”不是本系统列出的待确认单位，请使用系统生成的文件填写` };
    }
    const good = rows.filter((r) => !r.problem);
    const bad = rows.filter((r) => r.problem);
    await db.transaction(
      async () => {
        for (const r of good) {
          const p = known.get(r.pairId);
          if (!p || r.decision === null) continue;
          await db.run(
            `INSERT INTO link_decisions VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS DATE), $8, $9, $10, CAST($11 AS TIMESTAMP), $12)`,
            [
              r.pairId,
              p.source,
              p.record_key,
              p.candidate_cluster,
              r.decision,
              r.checker,
              r.decidedOn,
              name,
              `${r.sheet}!${r.row}`,
              sha256,
              receivedAt,
              ctx.runId,
            ],
            { step: 'decisions.store' },
          );
          summary.byDecision[r.decision]++;
        }
        for (const r of bad) {
          await db.run(
            `INSERT INTO link_decision_rejects VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS TIMESTAMP), $9)`,
            [sha256, name, `${r.sheet}!${r.row}`, r.pairId || null, r.answer || null, r.problem?.code ?? '', r.problem?.reason ?? '', receivedAt, ctx.runId],
            { step: 'decisions.reject' },
          );
        }
        await db.run(
          `INSERT INTO link_decision_files VALUES ($1, $2, 'stored', $3, $4, $5, NULL, CAST($6 AS TIMESTAMP), $7)`,
          [sha256, name, rows.length, good.length, bad.length, receivedAt, ctx.runId],
          { step: 'decisions.file' },
        );
      },
      { step: 'decisions' },
    );
    summary.stored += good.length;
    summary.rejected += bad.length;
    for (const r of bad.slice(0, Math.max(0, 200 - summary.rejections.length)))
      summary.rejections.push({ file: name, row: `${r.sheet}!${r.row}`, pairId: r.pairId, reason: r.problem?.reason ?? '' });
    ctx.logger.info(
      { file: name, rows: rows.length, stored: good.length, rejected: bad.length },
      `decisions: ${name}: ${good.length} decision(s) stored, ${bad.length} row(s) rejected (link_decision_rejects)`,
    );
  }
  return summary;
}
