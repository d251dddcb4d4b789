import fs from 'node:fs';
import type { Db, Params } from '../db/database.ts';
import { literal } from '../core/sql.ts';
import { maskedSelect } from './masking.ts';

/** `recon_csv_text(s)`: text Excel would read as a formula (= + - @) gets a leading apostrophe. */
export const CSV_MACROS_SQL = `CREATE OR REPLACE MACRO recon_csv_text(s) AS CASE WHEN regexp_matches(s, '^[=+\\-@\\t\\r]') THEN '''' || s ELSE s END;`;

/**
 * Writes a query's rows as CSV in UTF-8 with a BOM (so Excel on a Chinese Windows opens it as
 * UTF-8), through DuckDB's COPY: no row passes through JS but the few text values with enough
 * digits to hold an ID number, which are masked (masking.ts); `keep`: values left as written
 * (the run's permit numbers).
 */
export async function writeCsvWithBom(
  db: Db,
  query: string,
  params: Params | undefined,
  file: string,
  step: string,
  keep?: ReadonlySet<string>,
): Promise<void> {
  const body = `${file}.body`;
  await db.run(CSV_MACROS_SQL, undefined, { step });
  // COPY takes no parameter for its target: the path is ours (the run folder), quoted by literal().
  const masked = await maskedSelect(db, query, params, { mode: 'ids', ...(keep ? { keep } : {}) });
  await db.run(`COPY (${masked}) TO ${literal(body)} (HEADER, DELIMITER ',', QUOTE '"')`, params, { step });
  const out = fs.openSync(file, 'w');
  try {
    fs.writeSync(out, '\uFEFF');
    fs.writeSync(out, fs.readFileSync(body));
  } finally {
    fs.closeSync(out);
    fs.rmSync(body, { force: true });
  }
}
