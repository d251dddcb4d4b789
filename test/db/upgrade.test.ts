import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../../src/db/database.ts';
import { checkSchema, migrate, SCHEMA_VERSION } from '../../src/db/schema/migrate.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { ident, literal } from '../../src/core/sql.ts';
import { silentLogger } from '../../src/core/log.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { rows, tempDir } from '../helpers.ts';
import { query, workdir, type Workdir } from '../e2e/support.ts';

/**
 * A database written by release 0.1 (schema_version 1) must open and be upgraded by this code
 * with its data intact, and a nightly must then run on it as on any other. The fixture is a real
 * 0.1 database (two nightly runs on fixtures/inbox and an audit sample draw) exported with
 * EXPORT DATABASE; see test/fixtures/db-0.1.0/README.md.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/db-0.1.0/', import.meta.url));
const INBOX_0_1 = fileURLToPath(new URL('../fixtures/inbox-0.1.0/', import.meta.url));

/** The two 0.1 nightly runs (the second found the inbox's files loaded already) and the audit sample draw. */
const RUN_1 = '20261201-202326-662-7460';
const RUN_2 = '20261201-202359-207-461d';
const AUDIT_SAMPLE_RUN = '20261201-202643-366-aaf3';

/**
 * The IMPORT DATABASE folder for the fixture, in a temporary folder: its Parquet files, load.sql
 * with every COPY pointed at them (the export named them by the absolute path it was written
 * to, /tmp/export01; DuckDB 1.5 reads them from the imported folder whatever the path says,
 * and this does not depend on that), and schema.sql as DuckDB can read it back (see the
 * README): every view and macro after the ones it uses, and the cross joins DuckDB printed as
 * commas written back as CROSS JOIN.
 */
async function importFolder(): Promise<string> {
  const dir = tempDir('recon-db-0.1.0-');
  const load = fs.readFileSync(path.join(FIXTURE, 'load.sql'), 'utf8');
  const copies = [...load.matchAll(/^COPY (\w+) FROM '([^']+)'/gm)];
  expect(copies.length).toBe(load.trim().split('\n').length);
  let rewritten = load;
  for (const [statement, table, file] of copies) {
    const name = path.basename(file ?? '');
    expect(name).toBe(`${table}.parquet`);
    fs.copyFileSync(path.join(FIXTURE, name), path.join(dir, name));
    rewritten = rewritten.replace(statement, `COPY ${table} FROM ${literal(path.join(dir, name))}`);
  }
  expect(rewritten).not.toContain('/tmp/export01');
  fs.writeFileSync(path.join(dir, 'load.sql'), rewritten);

  const statements = fs
    .readFileSync(path.join(FIXTURE, 'schema.sql'), 'utf8')
    .split(/\n(?=CREATE )/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^CREATE (VIEW|MACRO) /.test(s) ? s.replaceAll(' , ', ' CROSS JOIN ') : s));
  fs.writeFileSync(path.join(dir, 'schema.sql'), `${(await dependencyOrder(statements)).join('\n')}\n`);
  return dir;
}

/** The statements in an order in which each succeeds, found by running them on a scratch database. */
async function dependencyOrder(statements: string[]): Promise<string[]> {
  const scratch = await Db.open(':memory:');
  try {
    const ordered: string[] = [];
    let pending = statements;
    while (pending.length > 0) {
      const failed: Array<{ sql: string; error: string }> = [];
      for (const sql of pending) {
        try {
          await scratch.run(sql);
          ordered.push(sql);
        } catch (error) {
          failed.push({ sql, error: String(error) });
        }
      }
      if (failed.length === pending.length) {
        throw new Error(`schema.sql of the fixture does not import:\n${failed.map((f) => `${f.sql.slice(0, 80)}...: ${f.error}`).join('\n')}`);
      }
      pending = failed.map((f) => f.sql);
    }
    return ordered;
  } finally {
    scratch.close();
  }
}

/** A 0.1 database file built from the fixture with IMPORT DATABASE. */
async function importRelease01(file: string): Promise<void> {
  const dir = await importFolder();
  const db = await Db.open(file);
  try {
    await db.run(`IMPORT DATABASE ${literal(dir)}`);
  } finally {
    db.close();
  }
}

