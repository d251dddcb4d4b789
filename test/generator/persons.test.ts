import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentIdCheckChar } from '../../src/link/codes.ts';
import { CONTRACTS, normaliseHeader } from '../../src/sources/index.ts';
import type { Kind } from '../../src/sources/index.ts';
import { generateInbox } from '../../tools/generator/generate.ts';
import type { GenerateSummary } from '../../tools/generator/generate.ts';
import { dayOf } from '../../tools/generator/dates.ts';
import { kindsMatching } from '../../tools/generator/inbox.ts';
import { PERSON_CASES } from '../../tools/generator/person-cases.ts';
import { PERSON_CONTRACTS, PERSON_KINDS, allKindsMatching } from '../../tools/generator/person-files.ts';
import type { PersonKind } from '../../tools/generator/person-files.ts';
import { ageOn, normaliseResidentId, yearsBefore } from '../../tools/generator/person-ids.ts';
import type { Person } from '../../tools/generator/person-model.ts';
import { evaluatePerson, personParams } from '../../tools/generator/person-truth.ts';
import type { PersonTruthContext } from '../../tools/generator/person-truth.ts';
import { loadLocalParams } from '../../src/reference/params.ts';
import { closedMonth } from '../../tools/generator/dates.ts';
import { evaluate } from '../../tools/evaluate/evaluate.ts';
import { withDb } from '../helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PARAMS = join(ROOT, 'pipelines', 'local-params.yaml');
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'recon-persons-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const EMPTY = new Set(['', 'N/A', '-', '无', 'null', 'NULL']);
type Row = Record<string, string>;

type Table = { headers: string[]; rows: { line: number; cells: string[] }[] };
const tables = new Map<string, Promise<Table>>();
/** A table of a generated file (read once): the header row and the rows below it with their line (sheet row) numbers. */
function readTable(path: string): Promise<Table> {
  const cached = tables.get(path) ?? readTableNow(path);
  tables.set(path, cached);
  return cached;
}

async function readTableNow(path: string): Promise<Table> {
  let grid: string[][];
  if (path.endsWith('.xlsx')) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const sheet = wb.worksheets[0];
    if (sheet === undefined) throw new Error(`${path}: no sheet`);
    grid = [];
    for (let r = 1; r <= sheet.rowCount; r++) {
      const values = sheet.getRow(r).values as unknown[];
      const cells = values.slice(1).map((v) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v)));
      grid.push(cells);
    }
  } else {
    const bytes = readFileSync(path);
    const utf8 = bytes.toString('utf8');
    const text = utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gbk') : utf8.replace(/^\uFEFF/, '');
    const first = text.slice(0, text.indexOf('\n'));
    const delimiter = first.includes('\t') ? '\t' : first.includes('|') ? '|' : ',';
    grid = parse(text, { delimiter, relax_column_count: true }) as string[][];
  }
  const at = grid.findIndex((r) => allKindsMatching(r).length > 0);
  return { headers: grid[at] ?? [], rows: grid.slice(at + 1).map((cells, i) => ({ line: at + 2 + i, cells })) };
}

/** Rows by canonical column name of a kind (person kinds from EXPORTS.md, employer kinds from src/sources). */
async function readKind(path: string, kind: PersonKind | Kind): Promise<(Row & { _line: string })[]> {
  const { headers, rows } = await readTable(path);
  const columns = (PERSON_KINDS as readonly string[]).includes(kind) ? PERSON_CONTRACTS[kind as PersonKind] : CONTRACTS[kind as Kind].columns;
  const names = headers.map((h) => columns.find((c) => c.aliases.some((a) => normaliseHeader(a) === normaliseHeader(h)))?.name ?? h);
  return rows.map((r) => {
    const row: Row & { _line: string } = { _line: String(r.line) };
    names.forEach((n, i) => {
      const v = (r.cells[i] ?? '').trim();
      row[n] = EMPTY.has(v) ? '' : v;
    });
    return row;
  });
}

