import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { textList, type Db } from '../db/database.ts';
import type { RunContext } from '../config/context.ts';
import { InputError, errorMessage } from '../core/errors.ts';
import { guardWorkbookRead } from '../core/xlsx-read.ts';
import { addDays, today } from '../core/clock.ts';
import { EXEMPTING_RESULTS, AUDIT_ID_PATTERN, type ResultValue } from './worklist-layout.ts';
import { blank, readWorklistFile, type ReadRow, type RejectionCode } from './worklist-reader.ts';

export { parseCheckDate } from './worklist-reader.ts';
export type { RejectionCode } from './worklist-reader.ts';

export interface FeedbackOptions {
  /** The run's as-of date; a 核查日期 later than max(as-of, today) + `dateSlackDays` is refused. */
  asOf?: string;
  /** Days of slack on that bound (clocks and time zones of phones). Default 7. */
  dateSlackDays?: number;
  /** The time the files are received (tests pin it). Default: now. */
  now?: Date;
}

export interface FeedbackRejection {
  file: string;
  sheet: string;
  row: number;
  caseId: string | null;
  code: RejectionCode;
  reason: string;
}

export interface FeedbackSummary {
  /** Files read (new ones). */
  files: number;
  /** Files skipped because the same content was read before. */
  skippedFiles: number;
  /** Rows with something filled in. */
  rows: number;
  /** Rows applied to every case they list. */
  appliedRows: number;
  /** Rows with at least one rejection (see `rejections`). */
  rejectedRows: number;
  /** Cases made exempt (无雇工, 已注销或迁出, 查无此单位). */
  exempted: number;
  /** Cases recorded and kept open (已参保, 已督促, 限期整改, 其他). */
  keptOpen: number;
  /** Audit samples (年度稽核抽查 sheets, ids S......-.....) recorded as audited. */
  audited: number;
  rejections: FeedbackRejection[];
}

const OPEN_STATES = new Set(['new', 'open', 'reopened']);

interface Decision {
  caseId: string | null;
  row: ReadRow;
  status: 'applied' | 'rejected';
  code: RejectionCode | null;
  reason: string | null;
}

/**
 * Applies returned worklists to the cases. Each filled row is checked (checksum of the
 * protected cells, case ids, 核查结果, 核查日期) and recorded in `feedback`, applied or
 * rejected with its reason. 无雇工 / 已注销或迁出 / 查无此单位 make the case exempt with the
 * evidence of its latest finding, so the rules leave it out until its facts change; the other
 * results keep it open. A file whose content was read before is skipped.
 */
