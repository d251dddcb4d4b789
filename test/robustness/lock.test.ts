import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { acquireLock } from '../../src/pipeline/lock.ts';
import { LockError } from '../../src/core/errors.ts';

const RACER = path.resolve('test/robustness/lock-racer.mjs');
const LOCK_MODULE = process.env['RECON_LOCK_MODULE'] ?? path.resolve('src/pipeline/lock.ts');

/** The pid of a process that has ended (and so cannot hold anything). */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(child.stdout).trim());
}

function bootId(): string | undefined {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A lock as a run killed with SIGKILL leaves it: this host, this boot, a pid that no longer runs. */
function staleLock(database: string, runId = 'killed-run'): string {
  const content = JSON.stringify({ pid: deadPid(), host: os.hostname(), runId, command: 'run', startedAt: '2026-11-01T02:15:00.000Z', bootId: bootId() });
  fs.writeFileSync(`${database}.lock`, content);
  return content;
}

interface Report {
  round?: number;
  won?: boolean;
  error?: string;
  name?: string;
  done?: boolean;
  ready?: boolean;
}

/** Starts `racers` processes that race for a stale lock in each of `rounds` rounds; returns every report. */
async function race(racers: number, rounds: number): Promise<{ dir: string; reports: Report[][] }> {
  const dir = tempDir('recon-lock-');
  const databases = Array.from({ length: rounds }, (_, r) => {
    const database = path.join(dir, `round-${r}.duckdb`);
    staleLock(database);
    return database;
  });
  const planFile = path.join(dir, 'plan.json');
  fs.writeFileSync(planFile, JSON.stringify({ databases, spacing: 60 }));
  const children = Array.from({ length: racers }, (_, i) => spawn('node', [RACER, LOCK_MODULE, String(i), planFile], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const outputs = children.map((child) => {
    const lines: Report[] = [];
    let buffer = '';
    const seen = (check: (r: Report) => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const look = (): void => {
          if (lines.some(check)) resolve();
        };
        child.stdout.on('data', look);
        child.once('exit', (code) => reject(new Error(`racer exited early (${code}): ${buffer}`)));
        look();
      });
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const complete = buffer.split('\n');
      buffer = complete.pop() ?? '';
      for (const l of complete) if (l.trim()) lines.push(JSON.parse(l) as Report);
    });
    return { child, lines, seen };
  });
  // Every racer loaded: they all start at the same moment, 300 ms from now.
  await Promise.all(outputs.map((o) => o.seen((r) => r.ready === true)));
  const start = Date.now() + 300;
  for (const { child } of outputs) child.stdin.write(`${start}\n`);
  await Promise.all(outputs.map((o) => o.seen((r) => r.done === true)));
  // Every racer has tried every round, the winners still holding their locks: now let them go.
  for (const { child } of outputs) child.stdin.end();
  await Promise.all(outputs.map(({ child }) => new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)))));
  return { dir, reports: outputs.map((o) => o.lines.filter((l) => l.round !== undefined)) };
}

describe('the database lock against a stale lock', () => {
  it('exactly one of many runs started at once takes a stale lock over, in every round; the others get a LockError and nothing is left behind', async () => {
    const racers = 6;
    const rounds = 30;
    const { dir, reports } = await race(racers, rounds);
    for (let round = 0; round < rounds; round++) {
      const tries = reports.map((r) => r.find((x) => x.round === round));
      expect(tries.every((t) => t !== undefined)).toBe(true);
      const winners = tries.flatMap((t, i) => (t?.won ? [i] : []));
      expect(winners, `round ${round}: ${JSON.stringify(tries)}`).toHaveLength(1);
      for (const t of tries.filter((x) => !x?.won)) expect(t?.name, t?.error).toBe('LockError');
      // The lock is the winner's, whole.
      const held = JSON.parse(fs.readFileSync(path.join(dir, `round-${round}.duckdb.lock`), 'utf8')) as { runId: string };
      expect(held.runId).toBe(`racer-${winners[0]}-round-${round}`);
    }
    // No takeover guards or temporary files survive.
    expect(fs.readdirSync(dir).filter((f) => /\.lock\./.test(f))).toEqual([]);
  }, 60_000);
});