const code = (v: string | undefined): string => (v ?? '').normalize('NFKC').replace(/\s+/g, '').toUpperCase();
const cents = (v: string | undefined): number => Math.round(Number((v ?? '').replace(/[￥,]/g, '')) * 100);
function period(v: string | undefined): string {
  const m = /^(\d{4})(?:-|年)?(\d{1,2})月?$/.exec((v ?? '').trim());
  if (m === null) return '';
  return `${m[1]}-${String(Number(m[2])).padStart(2, '0')}`;
}
/** The reading EXPORTS.md describes, implemented here on its own: fold, upper case, 15 -> 18 with src/link's check character. */
function normaliseId(written: string): string {
  const folded = written.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  if (!/^\d{15}$/.test(folded)) return folded;
  const first17 = `${folded.slice(0, 6)}19${folded.slice(6)}`;
  return first17 + residentIdCheckChar(first17);
}
const insType = (v: string): string => ({ 企业职工基本养老保险: '110', 养老: '110' })[v] ?? v;

function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const sub of ['inbox', 'truth']) for (const f of readdirSync(join(dir, sub))) files.set(`${sub}/${f}`, readFileSync(join(dir, sub, f)));
  return files;
}
function csv(path: string): Row[] {
  return parse(readFileSync(path), { columns: true }) as Row[];
}

