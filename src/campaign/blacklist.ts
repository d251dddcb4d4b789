import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { Logger } from '../core/log.ts';
import { literal } from '../core/sql.ts';
import { BUILTIN_RULES } from '../rules/catalog/index.ts';
import { DEADLINE_RESULTS } from '../cases/worklist-layout.ts';
import { writeListWorkbook, type ListColumn } from './list-xlsx.ts';

/**
 * 失信联合惩戒候选名单: cases whose grid worker urged the employer to put things right by a
 * deadline (已督促 or 限期整改 with 整改期限) and that the rules still find after it.
 *
 * A case is a candidate in run R (as-of D = the as-of of R's findings) when
 *   - its latest applied feedback up to R (by 核查日期, then receipt) is 已督促 or 限期整改,
 *   - that feedback has a 整改期限 and 整改期限 < D (the day after the deadline, not on it),
 *   - R has a finding for the case (the condition still holds).
 * Feedback counted is feedback applied by R or earlier (feedback.run_id <= R), so an old run
 * reproduces the list it had.
 */

/** File name of the list in a run folder (under campaign/). */
export const BLACKLIST_FILE = '失信联合惩戒候选名单.xlsx';

function ruleTitleSql(column: string): string {
  return `CASE ${column} ${BUILTIN_RULES.map((r) => `WHEN ${literal(r.id)} THEN ${literal(r.title)}`).join(' ')} ELSE ${column} END`;
}

function stateTitleSql(column: string): string {
  return `CASE ${column} WHEN 'new' THEN '新发现' WHEN 'open' THEN '核查中' WHEN 'reopened' THEN '重新列入' WHEN 'resolved' THEN '已消除' WHEN 'exempt' THEN '核查豁免' ELSE ${column} END`;
}

/**
 * Table macros `blacklist_candidates_at(run)` (one row per candidate case) and
 * `blacklist_evidence_at(run)` (the evidence trail: every finding and every feedback row of
 * each candidate up to the run), and views `blacklist_candidates` / `blacklist_evidence` over
 * the latest run with findings. `temp` makes them temporary (a read-only database).
 */
