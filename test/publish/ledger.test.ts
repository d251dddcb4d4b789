import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, it, expect, beforeAll } from 'vitest';
import { tempDir, rows, testContext } from '../helpers.ts';
import { writeExports, type Scenario } from '../rules/builder.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { Db } from '../../src/db/database.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createLedgerViews, selectLedgerRun } from '../../src/publish/ledger-views.ts';
import { writeLedger, LEDGER_SHEETS } from '../../src/publish/ledger.ts';

const PARAMS = path.resolve('pipelines/local-params.yaml');
const HOSTILE = "=cmd|' /C calc'!A0";

/** Runs the pipeline over an inbox into a temp dir; returns the published database and run. */
async function runInbox(inbox: string): Promise<{ database: string; runId: string; asOf: string; dir: string; outputDir: string }> {
  const dir = tempDir('recon-ledger-');
  const file = path.join(dir, 'nightly.yaml');
  fs.writeFileSync(file, `inbox: ${inbox}\ndatabase: data/recon.duckdb\noutput: reports\nlocal_params: ${PARAMS}\nas_of: 2026-10-31\n`);
  const result = await runPipeline(loadPipeline(file), { logger: silentLogger() });
  return { database: path.join(dir, 'data', 'recon.duckdb'), runId: result.runId, asOf: result.asOf, dir, outputDir: result.outputDir };
}

/**
 * Seven employers in 虎丘区, as of 2026-10-31 (closed month M = 2026-09):
 *   A enrolled, paid 1000 of 1000 for M       B enrolled, paid 400 of 1000, staff withheld (operating arrears 600)
 *   C 注销, owes 2000 for 2026-08 (closed)     D not enrolled (should be)
 *   E individual business, no headcount        F established 11 days before D
 *   G enrolled, taxpayer 非正常, paid 0 of 500 (dormant arrears 500)
 */
const SCENARIOS: Scenario[] = [
  { id: 'A', enrollment: [{ type: '110', status: '1', insured: 2 }], payments: [{ period: '2026-09', due: 1000, paid: 1000 }] },
  {
    id: 'B',
    enrollment: [{ type: '110', status: '1', insured: 5 }],
    withholding: ['2026-07', '2026-08', '2026-09'].map((period) => ({ period, headcount: 5 })),
    payments: [{ period: '2026-09', insured: 5, due: 1000, paid: 400 }],
  },
  { id: 'C', status: '注销', enrollment: [{ type: '110', status: '1', insured: 2 }], payments: [{ period: '2026-08', due: 2000, paid: 0 }] },
  { id: 'D' },
  { id: 'E', kind: 'individual_business' },
  { id: 'F', established: '2026-10-20' },
  { id: 'G', taxpayer: '非正常', enrollment: [{ type: '110', status: '1', insured: 2 }], payments: [{ period: '2026-09', due: 500, paid: 0 }] },
];

