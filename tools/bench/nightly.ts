import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { pipeline as streamPipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { Db } from '../../src/db/database.ts';
import { literal } from '../../src/core/sql.ts';
import { migrate } from '../../src/db/schema/migrate.ts';
import { listInbox, ingestFiles } from '../../src/ingest/stage.ts';
import { DEFAULT_RULES_CONFIG, defaultMemoryLimit, defaultPipeline, loadPipeline } from '../../src/config/pipeline-file.ts';
import { closedMonth, newRunContext } from '../../src/config/context.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { factSteps } from '../../src/rules/facts.ts';
import { BUILTIN_RULES, PERSON_RULES } from '../../src/rules/catalog/index.ts';
import { personFactParams, personFactSteps, PERSON_FACT_TABLES } from '../../src/rules/person-facts.ts';
import { sqlSteps } from '../../src/db/sql-file.ts';
import { commonParams } from '../../src/rules/runner.ts';
import { silentLogger, type Logger } from '../../src/core/log.ts';
import { measure, median } from './measure.ts';

export interface NightlyBenchOptions {
  inbox: string;
  /** Scratch folder: each run gets a fresh database and output folder here. */
  workDir: string;
  runs: number;
  localParams: string;
  logger: Logger;
  /** DuckDB settings, as in the pipeline file. */
  duckdb: { threads?: number; memory_limit?: string; temp_directory?: string };
  /** Also time ingest on a GBK copy of the inbox (made once). */
  gbk: boolean;
  /** The inbox has the person kinds: measure their ingest and rules against their yardsticks too. */
  persons?: boolean;
}

/** The person level of a nightly: its rows, iit_detail ingest against bare read_csv, the person rules against their yardstick. */
export interface PersonBenchResult {
  /** Current rows per person kind, people (persons), and wage earners (people with a qualifying wage row in the 12 months). */
  rows: { iit_detail: number; si_person: number; resident_pension: number; assistance: number; persons: number; wageEarners: number };
  /** recon's loader on the iit_detail files into an empty database, against bare read_csv of the same files (medians). */
  iitIngest: { files: number; rows: number; reconMs: number; bareReadCsvMs: number; ratio: number };
  /**
   * The person rules: recon's statements for them as the run log times them (the person facts,
   * rules.person.*, and the four rule statements), against the same work as one plain SQL script.
   */
  rules: {
    reconMs: number;
    yardstickMs: number;
    ratio: number;
    findings: number;
    yardstickFindings: number;
    byRule: Record<string, { recon: number; yardstick: number }>;
    yardstickFile: string;
  };
}

/** One stage of the nightly: median wall time, the rows it handled, and its peak RSS. */
export interface StageMeasure {
  stage: string;
  ms: number;
  rows: number | null;
  rowsPerSecond: number | null;
  peakRssMb: number;
}

export interface NightlyBenchResult {
  machine: { cpus: number; memoryGb: number; node: string; duckdb: NightlyBenchOptions['duckdb'] };
  inbox: string;
  inboxMb: number;
  runs: number;
  /** Whole run, median, and the process's peak RSS over all runs. */
  totalMs: number;
  peakRssMb: number;
  stages: StageMeasure[];
  ingest: { reconMs: number; bareReadCsvMs: number; ratio: number; gbkMs?: number; gbkRatio?: number };
  rules: { reconMs: number; yardstickMs: number; ratio: number; findings: number; yardstickFindings: number; yardstickFile: string };
  counts: { rowsLoaded: number; records: number; employers: number; findings: number; worklistRows: number; notices: number };
  perRun: Array<{ totalMs: number; timings: Record<string, number>; peakRssMb: Record<string, number> }>;
  /** With --persons. */
  persons?: PersonBenchResult;
}

/** Stages in the order they run (publish.* are parts of publish). */
const STAGES = [
  'open',
  'reference',
  'ingest',
  'link',
  'feedback',
  'rules',
  'publish',
  'publish.csv',
  'publish.notices',
  'publish.worklists',
  'publish.ledger',
  'publish.summary',
  'publish.campaign',
  'audit',
  'commit',
];

/**
 * The whole nightly on a generated inbox, from an empty database each time (the heaviest night:
 * every file new, every case new, every notice due), with two yardsticks measured on the same
 * data in the same process: bare `read_csv` of every inbox file into a file database (ingest),
 * and the same rules as one plain SQL script over the loaded tables (rules).
 */
export async function runNightlyBench(options: NightlyBenchOptions): Promise<NightlyBenchResult> {
  const work = path.resolve(options.workDir);
  fs.mkdirSync(work, { recursive: true });
  const name = path.basename(path.dirname(path.resolve(options.inbox)));
  const inbox = await encodedCopy(options.inbox, path.join(work, `${name}-utf8`), 'utf8', options.logger);
  const files = listInbox(inbox, ['**/*.csv']);
  const perRun: NightlyBenchResult['perRun'] = [];
  const rows: Record<string, number[]> = {};
  let counts: NightlyBenchResult['counts'] | undefined;
  const yard: Array<{ ms: number; findings: number }> = [];
  const bare: number[] = [];
  let reconFindings = 0;
  let yardstickFile = '';
  let processPeak = 0;
  const personRuns: Array<{
    reconMs: number;
    yardMs: number;
    findings: number;
    yardFindings: number;
    byRule: Record<string, { recon: number; yardstick: number }>;
  }> = [];
  let personRows: PersonBenchResult['rows'] | undefined;
  let personYardstickFile = '';
  let iitFiles: string[] = [];
  for (let i = 0; i < options.runs; i++) {
    const dir = path.join(work, 'nightly');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'bench.yaml');
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'bench',
        inbox,
        database: path.join(dir, 'db', 'recon.duckdb'),
        output: path.join(dir, 'reports'),
        local_params: path.resolve(options.localParams),
        duckdb: options.duckdb,
      }),
    );
    const pipeline = loadPipeline(file);
    // With people, the run writes its log (debug: every statement's time), which the person rules are timed from.
    const run = await measure(() => runPipeline(pipeline, options.persons ? { terminal: false } : { terminal: false, logger: silentLogger() }));
    const r = run.value;
    processPeak = Math.max(processPeak, run.peakRssMb);
    perRun.push({ totalMs: run.ms, timings: { ...r.timings }, peakRssMb: { ...r.peakRssMb } });
    counts = {
      rowsLoaded: r.ingest?.rowsLoaded ?? 0,
      records: r.link?.records ?? 0,
      employers: r.link?.employers ?? 0,
      findings: r.rules?.findings ?? 0,
      worklistRows: r.worklists?.rows ?? 0,
      notices: r.notices ?? 0,
    };
    // The yardsticks cover the employer rules (BUILTIN_RULES) and the person rules; other rules (projects) are not compared.
    const found = (person: boolean): number =>
      Object.entries(r.rules?.byRule ?? {})
        .filter(([id]) => (person ? PERSON_RULES : BUILTIN_RULES).some((x) => x.id === id))
        .reduce((n, [, v]) => n + v.found, 0);
    // The whole stage against both yardsticks (the employer rules' and, with people, the person rules').
    reconFindings = found(false) + found(true);
    const stageRows: Record<string, number> = {
      ingest: (r.ingest?.rowsLoaded ?? 0) + (r.ingest?.rowsRejected ?? 0),
      link: counts.records,
      rules: counts.employers,
      'publish.worklists': counts.worklistRows,
      'publish.notices': counts.notices,
      'publish.csv': counts.findings,
    };
    for (const [k, v] of Object.entries(stageRows)) {
      rows[k] ??= [];
      rows[k].push(v);
    }
    options.logger.info({ run: i + 1, ms: run.ms, timings: r.timings }, `nightly bench run ${i + 1}: ${(run.ms / 1000).toFixed(1)} s`);

    // The rules yardstick, on the database the run published (the loaded tables and links).
    const y = await yardstick(pipeline.database, r.asOf, options.duckdb);
    yard.push({ ms: y.ms, findings: y.findings });
    yardstickFile = path.join(work, 'yardstick.sql');
    fs.writeFileSync(yardstickFile, y.script);
    bare.push(await bareReadCsv(files, path.join(work, 'bare.duckdb'), options.duckdb));

    if (options.persons) {
      const py = await personYardstick(pipeline.database, r.asOf, options.duckdb);
      personYardstickFile = path.join(work, 'person-yardstick.sql');
      fs.writeFileSync(personYardstickFile, py.script);
      const steps = stepTimes(path.join(r.outputDir, 'run.log'));
      const factMs = Object.entries(steps)
        .filter(([k]) => k.startsWith('rules.person.'))
        .reduce((n, [, v]) => n + v, 0);
      const byRule: Record<string, { recon: number; yardstick: number }> = { facts: { recon: factMs, yardstick: py.factsMs } };
      for (const rule of PERSON_RULES) byRule[rule.id] = { recon: r.rules?.byRule[rule.id]?.ms ?? 0, yardstick: py.byRule[rule.id] ?? 0 };
      personRuns.push({
        reconMs: Object.values(byRule).reduce((n, v) => n + v.recon, 0),
        yardMs: py.ms,
        findings: found(true),
        yardFindings: py.findings,
        byRule,
      });
      const last = yard[yard.length - 1];
      if (last) Object.assign(last, { ms: last.ms + py.ms, findings: last.findings + py.findings });
      const db = await Db.open(pipeline.database, { readOnly: true });
      try {
        personRows ??= await personCounts(db);
        iitFiles = (
          await db.all<{ path: string }>(`SELECT path FROM manifest WHERE kind = 'iit_detail' AND status = 'loaded' ORDER BY path`, undefined, {
            step: 'bench.iit_files',
          })
        ).map((x) => x.path);
      } finally {
        db.close();
      }
    }
  }
  const medianOf = (k: string): number => median(perRun.map((p) => p.timings[k] ?? 0));
  const stages: StageMeasure[] = STAGES.filter((s) => perRun.some((p) => p.timings[s] !== undefined)).map((stage) => {
    const ms = medianOf(stage);
    const n = rows[stage] ? median(rows[stage]) : null;
    return {
      stage,
      ms,
      rows: n,
      rowsPerSecond: n !== null && ms > 0 ? Math.round(n / (ms / 1000)) : null,
      peakRssMb: Math.max(...perRun.map((p) => p.peakRssMb[stage] ?? 0)),
    };
  });
  const reconIngest = medianOf('ingest');
  const bareMs = median(bare);
  const ingest: NightlyBenchResult['ingest'] = { reconMs: reconIngest, bareReadCsvMs: bareMs, ratio: round2(reconIngest / bareMs) };
  if (options.gbk) {
    const gbkInbox = await encodedCopy(options.inbox, path.join(work, `${name}-gbk`), 'gbk', options.logger);
    const utf = (await ingestOnly(files, path.join(work, 'ingest-utf8.duckdb'), work, options)).ms;
    const gbk = (await ingestOnly(listInbox(gbkInbox, ['**/*.csv']), path.join(work, 'ingest-gbk.duckdb'), work, options)).ms;
    Object.assign(ingest, { gbkMs: gbk, gbkRatio: round2(gbk / utf) });
  }
  const yardMs = median(yard.map((y) => y.ms));
  let persons: PersonBenchResult | undefined;
  if (options.persons && personRows) {
    // iit_detail alone, recon's loader against bare read_csv, on the same files, alternating.
    const recon: number[] = [];
    const bareIit: number[] = [];
    let iitRows = 0;
    for (let i = 0; i < options.runs; i++) {
      const loaded = await ingestOnly(iitFiles, path.join(work, 'ingest-iit.duckdb'), work, options);
      recon.push(loaded.ms);
      iitRows = loaded.rows;
      bareIit.push(await bareReadCsv(iitFiles, path.join(work, 'bare-iit.duckdb'), options.duckdb));
    }
    const last = personRuns[personRuns.length - 1];
    const reconRules = median(personRuns.map((p) => p.reconMs));
    const yardRules = median(personRuns.map((p) => p.yardMs));
    const byRule: PersonBenchResult['rules']['byRule'] = {};
    for (const k of Object.keys(last?.byRule ?? {})) {
      byRule[k] = { recon: median(personRuns.map((p) => p.byRule[k]?.recon ?? 0)), yardstick: median(personRuns.map((p) => p.byRule[k]?.yardstick ?? 0)) };
    }
    persons = {
      rows: personRows,
      iitIngest: {
        files: iitFiles.length,
        rows: iitRows,
        reconMs: median(recon),
        bareReadCsvMs: median(bareIit),
        ratio: round2(median(recon) / median(bareIit)),
      },
      rules: {
        reconMs: reconRules,
        yardstickMs: yardRules,
        ratio: round2(reconRules / yardRules),
        findings: last?.findings ?? 0,
        yardstickFindings: last?.yardFindings ?? 0,
        byRule,
        yardstickFile: personYardstickFile,
      },
    };
  }
  return {
    machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, duckdb: options.duckdb },
    inbox,
    inboxMb: Math.round(files.reduce((s, f) => s + fs.statSync(f).size, 0) / 2 ** 20),
    runs: options.runs,
    totalMs: median(perRun.map((p) => p.totalMs)),
    peakRssMb: processPeak,
    stages,
    ingest,
    rules: {
      reconMs: medianOf('rules'),
      yardstickMs: yardMs,
      ratio: round2(medianOf('rules') / yardMs),
      findings: reconFindings,
      yardstickFindings: yard[yard.length - 1]?.findings ?? 0,
      yardstickFile,
    },
    counts: counts ?? { rowsLoaded: 0, records: 0, employers: 0, findings: 0, worklistRows: 0, notices: 0 },
    perRun,
    ...(persons ? { persons } : {}),
  };
}

