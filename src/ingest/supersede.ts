import type { Db } from '../db/database.ts';
import { ident } from '../core/sql.ts';
import { CONTRACTS, type Kind } from '../sources/index.ts';

/**
 * Supersession of the person-level kinds (docs/exports.md "Snapshots and supersession"), the
 * modes other than `slice` (which load.ts does itself):
 *
 * - `key_month` (iit_detail): per (withholding agent, month), the latest file holding that agent
 *   and month wins (as-of date, then the file loaded later). A correction (更正申报) of one
 *   agent's month replaces just that; a file re-delivering every agent of a month replaces the
 *   month with one row.
 * - `value` (assistance): per category, the latest file holding the category wins.
 * - `snapshot` (si_person, resident_pension): files of one as-of date are one snapshot; a file
 *   of a later date replaces every current file of an earlier one, and one of the same date
 *   that re-delivers most of a current file's keys replaces that file.
 *
 * The plan is the temporary table `_supersede` (file_id, period, record_key, by_file_id,
 * old_rows, new_rows, redelivers), NULL ids standing for the new file (its id is drawn when it
 * is written); the guard reads its totals, the write inserts it into `supersessions`.
 */

/** What the new file would replace, for the snapshot guard. */
export interface Redelivery {
  /** Rows of the current data the file delivers again (the agents' months, the categories, the snapshot files it overlaps). */
  before: number;
  /** The file's rows in what it delivers again. */
  now: number;
  /** The current files it would replace (file name and id). */
  files: Array<{ fileId: number; fileName: string }>;
  /** What is compared, for the message: "agent-months", "categories", "" (whole files). */
  unit: string;
  slices: number;
}

