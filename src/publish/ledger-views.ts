import type { Db } from '../db/database.ts';
import { ident, literal } from '../core/sql.ts';
import { BUILTIN_RULES, PERSON_RULES, PROJECT_RULES } from '../rules/catalog/index.ts';
import { KINDS } from '../sources/index.ts';
import type { DatedRunContext } from '../config/context.ts';
import { sqlFile, sqlSteps } from '../db/sql-file.ts';
import { runSteps } from '../db/steps.ts';

const LEDGER_EMPLOYER_SQL = sqlFile(new URL('./ledger-employer.sql', import.meta.url));

/** A rule as the ledgers show it: id and Chinese title. */
export interface LedgerRule {
  id: string;
  title: string;
  /** Whether the rule estimates an amount (its formula is not 无...). */
  hasAmount: boolean;
}

/** The built-in employer rules, in the order of docs/rules.md: the per-rule columns of the 汇总 and 问题分类. */
export const LEDGER_RULES: LedgerRule[] = BUILTIN_RULES.map((r) => ({ id: r.id, title: r.title, hasAmount: !r.amountFormula.startsWith('无') }));
/** The person rules: counted in people on the 人员参保 sheet (ledger_person), listed after the employer rules elsewhere. */
export const LEDGER_PERSON_RULES: LedgerRule[] = PERSON_RULES.map((r) => ({ id: r.id, title: r.title, hasAmount: !r.amountFormula.startsWith('无') }));
/** Person rules whose findings belong to the person alone (employer_id ''): their district is the person's (ledger_person_home). */
export const PERSON_ONLY_RULES = ['person_lapsed', 'assistance_not_covered'] as const;

/** Arrears classes of docs/rules.md, in the order the ledgers show them. */
export const ARREARS_CLASSES = [
  { id: 'closed', title: '已注销/吊销（核销）' },
  { id: 'dormant', title: '停业/无用工（缴费计划）' },
  { id: 'operating', title: '正常经营（依法追缴）' },
] as const;

function q(id: string): string {
  return ident(id);
}

/**
 * The CTEs `si` and `aid` of ledger_person_home: per person (of `keys`, a query of person_key,
 * when given) the SI row and the assistance row that place them (person_key, district_code,
 * street, community).
 */
function personHomeCtes(keys?: string): string {
  const only = keys ? `AND p.person_key IN (${keys})` : '';
  return `si AS (
  SELECT p.person_key, s.district_code, nullif(trim(s.street), '') AS street, CAST(NULL AS VARCHAR) AS community
  FROM si_person_current s JOIN persons p ON p.id_no = s.id_no
  WHERE s.insurance_code = '110' AND s.district_code IS NOT NULL ${only}
  QUALIFY row_number() OVER (PARTITION BY p.person_key
                             ORDER BY s.last_paid_period DESC NULLS LAST, s.status_class = 'active' DESC, s.district_code, s.street) = 1),
aid AS (
  SELECT p.person_key, a.district_code, nullif(trim(a.street), '') AS street, nullif(trim(a.community), '') AS community
  FROM assistance_current a JOIN persons p ON p.id_no = a.id_no
  WHERE a.category_class IS NOT NULL AND a.district_code IS NOT NULL ${only}
  QUALIFY row_number() OVER (PARTITION BY p.person_key
                             ORDER BY a.until IS NULL DESC, a.until DESC NULLS FIRST, a.since DESC NULLS LAST, a.district_code, a.street, a.community) = 1)`;
}

/**
 * The SQL of the ledger views. Every view reports on one run, `ledger_selected`: the latest
 * run that ran rules, or the one named by `SET VARIABLE ledger_run = '<run_id>'` (reset with
 * `RESET VARIABLE ledger_run`). Facts-based numbers (active, should-be-enrolled, enrolled,
 * rates) come from `employer_facts`, which holds only the latest rules run: for an older run
 * they are NULL rather than wrong. Findings, cases, data quality and the run record are kept
 * per run and work for any run.
 */
