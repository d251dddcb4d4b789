import fs from 'node:fs';
import path from 'node:path';
import { Db } from '../db/database.ts';
import { migrate } from '../db/schema/migrate.ts';
import { recordRunEnd, recordRunStart, type RunOutcome } from '../db/runs.ts';
import type { RunContext } from '../config/context.ts';
import type { Logger } from '../core/log.ts';
import { acquireLock, type Lock } from './lock.ts';
import { faultPoint } from '../core/fault.ts';

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

  /** Takes the lock, copies the published database to staging, opens it and upgrades its schema. */
  static async open(ctx: RunContext): Promise<Workspace> {
    const { database, duckdb } = ctx.pipeline;
    fs.mkdirSync(path.dirname(database), { recursive: true });
    const lock = acquireLock(database, ctx.runId, ctx.command, ctx.logger);
    const staging = `${database}.staging-${ctx.runId}`;
    try {
      removeLeftovers(database, ctx.logger);
      faultPoint('open.copy');
      if (fs.existsSync(database)) fs.copyFileSync(database, staging);
      const db = await Db.open(staging, { logger: ctx.logger, settings: duckdb });
      const { from, to } = await migrate(db);
      if (from > 0 && from < to) ctx.logger.warn({ from, to }, `database upgraded from schema ${from} to ${to} (published with this run)`);
      return new Workspace(db, staging, database, lock, ctx.logger);
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

/**
 * A command that changes the database (ingest, feedback, audit-sample, upgrade): on a staging
 * copy, with its row in `runs`, published when `fn` returns and abandoned when it throws.
 */
export async function onWorkspace<T>(ctx: RunContext, fn: (db: Db) => Promise<{ result: T; outcome: RunOutcome }>): Promise<T> {
  const workspace = await Workspace.open(ctx);
  try {
    await recordRunStart(workspace.db, ctx);
    const { result, outcome } = await fn(workspace.db);
    await recordRunEnd(workspace.db, ctx.runId, outcome);
    await workspace.publish();
    return result;
  } catch (error) {
    workspace.abandon();
    throw error;
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