describe('ledger views on a small hand-computed case', () => {
  let db: Db;
  beforeAll(async () => {
    const inbox = tempDir('recon-ledger-inbox-');
    const files = writeExports(inbox, SCENARIOS);
    // B's registry name is hostile: it must reach the workbook as text, never as a formula.
    const reg = files.find((f) => path.basename(f).startsWith('registration')) as string;
    fs.writeFileSync(reg, fs.readFileSync(reg, 'utf8').replace('苏州B有限公司', HOSTILE));
    const run = await runInbox(inbox);
    db = await Db.open(run.database);
    await createLedgerViews(db);
    await selectLedgerRun(db, run.runId);
    const out = path.join(run.dir, 'ledger-out');
    await writeLedger(db, testContext({ runId: run.runId, asOf: run.asOf, runDir: out }));
    ledgerFile = path.join(out, 'ledger.xlsx');
    return () => db.close();
  }, 60_000);
  let ledgerFile = '';

  it('counts active, should-be-enrolled and enrolled employers and the three rates exactly', async () => {
    const [district, total] = await rows(
      db,
      `SELECT district_name, active_employers, should_enroll, enrolled, coverage_rate, paid_in_full, payment_rate,
              CAST(due_m AS DOUBLE) AS due_m, CAST(paid_m AS DOUBLE) AS paid_m, collection_rate FROM ledger_district`,
    );
    const expected = {
      active_employers: 6,
      should_enroll: 4,
      enrolled: 3,
      coverage_rate: 0.75,
      paid_in_full: 1,
      payment_rate: 1 / 3,
      due_m: 2500,
      paid_m: 1400,
      collection_rate: 0.56,
    };
    expect(district).toEqual({ district_name: '虎丘区', ...expected });
    expect(total).toEqual({ district_name: '合计', ...expected });
  });

  it('classes the arrears with their late fees (0.05% a day from the 16th of the next month)', async () => {
    const arrears = await rows(
      db,
      `SELECT name, class, months_owing, CAST(amount AS DOUBLE) AS amount, CAST(late_fee AS DOUBLE) AS late_fee FROM ledger_arrears ORDER BY class`,
    );
    expect(arrears).toEqual([
      { name: '苏州C有限公司', class: 'closed', months_owing: 1, amount: 2000, late_fee: 45 },
      { name: '苏州G有限公司', class: 'dormant', months_owing: 1, amount: 500, late_fee: 3.75 },
      { name: HOSTILE, class: 'operating', months_owing: 1, amount: 600, late_fee: 4.5 },
    ]);
    const [t] = await rows(
      db,
      `SELECT arrears_closed_n, CAST(arrears_operating_late_fee AS DOUBLE) AS fee, CAST(arrears_amount AS DOUBLE) AS amount FROM ledger_district WHERE district_code IS NULL`,
    );
    expect(t).toEqual({ arrears_closed_n: 1, fee: 4.5, amount: 3100 });
  });

  it('counts the cases opened this run per rule', async () => {
    const progress = await rows(
      db,
      `SELECT rule_id, opened_run, open_now FROM ledger_cases_progress WHERE district_code IS NULL AND rule_id IN ('uninsured', 'arrears') ORDER BY rule_id`,
    );
    expect(progress).toEqual([
      { rule_id: 'arrears', opened_run: 3, open_now: 3 },
      { rule_id: 'uninsured', opened_run: 1, open_now: 1 },
    ]);
  });

  it('writes the hostile name as a plain string cell, not a formula', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(ledgerFile);
    const sheet = wb.getWorksheet('欠费台账') as ExcelJS.Worksheet;
    const cells: ExcelJS.Cell[] = [];
    sheet.eachRow((row) => row.eachCell((cell) => void (cell.value === HOSTILE && cells.push(cell))));
    expect(cells).toHaveLength(1);
    expect(cells[0]?.type).toBe(ExcelJS.ValueType.String);
    expect(cells[0]?.formula).toBeUndefined();
  });
});

