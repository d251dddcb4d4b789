import { textList, type Db } from '../db/database.ts';
import { readResidentId } from '../core/resident-id.ts';

/**
 * The one-person view (`recon person`): every source's current rows of one person (by the
 * normalised resident ID), the employers those rows are linked to, and the person's cases with
 * their history. Values are as the database holds them (full ID numbers): the command masks
 * them unless --unmask.
 */

/** One state change of a case, with the run that made it and that run's as-of date. */
export interface PersonCaseEvent {
  run_id: string;
  on: string | null;
  from_state: string | null;
  to_state: string;
  reason: string | null;
}

export interface PersonCase {
  case_id: string;
  rule_id: string;
  /** '' for a case of the person alone (person_lapsed, assistance_not_covered). */
  employer_id: string;
  employer_name: string | null;
  state: string;
  opened_run: string;
  opened_on: string | null;
  last_found_run: string | null;
  last_found_on: string | null;
  reopen_count: number;
  severity: string | null;
  amount: number | null;
  evidence_text: string | null;
  evidence: unknown;
  events: PersonCaseEvent[];
  feedback: { result: string; checked_on: string | null; checker: string | null; remarks: string | null; run_id: string } | null;
}

/** A withholding agent of the person's iit_detail rows, the employer it is linked to, and its months. */
export interface PersonAgent {
  taxpayer_id: string | null;
  agent_name: string | null;
  employer_id: string | null;
  employer_name: string | null;
  uscc: string | null;
  rows: Array<Record<string, unknown>>;
}

/** How the person's rows reach an employer: a withholding agent or an SI unit. */
export interface PersonEmployerLink {
  via: 'iit_agent' | 'si_unit';
  code: string | null;
  name: string | null;
  employer_id: string | null;
  employer_name: string | null;
  uscc: string | null;
}

export interface PersonView {
  person: {
    person_key: string;
    id_no: string;
    person_name: string | null;
    sex: string | null;
    birth_date: string | null;
    /** Whole years on the as-of date of the latest run. */
    age: number | null;
    first_run: string | null;
    last_run: string | null;
  };
  /** The as-of date of the latest run (the age is counted on it). */
  as_of: string | null;
  wages: PersonAgent[];
  si_person: Array<Record<string, unknown>>;
  resident_pension: Array<Record<string, unknown>>;
  assistance: Array<Record<string, unknown>>;
  employers: PersonEmployerLink[];
  cases: PersonCase[];
}

/** One person a lookup matched, for the list shown when several do. */
export interface PersonMatch {
  person_key: string;
  id_no: string;
  person_name: string | null;
  sex: string | null;
  age: number | null;
  /** Employers the person earned wages at (latest month first), by name. */
  employers: string | null;
}

/**
 * What a lookup is: a person key (P + 9 digits), a resident ID (18 characters, or the 15-digit
 * form, upgraded), an ID-like text that fails its check, or a name.
 */
export type PersonLookup =
  | { kind: 'key'; key: string }
  | { kind: 'id'; id: string }
  | { kind: 'invalid_id'; folded: string; issue: 'bad_format' | 'bad_check' | 'bad_birth_date' }
  | { kind: 'name'; name: string };

/** Digits as a reader sees them: NFKC, separators and invisible characters between them gone, upper-case X. */
function foldCode(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\p{Pd}\p{Cf}\p{Cc}]/gu, '')
    .toUpperCase();
}

export function parseLookup(query: string): PersonLookup {
  const q = query.trim();
  if (/^P\d{9}$/i.test(q)) return { kind: 'key', key: q.toUpperCase() };
  const folded = foldCode(q);
  if (/^\d{14,17}[\dX]$/.test(folded)) {
    // The same reading as ingest's (core/resident-id.ts, the twin of the recon_id18 macro): a 15-digit number upgraded.
    const read = readResidentId(folded);
    if (read.id18 === null) return { kind: 'invalid_id', folded, issue: read.issue ?? 'bad_format' };
    return { kind: 'id', id: read.id18 };
  }
  return { kind: 'name', name: q };
}

