import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultMemoryLimit, loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { encodedCopy, personYardstick, stepTimes, yardstick } from '../../tools/bench/nightly.ts';
import { BUILTIN_RULES, PERSON_RULES } from '../../src/rules/catalog/index.ts';
import { generateInbox } from '../../tools/generator/generate.ts';
import { nightlyTable } from '../../tools/cli/bench.ts';
import { silentLogger } from '../../src/core/log.ts';
import { FIXTURE_INBOX, workdir, type Workdir } from '../e2e/support.ts';
import { tempDir, writeText } from '../helpers.ts';

describe('the nightly bench', () => {
  let work: Workdir;
  let result: RunResult;
  beforeAll(async () => {
    // The fixture with its people (generated when the committed fixture has none yet).
    let source = FIXTURE_INBOX;
    if (!fs.readdirSync(source).some((f) => f.includes('个税全员全额扣缴'))) {
      source = path.join(tempDir('recon-bench-gen-'), 'inbox');
      await generateInbox({ employers: 300, seed: 1, out: source, persons: true });
    }
    work = workdir({ source });
    // As the bench runs it with people: the run log at debug level times every statement.
    result = await runPipeline(loadPipeline(work.pipelineFile), { terminal: false });
  }, 180_000);

  it('records wall time and peak RSS per stage, publishing split into its parts, in run.json too', () => {
    for (const stage of ['open', 'ingest', 'link', 'rules', 'publish', 'publish.worklists', 'publish.ledger', 'commit']) {
      expect(result.timings[stage], stage).toBeGreaterThanOrEqual(0);
      expect(result.peakRssMb[stage], stage).toBeGreaterThan(50);
    }
    const json = JSON.parse(fs.readFileSync(path.join(result.outputDir, 'run.json'), 'utf8')) as { peak_rss_mb: Record<string, number> };
    expect(json.peak_rss_mb['ingest']).toBe(result.peakRssMb['ingest']);
  });

  const found = (person: boolean): number =>
    Object.entries(result.rules?.byRule ?? {})
      .filter(([id]) => (person ? PERSON_RULES : BUILTIN_RULES).some((r) => r.id === id))
      .reduce((n, [, v]) => n + v.found, 0);

  it('the plain SQL yardstick finds exactly the findings of the employer rules', async () => {
    const y = await yardstick(work.database, result.asOf, {});
    expect(found(false)).toBeGreaterThan(100);
    expect(y.findings).toBe(found(false));
    expect(y.script).toContain('CREATE OR REPLACE TABLE y_findings');
    expect(y.script).not.toMatch(/\$[a-z_]+/);
  });

  it('the person yardstick finds exactly the findings of the person rules, rule by rule, and the run log times the person statements', async () => {
    const y = await personYardstick(work.database, result.asOf, {});
    expect(found(true)).toBeGreaterThan(100);
    expect(y.findings).toBe(found(true));
    expect(Object.keys(y.byRule).sort()).toEqual(PERSON_RULES.map((r) => r.id).sort());
    expect(y.script).not.toMatch(/\$[a-z_]+/);
    expect(y.script).toContain('CREATE OR REPLACE TEMP TABLE y_person_uninsured');
    const steps = stepTimes(path.join(result.outputDir, 'run.log'));
    for (const s of ['rules.person.agent_rows', 'rules.person.jobs', 'rules.person.persons', 'rules.person_uninsured'])
      expect(steps[s], s).toBeGreaterThanOrEqual(0);
  });

  it('prints one line per stage and both ratios', () => {
    const text = nightlyTable({
      machine: { cpus: 2, memoryGb: 24, node: 'v20', duckdb: {} },
      inbox: 'inbox',
      inboxMb: 1,
      runs: 3,
      totalMs: 90_500,
      peakRssMb: 3000,
      stages: [{ stage: 'ingest', ms: 40_000, rows: 1000, rowsPerSecond: 25, peakRssMb: 1200 }],
      ingest: { reconMs: 40_000, bareReadCsvMs: 20_000, ratio: 2, gbkMs: 50_000, gbkRatio: 1.25 },
      rules: { reconMs: 15_000, yardstickMs: 10_000, ratio: 1.5, findings: 7, yardstickFindings: 7, yardstickFile: 'y.sql' },
      counts: { rowsLoaded: 1000, records: 10, employers: 5, findings: 7, worklistRows: 6, notices: 2 },
      perRun: [],
      persons: {
        rows: { iit_detail: 30_000_000, si_person: 11_000_000, resident_pension: 1_000_000, assistance: 150_000, persons: 3_000_000, wageEarners: 2_500_000 },
        iitIngest: { files: 2, rows: 30_000_000, reconMs: 60_000, bareReadCsvMs: 40_000, ratio: 1.5 },
        rules: {
          reconMs: 30_000,
          yardstickMs: 25_000,
          ratio: 1.2,
          findings: 9,
          yardstickFindings: 9,
          byRule: { facts: { recon: 20_000, yardstick: 18_000 } },
          yardstickFile: 'p.sql',
        },
      },
    });
    expect(text).toMatch(/^ingest\s+40\.0\s+1000\s+25\s+1200$/m);
    expect(text).toMatch(/^total\s+90\.5\s+3000$/m);
    expect(text).toContain('ratio 2x (target 1.3x); GBK inputs 50.0 s, 1.25x the UTF-8 ingest (target 2x)');
    expect(text).toContain('plain SQL yardstick 10.0 s, ratio 1.5x (target 1.5x); findings 7 vs yardstick 7');
    expect(text).toContain('wage earners; current rows iit_detail 30,000,000, si_person 11,000,000');
    expect(text).toContain('iit_detail ingest: recon 60.0 s for 30,000,000 rows in 2 file(s), bare read_csv 40.0 s, ratio 1.5x (target 2x)');
    expect(text).toContain('person rules: recon 30.0 s, plain SQL yardstick 25.0 s, ratio 1.2x (target 1.5x); findings 9 vs yardstick 9');
  });
});

describe('bench inputs and settings', () => {
  it('copies an inbox into one encoding: GBK files become UTF-8 and back, byte for byte the same text', async () => {
    const dir = tempDir();
    const inbox = path.join(dir, 'inbox');
    fs.mkdirSync(inbox);
    const text = '单位编号,单位名称\n0050000001,苏州菊佳商贸有限公司\n';
    writeText(inbox, 'a.csv', text, 'gbk');
    writeText(inbox, 'b.csv', text, 'utf-8');
    const utf = await encodedCopy(inbox, path.join(dir, 'utf8'), 'utf8', silentLogger());
    const gbk = await encodedCopy(inbox, path.join(dir, 'gbk'), 'gbk', silentLogger());
    for (const f of ['a.csv', 'b.csv']) {
      expect(fs.readFileSync(path.join(utf, f), 'utf8')).toBe(text);
      expect(iconv.decode(fs.readFileSync(path.join(gbk, f)), 'gbk')).toBe(text);
    }
    expect(fs.readFileSync(path.join(gbk, 'a.csv')).equals(fs.readFileSync(path.join(inbox, 'a.csv')))).toBe(true);
  });

  it('the default memory_limit: 3 GB, or half a smaller machine, at least 1 GB', () => {
    expect(defaultMemoryLimit(24 * 2 ** 30)).toBe('3GB');
    expect(defaultMemoryLimit(4 * 2 ** 30)).toBe('2GB');
    expect(defaultMemoryLimit(1 * 2 ** 30)).toBe('1GB');
  });
});
