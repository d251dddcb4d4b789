/**
 * A normalised snapshot of one published run, for comparing two versions of recon on the same
 * inbox: findings, cases and case events from the database; every cell of every worklist,
 * notice list, campaign list and the ledger; the counts of run.json. What differs between two
 * runs of the same code on the same data (run ids, timestamps, stage timings, paths, the
 * per-database checksum key) is replaced by a placeholder. It reads only the published files
 * and tables, never recon's own code, so it works on a database written by any release.
 *
 *   npx tsx tools/snapshot-run.ts <database> <run folder> > snapshot.json
 *   npx tsx tools/snapshot-run.ts --diff a.json b.json [--ignore <regex of paths>]
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function normalise(text: string, runId: string): string {
  return (
    text
      .replaceAll(runId, '<RUN>')
      .replace(/\d{8}-\d{6}-\d{3}-[0-9a-f]{4}/g, '<RUN_ID>')
      .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, '<TIMESTAMP>')
      // summary.html labels each run of its trend chart with the run's start (MM-DD HH:MM).
      .replace(/>\d{2}-\d{2} \d{2}:\d{2}</g, '><RUN_TIME><')
      // Stage timings in the ledger's 运行记录.
      .replace(/^\d+(\.\d+)? 秒$/, '<SECONDS>')
  );
}

async function query(db: DuckDBInstance, sql: string): Promise<Record<string, Json>[]> {
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, Json>[];
  } finally {
    conn.closeSync();
  }
}

function cellText(v: ExcelJS.CellValue): Json {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return `=${JSON.stringify(v)}`;
    if ('text' in v) return String(v.text);
    return JSON.stringify(v);
  }
  return v as Json;
}

/** Every non-empty cell of every sheet, as `sheet!A1 -> value`; volatile sheets and columns dropped. */
async function workbook(file: string, runId: string): Promise<Record<string, Json>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const out: Record<string, Json> = {};
  for (const ws of wb.worksheets) {
    const headers = new Map<number, string>();
    ws.eachRow({ includeEmpty: false }, (row, r) => {
      row.eachCell({ includeEmpty: false }, (cell, c) => {
        let v = cellText(cell.value);
        if (typeof v === 'string') {
          if (r <= 3) headers.set(c, v);
          v = normalise(v, runId);
        }
        const head = headers.get(c) ?? '';
        // The 校验码 column is an HMAC under a key each new database makes; timings change every run.
        if (head.includes('校验码') && r > 3) v = '<CHECKSUM>';
        if (/耗时|timings|开始|结束|started|finished/.test(head) && r > 1) v = '<VOLATILE>';
        out[`${ws.name}!${cell.address}`] = v;
      });
    });
  }
  return out;
}

function filesUnder(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith(ext)).sort();
}

async function snapshot(database: string, runDir: string): Promise<Record<string, Json>> {
  const runJson = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as Record<string, Json>;
  const runId = String(runJson['run_id']);
  const db = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const q = (sql: string): Promise<Record<string, Json>[]> => query(db, sql.replaceAll('$RUN', `'${runId}'`));
  const findings = await q(`SELECT case_id, rule_id, rule_version, employer_id, severity, CAST(amount AS VARCHAR) AS amount, amount_formula,
      CAST(evidence AS VARCHAR) AS evidence, evidence_text, CAST(as_of AS VARCHAR) AS as_of, CAST(month AS VARCHAR) AS month
    FROM findings WHERE run_id = $RUN ORDER BY rule_id, employer_id`);
  const cases = await q(`SELECT case_id, employer_id, rule_id, state, reopen_count, exempt_evidence FROM cases ORDER BY case_id`);
  const events = await q(`SELECT case_id, from_state, to_state, reason FROM case_events WHERE run_id = $RUN ORDER BY case_id, to_state`);
  const employers = await q(`SELECT employer_id, uscc, name, kind, district_code, street FROM employers ORDER BY employer_id`);
  const links = await q(`SELECT employer_id, source, record_key, method, CAST(score AS VARCHAR) AS score FROM employer_links ORDER BY source, record_key`);
  const exemptions = await q(`SELECT rule_id, reason, count FROM exemptions WHERE run_id = $RUN ORDER BY ALL`);
  const dq = await q(`SELECT category, source, record_key, employer_id, detail FROM dq_issues WHERE run_id = $RUN ORDER BY ALL`);
  const review = await q(`SELECT source, record_key, candidate_name, CAST(score AS VARCHAR) AS score, reason FROM link_review ORDER BY ALL`);
  db.closeSync();

  const books: Record<string, Json> = {};
  for (const rel of filesUnder(runDir, '.xlsx')) books[rel] = await workbook(path.join(runDir, rel), runId);
  const texts: Record<string, Json> = {};
  for (const rel of [...filesUnder(runDir, '.csv'), ...filesUnder(runDir, '.html')])
    texts[rel] = normalise(fs.readFileSync(path.join(runDir, rel), 'utf8'), runId);

  const counts = {
    status: runJson['status'],
    as_of: runJson['as_of'],
    inputs: (runJson['inputs'] as Array<Record<string, Json>>).map((i) => ({ ...i, file: path.basename(String(i['file'])) })),
    rows: runJson['rows'],
    link: runJson['link'] ? { ...(runJson['link'] as Record<string, Json>), nameMatchingMs: null } : null,
    feedback: runJson['feedback'],
    worklists: runJson['worklists'],
    notices: runJson['notices'],
    rules: runJson['rules'] ? Object.fromEntries(Object.entries(runJson['rules'] as Record<string, Json>).filter(([k]) => k !== 'versions')) : null,
    warnings: runJson['warnings'],
  };
  return { counts, findings, cases, events, employers, links, exemptions, dq, review, books, texts };
}

function diff(a: Json, b: Json, at: string, out: string[], limit = 40): void {
  if (out.length >= limit) return;
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k] ?? null, b[k] ?? null, `${at}.${k}`, out, limit);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (const [i, x] of a.entries()) diff(x, b[i] ?? null, `${at}[${i}]`, out, limit);
    return;
  }
  out.push(`${at}: ${JSON.stringify(a)?.slice(0, 300)} != ${JSON.stringify(b)?.slice(0, 300)}`);
}

const args = process.argv.slice(2);
if (args[0] === '--diff') {
  // --ignore <regex>: leave out paths that match (e.g. a sheet whose layout changed on purpose).
  const ignore = args[3] === '--ignore' && args[4] ? new RegExp(args[4]) : undefined;
  const drop = (j: Json, at: string): Json => {
    if (!ignore || !j || typeof j !== 'object' || Array.isArray(j)) return j;
    return Object.fromEntries(
      Object.entries(j)
        .filter(([k]) => !ignore.test(`${at}.${k}`))
        .map(([k, v]) => [k, drop(v, `${at}.${k}`)]),
    );
  };
  const [a, b] = [args[1], args[2]].map((f) => drop(JSON.parse(fs.readFileSync(String(f), 'utf8')) as Json, '$'));
  const out: string[] = [];
  diff(a ?? null, b ?? null, '$', out);
  if (out.length === 0) {
    process.stdout.write('identical\n');
  } else {
    process.stdout.write(`${out.join('\n')}\n`);
    process.exitCode = 1;
  }
} else if (args.length === 2) {
  const snap = await snapshot(String(args[0]), String(args[1]));
  process.stdout.write(`${JSON.stringify(snap, null, 1)}\n`);
} else {
  process.stderr.write('usage: snapshot-run.ts <database> <run folder> | --diff a.json b.json\n');
  process.exitCode = 2;
}