describe('people in the committed fixture size (300 employers, seed 1, mixed)', () => {
  let dir: string;
  let summary: GenerateSummary;
  beforeAll(async () => {
    dir = tempDir();
    // The committed fixture has the projects too (tools/generator/projects.ts; their own random streams).
    summary = await generateInbox({ employers: 300, seed: 1, out: join(dir, 'inbox'), persons: true, projects: true });
  }, 60_000);

  it('leaves every committed fixture file and the employer truth byte-identical', () => {
    for (const f of readdirSync(join(ROOT, 'fixtures', 'inbox')))
      expect(readFileSync(join(dir, 'inbox', f)).equals(readFileSync(join(ROOT, 'fixtures', 'inbox', f))), f).toBe(true);
    for (const f of ['employers.csv', 'links.csv', 'findings.csv', 'expected_rejects.csv'])
      expect(readFileSync(join(dir, 'truth', f)).equals(readFileSync(join(ROOT, 'fixtures', 'truth', f))), f).toBe(true);
  });

  it('plants every case once, and the evaluator agrees with every expectation', () => {
    expect(summary.mismatches).toEqual([]);
    expect(summary.persons?.incomplete).toBe(0);
    for (const c of PERSON_CASES) expect(summary.persons?.cases[c.id], c.id).toBe(1);
    expect(summary.persons?.correction).toMatch(/^E\d{7} 2026-09$/);
  });

  it('writes for each planted person exactly its expected rows of person_findings.csv', () => {
    const findings = csv(join(dir, 'truth', 'person_findings.csv'));
    const cases = csv(join(dir, 'truth', 'person_cases.csv'));
    expect(new Set(cases.map((c) => c['case']))).toEqual(new Set(PERSON_CASES.map((c) => c.id)));
    for (const c of cases) {
      const got = findings.filter((f) => f['id_no'] === c['id_no']).map((f) => `${f['rule_id']}${f['uscc'] ? `@${f['uscc']}` : ''}:${f['severity']}`);
      const want = (c['expected'] ?? '').split(';').filter((x) => x !== '');
      expect(got.length, c['case']).toBe(want.length);
      // An expectation without a severity matches any severity.
      for (const w of want)
        expect(
          got.some((g) => g === w || g.startsWith(`${w}:`)),
          `${c['case']}: ${w} in [${got.join(', ')}]`,
        ).toBe(true);
    }
    // Amounts: 2 decimals where the rule has one, empty for person_lapsed.
    for (const f of findings) expect(f['amount'] ?? '', f['rule_id']).toMatch(f['rule_id'] === 'person_lapsed' ? /^$/ : /^\d+\.\d{2}$/);
    // The capped case: W = cap 27,000, base 0.8 x cap - 1,000 = 20,600: (27,000 - 20,600) x 16% x 3 = 3,072.00.
    const capped = cases.find((c) => c['case'] === 'p_base_capped_low');
    expect(findings.find((f) => f['id_no'] === capped?.['id_no'])?.['amount']).toBe(((27_000 - (21_600 - 1_000)) * 0.16 * 3).toFixed(2));
  });

  it('has as many wage earners per agent and month as the withholding headcount, their incomes summing to the wages', async () => {
    const inbox = join(dir, 'inbox');
    const rejects = csv(join(dir, 'truth', 'expected_rejects.csv'));
    const whFile = summary.files.find((f) => f.kind === 'tax_withholding')?.file ?? '';
    const bad = new Set(rejects.filter((r) => r['file'] === whFile).map((r) => r['line']));
    const withholding = (await readKind(join(inbox, whFile), 'tax_withholding')).filter((r) => !bad.has(r._line));
    const main = summary.files.find((f) => f.kind === 'iit_detail' && !f.file.includes('更正'))?.file ?? '';
    const correction = summary.files.find((f) => f.kind === 'iit_detail' && f.file.includes('更正'))?.file ?? '';
    expect(correction).not.toBe('');
    const key = (r: Row): string => `${code(r['taxpayer_id'])} ${period(r['period'])}`;
    const detail = new Map<string, Row[]>();
    for (const r of await readKind(join(inbox, main), 'iit_detail')) detail.set(key(r), [...(detail.get(key(r)) ?? []), r]);
    // The later file wins per (agent, month).
    const corrected = new Map<string, Row[]>();
    for (const r of await readKind(join(inbox, correction), 'iit_detail')) corrected.set(key(r), [...(corrected.get(key(r)) ?? []), r]);
    expect(corrected.size).toBe(1);
    for (const [k, rows] of corrected) {
      expect(detail.has(k)).toBe(true);
      detail.set(k, rows);
    }
    let checked = 0;
    for (const w of withholding) {
      const rows = (detail.get(key(w)) ?? []).filter((r) => (r['income_item'] ?? '') === '' || r['income_item'] === '正常工资薪金');
      const people = new Set(rows.map((r) => normaliseId(r['id_no'] ?? '')));
      expect(people.size, key(w)).toBe(Number(w['headcount']));
      expect(
        rows.reduce((s, r) => s + cents(r['income']), 0),
        key(w),
      ).toBe(cents(w['wages']));
      if (people.size > 0) checked++;
    }
    expect(checked).toBeGreaterThan(500);
    // And no wage rows of an agent and month without a withholding row.
    const withRows = new Set(withholding.map(key));
    for (const [k, rows] of detail)
      if (rows.some((r) => (r['income_item'] ?? '') === '' || r['income_item'] === '正常工资薪金')) expect(withRows.has(k), k).toBe(true);
  });

  it("writes the planted ID spellings (15-digit, lower-case x, full-width) that normalise to the truth's 18-character ID", async () => {
    const cases = csv(join(dir, 'truth', 'person_cases.csv'));
    const spelled = cases.filter((c) => (c['id_written'] ?? '') !== '');
    const kinds = new Set<string>();
    for (const c of spelled)
      for (const w of (c['id_written'] ?? '').split('|')) {
        expect(normaliseId(w), c['case']).toBe(c['id_no']);
        expect(normaliseResidentId(w), c['case']).toBe(c['id_no']);
        kinds.add(/^\d{15}$/.test(w) ? '15' : w.endsWith('x') ? 'x' : /[０-９]/.test(w) ? 'fullwidth' : 'other');
      }
    expect([...kinds].sort()).toEqual(['15', 'fullwidth', 'x']);
    // The spellings are in the files as written, and the truth holds the 18-character, upper-case form.
    const written = new Set<string>();
    for (const f of summary.files.filter((x) => (PERSON_KINDS as readonly string[]).includes(x.kind)))
      for (const r of await readKind(join(dir, 'inbox', f.file), f.kind as PersonKind)) written.add(r['id_no'] ?? '');
    for (const c of spelled) for (const w of (c['id_written'] ?? '').split('|')) expect(written.has(w), `${c['case']}: ${w}`).toBe(true);
    for (const f of csv(join(dir, 'truth', 'person_findings.csv'))) expect(f['id_no']).toMatch(/^\d{17}[\dX]$/);
  });

  it('gives every person file a header of exactly its kind, with every required column', async () => {
    const person = summary.files.filter((f) => (PERSON_KINDS as readonly string[]).includes(f.kind));
    expect(person.map((f) => f.kind).sort()).toEqual(['assistance', 'assistance', 'assistance', 'iit_detail', 'iit_detail', 'resident_pension', 'si_person']);
    expect(person.some((f) => f.file.endsWith('.xlsx'))).toBe(true);
    const gbk = person.filter(
      (f) =>
        f.file.endsWith('.csv') &&
        readFileSync(join(dir, 'inbox', f.file))
          .toString('utf8')
          .includes('\uFFFD'),
    );
    expect(gbk.length).toBeGreaterThanOrEqual(2);
    for (const f of gbk) {
      const bytes = readFileSync(join(dir, 'inbox', f.file));
      const text = iconv.decode(bytes, 'gbk');
      expect(text, f.file).not.toContain('\uFFFD');
      expect(iconv.encode(text, 'gbk').equals(bytes), f.file).toBe(true);
    }
    for (const f of person) {
      const { headers } = await readTable(join(dir, 'inbox', f.file));
      expect(allKindsMatching(headers), f.file).toEqual([f.kind]);
      // When recon reads the kind, its own contract recognises the file as that kind alone.
      if (f.kind in CONTRACTS) expect(kindsMatching(headers), f.file).toEqual([f.kind]);
      else expect(kindsMatching(headers), f.file).toEqual([]);
    }
  });
});

