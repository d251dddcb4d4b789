import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';
import { query, withPublished } from '../e2e/support.ts';
import { runTwoMonths, type TwoRuns } from './targets-case.ts';
import { generateInbox } from '../../tools/generator/generate.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';
import { LEDGER_SHEETS } from '../../src/publish/ledger.ts';
import { candidateKinds } from '../../src/sources/match.ts';

const PARAMS = path.resolve('pipelines/local-params.yaml');

/** Progress rows of a run, floats rounded to 1e-9 so hand-computed fractions compare exactly. */
async function progress(database: string, runId: string): Promise<Array<Record<string, unknown>>> {
  const found = await query(
    database,
    `SELECT district_code, district_name, should_enroll, insured_units, insured_persons, round(coverage_rate, 9) AS coverage_rate, CAST(collected AS DOUBLE) AS collected,
            target_units, target_persons, round(target_coverage, 9) AS target_coverage, CAST(target_collection AS DOUBLE) AS target_collection,
            round(completion_units, 9) AS cu, round(completion_persons, 9) AS cp, round(completion_coverage, 9) AS cc, round(completion_collection, 9) AS ccol,
            targets_given, round(completion, 9) AS completion, rank
     FROM district_progress WHERE run_id = $1 ORDER BY district_code NULLS LAST`,
    [runId],
  );
  return found;
}

const r9 = (x: number): number => Math.round(x * 1e9) / 1e9;
/** The city's overall completion in run 1 and run 2: the mean of units, persons, coverage and collection. */
const city1 = (6 / 7 + 53 / 40 + 0.75 / (5.4 / 7) + 7300 / 7000) / 4;
const city2 = (7 / 7 + 56 / 40 + 0.875 / (5.4 / 7) + 13900 / 7000) / 4;
const CITY1 = r9(city1);
const CITY2 = r9(city2);

