import fs from 'node:fs';
import { textList, type Db, type Params } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps } from '../db/steps.ts';
import { RuleError, errorMessage } from '../core/errors.ts';
import { ident } from '../core/sql.ts';
import type { DatedRunContext } from '../config/context.ts';
import type { RulesConfig } from '../config/pipeline-file.ts';
import type { RuleDefinition, RuleParam } from './types.ts';
import { PERSON_RULE_OUTPUT_COLUMNS, PROJECT_RULE_OUTPUT_COLUMNS, RULE_OUTPUT_COLUMNS } from './types.ts';
import { RULE_CATALOG } from './catalog/index.ts';
import { FACT_TABLES, buildFacts, factBindings } from './facts.ts';
import { buildPersonFacts, personFactBindings } from './person-facts.ts';
import { buildProjectFacts, projectFactBindings } from './project-facts.ts';

const step = sqlSteps(new URL('./rules.sql', import.meta.url));

/** The temporary table the rules stage leaves for the cases stage: this run's findings after the exemptions. */
export const RULE_FINDINGS_TABLE = '_rule_findings';

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
  /** Findings of every rule, the person rules' included. */
  findings: number;
  /** Of those, the person rules' (one per person and employer, or per person alone). */
  personFindings: number;
  rules: Array<{ id: string; version: number; params: Record<string, number> }>;
}

function checkValue(ruleId: string, name: string, spec: RuleParam, value: number): string | undefined {
  if (!Number.isFinite(value)) return `rules.params.${ruleId}.${name}: must be a number`;
  if (spec.integer && !Number.isInteger(value)) return `rules.params.${ruleId}.${name}: must be a whole number, got ${value}`;
  if (spec.min !== undefined && value < spec.min) return `rules.params.${ruleId}.${name}: must be at least ${spec.min}, got ${value}`;
  if (spec.max !== undefined && value > spec.max) return `rules.params.${ruleId}.${name}: must be at most ${spec.max}, got ${value}`;
  return undefined;
}

/** Parameters that moved to the `rules:` section, with where they went. */
const MOVED_PARAMS: Record<string, string> = { 'uninsured.min_age_days': 'rules.min_age_days (it applies to every rule)' };

/**
 * The rules a pipeline runs: the built-in catalog less the disabled ones, with parameter
 * overrides, plus its own SQL rules. Every problem is reported at once. Pure: the CLI calls it
 * before taking the lock, so a bad rules section exits 2 without touching anything.
 */
