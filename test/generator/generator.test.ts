import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgCodeCheckChar, usccCheckChar } from '../../src/link/codes.ts';
import { PERSON_KINDS, PROJECT_KINDS } from '../../src/sources/contract.ts';
import { generateInbox } from '../../tools/generator/generate.ts';
import type { GenerateSummary } from '../../tools/generator/generate.ts';
import { kindsMatching } from '../../tools/generator/inbox.ts';
import { closedMonth, dayOf, monthIso } from '../../tools/generator/dates.ts';
import { RULE_IDS } from '../../tools/generator/truth.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'recon-gen-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const sub of ['inbox', 'truth']) for (const f of readdirSync(join(dir, sub))) files.set(`${sub}/${f}`, readFileSync(join(dir, sub, f)));
  return files;
}

/** The decoded lines of a delimited file, whatever its encoding. */
function csvRows(path: string): string[][] {
  const bytes = readFileSync(path);
  const utf8 = bytes.toString('utf8');
  const text = utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gbk') : utf8.replace(/^\uFEFF/, '');
  const first = text.slice(0, text.indexOf('\n'));
  const delimiter = first.includes('\t') ? '\t' : first.includes('|') ? '|' : ',';
  return parse(text, { delimiter, relax_column_count: true }) as string[][];
}

async function xlsxRows(path: string, count: number): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const sheet = wb.worksheets[0];
  if (sheet === undefined) throw new Error(`${path}: no sheet`);
  const rows: string[][] = [];
  for (let r = 1; r <= Math.min(count, sheet.rowCount); r++) {
    const values = sheet.getRow(r).values as unknown[];
    rows.push(values.slice(1).map((v) => (v === null || v === undefined ? '' : String(v))));
  }
  return rows;
}

