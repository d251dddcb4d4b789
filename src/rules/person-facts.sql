-- What the person rules reason about (docs/rules.md "Person level"), built once per run from
-- the person kinds' current data, `persons` and the employer links of the withholding agents
-- (iit_agents) and SI units (si_units). Parameters: $as_of (D), $month (M, first day),
-- $retirement_male, $retirement_female (whole years), $daijiao_from_month.
--
-- Temporary tables of the run, read by the person rules under the names person_facts,
-- person_jobs, person_months and person_assistance (runner.ts binds them like the employer
-- facts). They say person_key, never the ID number: the ID stays in the kind tables and persons.
-- Only valid resident IDs are subjects: rows whose id_no is NULL (another ID type, or a number
-- that is not a resident ID) or carries an id_issue (bad check character, impossible birth
-- date, bad format) take no part.
--
-- Scale (a city: 2.5M wage earners, 30M iit rows a year): iit_detail_current is read once, for
-- the 12 months up to M, and folded to one row per person and withholding agent with a bit mask
-- of the months that have a qualifying wage row (bit i = month M - i) and the incomes of
-- M-2..M; everything else reads those few million rows.

-- step: rules.person.months
-- The 12 months up to M (idx 0 = M, 11 = M-11) with the local parameters of each: the base floor
-- and cap and the employer pension rate of the period containing the month (a month no period
-- covers takes M's, which the rules stage requires to exist).
CREATE OR REPLACE TEMP TABLE _pf_months AS
WITH months AS (
  SELECT CAST(i AS INTEGER) AS idx, CAST(CAST($month AS DATE) - to_months(CAST(i AS INTEGER)) AS DATE) AS period FROM range(12) t(i)),
of_m AS (
  SELECT base_floor, base_cap, rate_110 FROM ref_local_params WHERE CAST($month AS DATE) BETWEEN valid_from AND valid_to)
SELECT m.idx, m.period, coalesce(p.base_floor, of_m.base_floor) AS floor, coalesce(p.base_cap, of_m.base_cap) AS cap,
       coalesce(p.rate_110, of_m.rate_110) AS rate_110
FROM months m CROSS JOIN of_m LEFT JOIN ref_local_params p ON m.period BETWEEN p.valid_from AND p.valid_to
ORDER BY m.idx;

-- step: rules.person.agent_rows
-- Qualifying wage rows (RULES.md "Employee of E"): 正常工资薪金 or no item (income_class
-- 'salary'), 雇员 or no type (employment_class 'employee'), income > 0, of the 12 months up to M;
-- per person and withholding agent. Rows of one agent, person, month and item (a split, a
-- duplicate within a delivery) are summed.
CREATE OR REPLACE TEMP TABLE _pf_agent_rows AS
SELECT id_no, taxpayer_id, agent_name,
       bit_or(1 << date_diff('month', period, CAST($month AS DATE))) AS mask,
       sum(income) FILTER (WHERE period = CAST($month AS DATE)) AS inc0,
       sum(income) FILTER (WHERE period = CAST(CAST($month AS DATE) - INTERVAL 1 MONTH AS DATE)) AS inc1,
       sum(income) FILTER (WHERE period = CAST(CAST($month AS DATE) - INTERVAL 2 MONTH AS DATE)) AS inc2,
       min(employed_on) FILTER (WHERE period = CAST($month AS DATE)) AS employed_on,
       bool_or(left_on <= CAST($as_of AS DATE)) FILTER (WHERE period = CAST($month AS DATE)) AS left_m
FROM iit_detail_current
WHERE id_no IS NOT NULL AND id_issue IS NULL AND id_kind = 'resident'
  AND income_class = 'salary' AND employment_class = 'employee' AND income > 0
  AND period BETWEEN CAST(CAST($month AS DATE) - INTERVAL 11 MONTH AS DATE) AND CAST($month AS DATE)
GROUP BY id_no, taxpayer_id, agent_name;

-- step: rules.person.jobs
-- Employed at E (RULES.md "Precisely"): a qualifying row at E (an agent linked to E) in both
-- M-1 and M, and no qualifying row at E for M with left_on on or before D. Monthly income at E
-- is the sum over the agents linked to E; employed_on the earliest of the rows at E for M.
-- `base`: the largest base on the person's active 110 rows at SI units linked to E (NULL: none
-- known). s3 / n3: the income at E summed over the months of M-2..M where it is > 0, and how
-- many such months there are (I = s3 / n3).
CREATE OR REPLACE TEMP TABLE _pf_jobs AS
WITH at_employer AS (
  SELECT p.person_key, a.employer_id, bit_or(r.mask) AS mask, sum(r.inc0) AS inc0, sum(r.inc1) AS inc1, sum(r.inc2) AS inc2,
         min(r.employed_on) AS employed_on, coalesce(bool_or(r.left_m), false) AS left_m
  FROM _pf_agent_rows r
  JOIN iit_agents a ON a.taxpayer_id IS NOT DISTINCT FROM r.taxpayer_id AND a.agent_name IS NOT DISTINCT FROM r.agent_name
  JOIN persons p ON p.id_no = r.id_no
  GROUP BY p.person_key, a.employer_id
  HAVING bit_or(r.mask) & 3 = 3 AND NOT coalesce(bool_or(r.left_m), false)),
