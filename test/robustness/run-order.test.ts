import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { workdir, FIXTURE_INBOX, query, type Workdir } from '../e2e/support.ts';
import { acquireLock } from '../../src/pipeline/lock.ts';
import { Db } from '../../src/db/database.ts';
import { recon, type Cli } from './support.ts';

/**
 * The run's order. A run refused by the lock wrote a `runs/<id>.failed` folder that `recon
 * runs` listed and `recon retry` picked; the ledger's 运行记录 said 运行中 because the run
 * recorded its outcome after the ledger was written; and the audit let through a night whose
 * sources were missing (a first run with the only withholding export refused, a kind of data
 * gone since the last published run).
 */

/** The value next to `label` in the first column of a sheet. */
async function sheetValue(file: string, sheet: string, label: string): Promise<string | undefined> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  let value: string | undefined;
  workbook.getWorksheet(sheet)?.eachRow((row) => {
    const cells = (row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)));
    const at = cells.indexOf(label);
    if (at >= 0 && value === undefined) value = cells.slice(at + 1).find((c) => c !== '');
  });
  return value;
}

/** A copy of a workbook cut at half its size: refused before its kind is known (bad_xlsx). */
function cutWorkbook(from: string, to: string): void {
  const bytes = fs.readFileSync(from);
  fs.writeFileSync(to, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

describe('a run refused because another holds the lock', () => {
  it('exits 4 and records nothing: no run folder, no row in `recon runs`, nothing for `recon retry`', async () => {
    const w = workdir({ source: FIXTURE_INBOX });
    fs.mkdirSync(path.dirname(w.database), { recursive: true });
    const lock = acquireLock(w.database, 'holder-run', 'run'); // held by this (live) process
    try {
      const r = await recon(['run', w.pipelineFile]);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/^recon: The database ".*recon\.duckdb" is in use by "recon run" \(run holder-run, pid \d+/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(w.output)).toBe(false);
      expect(fs.readdirSync(path.dirname(w.database))).toEqual(['recon.duckdb.lock']);
      const runs = await recon(['runs', '--pipeline', w.pipelineFile]);
      expect(runs.code, runs.stderr).toBe(0);
      expect(runs.stdout).toBe('No runs yet.\n');
      const retry = await recon(['retry', '--pipeline', w.pipelineFile]);
      expect(retry.code).toBe(2);
      expect(retry.stderr).toContain('No runs yet.');
    } finally {
      lock.release();
    }
  }, 60_000);
});

describe('the outcome before the ledger, and the audit of missing sources', () => {
  let good: Workdir;
  let first: Workdir;
  let goodRun: Cli;
  let firstRun: Cli;
  beforeAll(async () => {
    good = workdir({ source: FIXTURE_INBOX });
    fs.writeFileSync(path.join(good.inbox, 'empty.csv'), ''); // one refused file: the run ends with warnings
    first = workdir({ source: FIXTURE_INBOX });
    // The only withholding export, cut off: refused before its kind is known.
    fs.rmSync(path.join(first.inbox, '个税扣缴申报202610.xlsx'));
    cutWorkbook(path.join(FIXTURE_INBOX, '个税扣缴申报202610.xlsx'), path.join(first.inbox, '个税扣缴申报202610.xlsx'));
    [goodRun, firstRun] = await Promise.all([recon(['run', good.pipelineFile]), recon(['run', first.pipelineFile])]);
  }, 120_000);

  it('the ledger’s 运行记录 shows the run as published (成功（有警告）, not 运行中), as does its row in `runs`', async () => {
    expect(goodRun.code, goodRun.stderr).toBe(3);
    const latest = fs.realpathSync(path.join(good.output, 'latest'));
    const status = await sheetValue(path.join(latest, 'ledger.xlsx'), '运行记录', '状态');
    expect(status).toBe('成功（有警告）');
    const [row] = await query(good.database, `SELECT status, finished_at IS NOT NULL AS finished, files_refused, files_loaded FROM runs WHERE command = 'run'`);
    // Every file of the fixture loads; the added empty.csv is refused.
    expect(row).toEqual({ status: 'warnings', finished: true, files_refused: 1, files_loaded: fs.readdirSync(FIXTURE_INBOX).length });
    const runJson = JSON.parse(fs.readFileSync(path.join(latest, 'run.json'), 'utf8')) as { status: string; warnings: string[] };
    expect(runJson.status).toBe('warnings');
    expect(runJson.warnings.some((x) => x.startsWith('refused empty.csv:'))).toBe(true);
  });

  it('a first run with the only export of a source refused fails its audit (exit 1, nothing published), naming the file', () => {
    expect(firstRun.code, firstRun.stderr).toBe(1);
    expect(firstRun.stderr).toContain('The run failed its checks and published nothing');
    expect(firstRun.stderr).toContain('first run, and no data at all for tax_withholding');
    expect(firstRun.stderr).toContain('"个税扣缴申报202610.xlsx"');
    expect(fs.existsSync(path.join(first.output, 'latest'))).toBe(false);
    expect(fs.existsSync(first.database)).toBe(false);
  });

  it('a kind of data the last published run had and this run has not fails the audit', async () => {
    // The civil-affairs data stops being current (as if replaced by nothing), and no file is refused.
    fs.rmSync(path.join(good.inbox, 'empty.csv'));
    const db = await Db.open(good.database);
    try {
      await db.run(
        `INSERT INTO supersessions (kind, file_id, period, by_file_id, run_id) SELECT 'civil_org', file_id, NULL, file_id, 'test' FROM manifest WHERE kind = 'civil_org' AND status = 'loaded'`,
      );
    } finally {
      db.close();
    }
    const before = fs.realpathSync(path.join(good.output, 'latest'));
    const r = await recon(['run', good.pipelineFile]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/sources went missing: no current data now for civil_org, which the last published run \(\S+\) had; was data deleted/);
    expect(fs.realpathSync(path.join(good.output, 'latest'))).toBe(before);
  }, 60_000);
});
