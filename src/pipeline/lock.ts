import fs from 'node:fs';
import os from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import { LockError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/** What a lock file holds: who holds the database, and how to tell whether it still runs. */
export interface LockInfo {
  pid: number;
  host: string;
  runId: string;
  command: string;
  startedAt: string;
  /** The kernel's boot id: a lock written before the machine restarted is stale whatever its pid. */
  bootId?: string;
  /** The holder's start time (clock ticks after boot, /proc/<pid>/stat): tells a reused pid from the holder. */
  procStart?: string;
}

export interface Lock {
  release(): void;
  /** The stale lock this one replaced (a run that was killed), to log once the run's log exists. */
  readonly tookOver?: LockInfo | undefined;
}

/** A lock's content younger than this that cannot be parsed is still being written, not stale. */
const FRESH_MS = 10_000;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  return readText('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
function procStart(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownInfo(runId: string, command: string): LockInfo {
  const boot = bootId();
  const start = procStart(process.pid);
  return {
    pid: process.pid,
    host: os.hostname(),
    runId,
    command,
    startedAt: new Date().toISOString(),
    ...(boot ? { bootId: boot } : {}),
    ...(start ? { procStart: start } : {}),
  };
}

/** Whether the process a lock (or takeover file) names still runs: `other-host` when it cannot be told from here. */
function holderState(held: LockInfo): 'alive' | 'dead' | 'other-host' {
  if (held.host !== os.hostname()) return 'other-host';
  const boot = bootId();
  if (held.bootId && boot && held.bootId !== boot) return 'dead';
  if (!alive(held.pid)) return 'dead';
  if (held.procStart && procStart(held.pid) !== undefined && procStart(held.pid) !== held.procStart) return 'dead';
  return 'alive';
}

function parse(raw: string): LockInfo | undefined {
  try {
    const info = JSON.parse(raw) as LockInfo;
    return typeof info.pid === 'number' && typeof info.host === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

function tempName(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Creates `file` with `content` only if it does not exist, and never visible half-written: the
 * content goes to a temporary file first, which is hard-linked to the name (link(2) fails when
 * the name exists, atomically). Where hard links are not supported, an exclusive create.
 */
function createExclusive(file: string, content: string): boolean {
  const temp = tempName(file);
  fs.writeFileSync(temp, content, { flag: 'wx' });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  try {
    fs.writeFileSync(file, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Replaces `file` with `content` in one rename: readers see the old content or the new, whole. */
function replace(file: string, content: string): void {
  const temp = tempName(file);
  fs.writeFileSync(temp, content, { flag: 'wx' });
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Replaces the stale lock whose content is `stale` with `mine`, unless another process is
 * doing so or did. One winner, always: the takeover is guarded by a file of its own,
 * `<lock>.takeover-<hash of the stale content>-<n>`, created exclusively; its holder reads the
 * lock again and replaces it (one rename) only if it still holds the same stale content, then
 * removes the guard. A process that finds the guard held by a live process gives up; a guard
 * left by a process killed while holding it (for microseconds) is passed by taking the next `n`.
 * Nothing else changes a lock file that exists: creating needs it absent, releasing is its
 * live holder's, so no two processes can both see the stale content under a guard and replace it.
 */
function takeOver(file: string, stale: string, mine: string, guardContent: string): boolean {
  const tag = createHash('sha256').update(stale).digest('hex').slice(0, 16);
  const guards: string[] = [];
  for (let n = 1, tries = 0; n <= 64 && tries < 256; n++, tries++) {
    const guard = `${file}.takeover-${tag}-${n}`;
    guards.push(guard);
    if (!createExclusive(guard, guardContent)) {
      const raw = readText(guard);
      if (raw === undefined) {
        n--; // removed since: try the same one again
        guards.pop();
        continue;
      }
      const holder = parse(raw);
      if (holder && holderState(holder) !== 'dead') return false; // someone else is taking over
      continue; // its holder was killed holding it: the next one
    }
    try {
      if (readText(file) !== stale) return false; // taken over, released or replaced meanwhile
      replace(file, mine);
      return true;
    } finally {
      // Ours, and those of holders that were killed: nobody else can hold one of them now.
      for (const g of guards) fs.rmSync(g, { force: true });
    }
  }
  return false;
}

/**
 * Takes the write lock of a database (`<db>.lock`, created exclusively, never half-written).
 * A lock whose process is gone (a run killed with SIGKILL, or the machine restarted) is stale
 * and taken over by exactly one of the runs that find it (takeOver); a live one is a LockError.
 * A lock written on another host is never taken over: from here there is no telling whether
 * its run still goes (a LockError says which host and what to do).
 */
export function acquireLock(database: string, runId: string, command: string, logger?: Logger): Lock {
  const file = `${database}.lock`;
  const info = ownInfo(runId, command);
  const mine = JSON.stringify(info);
  const guardContent = JSON.stringify({ ...info, takeover: true });
  const lock = (tookOver?: LockInfo): Lock => ({
    tookOver,
    release: () => {
      // Only our own lock: read, compare, remove (nobody takes over a live holder's lock).
      if (readText(file) === mine) fs.rmSync(file, { force: true });
    },
  });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(file, mine)) return lock();
    const raw = readText(file);
    if (raw === undefined) continue; // released meanwhile: try again
    const held = parse(raw);
    if (!held) {
      let age = Number.POSITIVE_INFINITY;
      try {
        age = Date.now() - fs.statSync(file).mtimeMs;
      } catch {
        continue;
      }
      if (age < FRESH_MS) {
        throw new LockError(
          `The database "${database}" is being locked by another recon at this moment (${file} is new and still being written). Try again in a minute.`,
        );
      }
    } else {
      const state = holderState(held);
      if (state === 'other-host') {
        throw new LockError(
          `The database "${database}" is locked by "recon ${held.command}" (run ${held.runId}, pid ${held.pid}) on another host, "${held.host}", since ${held.startedAt}; recon cannot tell from here whether that run still goes. If no recon runs on ${held.host}, delete the lock file ${file} and run again; otherwise wait for it to finish.`,
          { holder: held },
        );
      }
      if (state === 'alive') {
        throw new LockError(
          `The database "${database}" is in use by "recon ${held.command}" (run ${held.runId}, pid ${held.pid}, started ${held.startedAt}). Wait for it to finish, or stop it; the lock file is ${file}.`,
          { holder: held },
        );
      }
    }
    if (takeOver(file, raw, mine, guardContent)) {
      logger?.warn({ lock: file, holder: held ?? null }, 'took over a stale lock left by a run that no longer exists');
      return lock(held ?? { pid: 0, host: '', runId: 'unknown', command: 'unknown', startedAt: '' });
    }
    // Another run took it over, or is doing so: look again (it is live now, so a LockError).
  }
  throw new LockError(`Could not take the lock ${file}: other runs are taking it at the same moment. Try again.`);
}
