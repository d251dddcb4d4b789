import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { textList, type Db } from '../db/database.ts';
import type { RunContext } from '../config/context.ts';
import { InputError } from '../core/errors.ts';
import { guardWorkbookRead } from '../core/xlsx-read.ts';
import { addDays, today } from '../core/clock.ts';
import { AUDIT_ID_PATTERN } from './worklist-layout.ts';
import { answerEffect, REFERRAL_TARGET, type AnswerEffect } from './answers.ts';
import { describeRefusal, unreadableRefusal, type Refusal, type RefusalCode } from './feedback-refusal.ts';
import { writeReturnNote, type ReturnNoteRow } from './return-note.ts';
import { blank, readWorklistFile, type ReadRow, type RejectionCode } from './worklist-reader.ts';

export { parseCheckDate } from './worklist-reader.ts';
export type { RejectionCode } from './worklist-reader.ts';

/** Why a row was not applied: the reader's codes, and `conflict` (two rows of one file answer one case). */
export type FeedbackRejectionCode = RejectionCode | 'conflict';

export interface FeedbackOptions {
  /** The run's as-of date; a 核查日期 later than max(as-of, today) + `dateSlackDays` is refused. */
  asOf?: string;
  /** Days of slack on that bound (clocks and time zones of phones). Default 7. */
  dateSlackDays?: number;
  /** The time the files are received (tests pin it). Default: the run's start. */
  now?: Date;
}

export interface FeedbackRejection {
  file: string;
  sheet: string;
  row: number;
  caseId: string | null;
  code: FeedbackRejectionCode;
  reason: string;
}

export interface RefusedFile {
  file: string;
  code: RefusalCode;
  /** What failed and what to do (English, for the run's warnings). */
  message: string;
  /** The 退回说明 written for it, relative to the run folder. */
  returnNote: string;
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
  /** Cases made exempt (answers that refute the finding: cases/answers.ts). */
  exempted: number;
  /** Cases recorded and kept open (on the worklist until the data shows the problem fixed). */
  keptOpen: number;
  /** Cases referred to the SI office's clean-up list (社保注销清理清单): still open, off the worklists. */
  referred: number;
  /** Audit samples (年度稽核抽查 sheets, ids S......-.....) recorded as audited. */
  audited: number;
  rejections: FeedbackRejection[];
  /** Files that could not be read as worklists at all: nothing of them applied, each a warning of the run. */
  refusedFiles: RefusedFile[];
  /** The 退回说明 workbooks written (one per file with rejected rows or refused), relative to the run folder. */
  returnNotes: Array<{ file: string; note: string }>;
}

const OPEN_STATES = new Set(['new', 'open', 'reopened']);

interface Decision {
  caseId: string | null;
  row: ReadRow;
  status: 'applied' | 'rejected';
  code: FeedbackRejectionCode | null;
  reason: string | null;
  effect: AnswerEffect | 'audited' | null;
}

interface CaseInfo {
  case_id: string;
  state: string;
  rule_id: string | null;
  name: string | null;
}