base AS (
  SELECT p.person_key, u.employer_id, max(s.base) AS base
  FROM si_person_current s JOIN si_units u ON u.unit_id = s.unit_id JOIN persons p ON p.id_no = s.id_no
  WHERE s.id_no IS NOT NULL AND s.id_issue IS NULL AND s.insurance_code = '110' AND s.status_class = 'active' AND s.base IS NOT NULL
  GROUP BY p.person_key, u.employer_id)
SELECT j.person_key, j.employer_id, j.mask, bit_count(j.mask) AS months_employed, j.employed_on,
       j.inc0, j.inc1, j.inc2,
       coalesce(CASE WHEN j.inc0 > 0 THEN j.inc0 END, 0) + coalesce(CASE WHEN j.inc1 > 0 THEN j.inc1 END, 0)
         + coalesce(CASE WHEN j.inc2 > 0 THEN j.inc2 END, 0) AS s3,
       CAST(coalesce(j.inc0 > 0, false) AS INTEGER) + CAST(coalesce(j.inc1 > 0, false) AS INTEGER) + CAST(coalesce(j.inc2 > 0, false) AS INTEGER) AS n3,
       b.base
FROM at_employer j LEFT JOIN base b USING (person_key, employer_id);

-- step: rules.person.persons
-- One row per person of `persons`: age (whole years completed on D, the birthday counting; born
-- 29 February: a year older on 1 March in other years), working age, pensioner, enrolled person,
-- last paid month, and what the lapsed and 代缴 rules need.
CREATE OR REPLACE TEMP TABLE _pf_person AS
WITH si AS (
  SELECT id_no,
         bool_or(person_class = 'retired') AS retired,
         bool_or(insurance_code IN ('110', '120') AND status_class = 'active') AS enrolled,
         max(last_paid_period) FILTER (WHERE insurance_code = '110') AS last_paid,
         bool_or(insurance_code = '110' AND status_class IN ('active', 'suspended')) AS open_110,
         bool_or(phone IS NOT NULL) AS phone_known
  FROM si_person_current WHERE id_no IS NOT NULL AND id_issue IS NULL GROUP BY id_no),
rp AS (
  SELECT id_no,
         bool_or(status_class = 'receiving' AND year <= year(CAST($as_of AS DATE))) AS receiving,
         bool_or(status_class = 'active' AND year = year(CAST($as_of AS DATE))) AS active_this_year,
         bool_or(funding_class = 'government' AND year = $daijiao_year) AS daijiao,
         bool_or(year = $daijiao_year) AS row_daijiao_year
  FROM resident_pension_current WHERE id_no IS NOT NULL AND id_issue IS NULL GROUP BY id_no),
