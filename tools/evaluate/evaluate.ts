import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/database.ts';

export interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

/** The score of a planted linking case: what was measured, and the link methods its records got. */
export interface CaseScore extends Score {
  what: string;
  methods: Record<string, number>;
}

/** The review pairs recon lists (truth/review_answers.csv): left out of the link and rule scores, counted here. */
export interface Awaiting {
  /** Pairs of review_answers.csv whose record the run lists in link_review. */
  pairs: number;
  /** True employers on either side of those pairs. */
  employers: number;
  /** (employer, rule) findings of those employers: ours, the truth's, and both. */
  ours: number;
  truth: number;
  agreeing: number;
  /** Person findings under those employers' USCCs: ours and the truth's (left out of the person scores). */
  personOurs: number;
  personTruth: number;
}

export interface Evaluation {
  links: { code: Score; name: Score };
  /**
   * Per link method of employer_links (uscc, org_code, decision, name_exact, former_name, name_city,
   * name_similar, own), over the records of the non-registry sources: TP linked right (for own:
   * rightly alone), FP linked to an employer it does not belong to, FN not linked to the one it does.
   */
  methods: Record<string, Score>;
  /** Per planted linking case (truth/links.csv hard_cases, review_answers.csv, expected_dq_issues.csv); empty for an older truth. */
  linkCases: Record<string, CaseScore>;
  awaiting: Awaiting;
  rules: Record<string, Score>;
  /** The person rules: scores per rule, or why they were not scored. */
  persons: { rules: Record<string, Score> } | { skipped: string };
  /** The project rules (project_uninsured): scores per rule, or why they were not scored. */
  projects: { rules: Record<string, Score> } | { skipped: string };
}

function score(tp: number, fp: number, fn: number): Score {
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
  };
}

/** The planted linking cases scored on their link (every other case is scored on review or data quality). */
const LINKED_CASES = ['reg_former_name', 'si_org_code_only', 'si_org_code_bad'];
const REVIEW_CASES = ['review_same', 'review_different'];

/**
 * Scores a run's links and findings against the generator's ground truth (`truth/links.csv`,
 * `truth/findings.csv`). Links: every tax and SI record whose true employer has a registry
 * record should share an employer with that record; split by whether its code could link it
 * (code) or only its name could (name), and by the method recon linked it with. Findings:
 * (employer, rule) pairs, our employers mapped to the true ones through their records.
 *
 * Review pairs (`truth/review_answers.csv`) that the run lists in link_review wait for a person:
 * their records are left out of the link scores and the findings of the employers on either side
 * (the unit's true employer and the candidate's) out of the rule scores; `awaiting` counts them.
 * A decided pair is no longer listed and is scored like any other record.
 */
