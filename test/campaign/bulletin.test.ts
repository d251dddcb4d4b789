import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { withPublished } from '../e2e/support.ts';
import { runTwoMonths, type TwoRuns } from './targets-case.ts';
import { bulletinData, calloutCount, type Bulletin } from '../../src/campaign/bulletin.ts';
import { bulletinHtml } from '../../src/campaign/bulletin-html.ts';
import { BULLETIN_SHEETS } from '../../src/campaign/bulletin-xlsx.ts';
import { bulletinDir } from '../../src/cli/bulletin.ts';
import { ConfigError } from '../../src/core/errors.ts';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node src/cli/bin.js ...args` in the project folder. */
function recon(...args: string[]): Promise<Exit> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  delete env['NODE_OPTIONS'];
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli/bin.js', ...args], { cwd: path.resolve('.'), env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const names = (b: Bulletin): Array<[string, number | null]> => b.districts.map((d) => [d.districtName, d.rank]);

describe('the monthly bulletin on the hand-computed two-month case', () => {
  let t: TwoRuns;
  let oct: Bulletin;
  let nov: Bulletin;
  beforeAll(async () => {
    t = await runTwoMonths();
    [oct, nov] = await withPublished(t.database, async (db) => [await bulletinData(db, '2026-10'), await bulletinData(db, '2026-11')]);
  }, 120_000);

  it('reports on the last run of the month and ranks the districts by completion', () => {
    expect(oct.runId).toBe(t.runs[0]?.runId);
    expect(nov.runId).toBe(t.runs[1]?.runId);
    expect(names(oct)).toEqual([
      ['吴中区', 1],
      ['相城区', 2],
      ['虎丘区', 3],
      ['姑苏区', null],
    ]);
    expect(names(nov)).toEqual([
      ['吴中区', 1],
      ['虎丘区', 2],
      ['相城区', 3],
      ['姑苏区', null],
    ]);
    expect(nov.districts.map((d) => d.rankChange)).toEqual([0, 1, -1, null]);
    expect(oct.prevAsOf).toBeNull();
    expect(nov.prevAsOf).toBe('2026-10-31');
  });

  it("counts the month's new and resolved cases per district from case_events", () => {
    // October: every enrolled employer is selective (110 only), A3 and B2 are uninsured.
    expect(oct.cases.map((c) => [c.districtName, c.opened, c.resolved])).toEqual([
      ['虎丘区', 3, 0],
      ['吴中区', 2, 0],
      ['相城区', 2, 0],
      ['姑苏区', 1, 0],
    ]);
    expect(oct.casesTotal).toEqual({ opened: 8, reopened: 0, resolved: 0, exempt: 0 });
    // November: A3 enrolled (uninsured resolved) and is now selective (new).
    expect(nov.cases.filter((c) => c.opened + c.resolved > 0).map((c) => [c.districtName, c.opened, c.resolved])).toEqual([['虎丘区', 1, 1]]);
    expect(nov.casesTotal).toEqual({ opened: 1, reopened: 0, resolved: 1, exempt: 0 });
  });

  it('calls out the top and bottom districts in neutral, factual Chinese', () => {
    expect(calloutCount(10)).toBe(3);
    expect(calloutCount(6)).toBe(3);
    expect(calloutCount(5)).toBe(1);
    expect(calloutCount(1)).toBe(0);
    expect(nov.praised.map((d) => d.districtName)).toEqual(['吴中区']);
    expect(nov.urged.map((d) => d.districtName)).toEqual(['相城区']);
    expect(nov.paragraphs.praise).toBe('综合完成率排名前列的区县：吴中区（100.0%），予以通报表扬。');
    expect(nov.paragraphs.urge).toBe('综合完成率排名靠后的区县：相城区（87.5%），予以通报，请对照目标任务查找原因，加快工作进度。');
    // The city against the sum of the districts' targets (姑苏区 has none but counts for the city):
    // (7/7 + 56/40 + 0.875/(5.4/7) + 13900/7000) / 4 = 138.0%, up 33.1 points from October's 104.9%.
    expect(nov.paragraphs.summary).toBe(
      '截至 2026-11-30，全市参保单位 7 户，完成年度目标 100.0%；参保人数 56 人，完成 140.0%；单位参保率 87.5%（目标 77.1%）；征缴 1.39 万元，完成 198.6%。综合完成率 138.0%，较上月提高 33.1 个百分点。',
    );
    expect(nov.paragraphs.cases).toBe('2026年11月，全市新增疑点案件 1 件，销号 1 件，重新打开 0 件，核实豁免 0 件。');
  });

  it('draws the trend since the first month of the year with a record', () => {
    expect(nov.months).toEqual(['2026-10', '2026-11']);
    expect(nov.trend.filter((p) => p.districtCode === null).map((p) => [p.month, Math.round((p.completion ?? 0) * 1000) / 1000])).toEqual([
      ['2026-10', 1.049],
      ['2026-11', 1.38],
    ]);
    expect(nov.caseTrend).toEqual([
      { month: '2026-10', opened: 8, resolved: 0 },
      { month: '2026-11', opened: 1, resolved: 1 },
    ]);
  });

  it('refuses a month without a published run, naming the months that have one', async () => {
    const error = await withPublished(t.database, (db) => bulletinData(db, '2026-09').catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toContain('Months with runs: 2026-10, 2026-11');
    await expect(withPublished(t.database, (db) => bulletinData(db, '2026-13'))).rejects.toThrow('--month must be a month as YYYY-MM');
  });

  it('recon bulletin writes the xlsx and a self-contained HTML page into <output>/bulletins/<month>', async () => {
    const done = await recon('bulletin', '--month', '2026-11', '--pipeline', t.pipelineFiles[1] as string);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    const dir = path.join(t.output, 'bulletins', '2026-11');
    expect(fs.readdirSync(dir).sort()).toEqual(['通报_2026-11.html', '通报_2026-11.xlsx']);
    expect(done.stdout).toContain('3 districts ranked; cases: 1 new, 1 resolved');

    const html = fs.readFileSync(path.join(dir, '通报_2026-11.html'), 'utf8');
    expect(html).toContain('全民参保扩面征缴工作通报（2026年11月）');
    expect(html).toContain('<svg');
    for (const external of ['http://', 'https://', '<script', '<link', '<img', 'src=', 'url(', '@import']) expect(html, external).not.toContain(external);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, '通报_2026-11.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual([...BULLETIN_SHEETS]);
    const ranking = wb.getWorksheet('完成情况排名') as ExcelJS.Worksheet;
    expect([3, 4, 5, 6, 7].map((r) => (ranking.getRow(r).values as unknown[]).slice(1, 4))).toEqual([
      [1, '持平', '吴中区'],
      [2, '↑1', '虎丘区'],
      [3, '↓1', '相城区'],
      [undefined, undefined, '姑苏区'],
      [undefined, undefined, '全市合计'],
    ]);
    const cases = wb.getWorksheet('案件情况') as ExcelJS.Worksheet;
    expect((cases.getRow(3).values as unknown[]).slice(1)).toEqual(['虎丘区', 1, 1, 0, 0]);
    // Formula-safe: no cell of any sheet is a formula; text cells are plain strings.
    for (const ws of wb.worksheets) ws.eachRow((row) => row.eachCell((c) => expect(c.formula, `${ws.name}!${c.address}`).toBeUndefined()));
  }, 60_000);

  it('exit codes: 2 for a bad month, a month without runs or an --out outside the output folder', async () => {
    const file = t.pipelineFiles[1] as string;
    const bad = await recon('bulletin', '--month', '2026-13', '--pipeline', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--month must be a month as YYYY-MM');
    const none = await recon('bulletin', '--month', '2026-09', '--pipeline', file);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No published run has its as-of date in 2026-09');
    const outside = await recon('bulletin', '--month', '2026-11', '--pipeline', file, '--out', '../elsewhere');
    expect(outside.code).toBe(2);
    expect(fs.existsSync(path.join(t.dir, 'elsewhere'))).toBe(false);
    expect(() => bulletinDir(t.output, '2026-11', 'runs/x')).toThrow(ConfigError);
    expect(bulletinDir(t.output, '2026-11', '月报')).toBe(path.join(t.output, '月报'));
  }, 60_000);

  it('escapes text in the HTML page', () => {
    const hostile = { ...nov, districts: nov.districts.map((d, i) => (i === 0 ? { ...d, districtName: '<script>alert(1)</script>' } : d)) };
    const html = bulletinHtml(hostile);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
