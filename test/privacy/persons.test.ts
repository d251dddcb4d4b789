import fs from 'node:fs';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../../src/db/database.ts';
import { residentIdCheckChar } from '../../src/link/codes.ts';
import { exportParquet, PARQUET_TABLES, PERSON_PARQUET_TABLES } from '../../src/publish/parquet.ts';
import { queryCommand } from '../../src/cli/query.ts';
import { exportQuery, formatOfFile } from '../../src/publish/exports.ts';
import { personCommand } from '../../src/cli/person.ts';
import { AUDIT_FILE } from '../../src/cli/unmask-audit.ts';
import { silentLogger } from '../../src/core/log.ts';
import { generateInbox } from '../../tools/generator/generate.ts';
import { FIXTURE_INBOX, workdir, type Workdir } from '../e2e/support.ts';
import { recon, type Cli } from '../robustness/support.ts';
import { tempDir } from '../helpers.ts';

const exec = promisify(execFile);
const ID_SCAN = '/work/shared/tools/id-scan.mjs';

/**
 * The person level's privacy (/work/shared/EXPORTS.md, "Personal data"): one nightly on a city
 * with people, then every file it wrote outside the database and restricted/ searched for every
 * valid ID number of the inbox (18 characters and the 15-digit form), names kept out of logs,
 * run.json and messages; `recon query` masking every format on the person tables unless
 * --unmask, which is audited; `recon person`; `recon export --with-persons` pseudonymised.
 */

/** The committed fixture when it has people, else a generated city of 300 employers with people. */
function personInbox(): string {
  if (fs.readdirSync(FIXTURE_INBOX).some((f) => f.includes('个税全员全额扣缴'))) return FIXTURE_INBOX;
  return '';
}

/** Every text a reader of a file gets: the XML of a workbook's (or zip's) members, the file's text otherwise. */
function textOf(file: string): string {
  if (/\.(xlsx|zip)$/i.test(file)) return execFileSync('unzip', ['-p', file], { maxBuffer: 1 << 30 }).toString('utf8');
  return fs.readFileSync(file).toString('utf8');
}

/** A text with what hides digits undone: NFKC (full-width digits), invisible characters and separators between digits gone. */
function fold(text: string): string {
  let out = text.normalize('NFKC').replace(/\p{Cf}/gu, '');
  for (let i = 0; i < 2; i++) out = out.replace(/(\d)[ \-\u00A0]+(?=\d)/g, '$1');
  return out;
}

/** The 15-digit form of an 18-character ID born in the 1900s (what the 1989 cards carry). */
function id15(id: string): string | undefined {
  return id.slice(6, 8) === '19' ? id.slice(0, 6) + id.slice(8, 17) : undefined;
}

/**
 * Every valid resident ID written anywhere in a text, normalised to 18 characters: each window
 * of 18 characters with its check character and of 15 digits with a real date inside every run
 * of digits (an ID inside a longer code counts too). Matched against the people's own IDs only:
 * windows of other codes pass a check by chance.
 */
function idsIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const run of fold(text).match(/[0-9]{15,}[Xx]?/g) ?? []) {
    for (let i = 0; i + 15 <= run.length; i++) {
      const c18 = run.slice(i, i + 18).toUpperCase();
      if (
        c18.length === 18 &&
        /^[1-9]\d{16}[\dX]$/.test(c18) &&
        residentIdCheckChar(c18.slice(0, 17)) === c18[17] &&
        /^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(c18.slice(6, 14))
      )
        out.add(c18);
      const c15 = run.slice(i, i + 15);
      if (/^[1-9]\d{14}$/.test(c15) && /^\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(c15.slice(6, 12))) {
        const first17 = `${c15.slice(0, 6)}19${c15.slice(6)}`;
        out.add(`${first17}${residentIdCheckChar(first17)}`);
      }
    }
  }
  return out;
}

