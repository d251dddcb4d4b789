import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it, vi } from 'vitest';
import { queryCommand } from '../../src/cli/query.ts';
import { exitCodeFor } from '../../src/cli/exit.ts';
import { errorMessage } from '../../src/core/errors.ts';
import { workdir, FIXTURE_INBOX } from '../e2e/support.ts';
import { residentIdCheckChar, validateUscc } from '../../src/link/codes.ts';
import { ESCAPES, FORMULAS, ID_NUMBERS, poisonInbox } from './poison.ts';
import { listTree, recon } from './support.ts';

/** What a payload looks like once it is in an output (its core, without the leading trigger). */
const CORES = ['1+1', 'SUM(1,1)', 'cmd|', 'HYPERLINK(', 'DDE('];

/** A resident ID (身份证号) anywhere in a text: 17 digits and the right check character (an all-digit USCC is not one). */
function residentIds(text: string): string[] {
  return [...text.matchAll(/(?<!\d)(\d{17}[\dXx])(?!\d)/g)]
    .map((m) => m[1] as string)
    .filter((id) => residentIdCheckChar(id.slice(0, 17)) === id.charAt(17).toUpperCase() && !validateUscc(id).ok);
}

/** Every cell of every sheet of a workbook, with its type and text. */
async function cells(file: string): Promise<Array<{ where: string; type: ExcelJS.ValueType; formula?: string; text: string }>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const out: Array<{ where: string; type: ExcelJS.ValueType; formula?: string; text: string }> = [];
  wb.eachSheet((ws) =>
    ws.eachRow((row) =>
      row.eachCell((cell) => {
        const formula = cell.type === ExcelJS.ValueType.Formula ? String(cell.formula ?? '') : undefined;
        out.push({
          where: `${path.basename(file)}!${ws.name}!${cell.address}`,
          type: cell.type,
          ...(formula !== undefined ? { formula } : {}),
          text: String(cell.text ?? ''),
        });
      }),
    ),
  );
  return out;
}

/** A CSV field Excel would run: = + @ tab CR first, or - first unless it is a plain number. */
const RUNS = (field: string): boolean => /^[=+@\t\r]/.test(field) || /^-(?!\d+(\.\d+)?$)/.test(field);