describe('the database lock', () => {
  it('never takes over a lock written by another host, and says which host and what to do', () => {
    const database = path.join(tempDir(), 'recon.duckdb');
    const theirs = JSON.stringify({ pid: deadPid(), host: 'recon-other-host', runId: 'their-run', command: 'run', startedAt: '2026-11-01T02:15:00.000Z' });
    fs.writeFileSync(`${database}.lock`, theirs);
    let error: unknown;
    try {
      acquireLock(database, 'mine', 'run');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LockError);
    expect(String((error as Error).message)).toContain('"recon-other-host"');
    expect(String((error as Error).message)).toContain(`delete the lock file ${database}.lock`);
    expect(fs.readFileSync(`${database}.lock`, 'utf8')).toBe(theirs);
  });

  it('takes over a lock written before the machine restarted, even when its pid runs again', () => {
    const database = path.join(tempDir(), 'recon.duckdb');
    // Our own pid is alive, but the lock names another boot: its process is gone.
    fs.writeFileSync(
      `${database}.lock`,
      JSON.stringify({ pid: process.pid, host: os.hostname(), runId: 'before-reboot', command: 'run', startedAt: '2026-11-01', bootId: 'another-boot' }),
    );
    if (!bootId()) return expect(() => acquireLock(database, 'mine', 'run')).toThrow(LockError); // no /proc: the pid decides
    const lock = acquireLock(database, 'mine', 'run');
    expect(lock.tookOver?.runId).toBe('before-reboot');
    lock.release();
    expect(fs.existsSync(`${database}.lock`)).toBe(false);
  });

  it('a lock being written this moment (no content yet) is not stale; an old unreadable one is', () => {
    const database = path.join(tempDir(), 'recon.duckdb');
    fs.writeFileSync(`${database}.lock`, '');
    expect(() => acquireLock(database, 'mine', 'run')).toThrow(/being locked by another recon at this moment/);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${database}.lock`, old, old);
    const lock = acquireLock(database, 'mine', 'run');
    expect(JSON.parse(fs.readFileSync(`${database}.lock`, 'utf8')).runId).toBe('mine');
    lock.release();
  });

  it('passes a takeover guard left by a process killed while it held it', () => {
    const database = path.join(tempDir(), 'recon.duckdb');
    const stale = staleLock(database);
    const tag = createHash('sha256').update(stale).digest('hex').slice(0, 16);
    fs.writeFileSync(`${database}.lock.takeover-${tag}-1`, JSON.stringify({ pid: deadPid(), host: os.hostname(), runId: 'x', command: 'run', startedAt: '' }));
    const lock = acquireLock(database, 'mine', 'run');
    expect(lock.tookOver?.runId).toBe('killed-run');
    expect(fs.readdirSync(path.dirname(database)).filter((f) => f.includes('takeover'))).toEqual([]);
    lock.release();
  });

  it('a live takeover guard (another run taking over right now) makes this run give up instead of racing it', () => {
    const database = path.join(tempDir(), 'recon.duckdb');
    const stale = staleLock(database);
    const tag = createHash('sha256').update(stale).digest('hex').slice(0, 16);
    fs.writeFileSync(
      `${database}.lock.takeover-${tag}-1`,
      JSON.stringify({ pid: process.pid, host: os.hostname(), runId: 'x', command: 'run', startedAt: '' }),
    );
    expect(() => acquireLock(database, 'mine', 'run')).toThrow(LockError);
    expect(fs.readFileSync(`${database}.lock`, 'utf8')).toBe(stale);
  });

  it('release removes only its own lock', () => {
    const database = path.join(tempDir(), 'recon.duckdb');
    const lock = acquireLock(database, 'mine', 'run');
    const other = JSON.stringify({ pid: process.pid, host: os.hostname(), runId: 'other', command: 'run', startedAt: '' });
    fs.writeFileSync(`${database}.lock`, other); // replaced behind its back (by hand)
    lock.release();
    expect(fs.readFileSync(`${database}.lock`, 'utf8')).toBe(other);
  });
});
