import type { Db } from './database.ts';
import { ident, literal } from './sql.ts';
import { VALUE_MACROS_SQL } from './macros.ts';
import { CONTRACTS, KINDS } from '../sources/index.ts';
import { tableColumns } from '../sources/normalise.ts';

/** Bumped when a table changes shape; stored in `schema_version`. */
export const SCHEMA_VERSION = 1;

const CORE_TABLES = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL);
CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;
CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR PRIMARY KEY,
  pipeline VARCHAR,
  command VARCHAR NOT NULL,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  status VARCHAR NOT NULL,
  as_of DATE,
  output_dir VARCHAR,
  files_loaded INTEGER,
  files_refused INTEGER,
  files_skipped INTEGER,
  rows_loaded BIGINT,
  rows_rejected BIGINT,
  summary JSON
);
CREATE TABLE IF NOT EXISTS manifest (
  file_id INTEGER PRIMARY KEY,
  run_id VARCHAR NOT NULL,
  path VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  size_bytes BIGINT NOT NULL,
  kind VARCHAR,
  format VARCHAR,
  encoding VARCHAR,
  delimiter VARCHAR,
  sheet VARCHAR,
  header_line INTEGER,
  column_map JSON,
  as_of DATE,
  as_of_source VARCHAR,
  period_min DATE,
  period_max DATE,
  rows_read BIGINT,
  rows_loaded BIGINT,
  rows_rejected BIGINT,
  values_flagged BIGINT,
  status VARCHAR NOT NULL,
  message VARCHAR,
  loaded_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS rejects (
  run_id VARCHAR NOT NULL,
  file_id INTEGER NOT NULL,
  file_name VARCHAR NOT NULL,
  kind VARCHAR,
  line BIGINT,
  column_name VARCHAR,
  reason VARCHAR NOT NULL,
  raw VARCHAR
);
CREATE TABLE IF NOT EXISTS value_issues (
  run_id VARCHAR NOT NULL,
  file_id INTEGER NOT NULL,
  file_name VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  line BIGINT,
  column_name VARCHAR NOT NULL,
  value VARCHAR,
  reason VARCHAR NOT NULL,
  action VARCHAR NOT NULL
);
`;

/**
 * Views over history. Snapshot kinds: the latest file (by as-of date, then load order) is
 * current; older snapshots stay in the table. Monthly kinds: for each period the latest file
 * holding that period wins, so a re-delivered month replaces the earlier one.
 */
function currentViews(): string {
  return KINDS.map((kind) => {
    const table = ident(kind);
    const view = ident(`${kind}_current`);
    if (CONTRACTS[kind].monthly) {
      return `CREATE OR REPLACE VIEW ${view} AS
        WITH files AS (
          SELECT file_id, row_number() OVER (ORDER BY as_of, file_id) AS seq
          FROM manifest WHERE kind = ${literal(kind)} AND status = 'loaded'),
        winners AS (
          SELECT t.period, arg_max(t.file_id, f.seq) AS file_id
          FROM (SELECT DISTINCT period, file_id FROM ${table}) t JOIN files f USING (file_id)
          GROUP BY t.period)
        SELECT t.* FROM ${table} t JOIN winners w ON t.period = w.period AND t.file_id = w.file_id;`;
    }
    return `CREATE OR REPLACE VIEW ${view} AS
      SELECT t.* FROM ${table} t
      WHERE t.file_id = (SELECT file_id FROM manifest WHERE kind = ${literal(kind)} AND status = 'loaded'
                         ORDER BY as_of DESC, file_id DESC LIMIT 1);`;
  }).join('\n');
}

function kindTables(): string {
  return KINDS.map((kind) => {
    const columns = tableColumns(CONTRACTS[kind]).map(([n, t]) => `${ident(n)} ${t}`);
    return `CREATE TABLE IF NOT EXISTS ${ident(kind)} (${columns.join(', ')});`;
  }).join('\n');
}

/** Creates or upgrades every table, view and macro. Safe to run on every open. */
export async function migrate(db: Db): Promise<void> {
  await db.run(CORE_TABLES, undefined, { step: 'schema.core' });
  await db.run(kindTables(), undefined, { step: 'schema.kinds' });
  await db.run(VALUE_MACROS_SQL, undefined, { step: 'schema.macros' });
  await db.run(currentViews(), undefined, { step: 'schema.views' });
  const row = await db.one<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
  if ((row?.v ?? 0) < SCHEMA_VERSION) {
    await db.run('INSERT INTO schema_version VALUES ($1, current_timestamp)', [SCHEMA_VERSION], { step: 'schema.version' });
  }
}
