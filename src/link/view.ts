import { textList, type Db } from '../db/database.ts';
import { CONTRACTS, type Kind } from '../sources/index.ts';
import { cleanCode } from './codes.ts';

/** One state change of a case, with the run that made it and that run's as-of date. */
export interface CaseEvent {
  run_id: string;
  /** The run's as-of date (YYYY-MM-DD); for a change made outside a run (recon feedback), the day it was made. */
  on: string | null;
  from_state: string | null;
  to_state: string;
  reason: string | null;
}

/** A case of the employer with its history and its latest applied feedback. */
export interface EmployerCase {
  case_id: string;
  rule_id: string;
  state: string;
  opened_run: string;
  opened_on: string | null;
  last_found_run: string | null;
  last_found_on: string | null;
  reopen_count: number;
  /** The latest finding's sentence and amount (from its last-found run). */
  evidence_text: string | null;
  amount: number | null;
  events: CaseEvent[];
  /** The latest feedback applied to the case (a returned worklist row), if any. */
  feedback: { result: string; checked_on: string | null; checker: string | null; deadline: string | null; remarks: string | null; run_id: string } | null;
}

export interface EmployerView {
  /** The employers row, with `district_name` from the divisions. */
  employer: Record<string, unknown>;
  links: Array<Record<string, unknown>>;
  /** Each source's current records; dates as YYYY-MM-DD, months (periods) as YYYY-MM. */
  records: Record<string, Array<Record<string, unknown>>>;
  /** Its cases, oldest first, with every state change and the latest feedback. */
  cases: EmployerCase[];
  dataQuality: Array<Record<string, unknown>>;
  review: Array<Record<string, unknown>>;
  /** Registration notices (告知书) sent to the employer, oldest first. */
  notices: Array<Record<string, unknown>>;
}

/** Which employers a query names: an employer id, a USCC, a unit id, a taxpayer id, or a name (part). */
export async function findEmployers(db: Db, query: string): Promise<string[]> {
  const code = cleanCode(query);
  const exact = await db.all<{ employer_id: string }>(
    `SELECT DISTINCT employer_id FROM (
       SELECT employer_id FROM employers WHERE employer_id = $code
       UNION ALL SELECT employer_id FROM employer_links WHERE record_key = $code OR record_key = $raw)`,
    { code, raw: query.trim() },
    { step: 'employer.find' },
  );
  if (exact.length) return exact.map((r) => r.employer_id);
  const byName = await db.all<{ employer_id: string }>(
    `SELECT DISTINCT employer_id FROM employer_links WHERE contains(name, $q) OR contains(name_norm, $q) ORDER BY employer_id LIMIT 50`,
    { q: query.trim() },
    { step: 'employer.find_name' },
  );
  return byName.map((r) => r.employer_id);
}

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A record's values as people read them: dates as YYYY-MM-DD, the monthly kinds' periods as YYYY-MM. */
function readable(kind: string, row: Record<string, unknown>): Record<string, unknown> {
  const periods = new Set((CONTRACTS[kind as Kind]?.columns ?? []).filter((c) => c.type === 'period').map((c) => c.name));
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v instanceof Date ? (periods.has(k) ? ymd(v).slice(0, 7) : ymd(v)) : typeof v === 'bigint' ? Number(v) : v]),
  );
}

/** The employer's cases with their state changes and latest applied feedback. */
async function employerCases(db: Db, employerId: string): Promise<EmployerCase[]> {
  const cases = await db.all<Omit<EmployerCase, 'events' | 'feedback'>>(
    `SELECT c.case_id, c.rule_id, c.state, c.opened_run, strftime(ro.as_of, '%Y-%m-%d') AS opened_on, c.last_found_run,
            strftime(rl.as_of, '%Y-%m-%d') AS last_found_on, c.reopen_count, f.evidence_text, CAST(f.amount AS DOUBLE) AS amount
     FROM cases c
     LEFT JOIN runs ro ON ro.run_id = c.opened_run
     LEFT JOIN runs rl ON rl.run_id = c.last_found_run
     LEFT JOIN findings f ON f.case_id = c.case_id AND f.run_id = c.last_found_run
     WHERE c.employer_id = $1 ORDER BY c.opened_run, c.case_id`,
    [employerId],
    { step: 'employer.cases' },
  );
  if (cases.length === 0) return [];
  const events = await db.all<CaseEvent & { case_id: string }>(
    `SELECT ce.case_id, ce.run_id, strftime(coalesce(r.as_of, CAST(ce.changed_at AS DATE)), '%Y-%m-%d') AS "on", ce.from_state, ce.to_state, ce.reason
     FROM case_events ce JOIN cases c USING (case_id) LEFT JOIN runs r ON r.run_id = ce.run_id
     WHERE c.employer_id = $1 ORDER BY ce.case_id, ce.changed_at, ce.run_id`,
    [employerId],
    { step: 'employer.case_events' },
  );
  const feedback = await db.all<NonNullable<EmployerCase['feedback']> & { case_id: string }>(
    `SELECT fb.case_id, fb.result, strftime(fb.checked_on, '%Y-%m-%d') AS checked_on, fb.checker, strftime(fb.deadline, '%Y-%m-%d') AS deadline,
            fb.remarks, fb.run_id
     FROM feedback fb JOIN cases c USING (case_id)
     WHERE c.employer_id = $1 AND fb.status = 'applied'
     QUALIFY row_number() OVER (PARTITION BY fb.case_id ORDER BY fb.checked_on DESC NULLS LAST, fb.received_at DESC, fb."row" DESC) = 1`,
    [employerId],
    { step: 'employer.feedback' },
  );
  return cases.map((c) => {
    const fb = feedback.find((f) => f.case_id === c.case_id);
    return {
      ...c,
      reopen_count: Number(c.reopen_count),
      events: events.filter((e) => e.case_id === c.case_id).map(({ case_id: _, ...e }) => e),
      feedback: fb ? (({ case_id: _, ...rest }) => rest)(fb) : null,
    };
  });
}