/** The person keys a lookup names (at most 50 for a name). */
export async function findPersons(db: Db, lookup: PersonLookup): Promise<string[]> {
  if (lookup.kind === 'invalid_id') return [];
  if (lookup.kind === 'key' || lookup.kind === 'id') {
    const rows = await db.all<{ person_key: string }>(
      `SELECT person_key FROM persons WHERE ${lookup.kind === 'key' ? 'person_key' : 'id_no'} = $1`,
      [lookup.kind === 'key' ? lookup.key : lookup.id],
      { step: 'person.find' },
    );
    return rows.map((r) => r.person_key);
  }
  // The latest name (persons) contains it, or a current row of any source has exactly it (an older spelling).
  const rows = await db.all<{ person_key: string }>(
    `SELECT DISTINCT p.person_key FROM persons p
     WHERE contains(p.person_name, $q)
        OR p.id_no IN (SELECT id_no FROM iit_detail_current WHERE person_name = $q
                       UNION SELECT id_no FROM si_person_current WHERE person_name = $q
                       UNION SELECT id_no FROM resident_pension_current WHERE person_name = $q
                       UNION SELECT id_no FROM assistance_current WHERE person_name = $q)
     ORDER BY p.person_key LIMIT 51`,
    { q: lookup.name },
    { step: 'person.find_name' },
  );
  return rows.map((r) => r.person_key);
}

/** The as-of date of the latest published run. */
async function latestAsOf(db: Db): Promise<string | null> {
  const row = await db.one<{ as_of: string | null }>(
    `SELECT strftime(max(as_of), '%Y-%m-%d') AS as_of FROM runs WHERE status IN ('succeeded', 'warnings') AND as_of IS NOT NULL`,
    undefined,
    { step: 'person.as_of' },
  );
  return row?.as_of ?? null;
}

/** Whole years from p.birth_date to $asof (the birthday counting; 29 February: a year older on 1 March). */
const AGE = `CAST(date_diff('year', p.birth_date, CAST($asof AS DATE))
  - CASE WHEN strftime(p.birth_date, '%m-%d') > strftime(CAST($asof AS DATE), '%m-%d') THEN 1 ELSE 0 END AS INTEGER)`;

/** The people of a list of keys, for choosing one (several matched). */
export async function personMatches(db: Db, keys: string[]): Promise<PersonMatch[]> {
  const asOf = await latestAsOf(db);
  return db.all<PersonMatch>(
    `WITH k AS (SELECT unnest($keys::VARCHAR[]) AS person_key),
     w AS (
       SELECT i.id_no, string_agg(DISTINCT coalesce(e.name, i.agent_name), '、') AS employers
       FROM iit_detail_current i
       LEFT JOIN iit_agents a ON a.taxpayer_id IS NOT DISTINCT FROM i.taxpayer_id AND a.agent_name IS NOT DISTINCT FROM i.agent_name
       LEFT JOIN employers e ON e.employer_id = a.employer_id
       WHERE i.id_no IN (SELECT id_no FROM persons JOIN k USING (person_key))
       GROUP BY i.id_no)
     SELECT p.person_key, p.id_no, p.person_name, p.sex, ${AGE} AS age, w.employers
     FROM persons p JOIN k USING (person_key) LEFT JOIN w USING (id_no)
     ORDER BY p.person_name, p.person_key`,
    { keys: textList(keys), asof: asOf },
    { step: 'person.matches' },
  );
}

/** Rows with their dates as YYYY-MM-DD, months as YYYY-MM, bigints and decimals as numbers. */
function plain(rows: Array<Record<string, unknown>>, months: ReadonlySet<string> = new Set()): Array<Record<string, unknown>> {
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => {
        if (v instanceof Date) {
          const d = v.toISOString().slice(0, 10);
          return [k, months.has(k) ? d.slice(0, 7) : d];
        }
        if (typeof v === 'bigint') return [k, Number(v)];
        return [k, v];
      }),
    ),
  );
}

