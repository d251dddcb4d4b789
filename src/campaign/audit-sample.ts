import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Db } from '../db/database.ts';
import type { Logger } from '../core/log.ts';
import { literal } from '../core/sql.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps } from '../db/steps.ts';
import {
  WORKLIST_COLUMNS,
  PROTECTED_COLUMNS,
  FILL_IN_COLUMNS,
  RESULT_VALUES,
  FILL_IN_PROTECTION,
  checkDateValidation,
  CHECKSUM_COLUMN,
  rowChecksum,
  type WorklistColumn,
} from '../cases/worklist-layout.ts';
import { addOrderedSheet, safeText, displayWidth, headerFooterText, safeFileName } from '../core/xlsx-write.ts';
import { validateUscc } from '../link/codes.ts';
import { fillSql } from './sql-fill.ts';

/**
 * 年度稽核抽查: the annual duty to audit at least `rate` (30%) of the insured (enrolled)
 * employers. Each monthly call draws enough that the year's audited count reaches
 * ceil(rate x enrolled) by December:
 *
 *   target T = ceil(rate x enrolled now);  drawn so far B (this year);  months left R = 13 - month
 *   this month n = min(pool, ceil(max(0, T - B) / R))
 *
 * The pool is the enrolled employers (employer_facts: active AND enrolled in 110) not sampled
 * this year and not on a worklist (no case new/open/reopened). It is stratified by district x
 * size band (SIZE_BANDS, on max(pension insured count, withholding headcount)); each stratum
 * gets n x its share of the pool, rounded by largest remainder (Hamilton), so strata sizes
 * follow the pool to within one. Within a stratum employers are drawn with probability
 * weighted by a risk score (RISK_FACTORS) without replacement, by Efraimidis-Spirakis keys
 * ln(u) / score with u a uniform from md5(year-month-employer): deterministic, and the same
 * month drawn twice draws nothing new (audit_sample_runs holds one row per year and month).
 */

/** Size bands on max(pension insured count, withholding headcount). */
export const SIZE_BANDS = [
  { label: '0-9人', below: 10 },
  { label: '10-49人', below: 50 },
  { label: '50-199人', below: 200 },
  { label: '200人以上', below: Number.MAX_SAFE_INTEGER },
] as const;

/** The risk score: 1 plus the points of each factor that holds. */
export const RISK_FACTORS = [
  { id: 'findings_history', points: 2, title: '有问题记录', description: 'the employer has a finding in any earlier run (findings)' },
  { id: 'arrears', points: 2, title: '有欠费', description: 'sum of (amount_due - amount_paid) over its payment months >= 100 yuan' },
  {
    id: 'low_base',
    points: 1,
    title: '基数偏低',
    description: 'average pension base per insured person (latest month paid) below the median of enrolled employers',
  },
  {
    id: 'high_risk_industry',
    points: 1,
    title: '高风险行业',
    description: 'industry flagged work-injury high-risk in ref_industry (as the selective_enrollment rule reads it)',
  },
] as const;

export interface AuditSampleOptions {
  year: number;
  month: number;
  /** Share of enrolled employers to audit in the year (default 0.3). */
  rate?: number;
  runId: string;
  logger: Logger;
  /** The time the sample is drawn (tests pin it). Default: now. */
  now?: Date;
}

export interface AuditStratum {
  stratum: string;
  size: number;
  quota: number;
}

export interface AuditSampleResult {
  year: number;
  month: number;
  /** Whether this month had been drawn before (nothing new drawn). */
  already: boolean;
  enrolled: number;
  target: number;
  /** Sampled this year before this month. */
  before: number;
  pool: number;
  drawn: number;
  /** Mean risk score of the pool and of the employers drawn (the weighting at work). */
  poolMeanRisk: number | null;
  drawnMeanRisk: number | null;
  /** Allocation per stratum (empty when already drawn). */
  strata: AuditStratum[];
}

const step = sqlSteps(new URL('./audit-sample.sql', import.meta.url));

/** audit.pool with its placeholders filled from SIZE_BANDS and RISK_FACTORS. */
function poolSql(): string {
  const values: Record<string, string> = {
    size_band: `CASE ${SIZE_BANDS.map((b) => `WHEN size < ${b.below} THEN ${literal(b.label)}`).join(' ')} END`,
  };
  for (const f of RISK_FACTORS) {
    values[`points_${f.id}`] = String(f.points);
    values[`title_${f.id}`] = literal(f.title);
  }
  return fillSql(step('audit.pool'), values);
}