/** The one-employer view (一户式): the employer, every source's records, how they were linked, and its cases. */
export async function employerView(db: Db, employerId: string): Promise<EmployerView> {
  const employer =
    (
      await db.all(
        `SELECT e.*, dv.name AS district_name FROM employers e LEFT JOIN ref_division dv ON dv.code = e.district_code WHERE e.employer_id = $1`,
        [employerId],
        {
          step: 'employer.view',
        },
      )
    )[0] ?? {};
  const links = await db.all(
    `SELECT source, record_key, name, district_code, method, score, rule FROM employer_links WHERE employer_id = $1 ORDER BY source, record_key`,
    [employerId],
  );
  const keys = (source: string): string[] => links.filter((l) => l['source'] === source).map((l) => String(l['record_key']));
  const records: EmployerView['records'] = {};
  const queries: Array<[string, string, string[]]> = [
    ['registration', `SELECT * EXCLUDE (file_id) FROM registration_current WHERE uscc IN (SELECT unnest($1::VARCHAR[]))`, keys('registration')],
    ['civil_org', `SELECT * EXCLUDE (file_id) FROM civil_org_current WHERE uscc IN (SELECT unnest($1::VARCHAR[]))`, keys('civil_org')],
    [
      'tax_registration',
      `SELECT * EXCLUDE (file_id) FROM tax_registration_current WHERE taxpayer_id IN (SELECT unnest($1::VARCHAR[]))`,
      keys('tax_registration'),
    ],
    [
      'tax_withholding',
      `SELECT * EXCLUDE (file_id) FROM tax_withholding_current WHERE taxpayer_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY period`,
      [...keys('tax_registration'), ...keys('tax_withholding')],
    ],
    [
      'si_enrollment',
      `SELECT * EXCLUDE (file_id) FROM si_enrollment_current WHERE unit_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY unit_id, insurance_code`,
      keys('si_unit'),
    ],
    [
      'si_payment',
      `SELECT * EXCLUDE (file_id) FROM si_payment_current WHERE unit_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY period, insurance_code`,
      keys('si_unit'),
    ],
  ];
  for (const [name, sql, list] of queries) {
    if (list.length === 0) continue;
    records[name] = (await db.all(sql, [textList(list)], { step: `employer.${name}` })).map((r) => readable(name, r));
  }
  const cases = await employerCases(db, employerId);
  const dataQuality = await db.all(
    `SELECT category, source, record_key, detail FROM dq_issues
     WHERE run_id = (SELECT max(run_id) FROM dq_issues) AND (employer_id = $1 OR record_key IN (SELECT record_key FROM employer_links WHERE employer_id = $1))`,
    [employerId],
  );
  const review = await db.all(
    `SELECT r.source, r.record_key, r.name, r.candidate_name, r.score, r.reason FROM link_review r
     WHERE r.record_key IN (SELECT record_key FROM employer_links WHERE employer_id = $1)
        OR r.candidate_cluster IN (SELECT key FROM employer_keys WHERE employer_id = $1)`,
    [employerId],
  );
  const notices = await db.all(
    `SELECT notice_id, kind, case_id, strftime(sent_on, '%Y-%m-%d') AS sent_on, strftime(deadline, '%Y-%m-%d') AS deadline, run_id
     FROM notices WHERE employer_id = $1 ORDER BY sent_on, notice_id`,
    [employerId],
    { step: 'employer.notices' },
  );
  return { employer, links, records, cases, dataQuality, review, notices };
}
