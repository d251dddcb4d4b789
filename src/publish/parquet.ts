import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import { literal } from '../core/sql.ts';
import type { Logger } from '../core/log.ts';
import { databaseKey } from '../db/secrets.ts';
import { maskedSelect } from './masking.ts';
import { pseudonym } from '../core/personal.ts';

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
    description: "the latest run's findings of employers (person findings: --with-persons)",
    sql: `SELECT f.*, coalesce(e.district_code, 'unknown') AS district FROM findings_latest f LEFT JOIN employers e USING (employer_id) WHERE f.person_key = ''`,
  },
  {
    name: 'cases',
    description: 'every case of an employer and its state (person cases: --with-persons)',
    sql: `SELECT c.*, coalesce(e.district_code, 'unknown') AS district FROM cases c LEFT JOIN employers e USING (employer_id) WHERE c.person_key = ''`,
  },
];

/** A district code as a partition value: six digits, else unknown (a name where a code belongs). */
const code6 = (c: string): string => `CASE WHEN regexp_matches(${c}, '^[0-9]{6}$') THEN ${c} END`;

/**
 * The district a person belongs to in the export: the district of their SI rows, resident
 * pension or assistance rows, else that of an employer paying them wages (the smallest code
 * when there are several), else unknown.
 */
const PERSON_DISTRICT = `(SELECT id_no, min(d) AS district FROM (
    SELECT s.id_no, coalesce(${code6('s.district_code')}, e.district_code) AS d FROM si_person_current s
      LEFT JOIN si_units u ON u.unit_id = s.unit_id LEFT JOIN employers e ON e.employer_id = u.employer_id
    UNION ALL SELECT id_no, ${code6('district_code')} FROM resident_pension_current
    UNION ALL SELECT id_no, ${code6('district_code')} FROM assistance_current
    UNION ALL SELECT i.id_no, e.district_code FROM (SELECT DISTINCT id_no, taxpayer_id, agent_name FROM iit_detail_current) i
      JOIN iit_agents a ON a.taxpayer_id IS NOT DISTINCT FROM i.taxpayer_id AND a.agent_name IS NOT DISTINCT FROM i.agent_name
      JOIN employers e ON e.employer_id = a.employer_id
  ) WHERE id_no IS NOT NULL AND d IS NOT NULL GROUP BY id_no)`;

/** Pseudonym of a person's identifier (`_person_hash`, filled by exportParquet from every value the person tables hold). */
const hashed = (c: string, as: string = c): string => `(SELECT h FROM _person_hash WHERE v = ${c}) AS ${as}`;

/**
 * The person tables (`recon export --with-persons`): identifiers of people (the ID number as
 * normalised and as delivered, the SI personal number) replaced by their keyed hash, so every
 * table still joins on id_no (and on person_key) without the number; names left out; the birth
 * date as its year. Each row sits in the district of the employer its row is linked to, else
 * its own district, else the person's.
 */