/** Per step, the summed ms of the `sql` lines of a run log (debug: every statement). */
export function stepTimes(logFile: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (!fs.existsSync(logFile)) return out;
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"msg":"sql"')) continue;
    try {
      const e = JSON.parse(line) as { step?: string; ms?: number };
      if (e.step && typeof e.ms === 'number') out[e.step] = (out[e.step] ?? 0) + e.ms;
    } catch {
      // a line cut short by a kill: not a timing
    }
  }
  return out;
}

/** The person kinds' current rows, people, and wage earners (a qualifying wage row in the 12 months up to M). */
async function personCounts(db: Db): Promise<PersonBenchResult['rows']> {
  const row = await db.one<Record<string, bigint>>(
    `SELECT (SELECT count(*) FROM iit_detail_current) AS iit_detail, (SELECT count(*) FROM si_person_current) AS si_person,
            (SELECT count(*) FROM resident_pension_current) AS resident_pension, (SELECT count(*) FROM assistance_current) AS assistance,
            (SELECT count(*) FROM persons) AS persons,
            (SELECT count(DISTINCT id_no) FROM iit_detail_current
              WHERE id_no IS NOT NULL AND income_class = 'salary' AND employment_class = 'employee' AND income > 0) AS wage_earners`,
    undefined,
    { step: 'bench.person_counts' },
  );
  const n = (k: string): number => Number(row?.[k] ?? 0);
  return {
    iit_detail: n('iit_detail'),
    si_person: n('si_person'),
    resident_pension: n('resident_pension'),
    assistance: n('assistance'),
    persons: n('persons'),
    wageEarners: n('wage_earners'),
  };
}