/** Builds `_supersede` for a kind whose supersession is not `slice`; the typed file is in `_typed`. */
export async function planSupersessions(db: Db, kind: Kind, asOf: string, rowsLoaded: number): Promise<Redelivery> {
  const contract = CONTRACTS[kind];
  const mode = contract.supersession ?? 'slice';
  const current = ident(`${kind}_current`);
  const key = ident(contract.key);
  const step = `ingest.${kind}.supersede_plan`;
  if (mode === 'key_month') {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _new_pairs AS SELECT ${key} AS key, period, count(*) AS n FROM _typed WHERE _reason IS NULL GROUP BY ALL;
       -- Every key of the current slices of the months the file holds (a slice is wholly replaced when the file holds all its keys).
       CREATE OR REPLACE TEMP TABLE _old_pairs AS
         SELECT file_id, period, ${key} AS key, count(*) AS n FROM ${current}
         WHERE period IN (SELECT DISTINCT period FROM _new_pairs) GROUP BY ALL;
       CREATE OR REPLACE TEMP TABLE _supersede AS
       WITH o AS (
         SELECT o.file_id, o.period, o.key, o.n AS old_n, p.n AS new_n, m.as_of > CAST($as_of AS DATE) AS newer
         FROM _old_pairs o JOIN manifest m USING (file_id) LEFT JOIN _new_pairs p ON p.key = o.key AND p.period = o.period),
       s AS (SELECT file_id, period, count(*) AS keys, count(new_n) AS shared, bool_or(newer) AS newer,
                    sum(old_n) FILTER (WHERE new_n IS NOT NULL) AS old_rows, sum(new_n) AS new_rows
             FROM o GROUP BY ALL)
       -- An earlier slice the file re-delivers whole: one row for the month.
       SELECT s.file_id, s.period, CAST(NULL AS VARCHAR) AS record_key, CAST(NULL AS INTEGER) AS by_file_id, s.old_rows, s.new_rows, true AS redelivers
       FROM s WHERE NOT s.newer AND s.shared = s.keys
       UNION ALL
       -- Part of an earlier slice (one agent's correction): a row per agent and month.
       SELECT o.file_id, o.period, o.key, NULL, o.old_n, o.new_n, true
       FROM o JOIN s USING (file_id, period) WHERE NOT s.newer AND s.shared < s.keys AND o.new_n IS NOT NULL
       UNION ALL
       -- A later file already holds the agent's month: the new file's rows of it are history.
       SELECT NULL, o.period, o.key, o.file_id, 0, 0, false FROM o WHERE o.newer AND o.new_n IS NOT NULL;
       DROP TABLE _new_pairs; DROP TABLE _old_pairs;`,
      { as_of: asOf },
      { step },
    );
  } else if (mode === 'value') {
    const column = ident(contract.supersedeBy ?? contract.key);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _supersede AS
       WITH nv AS (SELECT coalesce(CAST(${column} AS VARCHAR), '') AS v, count(*) AS n FROM _typed WHERE _reason IS NULL GROUP BY ALL),
       ov AS (SELECT c.file_id, coalesce(CAST(c.${column} AS VARCHAR), '') AS v, count(*) AS n FROM ${current} c GROUP BY ALL),
       o AS (SELECT ov.file_id, ov.v, ov.n AS old_n, nv.n AS new_n, m.as_of > CAST($as_of AS DATE) AS newer
             FROM ov JOIN nv USING (v) JOIN manifest m USING (file_id))
       SELECT CASE WHEN newer THEN NULL ELSE file_id END AS file_id, CAST(NULL AS DATE) AS period, v AS record_key,
              CASE WHEN newer THEN file_id END AS by_file_id,
              CASE WHEN newer THEN 0 ELSE old_n END AS old_rows, CASE WHEN newer THEN 0 ELSE new_n END AS new_rows, NOT newer AS redelivers
       FROM o`,
      { as_of: asOf },
      { step },
    );
  } else {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _supersede AS
       WITH nk AS (SELECT DISTINCT ${key} AS key FROM _typed WHERE _reason IS NULL AND ${key} IS NOT NULL),
       cf AS (SELECT c.file_id, count(*) AS n, count(DISTINCT c.${key}) FILTER (WHERE c.${key} IN (SELECT key FROM nk)) AS shared
              FROM ${current} c GROUP BY c.file_id),
       o AS (SELECT cf.*, m.as_of AS file_as_of, shared >= 0.5 * (SELECT count(*) FROM nk) AND shared > 0 AS re_delivers
             FROM cf JOIN manifest m USING (file_id))
       -- An earlier snapshot, or a file of this one that the new file re-delivers, is replaced;
       -- a later snapshot makes the new file history.
       SELECT CASE WHEN file_as_of > CAST($as_of AS DATE) THEN NULL ELSE file_id END AS file_id, CAST(NULL AS DATE) AS period,
              CAST(NULL AS VARCHAR) AS record_key, CASE WHEN file_as_of > CAST($as_of AS DATE) THEN file_id END AS by_file_id,
              n AS old_rows, $rows AS new_rows, re_delivers AND file_as_of <= CAST($as_of AS DATE) AS redelivers
       FROM o WHERE file_as_of <> CAST($as_of AS DATE) OR re_delivers`,
      { as_of: asOf, rows: rowsLoaded },
      { step },
    );
  }
  const totals = await db.one<{ before: bigint | null; now: bigint | null; slices: bigint }>(
    `SELECT sum(old_rows) AS before, ${mode === 'snapshot' ? 'max(new_rows)' : 'sum(new_rows)'} AS now, count(*) AS slices FROM _supersede WHERE redelivers`,
    undefined,
    { step },
  );
  const files = await db.all<{ file_id: number; file_name: string }>(
    `SELECT DISTINCT s.file_id, m.file_name FROM _supersede s JOIN manifest m USING (file_id) WHERE s.redelivers ORDER BY s.file_id`,
    undefined,
    { step },
  );
  return {
    before: Number(totals?.before ?? 0),
    now: Number(totals?.now ?? 0),
    files: files.map((f) => ({ fileId: f.file_id, fileName: f.file_name })),
    unit: mode === 'key_month' ? 'withholding agents’ months' : mode === 'value' ? 'categories' : '',
    slices: Number(totals?.slices ?? 0),
  };
}

/** Writes the plan of `_supersede` for the new file `fileId` (inside the file's transaction). */
export async function recordPlanned(db: Db, kind: Kind, fileId: number, runId: string): Promise<void> {
  await db.run(
    `INSERT INTO supersessions (kind, file_id, period, by_file_id, run_id, record_key)
     SELECT $kind, coalesce(file_id, $file_id), period, coalesce(by_file_id, $file_id), $run, record_key FROM _supersede`,
    { kind, file_id: fileId, run: runId },
    { step: `ingest.${kind}.supersede` },
  );
}

/** The agent-months a key_month file adds, against the same agents' latest earlier months. */
export interface NewAgentMonths {
  /** Agent-months the file adds that have an earlier month of the same agent. */
  pairs: number;
  /** The file's rows in them. */
  now: number;
  /** The rows of those agents' latest earlier months. */
  before: number;
}

/**
 * For iit_detail (replaced per agent and month): the agent-months the file adds (not
 * re-delivers), each against that agent's latest earlier month in the current data. One agent's
 * late delivery is the same ledger going on for that agent; far fewer rows looks truncated.
 */
export async function compareNewAgentMonths(db: Db, kind: Kind): Promise<NewAgentMonths> {
  const key = ident(CONTRACTS[kind].key);
  const current = ident(`${kind}_current`);
  const row = await db.one<{ pairs: bigint; now: bigint | null; before: bigint | null }>(
    `WITH np AS (SELECT ${key} AS key, period, count(*) AS n FROM _typed WHERE _reason IS NULL GROUP BY ALL),
     cp AS (SELECT ${key} AS key, period, count(*) AS n FROM ${current} WHERE ${key} IN (SELECT DISTINCT key FROM np) GROUP BY ALL),
     fresh AS (SELECT np.* FROM np ANTI JOIN cp USING (key, period)),
     prev AS (SELECT f.key, f.period, any_value(f.n) AS n, arg_max(c.n, c.period) AS prev_n
              FROM fresh f JOIN cp c ON c.key = f.key AND c.period < f.period GROUP BY f.key, f.period)
     SELECT count(*) AS pairs, sum(n) AS now, sum(prev_n) AS before FROM prev`,
    undefined,
    { step: `ingest.${kind}.new_agent_months` },
  );
  return { pairs: Number(row?.pairs ?? 0), now: Number(row?.now ?? 0), before: Number(row?.before ?? 0) };
}
