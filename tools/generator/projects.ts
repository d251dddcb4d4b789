/**
 * Construction projects for `recon generate --projects` (EXPORTS.md kinds 11-12): building permits
 * (住建 施工许可) and work-injury insurance by project (工伤保险按项目参保), with planted cases of
 * RULES.md `project_uninsured` and their truth (truth/project_findings.csv, project_ledger.csv).
 *
 * Contractors are drawn from the compliant background employers (in the registry, valid USCC,
 * no linking difficulty, established over two years before D, an SI unit), so no employer
 * exclusion applies to them; one planted case names a contractor that is not in the registry.
 * Everything here has its own random streams ('projects:*'): the employer and person files are
 * the same with or without projects.
 */
import { join } from 'node:path';
import { residentCheckChar } from '../../src/core/resident-id.ts';
import type { LocalParams } from '../../src/reference/params.ts';
import { isoOf, ymd } from './dates.ts';
import { makeOrgCode, makeUscc } from './codes.ts';
import type { Employer } from './model.ts';
import { Rng } from './random.ts';
import { DelimitedWriter } from './writers.ts';

/** The planted kinds of permit, and whether each is a finding. */
export const PROJECT_CASES = {
  insured_by_permit: false,
  insured_by_name: false,
  insured_via_unit: false,
  insured_terminated: false,
  insured_after_d: true,
  not_insured: true,
  unknown_contractor: true,
  issued_6_days: false,
  issued_d_minus_7: true,
  issued_one_year: false,
  issued_one_year_less_a_day: true,
  issued_long_ago: false,
} as const;
export type ProjectCase = keyof typeof PROJECT_CASES;

/** The planted cases in order; the background (most permits) is insured by permit number. */
const PLANTED: ProjectCase[] = Object.keys(PROJECT_CASES) as ProjectCase[];

export interface ProjectSummary {
  contractors: number;
  permits: number;
  enrolments: number;
  findings: number;
  byCase: Record<string, number>;
}

interface Contractor {
  uscc: string;
  name: string;
  districtCode: string;
  unitId: string | null;
}

interface Permit {
  no: string;
  name: string;
  contractor: Contractor;
  issued: number;
  amountWan: number;
  status: string;
  kase: ProjectCase | 'background' | 'background_uninsured';
}

const PROJECT_KINDS_OF_WORK = ['住宅项目', '商业综合体项目', '厂房建设工程', '学校改扩建工程', '道路改造工程', '安置房项目', '综合楼工程', '产业园项目'];
/** Characters given in traditional form in a "name only" enrolment. */
const TRADITIONAL: Record<string, string> = {
  号: '號',
  项: '項',
  楼: '樓',
  园: '園',
  区: '區',
  设: '設',
  厂: '廠',
  综: '綜',
  业: '業',
  务: '務',
  学: '學',
  扩: '擴',
  进: '進',
  产: '產',
  房: '房',
  层: '層',
  道: '道',
  路: '路',
  改: '改',
  造: '造',
  工: '工',
  程: '程',
};

/** A name as a second clerk types it: traditional characters, another kind of bracket, spaces. */
function variantName(name: string): string {
  return [...name]
    .map((c) => TRADITIONAL[c] ?? c)
    .join('')
    .replace('（', '【')
    .replace('）', '】')
    .replace(/(.{3})/, '$1 ');
}

/**
 * A permit number: area, issue date, serial (18 digits, as many cities write them). The same
 * shape as a resident ID, so 1 in 11 would also pass an ID's check character and look like a
 * person's number to a privacy scan of the outputs (which print permit numbers in full); the
 * generator skips those serials (real permit numbers can, and `id-scan` would report them).
 */
function permitNumber(prefix: string, serial: number): string {
  let s = serial;
  for (;;) {
    const no = `${prefix}${String(s).padStart(4, '0')}`;
    if (residentCheckChar(no.slice(0, 17)) !== no.charAt(17)) return no;
    s += 5000;
  }
}