const personFactSql = sqlSteps(new URL('../../src/rules/person-facts.sql', import.meta.url));

/**
 * The person rules' yardstick: the person facts (person-facts.sql) and the four person rules'
 * queries as one plain SQL script with every parameter written in, the employer exemptions of
 * docs/rules.md applied to the rows that belong to an employer (established recently, an
 * individual business without wage data, closed for the rules that exempt closed employers), on
 * the database a run published. It does what recon computes for the person rules without its
 * checks, bookkeeping, cases and findings history. Timed as a whole and per part.
 */
export async function personYardstick(
  database: string,
  asOf: string,
  duckdb: NightlyBenchOptions['duckdb'],
): Promise<{ ms: number; factsMs: number; byRule: Record<string, number>; findings: number; script: string }> {
  const db = await Db.open(database, { settings: settings(duckdb) });
  try {
    const { lagDays, minAgeDays } = DEFAULT_RULES_CONFIG;
    const dates = { asOf, closedMonth: closedMonth(asOf, lagDays), lagDays, minAgeDays };
    const common = await commonParams(db, dates);
    const factParams = personFactParams(dates, DEFAULT_RULES_CONFIG);
    const p = await db.one<{ cap: unknown; min_tier: unknown }>(personFactSql('rules.person.params'), factParams, { step: 'bench.person.params' });
    const values: Record<string, string | number | boolean> = {
      ...common,
      ...factParams,
      cap: Number(p?.cap ?? 0),
      min_tier: p?.min_tier === null || p?.min_tier === undefined ? 200 : Number(p.min_tier),
    };
    const fill = (sql: string, extra: Record<string, string | number | boolean> = {}): string =>
      sql.replace(/\$([a-z_][a-z0-9_]*)/g, (whole, name: string) => {
        const v = extra[name] ?? values[name];
        if (v === undefined) return whole;
        return typeof v === 'string' ? literal(v) : String(v);
      });
    // The person fact names the rules read, as the tables the facts script writes.
    const bind = (sql: string): string =>
      Object.entries(PERSON_FACT_TABLES).reduce((out, [name, table]) => out.replace(new RegExp(`\\b${name}\\b`, 'g'), table), sql);
    const facts = personFactSteps(dates, DEFAULT_RULES_CONFIG).map((st) => `${fill(st.sql)};`);
    const rules = PERSON_RULES.map((rule) => {
      const own: Record<string, string | number | boolean> = {};
      for (const [n, spec] of Object.entries(rule.params)) own[`p_${n}`] = spec.default;
      return {
        id: rule.id,
        sql: `CREATE OR REPLACE TEMP TABLE y_${rule.id} AS
SELECT r.employer_id, r.person_key, r.severity, r.amount FROM (\n${fill(bind(rule.sql), own)}\n) r
LEFT JOIN employer_facts f ON f.employer_id = r.employer_id AND r.employer_id <> ''
WHERE r.employer_id = '' OR (f.employer_id IS NOT NULL
  AND NOT (coalesce(f.established_on > DATE ${literal(asOf)} - INTERVAL ${minAgeDays} DAY, false)
           OR (f.kind = 'individual_business' AND f.h IS NULL)
           OR (f.closed AND ${rule.exemptWhenClosed ? 'true' : 'false'})));`,
      };
    });
    const script = `-- recon bench: the person rules' yardstick (as of ${asOf}, closed month ${dates.closedMonth.slice(0, 7)}), as plain DuckDB SQL.
${facts.join('\n')}
${rules.map((x) => x.sql).join('\n')}
`;
    const timeOf = async (sql: string): Promise<number> => {
      const started = performance.now();
      await db.run(sql);
      return Math.round(performance.now() - started);
    };
    const factsMs = await timeOf(facts.join('\n'));
    const byRule: Record<string, number> = {};
    for (const x of rules) byRule[x.id] = await timeOf(x.sql);
    const n = await db.one<{ n: bigint }>(`SELECT ${rules.map((x) => `(SELECT count(*) FROM y_${x.id})`).join(' + ')} AS n`);
    return { ms: factsMs + Object.values(byRule).reduce((a, b) => a + b, 0), factsMs, byRule, findings: Number(n?.n ?? 0), script };
  } finally {
    db.close();
  }
}

