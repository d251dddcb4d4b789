-- What every rule reasons about, built once per run from the current data and the employer
-- links (docs/rules.md, "Terms"). Parameters: $month (M, first day).
--
-- The per-employer monthly facts are temporary tables of the run (writing 10M rows into the
-- database file cost more than computing them): _facts_withholding, _facts_payments and
-- _facts_enrollment. The rules read them under the names employer_withholding,
-- employer_payments and employer_enrollment, bound in each rule's statement (runner.ts); the
-- database keeps views of those names with the same rows for analysts (facts.views below).
-- employer_facts itself is a table of the database.

-- step: rules.facts.withholding
-- Withholding per employer and month (an employer may withhold under more than one taxpayer id).
CREATE OR REPLACE TEMP TABLE _facts_withholding AS
SELECT l.employer_id, w.period, sum(w.headcount) AS headcount, sum(w.wages) AS wages
FROM tax_withholding_current w
JOIN employer_links l ON l.source IN ('tax_registration', 'tax_withholding') AND l.record_key = w.taxpayer_id
GROUP BY ALL;

-- step: rules.facts.payments
-- Contributions per employer, month and insurance type.
CREATE OR REPLACE TEMP TABLE _facts_payments AS
SELECT l.employer_id, p.period, p.insurance_code, sum(p.insured_count) AS insured_count, sum(p.base_total) AS base_total,
       sum(p.amount_due) AS amount_due, sum(p.amount_paid) AS amount_paid
FROM si_payment_current p
JOIN employer_links l ON l.source = 'si_unit' AND l.record_key = p.unit_id
GROUP BY ALL;

-- step: rules.facts.enrollment
-- Enrollment per employer and insurance type: active beats suspended beats terminated.
CREATE OR REPLACE TEMP TABLE _facts_enrollment AS
SELECT l.employer_id, e.insurance_code,
       CASE WHEN bool_or(e.status_class = 'active') THEN 'active' WHEN bool_or(e.status_class = 'suspended') THEN 'suspended'
            WHEN bool_or(e.status_class = 'terminated') THEN 'terminated' ELSE 'unknown' END AS status_class,
       sum(e.insured_count) FILTER (WHERE e.status_class = 'active') AS insured_count,
       min(e.enrolled_on) AS enrolled_on,
       arg_max(e.industry_code, (e.as_of, e.file_id, e.src_line)) FILTER (WHERE e.industry_code IS NOT NULL) AS industry_code
FROM si_enrollment_current e
JOIN employer_links l ON l.source = 'si_unit' AND l.record_key = e.unit_id
GROUP BY ALL;

-- step: rules.facts.employers
-- Several rows of one source for one employer (a USCC registered twice, a re-delivery): the
-- latest row wins, ties broken by file and line, so that a re-run gives the same facts.
DELETE FROM employer_facts;
INSERT INTO employer_facts BY NAME
WITH reg AS (
  SELECT l.employer_id, arg_max(r.status_class, (r.as_of, r.file_id, r.src_line)) AS reg_status, arg_max(r.status, (r.as_of, r.file_id, r.src_line)) AS reg_status_text,
         arg_max(r.closed_on, (r.as_of, r.file_id, r.src_line)) AS closed_on, min(r.established_on) AS established_on, max(r.employees) AS employees,
         arg_max(r.industry_code, (r.as_of, r.file_id, r.src_line)) FILTER (WHERE r.industry_code IS NOT NULL) AS industry_code, arg_max(r.phone, (r.as_of, r.file_id, r.src_line)) FILTER (WHERE r.phone IS NOT NULL) AS phone, arg_max(r.address, (r.as_of, r.file_id, r.src_line)) FILTER (WHERE r.address IS NOT NULL) AS address,
         arg_max(r.entity_type, (r.as_of, r.file_id, r.src_line)) FILTER (WHERE r.entity_type IS NOT NULL) AS entity_type
  FROM registration_current r
  JOIN employer_links l ON l.source = 'registration' AND l.record_key = coalesce(r.uscc, 'line:' || r.file_id || ':' || r.src_line)
  GROUP BY l.employer_id),
civ AS (
  SELECT l.employer_id, arg_max(c.status_class, (c.as_of, c.file_id, c.src_line)) AS civil_status, min(c.established_on) AS established_on,
         max(c.employees) AS employees, arg_max(c.address, (c.as_of, c.file_id, c.src_line)) FILTER (WHERE c.address IS NOT NULL) AS address
  FROM civil_org_current c
  JOIN employer_links l ON l.source = 'civil_org' AND l.record_key = coalesce(c.uscc, 'line:' || c.file_id || ':' || c.src_line)
  GROUP BY l.employer_id),
tax AS (
  SELECT l.employer_id, bool_or(t.status_class = 'active') AS taxpayer_active,
         CASE WHEN bool_or(t.status_class = 'active') THEN 'active' ELSE arg_max(t.status_class, (t.as_of, t.file_id, t.src_line)) END AS tax_status,
         arg_max(t.address, (t.as_of, t.file_id, t.src_line)) FILTER (WHERE t.address IS NOT NULL) AS address
  FROM tax_registration_current t
  JOIN employer_links l ON l.source = 'tax_registration' AND l.record_key = t.taxpayer_id
  GROUP BY l.employer_id),
