import path from 'node:path';
import { expect } from 'vitest';
import { tempDir, writeText, load, rows, testContext } from '../helpers.ts';
import type { Db } from '../../src/db/database.ts';
import { loadReferenceTables } from '../../src/reference/load.ts';
import { linkEmployers } from '../../src/link/stage.ts';
import { runRules, type RulesSummary } from '../../src/rules/runner.ts';
import { updateCases } from '../../src/cases/cases.ts';
import type { RulesConfig } from '../../src/config/pipeline-file.ts';
import { AS_OF, LOCAL_PARAMS, usccOf, writeExports, type Scenario } from './builder.ts';

/**
 * People for the person rules' tests, written as the agencies export them (EXPORTS.md kinds
 * 7-10) next to the employer exports of builder.ts, and run through the real stages (ingest,
 * link, rules, cases) in a migrated in-memory database.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character of the first 17 digits of a resident ID (ISO 7064 MOD 11-2). */
export function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (WEIGHTS[i] as number);
  return CHECK.charAt(sum % 11);
}

/** A resident ID born on `birth` (YYYY-MM-DD): sequence `n`, the 17th digit odd for a man. */
export function residentId(birth: string, male: boolean, n: number): string {
  const seq = String((2 * n + (male ? 1 : 0)) % 1000).padStart(3, '0');
  const first17 = `320505${birth.replaceAll('-', '')}${seq}`;
  return first17 + checkChar(first17);
}

/** One qualifying (or not) row of 个税全员全额扣缴申报明细. */
export interface Wage {
  /** The employer scenario whose taxpayer id is the withholding agent. */
  at: string;
  /** YYYY-MM */
  period: string;
  income?: number;
  /** 所得项目 (default 正常工资薪金; '' leaves it empty). */
  item?: string;
  /** 任职受雇从业类型 (default 雇员; '' leaves it empty). */
  type?: string;
  employedOn?: string;
  leftOn?: string;
}

/** One row of 社保个人参保信息. */
export interface SiRow {
  /** The employer scenario whose SI unit the row is at; null: none (insured on their own); a string starting with 'X': a unit outside the data. */
  at?: string | null;
  /** 险种 (default 110). */
  type?: string;
  /** 个人缴费状态: 1 active (default), 2 suspended, 3 terminated. */
  status?: string;
  /** 人员类别 (default 在职, or 灵活就业 without a unit). */
  personType?: string;
  base?: number;
  /** 末次缴费年月, YYYY-MM. */
  lastPaid?: string;
  phone?: string;
}

/** One row of 城乡居民基本养老保险参保缴费. */
export interface ResidentRow {
  year: number;
  /** 参保状态 (default 正常参保). */
  status?: string;
  /** 资金来源 (default 个人缴费). */
  funding?: string;
}

/** One row of 困难群体名单. */
export interface AidRow {
  category: string;
  /** 起始日期 (default 2024-01-01; null: empty). */
  since?: string | null;
  until?: string;
}

/** A person of a test: who they are and their rows in the four person kinds. */
export interface PersonSpec {
  /** The label tests use to name the person. */
  id: string;
  birth?: string;
  male?: boolean;
  /** 证件类型 as written in iit_detail (default 居民身份证). */
  idType?: string;
  /** Writes the number with a wrong check character everywhere. */
  badCheck?: boolean;
  wages?: Wage[];
  si?: SiRow[];
  resident?: ResidentRow[];
  aid?: AidRow[];
}

export interface PersonFinding {
  rule_id: string;
  person: string;
  /** The employer scenario's id, '' for a finding about the person alone. */
  employer: string;
  case_id: string;
  severity: string;
  amount: number | null;
  evidence: Record<string, unknown>;
  evidence_text: string;
}

function csv(header: string[], lines: Array<Array<string | number | undefined | null>>): string {
  return [header.join(','), ...lines.map((l) => l.map((v) => (v === undefined || v === null ? '' : String(v))).join(','))].join('\n');
}

/** The ID number of each person as written (index = their place in the list). */
export function idOf(p: PersonSpec, i: number): string {
  const id = residentId(p.birth ?? '1990-05-15', p.male ?? true, i + 1);
  if (!p.badCheck) return id;
  return id.slice(0, 17) + CHECK.charAt((CHECK.indexOf(id.charAt(17)) + 3) % 11);
}

