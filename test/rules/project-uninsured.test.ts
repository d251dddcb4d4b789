import path from 'node:path';
import { mkdirSync, readdirSync } from 'node:fs';
import { describe, it, expect, beforeAll } from 'vitest';
import ExcelJS from 'exceljs';
import { load, rows, tempDir, testContext, withDb, writeText } from '../helpers.ts';
import { PROJECTS_DIR, writeProjectLists } from '../../src/publish/project-lists.ts';
import { usccOf, type Scenario } from './builder.ts';
import { PersonWorld } from './person-builder.ts';
import { projectNameKey } from '../../src/rules/project-facts.ts';
import { bulletinProjects, projectWording, type Bulletin } from '../../src/campaign/bulletin.ts';
import { bulletinHtml } from '../../src/campaign/bulletin-html.ts';
import { bulletinWorkbook } from '../../src/campaign/bulletin-xlsx.ts';
import { bulletinWith } from '../campaign/bulletin-support.ts';

// D = 2026-10-31: a permit is due when 2025-10-31 < issued_on <= 2026-10-24 (D - 7 days).
const employers: Scenario[] = [
  { id: 'builder', enrollment: [{ type: '410', status: '1' }] },
  { id: 'other', enrollment: [{ type: '410', status: '1' }] },
  { id: 'gone', status: '注销', closedOn: '2020-06-01' },
];
const BUILDER = usccOf(0);
const OTHER = usccOf(1);
const GONE = usccOf(2);
/** A valid USCC that is not in the registry; and one that fails its check. */
const UNKNOWN = usccOf(98);
const INVALID = `${UNKNOWN.slice(0, 17)}${UNKNOWN.endsWith('0') ? '1' : '0'}`;

interface Permit {
  no: string;
  name: string;
  uscc: string;
  issued: string;
  amount?: number;
  status?: string;
  district?: string;
}
interface Enrolment {
  id: string;
  permit?: string;
  name: string;
  unit?: string;
  uscc?: string;
  enrolled: string;
  status?: string;
}

const permits: Permit[] = [
  { no: 'SG-D7', name: '七日项目', uscc: BUILDER, issued: '2026-10-24', amount: 1000 },
  { no: 'SG-D6', name: '六日项目', uscc: BUILDER, issued: '2026-10-25' },
  { no: 'SG-YEAR', name: '整年项目', uscc: BUILDER, issued: '2025-10-31' },
  { no: 'SG-YEAR1', name: '一年内项目', uscc: BUILDER, issued: '2025-11-01', amount: 200 },
  { no: 'SG-BYPERMIT', name: '按编号参保项目', uscc: BUILDER, issued: '2026-06-01', district: '320506' },
  { no: 'SG-BYNAME', name: '蘇州(工業園) 一號樓·項目', uscc: BUILDER, issued: '2026-06-01', district: '320506' },
  { no: 'SG-NAMEOTHER', name: '二号楼项目', uscc: OTHER, issued: '2026-06-01' },
  { no: 'SG-AFTER', name: '后参保项目', uscc: BUILDER, issued: '2026-06-01' },
  { no: 'SG-ANYSTATUS', name: '终止参保项目', uscc: BUILDER, issued: '2026-06-01' },
  { no: 'SG-UNIT', name: '单位编号项目', uscc: BUILDER, issued: '2026-06-01' },
  { no: 'SG-UNKNOWN', name: '外地施工项目', uscc: UNKNOWN, issued: '2026-06-01', amount: 10 },
  { no: 'SG-INVALID', name: '错码施工项目', uscc: INVALID, issued: '2026-06-01' },
  { no: 'SG-DONE', name: '已竣工项目', uscc: OTHER, issued: '2026-02-01', status: '竣工' },
  { no: 'SG-GONE', name: '注销单位项目', uscc: GONE, issued: '2026-06-01' },
  // Two rows of one permit number: one finding, the earliest issued_on.
  { no: 'SG-TWICE', name: '重复项目', uscc: OTHER, issued: '2026-05-01' },
  { no: 'SG-TWICE', name: '重复项目', uscc: OTHER, issued: '2026-03-01' },
];
const enrolments: Enrolment[] = [
  // The permit number folded like a code (full-width, case, spaces).
  { id: 'XM001', permit: 'ｓｇ－bypermit', name: '别的名称', uscc: OTHER, enrolled: '2026-06-10' },
  // No permit number: the contractor's USCC and the normalised name (traditional, brackets, spaces, punctuation).
  { id: 'XM002', name: '苏州【工业园】一号楼项目', uscc: BUILDER, enrolled: '2026-06-10' },
  // The same name, another contractor: does not cover SG-NAMEOTHER (contractor OTHER).
  { id: 'XM003', name: '二号楼项目', uscc: BUILDER, enrolled: '2026-06-10' },
  // Enrolled after D: not yet insured on D.
  { id: 'XM004', permit: 'SG-AFTER', name: '后参保项目', uscc: BUILDER, enrolled: '2026-11-05' },
  // Any status counts.
  { id: 'XM005', permit: 'SG-ANYSTATUS', name: '终止参保项目', uscc: BUILDER, enrolled: '2026-06-10', status: '3' },
  // No contractor USCC: the employer of its unit (U000001 is builder's).
  { id: 'XM006', name: '单位编号项目', unit: 'U000001', enrolled: '2026-06-10' },
];

