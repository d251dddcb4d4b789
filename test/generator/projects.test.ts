import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInbox } from '../../tools/generator/generate.ts';
import type { GenerateSummary } from '../../tools/generator/generate.ts';
import { PROJECT_CASES, ProjectBuilder, oneYearBefore } from '../../tools/generator/projects.ts';
import { dayOf, isoOf } from '../../tools/generator/dates.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PARAMS = join(ROOT, 'pipelines', 'local-params.yaml');
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'recon-projects-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function hashes(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
}
const csv = (file: string): Array<Record<string, string>> =>
  parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;

describe('recon generate --projects', () => {
  let withProjects: { dir: string; summary: GenerateSummary };
  let without: { dir: string; summary: GenerateSummary };
  beforeAll(async () => {
    const a = tempDir();
    const b = tempDir();
    withProjects = { dir: a, summary: await generateInbox({ employers: 300, seed: 1, out: join(a, 'inbox'), params: PARAMS, persons: false, projects: true }) };
    without = { dir: b, summary: await generateInbox({ employers: 300, seed: 1, out: join(b, 'inbox'), params: PARAMS, persons: false }) };
  }, 60_000);

  it('adds the two project files and three truth files; every other file is byte-identical', () => {
    for (const sub of ['inbox', 'truth']) {
      const a = hashes(join(withProjects.dir, sub));
      const b = hashes(join(without.dir, sub));
      const added = [...a.keys()].filter((f) => !b.has(f)).sort();
      expect(added).toEqual(
        sub === 'inbox' ? [...ProjectBuilder.fileNames(dayOf('2026-10-31'))].sort() : ['project_cases.csv', 'project_findings.csv', 'project_ledger.csv'],
      );
      for (const [f, h] of b) expect(a.get(f), `${sub}/${f}`).toBe(h);
    }
    expect(withProjects.summary.mismatches).toEqual([]);
  });

  it('plants every case, at the boundaries of RULES.md, with truth that follows them', () => {
    const cases = csv(join(withProjects.dir, 'truth', 'project_cases.csv'));
    const kinds = new Set(cases.map((c) => c['case']));
    for (const k of Object.keys(PROJECT_CASES)) expect(kinds.has(k), k).toBe(true);
    const on = (k: string): string[] => cases.filter((c) => c['case'] === k).map((c) => c['issued_on'] as string);
    expect(new Set(on('issued_6_days'))).toEqual(new Set(['2026-10-25']));
    expect(new Set(on('issued_d_minus_7'))).toEqual(new Set(['2026-10-24']));
    expect(new Set(on('issued_one_year'))).toEqual(new Set(['2025-10-31']));
    expect(new Set(on('issued_one_year_less_a_day'))).toEqual(new Set(['2025-11-01']));
    const findings = csv(join(withProjects.dir, 'truth', 'project_findings.csv'));
    const found = new Set(findings.map((f) => f['permit_no']));
    for (const c of cases) expect(found.has(c['permit_no'] as string), `${c['case']} ${c['permit_no']}`).toBe(c['finding'] === '1');
    // The amounts: contract amount (万元) x 10000 x 0.0015 (pipelines/local-params.yaml).
    const permits = csv(join(withProjects.dir, 'inbox', ProjectBuilder.fileNames(dayOf('2026-10-31'))[0] as string));
    for (const f of findings) {
      const p = permits.find((x) => x['施工许可证编号'] === f['permit_no']);
      expect(Number(f['amount'])).toBeCloseTo(Number(p?.['合同金额（万元）']) * 10000 * 0.0015, 2);
    }
  });

  it('the same calendar day a year before (29 February: the 28th)', () => {
    expect(isoOf(oneYearBefore(dayOf('2026-10-31')))).toBe('2025-10-31');
    expect(isoOf(oneYearBefore(dayOf('2028-02-29')))).toBe('2027-02-28');
    expect(isoOf(oneYearBefore(dayOf('2026-03-01')))).toBe('2025-03-01');
  });
});