/** Draws the audit sample of one month (once: a month drawn before draws nothing new). */
export async function sampleAuditMonth(db: Db, options: AuditSampleOptions): Promise<AuditSampleResult> {
  const { year, month } = options;
  const rate = options.rate ?? 0.3;
  if (!Number.isInteger(year) || year < 2000 || year > 2099) throw new RangeError(`year must be a year such as 2026, got ${year}`);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`month must be 1 to 12, got ${month}`);
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`rate must be above 0 and at most 1, got ${rate}`);
  const done = await db.one<{
    enrolled: number;
    target: number;
    before: number;
    pool: number;
    drawn: number;
    poolMeanRisk: number | null;
    drawnMeanRisk: number | null;
  }>(
    `SELECT enrolled, target, before, pool, drawn, pool_mean_risk AS "poolMeanRisk", drawn_mean_risk AS "drawnMeanRisk" FROM audit_sample_runs WHERE year = $1 AND month = $2`,
    [year, month],
    { step: 'audit.done' },
  );
  if (done) {
    options.logger.info({ year, month }, `audit sample ${year}-${month}: drawn before (${done.drawn}); nothing new drawn`);
    return { year, month, already: true, ...done, strata: [] };
  }
  const now = (options.now ?? new Date()).toISOString().replace('T', ' ').replace('Z', '');
  let result: AuditSampleResult | undefined;
  await db.transaction(
    async () => {
      await runSteps(db, [{ name: 'audit.pool', sql: poolSql(), params: { year }, creates: ['_as_pool'] }]);
      const counts = await db.one<{ enrolled: bigint; before: bigint; pool: bigint }>(step('audit.counts'), { year }, { step: 'audit.counts' });
      const enrolled = Number(counts?.enrolled ?? 0);
      const before = Number(counts?.before ?? 0);
      const pool = Number(counts?.pool ?? 0);
      const target = Math.ceil(rate * enrolled - 1e-9);
      const need = Math.min(pool, Math.ceil(Math.max(0, target - before) / (13 - month)));
      await runSteps(db, [
        {
          name: 'audit.draw',
          sql: step('audit.draw'),
          params: { n: need, pool: Math.max(pool, 1), year, month, run: options.runId, now },
          creates: ['_as_strata', '_as_drawn'],
        },
      ]);
      const strata = (
        await db.all<{ stratum: string; size: bigint; quota: number }>(`SELECT stratum, size, quota FROM _as_strata ORDER BY stratum`, undefined, {
          step: 'audit.strata',
        })
      ).map((s) => ({
        stratum: s.stratum,
        size: Number(s.size),
        quota: s.quota,
      }));
      const stats = await db.one<{ drawn: bigint; pool_risk: number | null; drawn_risk: number | null }>(
        `SELECT (SELECT count(*) FROM _as_drawn) AS drawn, (SELECT avg(risk_score) FROM _as_pool) AS pool_risk, (SELECT avg(risk_score) FROM _as_drawn) AS drawn_risk`,
        undefined,
        { step: 'audit.stats' },
      );
      const drawn = Number(stats?.drawn ?? 0);
      const poolMeanRisk = stats?.pool_risk ?? null;
      const drawnMeanRisk = stats?.drawn_risk ?? null;
      await db.run(
        step('audit.record'),
        { year, month, run: options.runId, rate, enrolled, target, before, pool, drawn, pool_mean_risk: poolMeanRisk, drawn_mean_risk: drawnMeanRisk, now },
        { step: 'audit.record' },
      );
      await db.run(`DROP TABLE _as_pool; DROP TABLE _as_strata; DROP TABLE _as_drawn;`, undefined, { step: 'audit.cleanup' });
      result = { year, month, already: false, enrolled, target, before, pool, drawn, poolMeanRisk, drawnMeanRisk, strata };
    },
    { step: 'audit.sample' },
  );
  const r = result as AuditSampleResult;
  options.logger.info(
    { ...r, strata: r.strata.length },
    `audit sample ${year}-${String(month).padStart(2, '0')}: ${r.drawn} drawn (${r.before + r.drawn} of ${r.target} this year)`,
  );
  return r;
}

