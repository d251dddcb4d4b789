import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { Logger } from '../core/log.ts';
import { literal } from '../core/sql.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps, type SqlStep } from '../db/steps.ts';
import { writeListWorkbook, type ListColumn } from './list-xlsx.ts';
import { fillSql } from './sql-fill.ts';

/**
 * Arrears work lists (RULES.md `arrears`): one list per class, from the arrears findings of a
 * run, as SQL first (`arrears_list_at(run)`, views `arrears_writeoff`, `arrears_payment_plan`,
 * `arrears_enforcement` over the latest run) and xlsx second.
 *
 * Amounts are the rule's: arrears = ∑(应缴 − 实缴) over the months up to M; 滞纳金 = ∑ each
 * unpaid month's arrears × late_fee_rate (0.05%/day) × days from the 16th of the following
 * month to the as-of date D (src/rules/catalog/arrears.ts), so the late fee runs to D.
 * Contact and registry columns come from employer_facts (the latest rules run).
 */

/** The three lists, by arrears class. */
export const ARREARS_LISTS = [
  {
    cls: 'closed',
    view: 'arrears_writeoff',
    title: '欠费核销报告',
    file: '欠费核销报告.xlsx',
    action: '已注销/吊销单位的欠费：核实清算或破产情况后按程序申报核销或向清算组申报债权。',
  },
  {
    cls: 'dormant',
    view: 'arrears_payment_plan',
    title: '欠费分期缴费跟进表',
    file: '欠费分期缴费跟进表.xlsx',
    action: '停业、非正常户或连续6个月无用工单位的欠费：约谈单位负责人，签订分期缴费协议并逐月跟进（建议月缴额按12期计算）。',
  },
  {
    cls: 'operating',
    view: 'arrears_enforcement',
    title: '欠费强制执行清单',
    file: '欠费强制执行清单.xlsx',
    action: '正常经营单位的欠费：依《社会保险法》第六十三条责令限期缴纳或补足；逾期仍不缴纳的，依法申请划拨、查询账户或申请人民法院强制执行。',
  },
] as const;

/** Instalments of the suggested payment plan (dormant class). */
export const PLAN_INSTALMENTS = 12;

const step = sqlSteps(new URL('./arrears.sql', import.meta.url));

/** The steps of arrears.sql, placeholders filled (`temp`: TEMP macro and views, for a read-only database). */
function viewSteps(temp: boolean): SqlStep[] {
  const t = temp ? 'TEMP ' : '';
  return [
    { name: 'arrears.list_at', sql: fillSql(step('arrears.list_at'), { temp: t, plan_instalments: String(PLAN_INSTALMENTS) }) },
    { name: 'arrears.views', sql: ARREARS_LISTS.map((l) => fillSql(step('arrears.view'), { temp: t, view: l.view, class: literal(l.cls) })).join('\n') },
  ];
}

/** The macro and the three views (arrears.sql). `temp` makes them temporary (a read-only database). */
export function arrearsViewsSql(temp = false): string {
  return `${viewSteps(temp)
    .map((s) => s.sql)
    .join('\n')}\n`;
}

/** Creates the arrears macro and views (findings, employers, employer_facts, cases must exist). */
export async function createArrearsViews(db: Db, temp = false): Promise<void> {
  await runSteps(db, viewSteps(temp));
}

const COMMON_HEAD: ListColumn[] = [
  { key: 'case_id', header: '案件编号', width: 12 },
  { key: 'name', header: '单位名称', width: 24, wrap: true },
  { key: 'uscc', header: '统一社会信用代码', width: 20 },
  { key: 'district_name', header: '区县', width: 9 },
  { key: 'street', header: '街道', width: 10, wrap: true },
];
const MONEY: ListColumn[] = [
  { key: 'since', header: '欠费起始月', width: 10 },
  { key: 'months_owing', header: '欠费月数', width: 8, kind: 'int' },
  { key: 'arrears', header: '欠费金额', width: 13, kind: 'money' },
  { key: 'late_fee', header: '滞纳金（至数据截止日）', width: 13, kind: 'money' },
  { key: 'total', header: '合计', width: 13, kind: 'money' },
];
const CONTACT: ListColumn[] = [
  { key: 'legal_rep', header: '法定代表人', width: 10 },
  { key: 'phone', header: '联系电话', width: 13 },
  { key: 'address', header: '地址', width: 24, wrap: true },
];

