import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withDb, tempDir, testContext, writeText, rows } from '../helpers.ts';
import { runRules } from '../../src/rules/runner.ts';
import { RuleError } from '../../src/core/errors.ts';
import type { CustomRuleConfig } from '../../src/config/pipeline-file.ts';
import { runScenarios, monthsUpTo } from '../rules/builder.ts';
import { workdir, FIXTURE_INBOX, query } from '../e2e/support.ts';
import { recon } from './support.ts';

/** The columns every rule returns, in front of each attack so that only the attack is wrong. */
const HEAD = `SELECT employer_id, 'high' AS severity, 0 AS amount, '{}'::JSON AS evidence, '' AS evidence_text`;

/**
 * Custom rule files that try to leave the database: read files (they would be published in
 * findings and worklists), write files, change or attach databases. The last four close the
 * parenthesis the runner wraps a rule in and run a statement of their own after it.
 */
function attacks(dir: string): Array<{ id: string; sql: string; used: string }> {
  const leak = path.join(dir, 'leak.csv');
  const other = path.join(dir, 'other.duckdb');
  const close = (statement: string): string => `${HEAD} FROM employer_facts WHERE false); ${statement}; SELECT * FROM (SELECT 1`;
  return [
    { id: 'read_passwd', sql: `${HEAD.replace("''", 'p.column0')} FROM employer_facts, read_csv('/etc/passwd', header = false) p`, used: 'read_csv()' },
    { id: 'path_table', sql: `${HEAD} FROM employer_facts, '/etc/passwd'`, used: '"/etc/passwd"' },
    { id: 'read_text', sql: `${HEAD} FROM employer_facts WHERE EXISTS (SELECT 1 FROM read_text('/etc/hostname'))`, used: 'read_text()' },
    { id: 'glob_files', sql: `${HEAD} FROM employer_facts JOIN glob('/etc/*') g ON true`, used: 'glob()' },
    { id: 'parquet_scan', sql: `WITH x AS (FROM parquet_scan('/tmp/*.parquet')) ${HEAD} FROM employer_facts, x`, used: 'parquet_scan()' },
    { id: 'sniff', sql: `${HEAD} FROM employer_facts, sniff_csv('/etc/passwd')`, used: 'sniff_csv()' },
    { id: 'query_table', sql: `${HEAD} FROM query_table('cases')`, used: 'query_table()' },
    { id: 'query_fn', sql: `${HEAD} FROM query('SELECT * FROM read_csv(''/etc/passwd'')')`, used: 'query()' },
    { id: 'catalog', sql: `${HEAD} FROM employer_facts, system.main.duckdb_settings()`, used: 'duckdb_settings()' },
    { id: 'other_schema', sql: `${HEAD} FROM employer_facts, information_schema.tables`, used: '"information_schema.tables"' },
    { id: 'summarize', sql: `${HEAD} FROM employer_facts, (SUMMARIZE cases)`, used: 'DESCRIBE/SUMMARIZE/SHOW' },
    {
      id: 'sequence',
      sql: `SELECT employer_id, 'high' AS severity, nextval('case_seq') AS amount, '{}'::JSON AS evidence, '' AS evidence_text FROM employer_facts`,
      used: 'nextval()',
    },
    { id: 'copy_to', sql: close(`COPY (SELECT * FROM cases) TO '${leak}'`), used: 'one SELECT' },
    { id: 'update_manifest', sql: close(`UPDATE manifest SET path = '/dev/null'`), used: 'one SELECT' },
    { id: 'attach', sql: close(`ATTACH '${other}' AS other`), used: 'one SELECT' },
    { id: 'delete_cases', sql: close('DELETE FROM cases'), used: 'one SELECT' },
    { id: 'two_statements', sql: `${HEAD} FROM employer_facts; DELETE FROM cases`, used: 'one SELECT' },
    { id: 'not_select', sql: 'DELETE FROM cases', used: 'one SELECT' },
  ];
}

function customRules(dir: string, list: Array<{ id: string; sql: string }>): CustomRuleConfig[] {
  return list.map((a) => ({ id: a.id, title: '自定义', description: '', file: writeText(dir, `${a.id}.sql`, `${a.sql}\n`), exemptWhenClosed: true }));
}