function csv(header: string[], lines: Array<Array<string | number | undefined>>): string {
  return [header.join(','), ...lines.map((l) => l.map((v) => (v === undefined ? '' : String(v))).join(','))].join('\n');
}

async function deliverProjects(world: PersonWorld, dir: string): Promise<void> {
  const files = [
    writeText(
      dir,
      'construction_permit_20261031.csv',
      csv(
        ['施工许可证编号', '项目名称', '施工单位统一社会信用代码', '施工单位名称', '发证日期', '合同金额（万元）', '项目所在区县', '项目状态'],
        permits.map((p) => [p.no, p.name, p.uscc, `施工${p.no}公司`, p.issued, p.amount ?? 100, p.district ?? '320505', p.status ?? '在建']),
      ),
    ),
    writeText(
      dir,
      'si_project_20261031.csv',
      csv(
        ['项目参保编号', '施工许可证编号', '项目名称', '单位编号', '施工单位统一社会信用代码', '参保日期', '参保状态'],
        enrolments.map((e) => [e.id, e.permit, e.name, e.unit, e.uscc, e.enrolled, e.status ?? '1']),
      ),
    ),
  ];
  for (const file of files) {
    const result = await load(world.db, file, { defaultAsOf: '2026-10-31' });
    expect(result.status, `${path.basename(file)}: ${'message' in result ? result.message : ''}`).toBe('loaded');
  }
  expect(await rows(world.db, `SELECT file_name, line, column_name, reason FROM rejects`)).toEqual([]);
}

interface ProjectFinding {
  permit_no: string;
  employer: string;
  uscc: string;
  severity: string;
  amount: number | null;
  evidence: Record<string, unknown>;
  evidence_text: string;
}

