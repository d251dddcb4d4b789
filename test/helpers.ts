import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { memoryDb, type Db } from '../src/db/database.ts';
import { migrate } from '../src/db/schema/migrate.ts';
import { loadFile, type LoadOptions, type LoadResult } from '../src/ingest/load.ts';
import { silentLogger, type Logger } from '../src/core/log.ts';
import { defaultPipeline, type LinkParams, type PipelineConfig, type RulesConfig } from '../src/config/pipeline-file.ts';
import { newRunContext, withDates, type DatedRunContext } from '../src/config/context.ts';
import { runRules, type RulesSummary } from '../src/rules/runner.ts';
import { updateCases, type CaseCounts } from '../src/cases/cases.ts';

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
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString().slice(0, 10) : v])),
  );
}

/** A pipeline for tests: defaults everywhere, folders in a temporary folder unless given. */
export function testPipeline(
  overrides: Omit<Partial<PipelineConfig>, 'rules' | 'link'> & { rules?: Partial<RulesConfig>; link?: Partial<LinkParams> } = {},
): PipelineConfig {
  const dir = overrides.output ?? tempDir('recon-ctx-');
  const { rules, link, ...rest } = overrides;
  const base = defaultPipeline({ inbox: path.join(dir, 'inbox'), database: path.join(dir, 'recon.duckdb'), output: dir });
  return { ...base, duckdb: {}, ...rest, rules: { ...base.rules, ...(rules ?? {}) }, link: { ...base.link, ...(link ?? {}) } };
}

/**
 * A run context for tests: run id `test-run`, as-of 2026-10-31 (closed month 2026-09), a
 * silent logger, the run folder in a temporary folder unless `runDir` is given.
 */
export function testContext(
  options: {
    runId?: string;
    asOf?: string;
    runDir?: string;
    now?: Date;
    command?: string;
    logger?: Logger;
    pipeline?: Parameters<typeof testPipeline>[0];
  } = {},
): DatedRunContext {
  const pipeline = testPipeline(options.pipeline);
  const ctx = newRunContext(pipeline, {
    command: options.command ?? 'run',
    runId: options.runId ?? 'test-run',
    runDir: options.runDir ?? tempDir('recon-run-'),
    logger: options.logger ?? silentLogger(),
    ...(options.now ? { startedAt: options.now } : {}),
  });
  return withDates(ctx, options.asOf ?? '2026-10-31');
}

/** The rules stage and then the cases stage, as a run does them (tests that rerun the rules by hand). */
export async function rulesAndCases(db: Db, ctx: DatedRunContext): Promise<RulesSummary & { cases: CaseCounts }> {
  const summary = await runRules(db, ctx);
  return { ...summary, cases: await updateCases(db, ctx) };
}