/** Digits written full-width with a space in the middle (folded back by recon like any code). */
function fullWidth(code: string): string {
  const wide = [...code].map((c) => (/[0-9A-Z]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
  return `${wide.slice(0, 6)} ${wide.slice(6)}`;
}

function compact(day: number): string {
  const { y, m, d } = ymd(day);
  return `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}

/** The project_injury_rate in force on D (the local parameters' period), else 0.0015. */
export function projectInjuryRate(params: LocalParams, asOf: number): number {
  const day = isoOf(asOf);
  return params.periods.find((p) => p.validFrom <= day && day <= p.validTo)?.projectInjuryRate ?? 0.0015;
}

/** Collects contractors while the employers stream by, then writes the two exports and the truth. */
export class ProjectBuilder {
  private readonly contractors: Contractor[] = [];
  readonly summary: ProjectSummary = { contractors: 0, permits: 0, enrolments: 0, findings: 0, byCase: {} };

  constructor(
    private readonly seed: number,
    private readonly asOf: number,
    private readonly params: LocalParams,
  ) {}

  /** Takes an employer as a contractor when it is a plain compliant enterprise (its own random stream). */
  addEmployer(e: Employer, index: number): void {
    if (e.scenario !== 'bg_compliant' || e.kind !== 'enterprise' || e.hard.length > 0 || e.registry.source !== 'registration') return;
    if (e.registry.statusClass !== 'active' || e.established > this.asOf - 730 || e.si === null || e.si.usccWritten !== 'valid') return;
    if (!new Rng(this.seed, `projects:contractor:${index}`).chance(0.6)) return;
    this.contractors.push({ uscc: e.uscc, name: e.name, districtCode: e.districtCode, unitId: e.si.unitId });
  }

  /** The file names this builder writes (for a run without projects: removed). */
  static fileNames(asOf: number): string[] {
    return [`住建_建筑工程施工许可_${compact(asOf)}.csv`, `工伤保险项目参保_${compact(asOf)}.csv`];
  }

  /** Writes the permits, the project enrolments and the truth; returns the files written. */
  async write(out: string, truthDir: string): Promise<Array<{ file: string; kind: string; rows: number }>> {
    const rng = new Rng(this.seed, 'projects');
    const D = this.asOf;
    const permits: Permit[] = [];
    const enrolments: Array<Array<string | null>> = [];
    const rate = projectInjuryRate(this.params, D);
    this.summary.contractors = this.contractors.length;
    if (this.contractors.length === 0) return this.writeFiles(out, truthDir, permits, enrolments, rate);
    let serial = 0;
    const newPermit = (contractor: Contractor, issued: number, kase: Permit['kase']): Permit => {
      serial++;
      const work = rng.pick(PROJECT_KINDS_OF_WORK);
      const phase = rng.chance(0.4) ? `（${rng.pick(['一', '二', '三'])}期）` : '';
      const p: Permit = {
        no: permitNumber(`${contractor.districtCode}${compact(issued)}`, serial),
        // The serial keeps two projects of one contractor apart by name.
        name: `${contractor.name.replace(/(有限公司|有限责任公司|股份有限公司)$/, '')}承建${serial}号地块${work}${phase}`,
        contractor,
        issued,
        amountWan: rng.int(50, 20000) + rng.int(0, 99) / 100,
        status: rng.weighted({ 在建: 8, 停工: 1, 竣工: 1 }),
        kase,
      };
      permits.push(p);
      return p;
    };
    let projectSerial = 0;
    const enrol = (p: Permit, o: { permit?: string | null; name?: string; uscc?: string | null; unit?: string | null; on?: number; status?: string }): void => {
      projectSerial++;
      enrolments.push([
        `GSXM${String(projectSerial).padStart(6, '0')}`,
        o.permit === undefined ? p.no : o.permit,
        o.name ?? p.name,
        o.unit === undefined ? p.contractor.unitId : o.unit,
        o.uscc === undefined ? p.contractor.uscc : o.uscc,
        isoOf(o.on ?? Math.min(D, p.issued + rng.int(0, 20))),
        o.status ?? rng.weighted({ '1': 8, '2': 1, '3': 1 }),
      ]);
    };
    const within = (): number => D - rng.int(8, 360);
    const pickContractor = (): Contractor => rng.pick(this.contractors);
    // The planted cases, each at least once (more with more contractors).
    const rounds = Math.max(1, Math.floor(this.contractors.length / 20));
    for (let round = 0; round < rounds; round++) {
      for (const kase of PLANTED) {
        const c = pickContractor();
        // The permit number as the SI clerk typed it (full-width, a space), another name, no contractor: still the same permit.
        if (kase === 'insured_by_permit') {
          const p = newPermit(c, within(), kase);
          enrol(p, { permit: fullWidth(p.no), name: `${p.name}（另报）`, uscc: null, unit: null });
        }
        if (kase === 'insured_by_name') {
          const p = newPermit(c, within(), kase);
          enrol(p, { permit: null, name: variantName(p.name), unit: null });
        }
        if (kase === 'insured_via_unit') {
          const p = newPermit(c, within(), kase);
          enrol(p, { permit: null, uscc: null });
        }
        if (kase === 'insured_terminated') enrol(newPermit(c, within(), kase), { status: '3' });
        if (kase === 'insured_after_d') enrol(newPermit(c, within(), kase), { on: D + rng.int(1, 10) });
        if (kase === 'not_insured') newPermit(c, within(), kase);
        if (kase === 'unknown_contractor') {
          const ghost: Contractor = {
            uscc: makeUscc('91', c.districtCode, makeOrgCode(new Rng(this.seed, `projects:ghost:${round}`), true)),
            name: `外地${c.name}`,
            districtCode: c.districtCode,
            unitId: null,
          };
          newPermit(ghost, within(), kase);
        }
        if (kase === 'issued_6_days') newPermit(c, D - 6, kase);
        if (kase === 'issued_d_minus_7') newPermit(c, D - 7, kase);
        if (kase === 'issued_one_year') newPermit(c, oneYearBefore(D), kase);
        if (kase === 'issued_one_year_less_a_day') newPermit(c, oneYearBefore(D) + 1, kase);
        if (kase === 'issued_long_ago') newPermit(c, D - rng.int(400, 900), kase);
      }
    }
    // The background: most contractors' permits insured by permit number, some not.
    for (const c of this.contractors) {
      for (let k = rng.int(0, 2); k > 0; k--) {
        const insured = rng.chance(0.85);
        const p = newPermit(c, within(), insured ? 'background' : 'background_uninsured');
        if (insured) enrol(p, {});
      }
    }
    return this.writeFiles(out, truthDir, permits, enrolments, rate);
  }

  private async writeFiles(
    out: string,
    truthDir: string,
    permits: Permit[],
    enrolments: Array<Array<string | null>>,
    rate: number,
  ): Promise<Array<{ file: string; kind: string; rows: number }>> {
    const [permitFile, projectFile] = ProjectBuilder.fileNames(this.asOf) as [string, string];
    const pw = new DelimitedWriter(join(out, permitFile), 'utf8bom', ',');
    pw.write([
      '施工许可证编号',
      '项目编码',
      '项目名称',
      '施工单位统一社会信用代码',
      '施工单位名称',
      '发证日期',
      '合同金额（万元）',
      '项目所在区县',
      '项目状态',
    ]);
    for (const [i, p] of permits.entries())
      pw.write([
        p.no,
        `XM${String(i + 1).padStart(7, '0')}`,
        p.name,
        p.contractor.uscc,
        p.contractor.name,
        isoOf(p.issued),
        p.amountWan.toFixed(2),
        p.contractor.districtCode,
        p.status,
      ]);
    await pw.close();
    const sw = new DelimitedWriter(join(out, projectFile), 'gbk', ',');
    sw.write(['项目参保编号', '施工许可证编号', '项目名称', '单位编号', '施工单位统一社会信用代码', '参保日期', '参保状态']);
    for (const row of enrolments) sw.write(row.map((v) => v ?? ''));
    await sw.close();

    const findings = new DelimitedWriter(join(truthDir, 'project_findings.csv'), 'utf8', ',');
    findings.write(['rule_id', 'permit_no', 'uscc', 'severity', 'amount', 'case']);
    const cases = new DelimitedWriter(join(truthDir, 'project_cases.csv'), 'utf8', ',');
    cases.write(['permit_no', 'case', 'issued_on', 'uscc', 'finding']);
    const ledger = new Map<string, { permits: number; insured: number }>();
    const year = ymd(this.asOf).y;
    for (const p of permits) {
      const found = p.kase === 'background_uninsured' ? true : p.kase === 'background' ? false : PROJECT_CASES[p.kase];
      this.summary.byCase[p.kase] = (this.summary.byCase[p.kase] ?? 0) + 1;
      cases.write([p.no, p.kase, isoOf(p.issued), p.contractor.uscc, found ? '1' : '0']);
      if (found) {
        this.summary.findings++;
        findings.write(['project_uninsured', p.no, p.contractor.uscc, 'high', (Math.round(p.amountWan * 10000 * rate * 100) / 100).toFixed(2), p.kase]);
      }
      // The ledger: permits of D's year up to D - 7; insured = enrolled on or before D.
      if (ymd(p.issued).y === year && p.issued <= this.asOf - 7) {
        const insured = ![
          'insured_after_d',
          'not_insured',
          'unknown_contractor',
          'issued_6_days',
          'issued_d_minus_7',
          'issued_one_year',
          'issued_one_year_less_a_day',
          'issued_long_ago',
          'background_uninsured',
        ].includes(p.kase);
        for (const k of [p.contractor.districtCode, '']) {
          const t = ledger.get(k) ?? { permits: 0, insured: 0 };
          t.permits++;
          if (insured) t.insured++;
          ledger.set(k, t);
        }
      }
    }
    await findings.close();
    await cases.close();
    const lw = new DelimitedWriter(join(truthDir, 'project_ledger.csv'), 'utf8', ',');
    lw.write(['district_code', 'permits', 'insured']);
    for (const [k, t] of [...ledger.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b))))
      lw.write([k, String(t.permits), String(t.insured)]);
    await lw.close();
    this.summary.permits = permits.length;
    this.summary.enrolments = enrolments.length;
    return [
      { file: permitFile, kind: 'construction_permit', rows: permits.length },
      { file: projectFile, kind: 'si_project', rows: enrolments.length },
    ];
  }
}

/** The same calendar day a year before (29 February: the 28th). */
export function oneYearBefore(day: number): number {
  const { y, m, d } = ymd(day);
  const iso = (yy: number, dd: number): string => `${yy}-${String(m).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
  const t = Date.parse(`${iso(y - 1, d)}T00:00:00Z`);
  const date = Number.isNaN(t) || new Date(t).getUTCDate() !== d ? Date.parse(`${iso(y - 1, 28)}T00:00:00Z`) : t;
  return day - Math.round((Date.parse(`${isoOf(day)}T00:00:00Z`) - date) / 86_400_000);
}