describe('generator (small run)', () => {
  let dir: string;
  let summary: GenerateSummary;
  beforeAll(async () => {
    dir = tempDir();
    summary = await generateInbox({ employers: 150, seed: 7, out: join(dir, 'inbox') });
  });

  it('is deterministic: the same options give the same bytes', async () => {
    const other = tempDir();
    await generateInbox({ employers: 150, seed: 7, out: join(other, 'inbox') });
    const a = readTree(dir);
    const b = readTree(other);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, bytes] of a) expect(b.get(name)?.equals(bytes), name).toBe(true);
  });

  it('changes with the seed', async () => {
    const other = tempDir();
    await generateInbox({ employers: 150, seed: 8, out: join(other, 'inbox') });
    expect(readFileSync(join(other, 'truth', 'employers.csv')).equals(readFileSync(join(dir, 'truth', 'employers.csv')))).toBe(false);
  });

  it('writes every file variety of mixed mode', () => {
    const names = summary.files.map((f) => f.file);
    expect(names.some((n) => n.endsWith('.xlsx'))).toBe(true);
    const raw = names.filter((n) => n.endsWith('.csv')).map((n) => readFileSync(join(dir, 'inbox', n)));
    expect(raw.some((b) => b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)).toBe(true);
    expect(raw.some((b) => b.toString('utf8').includes('\uFFFD'))).toBe(true); // GBK
    const firstLines = names.filter((n) => n.endsWith('.csv')).map((n) => csvRows(join(dir, 'inbox', n))[0]?.length ?? 0);
    expect(firstLines.every((n) => n > 3)).toBe(true);
    const text = raw.map((b) => b.subarray(0, 400).toString('latin1'));
    expect(text.some((t) => t.split('\n')[0]?.includes('\t'))).toBe(true);
    expect(text.some((t) => t.split('\n')[0]?.includes('|'))).toBe(true);
  });

  it('gives every file a header that matches exactly one kind', async () => {
    for (const f of summary.files) {
      const path = join(dir, 'inbox', f.file);
      const rows = f.file.endsWith('.xlsx') ? await xlsxRows(path, 4) : csvRows(path).slice(0, 1);
      const header = rows.find((r) => kindsMatching(r).length > 0);
      expect(header, f.file).toBeDefined();
      expect(kindsMatching(header ?? []), f.file).toEqual([f.kind]);
    }
  });

  it('decodes the GBK files without loss', () => {
    for (const f of summary.files.filter((x) => x.file.endsWith('.csv'))) {
      const bytes = readFileSync(join(dir, 'inbox', f.file));
      if (!bytes.toString('utf8').includes('\uFFFD')) continue;
      const text = iconv.decode(bytes, 'gbk');
      expect(text).not.toContain('\uFFFD');
      expect(iconv.encode(text, 'gbk').equals(bytes), f.file).toBe(true);
      expect(text).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('writes valid USCCs with the right prefix per kind', () => {
    const rows = parse(readFileSync(join(dir, 'truth', 'employers.csv')), { columns: true }) as Record<string, string>[];
    const prefix: Record<string, RegExp> = { enterprise: /^91/, individual: /^92/, coop: /^93/, social_org: /^5[123]/ };
    for (const row of rows) {
      const uscc = row['uscc'] ?? '';
      expect(uscc).toMatch(/^[0-9A-HJ-NPQRTUWXY]{18}$/);
      expect(usccCheckChar(uscc.slice(0, 17))).toBe(uscc.charAt(17));
      expect(orgCodeCheckChar(uscc.slice(8, 16))).toBe(uscc.charAt(16));
      expect(uscc.slice(2, 8)).toBe(row['district_code']);
      expect(uscc).toMatch(prefix[row['kind'] ?? ''] ?? /^$/);
    }
  });

  it('finds no disagreement between scenarios and the reference evaluator', () => {
    expect(summary.mismatches).toEqual([]);
  });

  it('records planted bad rows at their line numbers', async () => {
    const rejects = parse(readFileSync(join(dir, 'truth', 'expected_rejects.csv')), { columns: true }) as Record<string, string>[];
    // The employer kinds carry planted bad rows; the person and project files carry their
    // problems as values (invalid ID numbers, unknown contractors), reported in data quality.
    const employerFiles = summary.files.filter((f) => ![...PERSON_KINDS, ...PROJECT_KINDS].includes(f.kind as never));
    expect(employerFiles.length).toBeGreaterThanOrEqual(8);
    expect(rejects.length).toBeGreaterThanOrEqual(employerFiles.length * 2);
    for (const r of rejects.filter((x) => (x['file'] ?? '').endsWith('.csv'))) {
      const rows = csvRows(join(dir, 'inbox', r['file'] ?? ''));
      const row = rows[Number(r['line']) - 1] ?? [];
      const header = rows[0] ?? [];
      if ((r['reason'] ?? '').startsWith('too many')) expect(row.length).toBeGreaterThan(header.length);
      else if ((r['reason'] ?? '').startsWith('missing')) expect(row).toContain('');
      else expect(row.some((c) => c === '2024-13-45' || c === '2024-13' || c === '12,3x4')).toBe(true);
    }
  });
});

describe('closed month', () => {
  it('is the last month that ended at least 15 days before D', () => {
    expect(monthIso(closedMonth(dayOf('2026-10-31'), 15))).toBe('2026-09');
    expect(monthIso(closedMonth(dayOf('2026-10-15'), 15))).toBe('2026-09');
    expect(monthIso(closedMonth(dayOf('2026-10-14'), 15))).toBe('2026-08');
  });
});

describe('committed fixture', () => {
  const truth = join(import.meta.dirname, '..', '..', 'fixtures', 'truth');
  it('has several positives of every rule', () => {
    const findings = parse(readFileSync(join(truth, 'findings.csv')), { columns: true }) as Record<string, string>[];
    for (const rule of RULE_IDS) expect(findings.filter((f) => f['rule_id'] === rule).length, rule).toBeGreaterThanOrEqual(3);
  });
  it('holds the near misses of every threshold', () => {
    const employers = parse(readFileSync(join(truth, 'employers.csv')), { columns: true }) as Record<string, string>[];
    const labels = new Set(employers.map((e) => e['scenario']));
    for (const label of [
      'exempt_established_29d',
      'uninsured_established_30d',
      'lapsed_ok_gap2',
      'under_declared_ok_ratio081',
      'under_declared_ok_diff9990',
      'under_declared_ok_at_floor',
      'under_enrolled_ok_gap2',
      'under_enrolled_ok_10pct',
      'arrears_ok_99',
      'arrears_100',
      'closed_enrolled_ok_29d',
      'closed_enrolled_ok_30d',
      'closed_still_enrolled_31d',
      'exempt_individual_no_evidence',
      'exempt_closed_withholding',
      'pair_suffix_insured',
      'pair_district_uninsured',
    ]) {
      expect(labels.has(label), label).toBe(true);
    }
  });
});

describe('scale', () => {
  it('generates 20,000 employers as CSV (time and memory printed, not asserted)', async () => {
    const dir = tempDir();
    const before = process.hrtime.bigint();
    const summary = await generateInbox({ employers: 20_000, seed: 1, out: join(dir, 'inbox'), formats: 'csv' });
    const seconds = Number(process.hrtime.bigint() - before) / 1e9;
    const rows = summary.files.reduce((n, f) => n + f.rows, 0);
    process.stdout.write(
      `generate 20k: ${seconds.toFixed(1)} s, ${rows} rows, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB, peak ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`,
    );
    expect(summary.mismatches).toEqual([]);
  }, 120_000);
});