describe('people: determinism and the employer files', () => {
  it('gives the same bytes for the same options, people included', async () => {
    const a = tempDir();
    const b = tempDir();
    await generateInbox({ employers: 100, seed: 5, out: join(a, 'inbox'), persons: true });
    await generateInbox({ employers: 100, seed: 5, out: join(b, 'inbox'), persons: true });
    const ta = readTree(a);
    const tb = readTree(b);
    expect([...tb.keys()].sort()).toEqual([...ta.keys()].sort());
    expect([...ta.keys()].some((k) => k.includes('个税全员全额扣缴申报明细'))).toBe(true);
    for (const [name, bytes] of ta) expect(tb.get(name)?.equals(bytes), name).toBe(true);
  }, 30_000);

  it('writes the employer files and truth byte-identical with and without people; the people agree with the SI payments', async () => {
    const withPeople = tempDir();
    const without = tempDir();
    const s = await generateInbox({ employers: 150, seed: 3, out: join(withPeople, 'inbox'), formats: 'csv', persons: true });
    const t = await generateInbox({ employers: 150, seed: 3, out: join(without, 'inbox'), formats: 'csv', persons: false });
    expect(s.mismatches).toEqual([]);
    expect(s.files.slice(0, t.files.length)).toEqual(t.files);
    for (const f of t.files) expect(readFileSync(join(withPeople, 'inbox', f.file)).equals(readFileSync(join(without, 'inbox', f.file))), f.file).toBe(true);
    for (const f of ['employers.csv', 'links.csv', 'findings.csv', 'expected_rejects.csv'])
      expect(readFileSync(join(withPeople, 'truth', f)).equals(readFileSync(join(without, 'truth', f))), f).toBe(true);
    expect(readdirSync(join(without, 'truth')).filter((f) => f.startsWith('person_'))).toEqual([]);
    expect(t.persons).toBeUndefined();

    // For each unit, the people whose last paid month is the unit's last paid 110 month are that payment's count, their bases its base_total.
    const inbox = join(withPeople, 'inbox');
    const file = (kind: string): string => s.files.find((f) => f.kind === kind)?.file ?? '';
    // Planted people with rows of their own at a unit come on top of the counts (truth/README.md).
    const extra = new Set(['p_enrolled_unpaid', 'p_enrolled_paid_m2', 'p_enrolled_never_paid', 'p_lapsed_at_unit']);
    const planted = new Set(
      csv(join(withPeople, 'truth', 'person_cases.csv'))
        .filter((c) => extra.has(c['case'] ?? ''))
        .map((c) => c['id_no']),
    );
    const last = new Map<string, { month: string; count: number; base: number }>();
    for (const p of await readKind(join(inbox, file('si_payment')), 'si_payment')) {
      if (insType(p['insurance_type'] ?? '') !== '110' || cents(p['amount_paid']) <= 0) continue;
      const unit = code(p['unit_id']);
      const month = period(p['period']);
      if ((last.get(unit)?.month ?? '') < month) last.set(unit, { month, count: Number(p['insured_count']), base: cents(p['base_total']) });
    }
    const people = new Map<string, { count: number; base: number }>();
    for (const r of await readKind(join(inbox, file('si_person')), 'si_person')) {
      const unit = code(r['unit_id']);
      if (insType(r['insurance_type'] ?? '') !== '110' || unit === '' || planted.has(normaliseId(r['id_no'] ?? ''))) continue;
      if (period(r['last_paid_period']) !== last.get(unit)?.month) continue;
      const t = people.get(unit) ?? { count: 0, base: 0 };
      people.set(unit, { count: t.count + 1, base: t.base + cents(r['base']) });
    }
    expect(last.size).toBeGreaterThan(30);
    for (const [unit, pay] of last) expect(people.get(unit), unit).toEqual({ count: pay.count, base: pay.base });

    // And the active 110 rows at a unit enrolled in 110 are its enrollment's insured count.
    const active = new Map<string, number>();
    for (const r of await readKind(join(inbox, file('si_person')), 'si_person'))
      if (
        insType(r['insurance_type'] ?? '') === '110' &&
        ['1', '参保缴费', '正常参保'].includes(r['status'] ?? '') &&
        !planted.has(normaliseId(r['id_no'] ?? ''))
      )
        active.set(code(r['unit_id']), (active.get(code(r['unit_id'])) ?? 0) + 1);
    let units = 0;
    for (const en of await readKind(join(inbox, file('si_enrollment')), 'si_enrollment')) {
      if (insType(en['insurance_type'] ?? '') !== '110' || !['1', '参保缴费', '正常参保'].includes(en['status'] ?? '')) continue;
      expect(active.get(code(en['unit_id'])) ?? 0, en['unit_id']).toBe(Number(en['insured_count']));
      units++;
    }
    expect(units).toBeGreaterThan(30);
  }, 30_000);
});

