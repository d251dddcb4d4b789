import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import { literal } from '../core/sql.ts';
import type { Logger } from '../core/log.ts';
import { databaseKey } from '../db/secrets.ts';
import { maskedSelect } from './masking.ts';

/**
 * The scale-out path: the canonical tables and the findings as Parquet, partitioned by the
 * employer's district code in hive layout (`<table>/district=320505/data_0.parquet`), so that
 * Spark, Trino or DuckDB itself can read the whole province as one dataset, or one district's
 * folder can be handed to a run of its own. Every record row carries the `employer_id` it was
 * linked to; rows that linked to no employer go under `district=unknown`.
 */
export interface ParquetTable {
  name: string;
  /** What the rows are, for the manifest. */
  description: string;
  sql: string;
}

/** How a source's current rows join the employer they were linked to (see link_records). */
function linked(kind: string, on: string): string {
  return `SELECT r.*, l.employer_id, coalesce(e.district_code, 'unknown') AS district
FROM ${kind}_current r
LEFT JOIN employer_links l ON ${on}
LEFT JOIN employers e ON e.employer_id = l.employer_id`;
}

export const PARQUET_TABLES: ParquetTable[] = [
  {
    name: 'employers',
    description: 'linked employers (one per real employer)',
    sql: `SELECT *, coalesce(district_code, 'unknown') AS district FROM employers`,
  },
  {
    name: 'employer_links',
    description: 'which source record belongs to which employer, and how it was linked',
    sql: `SELECT l.*, coalesce(e.district_code, 'unknown') AS district FROM employer_links l LEFT JOIN employers e USING (employer_id)`,
  },
  {
    name: 'registration',
    description: 'market-regulation registry rows in force',
    sql: linked('registration', `l.source = 'registration' AND l.record_key = coalesce(r.uscc, 'line:' || r.file_id || ':' || r.src_line)`),
  },
  {
    name: 'civil_org',
    description: 'civil-affairs social organisation rows in force',
    sql: linked('civil_org', `l.source = 'civil_org' AND l.record_key = coalesce(r.uscc, 'line:' || r.file_id || ':' || r.src_line)`),
  },
  {
    name: 'tax_registration',
    description: 'tax registry rows in force',
    sql: linked('tax_registration', `l.source = 'tax_registration' AND l.record_key = r.taxpayer_id`),
  },
  {
    name: 'tax_withholding',
    description: 'monthly withholding (个税扣缴) rows in force',
    sql: linked('tax_withholding', `l.source IN ('tax_registration', 'tax_withholding') AND l.record_key = r.taxpayer_id`),
  },
  {
    name: 'si_enrollment',
    description: 'social-insurance enrollment rows in force',
    sql: linked('si_enrollment', `l.source = 'si_unit' AND l.record_key = r.unit_id`),
  },
  {
    name: 'si_payment',
    description: 'social-insurance contribution rows in force',
    sql: linked('si_payment', `l.source = 'si_unit' AND l.record_key = r.unit_id`),
  },
  {
    name: 'employer_facts',
    description: 'what the rules reasoned about, per employer, in the latest run',
    sql: `SELECT *, coalesce(district_code, 'unknown') AS district FROM employer_facts`,
  },
  {
    name: 'findings',
    description: "the latest run's findings",
    sql: `SELECT f.*, coalesce(e.district_code, 'unknown') AS district FROM findings_latest f LEFT JOIN employers e USING (employer_id)`,
  },
  {
    name: 'cases',
    description: 'every case and its state',
    sql: `SELECT c.*, coalesce(e.district_code, 'unknown') AS district FROM cases c LEFT JOIN employers e USING (employer_id)`,
  },
];

/**
 * Columns that are codes, join keys between the tables: a code that holds a resident ID number
 * (an individual business's taxpayer number is its owner's ID and two digits) is replaced by its
 * keyed hash, the same in every table, so the tables still join; other codes stay as they are.
 * `<name>_raw` (the code as delivered) goes with its column.
 */
