import { textList, type Db } from '../db/database.ts';
import { cleanCode } from './codes.ts';

export interface EmployerView {
  employer: Record<string, unknown>;
  links: Array<Record<string, unknown>>;
  records: Record<string, Array<Record<string, unknown>>>;
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

/** The one-employer view (一户式): the employer, every source's records, and how they were linked. */
export async function employerView(db: Db, employerId: string): Promise<EmployerView> {
  const employer = (await db.all(`SELECT * FROM employers WHERE employer_id = $1`, [employerId], { step: 'employer.view' }))[0] ?? {};
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
    records[name] = await db.all(sql, [textList(list)], { step: `employer.${name}` });
  }
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
  return { employer, links, records, dataQuality, review, notices };
}
