import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it, expect } from 'vitest';
import { workdir, FIXTURE_INBOX } from './support.ts';
import { tempDir, writeText } from '../helpers.ts';

const run = promisify(execFile);
const BIN = path.resolve('src/cli/bin.js');

function hash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function recon(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { env: { ...process.env, CI: 'true' }, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The published state a killed or failed run must not touch. */
function snapshot(w: ReturnType<typeof workdir>): { db: string; latest: string; runs: string[] } {
  return {
    db: hash(w.database),
    latest: fs.realpathSync(path.join(w.output, 'latest')),
    runs: fs
      .readdirSync(path.join(w.output, 'runs'))
      .filter((r) => !r.startsWith('.') && !r.endsWith('.failed'))
      .sort(),
  };
}

describe('nightly operation', () => {
  it('a run killed with SIGKILL at any point leaves the published state as it was, and the next run succeeds', async () => {
    const w = workdir({ source: FIXTURE_INBOX });
    expect((await recon(['run', w.pipelineFile])).code).toBe(0);
    const before = snapshot(w);
    // A new delivery arrives; kill the nightly early (ingest), later (rules/publish work) and late.
    writeText(
      w.inbox,
      '市场监管_企业登记信息_20261130.csv',
      fs.readFileSync(path.join(FIXTURE_INBOX, '市场监管_企业登记信息_20261031.csv'), 'utf8').replace('苏州菊佳商贸有限公司', '苏州菊佳新商贸有限公司'),
    );
    // Kill points from the run's own log: at the start of every stage, and amid loading.
    const markers = ['reference', 'ingest', 'link', 'feedback', 'rules', 'publish', 'audit'].map((s) => `"msg":"stage ${s} started"`);
    markers.splice(2, 0, 'loaded registration');
    const runsDir = path.join(w.output, 'runs');
    for (const marker of markers) {
      // Only this run's own folder counts: the one killed before may have logged a line more.
      const earlier = new Set(fs.readdirSync(runsDir));
      const child = spawn('node', [BIN, 'run', w.pipelineFile], { env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const log = (): string => {
        const partial = fs
          .readdirSync(runsDir)
          .filter((d) => d.endsWith('.partial') && !earlier.has(d))
          .sort()
          .pop();
        return partial && fs.existsSync(path.join(runsDir, partial, 'run.log')) ? fs.readFileSync(path.join(runsDir, partial, 'run.log'), 'utf8') : '';
      };
      await waitFor(() => log().includes(marker), 60_000);
      child.kill('SIGKILL');
      expect(await exited, marker).toBe(null);
      expect(snapshot(w), marker).toEqual(before);
    }
    // The stale lock and the staging copy of the killed run are cleaned up by the next run.
    const next = await recon(['run', w.pipelineFile]);
    expect(next.code).toBe(0);
    expect(fs.readdirSync(path.dirname(w.database)).filter((f) => f.includes('staging'))).toEqual([]);
    expect(fs.existsSync(`${w.database}.lock`)).toBe(false);
    expect(snapshot(w).latest).not.toBe(before.latest);
    // The killed runs' folders are marked failed, for recon runs.
    const failed = fs.readdirSync(path.join(w.output, 'runs')).filter((d) => d.endsWith('.failed'));
    expect(failed, fs.readdirSync(path.join(w.output, 'runs')).join(' ')).toHaveLength(markers.length);
    expect(fs.readdirSync(path.join(w.output, 'runs')).filter((d) => d.endsWith('.partial'))).toEqual([]);
  }, 300_000);

  it('a run that fails a threshold publishes nothing and exits 1', async () => {
    const w = workdir({ source: FIXTURE_INBOX, extra: 'audit: { rejects_warn: 0.001, rejects_fail: 0.01 }' });
    const first = await recon(['run', w.pipelineFile]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('failed its checks and published nothing');
    expect(fs.existsSync(w.database)).toBe(false);
    expect(fs.existsSync(path.join(w.output, 'latest'))).toBe(false);
    const runs = fs.readdirSync(path.join(w.output, 'runs'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/\.failed$/);
    const listed = await recon(['runs', '--pipeline', w.pipelineFile]);
    expect(listed.stdout).toContain('failed');
  }, 120_000);

  it('recon retry re-runs a failed run once its cause is fixed, at the as-of date the failed run would have had', async () => {
    const params = path.join(tempDir(), 'local-params.yaml');
    fs.writeFileSync(params, 'periods: [{ valid_from: nope }]\n');
    const w = workdir({ source: FIXTURE_INBOX });
    fs.writeFileSync(w.pipelineFile, fs.readFileSync(w.pipelineFile, 'utf8').replace(/local_params: .*\n/, `local_params: ${params}\n`));
    const failed = await recon(['run', w.pipelineFile]);
    expect(failed.code).toBe(2);
    fs.copyFileSync(path.resolve('pipelines/local-params.yaml'), params);
    const retried = await recon(['retry', '--pipeline', w.pipelineFile]);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toContain('Retrying');
    const listed = await recon(['runs', '--pipeline', w.pipelineFile]);
    const lines = listed.stdout.split('\n');
    expect(lines[2]).toMatch(/succeeded\s+2026-10-31/);
    expect(lines[3]).toMatch(/failed/);
  }, 120_000);

  it('recon query reads the published state while a run holds the database, and refuses anything but SELECT', async () => {
    const w = workdir({ source: FIXTURE_INBOX });
    expect((await recon(['run', w.pipelineFile])).code).toBe(0);
    const child = spawn('node', [BIN, 'run', w.pipelineFile], { env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await waitFor(() => fs.existsSync(`${w.database}.lock`), 20_000);
      const q = await recon(['query', 'SELECT count(*) AS n FROM findings_latest', '--pipeline', w.pipelineFile, '--format', 'csv']);
      expect(q.code).toBe(0);
      // 148 employer findings, 395 about people and 8 about building permits.
      expect(q.stdout).toBe('n\n551\n');
    } finally {
      await exited;
    }
    for (const sql of [
      'DELETE FROM findings',
      "COPY findings TO '/tmp/x.csv'",
      "ATTACH '/tmp/y.duckdb' AS y",
      'SELECT 1; DROP TABLE findings',
      'CREATE TABLE t AS SELECT 1',
    ]) {
      const r = await recon(['query', sql, '--pipeline', w.pipelineFile]);
      expect(r.code, sql).toBe(2);
      expect(r.stderr, sql).toMatch(/refused|exactly one statement/);
    }
    const count = await recon(['query', 'SELECT count(*) AS n FROM findings', '--pipeline', w.pipelineFile, '--format', 'jsonl']);
    // jsonl keeps the types: a count is a JSON number (two runs of 540 findings).
    expect(JSON.parse(count.stdout.trim())).toEqual({ n: 1102 });
  }, 180_000);
});
