import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { tempDir, writeText, rows } from '../helpers.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { acquireLock } from '../../src/pipeline/lock.ts';
import { Db } from '../../src/db/database.ts';
import { ConfigError, LockError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';

const PARAMS = path.resolve('pipelines/local-params.yaml');

const REGISTRATION = [
  '统一社会信用代码,企业名称,成立日期,登记状态',
  '91110000100006485K,北京甲有限公司,2020-01-05,存续',
  '9144030010001686XA,深圳乙有限公司,2021/3/1,在业',
  '911000001000013428,丙股份有限公司,20190101,存续',
  ',缺代码有限公司,2020-01-01,存续',
].join('\n');

function setup(): { dir: string; pipelineFile: string; inbox: string } {
  const dir = tempDir();
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  writeText(inbox, '市场监管_20261031.csv', REGISTRATION, 'gbk');
  writeText(
    inbox,
    '社保参保_20261031.csv',
    '单位编号\t单位名称\t险种\t参保状态\n000123\t北京甲有限公司\t110\t1\n000124\t深圳乙有限公司\t养老\t参保缴费\n',
    'utf-8-bom',
  );
  const pipelineFile = path.join(dir, 'nightly.yaml');
  fs.writeFileSync(
    pipelineFile,
    `inbox: inbox\ndatabase: data/recon.duckdb\noutput: reports\nlocal_params: ${PARAMS}\naudit: { rejects_warn: 0.3, rejects_fail: 0.5 }\n`,
  );
  return { dir, pipelineFile, inbox };
}

function hash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function query(database: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const db = await Db.open(database, { readOnly: true });
  try {
    return await rows(db, sql);
  } finally {
    db.close();
  }
}

describe('recon run', () => {
  it('ingests the inbox, publishes the database, records the run and points latest at it', async () => {
    const { dir, pipelineFile } = setup();
    const pipeline = loadPipeline(pipelineFile);
    const result = await runPipeline(pipeline, { logger: silentLogger() });
    expect(result.status).toBe('succeeded');
    expect(result.asOf).toBe('2026-10-31'); // the latest snapshot date, from the file names
    expect(result.ingest?.byKind.registration).toEqual({ files: 1, rowsLoaded: 3, rowsRejected: 1 });
    expect(result.ingest?.byKind.si_enrollment).toEqual({ files: 1, rowsLoaded: 2, rowsRejected: 0 });
    const latest = fs.realpathSync(path.join(dir, 'reports', 'latest'));
    expect(latest).toBe(fs.realpathSync(result.outputDir));
    const runJson = JSON.parse(fs.readFileSync(path.join(latest, 'run.json'), 'utf8'));
    expect(runJson.status).toBe('succeeded');
    expect(runJson.inputs).toHaveLength(2);
    expect(runJson.pipeline.sha256).toMatch(/^[0-9a-f]{64}$/);
    const database = path.join(dir, 'data', 'recon.duckdb');
    expect(await query(database, 'SELECT count(*) AS n FROM registration_current')).toEqual([{ n: 3 }]);
    expect(await query(database, `SELECT unit_id, insurance_code, status_class FROM si_enrollment ORDER BY unit_id`)).toEqual([
      { unit_id: '000123', insurance_code: '110', status_class: 'active' },
      { unit_id: '000124', insurance_code: '110', status_class: 'active' },
    ]);
    expect(await query(database, `SELECT run_id, status, files_loaded, rows_rejected FROM runs`)).toEqual([
      { run_id: result.runId, status: 'succeeded', files_loaded: 2, rows_rejected: 1 },
    ]);
    expect(await query(database, `SELECT line, column_name, reason FROM rejects`)).toEqual([
      { line: 5, column_name: 'uscc', reason: 'missing required value' },
    ]);
    // No staging copy is left beside the published file.
    expect(fs.readdirSync(path.join(dir, 'data')).filter((f) => f.includes('staging'))).toEqual([]);
  });

  it('a second run over the same inbox loads nothing twice and keeps the data', async () => {
    const { dir, pipelineFile } = setup();
    const pipeline = loadPipeline(pipelineFile);
    const first = await runPipeline(pipeline, { logger: silentLogger() });
    const second = await runPipeline(pipeline, { logger: silentLogger() });
    expect(second.ingest?.duplicates).toBe(2);
    expect(second.ingest?.loaded).toBe(0);
    const database = path.join(dir, 'data', 'recon.duckdb');
    expect(await query(database, 'SELECT count(*) AS n FROM registration')).toEqual([{ n: 3 }]);
    expect(await query(database, 'SELECT count(*) AS n FROM runs')).toEqual([{ n: 2 }]);
    expect(fs.realpathSync(path.join(dir, 'reports', 'latest'))).toBe(fs.realpathSync(second.outputDir));
    expect(fs.existsSync(first.outputDir)).toBe(true);
  });

  it('a failing run leaves the published database, the run folders and latest exactly as they were', async () => {
    const { dir, pipelineFile, inbox } = setup();
    const pipeline = loadPipeline(pipelineFile);
    const good = await runPipeline(pipeline, { logger: silentLogger() });
    const database = path.join(dir, 'data', 'recon.duckdb');
    const before = hash(database);
    // A new export arrives, but the local parameters file is now broken: the run must fail.
    writeText(inbox, '市场监管_20261130.csv', REGISTRATION.replace('北京甲', '北京丁'));
    const badParams = path.join(dir, 'bad-params.yaml');
    fs.writeFileSync(badParams, 'periods: [{ valid_from: nonsense }]\n');
    await expect(runPipeline({ ...pipeline, localParams: badParams }, { logger: silentLogger() })).rejects.toBeInstanceOf(ConfigError);
    expect(hash(database)).toBe(before);
    expect(fs.realpathSync(path.join(dir, 'reports', 'latest'))).toBe(fs.realpathSync(good.outputDir));
    const runs = fs.readdirSync(path.join(dir, 'reports', 'runs'));
    expect(runs.filter((r) => r.endsWith('.failed'))).toHaveLength(1);
    expect(runs.filter((r) => r.startsWith('.'))).toEqual([]);
    const failed = runs.find((r) => r.endsWith('.failed')) as string;
    const runJson = JSON.parse(fs.readFileSync(path.join(dir, 'reports', 'runs', failed, 'run.json'), 'utf8'));
    expect(runJson.status).toBe('failed');
    expect(runJson.error).toContain('bad-params.yaml');
    expect(fs.readdirSync(path.join(dir, 'data')).filter((f) => f.includes('staging'))).toEqual([]);
  });
});

describe('the database lock', () => {
  it('refuses a second writer while the first holds the lock, and releases it', () => {
    const dir = tempDir();
    const database = path.join(dir, 'recon.duckdb');
    const lock = acquireLock(database, 'run-a', 'run', silentLogger());
    expect(() => acquireLock(database, 'run-b', 'run', silentLogger())).toThrow(LockError);
    expect(() => acquireLock(database, 'run-b', 'run', silentLogger())).toThrow(/in use by "recon run" \(run run-a,/);
    lock.release();
    acquireLock(database, 'run-c', 'run', silentLogger()).release();
  });

  it('takes over a stale lock left by a process that no longer exists', () => {
    const dir = tempDir();
    const database = path.join(dir, 'recon.duckdb');
    fs.writeFileSync(`${database}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), runId: 'dead', command: 'run', startedAt: '2026-01-01' }));
    const lock = acquireLock(database, 'run-new', 'run', silentLogger());
    expect(JSON.parse(fs.readFileSync(`${database}.lock`, 'utf8')).runId).toBe('run-new');
    lock.release();
    expect(fs.existsSync(`${database}.lock`)).toBe(false);
  });
});