export function ledgerViewsSql(rules: readonly LedgerRule[] = LEDGER_RULES): string {
  const ruleValues = [...rules, ...LEDGER_PERSON_RULES].map((r, i) => `(${literal(r.id)}, ${literal(r.title)}, ${i + 1})`).join(', ');
  const personRuleIds = LEDGER_PERSON_RULES.map((r) => literal(r.id)).join(', ');
  const ruleColumns = rules
    .flatMap((r) => [
      `count(*) FILTER (WHERE rule_id = ${literal(r.id)}) AS ${q(`${r.id}_n`)}`,
      `coalesce(sum(amount) FILTER (WHERE rule_id = ${literal(r.id)}), 0) AS ${q(`${r.id}_amount`)}`,
    ])
    .join(',\n       ');
  // The arrears rule's amount is the arrears_amount of the arrears columns below (the same sum): once.
  const ruleSelect = rules
    .flatMap((r) => [
      `coalesce(fi.${q(`${r.id}_n`)}, 0) AS ${q(`${r.id}_n`)}`,
      ...(r.id === 'arrears' ? [] : [`coalesce(fi.${q(`${r.id}_amount`)}, 0) AS ${q(`${r.id}_amount`)}`]),
    ])
    .join(',\n       ');
  const arrearsColumns = ARREARS_CLASSES.flatMap((c) => [
    `count(*) FILTER (WHERE class = ${literal(c.id)}) AS ${q(`arrears_${c.id}_n`)}`,
    `coalesce(sum(amount) FILTER (WHERE class = ${literal(c.id)}), 0) AS ${q(`arrears_${c.id}_amount`)}`,
    `coalesce(sum(late_fee) FILTER (WHERE class = ${literal(c.id)}), 0) AS ${q(`arrears_${c.id}_late_fee`)}`,
  ]).join(',\n       ');
  const arrearsSelect = ARREARS_CLASSES.flatMap((c) =>
    ['n', 'amount', 'late_fee'].map((m) => `coalesce(ar.${q(`arrears_${c.id}_${m}`)}, 0) AS ${q(`arrears_${c.id}_${m}`)}`),
  ).join(',\n       ');
  const inUse = KINDS.map((k) => `SELECT DISTINCT file_id FROM ${q(`${k}_current`)}`).join(' UNION ');
  // A district key where the GROUPING SETS total row is '合计' (district codes are digits).
  const dk = `CASE WHEN grouping(district_code) = 1 THEN '合计' ELSE district_code END`;
  return `
-- The run every ledger view reports on: the latest run that ran rules, or the one named by
-- SET VARIABLE ledger_run = '<run_id>'. Its as-of date, closed month and minimum age are the
-- ones the run recorded (runs: as_of, closed_month, min_age_days).
CREATE OR REPLACE VIEW ledger_selected AS
WITH sel AS (SELECT coalesce(CAST(getvariable('ledger_run') AS VARCHAR), (SELECT max(run_id) FROM rule_runs)) AS run_id)
SELECT sel.run_id, r.as_of, r.closed_month AS month,
       sel.run_id = (SELECT max(run_id) FROM rule_runs) AS facts_current,
       r.min_age_days
FROM sel LEFT JOIN runs r USING (run_id);

CREATE OR REPLACE VIEW ledger_rules AS
SELECT * FROM (VALUES ${ruleValues}) t(rule_id, rule_title, rule_order);

-- Where a person lives as the office's lists place them (续保提醒, 代缴名单, the person ledger):
-- per person with an SI row, the district and street of their 110 row paid last (source 'si');
-- per person on an assistance roll, the district, street and community of their open-ended
-- (else latest-ending), most recently recognised row of a listed category (source
-- 'assistance'). A finding about a person alone takes the district of its rule's source:
-- assistance_not_covered the roll's, the others the SI row's, each falling back to the other.
CREATE OR REPLACE VIEW ledger_person_home AS
WITH ${personHomeCtes()}
SELECT h.person_key, h.source, h.district_code, coalesce(dv.name, '未知区县') AS district_name, h.street, h.community
FROM (SELECT 'si' AS source, * FROM si UNION ALL SELECT 'assistance' AS source, * FROM aid) h
LEFT JOIN ref_division dv ON dv.code = h.district_code;

-- The findings of the selected run with their district: the employer's, or for a finding
-- about a person alone the person's (ledger_person_home; assistance_not_covered: the roll's).
CREATE OR REPLACE VIEW ledger_findings AS
WITH placed AS (
  SELECT f.*, e.district_code AS e_district, e.street AS e_street, e.name, e.uscc,
         CASE WHEN f.rule_id = 'assistance_not_covered' THEN pp.aid_district ELSE pp.si_district END AS p_district,
         CASE WHEN f.rule_id = 'assistance_not_covered' THEN pp.aid_street ELSE pp.si_street END AS p_street
  FROM findings f JOIN ledger_selected s USING (run_id)
  LEFT JOIN employers e ON e.employer_id = nullif(f.employer_id, '')
  LEFT JOIN ledger_person_place pp ON pp.person_key = CASE WHEN f.employer_id = '' THEN nullif(f.person_key, '') END)
SELECT p.* EXCLUDE (e_district, e_street, p_district, p_street, name, uscc),
       coalesce(p.e_district, p.p_district, '') AS district_code, coalesce(dv.name, '未知区县') AS district_name,
       coalesce(p.e_street, p.p_street) AS street, p.name, p.uscc,
       CASE WHEN p.rule_id = 'arrears' THEN p.evidence->>'class' END AS class,
       CASE WHEN p.rule_id = 'arrears' THEN coalesce(TRY_CAST(p.evidence->>'late_fee' AS DECIMAL(18, 2)), 0) END AS late_fee
FROM placed p LEFT JOIN ref_division dv ON dv.code = coalesce(p.e_district, p.p_district);

-- Every case's state after the selected run: its last event up to that run.
CREATE OR REPLACE VIEW ledger_case_state AS
WITH placed AS (
  SELECT c.case_id, c.employer_id, c.rule_id, c.person_key, ev.to_state AS state, ev.run_id AS state_run,
         coalesce(e.district_code, CASE WHEN c.rule_id = 'assistance_not_covered' THEN pp.aid_district ELSE pp.si_district END) AS district
  FROM (SELECT ce.* FROM case_events ce, ledger_selected s WHERE ce.run_id <= s.run_id
        QUALIFY row_number() OVER (PARTITION BY ce.case_id ORDER BY ce.run_id DESC, ce.changed_at DESC) = 1) ev
  JOIN cases c USING (case_id) LEFT JOIN employers e ON e.employer_id = nullif(c.employer_id, '')
  LEFT JOIN ledger_person_place pp ON pp.person_key = CASE WHEN c.employer_id = '' THEN nullif(c.person_key, '') END)
SELECT p.case_id, p.employer_id, p.rule_id, p.person_key, coalesce(p.district, '') AS district_code, coalesce(dv.name, '未知区县') AS district_name,
       p.state, p.state_run
FROM placed p LEFT JOIN ref_division dv ON dv.code = p.district;

-- 案件进展: per district and rule, this run and up to this run.
CREATE OR REPLACE VIEW ledger_cases_progress AS
WITH ev AS (
  SELECT ce.case_id, ce.run_id, ce.to_state, ce.run_id = s.run_id AS this_run
  FROM case_events ce, ledger_selected s WHERE ce.run_id <= s.run_id),
per_case AS (
  SELECT st.district_code, st.district_name, st.rule_id, st.case_id, st.state,
         bool_or(ev.this_run AND ev.to_state = 'new') AS opened_run,
         bool_or(ev.this_run AND ev.to_state = 'resolved') AS resolved_run,
         bool_or(ev.this_run AND ev.to_state = 'exempt') AS exempt_run,
         bool_or(ev.this_run AND ev.to_state = 'reopened') AS reopened_run,
         bool_or(ev.to_state = 'new') AS opened_total,
         bool_or(ev.to_state = 'resolved') AS resolved_total,
         bool_or(ev.to_state = 'exempt') AS exempt_total
  FROM ledger_case_state st JOIN ev USING (case_id) GROUP BY ALL)
SELECT CASE WHEN grouping(district_code) = 1 THEN NULL ELSE district_code END AS district_code,
       CASE WHEN grouping(district_code) = 1 THEN '合计' ELSE any_value(district_name) END AS district_name,
       p.rule_id, any_value(r.rule_title) AS rule_title,
       count(*) FILTER (WHERE opened_run) AS opened_run,
       count(*) FILTER (WHERE resolved_run) AS resolved_run,
       count(*) FILTER (WHERE exempt_run) AS exempt_run,
       count(*) FILTER (WHERE reopened_run) AS reopened_run,
       count(*) FILTER (WHERE opened_total) AS opened_total,
       count(*) FILTER (WHERE resolved_total) AS resolved_total,
       count(*) FILTER (WHERE exempt_total) AS exempt_total,
       count(*) FILTER (WHERE state IN ('new', 'open', 'reopened')) AS open_now
FROM per_case p LEFT JOIN ledger_rules r USING (rule_id)
GROUP BY GROUPING SETS ((district_code, p.rule_id), (p.rule_id))
ORDER BY grouping(district_code), district_code, min(r.rule_order), p.rule_id;

-- 按规则: findings and amounts per district and rule (total rows: district_code NULL, district_name 合计).
CREATE OR REPLACE VIEW ledger_rule AS
SELECT CASE WHEN grouping(district_code) = 1 THEN NULL ELSE district_code END AS district_code,
       CASE WHEN grouping(district_code) = 1 THEN '合计' ELSE any_value(district_name) END AS district_name,
       f.rule_id, coalesce(any_value(r.rule_title), f.rule_id) AS rule_title,
       count(*) AS findings, sum(f.amount) AS amount
FROM ledger_findings f LEFT JOIN ledger_rules r USING (rule_id)
GROUP BY GROUPING SETS ((district_code, f.rule_id), (f.rule_id))
ORDER BY grouping(district_code), district_code, min(coalesce(r.rule_order, 999)), f.rule_id;

-- 欠费台账: one row per employer owing, with its class and late fee.
CREATE OR REPLACE VIEW ledger_arrears AS
SELECT f.district_code, f.district_name, f.street, f.employer_id, f.uscc, f.name, f.class,
       CASE f.class WHEN 'closed' THEN '已注销/吊销（核销）' WHEN 'dormant' THEN '停业/无用工（缴费计划）' ELSE '正常经营（依法追缴）' END AS class_title,
       TRY_CAST(f.evidence->>'months_owing' AS INTEGER) AS months_owing, f.evidence->>'since' AS since,
       f.amount, f.late_fee, f.amount + f.late_fee AS total, f.severity, f.case_id, st.state AS case_state
FROM ledger_findings f LEFT JOIN ledger_case_state st USING (case_id)
WHERE f.rule_id = 'arrears'
ORDER BY f.district_code, CASE f.class WHEN 'operating' THEN 1 WHEN 'dormant' THEN 2 ELSE 3 END, f.amount DESC, f.employer_id;

-- 汇总: one row per district and a 合计 row (district_code NULL) computed from the totals, not averaged.
-- Employer findings and cases only: the person rules count people, on 人员参保 (ledger_person); the
-- project rule counts permits, on 项目参保 (ledger_project_district).
CREATE OR REPLACE VIEW ledger_district AS
WITH districts AS (
  SELECT DISTINCT coalesce(district_code, '') AS k FROM employers UNION SELECT '合计'),
cov AS (
  SELECT ${dk} AS k,
         count(*) FILTER (WHERE active) AS active_employers,
         count(*) FILTER (WHERE should_enroll) AS should_enroll,
         count(*) FILTER (WHERE enrolled) AS enrolled,
         count(*) FILTER (WHERE paid_in_full) AS paid_in_full,
         sum(due_m) AS due_m, sum(paid_m) AS paid_m
  FROM ledger_employer WHERE run_id = (SELECT run_id FROM ledger_selected) GROUP BY GROUPING SETS ((district_code), ())
  -- No facts for an older run: NULL, not a misleading total of 0.
  HAVING (SELECT facts_current FROM ledger_selected)),
fi AS (
  SELECT ${dk} AS k, count(*) AS findings, coalesce(sum(amount), 0) AS findings_amount,
       ${ruleColumns}
  FROM ledger_findings WHERE person_key = '' AND permit_no = '' GROUP BY GROUPING SETS ((district_code), ())),
ar AS (
  SELECT ${dk} AS k,
       ${arrearsColumns},
       coalesce(sum(amount), 0) AS arrears_amount, coalesce(sum(late_fee), 0) AS arrears_late_fee
  FROM ledger_findings WHERE rule_id = 'arrears' GROUP BY GROUPING SETS ((district_code), ())),
ca AS (
  SELECT ${dk} AS k,
         sum(opened_run) AS cases_opened, sum(resolved_run) AS cases_resolved, sum(reopened_run) AS cases_reopened,
         sum(exempt_run) AS cases_exempt, sum(open_now) AS cases_open
  FROM ledger_cases_progress WHERE district_code IS NOT NULL AND rule_id NOT IN (${personRuleIds}) GROUP BY GROUPING SETS ((district_code), ()))
SELECT CASE WHEN d.k = '合计' THEN NULL ELSE d.k END AS district_code,
       CASE WHEN d.k = '合计' THEN '合计' ELSE coalesce(dv.name, '未知区县') END AS district_name,
       s.run_id, s.as_of, s.month,
       cov.active_employers, cov.should_enroll, cov.enrolled,
       CAST(cov.enrolled AS DOUBLE) / nullif(cov.should_enroll, 0) AS coverage_rate,
       cov.paid_in_full,
       CAST(cov.paid_in_full AS DOUBLE) / nullif(cov.enrolled, 0) AS payment_rate,
       cov.due_m, cov.paid_m,
       CAST(cov.paid_m AS DOUBLE) / nullif(cov.due_m, 0) AS collection_rate,
       coalesce(fi.findings, 0) AS findings, coalesce(fi.findings_amount, 0) AS findings_amount,
       ${ruleSelect},
       coalesce(ca.cases_opened, 0) AS cases_opened, coalesce(ca.cases_resolved, 0) AS cases_resolved,
       coalesce(ca.cases_reopened, 0) AS cases_reopened, coalesce(ca.cases_exempt, 0) AS cases_exempt,
       coalesce(ca.cases_open, 0) AS cases_open,
       ${arrearsSelect},
       coalesce(ar.arrears_amount, 0) AS arrears_amount, coalesce(ar.arrears_late_fee, 0) AS arrears_late_fee
FROM districts d CROSS JOIN ledger_selected s
LEFT JOIN ref_division dv ON dv.code = d.k
LEFT JOIN cov USING (k) LEFT JOIN fi USING (k) LEFT JOIN ar USING (k) LEFT JOIN ca USING (k)
ORDER BY d.k = '合计', d.k = '', d.k;

-- 数据质量: the run's dq_issues, its files' unreadable values (nulled) and rejected rows, grouped.
-- Unknown status/type values that were kept are already dq_issues 'unknown_value' rows.
CREATE OR REPLACE VIEW ledger_data_quality AS
SELECT 'dq_issues' AS source_table, q.category, q.source AS kind, NULL::VARCHAR AS file_name, q.record_key, q.name, q.employer_id,
       q.detail, 1::BIGINT AS row_count
FROM dq_issues q JOIN ledger_selected s USING (run_id)
UNION ALL
SELECT 'value_issues', v.reason, v.kind, v.file_name, NULL, NULL, NULL,
       v.column_name || ' = "' || coalesce(v.value, '') || '": ' || v.reason || ', ' || v.action || ' (e.g. line ' || min(v.line) || ')',
       count(*)
FROM value_issues v JOIN ledger_selected s USING (run_id) WHERE v.action <> 'kept'
GROUP BY v.reason, v.kind, v.file_name, v.column_name, v.value, v.action
UNION ALL
SELECT 'rejects', 'rejected_row', r.kind, r.file_name, NULL, NULL, NULL,
       coalesce(r.column_name || ': ', '') || r.reason || ' (e.g. line ' || min(r.line) || ')', count(*)
FROM rejects r JOIN ledger_selected s USING (run_id)
GROUP BY r.kind, r.file_name, r.column_name, r.reason;

-- 待人工确认: near-miss name links of the run, to be confirmed by a person (review/待人工确认.xlsx),
-- with the day each pair was first listed and how many days it has waited by the run's D; a
-- pair judged 无法确定 stays and says so (人工结论).
CREATE OR REPLACE VIEW ledger_review AS
SELECT r.pair_id, r.source, r.record_key, r.name, r.district_code, coalesce(dv.name, '未知区县') AS district_name, r.candidate_name,
       k.employer_id AS candidate_employer_id, r.score,
       CASE WHEN starts_with(r.reason, '人工确认') THEN regexp_replace(r.reason, '^[^；]*；', '') ELSE r.reason END AS reason_code,
       CASE regexp_replace(r.reason, '^人工确认[^；]*；', '')
            WHEN 'legal form differs' THEN '组织形式不同' WHEN 'two candidates are as close' THEN '两个候选同样接近'
            WHEN 'similarity under the auto-accept threshold' THEN '相似度低于自动接受阈值' ELSE r.reason END AS reason,
       r.first_listed, date_diff('day', r.first_listed, s.as_of) AS days_waiting,
       '待人工确认' AS status,
       CASE WHEN starts_with(r.reason, '人工确认') THEN regexp_extract(r.reason, '^人工确认：([^；]*)', 1) END AS decision
FROM link_review r JOIN ledger_selected s USING (run_id)
LEFT JOIN employer_keys k ON k.key = r.candidate_cluster
LEFT JOIN ref_division dv ON dv.code = r.district_code
ORDER BY r.district_code, r.score DESC, r.record_key;

-- 运行记录: the run (from runs once recorded; while the pipeline runs, from its own tables).
CREATE OR REPLACE VIEW ledger_run AS
WITH m AS (
  SELECT count(*) FILTER (WHERE status = 'loaded') AS files_loaded, count(*) FILTER (WHERE status = 'refused') AS files_refused,
         sum(rows_loaded) AS rows_loaded, sum(rows_rejected) AS rows_rejected
  FROM manifest JOIN ledger_selected s USING (run_id))
SELECT s.run_id, coalesce(r.status, 'running') AS status, s.as_of, s.month, r.pipeline, r.started_at, r.finished_at, r.output_dir,
       coalesce(r.files_loaded, m.files_loaded) AS files_loaded, coalesce(r.files_refused, m.files_refused) AS files_refused,
       r.files_skipped, coalesce(r.rows_loaded, m.rows_loaded, 0) AS rows_loaded, coalesce(r.rows_rejected, m.rows_rejected, 0) AS rows_rejected,
       (SELECT count(*) FROM employers) AS employers,
       (SELECT count(*) FROM ledger_findings) AS findings,
       (SELECT count(*) FROM ledger_review) AS review,
       (SELECT count(*) FROM dq_issues q WHERE q.run_id = s.run_id) AS dq_issues,
       CAST(r.summary->'timings' AS VARCHAR) AS timings,
       coalesce(json_array_length(r.summary->'warnings'), 0) AS warnings
FROM ledger_selected s LEFT JOIN runs r USING (run_id) CROSS JOIN m;

-- The files behind the run: delivered in it, or loaded earlier and still current.
CREATE OR REPLACE VIEW ledger_run_inputs AS
SELECT m.file_id, m.file_name, m.kind, m.status, m.run_id = s.run_id AS this_run, m.as_of, m.rows_read, m.rows_loaded, m.rows_rejected,
       m.message, m.path
FROM manifest m CROSS JOIN ledger_selected s
WHERE m.run_id = s.run_id OR (s.facts_current AND m.status = 'loaded' AND m.file_id IN (${inUse}))
ORDER BY m.run_id = s.run_id DESC, m.kind, m.file_name;

-- 人员参保: per district and a 合计 row (district_code NULL), the people of the selected run
-- (ledger_person_district, filled by publish from the run's person facts): wage earners (people
-- employed at an employer of the district in M-1 and M) and the enrolled among them (职工参保率);
-- people found uninsured or on a low base at an employer of the district; lapsed people (the
-- district of their SI row); the people the state should pay the residents' pension for
-- (on an assistance roll on D, 16-59, not a pensioner, not an enrolled person; the district of
-- their roll) and those it pays for (代缴覆盖率). A person working in two districts counts in each,
-- and once in 合计. Counts NULL: the run had no person facts (no person rule ran); a rate is NULL
-- when its denominator is 0.
CREATE OR REPLACE VIEW ledger_person AS
WITH found AS (
  SELECT CASE WHEN grouping(district_code) = 1 THEN NULL ELSE district_code END AS district_code, grouping(district_code) = 1 AS total,
         count(DISTINCT person_key) FILTER (WHERE rule_id = 'person_uninsured') AS uninsured_people,
         count(DISTINCT person_key) FILTER (WHERE rule_id = 'person_base_low') AS base_low_people
  FROM ledger_findings WHERE person_key <> '' AND employer_id <> '' GROUP BY GROUPING SETS ((district_code), ()))
SELECT l.district_code, l.district_name, l.run_id, s.as_of, s.month,
       l.wage_earners, l.wage_earners_enrolled,
       CAST(l.wage_earners_enrolled AS DOUBLE) / nullif(l.wage_earners, 0) AS person_coverage_rate,
       CASE WHEN l.wage_earners IS NOT NULL THEN coalesce(fo.uninsured_people, 0) END AS uninsured_people,
       CASE WHEN l.wage_earners IS NOT NULL THEN coalesce(fo.base_low_people, 0) END AS base_low_people,
       l.lapsed, l.assistance, l.assistance_covered,
       CAST(l.assistance_covered AS DOUBLE) / nullif(l.assistance, 0) AS daijiao_coverage_rate
FROM ledger_person_district l JOIN ledger_selected s USING (run_id)
LEFT JOIN found fo ON (l.district_code IS NULL AND fo.total) OR (NOT fo.total AND fo.district_code = l.district_code)
ORDER BY l.district_code IS NULL, l.district_code = '', l.district_code;

-- Open cases after each run up to the selected one (for the trend chart): employer cases, as the
-- 汇总 counts them, and the person cases (person_key set) apart.
CREATE OR REPLACE VIEW ledger_open_history AS
WITH rs AS (SELECT DISTINCT rr.run_id FROM rule_runs rr, ledger_selected s WHERE rr.run_id <= s.run_id),
ev AS (SELECT ce.*, c.person_key <> '' AS person FROM case_events ce JOIN cases c USING (case_id)),
st AS (
  SELECT rs.run_id, ev.case_id, any_value(ev.person) AS person,
         arg_max(ev.to_state, ev.run_id || strftime(ev.changed_at, '%Y%m%d%H%M%S.%f')) AS state
  FROM rs JOIN ev ON ev.run_id <= rs.run_id GROUP BY rs.run_id, ev.case_id)
SELECT rs.run_id, (SELECT as_of FROM runs r WHERE r.run_id = rs.run_id) AS as_of,
       (SELECT count(*) FROM st WHERE st.run_id = rs.run_id AND NOT st.person AND st.state IN ('new', 'open', 'reopened')) AS open_cases,
       (SELECT count(*) FROM ev WHERE ev.run_id = rs.run_id AND NOT ev.person AND ev.to_state = 'new') AS opened,
       (SELECT count(*) FROM ev WHERE ev.run_id = rs.run_id AND NOT ev.person AND ev.to_state = 'resolved') AS resolved,
       (SELECT count(*) FROM st WHERE st.run_id = rs.run_id AND st.person AND st.state IN ('new', 'open', 'reopened')) AS open_person_cases
FROM rs ORDER BY rs.run_id;
`;
}

