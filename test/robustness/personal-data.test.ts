import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { holdsIdNumber, maskIdNumbers, maskPersonal, pseudonym } from '../../src/core/personal.ts';
import { databaseKey, keyFile } from '../../src/db/secrets.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { residentIdCheckChar } from '../../src/link/codes.ts';
import { Db } from '../../src/db/database.ts';
import { tempDir } from '../helpers.ts';
import { workdir, FIXTURE_INBOX } from '../e2e/support.ts';
import { listTree, recon } from './support.ts';

const exec = promisify(execFile);
const ID_SCAN = '/work/shared/tools/id-scan.mjs';

/** Valid resident IDs (check character computed), one of them with an X. */
const IDS = ['32050519800101123', '32058119920229004', '11010519491231002', '32050819750315201'].map((f) => f + residentIdCheckChar(f));
const FULL = (s: string): string => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** The ways an export writes one ID that a plain-digit pattern misses. */
const HOSTILE: Array<[string, (id: string) => string]> = [
  ['full-width digits', FULL],
  ['spaces', (id) => `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`],
  ['groups of four', (id) => id.replace(/(.{4})(?=.)/g, '$1 ')],
  ['dashes', (id) => `${id.slice(0, 6)}-${id.slice(6, 14)}-${id.slice(14)}`],
  ['full-width dashes and ideographic spaces', (id) => `${FULL(id.slice(0, 6))}－${FULL(id.slice(6, 14))}\u3000${FULL(id.slice(14))}`],
  ['zero-width joiners', (id) => id.replace(/(.{3})(?=.)/g, '$1\u200D')],
  [
    'zero-width space, soft hyphen, BOM, bidi marks',
    (id) => `${id.slice(0, 4)}\u200B${id.slice(4, 8)}\u00AD${id.slice(8, 12)}\uFEFF${id.slice(12, 16)}\u200E${id.slice(16)}`,
  ],
  ['a control character', (id) => `${id.slice(0, 9)}\u0001${id.slice(9)}`],
  ['plain', (id) => id],
];

/** A text as a reader would see the digits: NFKC, invisible characters gone, separators between digits gone. */
function fold(text: string): string {
  let out = text.normalize('NFKC').replace(/\p{Cf}/gu, '');
  for (let i = 0; i < 3; i++) out = out.replace(/(\d)[\s\p{Pd}\p{Cc}]+(?=\d)/gu, '$1');
  return out;
}