-- Withholding of the 6 months up to M in one pass; the 3-month figures are filtered aggregates.
-- Bounds are DATEs: DATE - INTERVAL is a TIMESTAMP, and comparing periods with it cast every row.
w AS (
  SELECT employer_id,
         count(*) FILTER (WHERE period >= CAST(CAST($month AS DATE) - INTERVAL 2 MONTH AS DATE)) AS w_months,
         max(headcount) FILTER (WHERE period >= CAST(CAST($month AS DATE) - INTERVAL 2 MONTH AS DATE)) AS hw,
         avg(headcount) FILTER (WHERE period >= CAST(CAST($month AS DATE) - INTERVAL 2 MONTH AS DATE)) AS a_avg,
         max(headcount) AS max6
  FROM _facts_withholding
  WHERE period BETWEEN CAST(CAST($month AS DATE) - INTERVAL 5 MONTH AS DATE) AND CAST($month AS DATE)
  GROUP BY employer_id),
enr AS (
  SELECT employer_id,
         bool_or(status_class IN ('active', 'suspended')) AS registered_si,
         any_value(status_class) FILTER (WHERE insurance_code = '110') AS status_110,
         any_value(insured_count) FILTER (WHERE insurance_code = '110') AS enrolled_count_110,
         list(insurance_code ORDER BY insurance_code) FILTER (WHERE status_class = 'active') AS active_types,
         any_value(industry_code) AS industry_code
  FROM _facts_enrollment GROUP BY employer_id),
pen AS (
  SELECT employer_id, insured_count AS paid_count_110
  FROM _facts_payments WHERE insurance_code = '110' AND period = CAST($month AS DATE))
SELECT e.employer_id, e.name, e.uscc, e.kind, e.district_code, e.street, e.legal_rep,
       -- Contact: the first source that has one, and which (docs/rules.md "Terms"): the registry's
       -- 住所, then the tax registry's 生产经营地址 (where the business operates), then civil
       -- affairs' 住所. Only the registry exports a phone.
       reg.phone, CASE WHEN reg.phone IS NOT NULL THEN 'registration' END AS phone_source,
       coalesce(reg.address, tax.address, civ.address) AS address,
       CASE WHEN reg.address IS NOT NULL THEN 'registration' WHEN tax.address IS NOT NULL THEN 'tax_registration'
            WHEN civ.address IS NOT NULL THEN 'civil_org' END AS address_source,
       reg.reg_status, reg.reg_status_text, reg.closed_on, civ.civil_status, tax.tax_status, coalesce(tax.taxpayer_active, false) AS taxpayer_active,
       coalesce(reg.reg_status = 'active', false) OR coalesce(civ.civil_status = 'active', false) AS active,
       coalesce(reg.reg_status IN ('closed', 'revoked', 'moved_out'), false) OR coalesce(civ.civil_status IN ('closed', 'revoked'), false) AS closed,
       coalesce(reg.established_on, civ.established_on) AS established_on,
       coalesce(reg.employees, civ.employees) AS registry_employees,
       coalesce(reg.industry_code, enr.industry_code) AS industry_code,
       coalesce(w.w_months, 0) AS w_months,
       CASE WHEN w.w_months > 0 THEN w.hw ELSE 0 END AS hw,
       w.a_avg,
       -- H: withholding when any of the 3 months has a row, else the registry's employees, else unknown (NULL).
       CASE WHEN w.w_months > 0 THEN w.hw ELSE coalesce(reg.employees, civ.employees) END AS h,
       coalesce(w.max6, 0) = 0 AS no_staff_6m,
       coalesce(enr.registered_si, false) AS registered_si,
       coalesce(enr.status_110 = 'active', false) AS enrolled,
       enr.status_110,
       coalesce(enr.active_types, []) AS active_types,
       coalesce(pen.paid_count_110, enr.enrolled_count_110) AS insured_110
FROM employers e
LEFT JOIN reg USING (employer_id) LEFT JOIN civ USING (employer_id) LEFT JOIN tax USING (employer_id)
LEFT JOIN w USING (employer_id) LEFT JOIN enr USING (employer_id) LEFT JOIN pen USING (employer_id);

-- step: rules.facts.views
-- The analysts' views: the same rows as the run's temporary tables, computed when read.
CREATE OR REPLACE VIEW main.employer_withholding AS
SELECT l.employer_id, w.period, sum(w.headcount) AS headcount, sum(w.wages) AS wages
FROM tax_withholding_current w
JOIN employer_links l ON l.source IN ('tax_registration', 'tax_withholding') AND l.record_key = w.taxpayer_id
GROUP BY ALL;
CREATE OR REPLACE VIEW main.employer_payments AS
SELECT l.employer_id, p.period, p.insurance_code, sum(p.insured_count) AS insured_count, sum(p.base_total) AS base_total,
       sum(p.amount_due) AS amount_due, sum(p.amount_paid) AS amount_paid
FROM si_payment_current p
JOIN employer_links l ON l.source = 'si_unit' AND l.record_key = p.unit_id
GROUP BY ALL;
CREATE OR REPLACE VIEW main.employer_enrollment AS
SELECT l.employer_id, e.insurance_code,
       CASE WHEN bool_or(e.status_class = 'active') THEN 'active' WHEN bool_or(e.status_class = 'suspended') THEN 'suspended'
            WHEN bool_or(e.status_class = 'terminated') THEN 'terminated' ELSE 'unknown' END AS status_class,
       sum(e.insured_count) FILTER (WHERE e.status_class = 'active') AS insured_count,
       min(e.enrolled_on) AS enrolled_on,
       arg_max(e.industry_code, (e.as_of, e.file_id, e.src_line)) FILTER (WHERE e.industry_code IS NOT NULL) AS industry_code
FROM si_enrollment_current e
JOIN employer_links l ON l.source = 'si_unit' AND l.record_key = e.unit_id
GROUP BY ALL;