/** The one-person view of a person key (undefined when no person has it). */
export async function personView(db: Db, personKey: string): Promise<PersonView | undefined> {
  const asOf = await latestAsOf(db);
  const person = await db.one<PersonView['person']>(
    `SELECT p.person_key, p.id_no, p.person_name, p.sex, strftime(p.birth_date, '%Y-%m-%d') AS birth_date, ${AGE} AS age,
            p.first_run, p.last_run
     FROM persons p WHERE p.person_key = $key`,
    { key: personKey, asof: asOf },
    { step: 'person.view' },
  );
  if (!person) return undefined;
  const id = person.id_no;
  const wageRows = plain(
    await db.all(
      `SELECT i.taxpayer_id, i.agent_name, a.employer_id, e.name AS employer_name, e.uscc,
              i.period, i.income_item, CAST(i.income AS DOUBLE) AS income, i.employment_type, i.employed_on, i.left_on,
              i.id_type, i.income_class, i.employment_class, i.file_id, i.src_line
       FROM iit_detail_current i
       LEFT JOIN iit_agents a ON a.taxpayer_id IS NOT DISTINCT FROM i.taxpayer_id AND a.agent_name IS NOT DISTINCT FROM i.agent_name
       LEFT JOIN employers e ON e.employer_id = a.employer_id
       WHERE i.id_no = $1
       ORDER BY i.taxpayer_id NULLS LAST, i.agent_name NULLS LAST, i.period DESC, i.income_item`,
      [id],
      { step: 'person.iit_detail' },
    ),
    new Set(['period']),
  );
  const wages: PersonAgent[] = [];
  for (const r of wageRows) {
    const { taxpayer_id, agent_name, employer_id, employer_name, uscc, ...row } = r;
    let agent = wages.at(-1);
    if (!agent || agent.taxpayer_id !== taxpayer_id || agent.agent_name !== agent_name) {
      agent = {
        taxpayer_id: (taxpayer_id as string | null) ?? null,
        agent_name: (agent_name as string | null) ?? null,
        employer_id: (employer_id as string | null) ?? null,
        employer_name: (employer_name as string | null) ?? null,
        uscc: (uscc as string | null) ?? null,
        rows: [],
      };
      wages.push(agent);
    }
    agent.rows.push(row);
  }
  const siPerson = plain(
    await db.all(
      `SELECT s.person_no, s.unit_id, u.employer_id, e.name AS employer_name, e.uscc, s.insurance_type, s.insurance_code, s.status, s.status_class,
              s.person_type, s.person_class, s.enrolled_on, CAST(s.base AS DOUBLE) AS base, s.last_paid_period, s.phone, s.district_code, s.street,
              s.file_id, s.src_line
       FROM si_person_current s
       LEFT JOIN si_units u ON u.unit_id = s.unit_id
       LEFT JOIN employers e ON e.employer_id = u.employer_id
       WHERE s.id_no = $1
       ORDER BY s.unit_id NULLS LAST, s.insurance_code`,
      [id],
      { step: 'person.si_person' },
    ),
    new Set(['last_paid_period']),
  );
  const residentPension = plain(
    await db.all(
      `SELECT year, status, status_class, CAST(paid_amount AS DOUBLE) AS paid_amount, funding, funding_class, identity, district_code, street, file_id, src_line
       FROM resident_pension_current WHERE id_no = $1 ORDER BY year DESC`,
      [id],
      { step: 'person.resident_pension' },
    ),
  );
  const assistance = plain(
    await db.all(
      `SELECT category, category_class, since, until, district_code, street, community, file_id, src_line
       FROM assistance_current WHERE id_no = $1 ORDER BY category_class NULLS LAST, since`,
      [id],
      { step: 'person.assistance' },
    ),
  );
  const employers: PersonEmployerLink[] = [];
  const seen = new Set<string>();
  for (const a of wages) {
    const k = `a|${a.taxpayer_id}|${a.agent_name}`;
    if (seen.has(k)) continue;
    seen.add(k);
    employers.push({ via: 'iit_agent', code: a.taxpayer_id, name: a.agent_name, employer_id: a.employer_id, employer_name: a.employer_name, uscc: a.uscc });
  }
  for (const s of siPerson) {
    if (s['unit_id'] === null || s['unit_id'] === undefined) continue;
    const k = `u|${s['unit_id']}`;
    if (seen.has(k)) continue;
    seen.add(k);
    employers.push({
      via: 'si_unit',
      code: s['unit_id'] as string,
      name: null,
      employer_id: (s['employer_id'] as string | null) ?? null,
      employer_name: (s['employer_name'] as string | null) ?? null,
      uscc: (s['uscc'] as string | null) ?? null,
    });
  }
  const cases = await personCases(db, personKey);
  return { person, as_of: asOf, wages, si_person: siPerson, resident_pension: residentPension, assistance, employers, cases };
}

