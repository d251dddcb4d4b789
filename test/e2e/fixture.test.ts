import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';
import { PERSON_RULES, PROJECT_RULES, RULE_CATALOG } from '../../src/rules/catalog/index.ts';
import {
  FIXTURE_INBOX,
  FIXTURE_TRUTH,
  RULE_IDS,
  actualRejects,
  belowFloor,
  evaluateRun,
  expectedRejects,
  query,
  readCsv,
  workdir,
  type Workdir,
} from './support.ts';

const FINDINGS_COLUMNS = ['case_id', 'rule_id', 'employer_id', 'uscc', 'name', 'district_code', 'street', 'severity', 'amount', 'evidence'];

// One run over a copy of the committed fixture; every test below reads what it published.
describe('recon run over the committed fixture (300 employers, 8 employer files, 7 person-level and 2 project ones)', () => {
  let work: Workdir;
  let result: RunResult;

  beforeAll(async () => {
    work = workdir({ source: FIXTURE_INBOX });
    result = await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
  });

  it('loads every file of the inbox and takes the as-of date from the snapshots', () => {
    expect(result.status).toBe('succeeded');
    expect(result.asOf).toBe('2026-10-31');
    expect(result.rules?.month).toBe('2026-09-01');
    const inbox = fs.readdirSync(FIXTURE_INBOX).sort();
    expect(inbox).toHaveLength(17);
    const loaded = (result.ingest?.results ?? []).map((r) => [path.basename(r.file), r.status]).sort();
    expect(loaded).toEqual(inbox.map((f) => [f, 'loaded']));
    expect(result.ingest?.loaded).toBe(17);
  });

  it('rejects exactly the planted bad rows of expected_rejects.csv (file, line)', async () => {
    const expected = expectedRejects(FIXTURE_TRUTH);
    expect(expected.length).toBeGreaterThan(0);
    expect(await actualRejects(work.database)).toEqual(expected);
    expect(result.ingest?.rowsRejected).toBe(expected.length);
  });

  it('scores 1.0 against the ground truth: links by code and by name, every rule', async () => {
    const { evaluation, problems } = await evaluateRun(work.database, FIXTURE_TRUTH, result.runId);
    expect(problems).toEqual([]);
    expect(belowFloor({ 'links by code': evaluation.links.code }, 0.995)).toEqual([]);
    expect(belowFloor({ 'links by name only': evaluation.links.name }, 0.98)).toEqual([]);
    expect(evaluation.links.code.truePositives).toBeGreaterThan(0);
    expect(evaluation.links.name.truePositives).toBeGreaterThan(0);
    const perRule = Object.fromEntries(RULE_IDS.map((id) => [id, evaluation.rules[id]]));
    expect(belowFloor(perRule, 0.99)).toEqual([]);
    // A rule nobody expects and nobody finds would score 1.0 by default: every rule must have hits.
    expect(RULE_IDS.filter((id) => (evaluation.rules[id]?.truePositives ?? 0) === 0)).toEqual([]);
    expect(Object.keys(evaluation.rules).sort()).toEqual([...RULE_IDS].sort());
  });

  it('writes findings.csv in the run folder: UTF-8 BOM, the worklist columns, one row per finding', async () => {
    expect(fs.realpathSync(path.join(work.output, 'latest'))).toBe(fs.realpathSync(result.outputDir));
    const file = path.join(result.outputDir, 'findings.csv');
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const header = bytes.subarray(3).toString('utf8').split(/\r?\n/, 1)[0]?.split(',') ?? [];
    expect(FINDINGS_COLUMNS.filter((c) => !header.includes(c))).toEqual([]);

    const csv = readCsv(file);
    const db = await query(work.database, `SELECT case_id, rule_id, employer_id, severity FROM findings WHERE run_id = $1 ORDER BY case_id`, [result.runId]);
    expect(db.length).toBe(result.rules?.findings);
    expect(csv.length).toBe(db.length);
    const fromCsv = csv.map((r) => ({ case_id: r['case_id'], rule_id: r['rule_id'], employer_id: r['employer_id'], severity: r['severity'] }));
    expect(fromCsv.sort((a, b) => String(a.case_id).localeCompare(String(b.case_id)))).toEqual(db);
    // One finding per case; evidence is JSON; money rules carry an amount.
    expect(new Set(csv.map((r) => r['case_id'])).size).toBe(csv.length);
    for (const r of csv) expect(() => JSON.parse(r['evidence'] ?? '')).not.toThrow();
    expect(csv.filter((r) => r['rule_id'] === 'uninsured' && !(Number(r['amount']) > 0))).toEqual([]);
    // A finding of an employer names it and its district; one without an employer belongs to a
    // person (person_key) or to a permit of an unknown contractor.
    const ownerless = new Set([...PERSON_RULES, ...PROJECT_RULES].map((r) => r.id));
    expect(csv.filter((r) => r['employer_id'] !== '' && (r['name'] === '' || r['district_code'] === ''))).toEqual([]);
    expect(csv.filter((r) => r['employer_id'] === '' && !ownerless.has(r['rule_id'] ?? ''))).toEqual([]);
    expect(csv.filter((r) => PERSON_RULES.some((p) => p.id === r['rule_id']) && !/^P\d{9}$/.test(r['person_key'] ?? ''))).toEqual([]);
  });

  it('records in run.json the rules with their versions, the findings per rule and the exemptions', async () => {
    const runJson = JSON.parse(fs.readFileSync(path.join(result.outputDir, 'run.json'), 'utf8'));
    expect(runJson.run_id).toBe(result.runId);
    expect(runJson.as_of).toBe('2026-10-31');
    expect(runJson.rules.closed_month).toBe('2026-09');
    const versions = runJson.rules.versions as Array<{ id: string; version: number; params: Record<string, number> }>;
    const ids = RULE_CATALOG.map((r) => r.id);
    expect(versions.map((v) => v.id).sort()).toEqual([...ids].sort());
    for (const v of versions) expect(Number.isInteger(v.version) && v.version >= 1).toBe(true);

    const perRule = await query(work.database, `SELECT rule_id, count(*) AS n FROM findings WHERE run_id = $1 GROUP BY rule_id`, [result.runId]);
    const expected = Object.fromEntries(ids.map((id) => [id, Number(perRule.find((r) => r['rule_id'] === id)?.['n'] ?? 0)]));
    expect(runJson.rules.findings_per_rule).toEqual(expected);

    const exempted = runJson.rules.exempted as Array<{ rule_id: string; reason: string; count: number }>;
    const inDb = await query(work.database, `SELECT rule_id, reason, count FROM exemptions WHERE run_id = $1 ORDER BY ALL`, [result.runId]);
    expect(exempted).toEqual(inDb);
    // The fixture plants closed entities and individual businesses without headcount evidence that
    // other rules would flag. (Employers younger than 30 days never reach the exemption step: the
    // uninsured rule's own condition already leaves them out.)
    expect([...new Set(exempted.map((e) => e.reason))].sort()).toEqual(expect.arrayContaining(['closed_revoked_or_moved_out', 'individual_without_headcount']));
    expect(exempted.every((e) => e.count > 0)).toBe(true);
  });
});
