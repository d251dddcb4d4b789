import fs from 'node:fs';
import os from 'node:os';
import { LockError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

interface LockInfo {
  pid: number;
  host: string;
  runId: string;
  command: string;
  startedAt: string;
}

export interface Lock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the write lock of a database (`<db>.lock`, created exclusively). A lock whose process
 * is gone (a run killed with SIGKILL) is stale and taken over; a live one is a LockError.
 */
export function acquireLock(database: string, runId: string, command: string, logger: Logger): Lock {
  const file = `${database}.lock`;
  const info: LockInfo = { pid: process.pid, host: os.hostname(), runId, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(info), { flag: 'wx' });
      return {
        release: () => {
          try {
            const held = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
            if (held.pid === process.pid && held.runId === runId) fs.rmSync(file, { force: true });
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let held: LockInfo | undefined;
    try {
      held = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    } catch {
      held = undefined; // unreadable or half-written: treat as stale
    }
    if (held && held.host === os.hostname() && alive(held.pid)) {
      throw new LockError(
        `The database "${database}" is in use by "recon ${held.command}" (run ${held.runId}, pid ${held.pid}, started ${held.startedAt}). Wait for it to finish, or stop it; the lock file is ${file}.`,
        { holder: held },
      );
    }
    logger.warn({ lock: file, holder: held }, 'taking over a stale lock left by a run that no longer exists');
    fs.rmSync(file, { force: true });
  }
  throw new LockError(`Could not take the lock ${file}; another run took it at the same moment. Try again.`);
}