/** The ledger views for the built-in rules (custom rules are added by `createLedgerViews`). */
export const LEDGER_VIEWS_SQL = ledgerViewsSql();

/** The rules the ledgers show: the built-in ones, then custom rules seen in `rule_runs`. */
export async function ledgerRules(db: Db): Promise<LedgerRule[]> {
  const seen = await db.all<{ rule_id: string }>(`SELECT DISTINCT rule_id FROM rule_runs ORDER BY rule_id`, undefined, { step: 'ledger.rules' });
  // The person and project rules are in rule_runs too: they are not custom rules (the 人员参保 and 项目参保 sheets count them).
  const known = new Set([...LEDGER_RULES, ...LEDGER_PERSON_RULES, ...PROJECT_RULES].map((r) => r.id));
  return [...LEDGER_RULES, ...seen.filter((r) => !known.has(r.rule_id)).map((r) => ({ id: r.rule_id, title: r.rule_id, hasAmount: true }))];
}

/**
 * The district of each person some case is about alone (employer_id ''), by source: the SI
 * row's first (si_district), or the assistance roll's first (aid_district); each falls back to
 * the other source. As ledger_person_home, for those people only (read by every ledger view of
 * findings and cases: the kind rows of everybody else are never ordered). A table, refilled from
 * the current data by every run's publish stage (migration 0009): read about ten times a run.
 */
