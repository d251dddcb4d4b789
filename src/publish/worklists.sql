-- Worklists (docs/architecture.md, "publish"): one row per employer with open cases of this run,
-- placed in a workbook per street, or per grid when a grid roster (网格员名册) is loaded.

-- step: worklists.rows
-- A worklist row is one employer with all its open findings; the evidence and amount come from
-- this run's findings, so a row never shows stale numbers. Cases referred to the SI office's
-- clean-up list (case_referrals_active, si-cleanup.sql) are not on worklists. Each case brings its
-- latest applied answer (上次核查, by 核查日期 then receipt, as the blacklist orders them), with
-- its 整改期限 marked 已过 once before $today (the day the worklist is issued). The latest notice
-- (告知书) sent to the employer goes into 问题说明 too. Lists per employer are aligned: the
-- n-th case id, rule, evidence and visit belong together.
-- Person cases (person_key <> '': person_uninsured, person_base_low) are answered one by one on
-- 人员清单 (_wl_people); the employer's row counts them per rule (person_counts) and takes their
-- severity into its priority, not their amounts (those overlap the employer rules' estimates).
-- Cases of a person alone (employer_id '': person_lapsed, assistance_not_covered) never come here.
CREATE OR REPLACE TEMP TABLE _wl_cases AS
WITH last_fb AS (
  SELECT case_id, result, checked_on, checker, deadline
  FROM feedback WHERE status = 'applied' AND case_id IS NOT NULL
  QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY checked_on DESC, received_at DESC, "row" DESC) = 1)
SELECT c.case_id, c.employer_id, c.rule_id, c.person_key, c.permit_no, f.amount, coalesce(f.evidence_text, '') AS evidence_text, f.evidence,
       CASE f.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END AS sev_rank,
       coalesce(strftime(l.checked_on, '%Y-%m-%d') || ' ' || l.result || '（' || coalesce(l.checker, '未署名') || '）'
                || coalesce('，整改期限 ' || strftime(l.deadline, '%Y-%m-%d') || CASE WHEN l.deadline < CAST($today AS DATE) THEN ' 已过' ELSE '' END, ''),
                '') AS visit
FROM cases c JOIN findings f ON f.case_id = c.case_id AND f.run_id = $run
LEFT JOIN last_fb l ON l.case_id = c.case_id
WHERE c.state IN ('new', 'open', 'reopened')
  AND c.employer_id <> '' AND c.rule_id NOT IN ('person_lapsed', 'assistance_not_covered')
  AND c.case_id NOT IN (SELECT case_id FROM case_referrals_active);
CREATE OR REPLACE TEMP TABLE _wl_emp AS
WITH person_counts AS (
  SELECT employer_id, string_agg(rule_id || ':' || n, ',' ORDER BY sev DESC, rule_id) AS person_counts
  FROM (SELECT employer_id, rule_id, count(DISTINCT person_key) AS n, max(sev_rank) AS sev FROM _wl_cases WHERE person_key <> '' GROUP BY ALL)
  GROUP BY employer_id),
emp AS (
  SELECT o.employer_id,
         string_agg(o.case_id, $sep ORDER BY o.sev_rank DESC, o.amount DESC NULLS LAST, o.case_id) FILTER (WHERE o.person_key = '') AS case_ids,
         string_agg(o.rule_id, ',' ORDER BY o.sev_rank DESC, o.amount DESC NULLS LAST, o.case_id) FILTER (WHERE o.person_key = '') AS rule_ids,
         string_agg(o.evidence_text, chr(31) ORDER BY o.sev_rank DESC, o.amount DESC NULLS LAST, o.case_id) FILTER (WHERE o.person_key = '') AS evidence,
         string_agg(o.visit, chr(31) ORDER BY o.sev_rank DESC, o.amount DESC NULLS LAST, o.case_id) FILTER (WHERE o.person_key = '') AS visits,
         string_agg(DISTINCT o.permit_no, ',') FILTER (WHERE o.permit_no <> '') AS permit_nos,
         CAST(sum(o.amount) FILTER (WHERE o.person_key = '') AS DOUBLE) AS amount, max(o.sev_rank) AS sev_rank,
         count(*) FILTER (WHERE o.person_key = '') AS n_cases, count(*) FILTER (WHERE o.person_key <> '') AS n_people
  FROM _wl_cases o GROUP BY o.employer_id)
SELECT o.*, pc.person_counts,
       e.name, e.uscc, e.legal_rep, nullif(trim(e.street), '') AS street, e.district_code,
       fa.phone, fa.address, fa.address_source,
       strftime(nt.sent_on, '%Y-%m-%d') AS noticed_on,
       coalesce(d.name, CASE WHEN e.district_code IS NOT NULL THEN '区县' || e.district_code END, $no_district) AS district
FROM emp o JOIN employers e USING (employer_id)
LEFT JOIN person_counts pc USING (employer_id)
LEFT JOIN employer_facts fa USING (employer_id)
LEFT JOIN (SELECT employer_id, max(sent_on) AS sent_on FROM notices GROUP BY employer_id) nt USING (employer_id)
LEFT JOIN ref_division d ON d.level = 'district' AND d.code = e.district_code;