export function blacklistViewsSql(temp = false): string {
  const t = temp ? 'TEMP ' : '';
  const results = `(${DEADLINE_RESULTS.map(literal).join(', ')})`;
  return `
CREATE OR REPLACE ${t}MACRO blacklist_candidates_at(p_run) AS TABLE
WITH d AS (SELECT max(as_of) AS as_of FROM findings WHERE run_id = p_run),
fb AS (
  SELECT case_id, result, checked_on, deadline, checker, remarks, file, sheet, "row", run_id AS feedback_run, received_at
  FROM feedback WHERE status = 'applied' AND case_id IS NOT NULL AND run_id <= p_run),
last_fb AS (
  SELECT * FROM fb QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY checked_on DESC, received_at DESC, "row" DESC) = 1),
found AS (
  SELECT case_id, count(*) AS runs_found, min(as_of) AS first_found_on,
         string_agg(strftime(as_of, '%Y-%m-%d') || ' 批次' || run_id || ' 发现' || coalesce('，金额' || CAST(amount AS VARCHAR) || '元', ''), chr(10) ORDER BY run_id) AS findings_trail
  FROM findings WHERE run_id <= p_run GROUP BY case_id),
fb_trail AS (
  SELECT case_id, count(*) AS feedback_rows,
         string_agg(strftime(checked_on, '%Y-%m-%d') || ' ' || result || coalesce('，期限' || strftime(deadline, '%Y-%m-%d'), '')
                    || coalesce('，' || checker, '') || coalesce('，' || remarks, ''), chr(10) ORDER BY checked_on, received_at, "row") AS feedback_trail
  FROM fb GROUP BY case_id)
SELECT p_run AS run_id, d.as_of, c.case_id, c.employer_id, e.name, e.uscc,
       coalesce(dv.name, '未知区县') AS district_name, e.street, f.rule_id, ${ruleTitleSql('f.rule_id')} AS rule_title,
       f.severity, f.amount, f.evidence_text,
       l.result, l.checked_on, l.deadline, date_diff('day', l.deadline, d.as_of) AS days_overdue, l.checker, l.remarks,
       l.file AS feedback_file, l.feedback_run,
       c.opened_run, found.first_found_on, found.runs_found, found.findings_trail, fb_trail.feedback_rows, fb_trail.feedback_trail
FROM last_fb l CROSS JOIN d
JOIN findings f ON f.case_id = l.case_id AND f.run_id = p_run
JOIN cases c ON c.case_id = l.case_id
JOIN employers e ON e.employer_id = c.employer_id
LEFT JOIN ref_division dv ON dv.level = 'district' AND dv.code = e.district_code
LEFT JOIN found ON found.case_id = l.case_id
LEFT JOIN fb_trail ON fb_trail.case_id = l.case_id
WHERE l.result IN ${results} AND l.deadline IS NOT NULL AND l.deadline < d.as_of
ORDER BY district_name, days_overdue DESC, f.amount DESC NULLS LAST, c.case_id;

CREATE OR REPLACE ${t}MACRO blacklist_evidence_at(p_run) AS TABLE
WITH cand AS (SELECT case_id, name FROM blacklist_candidates_at(p_run)),
ev AS (
  SELECT f.case_id, f.as_of AS event_date, 1 AS event_order, '规则发现' AS event, f.run_id,
         ${ruleTitleSql('f.rule_id')} AS rule_or_result, f.amount, NULL::DATE AS deadline, NULL AS checker, f.evidence_text AS detail, NULL AS source
  FROM findings f JOIN cand USING (case_id) WHERE f.run_id <= p_run
  UNION ALL
  SELECT fb.case_id, fb.checked_on, 2, CASE WHEN fb.status = 'applied' THEN '网格反馈' ELSE '反馈被拒收' END, fb.run_id,
         fb.result, NULL, fb.deadline, fb.checker, concat_ws('；', fb.remarks, fb.reason),
         regexp_replace(fb.file, '^.*[/\\\\]', '') || ' ' || fb.sheet || '!' || CAST(fb."row" AS VARCHAR)
  FROM feedback fb JOIN cand USING (case_id) WHERE fb.run_id <= p_run
  UNION ALL
  -- Dated by the run's as-of date (as the findings are), not by the wall clock of the run.
  SELECT ce.case_id, coalesce((SELECT max(x.as_of) FROM findings x WHERE x.run_id = ce.run_id), CAST(ce.changed_at AS DATE)), 3, '案件状态', ce.run_id,
         coalesce(${stateTitleSql('ce.from_state')} || ' → ', '') || ${stateTitleSql('ce.to_state')}, NULL, NULL, NULL,
         CASE ce.reason WHEN 'found' THEN '首次发现' WHEN 'still found' THEN '仍然发现' WHEN 'found again' THEN '再次发现'
                        WHEN 'found again with changed facts' THEN '事实变化后再次发现' WHEN 'no longer found' THEN '不再发现' ELSE ce.reason END,
         NULL
  FROM case_events ce JOIN cand USING (case_id) WHERE ce.run_id <= p_run)
SELECT ev.*, cand.name FROM ev JOIN cand USING (case_id)
ORDER BY case_id, event_date NULLS LAST, run_id, event_order, rule_or_result;

CREATE OR REPLACE ${t}VIEW blacklist_candidates AS SELECT * FROM blacklist_candidates_at((SELECT max(run_id) FROM findings));
CREATE OR REPLACE ${t}VIEW blacklist_evidence AS SELECT * FROM blacklist_evidence_at((SELECT max(run_id) FROM findings));
`;
}

/** Creates the blacklist macros and views (the tables they read must exist). */
export async function createBlacklistViews(db: Db, temp = false): Promise<void> {
  await db.run(blacklistViewsSql(temp), undefined, { step: 'blacklist.views' });
}

