import fs from 'node:fs';
import path from 'node:path';
import { Db } from '../db/database.ts';
import { migrate } from '../db/schema.ts';
import type { Logger } from '../core/log.ts';
import { acquireLock, type Lock } from './lock.ts';
import { faultPoint } from '../core/fault.ts';

export interface WorkspaceOptions {
  database: string;
  runId: string;
  command: string;
  logger: Logger;
  settings?: Record<string, string>;
}

/**
 * Write-audit-publish for the database: a run works on a staging copy of the published file
 * and publishes it with one atomic rename. Readers keep reading the published file the whole
 * time (DuckDB locks a file against readers while a process writes it), and a run that fails
 * or is killed leaves the published file exactly as it was.
 */
export class Workspace {
  private constructor(
    readonly db: Db,
    readonly staging: string,
    readonly database: string,
    private readonly lock: Lock,
    private readonly logger: Logger,
  ) {}

  /** Takes the lock, copies the published database to staging and opens it. */
  static async open(options: WorkspaceOptions): Promise<Workspace> {
    fs.mkdirSync(path.dirname(options.database), { recursive: true });
    const lock = acquireLock(options.database, options.runId, options.command, options.logger);
    const staging = `${options.database}.staging-${options.runId}`;
    try {
      removeLeftovers(options.database, options.logger);
      faultPoint('open.copy');
      if (fs.existsSync(options.database)) fs.copyFileSync(options.database, staging);
      const db = await Db.open(staging, { logger: options.logger, ...(options.settings ? { settings: options.settings } : {}) });
      await migrate(db);
      return new Workspace(db, staging, options.database, lock, options.logger);
    } catch (error) {
      // A copy cut short by a full disk would keep the disk full: it goes before the lock.
      fs.rmSync(staging, { force: true });
      fs.rmSync(`${staging}.wal`, { force: true });
      lock.release();
      throw error;
    }
  }

  /** Checkpoints and closes staging, then renames it over the published database. */
  async publish(): Promise<void> {
    faultPoint('publish.checkpoint');
    await this.db.run('CHECKPOINT', undefined, { step: 'publish.checkpoint' });
    this.db.close();
    faultPoint('publish.rename');
    fs.renameSync(this.staging, this.database);
    faultPoint('publish.after-db');
    this.lock.release();
    this.logger.debug({ database: this.database }, 'database published');
  }

  /** Drops the staging copy; the published database is untouched. */
  abandon(): void {
    try {
      this.db.close();
    } catch {
      // Closing a connection that failed mid-statement may throw; the file is deleted anyway.
    }
    fs.rmSync(this.staging, { force: true });
    fs.rmSync(`${this.staging}.wal`, { force: true });
    this.lock.release();
  }
}

/** Staging copies left by killed runs (we hold the lock, so none of them is in use). */
function removeLeftovers(database: string, logger: Logger): void {
  const dir = path.dirname(database);
  const prefix = `${path.basename(database)}.staging-`;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    logger.warn({ file: name }, 'removing the staging copy of an interrupted run');
    fs.rmSync(path.join(dir, name), { force: true });
  }
}