export const PERSON_PARQUET_TABLES: ParquetTable[] = [
  {
    name: 'persons',
    description: 'one row per person (resident ID); id_no is the keyed hash',
    sql: `SELECT p.person_key, ${hashed('p.id_no', 'id_no')}, year(p.birth_date) AS birth_year, p.sex, p.first_run, p.last_run,
       coalesce(pd.district, 'unknown') AS district
FROM persons p LEFT JOIN ${PERSON_DISTRICT} pd ON pd.id_no = p.id_no`,
  },
  {
    name: 'iit_agents',
    description: 'withholding agents of iit_detail and the employer each is linked to',
    sql: `SELECT a.*, coalesce(e.district_code, 'unknown') AS district FROM iit_agents a LEFT JOIN employers e USING (employer_id)`,
  },
  {
    name: 'si_units',
    description: 'SI unit ids of the person rows and the employer each is linked to',
    sql: `SELECT u.*, coalesce(e.district_code, 'unknown') AS district FROM si_units u LEFT JOIN employers e USING (employer_id)`,
  },
  {
    name: 'iit_detail',
    description: 'individual income tax withholding detail rows in force (per person, agent, month, item)',
    sql: `SELECT r.* EXCLUDE (id_no, id_no_raw, person_name), ${hashed('r.id_no', 'id_no')}, ${hashed('r.id_no_raw', 'id_no_raw')}, a.employer_id,
       coalesce(e.district_code, 'unknown') AS district
FROM iit_detail_current r
LEFT JOIN iit_agents a ON a.taxpayer_id IS NOT DISTINCT FROM r.taxpayer_id AND a.agent_name IS NOT DISTINCT FROM r.agent_name
LEFT JOIN employers e ON e.employer_id = a.employer_id`,
  },
  {
    name: 'si_person',
    description: 'social-insurance person enrollment rows in force',
    sql: `SELECT r.* EXCLUDE (id_no, id_no_raw, person_name, person_no), ${hashed('r.id_no', 'id_no')}, ${hashed('r.id_no_raw', 'id_no_raw')},
       ${hashed('r.person_no', 'person_no')}, u.employer_id, coalesce(e.district_code, ${code6('r.district_code')}, 'unknown') AS district
FROM si_person_current r
LEFT JOIN si_units u ON u.unit_id = r.unit_id
LEFT JOIN employers e ON e.employer_id = u.employer_id`,
  },
  {
    name: 'resident_pension',
    description: "urban and rural residents' pension rows in force",
    sql: `SELECT r.* EXCLUDE (id_no, id_no_raw, person_name), ${hashed('r.id_no', 'id_no')}, ${hashed('r.id_no_raw', 'id_no_raw')},
       coalesce(${code6('r.district_code')}, 'unknown') AS district
FROM resident_pension_current r`,
  },
  {
    name: 'assistance',
    description: 'assistance rolls in force (低保, 特困, 残疾, 脱贫)',
    sql: `SELECT r.* EXCLUDE (id_no, id_no_raw, person_name), ${hashed('r.id_no', 'id_no')}, ${hashed('r.id_no_raw', 'id_no_raw')},
       coalesce(${code6('r.district_code')}, 'unknown') AS district
FROM assistance_current r`,
  },
  {
    name: 'person_findings',
    description: "the latest run's findings of the person rules (person_key joins persons)",
    sql: `SELECT f.*, coalesce(e.district_code, pd.district, 'unknown') AS district
FROM findings_latest f LEFT JOIN employers e ON e.employer_id = nullif(f.employer_id, '')
LEFT JOIN persons p ON p.person_key = f.person_key LEFT JOIN ${PERSON_DISTRICT} pd ON pd.id_no = p.id_no
WHERE f.person_key <> ''`,
  },
  {
    name: 'person_cases',
    description: 'every case of a person and its state',
    sql: `SELECT c.*, coalesce(e.district_code, pd.district, 'unknown') AS district
FROM cases c LEFT JOIN employers e ON e.employer_id = nullif(c.employer_id, '')
LEFT JOIN persons p ON p.person_key = c.person_key LEFT JOIN ${PERSON_DISTRICT} pd ON pd.id_no = p.id_no
WHERE c.person_key <> ''`,
  },
];

/** The temporary table of every person identifier the person tables hold and its keyed hash. */
const hashRegistered = new WeakSet<Db>();
async function fillPersonHashes(db: Db, key: Buffer): Promise<void> {
  // One Db serves one database, so one key: the function is registered once.
  if (!hashRegistered.has(db)) db.registerTextFunction('recon_person_hash', 1, 'VARCHAR', (v) => pseudonym(key, v));
  hashRegistered.add(db);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _person_hash AS
     SELECT v, recon_person_hash(v) AS h FROM (
       SELECT id_no AS v FROM persons
       UNION SELECT id_no FROM iit_detail_current UNION SELECT id_no_raw FROM iit_detail_current
       UNION SELECT id_no FROM si_person_current UNION SELECT id_no_raw FROM si_person_current UNION SELECT person_no FROM si_person_current
       UNION SELECT id_no FROM resident_pension_current UNION SELECT id_no_raw FROM resident_pension_current
       UNION SELECT id_no FROM assistance_current UNION SELECT id_no_raw FROM assistance_current
     ) WHERE v IS NOT NULL`,
    undefined,
    { step: 'parquet.person_hash' },
  );
}

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
export async function exportParquet(
  db: Db,
  out: string,
  logger: Logger,
  key: Buffer = databaseKey(db.path),
  options: { withPersons?: boolean } = {},
): Promise<ParquetExport> {
  const tables = options.withPersons ? [...PARQUET_TABLES, ...PERSON_PARQUET_TABLES] : PARQUET_TABLES;
  const partial = `${out}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  const run = await db
    .one<{ run_id: string; as_of: string }>(`SELECT run_id, strftime(as_of, '%Y-%m-%d') AS as_of FROM findings_latest LIMIT 1`)
    .catch(() => undefined);
  const result: ParquetExport = { dir: out, runId: run?.run_id ?? null, asOf: run?.as_of ?? null, tables: [] };
  if (options.withPersons) await fillPersonHashes(db, key);
  for (const t of tables) {
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
        ...(options.withPersons
          ? {
              persons:
                'person tables included (--with-persons): id_no, id_no_raw and person_no replaced by h:<HMAC-SHA256 with the database key> (the same value in every table, so persons, iit_detail, si_person, resident_pension and assistance join on id_no; findings and cases on person_key); names left out; birth date as birth_year',
            }
          : { persons: 'person tables left out (recon export --with-persons adds them, pseudonymised); findings and cases of employers only' }),
        tables: Object.fromEntries(tables.map((t) => [t.name, { description: t.description, ...result.tables.find((x) => x.name === t.name) }])),
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
