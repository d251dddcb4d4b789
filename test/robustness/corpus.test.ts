import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { KINDS } from '../../src/sources/index.ts';
import type { LoadResult } from '../../src/ingest/load.ts';
import { load, rows, tempDir, withDb, testContext } from '../helpers.ts';
import { BAD_DIR, GOOD_INBOX, materialise, readCases, staticCases, type BadCase } from './corpus.ts';
import { xlsxToCsv } from '../../src/ingest/xlsx.ts';
import { guardWorkbookRead } from '../../src/core/xlsx-read.ts';
import { applyFeedback } from '../../src/cases/feedback.ts';

const CASES = readCases();

/** Rows per kind table, to show a refused file added none. */
async function kindCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const kind of KINDS) out[kind] = Number((await rows(db, `SELECT count(*) AS n FROM ${kind}`))[0]?.['n']);
  return out;
}

/**
 * A database that appends a line to `file` right after the loader hashed it (its first look at
 * the manifest): the file changes between the hash and the read, deterministically.
 */
function appendingAfterHash(db: Db, file: string): Db {
  return new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'one') {
        return async (sql: string, ...rest: unknown[]) => {
          if (sql.includes('FROM manifest WHERE sha256'))
            fs.appendFileSync(file, '0099999999\t\t苏州迟到有限公司\t养老\t正常参保\t2026-01-01\t3\tF5299\t320505\n');
          return (value as (...a: unknown[]) => unknown).call(target, sql, ...rest);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

async function loadCase(db: Db, c: BadCase, dir: string): Promise<LoadResult> {
  if (c.id === 'changes_while_read') {
    const file = path.join(dir, c.file);
    fs.copyFileSync(path.join(GOOD_INBOX, '社保单位参保登记_20261031.csv'), file);
    return load(appendingAfterHash(db, file), file);
  }
  return load(db, materialise(c, dir));
}

describe('the bad-input corpus (fixtures/bad/cases.json)', () => {
  it('lists every case once, and the committed files are what the builders write', () => {
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    expect(new Set(CASES.map((c) => c.file)).size).toBe(CASES.length);
    const built = staticCases();
    for (const c of CASES.filter((x) => !x.generated)) {
      expect(fs.readFileSync(path.join(BAD_DIR, c.file)).equals(built[c.file] as Buffer), c.file).toBe(true);
    }
    // Small on disk: the big cases are generated at test time.
    const committed = fs.readdirSync(BAD_DIR).reduce((n, f) => n + fs.statSync(path.join(BAD_DIR, f)).size, 0);
    expect(committed).toBeLessThan(64 * 1024);
  });

  for (const c of CASES) {
    it(`${c.id}: ${c.title} -> ${c.outcome}${c.reason ? ` (${c.reason})` : ''}`, async () => {
      const dir = tempDir('recon-bad-');
      await withDb(async (db) => {
        // The registry is already loaded, as on any night but the first.
        const good = await load(db, path.join(GOOD_INBOX, '市场监管_企业登记信息_20261031.csv'));
        expect(good.status).toBe('loaded');
        const before = await kindCounts(db);
        const rejectsBefore = Number((await rows(db, 'SELECT count(*) AS n FROM rejects'))[0]?.['n']);
        const result = await loadCase(db, c, dir);
        const name = path.basename(c.file);
        expect(result.status, JSON.stringify(result)).toBe(c.outcome);
        const manifest = await rows(db, 'SELECT status, message, rows_read, rows_loaded, rows_rejected FROM manifest WHERE file_name = $1', [name]);
        if (result.status === 'refused') {
          expect(result.reason).toBe(c.reason);
          expect(result.message).toContain(c.message);
          expect(result.message).toContain(name);
          // A clear message says what to do.
          expect(result.message).toMatch(/again|save it|rename|remove|Delete|Fix/i);
          expect(manifest).toEqual([{ status: 'refused', message: result.message, rows_read: null, rows_loaded: null, rows_rejected: null }]);
          expect(await kindCounts(db)).toEqual(before);
          expect(Number((await rows(db, 'SELECT count(*) AS n FROM rejects'))[0]?.['n'])).toBe(rejectsBefore);
        } else if (result.status === 'loaded') {
          expect({ loaded: result.rowsLoaded, rejected: result.rowsRejected }).toEqual(c.rows);
          expect(result.rowsLoaded + result.rowsRejected).toBe(result.rowsRead);
          expect(manifest).toEqual([
            { status: 'loaded', message: null, rows_read: result.rowsRead, rows_loaded: result.rowsLoaded, rows_rejected: result.rowsRejected },
          ]);
          const rejects = await rows(db, 'SELECT reason FROM rejects WHERE file_name = $1', [name]);
          expect(rejects).toHaveLength(result.rowsRejected);
          for (const r of rejects) expect(String(r['reason'])).toContain(c.message);
          const loadedRows = await rows(db, `SELECT count(*) AS n FROM ${result.kind} WHERE file_id = $1`, [result.fileId]);
          expect(loadedRows).toEqual([{ n: result.rowsLoaded }]);
        } else {
          expect(result.message).toContain(c.message);
          expect(result.sameRun).toBe(true);
          expect(await kindCounts(db)).toEqual(before);
        }
      });
      // No transcoded or converted copy is left behind.
      expect(fs.existsSync(path.join(dir, '.work')) ? fs.readdirSync(path.join(dir, '.work')) : []).toEqual([]);
    });
  }

  it('the damaged copy of a good file is refused, and the good file still loads afterwards', async () => {
    const dir = tempDir('recon-bad-');
    const truncated = CASES.find((c) => c.id === 'zip_truncated') as BadCase;
    await withDb(async (db) => {
      expect(await load(db, materialise(truncated, dir))).toMatchObject({ status: 'refused', reason: 'bad_xlsx' });
      const good = await load(db, path.join(GOOD_INBOX, '个税扣缴申报202610.xlsx'));
      expect(good).toMatchObject({ status: 'loaded', kind: 'tax_withholding' });
    });
  });
});

describe('workbooks that would hang the streaming reader', () => {
  it('a workbook cut at 95% behind a forged zip end record (it stalled exceljs for ever) is refused at once', async () => {
    const dir = tempDir('recon-bad-');
    const workbook = fs.readFileSync(path.join(GOOD_INBOX, '个税扣缴申报202610.xlsx'));
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0); // an end record pointing at an empty directory
    const file = path.join(dir, '个税扣缴申报_卡死_20261031.xlsx');
    fs.writeFileSync(file, Buffer.concat([workbook.subarray(0, Math.floor(workbook.length * 0.95)), end]));
    const started = Date.now();
    await expect(xlsxToCsv(file, path.join(dir, 'out.csv'))).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('no workbook part'),
      details: { reason: 'bad_xlsx' },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('damaged returned worklists (feedback)', () => {
  it('a cut-off returned worklist is refused (that file only) with a message naming it, and one that stalls the reader is abandoned', async () => {
    const dir = tempDir('recon-bad-');
    const workbook = fs.readFileSync(path.join(GOOD_INBOX, 'export (3).xlsx'));
    const cut = path.join(dir, '枫桥街道_回收.xlsx');
    fs.writeFileSync(cut, workbook.subarray(0, Math.floor(workbook.length / 2)));
    await withDb(async (db) => {
      // It hung or failed with a bare "FILE_ENDED" before, then failed the whole night; now it is refused alone.
      const s = await applyFeedback(db, testContext({ runId: 'r', runDir: dir }), [cut], { asOf: '2026-10-31' });
      expect(s).toMatchObject({ files: 0, rows: 0 });
      expect(s.refusedFiles).toEqual([expect.objectContaining({ file: cut, code: 'bad_xlsx', message: expect.stringContaining('枫桥街道_回收.xlsx') })]);
    });
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    const stall = path.join(dir, '横塘街道_回收.xlsx');
    fs.writeFileSync(stall, Buffer.concat([workbook.subarray(0, Math.floor(workbook.length * 0.95)), end]));
    const never = new Promise<number>(() => undefined);
    await expect(guardWorkbookRead(stall, () => never, 500)).rejects.toMatchObject({ name: 'InputError', message: expect.stringContaining('did not finish') });
  });
});