async function withDb<T>(file: string, fn: (db: Db) => Promise<T>, readOnly = false): Promise<T> {
  const db = await Db.open(file, { readOnly });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** Tables (not views) of the main schema with their columns in order. */
async function tables(db: Db): Promise<Map<string, string[]>> {
  const found = await db.all<{ t: string; c: string }>(
    `SELECT table_name AS t, column_name AS c FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = 'main'
       AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main')
     ORDER BY table_name, column_index`,
  );
  const out = new Map<string, string[]>();
  for (const r of found) out.set(r.t, [...(out.get(r.t) ?? []), r.c]);
  return out;
}

/** Row counts and the sorted rows (as JSON) of the given tables, over the given columns. */
async function contents(db: Db, columns: Map<string, string[]>): Promise<{ counts: Record<string, number>; data: Record<string, string>; sequences: string }> {
  const counts: Record<string, number> = {};
  const data: Record<string, string> = {};
  for (const [table, cols] of columns) {
    const n = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM ${ident(table)}`);
    counts[table] = Number(n?.n ?? -1);
    data[table] = JSON.stringify(await db.allJson(`SELECT ${cols.map(ident).join(', ')} FROM ${ident(table)} ORDER BY ALL`));
  }
  // Where the id sequences (case, employer, file, notice ids) stand: a recreated one would mint ids again.
  const sequences = JSON.stringify(
    await db.allJson(`SELECT sequence_name, start_value, last_value FROM duckdb_sequences() WHERE database_name = current_database() ORDER BY ALL`),
  );
  return { counts, data, sequences };
}

/** The views of the database that cannot be read (each one's error), e.g. one over a 0.1 view that a migration dropped. */
async function unreadableViews(db: Db): Promise<string[]> {
  const views = await db.all<{ v: string }>(`SELECT view_name AS v FROM duckdb_views() WHERE database_name = current_database() AND NOT internal ORDER BY 1`);
  expect(views.length).toBeGreaterThan(0);
  const broken: string[] = [];
  for (const { v } of views) {
    try {
      await db.all(`SELECT * FROM ${ident(v)} LIMIT 0`);
    } catch (error) {
      broken.push(`${v}: ${String(error)}`);
    }
  }
  return broken;
}

async function tableType(db: Db, name: string): Promise<string | undefined> {
  const r = await db.one<{ t: string }>(`SELECT table_type AS t FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $1`, [name]);
  return r?.t;
}

async function maxVersion(db: Db): Promise<number> {
  return Number((await db.one<{ v: number }>('SELECT max(version) AS v FROM schema_version'))?.v);
}

describe('a database written by release 0.1 (schema 1)', () => {
  // The imported 0.1 database, never changed: every test works on a copy of it.
  let oldFile: string;
  let oldTables: Map<string, string[]>;
  let before: Awaited<ReturnType<typeof contents>>;

  beforeAll(async () => {
    const total = fs.readdirSync(FIXTURE).reduce((sum, f) => sum + fs.statSync(path.join(FIXTURE, f)).size, 0);
    expect(total, 'the committed fixture stays under 1 MB').toBeLessThan(1_000_000);
    oldFile = path.join(tempDir('recon-upgrade-'), 'recon-0.1.0.duckdb');
    await importRelease01(oldFile);
    await withDb(
      oldFile,
      async (db) => {
        oldTables = await tables(db);
        before = await contents(db, oldTables);
      },
      true,
    );
  });

  /** A copy of the 0.1 database at `file`. */
  function copyOld(file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(oldFile, file);
    return file;
  }

  it('imports as a real 0.1 database: schema 1, runs without closed_month, ledger_employer a view', async () => {
    await withDb(
      oldFile,
      async (db) => {
        expect(await maxVersion(db)).toBe(1);
        expect(oldTables.get('runs')).not.toContain('closed_month');
        expect(oldTables.get('runs')).not.toContain('min_age_days');
        expect(await tableType(db, 'ledger_employer')).toBe('VIEW');
        expect(oldTables.has('ledger_employer')).toBe(false);
        // Its 0.1 macros and views came along (the import would have failed otherwise).
        const views = await rows(db, `SELECT count(*) AS n FROM duckdb_views() WHERE database_name = current_database() AND NOT internal`);
        expect(Number(views[0]?.['n'])).toBeGreaterThan(30);
        const macros = await rows(
          db,
          `SELECT DISTINCT function_name FROM duckdb_functions() WHERE database_name = current_database() AND function_type IN ('macro', 'table_macro') AND NOT internal ORDER BY 1`,
        );
        expect(macros.map((m) => m['function_name'])).toEqual(expect.arrayContaining(['recon_blank', 'recon_date', 'blacklist_candidates_at']));
      },
      true,
    );
    // What the data holds: two nightlies with the same 144 findings in the closed month 2026-09, one audit sample draw.
    expect(before.counts['runs']).toBe(3);
    expect(before.counts['findings']).toBe(288);
    expect(before.counts['cases']).toBe(144);
    expect(before.counts['employers']).toBe(305);
    expect(before.counts['manifest']).toBe(8);
    expect(before.counts['audit_samples']).toBeGreaterThan(0);
  });

  it('is refused read-only by this code with what to do (recon upgrade), and left unchanged', async () => {
    const file = copyOld(path.join(tempDir('recon-upgrade-ro-'), 'recon.duckdb'));
    await withDb(
      file,
      async (db) => {
        const refused = checkSchema(db);
        await expect(refused).rejects.toBeInstanceOf(ConfigError);
        await expect(refused).rejects.toThrow(/recon upgrade/);
        await expect(refused).rejects.toThrow(`schema 1; this release reads schema ${SCHEMA_VERSION}`);
        expect(await maxVersion(db)).toBe(1);
      },
      true,
    );
  });

  describe('upgraded by migrate()', () => {
    let file: string;
    let migrated: { from: number; to: number };
    let after: Awaited<ReturnType<typeof contents>>;
    let newTables: Map<string, string[]>;

    beforeAll(async () => {
      file = copyOld(path.join(tempDir('recon-upgrade-rw-'), 'recon.duckdb'));
      await withDb(file, async (db) => {
        migrated = await migrate(db);
        newTables = await tables(db);
        after = await contents(db, oldTables);
      });
    });

    it('is at SCHEMA_VERSION, with the migrations after 1 recorded', async () => {
      expect(SCHEMA_VERSION).toBeGreaterThan(1);
      expect(migrated).toEqual({ from: 1, to: SCHEMA_VERSION });
      await withDb(file, async (db) => {
        expect(await maxVersion(db)).toBe(SCHEMA_VERSION);
        const versions = await rows(db, 'SELECT version FROM schema_version ORDER BY version');
        expect(versions.map((v) => v['version'])).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
        await expect(checkSchema(db)).resolves.toBeUndefined();
        // Idempotent: a second open changes nothing.
        expect(await migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
      });
    });

    it('keeps every 0.1 table with the same number of rows', () => {
      expect([...oldTables.keys()].filter((t) => !newTables.has(t))).toEqual([]);
      // schema_version is the one that grows: a row per migration applied.
      expect(after.counts).toEqual({ ...before.counts, schema_version: SCHEMA_VERSION });
      // ...and the columns 0.1 had (migrations only add columns).
      for (const [table, cols] of oldTables) expect(newTables.get(table)?.slice(0, cols.length), table).toEqual(cols);
    });

    it('keeps the data: findings, cases, employers, manifest, audit samples (and every other 0.1 table) unchanged', () => {
      for (const table of ['findings', 'cases', 'case_events', 'employers', 'employer_keys', 'manifest', 'audit_samples', 'audit_sample_runs', 'notices']) {
        expect(after.data[table], table).toBe(before.data[table]);
      }
      const changed = Object.keys(before.data).filter((t) => t !== 'schema_version' && after.data[t] !== before.data[t]);
      expect(changed).toEqual([]);
      expect(after.sequences).toBe(before.sequences);
      expect(before.sequences).toContain('case_seq');
      // The 0.1 row of schema_version stays as 0.1 wrote it, first.
      const versions = JSON.parse(after.data['schema_version'] ?? '[]') as unknown[];
      expect(JSON.stringify(versions.slice(0, 1))).toBe(before.data['schema_version']);
    });

    it("gives the 0.1 runs the closed month of their findings and the uninsured rule's minimum age", async () => {
      expect(newTables.get('runs')).toEqual(expect.arrayContaining(['closed_month', 'lag_days', 'min_age_days']));
      await withDb(file, async (db) => {
        const runs = await rows(
          db,
          `SELECT run_id, command, closed_month, lag_days, min_age_days,
                  (SELECT max(month) FROM findings f WHERE f.run_id = runs.run_id) AS findings_month
           FROM runs ORDER BY run_id`,
        );
        expect(runs).toEqual([
          { run_id: RUN_1, command: 'run', closed_month: '2026-09-01', lag_days: null, min_age_days: 30, findings_month: '2026-09-01' },
          { run_id: RUN_2, command: 'run', closed_month: '2026-09-01', lag_days: null, min_age_days: 30, findings_month: '2026-09-01' },
          // The audit sample draw had no as-of date: it reasons about no month.
          { run_id: AUDIT_SAMPLE_RUN, command: 'audit-sample', closed_month: null, lag_days: null, min_age_days: null, findings_month: null },
        ]);
      });
    });

    it('can still read every view it holds (the 0.1 ones no migration replaced among them)', async () => {
      await withDb(file, async (db) => expect(await unreadableViews(db)).toEqual([]));
    });

    it('replaces the 0.1 view ledger_employer with an (empty) table', async () => {
      expect(newTables.has('ledger_employer')).toBe(true);
      expect(newTables.get('ledger_employer')).toEqual(expect.arrayContaining(['run_id', 'employer_id', 'should_enroll', 'collected_ytd']));
      await withDb(file, async (db) => {
        expect(await tableType(db, 'ledger_employer')).toBe('BASE TABLE');
        expect(await rows(db, 'SELECT count(*) AS n FROM ledger_employer')).toEqual([{ n: 0 }]);
      });
    });
  });

  describe('then a nightly with this code', () => {
    let work: Workdir;
    let result: RunResult;

    beforeAll(async () => {
      // The inbox as 0.1 read it (test/fixtures/inbox-0.1.0: the committed fixture's eight
      // employer files of that time; the fixture gained person, project and linking cases later).
      work = workdir({ source: INBOX_0_1 });
      const seen = new Set((JSON.parse(before.data['manifest'] ?? '[]') as Array<{ file_name: string }>).map((m) => m.file_name));
      for (const name of fs.readdirSync(work.inbox)) if (!seen.has(name)) fs.rmSync(path.join(work.inbox, name));
      expect(fs.readdirSync(work.inbox)).toHaveLength(8);
      copyOld(work.database);
      await withDb(work.database, async (db) => {
        expect(await migrate(db)).toEqual({ from: 1, to: SCHEMA_VERSION });
      });
      result = await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
    });

    it('succeeds: the inbox was loaded by 0.1, so every file is a duplicate and the findings are the same 144', async () => {
      expect(result.status).toBe('succeeded');
      expect(result.warnings).toEqual([]);
      // Run ids sort in run order: this one after the 0.1 runs (the fixture was written on 2026-12-01).
      expect(result.runId > AUDIT_SAMPLE_RUN, `run id ${result.runId} sorts after the 0.1 runs`).toBe(true);
      expect(result.asOf).toBe('2026-10-31');
      expect(result.ingest?.loaded).toBe(0);
      expect(result.ingest?.duplicates).toBe(8);
      expect(result.rules?.month).toBe('2026-09-01');
      expect(result.rules?.findings).toBe(144);
      expect(await query(work.database, 'SELECT max(version) AS v FROM schema_version')).toEqual([{ v: SCHEMA_VERSION }]);
      const run = await query(work.database, 'SELECT status, command, as_of, closed_month, min_age_days FROM runs WHERE run_id = $1', [result.runId]);
      expect(run).toEqual([{ status: 'succeeded', command: 'run', as_of: '2026-10-31', closed_month: '2026-09-01', min_age_days: 30 }]);
    });

    it('keeps the case ids: every finding is on the case 0.1 opened for it, and no case is opened', async () => {
      const found = (runId: string) => query(work.database, 'SELECT case_id, rule_id, employer_id FROM findings WHERE run_id = $1 ORDER BY case_id', [runId]);
      const old = await found(RUN_2);
      expect(old).toHaveLength(144);
      expect(await found(result.runId)).toEqual(old);
      expect(result.cases).toEqual({ opened: 0, resolved: 0, reopened: 0 });
      const cases = await query(work.database, 'SELECT case_id, employer_id, rule_id, opened_run FROM cases ORDER BY case_id');
      expect(cases).toHaveLength(before.counts['cases'] ?? -1);
      expect(cases.filter((c) => c['opened_run'] !== RUN_1)).toEqual([]);
      expect(cases.map((c) => c['case_id'])).toEqual(old.map((f) => f['case_id']));
    });

    it('mints no employer id: every employer keeps the id 0.1 gave it', async () => {
      expect(result.link?.employers).toBe(305);
      expect(result.link?.newEmployers).toBe(0);
      const ids = (sql: string) => query(work.database, sql).then((r) => r.map((x) => String(x['employer_id'])));
      const oldIds = (JSON.parse(before.data['employers'] ?? '[]') as Array<{ employer_id: string }>).map((e) => e.employer_id).sort();
      expect((await ids('SELECT employer_id FROM employers')).sort()).toEqual(oldIds);
      const oldKeys = (JSON.parse(before.data['employer_keys'] ?? '[]') as Array<{ key: string; employer_id: string }>)
        .map((k) => `${k.key} ${k.employer_id}`)
        .sort();
      const keys = await query(work.database, 'SELECT key, employer_id FROM employer_keys');
      expect(keys.map((k) => `${String(k['key'])} ${String(k['employer_id'])}`).sort()).toEqual(oldKeys);
    });

    it('publishes a database whose every view reads', async () => {
      await withDb(work.database, async (db) => expect(await unreadableViews(db)).toEqual([]), true);
    });

    it('fills the ledger_employer table for the run', async () => {
      const filled = await query(work.database, 'SELECT run_id, count(*) AS n FROM ledger_employer GROUP BY run_id');
      expect(filled).toHaveLength(1);
      expect(filled[0]?.['run_id']).toBe(result.runId);
      expect(Number(filled[0]?.['n'])).toBeGreaterThan(0);
    });
  });
});
