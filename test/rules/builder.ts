import path from 'node:path';
import { expect } from 'vitest';
import { withDb, tempDir, writeText, load, rows } from '../helpers.ts';
import type { Db } from '../../src/db/database.ts';
import { makeUscc } from '../../src/link/codes.ts';
import { loadReferenceTables } from '../../src/reference/load.ts';
import { linkEmployers } from '../../src/link/stage.ts';
import { runRules, type RulesSummary } from '../../src/rules/runner.ts';
import type { RulesConfig } from '../../src/config/pipeline-file.ts';
import { updateCases } from '../../src/cases/cases.ts';
import { testContext } from '../helpers.ts';

/** The as-of date of every scenario run unless told otherwise; the closed month M is then 2026-09. */
export const AS_OF = '2026-10-31';
export const LOCAL_PARAMS = path.resolve('pipelines/local-params.yaml');
/** In force for M = 2026-09 in pipelines/local-params.yaml: 9000 x 60%, and the employer pension rate. */
export const FLOOR = 5400;
export const RATE_110 = 0.16;

/** USCC chars 1-2 per employer kind. */
const KIND_PREFIX = { enterprise: '91', individual_business: '92', farmer_coop: '93', social_org: '51', public_institution: '12' } as const;

export interface Withholding {
  period: string;
  headcount: number;
  wages?: number;
}

export interface Enrollment {
  type: string;
  /** 1 / 参保缴费 (active), 2 / 暂停缴费 (suspended), 3 / 终止缴费 (terminated) */
  status: string;
  insured?: number;
  industry?: string;
}

export interface Payment {
  period: string;
  type?: string;
  insured?: number;
  base?: number;
  due?: number;
  paid?: number;
}

/**
 * One employer of a test, as the agencies would export it. Every source carries the same valid
 * USCC (or the unit's USCC for SI), so linking is by USCC.
 */
export interface Scenario {
  /** The label tests use to name the employer. */
  id: string;
  kind?: keyof typeof KIND_PREFIX;
  /** Registration status text (存续, 注销, 吊销, 迁出, 停业, ...); null: not in the market registry. */
  status?: string | null;
  established?: string;
  employees?: number;
  closedOn?: string;
  industry?: string;
  /** A civil-affairs registry row (social organisations) with this status (正常, 注销, 撤销). */
  civil?: { status: string; established?: string; employees?: number };
  /** Taxpayer status text (正常, 非正常, 停业, 注销); undefined: not in the tax registry. */
  taxpayer?: string;
  withholding?: Withholding[];
  enrollment?: Enrollment[];
  payments?: Payment[];
}

export interface Finding {
  id: string;
  rule_id: string;
  severity: string;
  amount: number | null;
  evidence: Record<string, unknown>;
  evidence_text: string;
}

export interface ScenarioRun {
  summary: RulesSummary & { cases: { opened: number; resolved: number; reopened: number } };
  findings: Finding[];
  exemptions: Array<{ rule_id: string; reason: string; count: number }>;
  /** Sorted ids of the employers a rule found. */
  found(ruleId: string): string[];
  /** The one finding of a rule for an employer, or undefined. */
  finding(ruleId: string, id: string): Finding | undefined;
  /** employer_facts of one employer. */
  facts(id: string): Record<string, unknown>;
}

export interface RunOptions {
  asOf?: string;
  /** Overrides of the pipeline's rules section. */
  rules?: Partial<RulesConfig>;
  localParamsFile?: string;
}

function csv(header: string[], lines: Array<Array<string | number | undefined | null>>): string {
  return [header.join(','), ...lines.map((l) => l.map((v) => (v === undefined || v === null ? '' : String(v))).join(','))].join('\n');
}

/** The USCC of scenario number `i` of a kind: 'MA' + six digits as the organisation code body. */
export function usccOf(i: number, kind: keyof typeof KIND_PREFIX = 'enterprise'): string {
  const prefix = KIND_PREFIX[kind];
  return makeUscc(prefix[0] as string, prefix[1] as string, '320505', `MA${String(i + 1).padStart(6, '0')}`);
}

