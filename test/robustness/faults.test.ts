import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { workdir, FIXTURE_INBOX, type Workdir } from '../e2e/support.ts';
import { writeText } from '../helpers.ts';
import { BIN, findingsOf, recon } from './support.ts';

/**
 * Faults across a run: SIGKILL inside long stages and at the publish steps, and a full disk
 * (injected at the file layer by enospc-preload.mjs, at named points by RECON_FAULT, and for
 * DuckDB's own writes by a file-size limit: `ulimit -f`). After each fault the published
 * database, `latest` and the run folders are as they were; a new run then recovers and
 * publishes exactly what an uninterrupted run publishes.
 */
const PRELOAD = path.resolve('test/robustness/enospc-preload.mjs');

interface Fault {
  name: string;
  /** Kill when the run's log shows this. */
  marker?: string;
  env?: Record<string, string>;
  /** Load enospc-preload.mjs (file-layer ENOSPC). */
  preload?: boolean;
  /** Limit the size of any file the run writes to the published database's size + this many KB. */
  fileLimitKb?: number;
  /** What the run's stderr says. */
  says?: RegExp;
}

function hash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The published state no failed or killed run may touch. */
function published(w: Workdir): { db: string; latest: string; runs: string[]; staging: string[]; lock: boolean } {
  return {
    db: hash(w.database),
    latest: fs.realpathSync(path.join(w.output, 'latest')),
    runs: fs
      .readdirSync(path.join(w.output, 'runs'))
      .filter((r) => !r.startsWith('.') && !r.endsWith('.failed'))
      .sort(),
    staging: fs.readdirSync(path.dirname(w.database)).filter((f) => f.includes('staging')),
    lock: fs.existsSync(`${w.database}.lock`),
  };
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs the pipeline with one fault; returns the exit code (null: killed) and stderr. */
async function faulted(w: Workdir, fault: Fault): Promise<{ code: number | null; stderr: string }> {
  const runsDir = path.join(w.output, 'runs');
  const earlier = new Set(fs.readdirSync(runsDir));
  const node = [...(fault.preload ? ['--import', PRELOAD] : []), BIN, 'run', w.pipelineFile];
  const env = { ...process.env, CI: 'true', ...(fault.env ?? {}) };
  const child =
    fault.fileLimitKb !== undefined
      ? // A size limit on every file written; SIGXFSZ ignored, so writes past it fail with EFBIG.
        spawn(
          'bash',
          ['-c', `trap '' XFSZ; ulimit -f ${Math.ceil(fs.statSync(w.database).size / 1024) + fault.fileLimitKb}; exec node "$@"`, 'bash', ...node],
          { env, stdio: ['ignore', 'ignore', 'pipe'] },
        )
      : spawn('node', node, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  if (fault.marker) {
    const marker = fault.marker;
    const log = (): string => {
      const partial = fs
        .readdirSync(runsDir)
        .filter((d) => d.endsWith('.partial') && !earlier.has(d))
        .pop();
      const file = partial ? path.join(runsDir, partial, 'run.log') : '';
      return file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    };
    await Promise.race([waitFor(() => log().includes(marker), 60_000), exited]);
    child.kill('SIGKILL');
  }
  return { code: await exited, stderr };
}

/** A new delivery: the registry again with one company renamed (a real change to load). */
function deliver(w: Workdir, month: string, from: string, to: string): void {
  const source = fs.readFileSync(path.join(FIXTURE_INBOX, '市场监管_企业登记信息_20261031.csv'), 'utf8');
  writeText(w.inbox, `市场监管_企业登记信息_2026${month}.csv`, source.replace(from, to));
}

const KILLS: Fault[] = [
  { name: 'SIGKILL amid ingest (the new registry file loaded, in its own transaction)', marker: 'loaded registration' },
  { name: 'SIGKILL amid linking (employers linked, cases not yet)', marker: '"msg":"link: ' },
  { name: 'SIGKILL amid publishing (worklists written, ledger not)', marker: '"msg":"worklists:' },
  { name: 'SIGKILL amid publishing (ledger written)', marker: '"msg":"ledger:' },
  { name: 'SIGKILL before the staging database is checkpointed', env: { RECON_FAULT: 'kill:publish.checkpoint' } },
  { name: 'SIGKILL before the staging database replaces the published one', env: { RECON_FAULT: 'kill:publish.rename' } },
];

const DISK_FULL: Fault[] = [
  { name: 'disk full copying the published database to staging', preload: true, env: { RECON_TEST_ENOSPC: '\\.duckdb\\.staging-' }, says: /ENOSPC.*copyfile/ },
  { name: 'disk full writing a file’s rows into the database', env: { RECON_FAULT: 'enospc:ingest.write' }, says: /ENOSPC/ },
  { name: 'the database file cannot grow (DuckDB: File too large)', fileLimitKb: 256, says: /File too large/ },
  { name: 'disk full writing findings.csv', preload: true, env: { RECON_TEST_ENOSPC: 'findings\\.csv$' }, says: /ENOSPC/ },
  { name: 'disk full in the middle of a worklist', preload: true, env: { RECON_TEST_ENOSPC: '/worklists/', RECON_TEST_ENOSPC_AFTER: '2000' }, says: /ENOSPC/ },
  {
    name: 'disk full in the middle of the ledger',
    preload: true,
    env: { RECON_TEST_ENOSPC: 'ledger\\.xlsx', RECON_TEST_ENOSPC_AFTER: '2000' },
    says: /ENOSPC/,
  },
  { name: 'disk full writing run.json', preload: true, env: { RECON_TEST_ENOSPC: 'run\\.json$' }, says: /ENOSPC/ },
  { name: 'disk full writing the run log', preload: true, env: { RECON_TEST_ENOSPC: 'run\\.log$', RECON_TEST_ENOSPC_AFTER: '4000' }, says: /ENOSPC/ },
];

/**
 * `npm test` runs a quick set (one round, 5 faults + the kill after the database publish); with
 * RECON_ROBUSTNESS_FULL=1 every fault above runs, in two rounds (kills, then full disks).
 */
const FULL = process.env['RECON_ROBUSTNESS_FULL'] === '1';
const QUICK = ['amid ingest', 'replaces the published one', 'to staging', 'cannot grow', 'in the middle of a worklist'];
const ROUNDS: Array<readonly [number, Fault[], readonly [string, string, string]]> = FULL
  ? [
      [1, KILLS, ['1130', '苏州菊佳商贸有限公司', '苏州菊佳新商贸有限公司']],
      [2, DISK_FULL, ['1231', '苏州龙丰企业管理咨询有限责任公司', '苏州龙丰管理咨询有限责任公司']],
    ]
  : [[1, [...KILLS, ...DISK_FULL].filter((f) => QUICK.some((q) => f.name.includes(q))), ['1130', '苏州菊佳商贸有限公司', '苏州菊佳新商贸有限公司']]];

describe('faults across a run', () => {
  it(
    'kills and full disks leave the published state untouched, and the next run recovers with the findings of an uninterrupted run',
    async () => {
      const w = workdir({ source: FIXTURE_INBOX });
      expect((await recon(['run', w.pipelineFile])).code).toBe(0);
      // The reference: the same history, never interrupted (a copy of the folder, run on its own).
      const ref: Workdir = { ...w, dir: `${w.dir}-ref` };
      fs.cpSync(w.dir, ref.dir, { recursive: true, verbatimSymlinks: true });
      Object.assign(ref, {
        inbox: path.join(ref.dir, 'inbox'),
        pipelineFile: path.join(ref.dir, 'pipeline.yaml'),
        database: path.join(ref.dir, 'data', 'recon.duckdb'),
        output: path.join(ref.dir, 'reports'),
      });
      const tally = { faults: 0, recovered: 0 };

      for (const [round, faults, change] of ROUNDS) {
        deliver(w, change[0], change[1], change[2]);
        deliver(ref, change[0], change[1], change[2]);
        const clean = await recon(['run', ref.pipelineFile]);
        expect(clean.code, clean.stderr).toBe(0);
        const expected = findingsOf(fs.realpathSync(path.join(ref.output, 'latest')));
        const before = published(w);
        for (const fault of faults) {
          const r = await faulted(w, fault);
          tally.faults++;
          if (fault.marker || fault.env?.['RECON_FAULT']?.startsWith('kill')) expect(r.code, `${fault.name}: ${r.stderr}`).toBe(null);
          else {
            expect(r.code, `${fault.name}: ${r.stderr}`).toBe(1);
            expect(r.stderr, fault.name).toMatch(fault.says ?? /./);
          }
          // Killed runs may leave their staging copy and lock: only those, and the next run removes them.
          const after = published(w);
          expect({ ...after, staging: [], lock: false }, `round ${round}: ${fault.name}`).toEqual({ ...before, staging: [], lock: false });
          if (r.code !== null) expect(after, fault.name).toEqual(before);
        }
        const next = await recon(['run', w.pipelineFile]);
        expect(next.code, next.stderr).toBe(0);
        tally.recovered++;
        expect(findingsOf(fs.realpathSync(path.join(w.output, 'latest'))), `round ${round}`).toEqual(expected);
        expect(fs.readdirSync(path.dirname(w.database)).filter((f) => f.includes('staging'))).toEqual([]);
        expect(fs.existsSync(`${w.database}.lock`)).toBe(false);
        expect(fs.readdirSync(path.join(w.output, 'runs')).filter((d) => d.endsWith('.partial'))).toEqual([]);
        // Every faulted run is on record as failed.
        const failed = fs.readdirSync(path.join(w.output, 'runs')).filter((d) => d.endsWith('.failed'));
        expect(failed.length).toBe(tally.faults);
      }

      // Killed after the database was published but before its run folder and `latest`: the next
      // run finishes that publish (the database is the truth) instead of calling the run failed.
      const killed = await faulted(w, { name: 'after-db', env: { RECON_FAULT: 'kill:publish.after-db' } });
      tally.faults++;
      expect(killed.code).toBe(null);
      const partial = fs.readdirSync(path.join(w.output, 'runs')).find((d) => d.endsWith('.partial')) as string;
      const id = (/^\.(.+)\.partial$/.exec(partial) as RegExpExecArray)[1] as string;
      const next = await recon(['run', w.pipelineFile]);
      expect(next.code, next.stderr).toBe(0);
      tally.recovered++;
      expect(fs.existsSync(path.join(w.output, 'runs', id, 'findings.csv'))).toBe(true);
      expect(fs.existsSync(path.join(w.output, 'runs', `${id}.failed`))).toBe(false);
      const strip = (lines: string[]): string[] => lines.map((l) => JSON.stringify({ ...JSON.parse(l), case_state: undefined })).sort();
      const reference = findingsOf(fs.realpathSync(path.join(ref.output, 'latest')));
      expect(strip(findingsOf(path.join(w.output, 'runs', id)))).toEqual(strip(reference));
      expect(strip(findingsOf(fs.realpathSync(path.join(w.output, 'latest'))))).toEqual(strip(reference));
      process.stdout.write(`faults: ${tally.faults} injected, ${tally.recovered} recoveries\n`);
      expect(tally).toEqual({ faults: ROUNDS.reduce((n, r) => n + r[1].length, 0) + 1, recovered: ROUNDS.length + 1 });
    },
    FULL ? 600_000 : 300_000,
  );
});