describe('custom rules are confined to the database (one SELECT, no file access)', () => {
  it('each attack is refused before anything runs, naming the rule and what it used; the database is unchanged', async () => {
    const dir = tempDir('recon-rules-attack-');
    const list = attacks(dir);
    await withDb(async (db) => {
      await db.run(`INSERT INTO cases (case_id, employer_id, rule_id, state, opened_run, state_run) VALUES ('C1', 'E1', 'uninsured', 'open', 'r0', 'r0')`);
      const counts = `SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM manifest) AS manifest, (SELECT count(*) FROM rule_runs) AS rule_runs`;
      const before = await rows(db, counts);
      expect(before).toEqual([{ cases: 1, manifest: 0, rule_runs: 0 }]);
      for (const attack of list) {
        const ctx = testContext({ runDir: dir, pipeline: { output: dir, rules: { custom: customRules(dir, [attack]) } } });
        const error = await runRules(db, ctx).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, attack.id).toBeInstanceOf(RuleError);
        const message = (error as RuleError).message;
        expect(message, attack.id).toContain(`rules.custom ${attack.id}`);
        expect(message, attack.id).toContain(attack.used);
        expect(message, attack.id).toContain('nothing was run');
      }
      // Nothing ran: not even the facts (their temporary tables do not exist), and no row changed.
      expect(await db.all(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_facts%' ESCAPE '\\'`)).toEqual([]);
      expect(await rows(db, counts)).toEqual(before);
      expect(await db.all(`SELECT database_name FROM duckdb_databases() WHERE database_name = 'other'`)).toEqual([]);
    });
    expect(fs.existsSync(path.join(dir, 'leak.csv'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'other.duckdb'))).toBe(false);
  });

  it('all problems of all custom rules are reported together', async () => {
    const dir = tempDir('recon-rules-attack-');
    const list = attacks(dir);
    await withDb(async (db) => {
      const error = (await runRules(db, testContext({ pipeline: { rules: { custom: customRules(dir, list) } } })).catch((e: unknown) => e)) as RuleError;
      expect(error).toBeInstanceOf(RuleError);
      for (const a of list) expect(error.message).toContain(`rules.custom ${a.id} (${path.join(dir, `${a.id}.sql`)})`);
    });
  });

  it('a legitimate custom rule (pipelines/rules/large_uninsured.sql) with a CTE and range() still runs and finds', async () => {
    const dir = tempDir('recon-rules-ok-');
    const extra = writeText(
      dir,
      'cte.sql',
      `WITH big AS (SELECT employer_id, hw FROM employer_facts WHERE hw >= 50), one AS (SELECT * FROM range(1) r(i))
       SELECT b.employer_id, 'low' AS severity, NULL::DECIMAL(18,2) AS amount, json_object('hw', b.hw) AS evidence, '大户' AS evidence_text
       FROM big b, one JOIN employer_withholding w ON true WHERE w.employer_id = b.employer_id AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.employer_id = b.employer_id AND c.rule_id = 'x')
       GROUP BY ALL`,
    );
    const run = await runScenarios(
      [
        { id: 'big', withholding: monthsUpTo('2026-09', 3).map((period) => ({ period, headcount: 60 })) },
        { id: 'small', withholding: monthsUpTo('2026-09', 3).map((period) => ({ period, headcount: 5 })) },
      ],
      {
        rules: {
          custom: [
            {
              id: 'large_uninsured',
              title: '大型用人单位未参保',
              description: '',
              file: path.resolve('pipelines/rules/large_uninsured.sql'),
              exemptWhenClosed: true,
            },
            { id: 'with_cte', title: '大户', description: '', file: extra, exemptWhenClosed: true },
          ],
        },
      },
    );
    expect(run.found('large_uninsured')).toEqual(['big']);
    expect(run.found('with_cte')).toEqual(['big']);
  });

  it('recon run with the attacks exits non-zero and leaves the published database byte for byte', async () => {
    const w = workdir({ source: FIXTURE_INBOX });
    const first = await recon(['run', w.pipelineFile]);
    expect(first.code, first.stderr).toBe(0);
    const hash = (): string => createHash('sha256').update(fs.readFileSync(w.database)).digest('hex');
    const published = hash();
    const latest = fs.readlinkSync(path.join(w.output, 'latest'));
    const list = attacks(w.dir);
    const lines = list.flatMap((a) => [`    - id: ${a.id}`, '      title: 自定义', `      file: ${writeText(w.dir, `${a.id}.sql`, a.sql)}`]);
    fs.appendFileSync(w.pipelineFile, `rules:\n  custom:\n${lines.join('\n')}\n`);
    const attacked = await recon(['run', w.pipelineFile]);
    expect(attacked.code).not.toBe(0);
    for (const a of list) expect(attacked.stderr).toContain(`rules.custom ${a.id}`);
    expect(hash()).toBe(published);
    expect(fs.readlinkSync(path.join(w.output, 'latest'))).toBe(latest);
    expect(fs.existsSync(path.join(w.dir, 'leak.csv'))).toBe(false);
    expect(fs.existsSync(path.join(w.dir, 'other.duckdb'))).toBe(false);
    expect(await query(w.database, `SELECT count(*) AS n FROM runs WHERE command = 'run'`)).toEqual([{ n: 1 }]);
  }, 120_000);
});