describe('project_uninsured (新开工项目未参加工伤保险)', () => {
  let all: ProjectFinding[];
  let dq: Array<Record<string, unknown>>;
  let cases: number;
  let second: ProjectFinding[];
  let ledger: Array<Record<string, unknown>>;
  let list: { files: string[]; cells: string[][] };
  let recorded: Array<Record<string, unknown>>;
  let bulletin: Bulletin['projects'];
  let otherRun: Bulletin['projects'];
  beforeAll(async () => {
    await withDb(async (db) => {
      const world = new PersonWorld(db, employers, []);
      await world.deliver();
      const dir = tempDir('recon-projects-');
      mkdirSync(dir, { recursive: true });
      await deliverProjects(world, dir);
      await world.run();
      const label = new Map(employers.map((s, i) => [usccOf(i, s.kind), s.id]));
      const read = async (): Promise<ProjectFinding[]> =>
        (
          await rows(
            db,
            `SELECT v.permit_no, v.uscc, coalesce(e.uscc, '') AS employer_uscc, v.severity, CAST(v.amount AS DOUBLE) AS amount,
                    CAST(f.evidence AS VARCHAR) AS evidence, f.evidence_text
             FROM project_findings_latest v JOIN findings f ON f.case_id = v.case_id AND f.run_id = (SELECT max(run_id) FROM findings)
             LEFT JOIN employers e ON e.employer_id = v.employer_id AND v.employer_id <> '' ORDER BY v.permit_no`,
          )
        ).map((r) => ({
          permit_no: String(r['permit_no']),
          employer: r['employer_uscc'] === '' ? '' : (label.get(String(r['employer_uscc'])) ?? '?'),
          uscc: String(r['uscc']),
          severity: String(r['severity']),
          amount: r['amount'] === null ? null : Number(r['amount']),
          evidence: JSON.parse(String(r['evidence'])) as Record<string, unknown>,
          evidence_text: String(r['evidence_text']),
        }));
      all = await read();
      dq = await rows(db, `SELECT category, record_key FROM dq_issues WHERE source = 'construction_permit' ORDER BY record_key`);
      const runDir = tempDir('recon-project-run-');
      await writeProjectLists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir }));
      ledger = await rows(db, `SELECT district_code, permits, insured, rate, target, reached FROM ledger_project_district`);
      recorded = await rows(
        db,
        `SELECT run_id, district_code, permits, insured, rate, target, reached FROM ledger_project_runs ORDER BY district_code NULLS LAST`,
      );
      bulletin = await bulletinProjects(db, 'run-1');
      otherRun = await bulletinProjects(db, 'run-0');
      const folder = path.join(runDir, PROJECTS_DIR);
      const files = readdirSync(folder).sort();
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(folder, files[0] as string));
      const cells: string[][] = [];
      wb.worksheets[0]?.eachRow((row) => cells.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
      list = { files, cells };
      // A second run on the same data keeps the same cases (one per permit).
      await world.run({ runId: 'run-2' });
      second = await read();
      cases = Number((await rows(db, `SELECT count(*) AS n FROM cases WHERE rule_id = 'project_uninsured'`))[0]?.['n']);
    });
  });
  const f = (no: string): ProjectFinding | undefined => all.find((x) => x.permit_no === no);

  it('finds exactly the uninsured permits of RULES.md', () => {
    expect(all.map((x) => x.permit_no)).toEqual(['SG-AFTER', 'SG-D7', 'SG-DONE', 'SG-INVALID', 'SG-NAMEOTHER', 'SG-TWICE', 'SG-UNKNOWN', 'SG-YEAR1']);
    expect(all.every((x) => x.severity === 'high')).toBe(true);
  });

  it('issued exactly D - 7 is found, D - 6 is not; exactly a year before D is out, a day later in', () => {
    expect(f('SG-D7')).toMatchObject({ employer: 'builder', uscc: BUILDER, evidence: { issued_on: '2026-10-24', days_since: 7 } });
    expect(f('SG-D6')).toBeUndefined();
    expect(f('SG-YEAR')).toBeUndefined();
    expect(f('SG-YEAR1')).toMatchObject({ evidence: { issued_on: '2025-11-01' } });
  });

  it('insured by permit number (folded), by contractor and normalised name, via the unit; any status; not after D', () => {
    for (const no of ['SG-BYPERMIT', 'SG-BYNAME', 'SG-UNIT', 'SG-ANYSTATUS']) expect(f(no), no).toBeUndefined();
    expect(f('SG-AFTER')).toBeDefined();
    expect(f('SG-NAMEOTHER')).toMatchObject({ employer: 'other' });
    expect(projectNameKey('蘇州(工業園) 一號樓·項目')).toBe(projectNameKey('苏州【工业园】一号楼项目'));
  });

  it('a contractor not in the registry or with a failing USCC is still a finding, without an employer, and reported', () => {
    expect(f('SG-UNKNOWN')).toMatchObject({ employer: '', uscc: UNKNOWN });
    expect(f('SG-INVALID')).toMatchObject({ employer: '', uscc: INVALID });
    expect(dq).toEqual([
      { category: 'project_contractor_invalid', record_key: 'SG-INVALID' },
      { category: 'project_contractor_unknown', record_key: 'SG-UNKNOWN' },
    ]);
  });

  it('amount = contract amount (万元) x 10000 x project_injury_rate; whatever the status; the employer exclusions apply', () => {
    expect(f('SG-D7')?.amount).toBe(15000);
    expect(f('SG-UNKNOWN')?.amount).toBe(150);
    expect(f('SG-DONE')).toBeDefined();
    expect(f('SG-GONE')).toBeUndefined();
  });

  it('one finding per permit number, from its earliest issue; the worklist text names project, permit and date', () => {
    expect(all.filter((x) => x.permit_no === 'SG-TWICE')).toHaveLength(1);
    expect(f('SG-TWICE')?.evidence_text).toBe('项目未参保：重复项目，施工许可证 SG-TWICE，发证 2026-03-01');
  });

  it("the ledger counts permits of D's year up to D - 7 per district, and the insured among them (a hand count)", () => {
    // 320505: D7, NAMEOTHER, AFTER, ANYSTATUS, UNIT, UNKNOWN, INVALID, DONE, GONE, TWICE (D6 is too recent, YEAR and
    // YEAR1 are of 2025); insured ANYSTATUS and UNIT. 320506: BYPERMIT and BYNAME, both insured.
    expect(ledger).toEqual([
      { district_code: '320505', permits: 10, insured: 2, rate: 0.2, target: 0.9, reached: false },
      { district_code: '320506', permits: 2, insured: 2, rate: 1, target: 0.9, reached: true },
      { district_code: null, permits: 12, insured: 4, rate: 0.3333, target: 0.9, reached: false },
    ]);
  });

  it('publish keeps the run’s ledger rows, and the bulletin ranks the districts on the rate', () => {
    expect(recorded).toEqual(ledger.map((r) => ({ run_id: 'run-1', ...r })));
    expect(bulletin.districts.map((d) => [d.rank, d.districtCode, d.permits, d.insured, d.rate, d.reached])).toEqual([
      [1, '320506', 2, 2, 1, true],
      [2, '320505', 10, 2, 0.2, false],
    ]);
    expect(bulletin.city).toMatchObject({ rank: null, permits: 12, insured: 4, rate: 0.3333, target: 0.9, reached: false });
    expect(otherRun).toEqual({ districts: [], city: null });

    const b = { asOf: '2026-10-31', projects: bulletin } as Bulletin;
    const names = bulletin.districts.map((d) => d.districtName);
    expect(projectWording(b)).toBe(
      `截至 2026-10-31，全市本年新开工项目（发证满 7 天）12 个，已参加工伤保险 4 个，参保率 33.3%（目标 90.0%），未达到目标。` +
        `达到目标的区县：${names[0]}（100.0%）。未达到目标的区县：${names[1]}（20.0%），请督促施工单位先参保、再开工。`,
    );
    expect(projectWording({ asOf: '2026-10-31', projects: otherRun } as Bulletin)).toBeNull();
  });

  it('the bulletin page and workbook show the project ranking', () => {
    const b = bulletinWith({ projects: bulletin });
    const html = bulletinHtml(b);
    expect(html).toContain('<h2>五、新开工项目工伤保险参保情况</h2>');
    expect(html).toContain(
      `<tr class="bottom"><td>2</td><td class="name">${bulletin.districts[1]?.districtName}</td><td>10</td><td>2</td><td>20.0%</td><td>90.0%</td><td>未达标</td></tr>`,
    );
    expect(html).toContain('<tr class="total"><td></td><td class="name">合计</td><td>12</td><td>4</td><td>33.3%</td><td>90.0%</td><td>未达标</td></tr>');
    const ws = bulletinWorkbook(b).getWorksheet('项目参保') as ExcelJS.Worksheet;
    const cells = [3, 4, 5].map((r) => (ws.getRow(r).values as unknown[]).slice(1));
    expect(cells).toEqual([
      [1, bulletin.districts[0]?.districtName, 2, 2, 1, 0.9, '达标'],
      [2, bulletin.districts[1]?.districtName, 10, 2, 0.2, 0.9, '未达标'],
      [undefined, '合计', 12, 4, 0.3333, 0.9, '未达标'],
    ]);
  });

  it('writes one list per district with the uninsured projects, oldest first, and a total', () => {
    expect(list.files).toHaveLength(1);
    expect(list.files[0]).toMatch(/^新开工项目未参保_.+\.xlsx$/);
    expect(list.cells[0]).toEqual([
      '序号',
      '项目名称',
      '施工许可证编号',
      '施工单位',
      '统一社会信用代码',
      '合同金额\n（万元）',
      '发证日期',
      '已过天数',
      '估算工伤\n保险费（元）',
      '案件编号',
    ]);
    // SG-YEAR1 (2025-11-01) first, SG-D7 (2026-10-24, 7 days) last; then the total row.
    expect(list.cells.slice(1, -1).map((r) => r[2])).toEqual([
      'SG-YEAR1',
      'SG-DONE',
      'SG-TWICE',
      'SG-AFTER',
      'SG-INVALID',
      'SG-NAMEOTHER',
      'SG-UNKNOWN',
      'SG-D7',
    ]);
    expect(list.cells.at(-2)?.slice(6, 9)).toEqual(['2026-10-24', '7', '15000']);
    expect(list.cells.find((r) => r[2] === 'SG-UNKNOWN')?.[3]).toContain('施工单位不在登记库中');
    expect(list.cells.at(-1)?.slice(0, 2)).toEqual(['合计', '8 个项目']);
  });

  it('a second run keeps one case per permit', () => {
    expect(second.map((x) => x.permit_no)).toEqual(all.map((x) => x.permit_no));
    expect(cases).toBe(all.length);
  });
});