export async function evaluate(db: Db, truthDir: string, runId?: string): Promise<Evaluation> {
  const links = path.join(truthDir, 'links.csv');
  const findings = path.join(truthDir, 'findings.csv');
  const answers = path.join(truthDir, 'review_answers.csv');
  const issues = path.join(truthDir, 'expected_dq_issues.csv');
  const answersSql = existsSync(answers)
    ? `SELECT source, record_key, candidate_uscc, answer, employer_key, candidate_employer_key FROM read_csv($answers, all_varchar = true, header = true)`
    : `SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS record_key, NULL::VARCHAR AS candidate_uscc, NULL::VARCHAR AS answer,
              NULL::VARCHAR AS employer_key, NULL::VARCHAR AS candidate_employer_key WHERE false`;
  const issuesSql = existsSync(issues)
    ? `SELECT DISTINCT category, source, record_key FROM read_csv($issues, all_varchar = true, header = true)`
    : `SELECT NULL::VARCHAR AS category, NULL::VARCHAR AS source, NULL::VARCHAR AS record_key WHERE false`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _truth_review AS ${answersSql};
     CREATE OR REPLACE TEMP TABLE _truth_dq AS ${issuesSql};
     -- The review pairs this run lists (whatever candidate it names): waiting for a person.
     CREATE OR REPLACE TEMP TABLE _awaiting AS
     SELECT t.* FROM _truth_review t WHERE EXISTS (SELECT 1 FROM link_review r WHERE r.source = t.source AND r.record_key = t.record_key);
     CREATE OR REPLACE TEMP TABLE _awaiting_keys AS
     SELECT employer_key FROM _awaiting UNION SELECT candidate_employer_key FROM _awaiting;`,
    existsSync(answers) || existsSync(issues) ? { ...(existsSync(answers) ? { answers } : {}), ...(existsSync(issues) ? { issues } : {}) } : undefined,
    { step: 'evaluate.review' },
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _truth_links AS
     SELECT CASE kind WHEN 'si_enrollment' THEN 'si_unit' ELSE kind END AS source, key_clean AS record_key, any_value(employer_key) AS employer_key,
            any_value(hard_cases) AS hard_cases
     FROM read_csv($links, all_varchar = true, header = true) GROUP BY ALL;
     CREATE OR REPLACE TEMP TABLE _truth_findings AS
     SELECT DISTINCT employer_key, rule_id FROM read_csv($findings, all_varchar = true, header = true);
     -- Our employer -> the true employer most of its records belong to.
     CREATE OR REPLACE TEMP TABLE _emp_map AS
     SELECT l.employer_id, mode(t.employer_key) AS employer_key
     FROM employer_links l JOIN _truth_links t ON t.record_key = l.record_key
       AND (t.source = l.source OR (t.source = 'tax_registration' AND l.source = 'tax_withholding'))
     GROUP BY l.employer_id;`,
    { links, findings },
    { step: 'evaluate.load' },
  );
  // Every non-registry record of the truth, judged: is its true employer in a registry (should
  // link), did recon put it with a registry record (did link), with the right one (right link).
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _judged AS
     WITH rec AS (
       SELECT t.source, t.record_key, t.employer_key, t.hard_cases, l.employer_id, l.method,
              CASE WHEN r.code_kind IN ('uscc', 'legacy15') THEN 'code' ELSE 'name' END AS class
       FROM _truth_links t
       JOIN employer_links l ON l.record_key = t.record_key AND (l.source = t.source OR (t.source = 'tax_registration' AND l.source = 'tax_withholding'))
       JOIN link_records r ON r.source = l.source AND r.record_key = l.record_key
       WHERE t.source NOT IN ('registration', 'civil_org')),
     anchors AS (
       SELECT t.employer_key AS true_key, l.employer_id FROM _truth_links t
       JOIN employer_links l ON l.source = t.source AND l.record_key = t.record_key
       WHERE t.source IN ('registration', 'civil_org'))
     SELECT rec.*,
            EXISTS (SELECT 1 FROM _awaiting w WHERE w.source = rec.source AND w.record_key = rec.record_key) AS awaiting,
            EXISTS (SELECT 1 FROM anchors a WHERE a.true_key = rec.employer_key) AS should_link,
            EXISTS (SELECT 1 FROM anchors a WHERE a.employer_id = rec.employer_id) AS did_link,
            EXISTS (SELECT 1 FROM anchors a WHERE a.employer_id = rec.employer_id AND a.true_key = rec.employer_key) AS right_link
     FROM rec`,
    undefined,
    { step: 'evaluate.links.judge' },
  );
  const linkRows = await db.all<{ class: string; tp: bigint; fp: bigint; fn: bigint }>(
    `SELECT class, count(*) FILTER (WHERE right_link) AS tp, count(*) FILTER (WHERE did_link AND NOT right_link) AS fp,
            count(*) FILTER (WHERE should_link AND NOT right_link) AS fn
     FROM _judged WHERE NOT awaiting GROUP BY class`,
    undefined,
    { step: 'evaluate.links' },
  );
  // Per method and per planted case: a record alone (own) that belongs to no registry employer is right too.
  const judgedScore = `count(*) FILTER (WHERE right_link OR NOT (should_link OR did_link)) AS tp,
            count(*) FILTER (WHERE did_link AND NOT right_link) AS fp, count(*) FILTER (WHERE should_link AND NOT right_link) AS fn`;
  const methodRows = await db.all<{ method: string; tp: bigint; fp: bigint; fn: bigint }>(
    `SELECT method, ${judgedScore} FROM _judged WHERE NOT awaiting GROUP BY method ORDER BY method`,
    undefined,
    { step: 'evaluate.links.methods' },
  );
  const caseRows = await db.all<{ label: string; tp: bigint; fp: bigint; fn: bigint; methods: string }>(
    `WITH c AS (SELECT j.*, unnest(string_split(coalesce(j.hard_cases, ''), ';')) AS label FROM _judged j WHERE j.source = 'si_unit' AND NOT j.awaiting),
     m AS (SELECT label, method, count(*) AS n FROM c GROUP BY ALL)
     SELECT label, ${judgedScore},
            (SELECT string_agg(m.method || '=' || m.n, ';' ORDER BY m.method) FROM m WHERE m.label = c.label) AS methods
     FROM c WHERE label IN (SELECT unnest(string_split($cases, ','))) GROUP BY label ORDER BY label`,
    { cases: LINKED_CASES.join(',') },
    { step: 'evaluate.links.cases' },
  );
  const decisionsTable = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'link_decisions'`, undefined, {
    step: 'evaluate.review.decisions',
  });
  // A review pair is handled when the run lists it with its candidate, or a person has decided it.
  const decided =
    Number(decisionsTable[0]?.n ?? 0) > 0
      ? `EXISTS (SELECT 1 FROM link_decisions d WHERE d.source = t.source AND d.record_key = t.record_key
                   AND d.candidate_cluster = 'uscc:' || t.candidate_uscc AND d.decision IN ('same', 'different'))`
      : 'false';
  const reviewRows = await db.all<{ label: string; tp: bigint; fp: bigint; fn: bigint; methods: string }>(
    `WITH t AS (
       SELECT t.*, 'review_' || t.answer AS label,
              EXISTS (SELECT 1 FROM link_review r WHERE r.source = t.source AND r.record_key = t.record_key AND r.candidate_cluster = 'uscc:' || t.candidate_uscc) AS listed_right,
              EXISTS (SELECT 1 FROM link_review r WHERE r.source = t.source AND r.record_key = t.record_key) AS listed,
              ${decided} AS decided,
              (SELECT any_value(l.method) FROM employer_links l WHERE l.source = t.source AND l.record_key = t.record_key) AS method
       FROM _truth_review t),
     s AS (
       SELECT label, CASE WHEN decided THEN 'decided' WHEN listed_right THEN 'listed' WHEN listed THEN 'listed with another candidate'
                          ELSE 'not listed, linked by ' || coalesce(method, 'nothing') END AS status, count(*) AS n
       FROM t GROUP BY ALL)
     SELECT label, count(*) FILTER (WHERE listed_right OR decided) AS tp, count(*) FILTER (WHERE listed AND NOT listed_right AND NOT decided) AS fp,
            count(*) FILTER (WHERE NOT listed AND NOT decided) AS fn,
            (SELECT string_agg(s.status || '=' || s.n, ';' ORDER BY s.status) FROM s WHERE s.label = t.label) AS methods
     FROM t GROUP BY label ORDER BY label`,
    undefined,
    { step: 'evaluate.review.cases' },
  );
  const dqRows = await db.all<{ category: string; tp: bigint; fp: bigint; fn: bigint }>(
    `WITH ours AS (
       SELECT DISTINCT category, source, record_key FROM dq_issues
       WHERE run_id = coalesce($run, (SELECT max(run_id) FROM dq_issues)) AND category IN (SELECT category FROM _truth_dq))
     SELECT category, count(*) FILTER (WHERE o AND t) AS tp, count(*) FILTER (WHERE o AND NOT t) AS fp, count(*) FILTER (WHERE t AND NOT o) AS fn
     FROM (SELECT coalesce(o.category, t.category) AS category, o.category IS NOT NULL AS o, t.category IS NOT NULL AS t
           FROM ours o FULL JOIN _truth_dq t USING (category, source, record_key))
     GROUP BY category ORDER BY category`,
    { run: runId ?? null },
    { step: 'evaluate.dq' },
  );
  const classScore = (c: string): Score => {
    const r = linkRows.find((x) => x.class === c);
    return score(Number(r?.tp ?? 0), Number(r?.fp ?? 0), Number(r?.fn ?? 0));
  };
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _rule_pairs AS
     WITH ours AS (
       SELECT DISTINCT coalesce(m.employer_key, 'ours:' || f.employer_id) AS employer_key, f.rule_id
       FROM findings f LEFT JOIN _emp_map m USING (employer_id)
       -- The employer rules only: person findings are scored per person, project findings per permit, below.
       WHERE f.run_id = coalesce($run, (SELECT max(run_id) FROM findings)) AND f.person_key = '' AND f.permit_no = '')
     SELECT coalesce(o.employer_key, t.employer_key) AS employer_key, coalesce(o.rule_id, t.rule_id) AS rule_id,
            o.rule_id IS NOT NULL AS o, t.rule_id IS NOT NULL AS t,
            coalesce(o.employer_key, t.employer_key) IN (SELECT employer_key FROM _awaiting_keys) AS awaiting
     FROM ours o FULL JOIN _truth_findings t USING (employer_key, rule_id)`,
    { run: runId ?? null },
    { step: 'evaluate.rules.pairs' },
  );
  const ruleRows = await db.all<{ rule_id: string; tp: bigint; fp: bigint; fn: bigint }>(
    `SELECT rule_id, count(*) FILTER (WHERE o AND t) AS tp, count(*) FILTER (WHERE o AND NOT t) AS fp, count(*) FILTER (WHERE t AND NOT o) AS fn
     FROM _rule_pairs WHERE NOT awaiting GROUP BY rule_id ORDER BY rule_id`,
    undefined,
    { step: 'evaluate.rules' },
  );
  const awaitingRows = await db.all<{ pairs: bigint; employers: bigint; ours: bigint; truth: bigint; agreeing: bigint }>(
    `SELECT (SELECT count(*) FROM _awaiting) AS pairs, (SELECT count(*) FROM _awaiting_keys) AS employers,
            count(*) FILTER (WHERE o) AS ours, count(*) FILTER (WHERE t) AS truth, count(*) FILTER (WHERE o AND t) AS agreeing
     FROM _rule_pairs WHERE awaiting`,
    undefined,
    { step: 'evaluate.awaiting' },
  );
  const a = awaitingRows[0];
  const awaiting: Awaiting = {
    pairs: Number(a?.pairs ?? 0),
    employers: Number(a?.employers ?? 0),
    ours: Number(a?.ours ?? 0),
    truth: Number(a?.truth ?? 0),
    agreeing: Number(a?.agreeing ?? 0),
    personOurs: 0,
    personTruth: 0,
  };
  // Their USCCs (the truth's), for the person findings.
  const employersCsv = path.join(truthDir, 'employers.csv');
  await db.run(
    awaiting.pairs > 0 && existsSync(employersCsv)
      ? `CREATE OR REPLACE TEMP TABLE _awaiting_uscc AS
         SELECT DISTINCT uscc FROM read_csv($employers, all_varchar = true, header = true) WHERE employer_key IN (SELECT employer_key FROM _awaiting_keys)`
      : `CREATE OR REPLACE TEMP TABLE _awaiting_uscc AS SELECT NULL::VARCHAR AS uscc WHERE false`,
    awaiting.pairs > 0 && existsSync(employersCsv) ? { employers: employersCsv } : undefined,
    { step: 'evaluate.awaiting.uscc' },
  );
  const methodCounts = (text: string | null): Record<string, number> =>
    Object.fromEntries(
      (text ?? '')
        .split(';')
        .filter((x) => x !== '')
        .map((x) => {
          const [k, n] = x.split('=');
          return [k ?? '', n === undefined ? 1 : Number(n)];
        }),
    );
  const caseScore = (what: string, r: { tp: bigint; fp: bigint; fn: bigint; methods?: string | null }): CaseScore => ({
    ...score(Number(r.tp), Number(r.fp), Number(r.fn)),
    what,
    methods: methodCounts(r.methods ?? null),
  });
  const linkCases: Record<string, CaseScore> = {};
  for (const r of caseRows) linkCases[r.label] = caseScore('linked to the true employer', r);
  for (const r of dqRows) linkCases[`dq ${r.category}`] = caseScore(`reported in dq_issues as ${r.category}`, r);
  for (const r of reviewRows) if (REVIEW_CASES.includes(r.label)) linkCases[r.label] = caseScore('listed in link_review with its candidate, or decided', r);
  return {
    links: { code: classScore('code'), name: classScore('name') },
    methods: Object.fromEntries(methodRows.map((r) => [r.method, score(Number(r.tp), Number(r.fp), Number(r.fn))])),
    linkCases,
    awaiting,
    rules: Object.fromEntries(ruleRows.map((r) => [r.rule_id, score(Number(r.tp), Number(r.fp), Number(r.fn))])),
    persons: await evaluatePersons(db, truthDir, awaiting),
    projects: await evaluateProjects(db, truthDir),
  };
}

/**
 * Scores the project rules: the latest run's project findings (the view `project_findings_latest`)
 * against `truth/project_findings.csv`, matched on (rule_id, permit_no, uscc of the contractor).
 */
async function evaluateProjects(db: Db, truthDir: string): Promise<Evaluation['projects']> {
  const truth = path.join(truthDir, 'project_findings.csv');
  if (!existsSync(truth)) return { skipped: 'no truth/project_findings.csv (the inbox was generated without projects)' };
  const view = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'project_findings_latest'`, undefined, {
    step: 'evaluate.projects.view',
  });
  if (Number(view[0]?.n ?? 0) === 0) return { skipped: 'not in this database (no view project_findings_latest)' };
  const rows = await db.all<{ rule_id: string; tp: bigint; fp: bigint; fn: bigint }>(
    `WITH truth AS (
       SELECT DISTINCT rule_id, permit_no, coalesce(uscc, '') AS uscc
       FROM read_csv($truth, all_varchar = true, header = true, columns = {'rule_id': 'VARCHAR', 'permit_no': 'VARCHAR', 'uscc': 'VARCHAR', 'severity': 'VARCHAR', 'amount': 'VARCHAR', 'case': 'VARCHAR'})),
     ours AS (SELECT DISTINCT rule_id, permit_no, coalesce(uscc, '') AS uscc FROM project_findings_latest)
     SELECT rule_id, count(*) FILTER (WHERE o AND t) AS tp, count(*) FILTER (WHERE o AND NOT t) AS fp, count(*) FILTER (WHERE t AND NOT o) AS fn
     FROM (SELECT coalesce(o.rule_id, t.rule_id) AS rule_id, o.rule_id IS NOT NULL AS o, t.rule_id IS NOT NULL AS t
           FROM ours o FULL JOIN truth t USING (rule_id, permit_no, uscc))
     GROUP BY rule_id ORDER BY rule_id`,
    { truth },
    { step: 'evaluate.projects' },
  );
  return { rules: Object.fromEntries(rows.map((r) => [r.rule_id, score(Number(r.tp), Number(r.fp), Number(r.fn))])) };
}

