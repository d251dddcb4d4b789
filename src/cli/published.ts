import fs from 'node:fs';
import { loadPipeline } from '../pipeline/config.ts';
import { Db } from '../db/database.ts';
import { ConfigError } from '../core/errors.ts';

/**
 * Runs `fn` on the published database of a pipeline (or `--db`), opened read-only: the door
 * every analyst command uses. A nightly run works on its own staging copy, so this never waits.
 */
export async function withPublishedDb<T>(opts: { pipeline: string; db?: string }, fn: (db: Db) => Promise<T>): Promise<T> {
  const pipeline = loadPipeline(opts.pipeline, opts.db ? { database: opts.db } : {});
  if (!fs.existsSync(pipeline.database)) throw new ConfigError(`No database at ${pipeline.database}: run "recon run" first.`);
  const db = await Db.open(pipeline.database, { readOnly: true });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
