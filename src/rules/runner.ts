import fs from 'node:fs';
import path from 'node:path';
import { textList, type Db, type Params } from '../db/database.ts';
import type { Logger } from '../core/log.ts';
import { RuleError, errorMessage } from '../core/errors.ts';
import type { RuleDefinition, RuleParam } from './types.ts';
import { RULE_OUTPUT_COLUMNS } from './types.ts';
import { BUILTIN_RULES } from './catalog/index.ts';
import type { RulesConfig } from './config.ts';
import { buildFacts } from './facts.ts';
import { CASES_SCHEMA_SQL, updateCases } from '../cases/cases.ts';

/** A rule ready to run: its definition and the parameter values in force. */
export interface ResolvedRule {
  rule: RuleDefinition;
  values: Record<string, number>;
  custom: boolean;
}

export interface RulesSummary {
  asOf: string;
  month: string;
  byRule: Record<string, { found: number; exempted: number; ms: number }>;
  exemptions: Array<{ rule_id: string; reason: string; count: number }>;
  findings: number;
  cases: { opened: number; resolved: number; reopened: number };
  rules: Array<{ id: string; version: number; params: Record<string, number> }>;
}

/**
 * The closed month M of RULES.md: the last calendar month that ended at least `lagDays`
 * before the as-of date. Returned as its first day, YYYY-MM-01.
 */