/** The auditors' guide on the 说明 sheet. */
function guideLines(district: string, year: number, month: number, rows: number): Array<[string, string]> {
  return [
    ['社会保险年度稽核抽查清单', ''],
    ['范围', district],
    ['抽查批次', `${year}年${month}月`],
    ['单位数', String(rows)],
    [
      '抽样方法',
      '在已参保、本年度未抽查且不在网格核查清单中的单位里，按区县 × 规模分层（0-9人、10-49人、50-199人、200人以上）按比例抽取，层内按风险分加权（有问题记录 +2、有欠费 +2、基数偏低 +1、高风险行业 +1）。全年累计抽查不少于参保单位的30%。',
    ],
    ['', ''],
    ['怎么做', ''],
    ['1', '按序号逐户稽核：核对参保人数、缴费基数与工资发放、用工名册。'],
    [
      '2',
      `“核查结果”选择：已参保（稽核无问题）、已督促或限期整改（发现问题，“限期整改”须填写整改期限）、其他（在备注中说明）；${RESULT_VALUES.filter((v) => !['已参保', '已督促', '限期整改', '其他'].includes(v)).join('、')}用于单位已无雇工、注销迁出或查无此单位。`,
    ],
    ['3', '“核查日期”填写稽核日期，“核查人”填写稽核人员姓名，“备注”写明发现的问题（如少报人数、少报基数的金额）。'],
    ['4', '不要修改其他单元格，不要增删行列；填写完毕后原样交回（放入 inbox/feedback/ 或用 recon feedback 读入），系统据此记录该单位本年度已稽核。'],
  ];
}

interface SampleRow {
  sample_id: string;
  name: string | null;
  uscc: string | null;
  legal_rep: string | null;
  phone: string | null;
  address: string | null;
  stratum: string;
  risk_score: number;
  risk_reasons: string | null;
  size: number | null;
}

const FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
const HEAD: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
const WIDTHS: Record<WorklistColumn, number> = {
  序号: 6,
  案件编号: 15,
  单位名称: 24,
  统一社会信用代码: 21,
  法定代表人: 10,
  联系电话: 14,
  地址: 24,
  问题类型: 10,
  问题说明: 40,
  估算金额: 10,
  优先级: 7,
  核查结果: 13,
  核查日期: 11,
  整改期限: 11,
  核查人: 8,
  备注: 18,
  校验码: 18,
};
const WRAP = new Set<string>(['单位名称', '地址', '问题说明', '备注']);

function lineCount(text: string, width: number): number {
  return text.split('\n').reduce((n, l) => n + Math.max(1, Math.ceil(displayWidth(l) / Math.max(1, width - 3))), 0);
}

/**
 * Writes the audit sheets of a month, one workbook per district, in the worklist layout
 * (worklists-layout.ts: same columns, locked cells, dropdown, date checks, 校验码), so the
 * returned files go through `recon feedback` like worklists and mark the audits done.
 */