/** Every file under `dir`, skipping the folders and files `skip` says. */
function files(dir: string, skip: (p: string, isDir: boolean) => boolean): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (skip(p, e.isDirectory())) continue;
    if (e.isDirectory()) out.push(...files(p, skip));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** What a command prints on stdout and stderr, run in this process as `recon <args>` would. */
async function output(command: Command, args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr] = [process.stdout.write, process.stderr.write];
  const grab =
    (into: string[]) =>
    (chunk: string | Uint8Array): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
  process.stdout.write = grab(out) as typeof process.stdout.write;
  process.stderr.write = grab(err) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await command.exitOverride().parseAsync(args, { from: 'user' });
    return { stdout: out.join(''), stderr: err.join(''), exitCode: typeof process.exitCode === 'number' ? process.exitCode : undefined };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.exitCode = before;
  }
}

describe('people in a nightly: no full ID number outside the database and restricted/', () => {
  let w: Workdir;
  let run: Cli;
  /** Every valid resident ID the inbox carries (18-character form). */
  let ids = new Set<string>();
  let names = new Set<string>();
  let sample: { id: string; name: string; key: string } = { id: '', name: '', key: '' };

  beforeAll(async () => {
    let source = personInbox();
    if (!source) {
      const gen = tempDir('recon-privacy-gen-');
      source = path.join(gen, 'inbox');
      await generateInbox({ employers: 300, seed: 1, out: source, persons: true });
    }
    w = workdir({ source });
    run = await recon(['run', w.pipelineFile]);
    const db = await Db.open(w.database, { readOnly: true });
    try {
      // Every valid resident ID of the inbox's people: each row of the four kinds (superseded files' too) normalised, and persons.
      const people = await db.all<{ id_no: string; person_name: string | null; person_key: string }>(`SELECT id_no, person_name, person_key FROM persons`);
      for (const p of people) {
        ids.add(p.id_no);
        if (p.person_name) names.add(p.person_name);
      }
      for (const kind of ['iit_detail', 'si_person', 'resident_pension', 'assistance']) {
        for (const r of await db.all<{ id: string | null; n: string | null }>(`SELECT DISTINCT id_no AS id, person_name AS n FROM ${kind}`)) {
          if (r.id) ids.add(r.id);
          if (r.n) names.add(r.n);
        }
      }
      // A person with wage rows, SI rows and a case, whose name one other person shares (a name lookup lists both).
      const [pick] = await db.all<{ id: string; name: string; key: string }>(
        `SELECT p.id_no AS id, p.person_name AS name, p.person_key AS key FROM persons p
         WHERE p.person_key IN (SELECT person_key FROM cases WHERE person_key <> '')
           AND p.id_no IN (SELECT id_no FROM iit_detail_current) AND p.id_no IN (SELECT id_no FROM si_person_current)
         ORDER BY p.person_key LIMIT 1`,
      );
      sample = pick ?? sample;
    } finally {
      db.close();
    }
    ids = new Set([...ids].filter(Boolean));
    names = new Set([...names].filter((n) => [...n].length >= 2));
  }, 120_000);

  it('the run publishes and holds people; the inbox carries their IDs', () => {
    expect([0, 3], run.stderr).toContain(run.code);
    expect(ids.size).toBeGreaterThan(1000);
    expect(names.size).toBeGreaterThan(500);
    expect(sample.key).toMatch(/^P\d{9}$/);
  });

  it('every file the run wrote outside the database and restricted/ (xlsx, csv, html, json, logs) holds no valid ID number of the inbox, in any form', () => {
    const written = files(w.dir, (p, isDir) => {
      if (p === w.inbox) return true;
      if (isDir) return path.basename(p) === 'restricted';
      return p === w.database || p === `${w.database}.wal` || /\.(duckdb|wal|parquet|arrow)$/.test(p);
    });
    expect(written.some((f) => f.endsWith('run.json'))).toBe(true);
    expect(written.some((f) => f.endsWith('.xlsx'))).toBe(true);
    expect(written.some((f) => f.endsWith('run.log'))).toBe(true);
    const hits: string[] = [];
    for (const f of written) for (const id of idsIn(textOf(f))) if (ids.has(id)) hits.push(`${path.relative(w.dir, f)}: ${id.slice(0, 6)}…`);
    for (const [name, text] of [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
    ] as const)
      for (const id of idsIn(text)) if (ids.has(id)) hits.push(`${name}: ${id.slice(0, 6)}…`);
    expect(hits).toEqual([]);
  });

  it('names of people are in no log, run.json or message of the run', () => {
    const runDir = fs.realpathSync(path.join(w.output, 'latest'));
    const texts: Array<[string, string]> = [
      ['run.json', fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')],
      ['run.log', fs.readFileSync(path.join(runDir, 'run.log'), 'utf8')],
      ['stdout', run.stdout],
      ['stderr', run.stderr],
    ];
    const hits = texts.flatMap(([where, text]) => [...names].filter((n) => text.includes(n)).map((n) => `${where}: ${[...n][0]}*`));
    expect(hits).toEqual([]);
  });

  it('the shared ID scan finds nothing in the run folder', async () => {
    const runDir = fs.realpathSync(path.join(w.output, 'latest'));
    expect(fs.existsSync(path.join(runDir, 'restricted')), 'the 代缴 lists are in restricted/').toBe(true);
    const scan = await exec('node', [ID_SCAN, runDir]).then(
      (r) => r.stdout,
      (e: { stdout: string }) => e.stdout,
    );
    // Reported by the test run: "0 " is the scan's output for a clean folder.
    process.stderr.write(`id-scan <run folder>: ${scan}`);
    expect(scan.trim()).toMatch(/^0\b/);
  });

  const FORMATS = ['txt', 'csv', 'jsonl', 'json', 'parquet', 'xlsx'] as const;

  /** Every text of a query result file: a Parquet file's values through DuckDB, the file's text otherwise. */
  async function resultText(file: string): Promise<string> {
    if (!file.endsWith('.parquet')) return textOf(file);
    const db = await Db.open(':memory:');
    try {
      return JSON.stringify(await db.allJson(`SELECT * FROM read_parquet('${file}')`));
    } finally {
      db.close();
    }
  }

  it('recon query masks every ID number of the person tables and person_findings_latest in every format', async () => {
    // The formats through exportQuery on one connection (what recon query calls); the command itself for a file and the terminal.
    const db = await Db.open(w.database, { readOnly: true });
    try {
      for (const sql of ['SELECT * FROM si_person', 'SELECT * FROM person_findings_latest']) {
        for (const ext of FORMATS) {
          const file = path.join(w.output, `q.${ext}`);
          expect(await exportQuery(db, sql, formatOfFile(file) ?? 'table', { file }), `${sql} ${ext}`).toBeGreaterThan(0);
          const text = await resultText(file);
          const leaked = [...idsIn(text)].filter((id) => ids.has(id));
          expect(leaked.length, `${sql} -o .${ext}`).toBe(0);
          expect(text, `${sql} ${ext}: the masked IDs are there`).toMatch(/\d{6}\*{8}[\dX]{4}/);
          fs.rmSync(file);
        }
      }
    } finally {
      db.close();
    }
    const file = path.join(w.output, 'q.xlsx');
    const r = await output(queryCommand(), ['SELECT * FROM si_person', '--pipeline', w.pipelineFile, '-o', file]);
    expect(r.stderr).toMatch(/rows written/);
    expect([...idsIn(textOf(file))].filter((id) => ids.has(id))).toEqual([]);
    const shown = await output(queryCommand(), ['SELECT id_no, id_no_raw FROM si_person LIMIT 50', '--pipeline', w.pipelineFile]);
    expect(shown.stdout).toMatch(/\d{6}\*{8}[\dX]{4}/);
    expect([...idsIn(shown.stdout)].filter((id) => ids.has(id))).toEqual([]);
    expect(fs.existsSync(path.join(w.output, AUDIT_FILE))).toBe(false);
  });

  it('recon query --unmask gives full IDs, writes the file 0600 and records the use (time, OS user, command, SQL with IDs masked, rows) in unmask-audit.log, 0600', async () => {
    const file = path.join(w.output, 'unmasked.csv');
    const sql = `SELECT id_no, person_name FROM persons WHERE id_no = '${sample.id}'`;
    const r = await output(queryCommand(), [sql, '--pipeline', w.pipelineFile, '-o', file, '--unmask']);
    expect(r.stderr).toMatch(/1 rows written/);
    expect(fs.readFileSync(file, 'utf8')).toContain(sample.id);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const log = path.join(w.output, AUDIT_FILE);
    expect(fs.statSync(log).mode & 0o777).toBe(0o600);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    const entry = JSON.parse(lines.at(-1) as string) as Record<string, unknown>;
    expect(entry).toMatchObject({ command: 'query', rows: 1, status: 'ok', output: file });
    expect(entry['user']).toEqual(expect.any(String));
    expect(Date.parse(String(entry['time']))).toBeGreaterThan(0);
    expect(String(entry['sql'])).toContain(`${sample.id.slice(0, 6)}********${sample.id.slice(-4)}`);
    // The audit log is a log: no full ID in it, not even the one the SQL named.
    expect([...idsIn(fs.readFileSync(log, 'utf8'))].filter((id) => ids.has(id))).toEqual([]);
    // On the terminal, and a failed use recorded too.
    const shown = await output(queryCommand(), ['SELECT id_no FROM persons ORDER BY id_no LIMIT 5', '--pipeline', w.pipelineFile, '--unmask']);
    expect([...idsIn(shown.stdout)].filter((id) => ids.has(id))).toHaveLength(5);
    await expect(output(queryCommand(), ['SELECT nope FROM persons', '--pipeline', w.pipelineFile, '--unmask'])).rejects.toThrow();
    const all = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(all.slice(-2).map((e) => [e['rows'], e['status']])).toEqual([
      [5, 'ok'],
      [0, 'failed'],
    ]);
    fs.rmSync(file);
  });

  it('recon person shows one person across the sources, masked; a shared name lists the people masked; --unmask is audited', async () => {
    const byId = await output(personCommand(), [sample.id, '--pipeline', w.pipelineFile]);
    expect(byId.stdout).toContain(sample.key);
    expect(byId.stdout).toContain(`${sample.id.slice(0, 6)}********${sample.id.slice(-4)}`);
    for (const heading of ['工资薪金', '社保个人参保', '城乡居民基本养老保险', '困难群体名单', '关联单位', '案件']) expect(byId.stdout).toContain(heading);
    expect([...idsIn(byId.stdout)].filter((id) => ids.has(id))).toEqual([]);
    // The birth date is the masked part of the ID: it is not shown either.
    expect(byId.stdout).not.toContain(`${sample.id.slice(6, 10)}-${sample.id.slice(10, 12)}-${sample.id.slice(12, 14)}`);
    const json = JSON.parse((await output(personCommand(), [sample.key, '--pipeline', w.pipelineFile, '--json'])).stdout) as {
      person: { person_key: string; id_no: string; birth_date: string | null };
      wages: unknown[];
      cases: Array<{ events: unknown[] }>;
    };
    expect(json.person.person_key).toBe(sample.key);
    expect(json.person.birth_date).toBeNull();
    expect(json.wages.length).toBeGreaterThan(0);
    expect(json.cases.length).toBeGreaterThan(0);
    expect(json.cases[0]?.events.length).toBeGreaterThan(0);
    // The 15-digit form finds the same person.
    const old = id15(sample.id);
    if (old) expect((await output(personCommand(), [old, '--pipeline', w.pipelineFile])).stdout).toContain(sample.key);
    // A name part shared by several people: a list, masked.
    const surname = [...sample.name][0] as string;
    const list = await output(personCommand(), [surname, '--pipeline', w.pipelineFile]);
    expect(list.stdout).toMatch(/people match/);
    expect(list.stdout).toMatch(/\d{6}\*{8}[\dX]{4}/);
    expect([...idsIn(list.stdout)].filter((id) => ids.has(id))).toEqual([]);
    // Nothing found: the message does not repeat the ID.
    const none = await output(personCommand(), ['110101199001011237', '--pipeline', w.pipelineFile]);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).not.toContain('110101199001011237');
    // --unmask: the full number, and a line in the audit log (the lookup masked).
    const unmasked = await output(personCommand(), [sample.id, '--pipeline', w.pipelineFile, '--unmask']);
    expect(unmasked.stdout).toContain(sample.id);
    const last = JSON.parse(fs.readFileSync(path.join(w.output, AUDIT_FILE), 'utf8').trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(last).toMatchObject({ command: 'person', person_keys: [sample.key], status: 'ok' });
    expect(String(last['lookup'])).not.toContain(sample.id);
    expect(Number(last['rows'])).toBeGreaterThan(0);
  });

  it('recon export leaves the people out; --with-persons adds them with ID numbers as keyed hashes that join across tables, and no name', async () => {
    const db = await Db.open(w.database, { readOnly: true });
    const plain = path.join(w.output, 'parquet', 'plain');
    const withPersons = path.join(w.output, 'parquet', 'persons');
    try {
      await exportParquet(db, plain, silentLogger());
      await exportParquet(db, withPersons, silentLogger(), undefined, { withPersons: true });
    } finally {
      db.close();
    }
    expect(fs.readdirSync(plain).sort()).toEqual([...PARQUET_TABLES.map((t) => t.name), 'manifest.json'].sort());
    const mem = await Db.open(':memory:');
    try {
      const glob = (root: string, t: string): string => `read_parquet('${path.join(root, t, '**', '*.parquet')}', hive_partitioning = true)`;
      const [employerOnly] = await mem.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${glob(plain, 'findings')} WHERE person_key <> ''`);
      expect(Number(employerOnly?.n)).toBe(0);
      for (const t of PERSON_PARQUET_TABLES) {
        const rows = await mem.allJson<Record<string, unknown>>(`SELECT * FROM ${glob(withPersons, t.name)}`);
        expect(rows.length, t.name).toBeGreaterThan(0);
        expect(Object.keys(rows[0] ?? {}), t.name).not.toContain('person_name');
        const leaked = [...idsIn(JSON.stringify(rows))].filter((id) => ids.has(id));
        expect(leaked.length, `${t.name}: full IDs`).toBe(0);
      }
      const [hashed] = await mem.all<{ n: bigint; h: bigint }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE id_no LIKE 'h:%') AS h FROM ${glob(withPersons, 'persons')}`,
      );
      expect(Number(hashed?.h)).toBe(Number(hashed?.n));
      // The hashes join: wage rows and SI rows to their person, findings to theirs by person_key.
      for (const t of ['iit_detail', 'si_person', 'resident_pension', 'assistance']) {
        const [j] = await mem.all<{ n: bigint; joined: bigint }>(
          `SELECT count(*) AS n, count(p.person_key) AS joined FROM ${glob(withPersons, t)} r LEFT JOIN ${glob(withPersons, 'persons')} p ON p.id_no = r.id_no
           WHERE r.id_no IS NOT NULL`,
        );
        expect(Number(j?.n), t).toBeGreaterThan(0);
        expect(Number(j?.joined), `${t} joins persons`).toBe(Number(j?.n));
      }
      const [f] = await mem.all<{ n: bigint; joined: bigint }>(
        `SELECT count(*) AS n, count(p.id_no) AS joined FROM ${glob(withPersons, 'person_findings')} f LEFT JOIN ${glob(withPersons, 'persons')} p USING (person_key)`,
      );
      expect(Number(f?.n)).toBeGreaterThan(0);
      expect(Number(f?.joined)).toBe(Number(f?.n));
    } finally {
      mem.close();
    }
  });
});
