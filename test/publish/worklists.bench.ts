import { testContext } from '../helpers.ts';
/**
 * Time and memory of writeWorklists for ~100k open cases (not a vitest test: run by hand)
 *   npx tsx test/publish/worklists.bench.ts [cases]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryDb } from '../../src/db/database.ts';
import { migrate } from '../../src/db/schema/migrate.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { seedWorklistDb } from './seed.ts';

const n = Number(process.argv[2] ?? 100_000);
const db = await memoryDb();
await migrate(db);
await seedWorklistDb(db, []);
// ~1.2 cases per employer, 200 streets in 2 districts, a few rules, long evidence sentences.
const employers = Math.round(n / 1.2);
await db.run(
  `INSERT INTO employers (employer_id, uscc, name, district_code, street, legal_rep) SELECT 'E' || i, NULL, '苏州市某某科技有限公司第' || i || '号', CASE WHEN i % 2 = 0 THEN '320508' ELSE '320505' END,
          '街道' || (i % 200), '法人' || (i % 97) FROM (SELECT CAST(range AS BIGINT) AS i FROM range(${employers}));
   INSERT INTO employer_facts (employer_id, phone, address) SELECT 'E' || i, '1380000' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0'), '苏州市姑苏区某某路' || i || '号' FROM (SELECT CAST(range AS BIGINT) AS i FROM range(${employers}));
   INSERT INTO cases (case_id, employer_id, rule_id, state, opened_run, state_run, last_found_run)
   SELECT 'C' || lpad(CAST(i AS VARCHAR), 8, '0'), 'E' || (i % ${employers}), (['uninsured', 'arrears', 'lapsed', 'tax_not_insured'])[CAST(1 + i // ${employers} AS INTEGER)],
          'new', 'bench', 'bench', 'bench' FROM (SELECT CAST(range AS BIGINT) AS i FROM range(${n}));
   INSERT INTO findings (run_id, case_id, rule_id, rule_version, employer_id, severity, amount, amount_formula, evidence, evidence_text, as_of, month) SELECT 'bench', case_id, rule_id, 1, employer_id, (['high', 'medium', 'low'])[CAST(1 + hash(case_id) % 3 AS INTEGER)], CAST((hash(case_id) % 100000) / 100 AS DECIMAL(18, 2)),
          'x', '{}', '成立于2020-01-01，近3个月个税申报最多12人，未办理社会保险登记，累计欠缴社保费1234.56元', DATE '2026-10-31', DATE '2026-09-01' FROM cases;`,
);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recon-bench-'));
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const summary = await writeWorklists(db, testContext({ runId: 'bench', asOf: '2026-10-31', runDir: dir }));
const ms = performance.now() - started;
const bytes = fs
  .readdirSync(path.join(dir, 'worklists'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .reduce((s, e) => s + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
process.stdout.write(
  `${JSON.stringify(summary)}\nwriteWorklists: ${(ms / 1000).toFixed(1)} s; rss before ${(rssBefore / 2 ** 20).toFixed(0)} MB, peak (process) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; ${(bytes / 2 ** 20).toFixed(1)} MB of xlsx\n`,
);
db.close();
fs.rmSync(dir, { recursive: true, force: true });
