import fs from 'node:fs';
import { loadPipeline } from '../config/pipeline-file.ts';
import { Db } from '../db/database.ts';
import { checkSchema } from '../db/schema/migrate.ts';
import { ConfigError } from '../core/errors.ts';

/**
 * Runs `fn` on the published database of a pipeline (or `--db`), opened read-only: the door
 * every analyst command uses. A nightly run works on its own staging copy, so this never waits.
 * A database at an older schema is refused with what to do (`recon upgrade`).
 */
export async function withPublishedDb<T>(opts: { pipeline: string; db?: string }, fn: (db: Db) => Promise<T>): Promise<T> {
  const pipeline = loadPipeline(opts.pipeline, opts.db ? { database: opts.db } : {});
  if (!fs.existsSync(pipeline.database)) throw new ConfigError(`No database at ${pipeline.database}: run "recon run" first.`);
  const db = await Db.open(pipeline.database, { readOnly: true });
  try {
    await checkSchema(db);
    return await fn(db);
  } finally {
    db.close();
  }
}