export async function writeAuditSheets(
  db: Db,
  options: { year: number; month: number; dir: string; logger: Logger },
): Promise<Array<{ file: string; rows: number }>> {
  const districts = await db.all<{ district: string }>(step('audit.districts'), { year: options.year, month: options.month }, { step: 'audit.districts' });
  const out: Array<{ file: string; rows: number }> = [];
  const period = `${options.year}-${String(options.month).padStart(2, '0')}`;
  for (const { district } of districts) {
    const rows = await db.all<SampleRow>(step('audit.rows'), { year: options.year, month: options.month, district }, { step: 'audit.rows' });
    const file = path.join(options.dir, `稽核抽查_${period}`, `${safeFileName(district)}.xlsx`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: true });
    wb.creator = 'recon';
    const guide = addOrderedSheet(wb, '说明', { pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
    guide.columns = [{ width: 16 }, { width: 90 }];
    for (const [i, [a, b]] of guideLines(district, options.year, options.month, rows.length).entries()) {
      const row = guide.addRow([a, b]);
      row.getCell(1).font = { bold: true, size: i === 0 ? 14 : 11 };
      row.getCell(1).alignment = { vertical: 'top' };
      row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
      row.height = Math.min(409, 15 * lineCount(b, 90) + 3);
      row.commit();
    }
    await guide.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true });
    guide.commit();

    const ws = addOrderedSheet(wb, '清单', {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
      pageSetup: {
        paperSize: 9,
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '1:1',
        showGridLines: true,
        margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      },
    });
    const fillIn = new Set<string>(FILL_IN_COLUMNS);
    ws.columns = WORKLIST_COLUMNS.map((c) => ({
      key: c,
      width: WIDTHS[c],
      hidden: c === CHECKSUM_COLUMN,
      style: {
        alignment: { vertical: 'top', wrapText: WRAP.has(c) },
        protection: { locked: !fillIn.has(c) },
        ...(fillIn.has(c) ? { fill: FILL } : {}),
        ...(c === '核查日期' || c === '整改期限' ? { numFmt: 'yyyy-mm-dd' } : {}),
      },
    }));
    const header = ws.addRow([...WORKLIST_COLUMNS]);
    header.eachCell((cell) => {
      cell.style = {
        font: { bold: true },
        alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
        fill: fillIn.has(String(cell.value)) ? FILL : HEAD,
        protection: { locked: true },
      };
    });
    header.commit();
    ws.headerFooter = {
      oddHeader: `&L${headerFooterText(`${district} ${options.year}年${options.month}月`)}&R社会保险年度稽核抽查清单`,
      oddFooter: '&C第 &P 页 / 共 &N 页',
    };
    for (const [i, r] of rows.entries()) {
      const v: Record<(typeof PROTECTED_COLUMNS)[number], string | number | null> = {
        序号: i + 1,
        案件编号: r.sample_id,
        单位名称: safeText(r.name),
        统一社会信用代码: r.uscc !== null && validateUscc(r.uscc).ok ? r.uscc : null,
        法定代表人: safeText(r.legal_rep),
        联系电话: safeText(r.phone),
        地址: safeText(r.address),
        问题类型: '年度稽核抽查',
        问题说明: safeText(
          `抽样层：${r.stratum}（用工/参保 ${r.size ?? 0} 人）\n风险分 ${r.risk_score}${r.risk_reasons ? `：${r.risk_reasons}` : '（无风险因素）'}`,
        ),
        估算金额: null,
        优先级: r.risk_score >= 4 ? '高' : r.risk_score >= 2 ? '中' : '低',
      };
      const row = ws.addRow([...PROTECTED_COLUMNS.map((c) => v[c]), ...FILL_IN_COLUMNS.map(() => null), rowChecksum(v)]);
      row.height = Math.min(
        409,
        16 *
          Math.max(
            lineCount(String(v.问题说明), WIDTHS.问题说明),
            lineCount(String(v.单位名称 ?? ''), WIDTHS.单位名称),
            lineCount(String(v.地址 ?? ''), WIDTHS.地址),
          ) +
          4,
      );
      for (let c = PROTECTED_COLUMNS.length + 1; c <= PROTECTED_COLUMNS.length + FILL_IN_COLUMNS.length; c++) row.getCell(c);
      row.commit();
    }
    const last = rows.length + 1;
    const col = (name: WorklistColumn): string => String.fromCharCode(65 + WORKLIST_COLUMNS.indexOf(name));
    if (rows.length > 0) {
      ws.dataValidations.add(`${col('核查结果')}2:${col('核查结果')}${last}`, {
        type: 'list',
        allowBlank: true,
        formulae: [`"${RESULT_VALUES.join(',')}"`],
        showErrorMessage: true,
        errorStyle: 'stop',
        errorTitle: '核查结果',
        error: `请从下拉列表中选择：${RESULT_VALUES.join('、')}`,
      });
      for (const dateColumn of ['核查日期', '整改期限'] as const) {
        ws.dataValidations.add(`${col(dateColumn)}2:${col(dateColumn)}${last}`, checkDateValidation(dateColumn));
      }
    }
    ws.autoFilter = `A1:${col(FILL_IN_COLUMNS[FILL_IN_COLUMNS.length - 1])}${last}`;
    await ws.protect('', FILL_IN_PROTECTION);
    ws.commit();
    await wb.commit();
    out.push({ file, rows: rows.length });
  }
  options.logger.info({ files: out.length, rows: out.reduce((n, o) => n + o.rows, 0) }, `audit sheets ${period}: ${out.length} workbook(s)`);
  return out;
}