const LEDGER_PERSON_PLACE_SQL = `
DELETE FROM ledger_person_place;
INSERT INTO ledger_person_place BY NAME
WITH ${personHomeCtes("SELECT person_key FROM cases WHERE employer_id = '' AND person_key <> ''")},
home AS (SELECT 'si' AS source, * FROM si UNION ALL SELECT 'assistance' AS source, * FROM aid)
SELECT person_key, max_by(district_code, source = 'si') AS si_district, max_by(street, source = 'si') AS si_street,
       max_by(district_code, source = 'assistance') AS aid_district, max_by(street, source = 'assistance') AS aid_street
FROM home GROUP BY person_key;`;

/** Refills `ledger_person_place` from the current person data and cases (fillLedgerPerson does, first). */
async function fillLedgerPersonPlace(db: Db): Promise<void> {
  await db.run(LEDGER_PERSON_PLACE_SQL, undefined, { step: 'ledger.person_place' });
}

/** Creates (or replaces) the ledger views in the database; call after the rules stage. */
export async function createLedgerViews(db: Db): Promise<LedgerRule[]> {
  const rules = await ledgerRules(db);
  await db.run(ledgerViewsSql(rules), undefined, { step: 'ledger.views' });
  return rules;
}

/** Points the ledger views at one run for this connection. */
export async function selectLedgerRun(db: Db, runId: string): Promise<void> {
  await db.run(`SET VARIABLE ledger_run = ${literal(runId)}`, undefined, { step: 'ledger.select' });
}