/** Writes the six kinds of export for the scenarios (only the kinds that have rows), as of `asOf`. */
export function writeExports(dir: string, scenarios: Scenario[], asOf = AS_OF): string[] {
  const ids = new Set<string>();
  for (const s of scenarios) {
    if (ids.has(s.id)) throw new Error(`scenario id "${s.id}" used twice`);
    ids.add(s.id);
  }
  const reg: Array<Array<string | number | undefined>> = [];
  const civ: Array<Array<string | number | undefined>> = [];
  const taxReg: Array<Array<string | number | undefined>> = [];
  const withholding: Array<Array<string | number | undefined>> = [];
  const enrollment: Array<Array<string | number | undefined>> = [];
  const payments: Array<Array<string | number | undefined>> = [];
  scenarios.forEach((s, i) => {
    const uscc = usccOf(i, s.kind);
    const name = `苏州${s.id}有限公司`;
    const unit = `U${String(i + 1).padStart(6, '0')}`;
    if (s.status !== null) {
      reg.push([uscc, name, s.established ?? '2020-01-01', s.status ?? '存续', s.industry, s.employees, s.closedOn, '320505']);
    }
    if (s.civil) civ.push([uscc, name, s.civil.status, s.civil.established ?? s.established ?? '2020-01-01', s.civil.employees, '320505']);
    if (s.taxpayer !== undefined) taxReg.push([uscc, name, s.taxpayer]);
    for (const w of s.withholding ?? []) withholding.push([uscc, name, w.period, w.headcount, w.wages ?? w.headcount * 8000]);
    for (const e of s.enrollment ?? []) enrollment.push([unit, uscc, name, e.type, e.status, e.insured, e.industry, '320505']);
    for (const p of s.payments ?? []) {
      const insured = p.insured ?? 10;
      const base = p.base ?? insured * 6000;
      const due = p.due ?? 1000;
      payments.push([unit, p.period, p.type ?? '110', insured, base, due, p.paid ?? due]);
    }
  });
  const stamp = asOf.replaceAll('-', '');
  const files: Array<[string, string[], typeof reg]> = [
    [`registration_${stamp}.csv`, ['统一社会信用代码', '企业名称', '成立日期', '登记状态', '行业代码', '从业人数', '注销日期', '所属区县代码'], reg],
    [`civil_${stamp}.csv`, ['统一社会信用代码', '社会组织名称', '登记状态', '成立登记日期', '从业人员数', '行政区划代码'], civ],
    [`tax_${stamp}.csv`, ['纳税人识别号', '纳税人名称', '纳税人状态'], taxReg],
    [`withholding_${stamp}.csv`, ['扣缴义务人纳税人识别号', '扣缴义务人名称', '所属期', '申报人数', '收入额'], withholding],
    [`si_enrollment_${stamp}.csv`, ['单位编号', '统一社会信用代码', '单位名称', '险种', '参保状态', '参保人数', '行业代码', '所属区县'], enrollment],
    [`si_payment_${stamp}.csv`, ['单位编号', '费款所属期', '险种', '缴费人数', '缴费基数合计', '应缴金额', '实缴金额'], payments],
  ];
  return files.filter(([, , lines]) => lines.length > 0).map(([file, header, lines]) => writeText(dir, file, csv(header, lines)));
}

async function runScenariosIn(db: Db, scenarios: Scenario[], options: RunOptions): Promise<ScenarioRun> {
  const dir = tempDir('recon-rules-');
  const asOf = options.asOf ?? AS_OF;
  for (const file of writeExports(dir, scenarios, asOf)) {
    const result = await load(db, file, { defaultAsOf: asOf });
    expect(result.status, `${path.basename(file)}: ${'message' in result ? result.message : ''}`).toBe('loaded');
  }
  const rejects = await rows(db, `SELECT file_name, line, column_name, reason FROM rejects`);
  expect(rejects, 'no test row may be rejected').toEqual([]);
  await loadReferenceTables(db, options.localParamsFile ?? LOCAL_PARAMS);
  const runId = 'run-1';
  const ctx = testContext({ runId, asOf, pipeline: { rules: options.rules ?? {} } });
  await linkEmployers(db, ctx);
  // Every record must have joined its employer by USCC: one employer per scenario.
  expect(await rows(db, `SELECT source, record_key, method FROM employer_links WHERE method <> 'uscc'`)).toEqual([]);
  expect(await rows(db, `SELECT count(*) AS n FROM employers`)).toEqual([{ n: scenarios.length }]);
  const summary = { ...(await runRules(db, ctx)), cases: await updateCases(db, ctx) };

  const label = new Map(scenarios.map((s, i) => [usccOf(i, s.kind), s.id]));
  const employerLabel = new Map<string, string>();
  for (const e of await rows(db, `SELECT employer_id, uscc FROM employers`)) {
    const id = label.get(String(e['uscc']));
    if (id) employerLabel.set(String(e['employer_id']), id);
  }
  const findings = (
    await rows(
      db,
      `SELECT rule_id, employer_id, severity, CAST(amount AS DOUBLE) AS amount, CAST(evidence AS VARCHAR) AS evidence, evidence_text FROM findings WHERE run_id = $1`,
      [runId],
    )
  ).map((f) => ({
    id: employerLabel.get(String(f['employer_id'])) ?? String(f['employer_id']),
    rule_id: String(f['rule_id']),
    severity: String(f['severity']),
    amount: f['amount'] === null ? null : Number(f['amount']),
    evidence: JSON.parse(String(f['evidence'])) as Record<string, unknown>,
    evidence_text: String(f['evidence_text']),
  }));
  const exemptions = (await rows(db, `SELECT rule_id, reason, count FROM exemptions WHERE run_id = $1 ORDER BY ALL`, [runId])).map((e) => ({
    rule_id: String(e['rule_id']),
    reason: String(e['reason']),
    count: Number(e['count']),
  }));
  const facts = new Map<string, Record<string, unknown>>();
  for (const f of await rows(db, `SELECT * FROM employer_facts`)) {
    const id = employerLabel.get(String(f['employer_id']));
    if (id) facts.set(id, f);
  }
  return {
    summary,
    findings,
    exemptions,
    found: (ruleId) =>
      findings
        .filter((f) => f.rule_id === ruleId)
        .map((f) => f.id)
        .sort(),
    finding: (ruleId, id) => findings.find((f) => f.rule_id === ruleId && f.id === id),
    facts: (id) => {
      const row = facts.get(id);
      if (!row) throw new Error(`no employer_facts row for "${id}"`);
      return row;
    },
  };
}

/**
 * Goes through the real stages for a list of scenarios, in a fresh in-memory database of its
 * own: writes the exports, loads them and the reference tables, links employers, runs the
 * rules, and returns what the run found as plain data (the database is closed afterwards).
 */
export function runScenarios(scenarios: Scenario[], options: RunOptions = {}): Promise<ScenarioRun> {
  return withDb((db) => runScenariosIn(db, scenarios, options));
}

/** The last `n` months up to and including `month` (YYYY-MM), oldest first. */
export function monthsUpTo(month: string, n: number): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Array.from({ length: n }, (_, k) => {
    const d = new Date(Date.UTC(y, m - 1 - (n - 1 - k), 1));
    return d.toISOString().slice(0, 7);
  });
}