describe('person truth evaluator', () => {
  const params = loadLocalParams(PARAMS);
  const ctxAt = (iso: string): PersonTruthContext => {
    const asOf = dayOf(iso);
    return { asOf, closedMonth: closedMonth(asOf, 15), params, person: personParams(PARAMS, asOf) };
  };
  const id = `11010519800101001${residentIdCheckChar('11010519800101001')}`;
  const onRoll = (years: number[]): Person => ({
    key: 'T1',
    idType: '居民身份证',
    idNo: id,
    name: '测试',
    personNo: null,
    case: null,
    iit: [],
    si: [],
    resident: years.map((year) => ({ year, status: 'active', funding: 'daijiao', paid: 20_000, identity: '低保', districtCode: '110105', street: '' })),
    aid: [{ category: '城市低保', office: 'civil', since: null, until: null, districtCode: '110105', street: '', community: '' }],
  });
  const none = (): never => {
    throw new Error('no employer');
  };

  it('reads 代缴 for the year of D from month 7, for the year before until June', () => {
    const rules = (p: Person, iso: string): string[] => evaluatePerson(p, none, ctxAt(iso)).map((f) => f.rule);
    expect(rules(onRoll([2025]), '2026-06-30')).toEqual([]);
    expect(rules(onRoll([2025]), '2026-07-01')).toEqual(['assistance_not_covered']);
    expect(rules(onRoll([2026]), '2026-06-30')).toEqual(['assistance_not_covered']);
    expect(rules(onRoll([2026]), '2026-07-01')).toEqual([]);
    expect(evaluatePerson(onRoll([]), none, ctxAt('2026-10-31'))[0]?.amount).toBe(20_000);
  });

  it('counts ages in whole years with the birthday, 29 February on 1 March', () => {
    expect(ageOn(dayOf('2010-11-20'), dayOf('2026-11-19'))).toBe(15);
    expect(ageOn(dayOf('2010-11-20'), dayOf('2026-11-20'))).toBe(16);
    expect(ageOn(dayOf('2008-02-29'), dayOf('2026-02-28'))).toBe(17);
    expect(ageOn(dayOf('2008-02-29'), dayOf('2026-03-01'))).toBe(18);
    expect(yearsBefore(dayOf('2028-02-29'), 2)).toBe(dayOf('2026-02-28'));
  });

  it('folds the written forms of an ID to one 18-character number', () => {
    const id = '11010519491231002X';
    expect(normaliseResidentId('110105491231002')).toBe(id);
    expect(normaliseResidentId('11010519491231002x')).toBe(id);
    expect(normaliseResidentId(' １１０１０５１９４９１２３１００２Ｘ ')).toBe(id);
    expect(normaliseResidentId('110105 19491231 002X')).toBe(id);
  });
});

