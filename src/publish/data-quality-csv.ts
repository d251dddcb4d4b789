import path from 'node:path';
import type { Db } from '../db/database.ts';
import { writeCsvWithBom } from './csv.ts';

/** Writes `data_quality.csv`: this run's data-quality issues (bad codes, conflicts, unknown values), never worklist rows. */
export async function writeDataQualityCsv(db: Db, runId: string, dir: string): Promise<string> {
  const file = path.join(dir, 'data_quality.csv');
  await writeCsvWithBom(
    db,
    `SELECT category, source, recon_csv_text(record_key) AS record_key, recon_csv_text(name) AS name, employer_id, recon_csv_text(detail) AS detail
     FROM dq_issues WHERE run_id = $run ORDER BY category, source, record_key`,
    { run: runId },
    file,
    'publish.data_quality_csv',
  );
  return file;
}
