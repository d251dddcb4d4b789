import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { Logger } from '../core/log.ts';

/**
 * A run publishes in three renames: the database, its run folder, then `latest`. A run killed
 * between the first and the last left a published database whose run folder is still
 * `runs/.<run>.partial` and a `latest` one run behind. The database is the truth: a partial
 * folder of a run the published database records as published is finished (renamed into place,
 * and `latest` pointed at it when it is the newest), not marked failed. Call with the lock held,
 * before the other partial folders are marked failed. Returns the runs finished.
 */
export async function finishInterruptedPublish(db: Db, output: string, own: string, log: Logger): Promise<string[]> {
  const runsDir = path.join(output, 'runs');
  if (!fs.existsSync(runsDir)) return [];
  const partial = fs
    .readdirSync(runsDir)
    .map((name) => /^\.(.+)\.partial$/.exec(name)?.[1])
    .filter((id): id is string => id !== undefined && id !== own);
  if (partial.length === 0) return [];
  const published = await db.all<{ run_id: string }>(
    `SELECT run_id FROM runs WHERE command = 'run' AND status IN ('succeeded', 'warnings') AND list_contains(string_split($1, ','), run_id) ORDER BY run_id`,
    [partial.join(',')],
    { step: 'recover.published_runs' },
  );
  const finished: string[] = [];
  for (const { run_id: id } of published) {
    const target = path.join(runsDir, id);
    if (fs.existsSync(target)) continue;
    fs.renameSync(path.join(runsDir, `.${id}.partial`), target);
    finished.push(id);
    log.warn({ run: id }, `run ${id} had published its database when it was interrupted; its folder is now in place`);
  }
  const newest = await db.one<{ run_id: string }>(
    `SELECT run_id FROM runs WHERE command = 'run' AND status IN ('succeeded', 'warnings') ORDER BY started_at DESC, run_id DESC LIMIT 1`,
    undefined,
    { step: 'recover.newest_run' },
  );
  if (newest && finished.includes(newest.run_id)) {
    const link = path.join(output, 'latest');
    const tmp = path.join(output, `.latest-${process.pid}`);
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(path.join('runs', newest.run_id), tmp);
    fs.renameSync(tmp, link);
  }
  return finished;
}