async function personCases(db: Db, personKey: string): Promise<PersonCase[]> {
  const cases = await db.all<Omit<PersonCase, 'events' | 'feedback'>>(
    `SELECT c.case_id, c.rule_id, c.employer_id, e.name AS employer_name, c.state, c.opened_run, strftime(ro.as_of, '%Y-%m-%d') AS opened_on,
            c.last_found_run, strftime(rl.as_of, '%Y-%m-%d') AS last_found_on, c.reopen_count, f.severity, CAST(f.amount AS DOUBLE) AS amount,
            f.evidence_text, CAST(f.evidence AS VARCHAR) AS evidence
     FROM cases c
     LEFT JOIN runs ro ON ro.run_id = c.opened_run
     LEFT JOIN runs rl ON rl.run_id = c.last_found_run
     LEFT JOIN findings f ON f.case_id = c.case_id AND f.run_id = c.last_found_run
     LEFT JOIN employers e ON e.employer_id = c.employer_id
     WHERE c.person_key = $1 ORDER BY c.opened_run, c.case_id`,
    [personKey],
    { step: 'person.cases' },
  );
  if (cases.length === 0) return [];
  const events = await db.all<PersonCaseEvent & { case_id: string }>(
    `SELECT ce.case_id, ce.run_id, strftime(coalesce(r.as_of, CAST(ce.changed_at AS DATE)), '%Y-%m-%d') AS "on", ce.from_state, ce.to_state, ce.reason
     FROM case_events ce JOIN cases c USING (case_id) LEFT JOIN runs r ON r.run_id = ce.run_id
     WHERE c.person_key = $1 ORDER BY ce.case_id, ce.changed_at, ce.run_id`,
    [personKey],
    { step: 'person.case_events' },
  );
  const feedback = await db.all<NonNullable<PersonCase['feedback']> & { case_id: string }>(
    `SELECT fb.case_id, fb.result, strftime(fb.checked_on, '%Y-%m-%d') AS checked_on, fb.checker, fb.remarks, fb.run_id
     FROM feedback fb JOIN cases c USING (case_id)
     WHERE c.person_key = $1 AND fb.status = 'applied'
     QUALIFY row_number() OVER (PARTITION BY fb.case_id ORDER BY fb.checked_on DESC NULLS LAST, fb.received_at DESC, fb."row" DESC) = 1`,
    [personKey],
    { step: 'person.feedback' },
  );
  return cases.map((c) => {
    const fb = feedback.find((f) => f.case_id === c.case_id);
    let evidence: unknown = c.evidence;
    try {
      evidence = typeof c.evidence === 'string' ? JSON.parse(c.evidence) : c.evidence;
    } catch {
      // kept as text
    }
    return {
      ...c,
      reopen_count: Number(c.reopen_count),
      evidence,
      events: events.filter((e) => e.case_id === c.case_id).map(({ case_id: _, ...e }) => e),
      feedback: fb ? (({ case_id: _, ...rest }) => rest)(fb) : null,
    };
  });
}

/**
 * Rows of the four sources whose ID, as written, folds to `folded` but is not a valid resident
 * ID (a bad check character or birth date): shown for an ID that fails its check, never joined.
 */
export async function invalidIdRows(db: Db, folded: string): Promise<Record<string, Array<Record<string, unknown>>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  for (const kind of ['iit_detail', 'si_person', 'resident_pension', 'assistance']) {
    const rows = await db.all(
      `SELECT * EXCLUDE (file_id) FROM ${kind}_current
       WHERE id_no IS NULL AND upper(regexp_replace(id_no_raw, '[\\s\\-]', '', 'g')) = $1 LIMIT 200`,
      [folded],
      { step: `person.invalid.${kind}` },
    );
    if (rows.length) out[kind] = plain(rows, new Set(['period', 'last_paid_period']));
  }
  return out;
}