export function resolveRules(config: RulesConfig): ResolvedRule[] {
  const problems: string[] = [];
  const custom: RuleDefinition[] = [];
  for (const c of config.custom) {
    let sql = '';
    try {
      sql = fs.readFileSync(c.file, 'utf8');
    } catch (error) {
      problems.push(`rules.custom ${c.id}: cannot read ${c.file}: ${errorMessage(error)}`);
    }
    if (RULE_CATALOG.some((r) => r.id === c.id)) problems.push(`rules.custom ${c.id}: a built-in rule has this id; choose another`);
    custom.push({
      id: c.id,
      title: c.title,
      description: c.description || `Custom rule from ${c.file}`,
      version: 1,
      params: {},
      requires: [],
      exemptWhenClosed: c.exemptWhenClosed,
      amountFormula: '见自定义规则SQL',
      sql: `-- rule=${c.id}\n${sql.trim().replace(/;\s*$/, '')}`,
    });
  }
  const all = [...RULE_CATALOG, ...custom];
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
      const moved = MOVED_PARAMS[`${id}.${name}`];
      if (moved) problems.push(`rules.params.${id}.${name}: moved to ${moved}`);
      else if (!spec) problems.push(`rules.params.${id}.${name}: no such parameter (${Object.keys(rule.params).join(', ') || 'the rule has none'})`);
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

/**
 * The parameters every rule may read: `$as_of` (D), `$month` (M, first day), `$min_age_days`,
 * `$floor` (the contribution base floor in force in M), the employer rates `$rate_<type>` and
 * `$maternity_separate`.
 */
export async function commonParams(db: Db, dates: DatedRunContext['dates']): Promise<Record<string, string | number | boolean>> {
  const p = await db.one<Record<string, unknown>>(step('rules.params'), { month: dates.closedMonth }, { step: 'rules.params' });
  if (!p) throw new RuleError(`No local parameters cover the month ${dates.closedMonth.slice(0, 7)}: add a period to the local parameters file.`);
  return {
    as_of: dates.asOf,
    month: dates.closedMonth,
    min_age_days: dates.minAgeDays,
    floor: Number(p['base_floor']),
    rate_110: Number(p['rate_110']),
    rate_210: Number(p['rate_210']),
    rate_310: Number(p['rate_310']),
    rate_410: Number(p['rate_410']),
    rate_510: Number(p['rate_510']),
    maternity_separate: p['maternity_separate'] === true,
  };
}

/** Whether a rule's findings are about people (subject 'person'): its query returns person_key and reads the person facts. */
export function isPersonRule(rule: RuleDefinition): boolean {
  return rule.subject === 'person';
}

/** Whether a rule's findings are about building permits (subject 'project'): its query returns permit_no and reads project_facts. */
export function isProjectRule(rule: RuleDefinition): boolean {
  return rule.subject === 'project';
}

/** The WITH clause of a rule's statement: the employer fact names, and for a person (project) rule the person (project) fact names, bound to the run's tables. */
export function ruleBindings(rule: RuleDefinition): string {
  if (isProjectRule(rule)) return `${factBindings()}, ${projectFactBindings()}`;
  return isPersonRule(rule) ? `${factBindings()}, ${personFactBindings()}` : factBindings();
}

/** A rule's statement as it runs: the fact names bound to the run's tables, then the rule's query. */
export function ruleStatement(rule: RuleDefinition): string {
  return `${ruleBindings(rule)}\nSELECT * FROM (\n${rule.sql}\n)`;
}

async function relationColumns(db: Db, relation: string, params?: Params): Promise<Set<string>> {
  const rows = await db.all<{ column_name: string }>(`DESCRIBE ${relation}`, params, { step: 'rules.check.describe' });
  return new Set(rows.map((r) => r.column_name));
}

/** Checks, before any rule runs, that every column each rule reads exists and each query returns the right columns. */
async function checkRules(db: Db, rules: ResolvedRule[], params: (r: ResolvedRule) => Params): Promise<void> {
  const problems: string[] = [];
  const tables = new Map<string, Set<string>>();
  for (const r of rules) {
    for (const need of r.rule.requires) {
      const [table, column] = need.split('.') as [string, string];
      if (!tables.has(table)) tables.set(table, await relationColumns(db, `${ruleBindings(r.rule)} SELECT * FROM ${ident(table)}`));
      if (!tables.get(table)?.has(column)) problems.push(`${r.rule.id}: needs column ${need}, which does not exist`);
    }
    try {
      const have = await relationColumns(db, ruleStatement(r.rule), params(r));
      const outputs: readonly string[] = isPersonRule(r.rule)
        ? PERSON_RULE_OUTPUT_COLUMNS
        : isProjectRule(r.rule)
          ? PROJECT_RULE_OUTPUT_COLUMNS
          : RULE_OUTPUT_COLUMNS;
      const missing = outputs.filter((c) => !have.has(c));
      if (missing.length) problems.push(`${r.rule.id}: its query must return ${outputs.join(', ')}; missing ${missing.join(', ')}`);
    } catch (error) {
      problems.push(
        `${r.rule.id}: its query fails: ${
          errorMessage(error)
            .replace(/^Database step "[^"]*" failed: /, '')
            .split('\n')[0]
        }`,
      );
    }
  }
  if (problems.length) throw new RuleError(`The rules cannot run; ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
}

/** Table functions a custom rule may call: they make rows and read nothing. */
export const RULE_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest']);

/** Scalar functions a custom rule may not call: they change or reveal the state of the session. */
const RULE_DENIED_FUNCTIONS: ReadonlySet<string> = new Set(['nextval', 'currval', 'setseed', 'current_setting', 'getvariable', 'getenv']);

/** Table references a rule's tree may not hold at all: DESCRIBE/SUMMARIZE/SHOW and the binder's internal ones. */
const RULE_DENIED_REFS: ReadonlySet<string> = new Set(['SHOW_REF', 'COLUMN_DATA', 'DELIM_GET', 'BOUND_TABLE_REF', 'INVALID']);

type AstNode = Record<string, unknown>;

function* nodes(value: unknown): Generator<AstNode> {
  if (Array.isArray(value)) for (const v of value) yield* nodes(v);
  else if (value && typeof value === 'object') {
    yield value as AstNode;
    for (const v of Object.values(value)) yield* nodes(v);
  }
}

/** What in one custom rule's parsed tree reaches beyond the database's tables: paths, file functions, other catalogs. */
function ruleTreeProblems(statement: unknown, relations: ReadonlySet<string>): string[] {
  const problems = new Set<string>();
  const ctes = new Set<string>();
  for (const n of nodes(statement)) {
    const map = (n['cte_map'] as { map?: Array<{ key?: unknown }> } | undefined)?.map;
    for (const entry of map ?? []) if (typeof entry.key === 'string') ctes.add(entry.key.toLowerCase());
  }
  for (const n of nodes(statement)) {
    const type = n['type'];
    if (typeof type !== 'string') continue;
    if (n['class'] === undefined) {
      // A table reference (expressions carry a class, table references do not).
      if (type === 'BASE_TABLE') {
        const catalog = String(n['catalog_name'] ?? '');
        const schema = String(n['schema_name'] ?? '');
        const table = String(n['table_name'] ?? '');
        const name = table.toLowerCase();
        const shown = [catalog, schema, table].filter((x) => x !== '').join('.');
        const known = catalog === '' && ((schema === '' && ctes.has(name)) || ((schema === '' || schema.toLowerCase() === 'main') && relations.has(name)));
        if (!known) problems.add(`reads "${shown}", which is not a table or view of the database (nor a fact or a WITH name of the rule)`);
      } else if (type === 'TABLE_FUNCTION') {
        const fn = n['function'] as AstNode | undefined;
        const name = String(fn?.['function_name'] ?? '?');
        const qualified = String(fn?.['schema'] ?? '') !== '' || String(fn?.['catalog'] ?? '') !== '';
        if (qualified || !RULE_TABLE_FUNCTIONS.has(name.toLowerCase())) {
          problems.add(`calls the table function ${name}(), which a rule may not use (only ${[...RULE_TABLE_FUNCTIONS].join(', ')})`);
        }
      } else if (RULE_DENIED_REFS.has(type)) problems.add(`uses ${type === 'SHOW_REF' ? 'DESCRIBE/SUMMARIZE/SHOW' : type}, which a rule may not use`);
    } else if (n['class'] === 'FUNCTION' && typeof n['function_name'] === 'string' && RULE_DENIED_FUNCTIONS.has(n['function_name'].toLowerCase())) {
      problems.add(`calls ${n['function_name']}(), which a rule may not use`);
    }
  }
  return [...problems];
}

/** DuckDB's parse of a statement: the SELECT statements it holds, or the parser's message (anything but SELECT is refused by it). */
async function parseSelect(db: Db, sql: string): Promise<{ statements: unknown[] } | { error: string }> {
  const row = await db.one<{ ast: string }>('SELECT json_serialize_sql($1::VARCHAR) AS ast', [sql], { step: 'rules.check.parse' });
  const ast = JSON.parse(row?.ast ?? '{}') as { error?: boolean; error_message?: string; statements?: unknown[] };
  if (ast.error || !Array.isArray(ast.statements)) return { error: String(ast.error_message ?? 'it does not parse').split('\n')[0] as string };
  return { statements: ast.statements };
}

/**
 * Confines the custom rules before anything of the rules stage runs: each is one SELECT
 * (DuckDB's parse: anything else, two statements, or a text that closes the parenthesis it is
 * wrapped in, is refused), and its parsed tree reads only the database's tables and views in
 * `main`, the run's facts and its own WITH names, and calls no table function but range,
 * generate_series and unnest: no read_csv('/etc/passwd'), glob, a path as a table, query(),
 * another catalog. Nothing is bound or run before the check (binding read_csv reads the file),
 * and the nightly keeps its own file access (COPY for the CSVs, read_csv for later files).
 */
export async function confineCustomRules(db: Db, rules: ResolvedRule[], files: ReadonlyMap<string, string> = new Map()): Promise<void> {
  const custom = rules.filter((r) => r.custom);
  if (custom.length === 0) return;
  const relations = new Set(
    (
      await db.all<{ name: string }>(
        `SELECT lower(table_name) AS name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
         UNION SELECT lower(view_name) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal`,
        undefined,
        { step: 'rules.check.relations' },
      )
    ).map((r) => r.name),
  );
  for (const name of [...Object.keys(FACT_TABLES), 'employer_facts']) relations.add(name);
  const problems: string[] = [];
  for (const r of custom) {
    const where = `rules.custom ${r.rule.id}${files.get(r.rule.id) ? ` (${files.get(r.rule.id)})` : ''}`;
    const own = await parseSelect(db, r.rule.sql);
    if ('error' in own) {
      problems.push(`${where}: must be one SELECT statement: ${own.error}`);
      continue;
    }
    if (own.statements.length !== 1) {
      problems.push(`${where}: must be one SELECT statement; it holds ${own.statements.length}`);
      continue;
    }
    for (const p of ruleTreeProblems(own.statements[0], relations)) problems.push(`${where}: ${p}`);
    // As it runs, wrapped in the facts' WITH and a parenthesis: still exactly one SELECT.
    const wrapped = await parseSelect(db, ruleStatement(r.rule));
    if ('error' in wrapped || wrapped.statements.length !== 1)
      problems.push(`${where}: its text does not stay one statement inside the rule's wrapping (a ; or an unclosed comment)`);
  }
  if (problems.length) {
    throw new RuleError(`The custom rules cannot run; ${problems.length} problem(s), nothing was run:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      problems,
    });
  }
}

/**
 * The rules stage: facts, checks, every rule, the exemptions of docs/rules.md ("Not
 * findings"). Leaves this run's findings in RULE_FINDINGS_TABLE for the cases stage. Exempted
 * rows are counted per rule and reason, so nobody wonders where an employer went.
 */
export async function runRules(db: Db, ctx: DatedRunContext): Promise<RulesSummary> {
  const { dates } = ctx;
  const rules = resolveRules(ctx.pipeline.rules);
  await confineCustomRules(db, rules, new Map(ctx.pipeline.rules.custom.map((c) => [c.id, c.file])));
  await buildFacts(db, dates);
  const common = await commonParams(db, dates);
  // The person facts only when a person rule runs (the person kinds are the night's largest tables).
  const personRules = rules.filter((r) => isPersonRule(r.rule));
  const personParams = personRules.length ? await buildPersonFacts(db, dates, ctx.pipeline.rules) : {};
  // The project facts every run (a table: the project ledger and lists read it too; small).
  const projectRules = rules.filter((r) => isProjectRule(r.rule));
  const projectParams = await buildProjectFacts(db, dates, ctx.runId);
  const params = (r: ResolvedRule): Params => ({
    ...common,
    ...(isPersonRule(r.rule) ? personParams : {}),
    ...(isProjectRule(r.rule) ? projectParams : {}),
    ...Object.fromEntries(Object.entries(r.values).map(([n, v]) => [`p_${n}`, v])),
  });
  await checkRules(db, rules, params);

  await runSteps(db, [{ name: 'rules.raw', sql: step('rules.raw'), creates: ['_rule_raw'] }]);
  const byRule: RulesSummary['byRule'] = {};
  for (const r of rules) {
    const started = performance.now();
    const personKey = isPersonRule(r.rule) ? 'person_key' : "''";
    const permitNo = isProjectRule(r.rule) ? 'permit_no' : "''";
    await db.run(
      `INSERT INTO _rule_raw ${ruleBindings(r.rule)}
       SELECT $rule_id, $rule_version, $amount_formula, employer_id, ${personKey}, severity, amount, evidence, evidence_text, ${permitNo} FROM (\n${r.rule.sql}\n)`,
      { ...params(r), rule_id: r.rule.id, rule_version: r.rule.version, amount_formula: r.rule.amountFormula },
      { step: `rules.${r.rule.id}` },
    );
    byRule[r.rule.id] = { found: 0, exempted: 0, ms: Math.round(performance.now() - started) };
  }
  const bad = await db.all<{ rule_id: string; n: bigint }>(
    step('rules.bad_rows'),
    // Comma-separated (rule ids are [a-z0-9_]): an empty list parameter cannot be typed.
    { person_rules: personRules.map((r) => r.rule.id).join(','), project_rules: projectRules.map((r) => r.rule.id).join(',') },
    { step: 'rules.bad_rows' },
  );
  if (bad.length) {
    throw new RuleError(
      `Rules returned rows without an employer (a person rule: without a person_key; a project rule: without a permit_no), or with a severity other than high/medium/low: ${bad.map((b) => `${b.rule_id} (${b.n})`).join(', ')}. Fix the rule's SQL.`,
    );
  }
  await runSteps(db, [
    {
      name: 'rules.exemptions',
      sql: step('rules.exemptions'),
      params: {
        as_of: dates.asOf,
        min_age_days: dates.minAgeDays,
        closed_exempt: textList(rules.filter((r) => r.rule.exemptWhenClosed).map((r) => r.rule.id)),
        run: ctx.runId,
      },
      creates: ['_rule_classified', RULE_FINDINGS_TABLE],
    },
  ]);
  for (const t of await db.all<{ rule_id: string; found: bigint; exempted: bigint }>(step('rules.tallies'), undefined, { step: 'rules.tallies' })) {
    const entry = byRule[t.rule_id];
    if (entry) Object.assign(entry, { found: Number(t.found), exempted: Number(t.exempted) });
  }
  for (const r of rules) {
    const t = byRule[r.rule.id];
    await db.run(
      `INSERT INTO rule_runs VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [ctx.runId, r.rule.id, r.rule.version, JSON.stringify(r.values), t?.found ?? 0, t?.exempted ?? 0, t?.ms ?? 0],
      {
        step: 'rules.record',
      },
    );
  }
  await db.run(step('rules.value_issues'), { run: ctx.runId }, { step: 'rules.value_issues' });
  const exemptions = (
    await db.all<{ rule_id: string; reason: string; count: bigint }>(`SELECT rule_id, reason, count FROM exemptions WHERE run_id = $1 ORDER BY ALL`, [
      ctx.runId,
    ])
  ).map((e) => ({ rule_id: e.rule_id, reason: e.reason, count: Number(e.count) }));
  const findings = Object.values(byRule).reduce((n, r) => n + r.found, 0);
  const personFindings = personRules.reduce((n, r) => n + (byRule[r.rule.id]?.found ?? 0), 0);
  ctx.logger.info(
    { month: dates.closedMonth, findings, personFindings },
    `rules: ${findings} findings for ${dates.closedMonth.slice(0, 7)}${personRules.length ? ` (${personFindings} about people)` : ''}`,
  );
  return {
    asOf: dates.asOf,
    month: dates.closedMonth,
    byRule,
    exemptions,
    findings,
    personFindings,
    rules: rules.map((r) => ({ id: r.rule.id, version: r.rule.version, params: r.values })),
  };
}
