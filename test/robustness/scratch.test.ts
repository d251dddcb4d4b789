import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { workdir, FIXTURE_INBOX } from '../e2e/support.ts';
import { BIN, type Cli } from './support.ts';

/**
 * Temporary space: with /tmp full, every workbook was refused (the workbook reader spooled its
 * sheets to os.tmpdir()) and the night published findings built without them. Scratch files now
 * live in the run's folder under work_dir, what a killed run left there goes at the next start,
 * and a full work folder fails the run instead of refusing good files.
 */
const PRELOAD = path.resolve('test/robustness/enospc-preload.mjs');
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exec = promisify(execFile);

/** `recon run` with writes to files matching `full` failing with ENOSPC (enospc-preload.mjs). */
async function runWithFullDisk(pipelineFile: string, full: string): Promise<Cli> {
  try {
    const { stdout, stderr } = await exec('node', ['--import', PRELOAD, BIN, 'run', pipelineFile], {
      env: { ...process.env, CI: 'true', RECON_TEST_ENOSPC: full },
      maxBuffer: 1 << 26,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A scratch folder as a run of `database` leaves it when killed. */
function leftover(dir: string, database: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, '.recon-scratch.json'),
    JSON.stringify({ database, runId: path.basename(dir).slice('recon-'.length), pid: 1, command: 'run' }),
  );
}

describe('scratch space', () => {
  it('with /tmp full every workbook still loads; a killed run’s scratch of this database is removed at the start, nothing else', async () => {
    const w = workdir({ source: FIXTURE_INBOX });
    const work = path.join(path.dirname(w.database), 'work');
    const dead = path.join(work, 'recon-20261101-021500-000-dead');
    leftover(dead, w.database);
    fs.writeFileSync(path.join(dead, '20261101-021500-000-dead-1.csv'), Buffer.alloc(1 << 20));
    // A scratch folder of another database sharing the work folder, and things that are not ours.
    leftover(path.join(work, 'recon-20261101-021500-000-else'), path.join(w.dir, 'other.duckdb'));
    fs.mkdirSync(path.join(work, 'recon-notes'));
    fs.writeFileSync(path.join(work, 'recon-notes', 'keep.txt'), 'mine');
    fs.writeFileSync(path.join(work, 'notes.txt'), 'mine');

    const tmp = [...new Set([os.tmpdir(), fs.realpathSync(os.tmpdir())])].map((t) => `^${escapeRegExp(t)}/tmp-`).join('|');
    const r = await runWithFullDisk(w.pipelineFile, tmp);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(fs.readFileSync(path.join(w.output, 'latest', 'run.json'), 'utf8')) as { inputs: Array<{ file: string; status: string }> };
    const workbooks = fs.readdirSync(FIXTURE_INBOX).filter((f) => f.endsWith('.xlsx'));
    expect(workbooks.length).toBeGreaterThanOrEqual(4);
    expect(run.inputs.filter((i) => i.file.endsWith('.xlsx')).map((i) => i.status)).toEqual(workbooks.map(() => 'loaded'));
    // The killed run's folder is gone, and this run's own; the rest stays.
    expect(
      fs
        .readdirSync(work)
        .filter((f) => f !== 'spill')
        .sort(),
    ).toEqual(['notes.txt', 'recon-20261101-021500-000-else', 'recon-notes']);
    expect(fs.readFileSync(path.join(work, 'recon-notes', 'keep.txt'), 'utf8')).toBe('mine');
    const log = fs.readFileSync(path.join(w.output, 'latest', 'run.log'), 'utf8');
    expect(log).toContain('removing the scratch folder of an interrupted run');
  }, 90_000);

  it('a full work folder fails the run (exit 1, a one-line message, nothing published) instead of refusing good files', async () => {
    const w = workdir({ source: FIXTURE_INBOX });
    const r = await runWithFullDisk(w.pipelineFile, `/data/work/recon-[^/]+/[^./][^/]*$`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^recon: .*ENOSPC/m);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    expect(fs.existsSync(path.join(w.output, 'latest'))).toBe(false);
    expect(fs.existsSync(w.database)).toBe(false);
    expect(fs.readdirSync(path.join(w.output, 'runs')).filter((f) => f.endsWith('.failed'))).toHaveLength(1);
    expect(fs.existsSync(`${w.database}.lock`)).toBe(false);
    const work = path.join(path.dirname(w.database), 'work');
    expect(fs.readdirSync(work).filter((f) => f.startsWith('recon-'))).toEqual([]);
  }, 90_000);
});
