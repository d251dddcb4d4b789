import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { memoryDb, type Db } from '../src/db/database.ts';
import { migrate } from '../src/db/schema.ts';
import { loadFile, type LoadOptions, type LoadResult } from '../src/ingest/load.ts';
import { silentLogger } from '../src/core/log.ts';

/** Runs `fn` with a fresh, migrated in-memory database; closes it afterwards. */
export async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await memoryDb();
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    db.close();
  }
}

/** A fresh temporary folder, removed when the process exits. */
export function tempDir(prefix = 'recon-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a text file in UTF-8 (optionally with BOM) or GBK. */
export function writeText(dir: string, name: string, text: string, encoding: 'utf-8' | 'utf-8-bom' | 'gbk' = 'utf-8'): string {
  const file = path.join(dir, name);
  const body = encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from((encoding === 'utf-8-bom' ? '\uFEFF' : '') + text, 'utf8');
  fs.writeFileSync(file, body);
  return file;
}

/** Loads one file with test defaults (as-of 2026-10-31, quiet). */
export function load(db: Db, file: string, options: Partial<LoadOptions> = {}): Promise<LoadResult> {
  return loadFile(db, file, {
    runId: 'test-run',
    defaultAsOf: '2026-10-31',
    minSnapshotRatio: 0.5,
    // Beside the file, where tests check that nothing is left behind; never inside the
    // committed fixtures (a test that loads one must not add a folder to the fixture inbox).
    workDir: path.resolve(file).startsWith(path.resolve('fixtures') + path.sep) ? path.join(tempDir(), '.work') : path.join(path.dirname(file), '.work'),
    logger: silentLogger(),
    ...options,
  });
}

/** Rows of a query with BIGINT as number and DATE as YYYY-MM-DD, for comparisons. */
export async function rows(db: Db, sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>> {
  const result = await db.all(sql, params as never);
  return result.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString().slice(0, 10) : v]),
    ),
  );
}