const CANDIDATE_COLUMNS: ListColumn[] = [
  { key: 'case_id', header: '案件编号', width: 12 },
  { key: 'name', header: '单位名称', width: 22, wrap: true },
  { key: 'uscc', header: '统一社会信用代码', width: 20 },
  { key: 'district_name', header: '区县', width: 9 },
  { key: 'street', header: '街道', width: 10, wrap: true },
  { key: 'rule_title', header: '问题类型', width: 11, wrap: true },
  { key: 'amount', header: '涉及金额', width: 12, kind: 'money' },
  { key: 'result', header: '核查结果', width: 9 },
  { key: 'checked_on', header: '核查日期', width: 11, kind: 'date' },
  { key: 'deadline', header: '整改期限', width: 11, kind: 'date' },
  { key: 'days_overdue', header: '逾期天数', width: 8, kind: 'int' },
  { key: 'checker', header: '核查人', width: 8 },
  { key: 'findings_trail', header: '历次发现（日期 批次 金额）', width: 36, wrap: true },
  { key: 'feedback_trail', header: '历次反馈（日期 结果 期限 核查人 备注）', width: 36, wrap: true },
  { key: 'evidence_text', header: '本次问题说明', width: 36, wrap: true },
];

const EVIDENCE_COLUMNS: ListColumn[] = [
  { key: 'case_id', header: '案件编号', width: 12 },
  { key: 'name', header: '单位名称', width: 22, wrap: true },
  { key: 'event_date', header: '日期', width: 11, kind: 'date' },
  { key: 'event', header: '事项', width: 10 },
  { key: 'run_id', header: '批次号', width: 27 },
  { key: 'rule_or_result', header: '问题类型/核查结果/状态', width: 16, wrap: true },
  { key: 'amount', header: '金额', width: 12, kind: 'money' },
  { key: 'deadline', header: '整改期限', width: 11, kind: 'date' },
  { key: 'checker', header: '核查人', width: 8 },
  { key: 'detail', header: '说明', width: 44, wrap: true },
  { key: 'source', header: '来源文件', width: 24, wrap: true },
];

export interface BlacklistOptions {
  runId: string;
  asOf: string;
  /** Folder the workbook goes to (`<dir>/失信联合惩戒候选名单.xlsx`). */
  dir: string;
  logger: Logger;
}

/** Writes the candidate list of run `runId` (candidates and their evidence trail); returns the number of candidates. */
export async function writeBlacklist(db: Db, options: BlacklistOptions): Promise<{ candidates: number; file: string }> {
  const file = path.join(options.dir, BLACKLIST_FILE);
  const [candidates = 0, events = 0] = await writeListWorkbook(db, {
    file,
    title: '失信联合惩戒候选名单',
    intro: [
      ['数据截止日期', options.asOf],
      ['批次号', options.runId],
      ['列入条件', '网格员反馈“已督促”或“限期整改”并填写了整改期限，整改期限已过（核查日晚于整改期限），且本批次比对仍发现该问题。'],
      ['工作表', '“候选名单”每个案件一行，附历次发现和历次反馈；“证据链”逐条列出每次规则发现、网格反馈和案件状态变化。'],
      ['下一步', '经办人逐案核实证据，符合条件的按程序提请列入社会保险领域严重失信名单；已整改的请在下次清单中反馈“已参保”。'],
      ['查询', `recon query "SELECT * FROM blacklist_candidates_at('${options.runId}')"`],
    ],
    sheets: [
      { name: '候选名单', columns: CANDIDATE_COLUMNS, sql: `SELECT * FROM blacklist_candidates_at($run) ORDER BY district_name, days_overdue DESC, amount DESC NULLS LAST, case_id`, params: { run: options.runId }, header: `数据截止 ${options.asOf}` },
      { name: '证据链', columns: EVIDENCE_COLUMNS, sql: `SELECT * FROM blacklist_evidence_at($run) ORDER BY case_id, event_date NULLS LAST, run_id, event_order, rule_or_result`, params: { run: options.runId }, header: `数据截止 ${options.asOf}` },
    ],
  });
  options.logger.info({ candidates, events, file }, `blacklist: ${candidates} candidate case(s)`);
  return { candidates, file };
}