export function closedMonth(asOf: string, lagDays: number): string {
  const d = new Date(`${asOf}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - lagDays);
  // d is the latest day a month may end on; that month is d's own when d is its last day.
  const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
  const monthsBack = next.getUTCDate() === 1 ? 0 : 1;
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1));
  return m.toISOString().slice(0, 10);
}

function checkValue(ruleId: string, name: string, spec: RuleParam, value: number): string | undefined {
  if (!Number.isFinite(value)) return `rules.params.${ruleId}.${name}: must be a number`;
  if (spec.integer && !Number.isInteger(value)) return `rules.params.${ruleId}.${name}: must be a whole number, got ${value}`;
  if (spec.min !== undefined && value < spec.min) return `rules.params.${ruleId}.${name}: must be at least ${spec.min}, got ${value}`;
  if (spec.max !== undefined && value > spec.max) return `rules.params.${ruleId}.${name}: must be at most ${spec.max}, got ${value}`;
  return undefined;
}

/**
 * The rules a pipeline runs: the built-in catalog less the disabled ones, with parameter
 * overrides, plus its own SQL rules. Every problem is reported at once.
 */
export function resolveRules(config: RulesConfig, pipelineDir: string): ResolvedRule[] {
  const problems: string[] = [];
  const custom: RuleDefinition[] = [];
  for (const c of config.custom) {
    const file = path.resolve(pipelineDir, c.file);
    let sql = '';
    try {
      sql = fs.readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(`rules.custom ${c.id}: cannot read ${file}: ${errorMessage(error)}`);
    }
    if (BUILTIN_RULES.some((r) => r.id === c.id)) problems.push(`rules.custom ${c.id}: a built-in rule has this id; choose another`);
    custom.push({
      id: c.id,
      title: c.title,
      description: c.description || `Custom rule from ${c.file}`,
      version: 1,
      params: {},
      requires: [],
      exemptWhenClosed: c.exempt_when_closed,
      amountFormula: '见自定义规则SQL',
      sql: `-- rule=${c.id}\n${sql.trim().replace(/;\s*$/, '')}`,
    });
  }
  const all = [...BUILTIN_RULES, ...custom];
  const ids = new Set(all.map((r) => r.id));
  for (const id of config.disabled) if (!ids.has(id)) problems.push(`rules.disabled: no rule "${id}" (rules: ${[...ids].join(', ')})`);
  for (const [id, overrides] of Object.entries(config.params)) {
    const rule = all.find((r) => r.id === id);
    if (!rule) {
      problems.push(`rules.params.${id}: no such rule`);
      continue;
    }
    for (const [name, value] of Object.entries(overrides)) {
      const spec = rule.params[name];
      if (!spec) problems.push(`rules.params.${id}.${name}: no such parameter (${Object.keys(rule.params).join(', ') || 'the rule has none'})`);
      else {
        const problem = checkValue(id, name, spec, value);
        if (problem) problems.push(problem);
      }
    }
  }
  if (problems.length) throw new RuleError(`The rules cannot run; ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
  return all
    .filter((r) => !config.disabled.includes(r.id))
    .map((rule) => ({
      rule,
      custom: custom.includes(rule),
      values: Object.fromEntries(Object.entries(rule.params).map(([n, spec]) => [n, config.params[rule.id]?.[n] ?? spec.default])),
    }));
}

export async function commonParams(db: Db, asOf: string, month: string): Promise<Record<string, string | number | boolean>> {
  const p = await db.one<Record<string, unknown>>(
    `SELECT base_floor, rate_110, rate_210, rate_310, rate_410, rate_510, maternity_separate FROM ref_local_params
     WHERE CAST($1 AS DATE) BETWEEN valid_from AND valid_to`,
    [month],
    { step: 'rules.params' },
  );
  if (!p) throw new RuleError(`No local parameters cover the month ${month.slice(0, 7)}: add a period to the local parameters file.`);
  return {
    as_of: asOf,
    month,
    floor: Number(p['base_floor']),
    rate_110: Number(p['rate_110']),
    rate_210: Number(p['rate_210']),
    rate_310: Number(p['rate_310']),
    rate_410: Number(p['rate_410']),
    rate_510: Number(p['rate_510']),
    maternity_separate: p['maternity_separate'] === true,
  };
}

/** Checks, before any rule runs, that every column each rule reads exists and each query returns the right columns. */
async function checkRules(db: Db, rules: ResolvedRule[], params: (r: ResolvedRule) => Params): Promise<void> {
  const problems: string[] = [];
  const columns = await db.all<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c FROM information_schema.columns`);
  const known = new Set(columns.map((x) => `${x.t}.${x.c}`));
  for (const r of rules) {
    for (const need of r.rule.requires) if (!known.has(need)) problems.push(`${r.rule.id}: needs column ${need}, which does not exist`);
    try {
      await db.run(`CREATE OR REPLACE TEMP TABLE _probe AS SELECT * FROM (${r.rule.sql}) LIMIT 0`, params(r), { step: `rules.check.${r.rule.id}` });
      const out = await db.all<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = '_probe'`);
      const have = new Set(out.map((x) => x.c));
      const missing = RULE_OUTPUT_COLUMNS.filter((c) => !have.has(c));
      if (missing.length) problems.push(`${r.rule.id}: its query must return ${RULE_OUTPUT_COLUMNS.join(', ')}; missing ${missing.join(', ')}`);
    } catch (error) {
      problems.push(`${r.rule.id}: its query fails: ${errorMessage(error).split('\n')[0]}`);
    }
  }
  if (problems.length) throw new RuleError(`The rules cannot run; ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
}

/** Tables of the rules stage (kept across runs). */
export const RULES_SCHEMA_SQL = `
${CASES_SCHEMA_SQL}
CREATE TABLE IF NOT EXISTS findings (
  run_id VARCHAR NOT NULL,
  case_id VARCHAR NOT NULL,
  rule_id VARCHAR NOT NULL,
  rule_version INTEGER NOT NULL,
  employer_id VARCHAR NOT NULL,
  severity VARCHAR NOT NULL,
  amount DECIMAL(18, 2),
  amount_formula VARCHAR,
  evidence JSON,
  evidence_text VARCHAR,
  as_of DATE NOT NULL,
  month DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS exemptions (run_id VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, reason VARCHAR NOT NULL, count BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS rule_runs (run_id VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, version INTEGER NOT NULL, params JSON, found BIGINT, exempted BIGINT, ms BIGINT);
CREATE OR REPLACE VIEW findings_latest AS
  SELECT * FROM findings WHERE run_id = (SELECT max(run_id) FROM findings);
`;

/**
 * The rules stage: facts, checks, every rule, the exemptions of RULES.md ("Not findings"),
 * then findings and cases. Exempted rows are counted per rule and reason, so nobody wonders
 * where an employer went.
 */
export async function runRules(
  db: Db,
  context: { runId: string; asOf: string; config: RulesConfig; pipelineDir: string },
  logger: Logger,
): Promise<RulesSummary> {
  const rules = resolveRules(context.config, context.pipelineDir);
  const month = closedMonth(context.asOf, context.config.lag_days);
  await db.run(RULES_SCHEMA_SQL, undefined, { step: 'rules.schema' });
  await buildFacts(db, { asOf: context.asOf, month });
  const common = await commonParams(db, context.asOf, month);
  const params = (r: ResolvedRule): Params => ({ ...common, ...Object.fromEntries(Object.entries(r.values).map(([n, v]) => [`p_${n}`, v])) });
  await checkRules(db, rules, params);

  await db.run(
    `CREATE OR REPLACE TEMP TABLE _raw_findings (rule_id VARCHAR, employer_id VARCHAR, severity VARCHAR, amount DECIMAL(18, 2), evidence JSON, evidence_text VARCHAR)`,
  );
  const byRule: RulesSummary['byRule'] = {};
  for (const r of rules) {
    const started = performance.now();
    await db.run(
      `INSERT INTO _raw_findings SELECT $rule_id, employer_id, severity, amount, evidence, evidence_text FROM (${r.rule.sql})`,
      { ...params(r), rule_id: r.rule.id },
      { step: `rules.${r.rule.id}` },
    );
    byRule[r.rule.id] = { found: 0, exempted: 0, ms: Math.round(performance.now() - started) };
  }
  const bad = await db.all<{ rule_id: string; n: bigint }>(
    `SELECT rule_id, count(*) AS n FROM _raw_findings WHERE severity NOT IN ('high', 'medium', 'low') OR employer_id IS NULL GROUP BY rule_id`,
  );
  if (bad.length) {
    throw new RuleError(`Rules returned rows without an employer or with a severity other than high/medium/low: ${bad.map((b) => `${b.rule_id} (${b.n})`).join(', ')}. Fix the rule's SQL.`);
  }
  // RULES.md "Not findings": these override every rule and never become worklist rows.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _classified AS
     SELECT r.*,
            CASE WHEN f.established_on > CAST($as_of AS DATE) - to_days(CAST($min_age AS INTEGER)) THEN 'established_recently'
                 WHEN f.kind = 'individual_business' AND f.h IS NULL THEN 'individual_without_headcount'
                 WHEN f.closed AND list_contains($closed_exempt, r.rule_id) THEN 'closed_revoked_or_moved_out'
                 WHEN c.state = 'exempt' AND c.exempt_evidence = CAST(r.evidence AS VARCHAR) THEN 'verified_exempt_by_grid_worker'
            END AS exemption
     FROM _raw_findings r JOIN employer_facts f USING (employer_id) LEFT JOIN cases c USING (employer_id, rule_id);
     INSERT INTO exemptions SELECT $run, rule_id, exemption, count(*) FROM _classified WHERE exemption IS NOT NULL GROUP BY ALL ORDER BY ALL;
     CREATE OR REPLACE TEMP TABLE _findings AS SELECT * FROM _classified WHERE exemption IS NULL;`,
    {
      as_of: context.asOf,
      min_age: context.config.min_age_days,
      closed_exempt: textList(rules.filter((r) => r.rule.exemptWhenClosed).map((r) => r.rule.id)),
      run: context.runId,
    },
    { step: 'rules.exemptions' },
  );
  const cases = await updateCases(db, context.runId);
  const versions = textList(rules.map((r) => `${r.rule.id}:${r.rule.version}`));
  const formulas = textList(rules.map((r) => `${r.rule.id}:${r.rule.amountFormula}`));
  await db.run(
    `INSERT INTO findings
     SELECT $run, c.case_id, f.rule_id,
            CAST(split_part(list_filter($versions, lambda v: split_part(v, ':', 1) = f.rule_id)[1], ':', 2) AS INTEGER),
            f.employer_id, f.severity, f.amount,
            substr(list_filter($formulas, lambda v: split_part(v, ':', 1) = f.rule_id)[1], length(f.rule_id) + 2),
            f.evidence, f.evidence_text, CAST($as_of AS DATE), CAST($month AS DATE)
     FROM _findings f JOIN cases c USING (employer_id, rule_id)
     ORDER BY f.rule_id, f.employer_id`,
    { run: context.runId, versions, formulas, as_of: context.asOf, month },
    { step: 'rules.findings' },
  );
  const tallies = await db.all<{ rule_id: string; found: bigint; exempted: bigint }>(
    `SELECT rule_id, count(*) FILTER (WHERE exemption IS NULL) AS found, count(*) FILTER (WHERE exemption IS NOT NULL) AS exempted FROM _classified GROUP BY rule_id`,
  );
  for (const t of tallies) {
    const entry = byRule[t.rule_id];
    if (entry) Object.assign(entry, { found: Number(t.found), exempted: Number(t.exempted) });
  }
  for (const r of rules) {
    const t = byRule[r.rule.id];
    await db.run(`INSERT INTO rule_runs VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      context.runId,
      r.rule.id,
      r.rule.version,
      JSON.stringify(r.values),
      t?.found ?? 0,
      t?.exempted ?? 0,
      t?.ms ?? 0,
    ]);
  }
  await reportValueIssues(db, context.runId);
  const exemptions = (await db.all<{ rule_id: string; reason: string; count: bigint }>(`SELECT rule_id, reason, count FROM exemptions WHERE run_id = $1 ORDER BY ALL`, [context.runId])).map(
    (e) => ({ rule_id: e.rule_id, reason: e.reason, count: Number(e.count) }),
  );
  const findings = Object.values(byRule).reduce((n, r) => n + r.found, 0);
  logger.info({ month, findings, cases }, `rules: ${findings} findings for ${month.slice(0, 7)}; cases ${cases.opened} new, ${cases.resolved} resolved, ${cases.reopened} reopened`);
  return {
    asOf: context.asOf,
    month,
    byRule,
    exemptions,
    findings,
    cases,
    rules: rules.map((r) => ({ id: r.rule.id, version: r.rule.version, params: r.values })),
  };
}

/** Unknown status and type values from the current files, as data-quality issues (never mapped silently). */
async function reportValueIssues(db: Db, runId: string): Promise<void> {
  await db.run(
    `INSERT INTO dq_issues
     SELECT $run, 'unknown_value', v.kind, NULL, NULL, NULL,
            v.column_name || ' = "' || v.value || '" is not a known value (' || count(*) || ' rows, e.g. ' || min(v.file_name) || ' line ' || min(v.line) || ')'
     FROM value_issues v JOIN manifest m USING (file_id)
     WHERE v.action = 'kept' AND m.status = 'loaded'
     GROUP BY v.kind, v.column_name, v.value`,
    { run: runId },
    { step: 'rules.value_issues' },
  );
}
