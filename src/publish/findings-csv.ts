import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../config/context.ts';
import { literal } from '../core/sql.ts';
import { RULE_CATALOG } from '../rules/catalog/index.ts';
import { writeCsvWithBom } from './csv.ts';
import { CASE_STATE_ZH, SEVERITY_ZH } from './labels.ts';

/** `(VALUES ('a', 'x'), ...) t(code, label)` of a label table: the Chinese columns of the CSV are joined from it. */
function labelValues(entries: Array<[string, string]>, alias: string): string {
  return `(VALUES ${entries.map(([code, label]) => `(${literal(code)}, ${literal(label)})`).join(', ')}) ${alias}(code, label)`;
}

/**
 * Writes `findings.csv` (UTF-8 with BOM so Excel opens it as UTF-8): one row per finding of
 * the run with its case, sorted by district, street and priority. Text that Excel would read
 * as a formula gets a leading apostrophe, so a hostile name never runs on an office PC.
 *
 * The English codes stay for scripts (rule_id, severity high/medium/low, case_state new/open/...);
 * beside each, a Chinese column for people: 问题类型 (the rule's title), 优先级 (高/中/低),
 * 案件状态 (新发现/在办/重新打开/已销号/核实豁免). docs/exports.md lists the columns. A person finding
 * says its person by person_key (never the ID number or the name); one about a person alone has
 * no employer columns; one about a building permit says it by permit_no (in full).
 */
export async function writeFindingsCsv(db: Db, ctx: RunContext): Promise<string> {
  const file = path.join(ctx.runDir, 'findings.csv');
  const titles: Array<[string, string]> = [
    ...RULE_CATALOG.map((r): [string, string] => [r.id, r.title]),
    ...ctx.pipeline.rules.custom.map((c): [string, string] => [c.id, c.title]),
  ];
  // Permit numbers stay in full (in permit_no and in the evidence): many have an ID's shape.
  const permits = await db.all<{ permit_no: string }>(
    `SELECT DISTINCT permit_no FROM findings WHERE run_id = $run AND permit_no <> ''`,
    { run: ctx.runId },
    { step: 'publish.findings_csv.permits' },
  );
  await writeCsvWithBom(
    db,
    `SELECT f.case_id, f.rule_id, recon_csv_text(coalesce(rt.label, f.rule_id)) AS 问题类型, f.employer_id, recon_csv_text(e.uscc) AS uscc, recon_csv_text(e.name) AS name,
            e.district_code, recon_csv_text(d.name) AS district_name, recon_csv_text(e.street) AS street,
            f.severity, coalesce(sv.label, f.severity) AS 优先级, f.amount, c.state AS case_state, coalesce(cs.label, c.state) AS 案件状态,
            CAST(f.evidence AS VARCHAR) AS evidence, recon_csv_text(f.evidence_text) AS evidence_text, f.person_key,
            recon_csv_text(f.permit_no) AS permit_no
     FROM findings f LEFT JOIN employers e ON e.employer_id = nullif(f.employer_id, '') JOIN cases c USING (case_id)
     LEFT JOIN ref_division d ON d.code = e.district_code
     LEFT JOIN ${labelValues(titles, 'rt')} ON rt.code = f.rule_id
     LEFT JOIN ${labelValues(Object.entries(SEVERITY_ZH), 'sv')} ON sv.code = f.severity
     LEFT JOIN ${labelValues(Object.entries(CASE_STATE_ZH), 'cs')} ON cs.code = c.state
     WHERE f.run_id = $run
     ORDER BY e.district_code, e.street, CASE f.severity WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, f.amount DESC NULLS LAST, f.case_id`,
    { run: ctx.runId },
    file,
    'publish.findings_csv',
    new Set(permits.map((p) => p.permit_no)),
  );
  return file;
}