function round2(n: number): number {
  return Number(n.toFixed(2));
}

function settings(duckdb: NightlyBenchOptions['duckdb']): Record<string, string> {
  const s: Record<string, string> = {};
  if (duckdb.threads) s['threads'] = String(duckdb.threads);
  s['memory_limit'] = duckdb.memory_limit ?? defaultMemoryLimit();
  if (duckdb.temp_directory) s['temp_directory'] = duckdb.temp_directory;
  return s;
}

/** Plain DuckDB reading the same CSV files into a file database: what ingest is measured against. */
async function bareReadCsv(files: string[], dbFile: string, duckdb: NightlyBenchOptions['duckdb']): Promise<number> {
  for (const f of [dbFile, `${dbFile}.wal`]) fs.rmSync(f, { force: true });
  const started = performance.now();
  const db = await Db.open(dbFile, { settings: settings(duckdb) });
  try {
    for (const [i, f] of files.entries()) await db.run(`CREATE TABLE t${i} AS SELECT * FROM read_csv(${literal(f)})`);
  } finally {
    db.close();
  }
  return Math.round(performance.now() - started);
}

/** recon's ingest alone (no linking, rules or reports), for the UTF-8 against GBK comparison and iit_detail against read_csv: wall ms and rows loaded. */
async function ingestOnly(files: string[], dbFile: string, work: string, options: NightlyBenchOptions): Promise<{ ms: number; rows: number }> {
  for (const f of [dbFile, `${dbFile}.wal`]) fs.rmSync(f, { force: true });
  const db = await Db.open(dbFile, { settings: settings(options.duckdb) });
  try {
    await migrate(db);
    const started = performance.now();
    const ctx = newRunContext(
      { ...defaultPipeline({ inbox: work, database: dbFile, output: work, workDir: work }), asOf: '2026-10-31' },
      { command: 'bench', runId: 'bench', logger: silentLogger() },
    );
    const summary = await ingestFiles(db, ctx, { files: files.map((file) => ({ file })) });
    return { ms: Math.round(performance.now() - started), rows: summary.rowsLoaded };
  } finally {
    db.close();
    for (const f of [dbFile, `${dbFile}.wal`]) fs.rmSync(f, { force: true });
  }
}

