import fs from 'node:fs';
import { textList, type Db } from '../database.ts';
import { ident, literal } from '../../core/sql.ts';
import { ConfigError } from '../../core/errors.ts';
import { VALUE_MACROS_SQL } from '../macros.ts';
import { CONTRACTS, KINDS } from '../../sources/index.ts';
import { tableColumns } from '../../sources/normalise.ts';

/**
 * The schema's one owner. A database's tables are created and changed only here, by the
 * numbered migrations in this folder (`NNNN-<what>.sql`), each applied once, in order, in a
 * transaction, and recorded in `schema_version`. A database written by an earlier release is
 * upgraded on its first writable open; one at an older version opened read-only is refused with
 * what to do, and so is one written by a newer release.
 *
 * Two parts follow code rather than versions and are brought in step on every writable open:
 * the tables of the export kinds follow their contracts (src/sources/: a column added to a
 * contract is added to its table, NULL in older rows), and the `<kind>_current` views and the
 * value macros are recreated.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; name: string; file: URL }> = fs
  .readdirSync(new URL('.', import.meta.url))
  .flatMap((name) => {
    const m = /^(\d{4})-[\w-]+\.sql$/.exec(name);
    return m ? [{ version: Number(m[1]), name, file: new URL(`./${name}`, import.meta.url) }] : [];
  })
  .sort((a, b) => a.version - b.version);

/** The version this code writes: the number of its last migration. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** The migrations and their files, in order (tests and `recon tables`). */
export function migrations(): ReadonlyArray<{ version: number; name: string }> {
  return MIGRATIONS.map(({ version, name }) => ({ version, name }));
}

async function currentVersion(db: Db): Promise<number> {
  // The one probe of the catalog: whether this is a new database at all.
  const t = await db.one<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'schema_version'`,
    undefined,
    { step: 'schema.probe' },
  );
  if (Number(t?.n ?? 0) === 0) return 0;
  const v = await db.one<{ v: number | null }>('SELECT max(version) AS v FROM schema_version', undefined, { step: 'schema.version' });
  return v?.v ?? 0;
}

/** Upgrades the database to SCHEMA_VERSION and brings the contract-driven parts in step. Idempotent. */
export async function migrate(db: Db): Promise<{ from: number; to: number }> {
  const from = await currentVersion(db);
  if (from > SCHEMA_VERSION) throw newerError(db.path, from);
  for (const m of MIGRATIONS.filter((x) => x.version > from)) {
    await db.transaction(
      async () => {
        await db.run(fs.readFileSync(m.file, 'utf8'), undefined, { step: `schema.migrate.${m.name}` });
        await db.run('INSERT INTO schema_version VALUES ($1, current_timestamp)', [m.version], { step: 'schema.version' });
      },
      { step: `schema.migrate.${m.name}` },
    );
  }
  const kinds = kindTablesSql(await kindColumns(db));
  if (kinds) await db.run(kinds, undefined, { step: 'schema.kinds' });
  await db.run(VALUE_MACROS_SQL, undefined, { step: 'schema.macros' });
  await db.run(currentViewsSql(), undefined, { step: 'schema.views' });
  return { from, to: SCHEMA_VERSION };
}

/** For a read-only open: the database must be at this code's version (nothing can be upgraded read-only). */
export async function checkSchema(db: Db): Promise<void> {
  const version = await currentVersion(db);
  if (version > SCHEMA_VERSION) throw newerError(db.path, version);
  if (version < SCHEMA_VERSION) {
    throw new ConfigError(
      `The database "${db.path}" was written by an earlier release of recon (schema ${version}; this release reads schema ${SCHEMA_VERSION}). ` +
        `Run "recon upgrade" (or the next "recon run") once to upgrade it; it keeps all its data.`,
      { version },
    );
  }
}

function newerError(file: string, version: number): ConfigError {
  return new ConfigError(
    `The database "${file}" was written by a newer release of recon (schema ${version}; this release knows up to ${SCHEMA_VERSION}). Use that release, or a copy of the database made before it.`,
    { version },
  );
}

async function kindColumns(db: Db): Promise<Map<string, Set<string>>> {
  const rows = await db.all<{ t: string; c: string }>(
    `SELECT table_name AS t, column_name AS c FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main'
     AND list_contains($1::VARCHAR[], table_name)`,
    [textList(KINDS)],
    { step: 'schema.kind_columns' },
  );
  const out = new Map<string, Set<string>>();
  for (const r of rows) out.set(r.t, (out.get(r.t) ?? new Set()).add(r.c));
  return out;
}

/** A table per export kind with its contract's columns; columns a contract gained are added. */
function kindTablesSql(existing: Map<string, Set<string>>): string {
  return KINDS.map((kind) => {
    const columns = tableColumns(CONTRACTS[kind]);
    const have = existing.get(kind);
    if (!have) return `CREATE TABLE ${ident(kind)} (${columns.map(([n, t]) => `${ident(n)} ${t}`).join(', ')});`;
    return columns
      .filter(([n]) => !have.has(n))
      .map(([n, t]) => `ALTER TABLE ${ident(kind)} ADD COLUMN ${ident(n)} ${t.replace(' NOT NULL', '')};`)
      .join('\n');
  })
    .filter((sql) => sql !== '')
    .join('\n');
}

/**
 * Views over history: the rows of every loaded file that no later delivery of the same records
 * replaced (see `supersessions`). Two parts of one export (enterprises and individual
 * businesses in two files) are both current; a re-delivery replaces what it re-delivers, for
 * monthly kinds month by month. A supersession with a `record_key` replaces only that record of
 * the file (month): a withholding agent's month (iit_detail), a category (assistance).
 */
function currentViewsSql(): string {
  return KINDS.map((kind) => {
    const contract = CONTRACTS[kind];
    const table = ident(kind);
    const view = ident(`${kind}_current`);
    const loaded = `t.file_id IN (SELECT file_id FROM manifest WHERE kind = ${literal(kind)} AND status = 'loaded')`;
    const mode = contract.supersession ?? 'slice';
    if (mode === 'key_month' || mode === 'value') {
      // Uncorrelated anti joins: a NOT EXISTS correlated on the record key made DuckDB group the
      // whole table by it on every read (20 times slower at a million rows).
      const period = contract.monthly ? 'w.period = t.period' : 'w.period IS NULL';
      const record = mode === 'key_month' ? `t.${ident(contract.key)}` : `coalesce(CAST(t.${ident(contract.supersedeBy ?? contract.key)} AS VARCHAR), '')`;
      const superseded = (what: string): string => `(SELECT file_id, period, record_key FROM supersessions WHERE kind = ${literal(kind)} AND ${what})`;
      return `CREATE OR REPLACE VIEW ${view} AS
      SELECT t.* FROM ${table} t
      ANTI JOIN ${superseded('record_key IS NULL')} w ON w.file_id = t.file_id AND ${period}
      ANTI JOIN ${superseded('record_key IS NOT NULL')} r ON r.file_id = t.file_id AND ${period.replaceAll('w.', 'r.')} AND r.record_key = ${record}
      WHERE ${loaded};`;
    }
    const periodMatch = contract.monthly ? 's.period = t.period' : 's.period IS NULL';
    return `CREATE OR REPLACE VIEW ${view} AS
      SELECT t.* FROM ${table} t
      WHERE ${loaded}
        AND NOT EXISTS (SELECT 1 FROM supersessions s WHERE s.kind = ${literal(kind)} AND s.file_id = t.file_id AND ${periodMatch});`;
  }).join('\n');
}