/**
 * TRANSITION: the person rules are being built. Until the database has the evaluation view
 * `person_findings_latest` (RULES.md "Evaluation views"), the person rules are reported as not in
 * this database instead of failing. Remove this check (and the `skipped` branch) once every
 * database the evaluator meets has the view.
 */
async function personRulesInDatabase(db: Db): Promise<boolean> {
  const rows = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'person_findings_latest'`, undefined, {
    step: 'evaluate.persons.view',
  });
  return Number(rows[0]?.n ?? 0) > 0;
}

/**
 * Scores the person rules: the latest run's person findings (the view `person_findings_latest`)
 * against `truth/person_findings.csv`, matched on (rule_id, id_no, uscc). id_no is normalised on
 * both sides (18 characters, upper-case X); uscc is empty for the rules without an employer.
 */
async function evaluatePersons(db: Db, truthDir: string, awaiting: Awaiting): Promise<Evaluation['persons']> {
  const truth = path.join(truthDir, 'person_findings.csv');
  if (!existsSync(truth)) return { skipped: 'no truth/person_findings.csv (the inbox was generated without people)' };
  if (!(await personRulesInDatabase(db))) return { skipped: 'not in this database (no view person_findings_latest)' };
  const rows = await db.all<{ rule_id: string; awaiting: boolean; tp: bigint; fp: bigint; fn: bigint; ours: bigint; theirs: bigint }>(
    `WITH truth AS (
       SELECT DISTINCT rule_id, upper(id_no) AS id_no, coalesce(uscc, '') AS uscc
       FROM read_csv($truth, all_varchar = true, header = true, columns = {'rule_id': 'VARCHAR', 'id_no': 'VARCHAR', 'person_name': 'VARCHAR', 'uscc': 'VARCHAR', 'severity': 'VARCHAR', 'amount': 'VARCHAR'})),
     ours AS (
       SELECT DISTINCT rule_id, upper(id_no) AS id_no, coalesce(uscc, '') AS uscc FROM person_findings_latest),
     pairs AS (
       SELECT coalesce(o.rule_id, t.rule_id) AS rule_id, o.rule_id IS NOT NULL AS o, t.rule_id IS NOT NULL AS t,
              coalesce(o.uscc, t.uscc) IN (SELECT uscc FROM _awaiting_uscc) AS awaiting
       FROM ours o FULL JOIN truth t USING (rule_id, id_no, uscc))
     SELECT rule_id, awaiting, count(*) FILTER (WHERE o AND t) AS tp, count(*) FILTER (WHERE o AND NOT t) AS fp, count(*) FILTER (WHERE t AND NOT o) AS fn,
            count(*) FILTER (WHERE o) AS ours, count(*) FILTER (WHERE t) AS theirs
     FROM pairs GROUP BY ALL ORDER BY rule_id`,
    { truth },
    { step: 'evaluate.persons' },
  );
  // The person findings of the employers of a pair awaiting review are counted apart (evaluate()).
  for (const r of rows.filter((x) => x.awaiting)) {
    awaiting.personOurs += Number(r.ours);
    awaiting.personTruth += Number(r.theirs);
  }
  return {
    rules: Object.fromEntries(rows.filter((x) => !x.awaiting).map((r) => [r.rule_id, score(Number(r.tp), Number(r.fp), Number(r.fn))])),
  };
}

/** The evaluation as a table for a terminal. */
export function formatEvaluation(e: Evaluation): string {
  // Wide enough for the longest name (person rule: assistance_not_covered).
  const width = 38;
  const line = (name: string, s: Score): string =>
    `${name.padEnd(width)} ${String(s.truePositives).padStart(6)} ${String(s.falsePositives).padStart(6)} ${String(s.falseNegatives).padStart(6)}   ${s.precision.toFixed(4)}   ${s.recall.toFixed(4)}\n`;
  let out = `${'what'.padEnd(width)} ${'TP'.padStart(6)} ${'FP'.padStart(6)} ${'FN'.padStart(6)}   precision recall\n`;
  out += line('links: by code', e.links.code) + line('links: by name only', e.links.name);
  for (const [method, s] of Object.entries(e.methods)) out += line(`link method: ${method}`, s);
  for (const [c, s] of Object.entries(e.linkCases)) {
    const how = Object.entries(s.methods)
      .map(([m, n]) => `${m} ${n}`)
      .join(', ');
    out += `${line(`link case: ${c}`, s).trimEnd()}   ${s.what}${how ? ` (${how})` : ''}\n`;
  }
  const w = e.awaiting;
  if (w.pairs > 0)
    out += `awaiting review: ${w.pairs} pairs listed; their records and the findings of their ${w.employers} employers are left out of the link and rule scores (findings: ours ${w.ours}, truth ${w.truth}, agreeing ${w.agreeing}; person findings: ours ${w.personOurs}, truth ${w.personTruth})\n`;
  for (const [rule, s] of Object.entries(e.rules)) out += line(`rule: ${rule}`, s);
  if ('skipped' in e.persons) out += `person rules: ${e.persons.skipped}\n`;
  else for (const [rule, s] of Object.entries(e.persons.rules)) out += line(`person rule: ${rule}`, s);
  if ('skipped' in e.projects) out += `project rules: ${e.projects.skipped}\n`;
  else for (const [rule, s] of Object.entries(e.projects.rules)) out += line(`project rule: ${rule}`, s);
  return out;
}

/** The scores `--min` holds to: links, employer rules, person and project rules, and the planted linking cases. */
export function gatedScores(e: Evaluation): Score[] {
  return [
    e.links.code,
    e.links.name,
    ...Object.values(e.rules),
    ...('rules' in e.persons ? Object.values(e.persons.rules) : []),
    ...('rules' in e.projects ? Object.values(e.projects.rules) : []),
    ...Object.values(e.linkCases),
  ];
}
