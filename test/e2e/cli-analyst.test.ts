import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_INBOX, workdir, type Workdir } from './support.ts';
import { Db } from '../../src/db/database.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';
import { displayWidth } from '../../src/core/text-width.ts';
import { TABLE_DOCS, columnDoc } from '../../src/db/catalog.ts';
import { employerCommand } from '../../src/cli/employer.ts';
import { tablesCommand } from '../../src/cli/tables.ts';
import { rulesCommand } from '../../src/cli/rules.ts';
import { RULE_CATALOG } from '../../src/rules/catalog/index.ts';

/** What a command prints on stdout, run in this process as `recon <args>` would. */
async function output(command: Command, args: string[]): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    await command.exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

describe('the analysts’ commands on a published database (two runs of the fixture)', () => {
  let work: Workdir;
  let employer = '';
  let caseId = '';
  let objects: Array<{ table_name: string; table_type: string }> = [];
  let columns: Array<{ table_name: string; column_name: string }> = [];

  beforeAll(async () => {
    work = workdir({ source: FIXTURE_INBOX, asOf: '2026-10-31' });
    // The second run finds the same cases again: each gets a second state change (新发现 -> 在办).
    for (let i = 0; i < 2; i++) await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
    const db = await Db.open(work.database);
    try {
      const [pick] = await db.all<{ employer_id: string; case_id: string }>(
        `SELECT e.employer_id, min(c.case_id) AS case_id FROM employers e JOIN cases c USING (employer_id)
         WHERE e.kind = 'enterprise' AND e.district_code = '320505' AND c.rule_id = 'lapsed'
           AND e.employer_id IN (SELECT employer_id FROM employer_links WHERE source = 'tax_registration')
         GROUP BY ALL ORDER BY e.employer_id LIMIT 1`,
      );
      employer = pick?.employer_id ?? '';
      caseId = pick?.case_id ?? '';
      // A grid worker's answer, as the feedback stage records an applied row (the reader is tested in test/cases/).
      await db.run(
        `INSERT INTO feedback (case_id, run_id, file, file_sha256, sheet, "row", result, checked_on, checker, remarks, received_at, status, deadline)
         VALUES ($1, (SELECT max(run_id) FROM runs), 'returned.xlsx', 'x', '清单', 2, '已督促', DATE '2026-11-05', '张三', NULL, now(), 'applied', DATE '2026-11-30')`,
        [caseId],
      );
      objects = await db.all(`SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name`);
      columns = await db.all(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
      );
    } finally {
      db.close();
    }
  }, 120_000);

  it('every table and view of the published database has a Chinese name and a description, and every column a meaning', () => {
    expect(objects.length).toBeGreaterThan(60);
    const undocumented = objects.filter((o) => !TABLE_DOCS[o.table_name]?.zh || !TABLE_DOCS[o.table_name]?.en).map((o) => o.table_name);
    expect(undocumented).toEqual([]);
    for (const o of objects) expect(TABLE_DOCS[o.table_name]?.zh, o.table_name).toMatch(/[\u4e00-\u9fff]/);
    const bare = columns.filter((c) => !columnDoc(c.table_name, c.column_name)?.[0]).map((c) => `${c.table_name}.${c.column_name}`);
    expect(bare).toEqual([]);
  });

  it('recon tables lists every object, descriptions wrapped (never cut) to the terminal width', async () => {
    const out = await output(tablesCommand(), ['--pipeline', work.pipelineFile]);
    const lines = out.trimEnd().split('\n');
    expect(lines.filter((l) => displayWidth(l) > 120)).toEqual([]);
    for (const o of objects) expect(out, o.table_name).toMatch(new RegExp(`^${o.table_name} +(表|视图) `, 'm'));
    expect(out).toContain(`${objects.length} tables and views.`);
    // The longest description is there in full, word for word, over its lines.
    const longest = Object.entries(TABLE_DOCS)
      .filter(([name]) => objects.some((o) => o.table_name === name))
      .sort((a, b) => b[1].en.length - a[1].en.length)[0]?.[1].en as string;
    expect(longest.length).toBeGreaterThan(100);
    const text = out.replace(/\s+/g, ' ');
    for (const word of longest.split(' ')) expect(text, word).toContain(word);
    const one = await output(tablesCommand(), ['ledger_district', '--pipeline', work.pipelineFile]);
    expect(one).toMatch(/^ledger_district \(视图\): 汇总（按区县）/);
    expect(one).toMatch(/^uninsured_n +BIGINT +各规则问题数 /m);
    expect(one).toMatch(/^arrears_closed_late_fee +\S+ +滞纳金（按类别） /m);
  });

  it('recon rules aligns its columns by display width (a Chinese title takes two columns a character)', async () => {
    const out = await output(rulesCommand(), ['--pipeline', work.pipelineFile]);
    const rows = out.split('\n').filter((l) => / v\d+( |$)/.test(l));
    // The ten employer rules, the four person rules and the project rule.
    expect(rows.length).toBe(RULE_CATALOG.length);
    expect(RULE_CATALOG.length).toBe(15);
    const at = new Set(rows.map((l) => displayWidth(l.slice(0, l.search(/ v\d+( |$)/)))));
    expect(at.size).toBe(1);
    expect(out).toMatch(/^under_enrolled +未全员参保 +v\d+ +\S/m);
  });

  it('recon employer shows the employer in Chinese and its cases with every state change and the latest feedback', async () => {
    expect(employer).not.toBe('');
    const out = await output(employerCommand(), [employer, '--pipeline', work.pipelineFile]);
    expect(out).toContain('类型 企业');
    expect(out).toContain('区县 虎丘区（320505）');
    expect(out).not.toContain('enterprise');
    // Every column of a record under its Chinese name (注册资本（万元）, not capital_wan).
    expect(out).not.toMatch(/^ {2}[a-z_]+: /m);
    const block = out.slice(out.indexOf(`  ${caseId}`));
    expect(block).toMatch(new RegExp(`^  ${caseId}  断缴 \\(lapsed\\)  状态 在办  立案 2026-10-31  最近发现 2026-10-31`, 'm'));
    expect(block).toMatch(/最近核查 已督促 {2}2026-11-05 {2}核查人 张三 {2}整改期限 2026-11-30/);
    expect(block).toMatch(/2026-10-31 +→ 新发现 +发现问题，立案 +\d{8}-/);
    expect(block).toMatch(/2026-10-31 +新发现 → 在办 +仍然存在 +\d{8}-/);
    // Months as 2026-09, not 2026-09-01; link methods and sources in Chinese.
    const withholding = out.slice(out.indexOf('\n个税扣缴申报 (')).split('\n\n')[0] as string;
    expect(withholding).toContain('所属期');
    expect(withholding).toMatch(/\b2026-0\d\b(?!-)/);
    expect(withholding).not.toMatch(/\b2026-\d\d-01\b/);
    expect(out).toMatch(/统一社会信用代码相同|同区县名称相同|组织机构代码相同/);
  });

  it('recon employer --json has the same cases: rule title, state, dates, each change with run and date, latest feedback', async () => {
    const report = JSON.parse(await output(employerCommand(), [employer, '--json', '--pipeline', work.pipelineFile]));
    expect(report.employer.district_name).toBe('虎丘区');
    const c = report.cases.find((x: { case_id: string }) => x.case_id === caseId);
    expect(c).toMatchObject({ rule_id: 'lapsed', rule_title: '断缴', state: 'open', opened_on: '2026-10-31', last_found_on: '2026-10-31' });
    expect(c.events.map((e: { from_state: string | null; to_state: string; on: string }) => [e.from_state, e.to_state, e.on])).toEqual([
      [null, 'new', '2026-10-31'],
      ['new', 'open', '2026-10-31'],
    ]);
    expect(c.events.every((e: { run_id: string }) => /^\d{8}-\d{6}-/.test(e.run_id))).toBe(true);
    expect(c.feedback).toMatchObject({ result: '已督促', checked_on: '2026-11-05', checker: '张三', deadline: '2026-11-30' });
    const periods = (report.records.tax_withholding ?? []).map((r: { period: string }) => r.period);
    expect(periods.length).toBeGreaterThan(0);
    for (const p of periods) expect(p).toMatch(/^\d{4}-\d{2}$/);
  });
});