-- step: worklists.grids
-- An employer goes to the grid of its street whose community its address names (the longest
-- such name, so 新华村 wins over 新华), else to the street's only grid, else to 未分网格.
-- Without a roster both tables are empty.
CREATE OR REPLACE TEMP TABLE _wl_roster AS
SELECT DISTINCT trim(street) AS street, nullif(trim(community), '') AS community, trim(grid) AS grid,
       nullif(trim(worker), '') AS worker, nullif(trim(phone), '') AS phone, district_code
FROM grid_roster_current WHERE nullif(trim(street), '') IS NOT NULL AND nullif(trim(grid), '') IS NOT NULL;
CREATE OR REPLACE TEMP TABLE _wl_grid AS
WITH candidates AS (
  SELECT e.employer_id, r.grid, r.community, r.community IS NOT NULL AND contains(coalesce(e.address, ''), r.community) AS named
  FROM _wl_emp e JOIN _wl_roster r ON r.street = e.street
    AND (r.district_code IS NULL OR e.district_code IS NULL OR r.district_code = e.district_code)),
by_community AS (
  SELECT employer_id, grid FROM candidates WHERE named
  QUALIFY row_number() OVER (PARTITION BY employer_id ORDER BY length(community) DESC, grid) = 1),
only_grid AS (
  SELECT employer_id, min(grid) AS grid FROM candidates GROUP BY employer_id HAVING count(DISTINCT grid) = 1)
SELECT employer_id, coalesce(b.grid, o.grid) AS grid
FROM (SELECT DISTINCT employer_id FROM candidates) LEFT JOIN by_community b USING (employer_id) LEFT JOIN only_grid o USING (employer_id);

-- step: worklists.place
-- $per_grid: whether workbooks are per grid (a roster is loaded) or per street.
CREATE OR REPLACE TEMP TABLE _wl_rows AS
WITH placed AS (
  SELECT e.*, g.grid,
         CASE WHEN e.street IS NULL THEN $no_street
              WHEN $per_grid THEN e.street || '_' || coalesce(g.grid, $no_grid)
              ELSE e.street END AS file_base
  FROM _wl_emp e LEFT JOIN _wl_grid g USING (employer_id))
SELECT dense_rank() OVER (ORDER BY district, file_base) AS file_idx,
       row_number() OVER (PARTITION BY district, file_base ORDER BY sev_rank DESC, amount DESC NULLS LAST, name, employer_id) AS seq,
       *
FROM placed;

-- step: worklists.plan
-- One entry per workbook, with the grid's workers when per grid.
SELECT w.file_idx, any_value(w.district) AS district, any_value(w.street) AS street, any_value(w.grid) AS grid,
       CASE WHEN $per_grid THEN (SELECT string_agg(DISTINCT r.worker || coalesce('（' || r.phone || '）', ''), '、') FROM _wl_roster r
                                  WHERE r.street = any_value(w.street) AND r.grid = any_value(w.grid) AND r.worker IS NOT NULL) END AS workers,
       count(*) AS rows, sum(w.n_cases) AS cases, sum(w.n_people) AS people, count(*) FILTER (WHERE w.sev_rank = 3) AS high,
       CAST(sum(w.amount) AS DOUBLE) AS amount
FROM _wl_rows w GROUP BY w.file_idx ORDER BY w.file_idx;

-- step: worklists.per_grid
SELECT count(*) > 0 AS per_grid FROM grid_roster_current;

-- step: worklists.chunk
-- One workbook's rows, a chunk at a time, in their order.
SELECT seq, case_ids, rule_ids, evidence, visits, permit_nos, amount, sev_rank, person_counts, name, uscc, legal_rep, phone, address, address_source, noticed_on
FROM _wl_rows WHERE file_idx = $file AND seq BETWEEN $from AND $to ORDER BY seq;

-- step: worklists.people
-- 人员清单: one row per open person case of the workbooks' employers, in the order of their
-- employer's row (单位序号), then priority and amount, then name. The ID is masked here, in SQL, as
-- core/personal.ts masks one (first 6 and last 4 characters): the full number never reaches a
-- workbook. months_employed is the rule's evidence (B's rules: person_uninsured, person_base_low).
CREATE OR REPLACE TEMP TABLE _wl_people AS
SELECT w.file_idx, w.seq AS emp_seq, w.name AS emp_name,
       row_number() OVER (PARTITION BY w.file_idx ORDER BY w.seq, c.sev_rank DESC, c.amount DESC NULLS LAST, p.person_name, c.person_key, c.rule_id) AS seq,
       c.case_id, c.rule_id, c.evidence_text, c.visit, c.sev_rank,
       p.person_name,
       CASE WHEN p.id_no IS NULL THEN NULL
            WHEN length(p.id_no) > 10 THEN left(p.id_no, 6) || repeat('*', length(p.id_no) - 10) || right(p.id_no, 4)
            ELSE repeat('*', length(p.id_no)) END AS id_masked,
       TRY_CAST(c.evidence->>'months_employed' AS INTEGER) AS months_employed
FROM _wl_cases c JOIN _wl_rows w USING (employer_id)
LEFT JOIN persons p ON p.person_key = c.person_key
WHERE c.person_key <> '';

-- step: worklists.people.chunk
SELECT seq, emp_seq, emp_name, case_id, rule_id, evidence_text, visit, sev_rank, person_name, id_masked, months_employed
FROM _wl_people WHERE file_idx = $file AND seq BETWEEN $from AND $to ORDER BY seq;
