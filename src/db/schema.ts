import type { Db } from './database.ts';
import { ident, literal } from '../core/sql.ts';
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
-- A file (or, for monthly kinds, one month of it) replaced by a later delivery of the same records.
CREATE TABLE IF NOT EXISTS supersessions (
  kind VARCHAR NOT NULL,
  file_id INTEGER NOT NULL,
  period DATE,
  by_file_id INTEGER NOT NULL,
  run_id VARCHAR NOT NULL
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
 * Views over history: the rows of every loaded file that no later delivery of the same records
 * replaced (see `supersessions`). Two parts of one export (enterprises and individual
 * businesses in two files) are both current; a re-delivery replaces what it re-delivers, for
 * monthly kinds month by month.
 */
function currentViews(): string {
  return KINDS.map((kind) => {
    const table = ident(kind);
    const view = ident(`${kind}_current`);
    const periodMatch = CONTRACTS[kind].monthly ? 's.period = t.period' : 's.period IS NULL';
    return `CREATE OR REPLACE VIEW ${view} AS
      SELECT t.* FROM ${table} t
      WHERE t.file_id IN (SELECT file_id FROM manifest WHERE kind = ${literal(kind)} AND status = 'loaded')
        AND NOT EXISTS (SELECT 1 FROM supersessions s WHERE s.kind = ${literal(kind)} AND s.file_id = t.file_id AND ${periodMatch});`;
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
