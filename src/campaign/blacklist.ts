import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { Logger } from '../core/log.ts';
import { literal } from '../core/sql.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps, type SqlStep } from '../db/steps.ts';
import { BUILTIN_RULES } from '../rules/catalog/index.ts';
import { DEADLINE_RESULTS } from '../cases/worklist-layout.ts';
import { writeListWorkbook, type ListColumn } from './list-xlsx.ts';
import { fillSql } from './sql-fill.ts';

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

const step = sqlSteps(new URL('./blacklist.sql', import.meta.url));

/** The steps of blacklist.sql, placeholders filled (`temp`: TEMP macros and views, for a read-only database). */
function viewSteps(temp: boolean): SqlStep[] {
  const values = {
    temp: temp ? 'TEMP ' : '',
    rule_title: `CASE f.rule_id ${BUILTIN_RULES.map((r) => `WHEN ${literal(r.id)} THEN ${literal(r.title)}`).join(' ')} ELSE f.rule_id END`,
    deadline_results: `(${DEADLINE_RESULTS.map(literal).join(', ')})`,
  };
  return ['blacklist.candidates_at', 'blacklist.evidence_at', 'blacklist.views'].map((name) => ({ name, sql: fillSql(step(name), values) }));
}

/**
 * Table macros `blacklist_candidates_at(run)` (one row per candidate case) and
 * `blacklist_evidence_at(run)` (the evidence trail: every finding and every feedback row of
 * each candidate up to the run), and views `blacklist_candidates` / `blacklist_evidence` over
 * the latest run with findings (blacklist.sql). `temp` makes them temporary (a read-only database).
 */
export function blacklistViewsSql(temp = false): string {
  return `${viewSteps(temp)
    .map((s) => s.sql)
    .join('\n\n')}\n`;
}

/** Creates the blacklist macros and views (the tables they read must exist). */
export async function createBlacklistViews(db: Db, temp = false): Promise<void> {
  await runSteps(db, viewSteps(temp));
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
      {
        name: '候选名单',
        columns: CANDIDATE_COLUMNS,
        sql: `SELECT * FROM blacklist_candidates_at($run) ORDER BY district_name, days_overdue DESC, amount DESC NULLS LAST, case_id`,
        params: { run: options.runId },
        header: `数据截止 ${options.asOf}`,
      },
      {
        name: '证据链',
        columns: EVIDENCE_COLUMNS,
        sql: `SELECT * FROM blacklist_evidence_at($run) ORDER BY case_id, event_date NULLS LAST, run_id, event_order, rule_or_result`,
        params: { run: options.runId },
        header: `数据截止 ${options.asOf}`,
      },
    ],
  });
  options.logger.info({ candidates, events, file }, `blacklist: ${candidates} candidate case(s)`);
  return { candidates, file };
}