const COLUMNS: Record<(typeof ARREARS_LISTS)[number]['cls'], ListColumn[]> = {
  closed: [
    ...COMMON_HEAD,
    { key: 'reg_status_text', header: '登记状态', width: 12, wrap: true },
    { key: 'closed_on', header: '注销/吊销日期', width: 12, kind: 'date' },
    ...MONEY,
    { key: 'legal_rep', header: '法定代表人', width: 10 },
  ],
  dormant: [
    ...COMMON_HEAD,
    { key: 'tax_status', header: '纳税状态', width: 10 },
    ...MONEY,
    { key: 'instalment', header: `建议月缴额（${PLAN_INSTALMENTS}期）`, width: 12, kind: 'money' },
    ...CONTACT,
  ],
  operating: [...COMMON_HEAD, ...MONEY, ...CONTACT],
};

const TAX_STATUS: Record<string, string> = { active: '正常', abnormal: '非正常', suspended: '停业', closed: '注销' };

export interface ArrearsListOptions {
  runId: string;
  asOf: string;
  /** Folder the three workbooks go to. */
  dir: string;
  logger: Logger;
}

export interface ArrearsListSummary {
  cls: string;
  file: string;
  rows: number;
  arrears: number;
  lateFee: number;
}

/** Writes the three arrears lists of run `runId` (the views must exist: createArrearsViews). */
export async function writeArrearsLists(db: Db, options: ArrearsListOptions): Promise<ArrearsListSummary[]> {
  const out: ArrearsListSummary[] = [];
  for (const l of ARREARS_LISTS) {
    const totals = await db.one<{ n: bigint; arrears: number | null; late_fee: number | null }>(
      `SELECT count(*) AS n, CAST(sum(arrears) AS DOUBLE) AS arrears, CAST(sum(late_fee) AS DOUBLE) AS late_fee FROM arrears_list_at($run) WHERE class = $cls`,
      { run: options.runId, cls: l.cls },
      { step: 'arrears.totals' },
    );
    const money = (n: number | null | undefined): string => (n ?? 0).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const file = path.join(options.dir, l.file);
    // tax_status in Chinese for the reader; the view keeps the code for queries.
    const taxCase = `CASE tax_status ${Object.entries(TAX_STATUS)
      .map(([k, v]) => `WHEN ${literal(k)} THEN ${literal(v)}`)
      .join(' ')} ELSE tax_status END`;
    const [rows = 0] = await writeListWorkbook(db, {
      file,
      title: l.title,
      intro: [
        ['数据截止日期', options.asOf],
        ['批次号', options.runId],
        ['单位数', String(Number(totals?.n ?? 0))],
        ['欠费金额合计（元）', money(totals?.arrears)],
        ['滞纳金合计（元）', money(totals?.late_fee)],
        ['口径', '欠费 = 截至已结算月份累计（应缴 − 实缴）；滞纳金 = 每月欠费 × 0.05%/日 × 自次月16日起至数据截止日的天数。'],
        ['处理', l.action],
        ['查询', `recon query "SELECT * FROM ${l.view}"`],
      ],
      sheets: [
        {
          name: '清单',
          columns: COLUMNS[l.cls],
          sql: `SELECT * REPLACE (${taxCase} AS tax_status) FROM arrears_list_at($run) WHERE class = $cls ORDER BY district_name, total DESC, case_id`,
          params: { run: options.runId, cls: l.cls },
          header: `${l.title} 数据截止 ${options.asOf}`,
        },
      ],
    });
    out.push({ cls: l.cls, file, rows, arrears: totals?.arrears ?? 0, lateFee: totals?.late_fee ?? 0 });
  }
  options.logger.info({ lists: out.map((o) => ({ cls: o.cls, rows: o.rows })) }, `arrears lists: ${out.map((o) => `${o.cls} ${o.rows}`).join(', ')}`);
  return out;
}
