import type { Db } from '../../src/db/database.ts';

/** A finding of a synthetic employer. */
export interface SeedFinding {
  rule: string;
  severity: 'high' | 'medium' | 'low';
  amount: number | null;
  text: string;
  state?: string;
}

export interface SeedEmployer {
  id: string;
  name: string;
  uscc?: string | null;
  district?: string | null;
  street?: string | null;
  legalRep?: string | null;
  phone?: string | null;
  address?: string | null;
  /** Where the address comes from (employer_facts.address_source); default registration when there is one. */
  addressSource?: 'registration' | 'tax_registration' | 'civil_org' | null;
  findings: SeedFinding[];
}

/**
 * Fills the tables `writeWorklists` reads (employers, employer_facts, ref_division, cases,
 * findings) of a migrated database from a few employers, as if run `runId` had found them. Returns their case ids in order.
 */
export async function seedWorklistDb(db: Db, employers: SeedEmployer[], runId = 'run-1'): Promise<string[]> {
  await db.run(
    `INSERT INTO ref_division (code, name, level) SELECT * FROM (VALUES ('320508', '姑苏区', 'district'), ('320505', '虎丘区', 'district')) t(code, name, level)
     WHERE code NOT IN (SELECT code FROM ref_division)`,
  );
  const ids: string[] = [];
  let n = (await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM cases`))?.n ?? 0n;
  for (const e of employers) {
    await db.run(`INSERT INTO employers (employer_id, uscc, name, district_code, street, legal_rep) VALUES ($1, $2, $3, $4, $5, $6)`, [
      e.id,
      e.uscc ?? null,
      e.name,
      e.district ?? '320508',
      e.street === undefined ? '沧浪街道' : e.street,
      e.legalRep ?? null,
    ]);
    await db.run(`INSERT INTO employer_facts (employer_id, phone, address, address_source) VALUES ($1, $2, $3, $4)`, [
      e.id,
      e.phone ?? null,
      e.address ?? null,
      e.addressSource === undefined ? (e.address ? 'registration' : null) : e.addressSource,
    ]);
    for (const f of e.findings) {
      n++;
      const caseId = `C${String(n).padStart(8, '0')}`;
      ids.push(caseId);
      await db.run(`INSERT INTO cases (case_id, employer_id, rule_id, state, opened_run, state_run, last_found_run) VALUES ($1, $2, $3, $4, $5, $5, $5)`, [
        caseId,
        e.id,
        f.rule,
        f.state ?? 'new',
        runId,
      ]);
      await db.run(
        `INSERT INTO findings (run_id, case_id, rule_id, rule_version, employer_id, severity, amount, amount_formula, evidence, evidence_text, as_of, month)
         VALUES ($1, $2, $3, 1, $4, $5, CAST($6 AS DECIMAL(18, 2)), 'x', CAST($7 AS JSON), $8, DATE '2026-10-31', DATE '2026-09-01')`,
        [runId, caseId, f.rule, e.id, f.severity, f.amount, JSON.stringify({ n: Number(n) }), f.text],
      );
    }
  }
  return ids;
}