describe('hostile values', () => {
  it('formulas and DDE in every text column stay text in every xlsx and csv; worklists show no ID numbers; file names stay inside; the log holds no personal row; queries stay read-only', async () => {
    const w = workdir({ source: FIXTURE_INBOX });
    await poisonInbox(w.inbox);
    const absolute = '/tmp/recon-绝对路径';
    const existed = fs.existsSync(`${absolute}.xlsx`) || fs.existsSync(absolute);
    const run = await recon(['run', w.pipelineFile]);
    expect([0, 3], run.stderr).toContain(run.code);
    const runDir = fs.realpathSync(path.join(w.output, 'latest'));
    const files = listTree(runDir);

    // Every workbook: no cell is a formula built from the data; every payload cell is text.
    let payloadCells = 0;
    let idCells = 0;
    const workbooks = files.filter((f) => f.endsWith('.xlsx'));
    expect(workbooks.length).toBeGreaterThan(5);
    for (const rel of workbooks) {
      for (const c of await cells(path.join(runDir, rel))) {
        if (c.formula !== undefined)
          expect(
            CORES.some((core) => c.formula?.includes(core)),
            `${c.where}: formula ${c.formula}`,
          ).toBe(false);
        if (CORES.some((core) => c.text.includes(core))) {
          payloadCells++;
          expect([ExcelJS.ValueType.String, ExcelJS.ValueType.RichText], `${c.where}: ${c.text}`).toContain(c.type);
        }
        // Worklists (what goes out to grid workers) carry no identity numbers, whatever column they hide in.
        if (rel.startsWith('worklists/')) {
          expect(residentIds(c.text), c.where).toEqual([]);
          for (const id of ID_NUMBERS) expect(c.text, c.where).not.toContain(id);
          if (c.text.includes('张三')) idCells++;
        }
      }
    }
    expect(payloadCells).toBeGreaterThan(100);
    expect(idCells, 'planted ID numbers reached the worklists (masked)').toBeGreaterThan(0);

    // Every CSV: no field Excel would run.
    let payloadFields = 0;
    for (const rel of files.filter((f) => f.endsWith('.csv'))) {
      const records = parse(fs.readFileSync(path.join(runDir, rel)), { bom: true, relax_column_count: true }) as string[][];
      for (const [r, record] of records.entries()) {
        for (const field of record) {
          if (CORES.some((core) => field.includes(core))) payloadFields++;
          expect(RUNS(field), `${rel}:${r + 1}: ${field}`).toBe(false);
        }
      }
    }
    expect(payloadFields).toBeGreaterThan(50);

    // HTML pages escape what they show.
    for (const rel of files.filter((f) => f.endsWith('.html'))) {
      expect(fs.readFileSync(path.join(runDir, rel), 'utf8'), rel).not.toContain('<script>alert(1)</script>');
    }

    // Street names with ../ and absolute paths name worklists inside worklists/, nowhere else.
    const worklists = path.join(runDir, 'worklists');
    for (const rel of files.filter((f) => f.startsWith('worklists/'))) {
      expect(path.resolve(runDir, rel).startsWith(worklists + path.sep), rel).toBe(true);
    }
    expect(files.some((f) => f.includes('逃逸'))).toBe(true); // the hostile streets did get worklists, under safe names
    const outside = listTree(w.dir).filter((f) => !['reports', 'inbox', 'data'].includes(f.split('/')[0] as string));
    expect(outside).toEqual(['pipeline.yaml']);
    if (!existed) expect(fs.existsSync(`${absolute}.xlsx`) || fs.existsSync(absolute)).toBe(false);
    expect(ESCAPES.length).toBeGreaterThan(0);

    // The log: no info-or-above line carries a planted ID number or a payload-bearing name.
    const log = fs
      .readFileSync(path.join(runDir, 'run.log'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    for (const line of log) {
      const entry = JSON.parse(line) as { level: number };
      if (entry.level < 30) continue;
      for (const id of ID_NUMBERS) expect(line, 'an ID number in the log').not.toContain(id);
      expect(residentIds(line), line.slice(0, 200)).toEqual([]);
      expect(line.includes('张三'), line.slice(0, 200)).toBe(false);
    }

    // Ad-hoc queries: one SELECT, read-only, and no file outside the published database.
    const dbHash = createHash('sha256').update(fs.readFileSync(w.database)).digest('hex');
    // In process (a CLI start costs seconds): the exit code main.ts would give, stdout and the message.
    const q = async (sql: string, ...more: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      let stdout = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stdout += String(chunk);
        return true;
      });
      try {
        await queryCommand().parseAsync([sql, '--pipeline', w.pipelineFile, ...more], { from: 'user' });
        return { code: 0, stdout, stderr: '' };
      } catch (error) {
        return { code: exitCodeFor(error), stdout, stderr: errorMessage(error) };
      } finally {
        spy.mockRestore();
      }
    };
    const hostile = [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/hostname')",
      "SELECT * FROM glob('/etc/*')",
      "SELECT * FROM '/etc/passwd'",
      `SELECT * FROM read_csv('${path.join(w.inbox, '社保单位参保登记_20261031.csv')}')`,
      "COPY findings TO '/tmp/recon-leak.csv'",
      `ATTACH '${path.join(w.dir, 'other.duckdb')}' AS other`,
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET enable_external_access = true',
      `EXPORT DATABASE '${path.join(w.dir, 'export')}'`,
      'SELECT 1; DROP TABLE findings',
      'CREATE TABLE t AS SELECT 1',
      'UPDATE cases SET state = 1',
    ];
    for (const sql of hostile) {
      const r = await q(sql);
      // 2: refused; a path as a table is no table at all once files are off (1, like any SQL error). Nothing is read.
      expect([1, 2], `${sql}: ${r.stdout}`).toContain(r.code);
      expect(r.stdout, sql).toBe('');
      expect(r.stderr, sql).toMatch(/refused|exactly one statement|only reads|published database only|does not exist/);
    }
    expect(fs.existsSync('/tmp/recon-leak.csv')).toBe(false);
    expect(fs.existsSync(path.join(w.dir, 'other.duckdb'))).toBe(false);
    expect(fs.existsSync(path.join(w.dir, 'export'))).toBe(false);
    // A legitimate export still works, to the one file asked for (in the output folder: -o writes
    // nowhere else without --force), with formulas as text.
    const out = path.join(w.output, '结果.csv');
    const ok = await q(
      "SELECT name, legal_rep FROM registration WHERE name LIKE '=%' OR name LIKE '-%' OR name LIKE '@%' OR name LIKE '+%'",
      '--format',
      'csv',
      '-o',
      out,
    );
    expect(ok.code, ok.stderr).toBe(0);
    const exported = parse(fs.readFileSync(out), { columns: true }) as Array<Record<string, string>>;
    expect(exported.length).toBeGreaterThan(10);
    for (const row of exported) for (const v of Object.values(row)) expect(RUNS(v), v).toBe(false);
    const parquet = await q('SELECT count(*) AS n FROM findings', '--format', 'parquet', '-o', path.join(w.output, 'n.parquet'));
    expect(parquet.code, parquet.stderr).toBe(0);
    expect(createHash('sha256').update(fs.readFileSync(w.database)).digest('hex')).toBe(dbHash);
    expect(FORMULAS.length).toBeGreaterThan(5);
  }, 180_000);
});
