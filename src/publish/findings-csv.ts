import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../config/context.ts';
import { writeCsvWithBom } from './csv.ts';

/**
 * Writes `findings.csv` (UTF-8 with BOM so Excel opens it as UTF-8): one row per finding of
 * the run with its case, sorted by district, street and priority. Text that Excel would read
 * as a formula gets a leading apostrophe, so a hostile name never runs on an office PC.
 */
export async function writeFindingsCsv(db: Db, ctx: RunContext): Promise<string> {
  const file = path.join(ctx.runDir, 'findings.csv');
  await writeCsvWithBom(
    db,
    `SELECT f.case_id, f.rule_id, f.employer_id, recon_csv_text(e.uscc) AS uscc, recon_csv_text(e.name) AS name,
            e.district_code, recon_csv_text(d.name) AS district_name, recon_csv_text(e.street) AS street,
            f.severity, f.amount, c.state AS case_state, CAST(f.evidence AS VARCHAR) AS evidence,
            recon_csv_text(f.evidence_text) AS evidence_text
     FROM findings f JOIN employers e USING (employer_id) JOIN cases c USING (case_id)
     LEFT JOIN ref_division d ON d.code = e.district_code
     WHERE f.run_id = $run
     ORDER BY e.district_code, e.street, CASE f.severity WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, f.amount DESC NULLS LAST, f.case_id`,
    { run: ctx.runId },
    file,
    'publish.findings_csv',
  );
  return file;
}
