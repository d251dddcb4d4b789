import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { queryCommand } from '../../src/cli/query.ts';
import { exitCodeFor } from '../../src/cli/exit.ts';
import { errorMessage } from '../../src/core/errors.ts';
import { Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/schema/migrate.ts';
import { tempDir } from '../helpers.ts';
import { workdir, type Workdir } from '../e2e/support.ts';

/**
 * `recon query` never writes over anything: not the published database (which every later
 * night would then fail on), not its files, not the inbox, not a file of another kind; writes go
 * to a partial file renamed when complete; a query runs with the pipeline's memory limit and
 * stops at its --timeout.
 */

let w: Workdir;
let published: string;
const hash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The command in process (a CLI start costs seconds): the exit code main.ts would give, stdout and the message. */
async function q(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await queryCommand().parseAsync([...args, '--pipeline', w.pipelineFile], { from: 'user' });
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    return { code: exitCodeFor(error), stdout, stderr: errorMessage(error) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Files of a folder whose name says they are partial writes. */
const partials = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.includes('.partial') || f.startsWith('tmp_'));

beforeAll(async () => {
  w = workdir({ extra: 'duckdb: { memory_limit: 512MB }' });
  fs.mkdirSync(path.dirname(w.database), { recursive: true });
  const db = await Db.open(w.database);
  await migrate(db);
  await db.run(
    `INSERT INTO cases (case_id, employer_id, rule_id, state, opened_run, state_run) SELECT 'C' || i, 'E' || i, 'uninsured', 'open', 'r0', 'r0' FROM range(50) t(i)`,
  );
  db.close();
  fs.mkdirSync(w.output, { recursive: true });
  fs.mkdirSync(path.join(w.output, 'runs', '20261031-000000'), { recursive: true });
  published = hash(w.database);
});

describe('recon query -o never writes over anything', () => {
  it('refuses the published database and its files, a DuckDB file under any name, the inbox, the run folders, a folder', async () => {
    fs.copyFileSync(w.database, path.join(w.output, 'backup.csv'));
    fs.symlinkSync(w.database, path.join(w.output, 'link.csv'));
    const refused: Array<[string[], RegExp]> = [
      [['-o', w.database, '--format', 'csv'], /published database/],
      [['-o', w.database, '--format', 'parquet', '--force'], /published database/],
      [['-o', `${w.database}.wal`, '--format', 'csv', '--force'], /published database/],
      [['-o', `${w.database}.lock`, '--format', 'csv', '--force'], /published database/],
      [['-o', `${w.database}.staging-20261031`, '--format', 'csv', '--force'], /published database/],
      [['-o', path.join(w.output, 'backup.csv')], /is a DuckDB database/],
      [['-o', path.join(w.output, 'link.csv'), '--force'], /published database|DuckDB database/],
      [['-o', path.join(w.inbox, '社保单位参保登记_20261031.csv'), '--force'], /inside the inbox/],
      [['-o', path.join(w.output, 'runs', '20261031-000000', 'findings.csv'), '--force'], /published run folders/],
      [['-o', w.output, '--format', 'csv', '--force'], /is a folder/],
    ];
    for (const [args, message] of refused) {
      const r = await q('SELECT 1 AS x', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(hash(w.database)).toBe(published);
    expect(hash(path.join(w.output, 'backup.csv'))).toBe(published);
    expect(fs.readdirSync(w.inbox)).toEqual([]);
    expect(partials(w.output)).toEqual([]);
  });

  it('writes outside the current folder and the output folder, or over a file of another kind, only with --force', async () => {
    const elsewhere = path.join(tempDir('recon-elsewhere-'), '结果.csv');
    expect((await q('SELECT 1 AS x', '-o', elsewhere)).stderr).toMatch(/outside the current folder and the output folder.*--force/);
    expect(fs.existsSync(elsewhere)).toBe(false);
    expect((await q('SELECT 1 AS x', '-o', elsewhere, '--force')).code).toBe(0);
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('\uFEFFx\n1\n');
    const notes = path.join(w.output, 'notes.yaml');
    fs.writeFileSync(notes, 'keep: me\n');
    const r = await q('SELECT 1 AS x', '-o', notes, '--format', 'csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exists and is not a csv file/);
    expect(fs.readFileSync(notes, 'utf8')).toBe('keep: me\n');
  });

  it('takes the format from the file name: -o out.xlsx writes a workbook, -o out.foo is refused', async () => {
    const xlsx = path.join(w.output, 'out.xlsx');
    const ok = await q('SELECT count(*) AS n FROM cases', '-o', xlsx);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.readFileSync(xlsx).subarray(0, 2).toString('latin1')).toBe('PK');
    const bad = await q('SELECT 1', '-o', path.join(w.output, 'out.foo'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Cannot tell the format/);
    expect(fs.existsSync(path.join(w.output, 'out.foo'))).toBe(false);
  });

  it('a query that fails half-way leaves the earlier file as it was and no partial file', async () => {
    const keep = path.join(w.output, 'keep.csv');
    fs.writeFileSync(keep, 'old\n');
    const r = await q(`SELECT CASE WHEN i < 150000 THEN i ELSE error('boom at ' || i) END AS i FROM range(300000) t(i)`, '-o', keep);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/boom/);
    expect(fs.readFileSync(keep, 'utf8')).toBe('old\n');
    expect(partials(w.output)).toEqual([]);
    const ok = await q('SELECT 2 AS y', '-o', keep);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.readFileSync(keep, 'utf8')).toBe('\uFEFFy\n2\n');
    expect(partials(w.output)).toEqual([]);
  });
});

describe('recon query runs within limits', () => {
  it('stops a query that runs longer than --timeout, with a message and exit 1, leaving no partial file', async () => {
    for (const args of [[], ['-o', path.join(w.output, 'never.csv')]]) {
      const started = Date.now();
      const r = await q('SELECT count(*) FROM range(1000000000000)', '--timeout', '1', ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ran longer than 1 s and was stopped \(--timeout 1\)/);
      expect(Date.now() - started).toBeLessThan(15_000);
    }
    expect(fs.existsSync(path.join(w.output, 'never.csv'))).toBe(false);
    expect(partials(w.output)).toEqual([]);
  }, 60_000);

  it("runs with the pipeline's memory limit and a spill folder of its own", async () => {
    const expected = await Db.open(':memory:', { settings: { memory_limit: '512MB' } });
    const [limit] = await expected.all<{ m: string }>(`SELECT current_setting('memory_limit') AS m`);
    expected.close();
    const r = await q(`SELECT current_setting('memory_limit') AS m, current_setting('temp_directory') AS t`, '--format', 'jsonl');
    expect(r.code, r.stderr).toBe(0);
    const row = JSON.parse(r.stdout) as { m: string; t: string };
    expect(row.m).toBe(limit?.m);
    expect(row.t).toMatch(new RegExp(`spill-query-${process.pid}$`));
  });

  it('csv, jsonl and json on stdout: no BOM, types kept, the scratch file and spill folder gone afterwards', async () => {
    const csv = await q(`SELECT 1 AS n, '张三' AS name, '=1+1' AS f ORDER BY n`, '--format', 'csv');
    expect(csv.stdout).toBe("n,name,f\n1,张三,'=1+1\n");
    const jsonl = await q(`SELECT count(*) AS n, 12.50::DECIMAL(18,2) AS amount FROM cases`, '--format', 'jsonl');
    expect(JSON.parse(jsonl.stdout)).toEqual({ n: 50, amount: 12.5 });
    const json = await q(`SELECT case_id FROM cases ORDER BY case_id LIMIT 2`, '--format', 'json');
    expect(JSON.parse(json.stdout)).toEqual([{ case_id: 'C0' }, { case_id: 'C1' }]);
    expect(fs.readdirSync(path.join(path.dirname(w.database), 'work')).filter((f) => f.includes(`query-${process.pid}`))).toEqual([]);
  });

  it('prints no terminal control sequence from a value, and masks ID numbers', async () => {
    const r = await q(`SELECT chr(27) || ']0;pwned' || chr(7) || chr(27) || '[2J清屏' AS v, '３２０５０５ 19800101 1234' AS id`);
    expect(r.code, r.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be printed
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
    expect(r.stdout).toContain('清屏');
    expect(r.stdout).toContain('320505********1234');
    expect(hash(w.database)).toBe(published);
  });
});