export const KEY_COLUMNS: ReadonlySet<string> = new Set([
  'employer_id',
  'uscc',
  'taxpayer_id',
  'unit_id',
  'org_code',
  'reg_no',
  'record_key',
  'code',
  'case_id',
  'run_id',
  'rule_id',
  'district',
  'district_code',
  'permit_no',
  'project_id',
  'contractor_uscc',
  'person_no',
  'id_no',
]);

export interface ParquetExport {
  dir: string;
  runId: string | null;
  asOf: string | null;
  tables: Array<{ name: string; rows: number; districts: number; ms: number }>;
}

/**
 * Writes every table of PARQUET_TABLES under `out` (replacing an earlier export there): first
 * into `<out>.partial`, renamed when complete, so a reader never sees half an export. Personal
 * data leaves masked (/work/shared/EXPORTS.md, "Personal data"): ID and mobile numbers inside
 * every text column are masked, and codes that hold an ID number (KEY_COLUMNS) are replaced by
 * their keyed hash (`key`: the database's, src/db/secrets.ts, created beside it on first use).
 */
export async function exportParquet(db: Db, out: string, logger: Logger, key: Buffer = databaseKey(db.path)): Promise<ParquetExport> {
  const partial = `${out}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  const run = await db
    .one<{ run_id: string; as_of: string }>(`SELECT run_id, strftime(as_of, '%Y-%m-%d') AS as_of FROM findings_latest LIMIT 1`)
    .catch(() => undefined);
  const result: ParquetExport = { dir: out, runId: run?.run_id ?? null, asOf: run?.as_of ?? null, tables: [] };
  for (const t of PARQUET_TABLES) {
    const started = performance.now();
    const target = path.join(partial, t.name);
    const masked = await maskedSelect(db, t.sql, undefined, { mode: 'personal', keyColumns: KEY_COLUMNS, key });
    await db.run(`COPY (${masked}) TO ${literal(target)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (district))`, undefined, {
      step: `parquet.${t.name}`,
    });
    const counted = await db.one<{ rows: bigint; districts: bigint }>(
      `SELECT count(*) AS rows, count(DISTINCT district) AS districts FROM read_parquet(${literal(path.join(target, '**', '*.parquet'))}, hive_partitioning = true)`,
    );
    const entry = { name: t.name, rows: Number(counted?.rows ?? 0), districts: Number(counted?.districts ?? 0), ms: Math.round(performance.now() - started) };
    result.tables.push(entry);
    logger.info(entry, `parquet: ${t.name} ${entry.rows} rows in ${entry.districts} district folder(s)`);
  }
  fs.writeFileSync(
    path.join(partial, 'manifest.json'),
    `${JSON.stringify(
      {
        written_by: 'recon export',
        run_id: result.runId,
        as_of: result.asOf,
        partitioning: 'hive, district=<6-digit district code of the linked employer> (unknown: not linked to an employer)',
        personal_data:
          'ID numbers inside text columns masked as the first 6 and last 4 characters, mobile numbers as the first 3 and last 4 digits; codes that hold an ID number (an individual business taxpayer number) replaced by h:<HMAC-SHA256 with the database key>, equal in every table',
        tables: Object.fromEntries(PARQUET_TABLES.map((t) => [t.name, { description: t.description, ...result.tables.find((x) => x.name === t.name) }])),
        read_with: {
          duckdb: `SELECT * FROM read_parquet('<dir>/findings/*/*.parquet', hive_partitioning = true) WHERE district = '320505'`,
          spark: `spark.read.parquet("<dir>/findings")`,
          trino: `CREATE TABLE hive.recon.findings (...) WITH (external_location = '<dir>/findings', format = 'PARQUET', partitioned_by = ARRAY['district'])`,
        },
      },
      null,
      2,
    )}\n`,
  );
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(partial, out);
  return result;
}
