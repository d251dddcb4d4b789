import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LINK_PARAMS } from '../../src/config/pipeline-file.ts';
import { cleanCode, orgCodeCheckChar, validateOrgCode } from '../../src/link/codes.ts';
import { normaliseName } from '../../src/link/names.ts';
import { CONTRACTS, normaliseHeader } from '../../src/sources/index.ts';
import type { Kind } from '../../src/sources/index.ts';
import { generateInbox } from '../../tools/generator/generate.ts';
import type { GenerateSummary } from '../../tools/generator/generate.ts';
import { FORMER_NAME_SEPARATORS, drawColumns, kindsMatching } from '../../tools/generator/inbox.ts';
import { LINK_CASE_IDS, linkCaseRounds, nameSimilarity } from '../../tools/generator/link-cases.ts';
import { Rng } from '../../tools/generator/random.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PARAMS = join(ROOT, 'pipelines', 'local-params.yaml');
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'recon-linkcases-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

type Row = Record<string, string>;
const EMPTY = new Set(['', 'N/A', '-', '无', 'null', 'NULL']);
const SEPARATORS = /[;；、|]/;

/** A delimited file or the first sheet of a workbook: the header row (the first that matches a kind) and the rows below. */
async function grid(path: string): Promise<{ headers: string[]; rows: string[][] }> {
  let cells: string[][];
  if (path.endsWith('.xlsx')) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const sheet = wb.worksheets[0];
    if (sheet === undefined) throw new Error(`${path}: no sheet`);
    cells = [];
    for (let r = 1; r <= sheet.rowCount; r++)
      cells.push(((sheet.getRow(r).values as unknown[]) ?? []).slice(1).map((v) => (v === null || v === undefined ? '' : String(v))));
  } else {
    const bytes = readFileSync(path);
    const utf8 = bytes.toString('utf8');
    const text = utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gbk') : utf8.replace(/^\uFEFF/, '');
    const first = text.slice(0, text.indexOf('\n'));
    const delimiter = first.includes('\t') ? '\t' : first.includes('|') ? '|' : ',';
    cells = parse(text, { delimiter, relax_column_count: true }) as string[][];
  }
  const at = cells.findIndex((r) => kindsMatching(r).length > 0);
  return { headers: cells[at] ?? [], rows: cells.slice(at + 1) };
}

/** Rows of every file of a kind, by canonical column (empty markers read as ''). */
async function readKind(dir: string, summary: GenerateSummary, kind: Kind): Promise<{ headers: string[]; rows: Row[] }> {
  const headers: string[] = [];
  const rows: Row[] = [];
  for (const f of summary.files.filter((x) => x.kind === kind)) {
    const g = await grid(join(dir, 'inbox', f.file));
    headers.push(...g.headers);
    const names = g.headers.map((h) => CONTRACTS[kind].columns.find((c) => c.aliases.some((a) => normaliseHeader(a) === normaliseHeader(h)))?.name ?? h);
    for (const cells of g.rows) {
      const row: Row = {};
      names.forEach((n, i) => {
        const v = (cells[i] ?? '').trim();
        row[n] = EMPTY.has(v) ? '' : v;
      });
      rows.push(row);
    }
  }
  return { headers, rows };
}

const csv = (path: string): Row[] => parse(readFileSync(path), { columns: true }) as Row[];
const org = (written: string | undefined): string => cleanCode(written ?? '').replace('-', '');

interface Inbox {
  dir: string;
  summary: GenerateSummary;
  employers: Row[];
  links: Row[];
  registration: { headers: string[]; rows: Row[] };
  si: { headers: string[]; rows: Row[] };
}

async function generated(seed: number, formats: 'mixed' | 'csv'): Promise<Inbox> {
  const dir = tempDir();
  const summary = await generateInbox({ employers: 300, seed, out: join(dir, 'inbox'), params: PARAMS, formats, persons: false });
  return {
    dir,
    summary,
    employers: csv(join(dir, 'truth', 'employers.csv')),
    links: csv(join(dir, 'truth', 'links.csv')),
    registration: await readKind(dir, summary, 'registration'),
    si: await readKind(dir, summary, 'si_enrollment'),
  };
}

/** The planted employers of a case, each with its registry row (if any) and the rows of its SI unit. */
function planted(x: Inbox, label: string): { employer: Row; registry: Row | undefined; unitId: string; unit: Row[] }[] {
  return x.employers
    .filter((e) => e['scenario'] === label)
    .map((employer) => {
      const unitId = x.links.find((l) => l['kind'] === 'si_enrollment' && l['employer_key'] === employer['employer_key'])?.['key_clean'] ?? '';
      return {
        employer,
        registry: x.registration.rows.find((r) => cleanCode(r['uscc'] ?? '') === employer['uscc']),
        unitId,
        unit: x.si.rows.filter((r) => cleanCode(r['unit_id'] ?? '') === unitId),
      };
    });
}