/** Every string inside a value (row objects, lists). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

const mask = (id: string): string => `${id.slice(0, 6)}********${id.slice(-4)}`;

describe('ID numbers are masked however they are written', () => {
  it.each(HOSTILE)('%s', (_, write) => {
    for (const id of IDS) {
      expect(maskIdNumbers(`张三${write(id)}住`)).toBe(`张三${mask(id)}住`);
      expect(maskIdNumbers(write(id))).toBe(mask(id));
      expect(maskPersonal(`身份证：${write(id)}，电话：139 1234 5678`)).toBe(`身份证：${mask(id)}，电话：139****5678`);
    }
  });

  it('the 15-digit form and a lower-case x; an ID next to a phone; nothing else changes', () => {
    expect(maskIdNumbers('旧号 110105491231002')).toBe('旧号 110105*****1002');
    expect(maskIdNumbers(`${IDS[2]?.toLowerCase()}`)).toBe(mask(IDS[2] as string));
    expect(maskIdNumbers(`${IDS[0]} 13912345678`)).toBe(`${mask(IDS[0] as string)} 13912345678`);
    expect(maskPersonal(`${IDS[0]} 13912345678`)).toBe(`${mask(IDS[0] as string)} 139****5678`);
    expect(maskPersonal('+86 139-1234-5678')).toBe('+86 139****5678');
    for (const kept of [
      '913205835148050767', // an all-digit USCC
      '91320505MA813UE26P',
      `A${IDS[0]}`, // part of a longer code
      `${IDS[0]}B`,
      '32050519800101123401', // 20 digits: an individual business's taxpayer number (a code, see holdsIdNumber)
      '应缴 1234.50 元，2024-01-05 至 2024-12-31',
      '0512-68707208',
      '',
    ]) {
      expect(maskPersonal(kept), kept).toBe(kept);
    }
  });

  it('a known building-permit number with an ID’s shape stays as written; an ID beside it is still masked', () => {
    const permit = '320581202606150009';
    const text = `项目未参保：一号楼，施工许可证 ${permit}，联系人 ${IDS[0]}`;
    expect(maskIdNumbers(text)).toBe(`项目未参保：一号楼，施工许可证 320581********0009，联系人 ${mask(IDS[0] as string)}`);
    expect(maskIdNumbers(text, new Set([permit]))).toBe(`项目未参保：一号楼，施工许可证 ${permit}，联系人 ${mask(IDS[0] as string)}`);
    expect(maskPersonal(`${permit} 13912345678`, new Set([permit]))).toBe(`${permit} 139****5678`);
    // Only the listed value: another number of the same shape is masked.
    expect(maskIdNumbers('320581202606150010', new Set([permit]))).toBe('320581********0010');
  });

  it('codes that hold an ID get a keyed hash: the same for the same code and key, another for another key', () => {
    const key = Buffer.alloc(32, 1);
    expect(holdsIdNumber(`${IDS[0]}01`)).toBe(true);
    expect(holdsIdNumber(IDS[1] as string)).toBe(true);
    expect(holdsIdNumber('91320505MA813UE26P')).toBe(false);
    expect(pseudonym(key, `${IDS[0]}01`)).toMatch(/^h:[0-9a-f]{32}$/);
    expect(pseudonym(key, `${IDS[0]}01`)).toBe(pseudonym(key, FULL(`${IDS[0]}01`)));
    expect(pseudonym(key, `${IDS[0]}01`)).not.toBe(pseudonym(Buffer.alloc(32, 2), `${IDS[0]}01`));
  });

  it('the database key is created 0600 beside the database on first use, then read; a damaged one is refused', () => {
    const database = path.join(tempDir('recon-key-'), 'recon.duckdb');
    const key = databaseKey(database);
    expect(key).toHaveLength(32);
    expect(fs.statSync(keyFile(database)).mode & 0o777).toBe(0o600);
    expect(databaseKey(database).equals(key)).toBe(true);
    fs.chmodSync(keyFile(database), 0o644);
    expect(databaseKey(database).equals(key)).toBe(true);
    expect(fs.statSync(keyFile(database)).mode & 0o777).toBe(0o600);
    fs.writeFileSync(keyFile(database), 'short\n');
    expect(() => databaseKey(database)).toThrow(ConfigError);
  });
});

/** Every text of a file as a reader gets it: cell texts of a workbook, the file's text otherwise. */
async function textsOf(file: string): Promise<string[]> {
  if (file.endsWith('.xlsx')) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const out: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => out.push(String(cell.text ?? '')))));
    return out;
  }
  return [fs.readFileSync(file, 'utf8')];
}

/** Rewrites the registry export: hostile IDs in 法人代表 (legal representative) and 电话 (phone) of every third row. */
function poisonRegistry(inbox: string): number {
  const file = path.join(inbox, '市场监管_企业登记信息_20261031.csv');
  const rows = parse(fs.readFileSync(file), { bom: true, relax_column_count: true }) as string[][];
  const header = rows[0] as string[];
  const rep = header.indexOf('法人代表');
  const phone = header.indexOf('电话');
  expect(rep).toBeGreaterThan(0);
  expect(phone).toBeGreaterThan(0);
  let planted = 0;
  for (const [r, row] of rows.entries()) {
    if (r === 0 || r % 3 !== 1) continue;
    const [, write] = HOSTILE[r % HOSTILE.length] as [string, (id: string) => string];
    row[rep] = `张三${write(IDS[r % IDS.length] as string)}`;
    row[phone] = write(IDS[(r + 1) % IDS.length] as string);
    planted++;
  }
  const cell = (c: string): string => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
  fs.writeFileSync(file, `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`);
  return planted;
}