describe('ledger.xlsx on the committed fixture', () => {
  let db: Db;
  let file = '';
  let sheets: string[] = [];
  let published = '';
  let runId = '';
  beforeAll(async () => {
    const run = await runInbox(path.resolve('fixtures/inbox'));
    published = path.join(run.outputDir, 'ledger.xlsx');
    runId = run.runId;
    db = await Db.open(run.database);
    const out = await writeLedger(db, testContext({ runId: run.runId, asOf: run.asOf, runDir: path.join(run.dir, 'out') }));
    file = out.file;
    sheets = out.sheets;
    return () => db.close();
  }, 90_000);

  it('has the eight sheets with Chinese headers, frozen header rows and A4 landscape', async () => {
    expect(sheets).toEqual([...LEDGER_SHEETS]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual([...LEDGER_SHEETS]);
    const headers = (name: string): string[] => ((wb.getWorksheet(name)?.getRow(2).values ?? []) as unknown[]).filter((v) => v !== undefined).map(String);
    expect(headers('汇总').slice(0, 10)).toEqual([
      '区县',
      '在业\n单位数',
      '应参保\n单位数',
      '已参保\n单位数',
      '参保率',
      '足额缴费\n单位数',
      '缴费率',
      '当月应缴\n(元)',
      '当月实缴\n(元)',
      '征缴率',
    ]);
    expect(headers('欠费台账')).toContain('滞纳金\n(元)');
    expect(headers('案件进展')).toEqual(expect.arrayContaining(['本次\n新增', '本次\n销号', '本次\n豁免', '累计\n立案', '在办']));
    // The fixture's four planted near misses (truth/review_answers.csv), with how long each has waited.
    expect(headers('待人工确认')).toEqual([
      '区县',
      '来源',
      '记录键',
      '名称',
      '候选单位',
      '候选单位ID',
      '相似度',
      '原因',
      '首次列出',
      '已等待（天）',
      '人工结论',
      '复核编号',
    ]);
    const review = wb.getWorksheet('待人工确认') as ExcelJS.Worksheet;
    expect(String(review.getRow(1).getCell(1).value)).toMatch(/^待人工确认的单位关联：4 对，最长已等待 0 天/);
    expect(review.rowCount).toBe(6);
    expect(headers('运行记录')).toEqual(['项目', '内容']);
    const summary = wb.getWorksheet('汇总') as ExcelJS.Worksheet;
    expect(summary.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(summary.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, printTitlesRow: '1:2' });
    expect(summary.headerFooter.oddFooter).toContain('&P');
    expect(summary.getCell('E3').numFmt).toBe('0.0%');
    // 汇总 shows whole yuan (the cell keeps the cents); the detail sheets show the cents.
    expect(summary.getCell('H3').numFmt).toBe('#,##0');
    expect(wb.getWorksheet('欠费台账')?.getCell('H3').numFmt).toBe('#,##0.00');
  });

  it('汇总 has one row per district and a 合计 row equal to the views', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('汇总') as ExcelJS.Worksheet;
    const header = (sheet.getRow(2).values as unknown[]).map((v) => (v === undefined ? '' : String(v)));
    const col = (h: string): number => header.indexOf(h);
    let totalRow: ExcelJS.Row | undefined;
    const names: string[] = [];
    sheet.eachRow((row, n) => {
      if (n < 3) return;
      names.push(String(row.getCell(1).value));
      if (row.getCell(1).value === '合计') totalRow = row;
    });
    const view = await rows(
      db,
      `SELECT district_name, active_employers, should_enroll, enrolled, coverage_rate, payment_rate, collection_rate, findings,
              CAST(findings_amount AS DOUBLE) AS findings_amount, uninsured_n FROM ledger_district ORDER BY district_code NULLS LAST`,
    );
    expect(names).toEqual(view.map((v) => v['district_name']));
    const total = view.at(-1) as Record<string, unknown>;
    // The employer rules' findings of the fixture; the person rules count people on 人员参保, the project rule permits on 项目参保.
    // 144 of truth/findings.csv and 4 of the registry employers of the two review_same pairs awaiting review.
    expect(total['findings']).toBe(148);
    const cell = (h: string): unknown => totalRow?.getCell(col(h)).value;
    expect(cell('在业\n单位数')).toBe(total['active_employers']);
    expect(cell('应参保\n单位数')).toBe(total['should_enroll']);
    expect(cell('已参保\n单位数')).toBe(total['enrolled']);
    expect(cell('参保率')).toBeCloseTo(total['coverage_rate'] as number, 12);
    expect(cell('缴费率')).toBeCloseTo(total['payment_rate'] as number, 12);
    expect(cell('征缴率')).toBeCloseTo(total['collection_rate'] as number, 12);
    expect(cell('问题\n总数')).toBe(total['findings']);
    expect(cell('涉及金额\n(元)')).toBeCloseTo(total['findings_amount'] as number, 2);
    expect(col('未参保\n(户)')).toBe(-1);
  });

  it('问题分类 has the findings of every rule per district, and the amounts of the rules that estimate one', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('问题分类') as ExcelJS.Worksheet;
    const header = (sheet.getRow(2).values as unknown[]).map((v) => (v === undefined ? '' : String(v)));
    expect(header.filter((h) => h.endsWith('(户)'))).toHaveLength(10);
    expect(header.filter((h) => h.endsWith('金额(元)'))).toEqual([
      '未参保\n金额(元)',
      '未全员参保\n金额(元)',
      '缴费基数不实\n金额(元)',
      '欠费\n金额(元)',
      '未申报\n金额(元)',
    ]);
    const [total] = await rows(db, `SELECT uninsured_n, lapsed_n, CAST(arrears_amount AS DOUBLE) AS arrears FROM ledger_district WHERE district_code IS NULL`);
    const last = sheet.getRow(sheet.rowCount);
    expect(last.getCell(1).value).toBe('合计');
    expect(last.getCell(header.indexOf('未参保\n(户)')).value).toBe(total?.['uninsured_n']);
    expect(last.getCell(header.indexOf('断缴\n(户)')).value).toBe(total?.['lapsed_n']);
    expect(last.getCell(header.indexOf('欠费\n金额(元)')).value).toBeCloseTo(total?.['arrears'] as number, 2);
  });

  it('汇总 prints one page wide at about full size: fit to width, header rows on every page, no repeated column', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('汇总') as ExcelJS.Worksheet;
    expect(sheet.pageSetup).toMatchObject({ fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:2', orientation: 'landscape', paperSize: 9 });
    expect(sheet.pageSetup.printTitlesColumn).toBeFalsy();
    // A4 landscape holds about 784 pt inside the margins; a width unit is about 5.25 pt: 149 units print at 100%.
    const width = sheet.columns.reduce((n, c) => n + (c.width ?? 9), 0);
    expect(width).toBeLessThan(160);
    expect(sheet.columnCount).toBe(17);
  });

  it('a sheet without data is its title and one line: 目标完成情况 without a targets file', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('目标完成情况') as ExcelJS.Worksheet;
    expect(sheet.rowCount).toBe(2);
    expect(sheet.columnCount).toBe(1);
    expect(String(sheet.getCell('A1').value)).toMatch(/^目标完成情况（\d{4} 年度/);
    expect(String(sheet.getCell('A2').value)).toMatch(/^未载入 \d{4} 年度目标任务/);
    expect(sheet.pageSetup).toMatchObject({ fitToWidth: 1, fitToHeight: 1 });
    // The column is wide enough for the 13-point title: it is not cut at a column edge.
    expect(sheet.getColumn(1).width ?? 0).toBeGreaterThanOrEqual(String(sheet.getCell('A1').value).length * 2 * 1.3);
  });

  it('数据质量 is in Chinese: categories, kinds and reasons (the English stays in the database)', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('数据质量') as ExcelJS.Worksheet;
    const lines: string[][] = [];
    sheet.eachRow((row, n) => void (n > 2 && lines.push((row.values as unknown[]).slice(1).map((v) => (v === undefined || v === null ? '' : String(v))))));
    expect(lines.length).toBeGreaterThan(10);
    const [source, category, kind, , , , detail] = [0, 1, 2, 3, 4, 5, 6].map((i) => lines.map((l) => l[i] ?? ''));
    expect(new Set(source)).toEqual(new Set(['关联检查', '拒收']));
    expect(category).toContain('代码校验不通过');
    expect(kind.filter((k) => /[a-z_]{3,}/.test(k))).toEqual([]);
    expect(kind).toContain('社保参保单位');
    expect(detail.filter((d) => /fails its check|e\.g\. line|missing required|wrong column count|unreadable/.test(d))).toEqual([]);
    expect(detail).toContain('企业名称：必填值为空（例如第 5 行）');
    const [english] = await rows(db, `SELECT count(*) AS n FROM dq_issues WHERE detail LIKE '%fails its check%'`);
    expect(english?.['n']).toBeGreaterThan(0);
  });

  it("the published ledger's 运行记录 shows the run as it was published (status, pipeline, start and end as in runs), in Chinese", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(published);
    const sheet = wb.getWorksheet('运行记录') as ExcelJS.Worksheet;
    const kv = new Map<string, string>();
    const texts: string[] = [];
    sheet.eachRow((row, n) => {
      const values = (row.values as unknown[]).slice(1).map((v) => (v === undefined || v === null ? '' : String(v)));
      texts.push(...values);
      if (n > 2 && values.length >= 2) kv.set(values[0] as string, values[1] as string);
    });
    const [recorded] = await db.all(`SELECT status, pipeline, started_at, finished_at, output_dir FROM runs WHERE run_id = $1`, [runId]);
    const stamp = (v: unknown): string => (v instanceof Date ? v.toISOString().replace('T', ' ').slice(0, 19) : '');
    // The test pipeline keeps the default reject thresholds: the fixture's planted bad rows make it a run with warnings.
    expect(recorded?.['status']).toBe('warnings');
    expect(kv.get('状态')).toBe('成功（有警告）');
    expect(kv.get('警告')).toMatch(/^\d+ 条/);
    expect(kv.get('流水线文件')).toBe(recorded?.['pipeline']);
    expect(kv.get('开始时间 (UTC)')).toBe(stamp(recorded?.['started_at']));
    expect(kv.get('结束时间 (UTC)')).toBe(stamp(recorded?.['finished_at']));
    // Both in UTC (the tests run in Asia/Shanghai): the run took seconds, not eight hours.
    const finished = (recorded?.['finished_at'] as Date | undefined)?.getTime() ?? Number.NaN;
    const started = (recorded?.['started_at'] as Date | undefined)?.getTime() ?? Number.NaN;
    expect(finished - started).toBeGreaterThanOrEqual(0);
    expect(finished - started).toBeLessThan(10 * 60_000);
    expect(kv.get('结果文件夹')).toBe(recorded?.['output_dir']);
    expect(kv.get('重复跳过文件数')).toBe('0');
    // Stage names and kinds in Chinese: no `open`, `publish.csv` or `civil_org` left.
    const timings = [...kv.keys()].filter((k) => k.startsWith('耗时：'));
    expect(timings.length).toBeGreaterThan(5);
    expect(timings.filter((k) => /[a-z]/.test(k))).toEqual([]);
    expect(texts.filter((t) => /^(civil_org|registration|si_payment|si_enrollment|tax_registration|tax_withholding)$/.test(t))).toEqual([]);
    expect(texts).toContain('社会组织登记信息');
  });

  it('another run can be selected with SET VARIABLE ledger_run; facts-based numbers then stay empty', async () => {
    await db.run(`SET VARIABLE ledger_run = 'no-such-run'`);
    const [t] = await rows(db, `SELECT findings, should_enroll, coverage_rate FROM ledger_district WHERE district_code IS NULL`);
    expect(t).toEqual({ findings: 0, should_enroll: null, coverage_rate: null });
    await db.run(`RESET VARIABLE ledger_run`);
    const [latest] = await rows(db, `SELECT findings FROM ledger_district WHERE district_code IS NULL`);
    expect(latest).toEqual({ findings: 148 });
  });
});