/** Writes the person kinds' exports (only those with rows) for `people`, the employers being `employers` of builder.ts. */
export function writePersonExports(dir: string, employers: Scenario[], people: PersonSpec[], asOf = AS_OF, tag = ''): string[] {
  const index = new Map(employers.map((s, i) => [s.id, i]));
  const at = (id: string): number => {
    const i = index.get(id);
    if (i === undefined) throw new Error(`no employer scenario "${id}"`);
    return i;
  };
  const iit: Array<Array<string | number | undefined>> = [];
  const si: Array<Array<string | number | undefined>> = [];
  const rp: Array<Array<string | number | undefined>> = [];
  const aid: Array<Array<string | number | undefined>> = [];
  people.forEach((p, i) => {
    const id = idOf(p, i);
    const name = `测试${p.id}`;
    for (const w of p.wages ?? []) {
      const e = at(w.at);
      const emp = employers[e] as Scenario;
      iit.push([
        usccOf(e, emp.kind),
        `苏州${emp.id}有限公司`,
        w.period,
        p.idType ?? '居民身份证',
        id,
        name,
        w.item ?? '正常工资薪金',
        w.income ?? 8000,
        w.type ?? '雇员',
        w.employedOn,
        w.leftOn,
      ]);
    }
    (p.si ?? []).forEach((r, k) => {
      const unit = r.at === null || r.at === undefined ? undefined : r.at.startsWith('X') ? r.at : `U${String(at(r.at) + 1).padStart(6, '0')}`;
      si.push([
        `P${String(i + 1).padStart(6, '0')}${k}`,
        id,
        name,
        unit,
        r.type ?? '110',
        r.status ?? '1',
        r.personType ?? (unit ? '在职' : '灵活就业'),
        r.base,
        r.lastPaid,
        r.phone,
      ]);
    });
    for (const r of p.resident ?? []) rp.push([id, name, r.status ?? '正常参保', r.year, 200, r.funding ?? '个人缴费']);
    for (const a of p.aid ?? []) aid.push([id, name, a.category, a.since === undefined ? '2024-01-01' : (a.since ?? undefined), a.until, '320505']);
  });
  const stamp = asOf.replaceAll('-', '');
  const files: Array<[string, string[], typeof iit]> = [
    [
      `iit_detail${tag}_${stamp}.csv`,
      [
        '扣缴义务人纳税人识别号',
        '扣缴义务人名称',
        '税款所属期',
        '证件类型',
        '证件号码',
        '姓名',
        '所得项目',
        '本期收入',
        '任职受雇从业类型',
        '任职受雇从业日期',
        '离职日期',
      ],
      iit,
    ],
    [
      `si_person${tag}_${stamp}.csv`,
      ['个人编号', '公民身份号码', '姓名', '单位编号', '险种', '个人缴费状态', '人员类别', '缴费基数', '末次缴费年月', '联系电话'],
      si,
    ],
    [`resident_pension${tag}_${stamp}.csv`, ['公民身份号码', '姓名', '参保状态', '缴费年度', '缴费金额', '资金来源'], rp],
    [`assistance${tag}_${stamp}.csv`, ['身份证号码', '姓名', '类别', '起始日期', '停止日期', '所属区县'], aid],
  ];
  return files.filter(([, , lines]) => lines.length > 0).map(([file, header, lines]) => writeText(dir, file, csv(header, lines)));
}

export interface PersonRunOptions {
  asOf?: string;
  rules?: Partial<RulesConfig>;
  runId?: string;
}

/**
 * A test world: employers and people in one database, delivered and run as many times as a
 * test needs (`deliver` loads files as of a date, `run` links, runs the rules and the cases).
 */
export class PersonWorld {
  private readonly dir = tempDir('recon-persons-');
  private deliveries = 0;
  private referenceLoaded = false;

  constructor(
    readonly db: Db,
    readonly employers: Scenario[],
    readonly people: PersonSpec[],
  ) {}