describe('a run and an export with hostile IDs in the legal representatives and phones', () => {
  it('never shows an ID unmasked in any file of the run (xlsx cells, csv, html, json, log), nor in the Parquet export; files 0640, folders 0750', async () => {
    const w = workdir({ source: FIXTURE_INBOX });
    expect(poisonRegistry(w.inbox)).toBeGreaterThan(30);
    const run = await recon(['run', w.pipelineFile]);
    expect([0, 3], run.stderr).toContain(run.code);
    const runDir = fs.realpathSync(path.join(w.output, 'latest'));

    let masked = 0;
    const files = listTree(runDir).filter((f) => fs.statSync(path.join(runDir, f)).isFile());
    expect(files.length).toBeGreaterThan(5);
    for (const rel of files) {
      for (const text of await textsOf(path.join(runDir, rel))) {
        const folded = fold(text);
        for (const id of IDS) expect(folded.includes(id) || folded.includes(id.toLowerCase()), `${rel}: ${id.slice(0, 6)}…`).toBe(false);
        if (rel.startsWith('worklists/') && IDS.some((id) => folded.includes(mask(id)))) masked++;
      }
    }
    expect(masked, 'the planted IDs reached the worklists, masked').toBeGreaterThan(0);
    for (const text of [run.stdout, run.stderr]) for (const id of IDS) expect(fold(text)).not.toContain(id);
    const scan = await exec('node', [ID_SCAN, runDir]).then(
      (r) => r.stdout,
      (e: { stdout: string }) => e.stdout,
    );
    expect(scan.trim()).toMatch(/^0\b/);

    // The Parquet export: IDs and mobile numbers masked in text, ID-bearing codes hashed (and still joining).
    const exported = await recon(['export', '--pipeline', w.pipelineFile]);
    expect(exported.code, exported.stderr).toBe(0);
    const parquetRoot = path.join(w.output, 'parquet');
    const db = await Db.open(':memory:');
    try {
      const glob = (t: string): string => `read_parquet('${path.join(parquetRoot, '*', t, '**', '*.parquet')}', hive_partitioning = true)`;
      // The tables with people's text columns (legal representatives, phones, addresses) and the codes.
      for (const table of ['registration', 'employers', 'employer_facts', 'tax_registration', 'employer_links', 'findings']) {
        const rows = await db.allJson<Record<string, unknown>>(`SELECT * FROM ${glob(table)}`);
        expect(rows.length, table).toBeGreaterThan(0);
        for (const row of rows) {
          for (const text of strings(row)) {
            const folded = fold(text);
            for (const id of IDS) expect(folded.includes(id), `${table}: ${id.slice(0, 6)}…`).toBe(false);
          }
          for (const col of ['phone', 'legal_rep']) {
            const v = row[col];
            if (typeof v === 'string') expect(fold(v), `${table}.${col}: ${v}`).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
          }
        }
      }
      const hashed = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${glob('tax_registration')} WHERE taxpayer_id LIKE 'h:%'`);
      expect(Number(hashed[0]?.n)).toBeGreaterThan(0);
      const idLike = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${glob('tax_registration')} WHERE regexp_matches(taxpayer_id, '^[0-9]{20}$')`);
      expect(Number(idLike[0]?.n)).toBe(0);
      const joined = await db.all<{ n: bigint }>(
        `SELECT count(*) AS n FROM ${glob('tax_registration')} t JOIN ${glob('employer_links')} l ON l.record_key = t.taxpayer_id WHERE t.taxpayer_id LIKE 'h:%'`,
      );
      expect(Number(joined[0]?.n), 'hashed codes still join').toBeGreaterThan(0);
    } finally {
      db.close();
    }

    // Modes: the umask of recon (main.ts) and the database's own chmod; the key 0600.
    const modes = new Map<string, number>();
    for (const root of [runDir, parquetRoot]) {
      for (const rel of ['', ...listTree(root)]) {
        const p = path.join(root, rel);
        const st = fs.lstatSync(p);
        if (!st.isSymbolicLink()) modes.set(p, st.mode & 0o777);
      }
    }
    // restricted/ (the 代缴 lists with full ID numbers) is the service account's alone: 0700 / 0600.
    const restricted = (p: string): boolean => path.relative(runDir, p).split(path.sep)[0] === 'restricted';
    expect([...modes.keys()].some(restricted), 'the run has a restricted/ folder').toBe(true);
    for (const [p, mode] of modes) {
      const dir = fs.statSync(p).isDirectory();
      expect(mode.toString(8), p).toBe(restricted(p) ? (dir ? '700' : '600') : dir ? '750' : '640');
    }
    expect((fs.statSync(w.database).mode & 0o777).toString(8)).toBe('640');
    expect((fs.statSync(path.dirname(w.database)).mode & 0o777).toString(8)).toBe('750');
    expect((fs.statSync(keyFile(w.database)).mode & 0o777).toString(8)).toBe('600');
  }, 180_000);
});