export async function applyFeedback(db: Db, ctx: RunContext, files: string[], options: FeedbackOptions = {}): Promise<FeedbackSummary> {
  const now = options.now ?? ctx.startedAt;
  const todayIso = today(now);
  const base = options.asOf && options.asOf > todayIso ? options.asOf : todayIso;
  const latestDate = addDays(base, options.dateSlackDays ?? 7);
  const receivedAt = now.toISOString().replace('T', ' ').replace('Z', '');
  const summary: FeedbackSummary = {
    files: 0,
    skippedFiles: 0,
    rows: 0,
    appliedRows: 0,
    rejectedRows: 0,
    exempted: 0,
    keptOpen: 0,
    audited: 0,
    rejections: [],
  };

  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      throw new InputError(`Cannot read returned worklist "${file}": ${errorMessage(error)}`, { file });
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const seen = await db.one<{ file: string; run_id: string }>(`SELECT file, run_id FROM feedback_files WHERE sha256 = $1`, [sha256], {
      step: 'feedback.seen',
    });
    if (seen) {
      summary.skippedFiles++;
      ctx.logger.info(
        { file, first: seen.file, run: seen.run_id },
        `feedback: ${path.basename(file)} skipped: the same file was read before (run ${seen.run_id})`,
      );
      continue;
    }
    const rows = await guardWorkbookRead(file, () => readWorklistFile(file, latestDate));
    const ids = [...new Set(rows.flatMap((r) => r.caseIds))];
    const states = new Map(
      (
        await db.all<{ case_id: string; state: string }>(`SELECT case_id, state FROM cases WHERE case_id IN (SELECT unnest($1::VARCHAR[]))`, [textList(ids)], {
          step: 'feedback.cases',
        })
      ).map((c) => [c.case_id, c.state] as const),
    );
    // Audit samples come back in the same layout: open until a result is recorded.
    const auditIds = ids.filter((id) => AUDIT_ID_PATTERN.test(id));
    if (auditIds.length) {
      for (const a of await db.all<{ sample_id: string; audited: boolean }>(
        `SELECT sample_id, audited_on IS NOT NULL AS audited FROM audit_samples WHERE sample_id IN (SELECT unnest($1::VARCHAR[]))`,
        [textList(auditIds)],
        { step: 'feedback.audits' },
      )) {
        states.set(a.sample_id, a.audited ? 'audited' : 'new');
      }
    }
    const isAudit = (id: string | null): boolean => id !== null && AUDIT_ID_PATTERN.test(id);
    const decisions: Decision[] = [];
    for (const r of rows) {
      if (r.problem) {
        for (const caseId of r.caseIds.length ? r.caseIds : [null])
          decisions.push({ caseId, row: r, status: 'rejected', code: r.problem.code, reason: r.problem.reason });
        continue;
      }
      for (const caseId of r.caseIds) {
        const state = states.get(caseId);
        if (state === undefined) decisions.push({ caseId, row: r, status: 'rejected', code: 'unknown_case', reason: `没有案件编号 ${caseId}` });
        else if (!OPEN_STATES.has(state)) {
          const reason = state === 'audited' ? `稽核抽查 ${caseId} 已记录过核查结果` : `案件 ${caseId} 已不在核查中（当前状态：${state}）`;
          decisions.push({ caseId, row: r, status: 'rejected', code: 'not_open', reason });
        } else {
          decisions.push({ caseId, row: r, status: 'applied', code: null, reason: null });
          // A later row of this file for the same case sees the state this row leaves.
          if (isAudit(caseId)) states.set(caseId, 'audited');
          else if (EXEMPTING_RESULTS.includes(r.result as ResultValue)) states.set(caseId, 'exempt');
        }
      }
    }
    const rejectedRows = new Set(decisions.filter((d) => d.status === 'rejected').map((d) => d.row));
    const audits = decisions.filter((d) => d.status === 'applied' && isAudit(d.caseId));
    const exempt = decisions.filter((d) => d.status === 'applied' && !isAudit(d.caseId) && EXEMPTING_RESULTS.includes(d.row.result as ResultValue));
    const name = path.basename(file);
    await db.transaction(
      async () => {
        // One JSON document per record: NULLs stay NULLs, whatever characters the cells hold.
        const records = decisions.map((d) =>
          JSON.stringify({
            case_id: d.caseId,
            sheet: d.row.sheet,
            row: d.row.row,
            result: blank(d.row.result),
            checked_on: d.row.checkedOn,
            deadline: d.row.deadline,
            checker: d.row.checker,
            remarks: d.row.remarks,
            status: d.status,
            reason_code: d.code,
            reason: d.reason,
          }),
        );
        if (records.length)
          await db.run(
            `INSERT INTO feedback (case_id, run_id, file, file_sha256, sheet, "row", result, checked_on, checker, remarks, received_at, status, reason_code, reason, deadline)
         SELECT j->>'case_id', $run, $file, $sha, j->>'sheet', CAST(j->>'row' AS INTEGER), j->>'result', CAST(j->>'checked_on' AS DATE),
                j->>'checker', j->>'remarks', CAST($received AS TIMESTAMP), j->>'status', j->>'reason_code', j->>'reason', CAST(j->>'deadline' AS DATE)
         FROM (SELECT CAST(unnest($records) AS JSON) AS j)`,
            { run: ctx.runId, file, sha: sha256, received: receivedAt, records: textList(records) },
            { step: 'feedback.record' },
          );
        if (exempt.length) {
          // The exemption holds while the rule finds the same evidence (rules/runner.ts
          // 'verified_exempt_by_grid_worker'): keep the evidence of the case's latest finding.
          await db.run(
            `CREATE OR REPLACE TEMP TABLE _fb_exempt AS
           SELECT unnest($ids) AS case_id, unnest($reasons) AS reason;
           CREATE OR REPLACE TEMP TABLE _fb_evidence AS
           SELECT f.case_id, arg_max(CAST(f.evidence AS VARCHAR), f.run_id) AS evidence
           FROM findings f WHERE f.case_id IN (SELECT case_id FROM _fb_exempt) GROUP BY f.case_id;
           INSERT INTO case_events
           SELECT c.case_id, $run, c.state, 'exempt', x.reason, current_timestamp
           FROM cases c JOIN _fb_exempt x USING (case_id) WHERE c.state IN ('new', 'open', 'reopened');
           UPDATE cases c SET state = 'exempt', state_run = $run, exempt_evidence = v.evidence
           FROM _fb_exempt x LEFT JOIN _fb_evidence v USING (case_id)
           WHERE c.case_id = x.case_id AND c.state IN ('new', 'open', 'reopened');
           DROP TABLE _fb_exempt; DROP TABLE _fb_evidence;`,
            {
              run: ctx.runId,
              ids: textList(exempt.map((d) => d.caseId as string)),
              reasons: textList(
                exempt.map((d) => `网格员核查：${d.row.result}（${d.row.checker ?? '未署名'}，${d.row.checkedOn}，${name} ${d.row.sheet}!${d.row.row}）`),
              ),
            },
            { step: 'feedback.exempt' },
          );
        }
        if (audits.length) {
          // The audit is done: its result, date, auditor and remarks go on the sample (campaign/audit-sample.ts).
          await db.run(
            `UPDATE audit_samples a SET audited_on = CAST(j->>'checked_on' AS DATE), audit_result = j->>'result', auditor = j->>'checker',
                  audit_remarks = j->>'remarks', audit_deadline = CAST(j->>'deadline' AS DATE), feedback_run = $run
           FROM (SELECT CAST(unnest($records) AS JSON) AS j) x
           WHERE a.sample_id = (x.j->>'id') AND a.audited_on IS NULL`,
            {
              run: ctx.runId,
              records: textList(
                audits.map((d) =>
                  JSON.stringify({
                    id: d.caseId,
                    checked_on: d.row.checkedOn,
                    result: d.row.result,
                    checker: d.row.checker,
                    remarks: d.row.remarks,
                    deadline: d.row.deadline,
                  }),
                ),
              ),
            },
            { step: 'feedback.audits' },
          );
        }
        await db.run(
          `INSERT INTO feedback_files VALUES ($1, $2, $3, CAST($4 AS TIMESTAMP), $5, $6, $7)`,
          [sha256, file, ctx.runId, receivedAt, rows.length, rows.length - rejectedRows.size, rejectedRows.size],
          {
            step: 'feedback.file',
          },
        );
      },
      { step: 'feedback.apply' },
    );

    summary.files++;
    summary.rows += rows.length;
    summary.rejectedRows += rejectedRows.size;
    summary.appliedRows += rows.length - rejectedRows.size;
    summary.exempted += exempt.length;
    summary.audited += audits.length;
    summary.keptOpen += decisions.filter((d) => d.status === 'applied').length - exempt.length - audits.length;
    for (const d of decisions) {
      if (d.status === 'rejected')
        summary.rejections.push({ file, sheet: d.row.sheet, row: d.row.row, caseId: d.caseId, code: d.code as RejectionCode, reason: d.reason ?? '' });
    }
    ctx.logger.info(
      { file, rows: rows.length, rejected: rejectedRows.size, exempted: exempt.length },
      `feedback: ${name}: ${rows.length} row(s), ${rejectedRows.size} rejected, ${exempt.length} case(s) exempt`,
    );
  }
  return summary;
}