  /** Writes and loads the employer and person exports as of `asOf` (every file must load, no row rejected). */
  async deliver(asOf = AS_OF, people: PersonSpec[] = this.people, withEmployers = true): Promise<void> {
    const dir = path.join(this.dir, `d${++this.deliveries}`);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const files = [
      ...(withEmployers ? writeExports(dir, this.employers, asOf) : []),
      ...writePersonExports(dir, this.employers, people, asOf, `_${this.deliveries}`),
    ];
    for (const file of files) {
      const result = await load(this.db, file, { defaultAsOf: asOf });
      expect(['loaded', 'duplicate'], `${path.basename(file)}: ${'message' in result ? result.message : ''}`).toContain(result.status);
    }
    const rejects = await rows(this.db, `SELECT file_name, line, column_name, reason FROM rejects`);
    expect(rejects, 'no test row may be rejected').toEqual([]);
  }

  /** Links, runs the rules and the cases as run `runId`; returns the rules' summary. */
  async run(options: PersonRunOptions = {}): Promise<RulesSummary> {
    const asOf = options.asOf ?? AS_OF;
    if (!this.referenceLoaded) await loadReferenceTables(this.db, LOCAL_PARAMS);
    this.referenceLoaded = true;
    const runId = options.runId ?? 'run-1';
    const runDir = path.join(this.dir, runId);
    const ctx = testContext({ runId, asOf, runDir, pipeline: { output: this.dir, rules: options.rules ?? {} } });
    await linkEmployers(this.db, ctx);
    const summary = await runRules(this.db, ctx);
    await updateCases(this.db, ctx);
    return summary;
  }

  /** The person findings of a run, with the people's and employers' labels. */
  async findings(runId = 'run-1'): Promise<PersonFinding[]> {
    const personLabel = new Map(this.people.map((p, i) => [idOf(p, i), p.id]));
    const employerLabel = new Map(this.employers.map((s, i) => [usccOf(i, s.kind), s.id]));
    const found = await rows(
      this.db,
      `SELECT f.rule_id, p.id_no, coalesce(e.uscc, '') AS uscc, f.employer_id, f.case_id, f.severity, CAST(f.amount AS DOUBLE) AS amount,
              CAST(f.evidence AS VARCHAR) AS evidence, f.evidence_text
       FROM findings f JOIN persons p USING (person_key) LEFT JOIN employers e ON e.employer_id = f.employer_id AND f.employer_id <> ''
       WHERE f.run_id = $1 AND f.person_key <> '' ORDER BY f.rule_id, p.id_no, f.employer_id`,
      [runId],
    );
    return found.map((f) => ({
      rule_id: String(f['rule_id']),
      person: personLabel.get(String(f['id_no'])) ?? String(f['id_no']),
      employer: f['employer_id'] === '' ? '' : (employerLabel.get(String(f['uscc'])) ?? String(f['employer_id'])),
      case_id: String(f['case_id']),
      severity: String(f['severity']),
      amount: f['amount'] === null ? null : Number(f['amount']),
      evidence: JSON.parse(String(f['evidence'])) as Record<string, unknown>,
      evidence_text: String(f['evidence_text']),
    }));
  }

  /** The exemptions of a run, per rule and reason. */
  async exemptions(runId = 'run-1'): Promise<Array<{ rule_id: string; reason: string; count: number }>> {
    return (await rows(this.db, `SELECT rule_id, reason, count FROM exemptions WHERE run_id = $1 ORDER BY ALL`, [runId])).map((e) => ({
      rule_id: String(e['rule_id']),
      reason: String(e['reason']),
      count: Number(e['count']),
    }));
  }
}

/** "person@employer" for each finding of a rule, sorted (employer '' for the person alone: just "person"). */
export function found(findings: PersonFinding[], ruleId: string): string[] {
  return findings
    .filter((f) => f.rule_id === ruleId)
    .map((f) => (f.employer ? `${f.person}@${f.employer}` : f.person))
    .sort();
}

/** The months YYYY-MM from `from` to `to`, inclusive. */
export function months(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (;;) {
    const text = `${y}-${String(m).padStart(2, '0')}`;
    out.push(text);
    if (text >= to) return out;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
}

/** Wage rows at `at` for each month from `from` to `to`. */
export function paid(at: string, from: string, to: string, extra: Partial<Wage> = {}): Wage[] {
  return months(from, to).map((period) => ({ at, period, ...extra }));
}