/** Whether a file's first 64 KB are UTF-8 (a character cut at the end does not count). */
function isUtf8(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, n), { stream: true });
    return true;
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A copy of the inbox's CSV files in one encoding (made once, streaming): the generator mixes
 * UTF-8 and GBK, and the targets are stated for UTF-8 inputs, with GBK measured against them.
 */
export async function encodedCopy(inbox: string, out: string, encoding: 'utf8' | 'gbk', logger: Logger): Promise<string> {
  const done = path.join(out, '.complete');
  if (fs.existsSync(done)) return out;
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const f of listInbox(inbox, ['**/*.csv'])) {
    const target = path.join(out, path.basename(f));
    const from = isUtf8(f) ? 'utf8' : 'gb18030';
    if ((from === 'utf8') === (encoding === 'utf8')) {
      fs.copyFileSync(f, target);
      continue;
    }
    logger.info({ file: path.basename(f), encoding }, `bench: writing a ${encoding} copy`);
    await streamPipeline(fs.createReadStream(f), iconv.decodeStream(from), iconv.encodeStream(encoding), fs.createWriteStream(target));
  }
  fs.writeFileSync(done, '');
  return out;
}

/** The tables the facts script writes; the yardstick writes its own copies (y_*). */
const FACT_TABLES = ['employer_withholding', 'employer_payments', 'employer_enrollment', 'employer_facts'];