/**
 * Fills `ledger_employer` for the run (what the rates count, per employer), once: the 汇总,
 * the targets and the summary page all read it. Reads the run's temporary payment facts.
 */
export async function fillLedgerEmployer(db: Db, ctx: DatedRunContext): Promise<void> {
  await db.run(
    LEDGER_EMPLOYER_SQL,
    { run: ctx.runId, as_of: ctx.dates.asOf, month: ctx.dates.closedMonth, min_age_days: ctx.dates.minAgeDays },
    { step: 'ledger.employer' },
  );
}

const LEDGER_PERSON_STEP = sqlSteps(new URL('./ledger-person.sql', import.meta.url));

/** A parameter of assistance_not_covered as the run has it (the pipeline file's value, else the rule's default). */
function aidParam(ctx: DatedRunContext, name: string, fallback: number): number {
  const rule = PERSON_RULES.find((r) => r.id === 'assistance_not_covered');
  return ctx.pipeline.rules.params['assistance_not_covered']?.[name] ?? rule?.params[name]?.default ?? fallback;
}

/**
 * Refills `ledger_person_place` (where the people of person cases live; every view of findings
 * and cases reads it), then fills the run's rows of `ledger_person_district` (ledger-person.sql)
 * from the run's person facts, which the rules stage leaves when a person rule ran; without them
 * the run's rows say NULL (unknown). Call after `createLedgerViews` (it reads ledger_person_home)
 * and before the ledger views of findings and cases are read.
 */
export async function fillLedgerPerson(db: Db, ctx: DatedRunContext): Promise<{ facts: boolean }> {
  await fillLedgerPersonPlace(db);
  const facts =
    (await db.one<{ has_facts: boolean }>(LEDGER_PERSON_STEP('ledger.person.has_facts'), undefined, { step: 'ledger.person.has_facts' }))?.has_facts === true;
  await runSteps(db, [
    facts
      ? {
          name: 'ledger.person.district',
          sql: LEDGER_PERSON_STEP('ledger.person.district'),
          params: { run: ctx.runId, min_age: aidParam(ctx, 'min_age', 16), max_age: aidParam(ctx, 'max_age', 60) },
        }
      : { name: 'ledger.person.district_without_facts', sql: LEDGER_PERSON_STEP('ledger.person.district_without_facts'), params: { run: ctx.runId } },
  ]);
  return { facts };
}
