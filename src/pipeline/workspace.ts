import fs from 'node:fs';
import path from 'node:path';
import { Db } from '../db/database.ts';
import { migrate } from '../db/schema/migrate.ts';
import { recordRunEnd, recordRunStart, type RunOutcome } from '../db/runs.ts';
import type { RunContext } from '../config/context.ts';
import type { Logger } from '../core/log.ts';
import { acquireLock, type Lock } from './lock.ts';
import { faultPoint } from '../core/fault.ts';
import { databaseKey } from '../db/secrets.ts';
import { scratchDir } from '../ingest/stage.ts';

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
    private readonly scratch: Scratch,
  ) {}

  /**
   * Takes the lock (or uses `lock`, taken by the caller, and releases it if opening fails),
   * removes what killed runs of this database left (staging copies, scratch folders), makes
   * the run's scratch folder, copies the published database to staging, opens it and upgrades
   * its schema.
   */
  static async open(ctx: RunContext, lock?: Lock): Promise<Workspace> {
    const { database, duckdb } = ctx.pipeline;
    let held = lock;
    let scratch: Scratch | undefined;
    const staging = `${database}.staging-${ctx.runId}`;
    try {
      fs.mkdirSync(path.dirname(database), { recursive: true });
      held ??= acquireLock(database, ctx.runId, ctx.command, ctx.logger);
      removeLeftovers(database, ctx.logger);
      // The key for keyed hashes in exports: created 0600 on the first run (src/db/secrets.ts).
      databaseKey(database);
      removeScratchLeftovers(ctx.pipeline.workDir, database, ctx.logger);
      scratch = Scratch.make(ctx);
      faultPoint('open.copy');
      if (fs.existsSync(database)) fs.copyFileSync(database, staging);
      const db = await Db.open(staging, { logger: ctx.logger, settings: duckdb });
      const { from, to } = await migrate(db);
      if (from > 0 && from < to) ctx.logger.warn({ from, to }, `database upgraded from schema ${from} to ${to} (published with this run)`);
      return new Workspace(db, staging, database, held, ctx.logger, scratch);
    } catch (error) {
      // A copy cut short by a full disk would keep the disk full: it goes before the lock.
      fs.rmSync(staging, { force: true });
      fs.rmSync(`${staging}.wal`, { force: true });
      scratch?.remove();
      held?.release();
      throw error;
    }
  }

  /**
   * Checkpoints and closes staging, then renames it over the published database, and releases
   * the lock unless `keepLock` (the caller then puts its run folder in place and calls `release`).
   */
  async publish(options: { keepLock?: boolean } = {}): Promise<void> {
    faultPoint('publish.checkpoint');
    await this.db.run('CHECKPOINT', undefined, { step: 'publish.checkpoint' });
    this.db.close();
    faultPoint('publish.rename');
    // The office's account and group only, whatever the umask of the process that ran it.
    fs.chmodSync(this.staging, 0o640);
    fs.renameSync(this.staging, this.database);
    faultPoint('publish.after-db');
    this.scratch.remove();
    if (!options.keepLock) this.lock.release();
    this.logger.debug({ database: this.database }, 'database published');
  }

  /** Releases the lock kept by `publish({ keepLock: true })`. */
  release(): void {
    this.lock.release();
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
    this.scratch.remove();
    this.lock.release();
  }
}

/** The file that marks a scratch folder as a run's of one database (removeLeftovers removes only those). */
const SCRATCH_OWNER = '.recon-scratch.json';

/**
 * The run's scratch folder (`scratchDir`): converted and transcoded copies of inbox files, and
 * the temporary files of the libraries (exceljs spools worksheets to os.tmpdir(), which reads
 * TMPDIR): TMPDIR points into it while the workspace is open, so a full /tmp fails nothing
 * and what a killed run left is found and removed by the next run of the same database.
 */
class Scratch {
  private constructor(
    readonly dir: string,
    private readonly tmpdir: string | undefined,
  ) {}

  static make(ctx: RunContext): Scratch {
    const dir = scratchDir(ctx.pipeline.workDir, ctx.runId);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, SCRATCH_OWNER),
      `${JSON.stringify({ database: ctx.pipeline.database, runId: ctx.runId, pid: process.pid, command: ctx.command })}\n`,
    );
    const previous = process.env['TMPDIR'];
    process.env['TMPDIR'] = dir;
    return new Scratch(dir, previous);
  }

  remove(): void {
    if (this.tmpdir === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = this.tmpdir;
    fs.rmSync(this.dir, { recursive: true, force: true });
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

/**
 * Staging copies and scratch folders left by killed runs of this database (we hold its lock,
 * so none of them is in use). A scratch folder is removed only when its owner file names this
 * database: a work folder shared with another database, or holding anything else, keeps the rest.
 */
function removeLeftovers(database: string, logger: Logger): void {
  const dir = path.dirname(database);
  const prefix = `${path.basename(database)}.staging-`;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    logger.warn({ file: name }, 'removing the staging copy of an interrupted run');
    fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** Scratch folders of killed runs of this database under `workDir` (see removeLeftovers). */
function removeScratchLeftovers(workDir: string, database: string, logger: Logger): void {
  let names: string[];
  try {
    names = fs.readdirSync(workDir);
  } catch {
    return; // no work folder yet
  }
  for (const name of names) {
    if (!name.startsWith('recon-')) continue;
    const folder = path.join(workDir, name);
    let owner: { database?: unknown };
    try {
      owner = JSON.parse(fs.readFileSync(path.join(folder, SCRATCH_OWNER), 'utf8')) as { database?: unknown };
    } catch {
      continue; // not a scratch folder of ours
    }
    if (owner.database !== database) continue;
    logger.warn({ folder: name }, 'removing the scratch folder of an interrupted run');
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
