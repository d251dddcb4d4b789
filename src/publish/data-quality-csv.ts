import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../config/context.ts';
import { writeCsvWithBom } from './csv.ts';

/** Writes `data_quality.csv`: this run's data-quality issues (bad codes, conflicts, unknown values), never worklist rows. */
export async function writeDataQualityCsv(db: Db, ctx: RunContext): Promise<string> {
  const file = path.join(ctx.runDir, 'data_quality.csv');
  await writeCsvWithBom(
    db,
    `SELECT category, source, recon_csv_text(record_key) AS record_key, recon_csv_text(name) AS name, employer_id, recon_csv_text(detail) AS detail
     FROM dq_issues WHERE run_id = $run ORDER BY category, source, record_key`,
    { run: ctx.runId },
    file,
    'publish.data_quality_csv',
  );
  return file;
}