-- An employee of anyone in M: a qualifying row for M from any agent, linked or not.
emp AS (SELECT DISTINCT id_no FROM _pf_agent_rows WHERE mask & 1 = 1),
people AS (
  SELECT p.person_key, p.birth_date, p.sex,
         CAST(year(CAST($as_of AS DATE)) - year(p.birth_date)
              - CASE WHEN strftime(CAST($as_of AS DATE), '%m%d') < strftime(p.birth_date, '%m%d') THEN 1 ELSE 0 END AS INTEGER) AS age,
         coalesce(si.retired, false) OR coalesce(rp.receiving, false) AS pensioner,
         coalesce(si.enrolled, false) AS enrolled,
         si.last_paid,
         coalesce(si.open_110, false) AS open_110,
         coalesce(si.phone_known, false) AS phone_known,
         emp.id_no IS NOT NULL AS employee_in_m,
         coalesce(rp.active_this_year, false) AS resident_active,
         coalesce(rp.daijiao, false) AS daijiao,
         coalesce(rp.row_daijiao_year, false) AS resident_row_daijiao_year
  FROM persons p LEFT JOIN si USING (id_no) LEFT JOIN rp USING (id_no) LEFT JOIN emp USING (id_no)
  WHERE p.birth_date IS NOT NULL)
SELECT *, age >= 16 AND age < CASE WHEN sex = 'M' THEN $retirement_male ELSE $retirement_female END AS working_age
FROM people;

-- step: rules.person.assistance
-- People on an assistance roll on D: a row of a listed category (category_class not NULL; other
-- categories are data-quality notes) with since empty or <= D and until empty or >= D. A person
-- on several rolls is one row: their categories, and the earliest since (NULL: only rows
-- without one, counted from always).
CREATE OR REPLACE TEMP TABLE _pf_aid AS
WITH rows AS (
  SELECT p.person_key, a.category_class, a.since,
         CASE a.category_class WHEN 'dibao_urban' THEN '城市低保' WHEN 'dibao_rural' THEN '农村低保' WHEN 'tekun' THEN '特困供养'
              WHEN 'disabled_severe' THEN '重度残疾' WHEN 'disabled_1' THEN '一级残疾' WHEN 'disabled_2' THEN '二级残疾'
              WHEN 'tuopin' THEN '脱贫人口' WHEN 'jiandang' THEN '建档立卡贫困人口' WHEN 'fanpin' THEN '防止返贫监测对象'
              ELSE a.category_class END AS label
  FROM assistance_current a JOIN persons p ON p.id_no = a.id_no
  WHERE a.id_no IS NOT NULL AND a.id_issue IS NULL AND a.category_class IS NOT NULL
    AND (a.since IS NULL OR a.since <= CAST($as_of AS DATE)) AND (a.until IS NULL OR a.until >= CAST($as_of AS DATE)))
SELECT person_key, list(DISTINCT category_class ORDER BY category_class) AS categories,
       string_agg(DISTINCT label, '、' ORDER BY label) AS category_text, min(since) AS since
FROM rows GROUP BY person_key;

-- step: rules.person.params
-- The local parameters the person rules read besides the common ones: the base cap of M, and
-- resident_pension_min_tier of the period containing D (else M's; the 代缴 amount).
SELECT (SELECT base_cap FROM ref_local_params WHERE CAST($month AS DATE) BETWEEN valid_from AND valid_to) AS cap,
       coalesce((SELECT resident_pension_min_tier FROM ref_local_params WHERE CAST($as_of AS DATE) BETWEEN valid_from AND valid_to),
                (SELECT resident_pension_min_tier FROM ref_local_params WHERE CAST($month AS DATE) BETWEEN valid_from AND valid_to)) AS min_tier;
