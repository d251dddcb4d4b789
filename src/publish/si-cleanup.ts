import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { DatedRunContext } from '../config/context.ts';
import { literal } from '../core/sql.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps, type SqlStep } from '../db/steps.ts';
import { BUILTIN_RULES } from '../rules/catalog/index.ts';
import { REFERRAL_TARGET, answerTableLines } from '../cases/answers.ts';
import { fillSql } from '../campaign/sql-fill.ts';
import { writeListWorkbook, type ListColumn } from '../campaign/list-xlsx.ts';

/**
 * 社保注销清理清单: the cases a grid worker's answer confirmed but only the SI office can fix
 * (an employer gone, not found, or without staff while its SI enrollment runs on; see
 * cases/answers.ts). They stay open and keep being found, are left off the worklists, and are
 * listed here for the SI office, with the employer's SI unit ids, until the case is resolved
 * (the enrollment ended) or answered again. View `si_cleanup_list` (the latest run), macro
 * `si_cleanup_at(run)`, view `case_referrals_active`.
 */

/** File name of the list in a run folder (under campaign/). */
export const SI_CLEANUP_FILE = '社保注销清理清单.xlsx';

const step = sqlSteps(new URL('./si-cleanup.sql', import.meta.url));

function viewSteps(): SqlStep[] {
  const values = {
    rule_title: `CASE f.rule_id ${BUILTIN_RULES.map((r) => `WHEN ${literal(r.id)} THEN ${literal(r.title)}`).join(' ')} ELSE f.rule_id END`,
    target: literal(REFERRAL_TARGET),
  };
  return ['si_cleanup.referrals', 'si_cleanup.list_at', 'si_cleanup.view'].map((name) => ({ name, sql: fillSql(step(name), values) }));
}

/** Creates `case_referrals_active`, the macro `si_cleanup_at(run)` and the view `si_cleanup_list`. */
export async function createReferralViews(db: Db): Promise<void> {
  await runSteps(db, viewSteps());
}

const COLUMNS: ListColumn[] = [
  { key: 'case_id', header: '案件编号', width: 12 },
  { key: 'district_name', header: '区县', width: 9 },
  { key: 'street', header: '街道', width: 10, wrap: true },
  { key: 'name', header: '单位名称', width: 24, wrap: true },
  { key: 'uscc', header: '统一社会信用代码', width: 20 },
  { key: 'unit_ids', header: '社保单位编号', width: 14, wrap: true },
  { key: 'rule_title', header: '问题类型', width: 11, wrap: true },
  { key: 'evidence_text', header: '问题说明', width: 32, wrap: true },
  { key: 'amount', header: '涉及金额', width: 12, kind: 'money' },
  { key: 'result', header: '核查结果', width: 10 },
  { key: 'checked_on', header: '核查日期', width: 11, kind: 'date' },
  { key: 'checker', header: '核查人', width: 8 },
  { key: 'remarks', header: '备注', width: 20, wrap: true },
  { key: 'action', header: '建议办理', width: 30, wrap: true },
  { key: 'source', header: '依据（交回文件 工作表!行）', width: 24, wrap: true },
  { key: 'referred_on', header: '转办日期', width: 11, kind: 'date' },
];

/**
 * Writes `<run folder>/campaign/社保注销清理清单.xlsx` from `si_cleanup_at(run)` when any case is
 * referred; returns the cases listed (0: no file).
 */
export async function writeSiCleanupList(db: Db, ctx: DatedRunContext): Promise<{ cases: number; file: string | null }> {
  const n = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM si_cleanup_at($1)`, [ctx.runId], { step: 'si_cleanup.count' });
  if (Number(n?.n ?? 0) === 0) return { cases: 0, file: null };
  const file = path.join(ctx.runDir, 'campaign', SI_CLEANUP_FILE);
  const titles = new Map(BUILTIN_RULES.map((r) => [r.id, r.title] as const));
  const referring = answerTableLines(titles).filter(([, text]) => text.includes('转社保经办机构'));
  const [cases] = await writeListWorkbook(db, {
    file,
    title: '社保注销清理清单',
    intro: [
      ['数据截止日期', ctx.dates.asOf],
      ['批次号', ctx.runId],
      [
        '是什么',
        '网格员上门核查后确认：单位已注销或迁出、查无此单位，或无雇工而社保参保（或缴费记录）仍在。这些问题只能由社保经办机构在社保系统中办理，不再列入网格核查清单。',
      ],
      ['怎么做', '按“建议办理”核实并办理注销参保、暂停缴费或关系转移；有欠费的按清欠或核销程序处理。办理后社保数据变化，案件自动消除，不再列出。'],
      ...referring.map(([answer, text]): [string, string] => [`核查结果“${answer}”`, text]),
    ],
    sheets: [
      {
        name: '清理清单',
        columns: COLUMNS,
        sql: `SELECT * FROM si_cleanup_at($run) ORDER BY district_name, street NULLS LAST, name, case_id`,
        params: { run: ctx.runId },
        header: `社保注销清理清单 ${ctx.dates.asOf}`,
      },
    ],
  });
  ctx.logger.info({ cases, file }, `si clean-up list: ${cases} referred case(s)`);
  return { cases: cases ?? 0, file };
}