describe('planted linking cases (300 employers)', () => {
  let mixed: Inbox;
  let plain: Inbox;
  beforeAll(async () => {
    mixed = await generated(2, 'mixed');
    plain = await generated(3, 'csv');
  }, 60_000);

  it('plants a round of every case per 150 employers, and the truth agrees with every scenario', () => {
    expect([linkCaseRounds(1), linkCaseRounds(300), linkCaseRounds(3000), linkCaseRounds(1_000_000)]).toEqual([1, 2, 20, 6667]);
    for (const x of [mixed, plain]) {
      expect(x.summary.mismatches).toEqual([]);
      for (const c of LINK_CASE_IDS) expect(x.summary.linkCases?.[c], c).toBe(2);
      for (const c of LINK_CASE_IDS) expect(x.employers.filter((e) => (e['hard_cases'] ?? '').split(';').includes(c)).length, c).toBe(2);
      expect(x.employers.filter((e) => e['scenario'] === 'review_candidate').length).toBe(2);
    }
  });

  it('writes 曾用名 / 历史名称 and 组织机构代码 / aab003 (both spellings across the formats)', () => {
    expect(mixed.registration.headers).toEqual(expect.arrayContaining(['曾用名', '历史名称']));
    expect(mixed.si.headers).toContain('组织机构代码');
    expect(plain.registration.headers).toContain('历史名称');
    expect(plain.si.headers).toContain('aab003');
  });

  it('adds a late column without a draw from the file stream: the other columns are the same', () => {
    for (const [kind, header] of [
      ['registration', '曾用名'],
      ['si_enrollment', '组织机构代码'],
    ] as const) {
      const without = drawColumns(new Rng(9, 'x'), kind, true);
      const withLate = drawColumns(new Rng(9, 'x'), kind, true, header);
      expect(withLate.filter((c) => c.header !== header)).toEqual(without);
      expect(withLate.filter((c) => c.header === header)).toHaveLength(1);
    }
  });

  it('reg_former_name: former names joined by one of the four separators; the unit has no code and one of them, exactly after normalisation', () => {
    for (const x of [mixed, plain]) {
      const current = new Set(x.employers.map((e) => normaliseName(e['name'] ?? '')));
      const cases = planted(x, 'reg_former_name');
      expect(cases.map((c) => c.employer['kind']).sort()).toEqual(['enterprise', 'individual']);
      for (const c of cases) {
        const cell = c.registry?.['former_names'] ?? '';
        const names = cell.split(SEPARATORS);
        expect(names.length, cell).toBeGreaterThanOrEqual(1);
        expect(names.length, cell).toBeLessThanOrEqual(3);
        if (names.length > 1)
          expect(
            FORMER_NAME_SEPARATORS.filter((s) => cell.includes(s)),
            cell,
          ).toHaveLength(1);
        for (const n of names) {
          expect(n).not.toBe('');
          expect(current.has(normaliseName(n)), n).toBe(false);
        }
        expect(c.unit.length).toBeGreaterThan(0);
        for (const r of c.unit) {
          expect(r['uscc']).toBe('');
          expect(r['org_code']).toBe('');
          expect(names.map(normaliseName)).toContain(normaliseName(r['name'] ?? ''));
        }
      }
      // Every former name of the run (background ones included) splits into names nobody else has.
      const formers = x.registration.rows.flatMap((r) => (r['former_names'] ? r['former_names'].split(SEPARATORS) : []));
      expect(formers.length).toBeGreaterThan(cases.length);
      expect(new Set(formers.map(normaliseName)).size).toBe(formers.length);
      expect(formers.filter((n) => current.has(normaliseName(n)))).toEqual([]);
    }
  });

  it('si_org_code_only: no USCC, the valid organisation code inside its employer’s USCC, an old name unlike the registry’s', () => {
    for (const x of [mixed, plain]) {
      for (const c of planted(x, 'si_org_code_only')) {
        expect(c.unit.length).toBeGreaterThan(0);
        for (const r of c.unit) {
          expect(r['uscc']).toBe('');
          expect(org(r['org_code'])).toBe(c.employer['uscc']?.slice(8, 17));
          expect(validateOrgCode(r['org_code'] ?? '').ok).toBe(true);
          expect(nameSimilarity(r['name'] ?? '', c.employer['name'] ?? '').score).toBeLessThan(DEFAULT_LINK_PARAMS.reviewMin);
          expect(normaliseName(r['name'] ?? '')).not.toBe(normaliseName(c.employer['name'] ?? ''));
        }
        // Registered before the reform: an 8-digit organisation code.
        expect(c.employer['uscc']?.slice(8, 16)).toMatch(/^\d{8}$/);
      }
    }
  });

  it('si_org_code_bad: the check character is wrong, the name is the registry’s, and the truth expects invalid_org_code', () => {
    for (const x of [mixed, plain]) {
      const expected = csv(join(x.dir, 'truth', 'expected_dq_issues.csv'));
      const cases = planted(x, 'si_org_code_bad');
      expect(expected.map((e) => `${e['category']} ${e['source']} ${e['record_key']}`).sort()).toEqual(
        cases.map((c) => `invalid_org_code si_unit ${c.unitId}`).sort(),
      );
      for (const c of cases) {
        for (const r of c.unit) {
          const code = org(r['org_code']);
          expect(r['uscc']).toBe('');
          expect(code.slice(0, 8)).toBe(c.employer['uscc']?.slice(8, 16));
          expect(code.charAt(8)).not.toBe(orgCodeCheckChar(code.slice(0, 8)));
          expect(validateOrgCode(r['org_code'] ?? '')).toMatchObject({ ok: false, reason: 'check_char' });
          expect(normaliseName(r['name'] ?? '')).toBe(normaliseName(c.employer['name'] ?? ''));
        }
      }
    }
  });

  it('review pairs: the unit’s name differs from its candidate’s, scoring from review_min up to auto_accept; the answers name them', () => {
    const { reviewMin, autoAccept } = DEFAULT_LINK_PARAMS;
    for (const x of [mixed, plain]) {
      const answers = csv(join(x.dir, 'truth', 'review_answers.csv'));
      expect(answers.map((a) => a['answer']).sort()).toEqual(['different', 'different', 'same', 'same']);
      for (const a of answers) {
        const candidate = x.registration.rows.find((r) => cleanCode(r['uscc'] ?? '') === a['candidate_uscc']);
        const unit = x.si.rows.filter((r) => cleanCode(r['unit_id'] ?? '') === a['record_key']);
        expect(candidate, a['candidate_uscc']).toBeDefined();
        expect(unit.length).toBeGreaterThan(0);
        for (const r of unit) {
          expect(r['uscc']).toBe('');
          expect(r['org_code']).toBe('');
          expect(r['district_code']).toBe(candidate?.['district_code']);
          expect(normaliseName(r['name'] ?? '')).not.toBe(normaliseName(candidate?.['name'] ?? ''));
          const s = nameSimilarity(r['name'] ?? '', candidate?.['name'] ?? '');
          expect(s.score, `${r['name']} / ${candidate?.['name']}`).toBeGreaterThanOrEqual(reviewMin);
          expect(s.score, `${r['name']} / ${candidate?.['name']}`).toBeLessThan(autoAccept);
          expect(s.sameSuffix && s.blocked).toBe(true);
        }
        const owner = x.links.filter((l) => l['employer_key'] === a['employer_key']).map((l) => l['kind']);
        if (a['answer'] === 'same') {
          expect(a['employer_key']).toBe(a['candidate_employer_key']);
          expect(owner).toContain('registration');
        } else {
          expect(a['employer_key']).not.toBe(a['candidate_employer_key']);
          // An employer of its own that only the SI office knows.
          expect(owner).toEqual(['si_enrollment']);
        }
      }
    }
  });

  it('writes the organisation code of the other units empty or as inside their USCC', () => {
    for (const x of [mixed, plain]) {
      const plantedUnits = new Set(
        x.links.filter((l) => l['kind'] === 'si_enrollment' && /reg_former_name|si_org_code|review_/.test(l['hard_cases'] ?? '')).map((l) => l['key_clean']),
      );
      let written = 0;
      for (const r of x.si.rows) {
        if (plantedUnits.has(cleanCode(r['unit_id'] ?? '')) || !r['org_code']) continue;
        written++;
        expect(org(r['org_code'])).toBe(cleanCode(r['uscc'] ?? '').slice(8, 17));
      }
      expect(written).toBeGreaterThan(20);
    }
  });

  it('is deterministic: the same seed gives byte-identical files', async () => {
    const again = tempDir();
    await generateInbox({ employers: 300, seed: 2, out: join(again, 'inbox'), params: PARAMS, formats: 'mixed', persons: false });
    for (const sub of ['inbox', 'truth']) {
      const names = readdirSync(join(mixed.dir, sub)).sort();
      expect(readdirSync(join(again, sub)).sort()).toEqual(names);
      for (const f of names) expect(readFileSync(join(again, sub, f)).equals(readFileSync(join(mixed.dir, sub, f))), `${sub}/${f}`).toBe(true);
    }
  }, 30_000);
});