describe('targets: completion, ranks and change since last month on a hand-computed case', () => {
  let t: TwoRuns;
  beforeAll(async () => {
    t = await runTwoMonths();
  }, 120_000);

  it('recognises the targets kind from its Chinese headers', () => {
    expect(candidateKinds(['区县', '年度', '参保单位目标', '参保人数目标', '参保率目标', '征缴目标（万元）']).map((m) => m.kind)).toEqual(['targets']);
  });

  it('resolves 区县 by name, code and short name; reads 80%, 0.5 and 100 as rates and 万元 as yuan; ignores other years', async () => {
    expect(
      await query(
        t.database,
        `SELECT district_code, district_text, year, target_units, target_persons, target_coverage, CAST(target_collection AS DOUBLE) AS target_collection FROM campaign_targets ORDER BY district_code NULLS LAST, year`,
      ),
    ).toEqual([
      { district_code: '320505', district_text: '虎丘区', year: 2025, target_units: 100, target_persons: 100, target_coverage: 0.5, target_collection: 10000 },
      { district_code: '320505', district_text: '虎丘区', year: 2026, target_units: 4, target_persons: 20, target_coverage: 0.8, target_collection: 5000 },
      { district_code: '320506', district_text: '320506', year: 2026, target_units: 1, target_persons: null, target_coverage: 0.5, target_collection: null },
      { district_code: '320507', district_text: '相城', year: 2026, target_units: 2, target_persons: 20, target_coverage: 1, target_collection: 2000 },
      { district_code: null, district_text: '火星区', year: 2026, target_units: 1, target_persons: 1, target_coverage: 0.9, target_collection: 10000 },
    ]);
  });

  it('run 1 (2026-10-31): actuals, completions, the mean of the targets given and the ranks, as computed by hand', async () => {
    const run1 = t.runs[0]?.runId as string;
    expect(await progress(t.database, run1)).toEqual([
      // 虎丘: 2 of 3 insured (A3 not), 10 + 5 persons, paid 1000 + 1000 + 500; (0.5 + 0.75 + (2/3)/0.8 + 0.5) / 4
      {
        district_code: '320505',
        district_name: '虎丘区',
        should_enroll: 3,
        insured_units: 2,
        insured_persons: 15,
        coverage_rate: r9(2 / 3),
        collected: 2500,
        target_units: 4,
        target_persons: 20,
        target_coverage: 0.8,
        target_collection: 5000,
        cu: 0.5,
        cp: 0.75,
        cc: r9(2 / 3 / 0.8),
        ccol: 0.5,
        targets_given: 4,
        completion: r9((0.5 + 0.75 + 2 / 3 / 0.8 + 0.5) / 4),
        rank: 3,
      },
      // 吴中: two targets given (units 1/1, coverage 0.5/0.5): 100%
      {
        district_code: '320506',
        district_name: '吴中区',
        should_enroll: 2,
        insured_units: 1,
        insured_persons: 20,
        coverage_rate: 0.5,
        collected: 3000,
        target_units: 1,
        target_persons: null,
        target_coverage: 0.5,
        target_collection: null,
        cu: 1,
        cp: null,
        cc: 1,
        ccol: null,
        targets_given: 2,
        completion: 1,
        rank: 1,
      },
      // 相城: the 999 paid for 2025-12 is not this year's collection
      {
        district_code: '320507',
        district_name: '相城区',
        should_enroll: 2,
        insured_units: 2,
        insured_persons: 10,
        coverage_rate: 1,
        collected: 1000,
        target_units: 2,
        target_persons: 20,
        target_coverage: 1,
        target_collection: 2000,
        cu: 1,
        cp: 0.5,
        cc: 1,
        ccol: 0.5,
        targets_given: 4,
        completion: 0.75,
        rank: 2,
      },
      // 姑苏: no target, not ranked
      {
        district_code: '320508',
        district_name: '姑苏区',
        should_enroll: 1,
        insured_units: 1,
        insured_persons: 8,
        coverage_rate: 1,
        collected: 800,
        target_units: null,
        target_persons: null,
        target_coverage: null,
        target_collection: null,
        cu: null,
        cp: null,
        cc: null,
        ccol: null,
        targets_given: 0,
        completion: null,
        rank: null,
      },
      // The city: actuals of all four districts against the sum of the districts' targets; the
      // coverage target weighted by should-be-insured employers: (0.8*3 + 0.5*2 + 1*2) / 7.
      {
        district_code: null,
        district_name: '全市合计',
        should_enroll: 8,
        insured_units: 6,
        insured_persons: 53,
        coverage_rate: 0.75,
        collected: 7300,
        target_units: 7,
        target_persons: 40,
        target_coverage: r9(5.4 / 7),
        target_collection: 7000,
        cu: r9(6 / 7),
        cp: r9(53 / 40),
        cc: r9(0.75 / (5.4 / 7)),
        ccol: r9(7300 / 7000),
        targets_given: 4,
        completion: CITY1,
        rank: null,
      },
    ]);
  });

  it('run 2 (2026-11-30): A3 enrolled; ranks move; the changes compare with the last run of October', async () => {
    const [run1, run2] = t.runs.map((r) => r.runId);
    const found = await withPublished(t.database, async (db) => {
      await db.run(`SET VARIABLE ledger_run = '${run2}'`);
      return rows(
        db,
        `SELECT district_name, rank, round(completion, 9) AS completion, prev_run_id, prev_rank, rank_change, round(completion_change, 9) AS completion_change,
                insured_units_change, insured_persons_change, CAST(collected_change AS DOUBLE) AS collected_change
         FROM ledger_targets`,
      );
    });
    expect(found).toEqual([
      // 吴中 1.0 -> 1.0; collected 3000 -> 6000
      {
        district_name: '吴中区',
        rank: 1,
        completion: 1,
        prev_run_id: run1,
        prev_rank: 1,
        rank_change: 0,
        completion_change: 0,
        insured_units_change: 0,
        insured_persons_change: 0,
        collected_change: 3000,
      },
      // 虎丘: (3/4 + 18/20 + 1/0.8 + 4300/5000) / 4 = 0.94, up from 3rd to 2nd
      {
        district_name: '虎丘区',
        rank: 2,
        completion: 0.94,
        prev_run_id: run1,
        prev_rank: 3,
        rank_change: 1,
        completion_change: r9(0.94 - (0.5 + 0.75 + 2 / 3 / 0.8 + 0.5) / 4),
        insured_units_change: 1,
        insured_persons_change: 3,
        collected_change: 1800,
      },
      // 相城: (1 + 0.5 + 1 + 2000/2000) / 4 = 0.875, down from 2nd to 3rd
      {
        district_name: '相城区',
        rank: 3,
        completion: 0.875,
        prev_run_id: run1,
        prev_rank: 2,
        rank_change: -1,
        completion_change: 0.125,
        insured_units_change: 0,
        insured_persons_change: 0,
        collected_change: 1000,
      },
      {
        district_name: '姑苏区',
        rank: null,
        completion: null,
        prev_run_id: run1,
        prev_rank: null,
        rank_change: null,
        completion_change: null,
        insured_units_change: 0,
        insured_persons_change: 0,
        collected_change: 800,
      },
      {
        district_name: '全市合计',
        rank: null,
        completion: CITY2,
        prev_run_id: run1,
        prev_rank: null,
        rank_change: null,
        completion_change: r9(city2 - city1),
        insured_units_change: 1,
        insured_persons_change: 3,
        collected_change: 6600,
      },
    ]);
    // Run 1 had no October-before-it: no change.
    const first = await withPublished(t.database, async (db) => {
      await db.run(`SET VARIABLE ledger_run = '${run1}'`);
      return rows(db, `SELECT count(*) AS n, count(prev_run_id) AS with_prev FROM ledger_targets`);
    });
    expect(first).toEqual([{ n: 5, with_prev: 0 }]);
  });

  it('campaign_monthly keeps the last run of each month with its change against the month before', async () => {
    expect(
      await query(
        t.database,
        `SELECT strftime(month, '%Y-%m') AS m, district_name, rank, rank_change FROM campaign_monthly WHERE district_code IS NOT NULL ORDER BY month, district_code`,
      ),
    ).toEqual([
      { m: '2026-10', district_name: '虎丘区', rank: 3, rank_change: null },
      { m: '2026-10', district_name: '吴中区', rank: 1, rank_change: null },
      { m: '2026-10', district_name: '相城区', rank: 2, rank_change: null },
      { m: '2026-10', district_name: '姑苏区', rank: null, rank_change: null },
      { m: '2026-11', district_name: '虎丘区', rank: 2, rank_change: 1 },
      { m: '2026-11', district_name: '吴中区', rank: 1, rank_change: 0 },
      { m: '2026-11', district_name: '相城区', rank: 3, rank_change: -1 },
      { m: '2026-11', district_name: '姑苏区', rank: null, rank_change: null },
    ]);
  });

  it('the ledger has a 目标完成情况 sheet: ranked rows, the city row, rank moves and the unrecognised 区县', async () => {
    expect(LEDGER_SHEETS).toContain('目标完成情况');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(t.runs[1]?.outputDir as string, 'ledger.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual([...LEDGER_SHEETS]);
    const ws = wb.getWorksheet('目标完成情况') as ExcelJS.Worksheet;
    expect(String(ws.getCell('A1').value)).toBe('目标完成情况');
    expect(String(ws.getCell('B1').value)).toContain('较上月：与 2026-10-31 比较');
    const header = (ws.getRow(2).values as unknown[]).slice(1);
    expect(header.slice(0, 5)).toEqual(['区县', '排名', '排名\n变化', '综合\n完成率', '较上月\n(百分点)']);
    const table = [3, 4, 5, 6, 7].map((r) => (ws.getRow(r).values as unknown[]).slice(1, 5));
    expect(table).toEqual([
      ['吴中区', 1, '持平', 1],
      ['虎丘区', 2, '↑1', 0.94],
      ['相城区', 3, '↓1', 0.875],
      ['姑苏区', undefined, undefined, undefined],
      ['全市合计', undefined, undefined, expect.closeTo(CITY2, 9)],
    ]);
    const texts: string[] = [];
    ws.eachRow((row) => row.eachCell((c) => void (typeof c.value === 'string' && texts.push(c.value))));
    expect(texts).toContain('火星区');
    // No cell of the sheet is a formula.
    ws.eachRow((row) => row.eachCell((c) => expect(c.formula).toBeUndefined()));
  });
});

describe('targets: deliveries', () => {
  it("a new year's file stands beside this year's; a second file of the same year replaces it", async () => {
    const dir = tempDir('recon-targets-load-');
    const header = '区县,年度,参保单位目标,参保率目标';
    await withDb(async (db) => {
      const a = await load(db, writeText(dir, '目标任务_2026.csv', `${header}\n姑苏区,2026,10,90%\n虎丘区,2026,8,88%\n`));
      expect(a).toMatchObject({ status: 'loaded', kind: 'targets', rowsLoaded: 2, rowsRejected: 0 });
      const b = await load(db, writeText(dir, '目标任务_2027.csv', `${header}\n姑苏区,2027,12,92%\n虎丘区,2027,9,90%\n`), { defaultAsOf: '2026-12-20' });
      expect(b).toMatchObject({ status: 'loaded', kind: 'targets' });
      const c = await load(db, writeText(dir, '目标任务_2026_调整.csv', `${header}\n姑苏区,2026,11,90%\n虎丘区,2026,7,88%\n`), { defaultAsOf: '2026-12-21' });
      expect(c).toMatchObject({ status: 'loaded', kind: 'targets' });
      expect(await rows(db, `SELECT district, year, target_units, target_coverage FROM targets_current ORDER BY year, district`)).toEqual([
        { district: '姑苏区', year: 2026, target_units: 11, target_coverage: '90%' },
        { district: '虎丘区', year: 2026, target_units: 7, target_coverage: '88%' },
        { district: '姑苏区', year: 2027, target_units: 12, target_coverage: '92%' },
        { district: '虎丘区', year: 2027, target_units: 9, target_coverage: '90%' },
      ]);
    });
  });
});

describe('targets: without a targets file', () => {
  it('the 目标完成情况 sheet says so in one line, and district_progress still keeps the actuals', async () => {
    const t = await runTwoMonths({ targets: false, only: 'first' });
    const run = t.runs[0];
    expect(run?.status).toBe('succeeded');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(run?.outputDir as string, 'ledger.xlsx'));
    const ws = wb.getWorksheet('目标完成情况') as ExcelJS.Worksheet;
    // Its title and the one line, no header row of empty columns.
    expect(ws.rowCount).toBe(2);
    expect(String(ws.getCell('A2').value)).toMatch(/^未载入 2026 年度目标任务/);
    expect(await query(t.database, `SELECT district_name, insured_units, completion, rank FROM district_progress ORDER BY district_code NULLS LAST`)).toEqual([
      { district_name: '虎丘区', insured_units: 2, completion: null, rank: null },
      { district_name: '吴中区', insured_units: 1, completion: null, rank: null },
      { district_name: '相城区', insured_units: 2, completion: null, rank: null },
      { district_name: '姑苏区', insured_units: 1, completion: null, rank: null },
      { district_name: '全市合计', insured_units: 6, completion: null, rank: null },
    ]);
  }, 60_000);
});

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('targets: the generator writes 目标任务_2026.csv and the pipeline measures the districts against it', () => {
  it('leaves the other files byte-identical, and every completion is actual / target of the file', async () => {
    const dir = tempDir('recon-gen-targets-');
    const plain = await generateInbox({ employers: 150, seed: 11, out: path.join(dir, 'a', 'inbox') });
    const withTargets = await generateInbox({ employers: 150, seed: 11, out: path.join(dir, 'b', 'inbox'), targets: true });
    expect(withTargets.files.map((f) => f.file)).toEqual([...plain.files.map((f) => f.file), '目标任务_2026.csv']);
    for (const f of plain.files) expect(sha(path.join(dir, 'b', 'inbox', f.file)), f.file).toBe(sha(path.join(dir, 'a', 'inbox', f.file)));
    for (const f of ['employers.csv', 'links.csv', 'findings.csv', 'expected_rejects.csv'])
      expect(sha(path.join(dir, 'b', 'truth', f)), f).toBe(sha(path.join(dir, 'a', 'truth', f)));

    const file = path.join(dir, 'b', 'pipeline.yaml');
    fs.writeFileSync(
      file,
      `name: gen\ninbox: inbox\ndatabase: data/recon.duckdb\noutput: reports\nlocal_params: ${PARAMS}\nas_of: 2026-10-31\naudit: { rejects_warn: 0.2, rejects_fail: 0.5 }\n`,
    );
    const result = await runPipeline(loadPipeline(file), { logger: silentLogger() });
    const database = path.join(dir, 'b', 'data', 'recon.duckdb');
    // The file as written: 区县 (one by code), 参保单位目标, 参保人数目标, 参保率目标 (as 9x%), 征缴目标（万元）.
    const lines = fs
      .readFileSync(path.join(dir, 'b', 'inbox', '目标任务_2026.csv'), 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
      .slice(2);
    const targets = lines.map((l) => l.split(','));
    expect(targets.length).toBe(withTargets.files.at(-1)?.rows);
    const got = await query(
      database,
      `SELECT p.district_code, p.district_name, p.insured_units, p.insured_persons, p.target_units, p.target_persons, p.completion_units, p.completion_persons, p.completion, p.rank,
              d.enrolled, d.coverage_rate
       FROM district_progress p JOIN ledger_district d ON d.district_code = p.district_code
       WHERE p.run_id = $1 AND p.target_units IS NOT NULL ORDER BY p.rank`,
      [result.runId],
    );
    // Every row of the file is recognised (names and the one code).
    expect(got.length).toBe(targets.length);
    for (const row of got) {
      const line = targets.find((x) => x[0] === row['district_code'] || x[0] === row['district_name']);
      expect(line, String(row['district_name'])).toBeDefined();
      // Insured units are the 汇总 sheet's enrolled employers of the district.
      expect(row['insured_units']).toBe(row['enrolled']);
      expect(row['target_units']).toBe(Number(line?.[2]));
      expect(row['completion_units']).toBeCloseTo(Number(row['insured_units']) / Number(line?.[2]), 9);
      expect(row['completion_persons']).toBeCloseTo(Number(row['insured_persons']) / Number(line?.[3]), 9);
    }
    // Ranks 1..n in order of completion.
    expect(got.map((r) => r['rank'])).toEqual(got.map((_, i) => i + 1));
    const completions = got.map((r) => Number(r['completion']));
    expect([...completions].sort((a, b) => b - a)).toEqual(completions);
  }, 120_000);
});