describe('evaluate: person rules', () => {
  const truthDir = (): string => {
    const dir = tempDir();
    const lines = [
      'rule_id,id_no,person_name,uscc,severity,amount',
      'person_uninsured,110105198001010018,甲,91320505MA813UE26P,medium,10214.40',
      'person_uninsured,110105198001010026,乙,91320505MA813UE26P,medium,864.00',
      'person_lapsed,11010519800101001X,丙,,low,',
    ];
    for (const f of ['links.csv', 'findings.csv']) {
      const header = f === 'links.csv' ? 'kind,file,key,key_clean,name,employer_key,hard_cases' : 'employer_key,rule_id,severity,detail';
      writeFileSync(join(dir, f), `${header}\n`);
    }
    writeFileSync(join(dir, 'person_findings.csv'), `${lines.join('\n')}\n`);
    return dir;
  };

  it('says the person rules are not in a database without person_findings_latest', async () => {
    const dir = truthDir();
    await withDb(async (db) => {
      const e = await evaluate(db, dir);
      expect(e.persons).toEqual({ skipped: 'not in this database (no view person_findings_latest)' });
    });
  });

  it('scores each person rule on (rule_id, id_no, uscc), the ID upper-cased and an empty uscc for rules without an employer', async () => {
    const dir = truthDir();
    await withDb(async (db) => {
      await db.run(`CREATE VIEW person_findings_latest AS SELECT * FROM (VALUES
        ('person_uninsured', '110105198001010018', '甲', '91320505MA813UE26P', 1, 'c1', 'medium', 10214.40),
        ('person_uninsured', '110105198001010034', '丁', '91320505MA813UE26P', 1, 'c2', 'medium', 864.00),
        ('person_lapsed', '11010519800101001x', '丙', NULL, NULL, 'c3', 'low', NULL))
        AS t(rule_id, id_no, person_name, uscc, employer_id, case_id, severity, amount)`);
      const e = await evaluate(db, dir);
      expect(e.persons).toEqual({
        rules: {
          person_lapsed: { truePositives: 1, falsePositives: 0, falseNegatives: 0, precision: 1, recall: 1 },
          person_uninsured: { truePositives: 1, falsePositives: 1, falseNegatives: 1, precision: 0.5, recall: 0.5 },
        },
      });
    });
  });
});