/**
 * The rules yardstick: the built-in rules as one plain SQL script (the facts tables, every
 * rule's query, the "not findings" exemptions of docs/rules.md) with every parameter written in,
 * run in one statement batch. It does what the rules stage computes, without recon's checks,
 * per-rule bookkeeping, cases or findings history. The script is written next to the results
 * so anyone can run it in a DuckDB shell.
 */
export async function yardstick(
  database: string,
  asOf: string,
  duckdb: NightlyBenchOptions['duckdb'],
): Promise<{ ms: number; findings: number; script: string }> {
  const db = await Db.open(database, { settings: settings(duckdb) });
  try {
    const { lagDays, minAgeDays } = DEFAULT_RULES_CONFIG;
    const dates = { asOf, closedMonth: closedMonth(asOf, lagDays), lagDays, minAgeDays };
    const month = dates.closedMonth;
    const common = await commonParams(db, dates);
    const rename = (sql: string): string =>
      FACT_TABLES.reduce((s, t) => s.replace(new RegExp(`\\b${t}\\b`, 'g'), `y_${t}`), sql)
        .replace(/\b_facts_(withholding|payments|enrollment)\b/g, 'y_employer_$1')
        .replace(/CREATE OR REPLACE TEMP TABLE/g, 'CREATE OR REPLACE TABLE')
        .replace(/DELETE FROM y_employer_facts;\s*INSERT INTO y_employer_facts BY NAME/, 'CREATE OR REPLACE TABLE y_employer_facts AS');
    const factsSql = factSteps(dates)
      .filter((s) => s.name !== 'rules.facts.views')
      .map((s) => `${s.sql};`)
      .join('\n');
    const fill = (sql: string, values: Record<string, string | number | boolean>): string =>
      sql.replace(/\$([a-z_][a-z0-9_]*)/g, (whole, name: string) => {
        const v = values[name];
        if (v === undefined) return whole;
        return typeof v === 'string' ? literal(v) : String(v);
      });
    const rules = BUILTIN_RULES.map((rule) => {
      const values: Record<string, string | number | boolean> = { ...common };
      for (const [n, spec] of Object.entries(rule.params)) values[`p_${n}`] = spec.default;
      return `SELECT ${literal(rule.id)} AS rule_id, ${rule.exemptWhenClosed ? 'true' : 'false'} AS exempt_when_closed, employer_id, severity, amount
FROM (\n${fill(rename(rule.sql), values)}\n)`;
    });
    const script = `-- recon bench: the rules yardstick (as of ${asOf}, closed month ${month.slice(0, 7)}), as plain DuckDB SQL.
${fill(rename(factsSql), { month })}
CREATE OR REPLACE TABLE y_findings AS
SELECT r.rule_id, r.employer_id, r.severity, r.amount
FROM (
${rules.join('\nUNION ALL\n')}
) r JOIN y_employer_facts f USING (employer_id)
WHERE NOT (coalesce(f.established_on > DATE ${literal(asOf)} - INTERVAL 30 DAY, false)
           OR (f.kind = 'individual_business' AND f.h IS NULL)
           OR (f.closed AND r.exempt_when_closed));
`;
    const started = performance.now();
    await db.run(script);
    const ms = Math.round(performance.now() - started);
    const n = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM y_findings`);
    await db.run(
      FACT_TABLES.concat('findings')
        .map((t) => `DROP TABLE IF EXISTS y_${t};`)
        .join('\n'),
    );
    return { ms, findings: Number(n?.n ?? 0), script };
  } finally {
    db.close();
  }
}
