import type { Db, Params } from '../db/database.ts';
import { digitClassRe2, holdsIdNumber, maskIdNumbers, maskPersonal, pseudonym } from '../core/personal.ts';
import { ident, literal } from '../core/sql.ts';

/**
 * Personal data in files written straight from SQL (COPY to CSV or Parquet): the query is
 * wrapped so that every text column goes through the masking of core/personal.ts, run as a
 * SQL function of the connection. A cheap SQL test (how many digit-like characters the value
 * has) keeps the other values out of JavaScript.
 */

/** `ids`: resident ID numbers masked; `personal`: ID and mobile numbers masked (exports that leave the office's systems). */
export type MaskMode = 'ids' | 'personal';

export interface MaskOptions {
  mode: MaskMode;
  /** Columns that are codes (join keys): a code that holds an ID number becomes its keyed hash instead of being masked. */
  keyColumns?: ReadonlySet<string>;
  /** The database's key (src/db/secrets.ts); needed when keyColumns is given. */
  key?: Buffer;
  /** Folded values with an ID's shape that are not personal (the run's permit numbers): left as written. */
  keep?: ReadonlySet<string>;
}

let keepFunctions = 0;

const registered = new WeakMap<Db, Set<string>>();

function register(db: Db, name: string, fn: (value: string) => string): void {
  const names = registered.get(db) ?? new Set<string>();
  registered.set(db, names);
  if (names.has(name)) return;
  db.registerTextFunction(name, 1, 'VARCHAR', fn);
  names.add(name);
}

/** Registers the masking functions on a connection (once): recon_mask_ids, recon_mask_personal. */
export function registerMaskFunctions(db: Db): void {
  register(db, 'recon_mask_ids', maskIdNumbers);
  register(db, 'recon_mask_personal', maskPersonal);
}

/** The SQL of a text value masked (registerMaskFunctions first); values with too few digits skip JavaScript. `fn`: another masking function. */
export function maskExpr(value: string, mode: MaskMode, fn = mode === 'ids' ? 'recon_mask_ids' : 'recon_mask_personal'): string {
  const min = mode === 'ids' ? 15 : 11;
  return `CASE WHEN length(regexp_replace(${value}, ${literal(digitClassRe2(true))}, '', 'g')) >= ${min} THEN ${fn}(${value}) ELSE ${value} END`;
}

/** The SQL of `select` with its text columns masked (and its key columns' ID-bearing codes hashed). Column names and order stay. */
export async function maskedSelect(db: Db, select: string, params: Params | undefined, options: MaskOptions): Promise<string> {
  registerMaskFunctions(db);
  const { key } = options;
  if (options.keyColumns?.size) {
    if (!key) throw new Error('maskedSelect: key columns need the database key');
    // One Db serves one database, so one key: the function is registered once.
    register(db, 'recon_pseudonym', (v) => (holdsIdNumber(v) ? pseudonym(key, v) : v));
  }
  let fn: string | undefined;
  if (options.keep?.size) {
    // A function of its own per keep set (a query's masking never depends on another's).
    const keep = options.keep;
    const mask = options.mode === 'ids' ? maskIdNumbers : maskPersonal;
    fn = `recon_mask_keep_${++keepFunctions}`;
    register(db, fn, (v) => mask(v, keep));
  }
  const inner = `SELECT * FROM (\n${select}\n)`;
  const columns = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE ${inner}`, params, { step: 'mask.describe' });
  const exprs = columns.map(({ column_name: name, column_type: type }) => {
    const c = ident(name);
    if (type === 'VARCHAR') {
      if (options.keyColumns?.has(name.replace(/_raw$/, ''))) return `CASE WHEN length(${c}) >= 15 THEN recon_pseudonym(${c}) ELSE ${c} END AS ${c}`;
      return `${maskExpr(c, options.mode, fn)} AS ${c}`;
    }
    if (type === 'JSON') return `CAST(${maskExpr(`CAST(${c} AS VARCHAR)`, options.mode, fn)} AS JSON) AS ${c}`;
    if (type === 'VARCHAR[]') return `list_transform(${c}, x -> ${maskExpr('x', options.mode, fn)}) AS ${c}`;
    // Other nested values holding text (structs, maps, lists of lists): as masked JSON text.
    if (/VARCHAR|JSON/.test(type)) return `${maskExpr(`CAST(to_json(${c}) AS VARCHAR)`, options.mode, fn)} AS ${c}`;
    return c;
  });
  return `SELECT ${exprs.join(', ')} FROM (\n${select}\n)`;
}