/**
 * Applies returned worklists to the cases. Each filled row is checked (checksum of the
 * protected cells, case ids, 核查结果, 核查日期; one answer per case in a file) and recorded in
 * `feedback`, applied with what it did (`effect`) or rejected with its reason. What an answer
 * does depends on the case's rule (cases/answers.ts): an answer that refutes the finding makes
 * the case exempt with the evidence of its latest finding, so the rules leave it out until its
 * facts change; one that confirms it and needs the SI office refers it (case_referrals); the
 * others keep it open. A file whose content was read before is skipped; a file that is not a
 * worklist at all is refused (recorded, a warning, nothing applied). Each file with rejected rows
 * or refused gets a 退回说明 workbook in `<run folder>/feedback/`.
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
    referred: 0,
    audited: 0,
    rejections: [],
    refusedFiles: [],
    returnNotes: [],
  };

  const refuse = async (file: string, sha256: string | null, refusal: Refusal): Promise<void> => {
    const note = await writeReturnNote(ctx.runDir, {
      file,
      runId: ctx.runId,
      receivedOn: todayIso,
      rowsRead: 0,
      rowsApplied: 0,
      refusal: refusal.messageZh,
      rows: [{ place: '整个文件', caseId: null, name: null, result: null, checkedOn: null, reason: refusal.messageZh, code: 'file' }],
    });
    await db.run(
      `INSERT INTO feedback_refusals (run_id, file, file_sha256, reason_code, message, message_zh, return_note, refused_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS TIMESTAMP))`,
      [ctx.runId, file, sha256, refusal.code, refusal.message, refusal.messageZh, note, receivedAt],
      { step: 'feedback.refused' },
    );
    summary.refusedFiles.push({ file, code: refusal.code, message: refusal.message, returnNote: note });
    summary.returnNotes.push({ file, note });
    ctx.logger.warn({ file, code: refusal.code, note }, `feedback: ${path.basename(file)} refused: ${refusal.message}`);
  };

  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      await refuse(file, null, unreadableRefusal(file, error));
      continue;
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
    let rows: ReadRow[];
    try {
      rows = await guardWorkbookRead(file, () => readWorklistFile(file, latestDate));
    } catch (error) {
      // A file that is no worklist (or a damaged one) is that file's problem, not the night's.
      if (!(error instanceof InputError)) throw error;
      await refuse(file, sha256, await describeRefusal(file, error));
      continue;
    }
    const ids = [...new Set(rows.flatMap((r) => r.caseIds))];
    // (A file with nothing filled in names no case: DuckDB cannot type an empty list parameter.)
    const cases = new Map(
      (ids.length === 0
        ? []
        : await db.all<CaseInfo>(
            `SELECT c.case_id, c.state, c.rule_id, e.name FROM cases c LEFT JOIN employers e USING (employer_id)
           WHERE c.case_id IN (SELECT unnest($1::VARCHAR[]))`,
            [textList(ids)],
            { step: 'feedback.cases' },
          )
      ).map((c) => [c.case_id, c] as const),
    );
    // Audit samples come back in the same layout: open until a result is recorded.
    const auditIds = ids.filter((id) => AUDIT_ID_PATTERN.test(id));
    if (auditIds.length) {
      for (const a of await db.all<{ sample_id: string; audited: boolean; name: string | null }>(
        `SELECT a.sample_id, a.audited_on IS NOT NULL AS audited, e.name FROM audit_samples a LEFT JOIN employers e USING (employer_id)
         WHERE a.sample_id IN (SELECT unnest($1::VARCHAR[]))`,
        [textList(auditIds)],
        { step: 'feedback.audits' },
      )) {
        cases.set(a.sample_id, { case_id: a.sample_id, state: a.audited ? 'audited' : 'new', rule_id: null, name: a.name });
      }
    }
    const isAudit = (id: string | null): boolean => id !== null && AUDIT_ID_PATTERN.test(id);

    // One answer per case and file: a copied row (same 案件编号, another answer) would make the
    // result depend on row order. Rows whose protected cells were edited do not count: their
    // 案件编号 cannot be trusted.
    const answering = new Map<string, ReadRow[]>();
    for (const r of rows) {
      if (r.problem?.code === 'checksum' || r.problem?.code === 'missing_case_id') continue;
      for (const id of r.caseIds) answering.set(id, [...(answering.get(id) ?? []), r]);
    }

    const decisions: Decision[] = [];
    for (const r of rows) {
      if (r.problem) {
        for (const caseId of r.caseIds.length ? r.caseIds : [null])
          decisions.push({ caseId, row: r, status: 'rejected', code: r.problem.code, reason: r.problem.reason, effect: null });
        continue;
      }
      for (const caseId of r.caseIds) {
        const info = cases.get(caseId);
        const rivals = answering.get(caseId) ?? [];
        const reject = (code: FeedbackRejectionCode, reason: string): void => {
          decisions.push({ caseId, row: r, status: 'rejected', code, reason, effect: null });
        };
        if (rivals.length > 1) {
          const places = rivals.map((x) => `${x.sheet}!${x.row}`).join('、');
          reject('conflict', `同一案件 ${caseId} 在本文件中有 ${rivals.length} 行填写了核查结果（${places}），无法判断以哪一行为准，均未接收`);
        } else if (info === undefined) reject('unknown_case', `没有案件编号 ${caseId}`);
        else if (!OPEN_STATES.has(info.state)) {
          reject('not_open', info.state === 'audited' ? `稽核抽查 ${caseId} 已记录过核查结果` : `案件 ${caseId} 已不在核查中（当前状态：${info.state}）`);
        } else if (isAudit(caseId)) {
          decisions.push({ caseId, row: r, status: 'applied', code: null, reason: null, effect: 'audited' });
        } else {
          const effect = answerEffect(info.rule_id ?? '', r.result) ?? 'open';
          decisions.push({ caseId, row: r, status: 'applied', code: null, reason: null, effect });
        }
      }
    }
    const rejectedRows = new Set(decisions.filter((d) => d.status === 'rejected').map((d) => d.row));
    const applied = decisions.filter((d) => d.status === 'applied');
    const audits = applied.filter((d) => d.effect === 'audited');
    const exempt = applied.filter((d) => d.effect === 'exempt');
    const referred = applied.filter((d) => d.effect === 'refer');
    const answered = applied.filter((d) => d.effect !== 'audited');
    const name = path.basename(file);
    const origin = (d: Decision): string => `${d.row.result}（${d.row.checker ?? '未署名'}，${d.row.checkedOn}，${name} ${d.row.sheet}!${d.row.row}）`;

    // The 退回说明 first: its path goes on the file's record.
    let note: string | null = null;
    const rejected = decisions.filter((d) => d.status === 'rejected');
    if (rejected.length) {
      note = await writeReturnNote(ctx.runDir, {
        file,
        runId: ctx.runId,
        receivedOn: todayIso,
        rowsRead: rows.length,
        rowsApplied: rows.length - rejectedRows.size,
        rows: rejected.map(
          (d): ReturnNoteRow => ({
            place: `${d.row.sheet}!${d.row.row}`,
            caseId: d.caseId,
            name: d.caseId ? (cases.get(d.caseId)?.name ?? null) : null,
            result: blank(d.row.result),
            checkedOn: d.row.checkedOn,
            reason: d.reason ?? '',
            code: d.code ?? 'file',
          }),
        ),
      });
    }

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
            effect: d.effect,
          }),
        );
        if (records.length)
          await db.run(
            `INSERT INTO feedback (case_id, run_id, file, file_sha256, sheet, "row", result, checked_on, checker, remarks, received_at, status, reason_code, reason, deadline, effect)
         SELECT j->>'case_id', $run, $file, $sha, j->>'sheet', CAST(j->>'row' AS INTEGER), j->>'result', CAST(j->>'checked_on' AS DATE),
                j->>'checker', j->>'remarks', CAST($received AS TIMESTAMP), j->>'status', j->>'reason_code', j->>'reason', CAST(j->>'deadline' AS DATE),
                j->>'effect'
         FROM (SELECT CAST(unnest($records) AS JSON) AS j)`,
            { run: ctx.runId, file, sha: sha256, received: receivedAt, records: textList(records) },
            { step: 'feedback.record' },
          );
        if (answered.length) {
          // The latest answer counts: a case answered again is no longer referred (until this answer refers it again).
          await db.run(
            `UPDATE case_referrals SET ended_at = CAST($received AS TIMESTAMP), ended_reason = 'answered again: ' || x.reason
             FROM (SELECT unnest($ids) AS case_id, unnest($reasons) AS reason) x
             WHERE case_referrals.case_id = x.case_id AND case_referrals.ended_at IS NULL`,
            { received: receivedAt, ids: textList(answered.map((d) => d.caseId as string)), reasons: textList(answered.map(origin)) },
            { step: 'feedback.referrals.end' },
          );
        }
        if (referred.length) {
          await db.run(
            `INSERT INTO case_referrals (case_id, target, result, checked_on, checker, remarks, file, sheet, "row", run_id, referred_at)
             SELECT j->>'case_id', $target, j->>'result', CAST(j->>'checked_on' AS DATE), j->>'checker', j->>'remarks', $file, j->>'sheet',
                    CAST(j->>'row' AS INTEGER), $run, CAST($received AS TIMESTAMP)
             FROM (SELECT CAST(unnest($records) AS JSON) AS j)`,
            {
              target: REFERRAL_TARGET,
              file,
              run: ctx.runId,
              received: receivedAt,
              records: textList(
                referred.map((d) =>
                  JSON.stringify({
                    case_id: d.caseId,
                    result: d.row.result,
                    checked_on: d.row.checkedOn,
                    checker: d.row.checker,
                    remarks: d.row.remarks,
                    sheet: d.row.sheet,
                    row: d.row.row,
                  }),
                ),
              ),
            },
            { step: 'feedback.referrals' },
          );
        }
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
              reasons: textList(exempt.map((d) => `网格员核查：${origin(d)}`)),
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
          `INSERT INTO feedback_files (sha256, file, run_id, received_at, rows_read, rows_applied, rows_rejected, return_note)
           VALUES ($1, $2, $3, CAST($4 AS TIMESTAMP), $5, $6, $7, $8)`,
          [sha256, file, ctx.runId, receivedAt, rows.length, rows.length - rejectedRows.size, rejectedRows.size, note],
          { step: 'feedback.file' },
        );
      },
      { step: 'feedback.apply' },
    );

    summary.files++;
    summary.rows += rows.length;
    summary.rejectedRows += rejectedRows.size;
    summary.appliedRows += rows.length - rejectedRows.size;
    summary.exempted += exempt.length;
    summary.referred += referred.length;
    summary.audited += audits.length;
    summary.keptOpen += applied.filter((d) => d.effect === 'open').length;
    for (const d of rejected)
      summary.rejections.push({ file, sheet: d.row.sheet, row: d.row.row, caseId: d.caseId, code: d.code ?? 'conflict', reason: d.reason ?? '' });
    if (note) summary.returnNotes.push({ file, note });
    ctx.logger.info(
      { file, rows: rows.length, rejected: rejectedRows.size, exempted: exempt.length, referred: referred.length, note },
      `feedback: ${name}: ${rows.length} row(s), ${rejectedRows.size} rejected, ${exempt.length} case(s) exempt, ${referred.length} referred${note ? `; 退回说明 ${note}` : ''}`,
    );
  }
  return summary;
}
