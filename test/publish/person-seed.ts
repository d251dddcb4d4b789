import type { Db } from '../../src/db/database.ts';
import { residentCheckChar } from '../../src/core/resident-id.ts';

/** A valid 18-character resident ID: address code, birth date (YYYYMMDD), 3-digit sequence (odd: male). */
export function residentId(address: string, birth: string, seq: number): string {
  const body = `${address}${birth}${String(seq).padStart(3, '0')}`;
  return body + residentCheckChar(body);
}

/** A person finding of a synthetic person. */
export interface SeedPerson {
  key: string;
  id: string;
  name: string;
  rule: 'person_uninsured' | 'person_base_low' | 'person_lapsed' | 'assistance_not_covered';
  /** The employer the finding belongs to ('' for a person alone). */
  employer?: string;
  severity?: 'high' | 'medium' | 'low';
  amount?: number | null;
  evidence: Record<string, unknown>;
  text: string;
  state?: string;
}

/**
 * Adds people, their cases and this run's findings to a database seeded by `seedWorklistDb`
 * (persons, cases with person_key, findings with person_key), as the person rules would have
 * found them. Returns the case ids in order.
 */
export async function seedPeople(db: Db, people: SeedPerson[], runId = 'run-1'): Promise<string[]> {
  const ids: string[] = [];
  let n = Number((await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM cases`))?.n ?? 0n);
  for (const p of people) {
    await db.run(
      `INSERT INTO persons (person_key, id_no, birth_date, sex, person_name, first_run, last_run)
       SELECT $1, $2, strptime(substr($2, 7, 8), '%Y%m%d')::DATE, CASE WHEN CAST(substr($2, 17, 1) AS INTEGER) % 2 = 1 THEN 'M' ELSE 'F' END, $3, $4, $4
       WHERE $1 NOT IN (SELECT person_key FROM persons)`,
      [p.key, p.id, p.name, runId],
    );
    n++;
    const caseId = `C${String(n).padStart(8, '0')}`;
    ids.push(caseId);
    await db.run(
      `INSERT INTO cases (case_id, employer_id, rule_id, person_key, state, opened_run, state_run, last_found_run) VALUES ($1, $2, $3, $4, $5, $6, $6, $6)`,
      [caseId, p.employer ?? '', p.rule, p.key, p.state ?? 'new', runId],
    );
    await db.run(
      `INSERT INTO case_events (case_id, run_id, from_state, to_state, reason, changed_at) VALUES ($1, $2, NULL, 'new', 'found', TIMESTAMP '2026-11-01 02:00:00')`,
      [caseId, runId],
    );
    await db.run(
      `INSERT INTO findings (run_id, case_id, rule_id, rule_version, employer_id, person_key, severity, amount, amount_formula, evidence, evidence_text, as_of, month)
       VALUES ($1, $2, $3, 1, $4, $5, $6, CAST($7 AS DECIMAL(18, 2)), 'x', CAST($8 AS JSON), $9, DATE '2026-10-31', DATE '2026-09-01')`,
      [runId, caseId, p.rule, p.employer ?? '', p.key, p.severity ?? 'medium', p.amount ?? null, JSON.stringify(p.evidence), p.text],
    );
  }
  return ids;
}

let nextFileId = 9000;

/**
 * Rows of a person kind (si_person, assistance, resident_pension), as one loaded file of the
 * manifest, so that `<kind>_current` shows them. Columns by name; the rest NULL.
 */
export async function insertKindRows(
  db: Db,
  kind: 'si_person' | 'assistance' | 'resident_pension' | 'iit_detail',
  rows: Array<Record<string, unknown>>,
): Promise<void> {
  const fileId = nextFileId++;
  await db.run(
    `INSERT INTO manifest (file_id, run_id, path, file_name, sha256, size_bytes, kind, as_of, status, loaded_at)
     VALUES ($1, 'run-0', $2, $2, $3, 1, $4, DATE '2026-10-31', 'loaded', TIMESTAMP '2026-11-01 00:00:00')`,
    [fileId, `${kind}-${fileId}.csv`, `sha-${fileId}`, kind],
  );
  for (const [i, r] of rows.entries()) {
    const cols = Object.keys(r);
    await db.run(
      `INSERT INTO ${kind} (file_id, src_line, as_of, ${cols.join(', ')}) VALUES ($1, $2, DATE '2026-10-31', ${cols.map((_, j) => `$${j + 3}`).join(', ')})`,
      [fileId, i + 2, ...cols.map((c) => r[c] as never)],
    );
  }
}

/** The run's person facts as the rules stage leaves them (B's src/rules/person-facts.sql), for the columns the outputs read. */
export async function personFacts(
  db: Db,
  facts: {
    jobs: Array<{ person: string; employer: string }>;
    people: Array<{ person: string; age: number; enrolled?: boolean; pensioner?: boolean; daijiao?: boolean }>;
    aid: Array<{ person: string; categories: string; since?: string | null }>;
  },
): Promise<void> {
  const values = (rows: string[]): string => (rows.length ? rows.join(', ') : '');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _pf_jobs AS SELECT * FROM (VALUES ${values(facts.jobs.map((j) => `('${j.person}', '${j.employer}', 3, 2)`)) || "('', '', 0, 0)"}) t(person_key, employer_id, mask, months_employed) WHERE person_key <> ''`,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _pf_person AS SELECT * FROM (VALUES ${values(facts.people.map((p) => `('${p.person}', ${p.age}, ${p.enrolled === true}, ${p.pensioner === true}, ${p.daijiao === true})`)) || "('', 0, false, false, false)"}) t(person_key, age, enrolled, pensioner, daijiao) WHERE person_key <> ''`,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _pf_aid AS SELECT person_key, category_text, CAST(since AS DATE) AS since FROM (VALUES ${values(facts.aid.map((a) => `('${a.person}', '${a.categories}', ${a.since ? `'${a.since}'` : 'NULL'})`)) || "('', '', NULL)"}) t(person_key, category_text, since) WHERE person_key <> ''`,
  );
}

/** The IDs of the small city of `seedPersonCity`, by person key. */
export const CITY_IDS: Record<string, string> = {
  P1: residentId('320508', '19900101', 11),
  P2: residentId('320508', '19910202', 21),
  P3: residentId('320508', '19920303', 31),
  P4: residentId('320505', '19930404', 41),
  P5: residentId('320505', '19800505', 51),
  P6: residentId('320508', '19960606', 62),
  P7: residentId('320505', '19860707', 72),
  P8: residentId('320508', '19600808', 82),
  P9: residentId('320508', '19960909', 92),
};

/**
 * A small city worked by hand (test/publish/person-ledger.test.ts says the numbers):
 * - 姑苏区 (320508): E1 employs P1 (enrolled), P2 (uninsured: a finding), P3 (enrolled);
 * - 虎丘区 (320505): E2 employs P4 (uninsured: a finding) and P1 too (P1 works in two districts);
 * - 相城区 (320507): E3, nobody employed, nobody on a roll (an empty district);
 * - P5 stopped paying (person_lapsed; SI row in 虎丘区, a phone);
 * - on assistance rolls: P6 (姑苏区, 30, paid for: 已代缴), P7 (虎丘区, 40, not paid for: a finding),
 *   P8 (姑苏区, 66: too old), P9 (姑苏区, 30, enrolled in the employees' pension: not due).
 * Returns the case ids by person key.
 */
export async function seedPersonCity(db: Db, seedEmployers: (db: Db) => Promise<unknown>): Promise<Record<string, string>> {
  await seedEmployers(db);
  await db.run(`INSERT INTO ref_division (code, name, level) VALUES ('320507', '相城区', 'district')`);
  const ids = CITY_IDS as Record<string, string>;
  const cases = await seedPeople(db, [
    {
      key: 'P2',
      id: ids['P2'] as string,
      name: '李二',
      rule: 'person_uninsured',
      employer: 'E1',
      severity: 'high',
      amount: 900,
      evidence: { months_employed: 6 },
      text: '未参保',
    },
    {
      key: 'P4',
      id: ids['P4'] as string,
      name: '赵四',
      rule: 'person_uninsured',
      employer: 'E2',
      severity: 'medium',
      amount: 300,
      evidence: { months_employed: 2 },
      text: '未参保',
    },
    {
      key: 'P5',
      id: ids['P5'] as string,
      name: '孙五',
      rule: 'person_lapsed',
      severity: 'low',
      evidence: { last_paid_month: '2026-01', months_lapsed: 8, phone_known: true },
      text: '断缴',
    },
    {
      key: 'P7',
      id: ids['P7'] as string,
      name: '周七',
      rule: 'assistance_not_covered',
      amount: 200,
      evidence: { category: '城市低保', since: '2024-03-01', status: '未参保', year: 2026 },
      text: '城市低保，2026年度城乡居民养老保险未参保',
    },
  ]);
  for (const [key, name] of [
    ['P1', '张一'],
    ['P3', '王三'],
    ['P6', '吴六'],
    ['P8', '郑八'],
    ['P9', '冯九'],
  ] as const) {
    await db.run(
      `INSERT INTO persons (person_key, id_no, birth_date, sex, person_name, first_run, last_run)
       VALUES ($1, $2, strptime(substr($2, 7, 8), '%Y%m%d')::DATE, 'M', $3, 'run-1', 'run-1')`,
      [key, ids[key] as string, name],
    );
  }
  await insertKindRows(db, 'si_person', [
    {
      person_no: 'S5',
      id_no: ids['P5'],
      person_name: '孙五',
      insurance_code: '110',
      status_class: 'suspended',
      last_paid_period: '2026-01-01',
      phone: '13912345678',
      district_code: '320505',
      street: '狮山街道',
    },
    {
      person_no: 'S1',
      id_no: ids['P1'],
      person_name: '张一',
      insurance_code: '110',
      status_class: 'active',
      last_paid_period: '2026-09-01',
      district_code: '320508',
      street: '沧浪街道',
    },
  ]);
  await insertKindRows(db, 'assistance', [
    {
      id_no: ids['P6'],
      person_name: '吴六',
      category: '城市低保',
      category_class: 'dibao_urban',
      since: '2023-01-01',
      district_code: '320508',
      street: '沧浪街道',
      community: '南门社区',
    },
    {
      id_no: ids['P7'],
      person_name: '周七',
      category: '城市低保',
      category_class: 'dibao_urban',
      since: '2024-03-01',
      district_code: '320505',
      street: '狮山街道',
      community: '长江社区',
    },
    {
      id_no: ids['P8'],
      person_name: '郑八',
      category: '特困供养',
      category_class: 'tekun',
      since: '2020-01-01',
      district_code: '320508',
      street: '沧浪街道',
      community: '南门社区',
    },
    {
      id_no: ids['P9'],
      person_name: '冯九',
      category: '重度残疾',
      category_class: 'disabled_severe',
      since: '2022-01-01',
      district_code: '320508',
      street: '沧浪街道',
      community: '南门社区',
    },
  ]);
  await insertKindRows(db, 'resident_pension', [
    {
      id_no: ids['P6'],
      person_name: '吴六',
      status: '正常参保',
      status_class: 'active',
      year: 2026,
      paid_amount: 200,
      funding: '政府代缴',
      funding_class: 'government',
      district_code: '320508',
    },
  ]);
  await personFacts(db, {
    jobs: [
      { person: 'P1', employer: 'E1' },
      { person: 'P2', employer: 'E1' },
      { person: 'P3', employer: 'E1' },
      { person: 'P4', employer: 'E2' },
      { person: 'P1', employer: 'E2' },
    ],
    people: [
      { person: 'P1', age: 36, enrolled: true },
      { person: 'P2', age: 35 },
      { person: 'P3', age: 34, enrolled: true },
      { person: 'P4', age: 33 },
      { person: 'P5', age: 46 },
      { person: 'P6', age: 30, daijiao: true },
      { person: 'P7', age: 40 },
      { person: 'P8', age: 66 },
      { person: 'P9', age: 30, enrolled: true },
    ],
    aid: [
      { person: 'P6', categories: '城市低保', since: '2023-01-01' },
      { person: 'P7', categories: '城市低保', since: '2024-03-01' },
      { person: 'P8', categories: '特困供养', since: '2020-01-01' },
      { person: 'P9', categories: '重度残疾', since: '2022-01-01' },
    ],
  });
  return Object.fromEntries(['P2', 'P4', 'P5', 'P7'].map((k, i) => [k, cases[i] as string]));
}
