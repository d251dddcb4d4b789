import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { tempDir, rows } from '../helpers.ts';
import { Db } from '../../src/db/database.ts';
import { evaluate, type Evaluation, type Score } from '../../tools/evaluate/evaluate.ts';

/** The committed fixture: inbox and ground truth. */
export const FIXTURE_INBOX = path.resolve('fixtures/inbox');
export const FIXTURE_TRUTH = path.resolve('fixtures/truth');
export const LOCAL_PARAMS = path.resolve('pipelines/local-params.yaml');

/** The rule ids of RULES.md; every one must be scored, so an empty rule cannot pass by default. */
export { RULE_IDS } from '../../tools/generator/truth.ts';

export interface Workdir {
  dir: string;
  inbox: string;
  pipelineFile: string;
  database: string;
  output: string;
}

/**
 * A temp folder with an inbox (a copy of `source`, or empty) and a pipeline file over it.
 * `asOf` pins the run's as-of date; without it the run takes the latest snapshot date.
 */
export function workdir(options: { source?: string; asOf?: string; extra?: string } = {}): Workdir {
  const dir = tempDir('recon-e2e-');
  const inbox = path.join(dir, 'inbox');
  if (options.source) fs.cpSync(options.source, inbox, { recursive: true });
  else fs.mkdirSync(inbox);
  const pipelineFile = path.join(dir, 'pipeline.yaml');
  const lines = ['name: e2e', 'inbox: inbox', 'database: data/recon.duckdb', 'output: reports', `local_params: ${LOCAL_PARAMS}`];
  if (options.asOf) lines.push(`as_of: ${options.asOf}`);
  // The fixture plants bad rows (up to 15% of a small file): the demo thresholds of pipelines/nightly.yaml.
  if (!options.extra?.includes('audit:')) lines.push('audit: { rejects_warn: 0.2, rejects_fail: 0.5 }');
  if (options.extra) lines.push(options.extra);
  fs.writeFileSync(pipelineFile, `${lines.join('\n')}\n`);
  return { dir, inbox, pipelineFile, database: path.join(dir, 'data', 'recon.duckdb'), output: path.join(dir, 'reports') };
}

/** Runs `fn` on the published database, opened read-only. */
export async function withPublished<T>(database: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await Db.open(database, { readOnly: true });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** Rows of one query on the published database (BIGINT as number, DATE as YYYY-MM-DD). */
export function query(database: string, sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>> {
  return withPublished(database, (db) => rows(db, sql, params));
}

/** A CSV file as records keyed by header (BOM stripped). */
export function readCsv(file: string): Array<Record<string, string>> {
  return parse(fs.readFileSync(file), { columns: true, bom: true, skip_empty_lines: true }) as Array<Record<string, string>>;
}

/** `file:line` of every expected reject, sorted. */
export function expectedRejects(truthDir: string): string[] {
  return [...new Set(readCsv(path.join(truthDir, 'expected_rejects.csv')).map((r) => `${r['file']}:${r['line']}`))].sort();
}

/** `file:line` of every rejected row in the database, sorted. */
export async function actualRejects(database: string): Promise<string[]> {
  const found = await query(database, `SELECT DISTINCT file_name, line FROM rejects`);
  return found.map((r) => `${String(r['file_name'])}:${String(r['line'])}`).sort();
}

/**
 * Which (true employer, rule) pairs a run and the truth disagree on, with our employer id, so a
 * failing score names the employers to look at with `recon employer <id>`. Reads the temp tables
 * `evaluate()` leaves on the same connection (`_emp_map`, `_truth_findings`), so call it after that.
 */
export async function disagreements(db: Db, truthDir: string, runId: string): Promise<string[]> {
  const found = await db.all<{ employer_key: string; rule_id: string; side: string; employer_id: string | null; scenario: string | null }>(
    `WITH ours AS (
       SELECT DISTINCT coalesce(m.employer_key, 'ours:' || f.employer_id) AS employer_key, f.rule_id, f.employer_id
       FROM findings f LEFT JOIN _emp_map m USING (employer_id) WHERE f.run_id = $run),
     emp AS (SELECT employer_key, scenario FROM read_csv($employers, all_varchar = true, header = true))
     SELECT coalesce(o.employer_key, t.employer_key) AS employer_key, coalesce(o.rule_id, t.rule_id) AS rule_id,
            CASE WHEN t.rule_id IS NULL THEN 'false positive' ELSE 'false negative' END AS side,
            coalesce(o.employer_id, (SELECT any_value(employer_id) FROM _emp_map x WHERE x.employer_key = t.employer_key)) AS employer_id,
            emp.scenario
     FROM ours o FULL JOIN _truth_findings t USING (employer_key, rule_id)
     LEFT JOIN emp ON emp.employer_key = coalesce(o.employer_key, t.employer_key)
     WHERE o.rule_id IS NULL OR t.rule_id IS NULL
     ORDER BY ALL`,
    { run: runId, employers: path.join(truthDir, 'employers.csv') },
  );
  return found.map((d) => `${d.side}: ${d.rule_id} for ${d.employer_key} (ours ${d.employer_id ?? 'none'}, scenario ${d.scenario ?? '?'})`);
}

/** The evaluation of one run plus the disagreements behind any imperfect score. */
export async function evaluateRun(database: string, truthDir: string, runId: string): Promise<{ evaluation: Evaluation; problems: string[] }> {
  return withPublished(database, async (db) => {
    const evaluation = await evaluate(db, truthDir, runId);
    const imperfect = Object.values(evaluation.rules).some((s) => s.falsePositives + s.falseNegatives > 0);
    return { evaluation, problems: imperfect ? await disagreements(db, truthDir, runId) : [] };
  });
}

/** Scores under a floor, as readable lines (empty when every score clears it). */
export function belowFloor(scores: Record<string, Score | undefined>, floor: number): string[] {
  return Object.entries(scores).flatMap(([name, s]) => {
    if (!s) return [`${name}: not scored at all`];
    if (s.precision >= floor && s.recall >= floor) return [];
    return [
      `${name}: precision ${s.precision.toFixed(4)}, recall ${s.recall.toFixed(4)} (TP ${s.truePositives}, FP ${s.falsePositives}, FN ${s.falseNegatives}) < ${floor}`,
    ];
  });
}
